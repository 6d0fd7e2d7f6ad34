"""Fit the sentence-selection weights (AnswerSettings: w_overlap, w_context, w_rank, w_number, w_previous,
select_margin, new_review_bonus, depth, the budget overflow and the part coverage) for key-fact recall on
eval/qa.jsonl, and report them on the hold-out set.

Retrieval is run once per question; every candidate sentence keeps its features (answer.Candidate), so each
setting tried only re-scores and re-selects (answer.rescored / choose), exactly as
compose_answer does. Coordinate ascent from the current defaults, a few rounds over a small grid per weight;
a change is kept only when it gains more than MIN_GAIN on the main set (against fitting noise).

Run after `netlm-rag build`: .venv/bin/python eval/tune_sentences.py [--rounds 3]
Writes eval/runs/tune_sentences.json; prints the path taken and main/hold-out before and after.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fitting import coordinate_ascent, write_result  # noqa: E402  (eval/fitting.py)
from netlm_rag.answer import candidates, choose, rescored  # noqa: E402
from netlm_rag.config import AnswerSettings, Settings  # noqa: E402
from netlm_rag.corpus import mentioned_documents  # noqa: E402
from netlm_rag.evaluation.metrics import key_fact_recall  # noqa: E402
from netlm_rag.evaluation.qaset import load_qa  # noqa: E402
from netlm_rag.evaluation.systems import standalone_question  # noqa: E402
from netlm_rag.evidence import guide_ranking  # noqa: E402
from netlm_rag.pipeline import Assistant  # noqa: E402
from netlm_rag.rules import patient_facts  # noqa: E402

GRID = {
    "w_overlap": (0.0, 0.2, 0.35, 0.5, 0.7, 1.0, 1.5, 2.0),
    "w_context": (0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2),
    "w_rank": (0.0, 0.005, 0.01, 0.02, 0.04),
    "w_number": (0.0, 0.04, 0.08, 0.12, 0.2, 0.3, 0.4),
    "w_previous": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75),
    "w_foreign": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "w_other_study": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "w_trial_scope": (0.0, 0.05, 0.1, 0.2, 0.3),
    "select_margin": (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0),
    "new_review_bonus": (0.0, 0.02, 0.05, 0.1, 0.15, 0.2),
    "depth": (3, 4, 6, 8, 10),
    "overflow_words": (0, 10, 20),
    "overflow_margin": (0.0, 0.1, 0.2, 0.3),
    "part_margin": (0.0, 0.2, 0.4, 0.6, 0.8),
    "w_part": (0.0, 0.25, 0.5, 1.0),
    "part_overflow_words": (0, 20, 40, 60),
    "part_cover": (0.0, 0.2, 0.3, 0.4, 0.5, 0.6),
    "results_window": (0, 1, 2, 3),
    "antecedents": (False, True),
}
MAX_DEPTH = max(GRID["depth"])
MIN_GAIN = 0.002


def prepare(assistant: Assistant, qa_path: Path) -> list[tuple[list, tuple[str, ...], list[str], str]]:
    """(candidates of the deepest setting, key facts, reviews set against each other, the question as searched)
    per answerable question."""
    deep = replace(assistant.settings.answer, depth=MAX_DEPTH)
    out = []
    for item in load_qa(qa_path):
        if not item.answerable or not item.key_facts:
            continue
        q = standalone_question(assistant, item.question, item.history)    # as Assistant.ask searches it
        qvec = assistant.retriever.embed(q)
        named = mentioned_documents(q, assistant.aliases)
        guide = guide_ranking(q, patient_facts(q).facts, assistant.criteria)
        hits = assistant.retriever.hybrid(q, assistant.settings.retrieval.k, qvec, named, guide)
        cands = candidates(q, hits, assistant.sentence_scorer(qvec), assistant.retriever.lexicon, deep, assistant.idf,
                           assistant.tokens)
        out.append((cands, item.key_facts, sorted(named) if len(named) >= 2 else [], q))
    return out


def score(data, cfg: AnswerSettings, lexicon, idf) -> float:
    total = 0.0
    for cands, facts, required, question in data:
        pool = sorted((rescored(c, cfg) for c in cands if c.hit_rank < cfg.depth), key=lambda c: -c.score)
        chosen = choose(pool, question, cfg, lexicon, idf, required)
        total += key_fact_recall(" ".join(c.text for c in chosen), facts) or 0.0
    return total / max(len(data), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qa", type=Path, default=ROOT / "eval" / "qa.jsonl")
    ap.add_argument("--holdout", type=Path, default=ROOT / "eval" / "qa_holdout.jsonl")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "runs" / "tune_sentences.json")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    a = Assistant.load(Settings.from_env().with_overrides(audit={"enabled": False}))
    lex = a.retriever.lexicon
    main_data, hold_data = prepare(a, args.qa), prepare(a, args.holdout)
    start = a.settings.answer
    cfg, best, path = coordinate_ascent(lambda c: score(main_data, c, lex, a.idf), start, GRID, args.rounds, MIN_GAIN)
    fields = list(GRID)
    result = {
        "main_questions": len(main_data), "holdout_questions": len(hold_data),
        "before": {f: getattr(start, f) for f in fields}, "after": {f: getattr(cfg, f) for f in fields},
        "main_before": round(score(main_data, start, lex, a.idf), 4), "main_after": round(best, 4),
        "holdout_before": round(score(hold_data, start, lex, a.idf), 4),
        "holdout_after": round(score(hold_data, cfg, lex, a.idf), 4),
        "path": path, "seconds": round(time.perf_counter() - t0),
    }
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
