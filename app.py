"""netlm-rag Streamlit app: chat with cited answers and criteria checks; sources; evaluation; maintenance.
Streamlit only — retrieval, answers and rules live in netlm_rag."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import streamlit as st

from netlm_rag import corpus
from netlm_rag.config import Settings
from netlm_rag.display import answer_markdown, criteria_rows, escape_md, facts_override, highlight
from netlm_rag.errors import NetlmError
from netlm_rag.feedback import FeedbackStore
from netlm_rag.rules.facts import SITES
from netlm_rag.status import index_status

DISCLAIMER = ("Decision support drawn from five review articles (2013–2020) — not a guideline and not a "
              "substitute for a multidisciplinary tumour board.")
PAGES = ("Chat", "Sources", "Evaluation", "Maintenance")


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner="Loading the embedding model and index…")
def load_assistant(index_dir: str, corpus_dir: str):
    from netlm_rag.pipeline import Assistant

    s = settings()
    return Assistant.load(replace(s, paths=replace(s.paths, index=Path(index_dir), corpus=Path(corpus_dir))))


def rebuild(s: Settings) -> None:
    from netlm_rag.embeddings import load_embedder
    from netlm_rag.index import build_index

    bar = st.progress(0.0, text="Embedding passages…")
    report = build_index(s, lambda: load_embedder(s.model),
                         progress=lambda done, total: bar.progress(done / max(total, 1), text=f"Embedded {done}/{total}"))
    bar.empty()
    load_assistant.clear()
    st.session_state["last_build"] = report.summary()


def ensure_index(s: Settings) -> bool:
    """First run builds the index; a stale or corrupt one is reported with a rebuild button."""
    st_ = index_status(s)
    if st_["state"] == "missing":
        st.info("No index yet: building it from the corpus (about a minute on first run).")
        rebuild(s)
        return True
    if st_["state"] in ("stale", "corrupt"):
        st.warning(f"The index is {st_['state']}: {st_.get('problem', '')}")
        if st.button("Rebuild the index now", key="rebuild_banner"):
            rebuild(s)
            st.rerun()
        return st_["state"] == "stale"        # a stale index still answers; a corrupt one cannot
    if st_["state"] == "corpus error":
        st.error(st_["problem"])
        return False
    return True


def sidebar(s: Settings) -> dict:
    with st.sidebar:
        page = st.radio("Page", PAGES, key="page")
        st.caption(DISCLAIMER)
        with st.expander("Patient facts (override the question)", expanded=False):
            form = {
                "age": st.number_input("Age (years)", 0, 120, value=None, key="f_age"),
                "grade": st.selectbox("Grade", ["", "G1", "G2", "G3"], key="f_grade"),
                "ki67_pct": st.number_input("Ki-67 (%)", 0.0, 100.0, value=None, key="f_ki67"),
                "liver_involvement_pct": st.number_input("Liver involvement (%)", 0.0, 100.0, value=None, key="f_liver"),
                "extrahepatic_disease": {"": None, "yes": True, "no": False}[
                    st.selectbox("Extrahepatic disease", ["", "yes", "no"], key="f_ehd")],
                "portal_vein_thrombosis": {"": None, "main": "main", "branch": "branch", "none": "none"}[
                    st.selectbox("Portal vein thrombosis", ["", "main", "branch", "none"], key="f_pvt")],
                "bilirubin_mg_dl": st.number_input("Bilirubin (mg/dL)", 0.0, 50.0, value=None, key="f_bili"),
                "flr_pct": st.number_input("Future liver remnant (%)", 0.0, 100.0, value=None, key="f_flr"),
                "lesion_size_cm": st.number_input("Largest lesion (cm)", 0.0, 40.0, value=None, key="f_size"),
                "lesion_count": st.number_input("Number of lesions", 0, 500, value=None, key="f_count"),
                "sstr_positive": {"": None, "positive": True, "negative": False}[
                    st.selectbox("SSTR imaging", ["", "positive", "negative"], key="f_sstr")],
                "primary_site": st.selectbox("Primary site", ("",) + SITES, key="f_site"),
                "prior_whipple": {"": None, "yes": True, "no": False}[
                    st.selectbox("Prior Whipple / bilio-enteric anastomosis", ["", "yes", "no"], key="f_whipple")],
                "stable_disease_months": st.number_input("Stable disease (months)", 0, 600, value=None, key="f_stable"),
            }
        k = st.slider("Passages retrieved", 3, 20, s.retrieval.k, key="k")
        words = st.slider("Answer length (words)", 60, 300, s.answer.max_words, step=20, key="words")
        status = index_status(s)
        st.caption(f"Index: **{status['state']}** · {status.get('documents_in_corpus', '?')} reviews · "
                   f"{status.get('chunks', '?')} passages · built {status.get('built_at', '—')}")
    return {"page": page, "facts": facts_override(form), "k": k, "words": words}


def open_source(doc_id: str, chunk_id: str) -> None:
    """Runs before the next script run, so the page selector can still be changed."""
    st.session_state["focus"] = {"doc": doc_id, "chunk": chunk_id}
    st.session_state["page"] = "Sources"


def show_turn(i: int, msg: dict, s: Settings) -> None:
    d = msg["turn"]
    if d["standalone_question"] != d["question"]:
        st.caption(f"Searched as: {escape_md(d['standalone_question'])}")
    if d["abstained"]:
        st.warning(f"**The reviews do not cover this.** {escape_md(d['abstain_reason'])}")
        with st.expander("Related passages (not an answer)"):
            for h in d["hits"][:3]:
                st.markdown(f"*{escape_md(h['document'])} · {escape_md(h['section'])}*")
                st.text(h["text"][:600])
    else:
        st.markdown(answer_markdown(d["answer"]))
    if d["conflicts"]:
        st.info("**Sources disagree:** " + "; ".join(
            f"{escape_md(c['topic'])}: {escape_md(' vs '.join(c['values']))}" for c in d["conflicts"]))
    if d["citations"]:
        with st.expander(f"Sources ({len(d['citations'])})"):
            hits = {h["chunk_id"]: h for h in d["hits"]}
            for n, c in enumerate(d["citations"], start=1):
                st.markdown(f"**[{n}] {escape_md(c['document_name'])}** — {escape_md(c['section'])}")
                passage = hits.get(c["chunk_id"], {}).get("text", c["text"])
                st.markdown(highlight(passage, c["text"]))
                st.button("Open in Sources", key=f"open_{i}_{n}", on_click=open_source,
                          args=(c["document"], c["chunk_id"]))
    rules = d.get("rules") or {}
    if rules.get("facts"):
        with st.expander("Criteria check for this patient", expanded=True):
            facts = ", ".join(f"{k}: {v.get('value') if isinstance(v, dict) else v}" for k, v in rules["facts"].items())
            st.caption(f"Facts used: {escape_md(facts)}")
            for bad in rules.get("invalid", []):
                st.error(f"Not used — {escape_md(str(bad.get('field')))} = {escape_md(str(bad.get('value')))}: "
                         f"{escape_md(str(bad.get('reason')))}")
            st.dataframe(criteria_rows(rules), hide_index=True, width="stretch")
            for c in rules.get("conflicts", []):
                st.info(escape_md(c.get("text") or json.dumps(c)[:300]))
            for a in rules.get("actions", []):
                st.warning(escape_md(a if isinstance(a, str) else a.get("text", str(a))))
    feedback(i, msg, s)


def feedback(i: int, msg: dict, s: Settings) -> None:
    if msg.get("rated"):
        st.caption(f"Feedback saved ({msg['rated']}). Thank you.")
        return
    cols = st.columns([1, 1, 4])
    comment = cols[2].text_input("Comment (optional)", key=f"comment_{i}", label_visibility="collapsed",
                                 placeholder="Optional comment on this answer")
    for col, rating, label in ((cols[0], "up", "Helpful"), (cols[1], "down", "Not helpful")):
        if col.button(label, key=f"{rating}_{i}"):
            d = msg["turn"]
            FeedbackStore(s.paths.data).add(rating, d["question"], d["answer"], d["citations"], msg["build"], comment)
            msg["rated"] = rating
            st.rerun()


def chat_page(s: Settings, side: dict) -> None:
    st.title("NET liver metastases — ask the reviews")
    if not ensure_index(s):
        return
    try:
        assistant = load_assistant(str(s.paths.index), str(s.paths.corpus))
    except NetlmError as exc:
        st.error(str(exc))
        return
    assistant = replace(assistant, settings=s.with_overrides(answer={"max_words": side["words"]}))
    msgs = st.session_state.setdefault("messages", [])
    turns = st.session_state.setdefault("turns", [])
    for i, m in enumerate(msgs):
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.text(m["content"])
            elif m.get("error"):
                st.error(m["error"])
            else:
                show_turn(i, m, s)
    question = st.chat_input("Ask about NET liver metastases, e.g. '62 y, G2 ileal NET, Ki-67 8 %, 60 % liver: transplant?'")
    if question is not None:
        msgs.append({"role": "user", "content": question})
        try:
            turn = assistant.ask(question, history=turns, facts=side["facts"] or None, k=side["k"])
        except NetlmError as exc:
            msgs.append({"role": "assistant", "turn": None, "error": str(exc)})
        else:
            turns.append(turn)
            msgs.append({"role": "assistant", "turn": turn.to_dict(), "build": assistant.index_info["build_id"]})
        st.rerun()


def sources_page(s: Settings) -> None:
    st.title("Sources")
    docs = corpus.load_corpus(s.paths.corpus)
    focus = st.session_state.get("focus") or {}
    ids = [d.id for d in docs]
    pick = st.selectbox("Review", ids, index=ids.index(focus["doc"]) if focus.get("doc") in ids else 0)
    doc = next(d for d in docs if d.id == pick)
    meta = doc.meta_dict()
    meta["authors"] = ", ".join(meta["authors"])
    st.table([{"field": k, "value": str(v)} for k, v in meta.items()])
    try:
        chunks = [c for c in load_assistant(str(s.paths.index), str(s.paths.corpus)).chunks if c.doc_id == pick]
    except NetlmError as exc:
        st.error(str(exc))
        return
    for section in dict.fromkeys(c.section for c in chunks):
        members = [c for c in chunks if c.section == section]
        with st.expander(section, expanded=any(c.id == focus.get("chunk") for c in members)):
            for c in members:
                if c.id == focus.get("chunk"):
                    st.success("Cited passage")
                st.text(c.text)


def main() -> None:
    st.set_page_config(page_title="netlm-rag", page_icon="🩺", layout="wide")
    s = settings()
    side = sidebar(s)
    if side["page"] == "Chat":
        chat_page(s, side)
    elif side["page"] == "Sources":
        sources_page(s)
    elif side["page"] == "Evaluation":
        from app_pages import evaluation_page
        evaluation_page(s)
    else:
        from app_pages import maintenance_page
        maintenance_page(s, rebuild, load_assistant)


main()
