"""The Sources page: each review's metadata (licence, how the metadata were identified), then its sections with
their passages. The chat's "Open in Sources" (or ?doc=…&chunk=… in the URL) opens the cited passage."""
from __future__ import annotations

import streamlit as st

from netlm_rag.app_support import doc_names, escape_md, highlight
from netlm_rag.chunking import chunk_document
from netlm_rag.config import Settings
from netlm_rag.corpus import load_corpus
from netlm_rag.errors import NetlmError

META_FIELDS = (("short_name", "Short name"), ("title", "Title"), ("authors", "Authors"), ("journal", "Journal"),
               ("year", "Year"), ("doi", "DOI"), ("licence", "Licence"), ("source_file", "File in corpus/raw"),
               ("sha256", "SHA-256"), ("metadata_source", "How the metadata were identified"))


def focus_from_url(ids: list[str]) -> None:
    """A shared link ?doc=cloyd-2020&chunk=cloyd-2020#… selects that passage once."""
    doc, chunk = st.query_params.get("doc"), st.query_params.get("chunk")
    if doc in ids and st.session_state.get("_url_focus") != (doc, chunk):
        st.session_state["_url_focus"] = (doc, chunk)
        st.session_state["focus"] = {"doc": doc, "chunk": chunk or "", "sentence": ""}
        st.session_state["src_doc"] = doc


def sources_page(s: Settings) -> None:
    st.title("Sources")
    try:
        docs = load_corpus(s.paths.corpus)
    except NetlmError as exc:
        st.error(f"The corpus cannot be read: {exc}")
        return
    if not docs:
        st.info("The corpus is empty: add a review on the Maintenance page.")
        return
    ids, names = [d.id for d in docs], doc_names({d.id: d for d in docs})
    focus_from_url(ids)
    if st.session_state.get("src_doc") not in ids:
        st.session_state["src_doc"] = ids[0]
    pick = st.selectbox("Review", ids, key="src_doc", format_func=lambda i: f"{names[i]} ({i})")
    doc = next(d for d in docs if d.id == pick)
    meta = doc.meta_dict()
    meta["authors"] = ", ".join(meta["authors"])
    meta["sha256"] = meta["sha256"][:16] + "…"
    st.table([{"field": label, "value": escape_md(meta.get(key, ""))} for key, label in META_FIELDS],
             hide_index=True, hide_header=True)
    focus = st.session_state.get("focus") or {}
    focus = focus if focus.get("doc") == pick else {}
    chunks = chunk_document(doc, s.chunking)
    target = next((c for c in chunks if c.id == focus.get("chunk")), None)
    if target is not None:
        st.subheader("Cited passage")
        st.caption(f"{escape_md(names[pick])} · {escape_md(target.section)} · {escape_md(target.id)}")
        st.markdown(highlight(target.text, focus.get("sentence", "")))
    elif focus.get("chunk"):
        st.warning("That passage is no longer in this review (the corpus changed since the answer).")
    st.subheader(f"Sections ({len(chunks)} passages)")
    for section in dict.fromkeys(c.section for c in chunks):
        members = [c for c in chunks if c.section == section]
        opened = target is not None and target in members
        with st.expander(f"{section or '(untitled)'} · {len(members)}", expanded=opened):
            for c in members:
                st.caption(f"{escape_md(c.id)}" + (" · table" if c.kind == "table" else "")
                           + (" · cited passage" if c is target else ""))
                st.markdown(highlight(c.text, focus.get("sentence", "")) if c is target else escape_md(c.text))
