"""Evaluators' page: pick a run, browse per-question results next to the gold answer and passages, score each
answer (correct / partly / wrong / unsafe + comment), export the scores, and see agreement between two raters."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from netlm_rag.app_support import escape_md, qa_items_for_run, read_jsonl, run_dirs
from netlm_rag.config import PROJECT_ROOT, Settings
from netlm_rag.errors import NetlmError

LABELS = ("correct", "partly", "wrong", "unsafe")


def score_store(s: Settings):
    try:
        from netlm_rag.evaluation.scores import ScoreStore
    except ImportError as exc:
        st.error(f"Scores store not available ({exc}): answers can be browsed but not scored.")
        return None
    return ScoreStore(s.paths.data)


def run_label(run: Path, s: Settings) -> str:
    for root in (PROJECT_ROOT, s.paths.data):
        try:
            return str(run.relative_to(root))
        except ValueError:
            continue
    return str(run)


@st.cache_data(show_spinner=False)
def load_run(run: str, mtime: float) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Rows and QA items of a run (cached until per_question.jsonl changes)."""
    return read_jsonl(Path(run) / "per_question.jsonl"), qa_items_for_run(Path(run), PROJECT_ROOT)


def evaluation_page(s: Settings) -> None:
    st.title("Evaluation")
    runs = run_dirs([PROJECT_ROOT / "eval" / "runs", s.paths.data])
    if not runs:
        st.info("No evaluation runs yet (a folder with per_question.jsonl under eval/runs/ or the data folder). "
                "Run: `netlm-rag eval --qa eval/qa.jsonl --out eval/runs/latest`")
        return
    c1, c2, c3 = st.columns([2, 1, 1])
    run = c1.selectbox("Run", runs, format_func=lambda p: run_label(p, s), key="eval_run")
    rows, items = load_run(str(run), (run / "per_question.jsonl").stat().st_mtime)
    systems = sorted({r.get("system", "full") for r in rows})
    if not systems:
        st.warning("This run has no readable results.")
        return
    system = c2.selectbox("System", systems, index=systems.index("full") if "full" in systems else 0,
                          key="eval_system")
    rater = c3.text_input("Your rater name", key="rater").strip()
    rows = [r for r in rows if r.get("system", "full") == system]
    store = score_store(s)
    run_id = f"{run_label(run, s)}:{system}"
    if not 1 <= st.session_state.get("eval_item", 1) <= len(rows):
        st.session_state["eval_item"] = 1
    i = st.number_input(f"Question (of {len(rows)})", 1, len(rows), 1, key="eval_item") - 1
    row = rows[i]
    show_result(row, items.get(str(row.get("id")), {}))
    if store is None:
        return
    score_form(store, run_id, row, rater)
    st.divider()
    scored = store.list(run_id=run_id)
    st.caption(f"{len(scored)} scores for this run and system, from {len(store.raters(run_id))} rater(s).")
    st.download_button("Export scores (CSV)", store.export_csv(run_id=run_id),
                       f"scores-{run_id.replace('/', '_').replace(':', '_')}.csv", mime="text/csv",
                       icon=":material/download:")
    agreement(store, run_id)


def show_result(row: dict[str, Any], item: dict[str, Any]) -> None:
    st.markdown(f"**{escape_md(row.get('id', ''))}** · {escape_md(row.get('type', ''))} · "
                f"{escape_md(row.get('difficulty', ''))}" + ("" if row.get("answerable", True) else " · unanswerable"))
    for n, earlier in enumerate(row.get("history") or [], start=1):
        st.caption(f"Earlier question {n}: {escape_md(earlier)}")
    st.markdown(f"**Question:** {escape_md(row.get('question', ''))}")
    standalone = row.get("standalone_question")
    if row.get("history") and standalone and standalone != row.get("question"):
        st.caption(f"Searched as: {escape_md(standalone)}")
    if row.get("error"):
        st.error(f"The system failed on this question: {escape_md(row['error'])}")
    left, right = st.columns(2)
    with left:
        st.markdown("**System answer**" + (" (abstained)" if row.get("abstained") else ""))
        st.markdown(escape_md(row.get("answer") or row.get("abstain_reason") or "—"))
        for n, c in enumerate(row.get("citations", []), start=1):
            flag = {True: "relevant", False: "not relevant"}.get(c.get("relevant"), "")
            st.caption(f"[{n}] {escape_md(c.get('document', ''))}" + (f" · {flag}" if flag else "")
                       + f": {escape_md(c.get('text', ''))}")
    with right:
        st.markdown("**Gold answer**")
        st.markdown(escape_md(item.get("answer") or "— (QA item not found)"))
        for g in item.get("sources", []):
            st.caption(f"{escape_md(g.get('file', ''))}: {escape_md(g.get('quote', ''))}")
        if row.get("key_facts"):
            found = set(row.get("key_facts_found", []))
            st.caption("Key facts: " + "; ".join(escape_md(k) + (" (found)" if k in found else " (missing)")
                                                 for k in row["key_facts"]))


def score_form(store, run_id: str, row: dict[str, Any], rater: str) -> None:
    qa_id = str(row.get("id"))
    mine = store.list(run_id=run_id, rater=rater, qa_id=qa_id) if rater else []
    if mine:
        st.caption(f"Your current score: {mine[0].label}" + (f" ({escape_md(mine[0].comment)})" if mine[0].comment else ""))
    with st.form(f"score_{run_id}_{qa_id}"):
        label = st.radio("Score", LABELS, horizontal=True,
                         index=LABELS.index(mine[0].label) if mine else 0)
        comment = st.text_input("Comment", value=mine[0].comment if mine else "")
        if st.form_submit_button("Save score"):
            if not rater:
                st.error("Enter your rater name first (top right).")
                return
            try:
                store.score(run_id, qa_id, rater, label, comment)
            except NetlmError as exc:
                st.error(str(exc))
            else:
                st.success(f"Saved: {label}.")


def agreement(store, run_id: str) -> None:
    raters = store.raters(run_id)
    if len(raters) < 2:
        st.caption("Agreement between raters appears once two raters have scored this run.")
        return
    a, b = st.columns(2)
    ra = a.selectbox("Rater A", raters, 0, key="rater_a")
    rb = b.selectbox("Rater B", raters, 1, key="rater_b")
    ag = store.agreement(ra, rb, run_id)
    m1, m2, m3 = st.columns(3)
    m1.metric("Items both scored", ag.n)
    m2.metric("Percent agreement", "—" if ag.percent is None else f"{ag.percent:.0%}")
    m3.metric("Cohen's kappa", "—" if ag.kappa is None else f"{ag.kappa:.2f}")
