"""Maintainers' page: corpus list, add by upload, remove, rebuild with progress, what changed."""
from __future__ import annotations

import streamlit as st

from netlm_rag import corpus
from netlm_rag.config import Settings
from netlm_rag.errors import NetlmError
from netlm_rag.status import index_status


def maintenance_page(s: Settings, rebuild, load_assistant) -> None:
    st.title("Maintenance")
    if st.session_state.get("last_build"):
        st.success(st.session_state["last_build"])
    try:
        entries = corpus.read_manifest(s.paths.corpus)
    except NetlmError as exc:
        st.error(str(exc))
        return
    st.dataframe([{k: e.get(k) for k in ("id", "year", "title", "licence", "source_file")} for e in entries],
                 hide_index=True, width="stretch")
    st.json(index_status(s), expanded=False)
    with st.form("add_doc", clear_on_submit=True):
        st.subheader("Add a review (.txt, .md, .pdf with text, .html)")
        up = st.file_uploader("File", type=["txt", "md", "pdf", "html", "htm"])
        c1, c2, c3 = st.columns(3)
        meta = {"id": c1.text_input("Id (e.g. smith-2024)"), "title": c2.text_input("Title"),
                "year": c3.text_input("Year"), "licence": c1.text_input("Licence"),
                "short_name": c2.text_input("Short name (e.g. Smith 2024)"), "doi": c3.text_input("DOI")}
        if st.form_submit_button("Add to corpus"):
            if up is None:
                st.error("Choose a file first.")
            else:
                try:
                    entry = corpus.add_document(s.paths.corpus, up.name, up.getvalue(), {k: v for k, v in meta.items() if v})
                    st.success(f"Added {entry['id']}. Rebuild the index to use it.")
                except NetlmError as exc:
                    st.error(str(exc))
    ids = [e["id"] for e in entries]
    col1, col2 = st.columns(2)
    victim = col1.selectbox("Remove a review", [""] + ids)
    if victim and col1.checkbox(f"Yes, remove {victim} from the corpus"):
        if col1.button("Remove"):
            corpus.remove_document(s.paths.corpus, victim)
            st.success(f"Removed {victim}. Rebuild the index.")
            st.rerun()
    if col2.button("Rebuild index"):
        rebuild(s)
        st.rerun()
