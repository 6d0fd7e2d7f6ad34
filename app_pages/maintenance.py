"""Maintainers' page: the corpus, add a review by upload, remove one (confirmed), rebuild the index with a
progress bar and show what changed; export the clinicians' feedback."""
from __future__ import annotations

import streamlit as st

from netlm_rag import corpus
from netlm_rag.app_support import escape_md
from netlm_rag.config import Settings
from netlm_rag.errors import NetlmError
from netlm_rag.feedback import FeedbackStore
from netlm_rag.ingest import SUFFIXES
from netlm_rag.status import index_status

from .common import rebuild

LIST_FIELDS = ("id", "short_name", "year", "licence", "source_file", "metadata_source")


def maintenance_page(s: Settings) -> None:
    st.title("Maintenance")
    if st.session_state.get("last_build"):
        st.success(f"Last rebuild: {escape_md(st.session_state['last_build'])}", icon=":material/check_circle:")
    try:
        entries = corpus.read_manifest(s.paths.corpus)
    except NetlmError as exc:
        st.error(f"The corpus cannot be read: {exc}")
        return
    st.subheader(f"Corpus ({len(entries)} reviews)")
    st.table([{k: escape_md(e.get(k, "")) for k in LIST_FIELDS} for e in entries], hide_index=True)
    index_section(s)
    add_section(s)
    remove_section(s, [e["id"] for e in entries])
    feedback_section(s)


def index_section(s: Settings) -> None:
    st.subheader("Index")
    status = index_status(s)
    problem = status.get("problem")
    line = (f"State: **{escape_md(status['state'])}** · build {escape_md(status.get('build_id', '—'))} · "
            f"built {escape_md(status.get('built_at', '—'))} · {status.get('chunks', '—')} passages")
    (st.warning if problem else st.markdown)(line + (f"  \n{escape_md(problem)}" if problem else ""))
    force = st.checkbox("Re-embed everything (otherwise only new or changed reviews are embedded)", key="force")
    if st.button("Rebuild index", key="rebuild", type="primary", icon=":material/build:"):
        if rebuild(s, force=force):
            st.rerun()


def add_section(s: Settings) -> None:
    with st.form("add_doc", clear_on_submit=True):
        st.subheader("Add a review")
        up = st.file_uploader(f"File ({', '.join(SUFFIXES)}; a PDF needs a text layer)",
                              type=[x.lstrip(".") for x in SUFFIXES])
        c1, c2, c3 = st.columns(3)
        meta = {"id": c1.text_input("Id (e.g. smith-2024)"), "short_name": c2.text_input("Short name (Smith 2024)"),
                "year": c3.text_input("Year"), "title": c1.text_input("Title"), "journal": c2.text_input("Journal"),
                "doi": c3.text_input("DOI"), "licence": c1.text_input("Licence"),
                "authors": c2.text_input("Authors (comma-separated)"),
                "metadata_source": c3.text_input("How the metadata were identified", value="given by the maintainer")}
        if st.form_submit_button("Add to corpus", icon=":material/upload_file:"):
            add_document(s, up, meta)


def add_document(s: Settings, up, meta: dict[str, str]) -> None:
    if up is None:
        st.error("Choose a file first.")
        return
    year = meta["year"].strip()
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        st.error(f"Year must be a four-digit year, got {year!r}; nothing was added.")
        return
    clean = {k: v.strip() for k, v in meta.items() if v.strip()}
    if "authors" in clean:
        clean["authors"] = [a.strip() for a in clean["authors"].split(",") if a.strip()]
    try:
        entry = corpus.add_document(s.paths.corpus, up.name, up.getvalue(), clean)
    except NetlmError as exc:
        st.error(f"Not added: {exc}")
        return
    st.success(f"Added {escape_md(entry['id'])}. Rebuild the index to search it.")


def remove_section(s: Settings, ids: list[str]) -> None:
    st.subheader("Remove a review")
    victim = st.selectbox("Review to remove", ids, index=None, placeholder="Choose a review", key="remove_pick")
    if not victim:
        return
    sure = st.checkbox(f"Yes, remove {victim} from the corpus (its file is deleted; git can restore it)",
                       key=f"remove_confirm_{victim}")
    if st.button("Remove", key="remove", disabled=not sure, icon=":material/delete:"):
        try:
            corpus.remove_document(s.paths.corpus, victim)
        except NetlmError as exc:
            st.error(str(exc))
            return
        st.session_state["last_build"] = ""
        st.toast(f"Removed {victim}. Rebuild the index.")
        st.rerun()


def feedback_section(s: Settings) -> None:
    st.subheader("Feedback from clinicians")
    store = FeedbackStore(s.paths.data)
    counts = store.counts()
    st.caption(f"{counts['up']} helpful · {counts['down']} not helpful · stored in {escape_md(store.path)}")
    st.download_button("Export feedback (CSV)", store.export_csv(), "feedback.csv", mime="text/csv",
                       icon=":material/download:", key="export_feedback")
