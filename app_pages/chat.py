"""The chat page: history in session state, one assistant turn per question, each stored with its sources and
criteria report so it survives reruns; feedback on every answer."""
from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import streamlit as st

from netlm_rag.app_support import (answer_markdown, criteria_rows, doc_names, escape_md, facts_line, highlight,
                                   source_ref)
from netlm_rag.config import Settings
from netlm_rag.errors import NetlmError
from netlm_rag.feedback import FeedbackStore

from .common import get_assistant

PLACEHOLDER = "Ask about NET liver metastases, or describe a patient (age, grade, Ki-67, liver involvement…)"
EXAMPLES = (
    "What are the Milan criteria for liver transplantation?",
    "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?",
    "When is radiofrequency ablation appropriate for NET liver metastases?",
    "What are the contraindications to TACE?",
)


def ask_example(question: str) -> None:
    st.session_state["pending_question"] = question


def open_source(doc_id: str, chunk_id: str, sentence: str) -> None:
    """Callback: runs before the next script run, so the page selector can still be changed."""
    st.session_state["focus"] = {"doc": doc_id, "chunk": chunk_id, "sentence": sentence}
    st.session_state["src_doc"] = doc_id
    st.session_state["page"] = "Sources"


def clear_chat() -> None:
    st.session_state["messages"] = []
    st.session_state["turns"] = []


def chat_page(s: Settings, side: dict[str, Any]) -> None:
    st.title("NET liver metastases: ask the reviews")
    assistant = get_assistant(s)
    if assistant is None:
        return
    assistant = replace(assistant, settings=s.with_overrides(answer={"max_words": side["words"]}))
    msgs = st.session_state.setdefault("messages", [])
    if not msgs:
        intro()
    for n, m in enumerate(msgs):
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.text(m["content"])
            elif m.get("error"):
                st.error(escape_md(m["error"]))
            else:
                show_turn(m, s, latest=n == len(msgs) - 1)
    if side["facts"]:
        st.caption("Patient facts from the sidebar (they complete or override the question): "
                   + escape_md(facts_line(side["facts"])))
    question = st.chat_input(PLACEHOLDER, key="chat_input")
    question = question if question is not None else st.session_state.pop("pending_question", None)
    if question is not None:
        answer(assistant, question, side)


def intro() -> None:
    st.markdown("Answers are sentences quoted verbatim from five review articles on neuroendocrine tumour liver "
                "metastases, each with its source. When the reviews do not cover a question, the assistant says "
                "so. Describe a patient to have their facts checked against the criteria in the reviews.")
    st.caption("Try one of these:")
    for i, q in enumerate(EXAMPLES):
        st.button(q, key=f"example_{i}", on_click=ask_example, args=(q,), type="tertiary",
                  icon=":material/chat_bubble:")


def answer(assistant, question: str, side: dict[str, Any]) -> None:
    msgs, turns = st.session_state["messages"], st.session_state.setdefault("turns", [])
    with st.chat_message("user"):
        st.text(question)
    msgs.append({"role": "user", "content": question})
    with st.chat_message("assistant"), st.spinner("Searching the reviews…"):
        try:
            turn = assistant.ask(question, history=turns, facts=side["facts"] or None, k=side["k"])
        except NetlmError as exc:
            msgs.append({"role": "assistant", "error": str(exc), "id": uuid.uuid4().hex[:10]})
        else:
            turns.append(turn)
            msgs.append({"role": "assistant", "turn": turn.to_dict(), "id": uuid.uuid4().hex[:10],
                         "build": assistant.index_info["build_id"], "names": doc_names(assistant.documents)})
    st.rerun()


def show_turn(msg: dict[str, Any], s: Settings, latest: bool = True) -> None:
    d, names = msg["turn"], msg.get("names", {})
    if d["standalone_question"] != d["question"]:
        st.caption(f"Searched as: {escape_md(d['standalone_question'])}")
    if d["abstained"]:
        show_abstention(d, names)
    else:
        st.markdown(answer_markdown(d["answer"]))
    if d["conflicts"]:
        show_conflicts(d["conflicts"])
    if d["citations"]:
        show_sources(msg["id"], d)
    rules = d.get("rules") or {}
    if rules.get("facts") or rules.get("invalid"):
        show_criteria(rules, names, expanded=latest)
    if rules.get("asked"):
        show_asked(rules["asked"], names, expanded=latest)
    st.caption(f"{d['latency_ms'] / 1000:.1f} s · index build {escape_md(msg.get('build', ''))}")
    feedback(msg, s)


def show_abstention(d: dict[str, Any], names: dict[str, str]) -> None:
    reason = d["abstain_reason"]
    st.warning(f"**The reviews do not cover this.** {escape_md(reason[:1].upper() + reason[1:])}.",
               icon=":material/block:")
    if d["hits"]:
        with st.expander("Related passages (not cited: they do not answer the question)"):
            for h in d["hits"][:3]:
                st.markdown(f"*{escape_md(names.get(h['document'], h['document']))} · {escape_md(h['section'])}*")
                st.markdown(escape_md(h["text"][:700] + ("…" if len(h["text"]) > 700 else "")))


def show_conflicts(conflicts: list[dict[str, Any]]) -> None:
    limits = all(c.get("thresholds") for c in conflicts)
    lines = ["**Sources disagree** — both statements are shown; check the primary literature." if limits else
             "**Sources give different figures** — they may describe different studies or patient groups; "
             "both statements are shown."]
    for c in conflicts:
        kind = "limit" if c.get("thresholds") else "reported"
        lines.append(f"- {escape_md(c['topic'])} ({kind}): " + " vs ".join(escape_md(v) for v in c["values"]))
        for stmt in c.get("statements", []):
            lines.append(f"    - {escape_md(stmt.get('document_name', stmt.get('document')))}: "
                         f"“{escape_md(stmt['text'])}”")
    st.info("\n".join(lines), icon=":material/compare_arrows:")


def show_sources(msg_id: str, d: dict[str, Any]) -> None:
    passages = {h["chunk_id"]: h["text"] for h in d["hits"]}
    with st.expander(f"Sources ({len(d['citations'])})", icon=":material/menu_book:"):
        for n, c in enumerate(d["citations"], start=1):
            st.markdown(f"**[{n}] {escape_md(c['document_name'])}** · {escape_md(c['section'])}")
            passage = passages.get(c["chunk_id"])
            st.markdown(highlight(passage, c["text"], c["start"], c["end"]) if passage else
                        "**" + escape_md(c["text"]) + "**")
            st.button("Open in Sources", key=f"open_{msg_id}_{n}", on_click=open_source,
                      args=(c["document"], c["chunk_id"], c["text"]), icon=":material/open_in_new:",
                      type="tertiary")


def show_criteria(rules: dict[str, Any], names: dict[str, str], expanded: bool) -> None:
    """Open for the latest answer; earlier ones fold away to keep the conversation readable."""
    with st.expander("Criteria check for this patient", expanded=expanded, icon=":material/fact_check:"):
        if rules.get("facts"):
            st.caption("Facts used: " + escape_md(facts_line(rules["facts"])))
        for bad in rules.get("invalid", []):
            st.error(f"Not used: {escape_md(bad.get('field'))} = {escape_md(bad.get('value'))} "
                     f"({escape_md(bad.get('reason'))})")
        if not rules.get("facts"):
            return
        st.table([criteria_cells(r) for r in criteria_rows(rules, names)], hide_index=True)
        for c in rules.get("conflicts", []):
            st.info("**Sources disagree:** " + escape_md(c.get("text", "")))
        for a in rules.get("actions", []):
            st.warning(f"**If {escape_md(', '.join(a.get('options', [])).replace('_', ' '))} is pursued:** "
                       f"{escape_md(a.get('action', ''))} ({escape_md(source_ref(a.get('source'), names))})")
        for cl in rules.get("answer_check", []):
            if cl.get("status") == "contradicts":
                st.warning(f"**The quoted answer differs from criterion {escape_md(cl.get('criterion'))}** "
                           f"({escape_md(source_ref(cl.get('source'), names))}): {escape_md(cl.get('claim', ''))}")
        st.caption("Verdicts come from deterministic rules built from criteria quoted in the reviews; "
                   "each criterion names its review and line. Decision support, not a decision.")


def show_asked(asked: list[dict[str, Any]], names: dict[str, str], expanded: bool) -> None:
    """A general question about a criterion ("Ki-67 ceiling for LT?"): every review's version, quoted."""
    with st.expander("Criteria the reviews state for this question", expanded=expanded, icon=":material/rule:"):
        for a in asked:
            st.markdown(f"**{escape_md(a['label'])}**")
            if a["differ"]:
                st.info("**The reviews set different limits:** " + " vs ".join(escape_md(t) for t in a["thresholds"]),
                        icon=":material/compare_arrows:")
            st.table([{"criterion": escape_md(c["text"]), "set": escape_md(c["set_name"]),
                       "source": escape_md(source_ref(c["source"], names)),
                       "quote": "“" + escape_md(c["source"]["quote"]) + "”"} for c in a["criteria"]], hide_index=True)
        st.caption("From the rules module: criteria encoded from the reviews, each with its verbatim quote and line. "
                   "Describe a patient to have their facts checked against them.")


def criteria_cells(row: dict[str, str]) -> dict[str, str]:
    """Markdown cells: option in bold over its verdict; one criterion per line (escaped text, hard breaks)."""
    cells = {k: escape_md(v).replace("\n", "  \n") for k, v in row.items()}
    return {"option": f"**{cells.pop('option')}**  \n{cells.pop('verdict')}", **cells}


def feedback(msg: dict[str, Any], s: Settings) -> None:
    if msg.get("rated"):
        st.caption(f"Feedback saved ({'helpful' if msg['rated'] == 'up' else 'not helpful'}). Thank you.")
        return
    up, down, text = st.columns([1.3, 1.6, 5], vertical_alignment="center")
    comment = text.text_input("Comment (optional)", key=f"comment_{msg['id']}", label_visibility="collapsed",
                              placeholder="Optional comment on this answer")
    for col, rating, label, icon in ((up, "up", "Helpful", ":material/thumb_up:"),
                                     (down, "down", "Not helpful", ":material/thumb_down:")):
        if col.button(label, key=f"{rating}_{msg['id']}", icon=icon):
            d = msg["turn"]
            FeedbackStore(s.paths.data).add(rating, d["question"], d["answer"], d["citations"], msg.get("build", ""),
                                            comment, d["standalone_question"], d["abstained"])
            msg["rated"] = rating
            st.rerun()
