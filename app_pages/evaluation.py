"""Evaluators' page: browse a run's per-question results, score answers, export, rater agreement."""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from netlm_rag.config import PROJECT_ROOT, Settings
from netlm_rag.display import escape_md

LABELS = ("correct", "partly", "wrong", "unsafe")


def run_dirs(s: Settings) -> list[Path]:
    roots = [PROJECT_ROOT / "eval" / "runs", s.paths.data / "runs"]
    return sorted({p.parent for r in roots if r.is_dir() for p in r.rglob("per_question.jsonl")})


def evaluation_page(s: Settings) -> None:
    from netlm_rag.evaluation.scores import ScoreStore

    st.title("Evaluation")
    runs = run_dirs(s)
    if not runs:
        st.info("No evaluation runs yet. Run: `netlm-rag eval --qa eval/qa.jsonl --out eval/runs/latest`")
        return
    run = st.selectbox("Run", runs, format_func=lambda p: str(p.relative_to(p.parents[1])))
    rows = [json.loads(l) for l in (run / "per_question.jsonl").read_text(encoding="utf-8").splitlines() if l]
    systems = sorted({r.get("system", "full") for r in rows})
    system = st.selectbox("System", systems, index=systems.index("full") if "full" in systems else 0)
    rows = [r for r in rows if r.get("system", "full") == system]
    rater = st.text_input("Your rater name", key="rater")
    i = st.number_input("Question", 1, len(rows), 1) - 1
    r = rows[i]
    st.markdown(f"**{escape_md(r['id'])}** · {escape_md(r.get('type', ''))} · {escape_md(r.get('difficulty', ''))}")
    st.markdown(f"**Question:** {escape_md(r['question'])}")
    left, right = st.columns(2)
    with left:
        st.markdown("**System answer**" + (" (abstained)" if r.get("abstained") else ""))
        st.text(r.get("answer", ""))
        for c in r.get("citations", []):
            st.caption(f"{escape_md(str(c.get('document_name') or c.get('document')))} — {escape_md(c.get('section', ''))}")
    with right:
        st.markdown("**Gold answer**")
        st.text(r.get("gold_answer", ""))
        for g in r.get("gold_sources", r.get("sources", [])):
            st.caption(escape_md(f"{g.get('file')}: {g.get('quote', '')}"))
    store = ScoreStore(s.paths.data)
    with st.form(f"score_{run.name}_{r['id']}"):
        label = st.radio("Score", LABELS, horizontal=True)
        comment = st.text_input("Comment")
        if st.form_submit_button("Save score"):
            if not rater.strip():
                st.error("Enter your rater name first.")
            else:
                store.score(run.name, r["id"], rater.strip(), label, comment)
                st.success("Saved.")
    st.download_button("Export scores (CSV)", store.export_csv(run_id=run.name), f"scores-{run.name}.csv")
    raters = store.raters(run.name)
    if len(raters) >= 2:
        a, b = st.columns(2)
        ra = a.selectbox("Rater A", raters, 0)
        rb = b.selectbox("Rater B", raters, 1)
        st.write(store.agreement(ra, rb, run.name).to_dict())
