"""Fit the rerank weights (RetrievalSettings.w_*) for recall@5 of gold passages on eval/qa.jsonl, and report
them on the hold-out set.

Dense and BM25 rankings, their fusion and every candidate's RerankFeatures are computed once per question
with the project's own Retriever; each setting tried only re-runs retrieval.rerank, exactly as
Retriever.hybrid does. Coordinate ascent from the current defaults over a small grid per weight; a change is
kept only when it gains more than MIN_GAIN on the main set (against fitting noise). The first hand-set rerank
(RRF + 0.5 x best sentence cosine, no per-review cap) on the same fused candidates (the criteria guide of
vignette questions included) is reported beside it for reference.

Run after `netlm-rag build`: .venv/bin/python eval/tune_retrieval.py [--rounds 3]
Writes eval/runs/tune_retrieval.json; prints the path taken and main/hold-out before and after.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fitting import coordinate_ascent, write_result  # noqa: E402  (eval/fitting.py)
from netlm_rag.config import RetrievalSettings, Settings  # noqa: E402
from netlm_rag.corpus import mentioned_documents  # noqa: E402
from netlm_rag.evaluation.metrics import overlaps  # noqa: E402
from netlm_rag.evaluation.qaset import gold_spans, load_qa  # noqa: E402
from netlm_rag.pipeline import Assistant  # noqa: E402
from netlm_rag.evidence import guide_ranking  # noqa: E402
from netlm_rag.retrieval import RerankFeatures, diversify, rerank  # noqa: E402
from netlm_rag.rules import patient_facts  # noqa: E402

GRID = {
    "w_fused": (0.0, 0.5, 1.0, 1.5),
    "w_best_sentence": (0.0, 0.25, 0.5, 1.0),
    "w_top2_sentences": (0.0, 0.25, 0.5, 1.0),
    "w_bm25": (0.0, 0.1, 0.25, 0.5),
    "w_sentence_overlap": (0.0, 0.25, 0.5, 1.0),
    "w_chunk_overlap": (0.0, 0.25, 0.5, 1.0),
    "per_review_cap": (0, 2, 3),
}
HAND_SET = dict(w_fused=1.0, w_best_sentence=0.5, w_top2_sentences=0.0, w_bm25=0.0, w_sentence_overlap=0.0,
                w_chunk_overlap=0.0, per_review_cap=0)
MIN_GAIN = 0.002
K = 5


@dataclass(frozen=True)
class Prepared:
    docs: tuple[str, ...]                       # review of each chunk row
    fused: list[tuple[int, float]]
    features: dict[int, RerankFeatures]
    gold_rows: tuple[frozenset[int], ...]      # per gold passage, the chunk rows overlapping it


def prepare(assistant: Assistant, qa_path: Path) -> list[Prepared]:
    r, cfg = assistant.retriever, assistant.settings.retrieval
    out = []
    for item in load_qa(qa_path):
        gold = gold_spans(item, assistant.documents) if item.answerable else ()
        if not gold:
            continue
        q = item.question
        qvec = r.embed(q)
        docs = mentioned_documents(q, assistant.aliases)
        guide = guide_ranking(q, patient_facts(q).facts, assistant.criteria)
        _, lexical, fused = r.fused(q, qvec, docs, guide)          # as Retriever.hybrid fuses, before the rerank
        features = r.rerank_features(q, qvec, [row for row, _ in fused[:cfg.candidates]], lexical)
        rows = tuple(frozenset(i for i, c in enumerate(r.chunks)
                               if c.doc_id == g.doc_id and overlaps(c.start, c.end, g.start, g.end)) for g in gold)
        out.append(Prepared(r.doc_ids, fused, features, rows))
    return out


def recall_mrr(data: list[Prepared], cfg: RetrievalSettings) -> tuple[float, float]:
    recall = mrr = 0.0
    for p in data:
        ranking = rerank(p.fused, p.features, cfg)
        if cfg.per_review_cap:                       # as Retriever.hybrid does after the rerank
            ranking = diversify(ranking, p.docs, cfg.per_review_cap, cfg.diverse_top)
        order = {row: i for i, (row, _) in enumerate(ranking, start=1)}
        ranks = [min((order[row] for row in rows if row in order), default=None) for rows in p.gold_rows]
        recall += sum(1 for x in ranks if x is not None and x <= K) / len(ranks)
        first = min((x for x in ranks if x is not None), default=None)
        mrr += 1 / first if first else 0.0
    n = max(len(data), 1)
    return recall / n, mrr / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qa", type=Path, default=ROOT / "eval" / "qa.jsonl")
    ap.add_argument("--holdout", type=Path, default=ROOT / "eval" / "qa_holdout.jsonl")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "runs" / "tune_retrieval.json")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    a = Assistant.load(Settings.from_env().with_overrides(audit={"enabled": False}))
    main_data, hold_data = prepare(a, args.qa), prepare(a, args.holdout)
    start = a.settings.retrieval
    cfg, best, path = coordinate_ascent(lambda c: recall_mrr(main_data, c)[0], start, GRID, args.rounds, MIN_GAIN,
                                        "main_recall@5")
    hand = replace(start, **HAND_SET)

    def report(c: RetrievalSettings) -> dict[str, float]:
        (rm, mm), (rh, mh) = recall_mrr(main_data, c), recall_mrr(hold_data, c)
        return {"main_recall@5": round(rm, 4), "main_mrr": round(mm, 4),
                "holdout_recall@5": round(rh, 4), "holdout_mrr": round(mh, 4)}

    result = {
        "main_questions": len(main_data), "holdout_questions": len(hold_data),
        "before": {f: getattr(start, f) for f in GRID}, "after": {f: getattr(cfg, f) for f in GRID},
        "hand_set": report(hand), "defaults": report(start), "fitted": report(cfg),
        "path": path, "seconds": round(time.perf_counter() - t0),
    }
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
