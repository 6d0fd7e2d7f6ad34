"""Aggregates over QuestionResults: headline metrics with bootstrap CIs, and breakdowns by type and document."""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .metrics import MetricValue, mean_ci, percentile_ci, ratio_ci
from .results import RECALL_KS, QuestionResult

# (name, direction): +1 higher is better, -1 lower is better. Report order.
def metric_names(k: int) -> list[tuple[str, int]]:
    recalls = [f"recall@{n}" for n in sorted({*RECALL_KS, k})]
    return [*((r, 1) for r in recalls), ("mrr", 1), ("ndcg@10", 1), ("key_fact_recall", 1), ("all_key_facts", 1),
            ("key_fact_early", 1), ("citation_validity", 1), ("citation_precision", 1), ("abstention_precision", 1),
            ("abstention_recall", 1), ("answered_rate", 1), ("rule_agreement", 1),
            ("latency_p50_ms", -1), ("latency_p95_ms", -1)]


DESCRIPTIONS = {
    "recall@n": "share of an item's gold passages overlapped by a retrieved chunk in the top n (answerable items)",
    "mrr": "1 / rank of the first chunk overlapping any gold passage (0 if none in the top 10)",
    "ndcg@10": "binary nDCG, each gold passage counted once",
    "key_fact_recall": "share of key facts found in the answer, case-insensitive (answerable items; abstaining = 0)",
    "all_key_facts": "share of answerable items whose answer has every key fact",
    "key_fact_early": "share of answerable items whose answer states a key fact within its first 30 words "
                      "(citation markers not counted; abstaining = 0): the answer comes first",
    "citation_validity": "cited texts found verbatim in the raw document, via the chunk's sentence spans (all citations)",
    "citation_precision": "cited chunks that overlap a gold passage or contain a key fact (answerable items)",
    "abstention_precision": "abstentions that were on unanswerable items",
    "abstention_recall": "unanswerable items on which the system abstained",
    "answered_rate": "answerable items answered rather than abstained on",
    "rule_agreement": "options whose rule verdict equals expected_verdicts (items that have them; full system)",
    "latency_p50_ms": "median time per question, ms", "latency_p95_ms": "95th percentile time per question, ms",
}


def _score(results: Sequence[QuestionResult], key: str) -> list[float | None]:
    return [r.scores.get(key) for r in results]


def headline(results: Sequence[QuestionResult], k: int, **boot) -> dict[str, MetricValue]:
    """Every metric of `metric_names(k)` with its bootstrap 95 % interval (items resampled)."""
    ok = [r for r in results if r.item.answerable]
    out: dict[str, MetricValue] = {}
    for name, _ in metric_names(k):
        if name.startswith("recall@") or name in ("mrr", "ndcg@10", "key_fact_recall", "all_key_facts",
                                                  "key_fact_early"):
            out[name] = mean_ci(_score(results, name), **boot)
    out["citation_validity"] = ratio_ci(_score(results, "citations_valid"), _score(results, "citations"), **boot)
    out["citation_precision"] = ratio_ci(_score(ok, "citations_relevant"), _score(ok, "citations"), **boot)
    abst = [float(r.output.abstained) for r in results]
    true_abst = [float(r.output.abstained and not r.item.answerable) for r in results]
    unanswerable = [float(not r.item.answerable) for r in results]
    out["abstention_precision"] = ratio_ci(true_abst, abst, **boot)
    out["abstention_recall"] = ratio_ci(true_abst, unanswerable, **boot)
    out["answered_rate"] = mean_ci([float(not r.output.abstained) for r in ok], **boot)
    ruled = [r for r in results if r.scores.get("rules_total")]
    out["rule_agreement"] = ratio_ci(_score(ruled, "rules_agree"), _score(ruled, "rules_total"), **boot)
    times = [r.output.latency_ms for r in results if not r.error]
    out["latency_p50_ms"] = percentile_ci(times, 50, **boot)
    out["latency_p95_ms"] = percentile_ci(times, 95, **boot)
    return {name: out[name] for name, _ in metric_names(k)}


def _mean(values: Iterable[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return sum(v) / len(v) if v else None


def group_row(results: Sequence[QuestionResult], k: int) -> dict[str, float | int | None]:
    """Point estimates for one group of items (a type or a document); too few items for useful CIs."""
    ok = [r for r in results if r.item.answerable]
    no = [r for r in results if not r.item.answerable]
    return {
        "n": len(results), f"recall@{k}": _mean(_score(results, f"recall@{k}")),
        "key_fact_recall": _mean(_score(results, "key_fact_recall")),
        "answered_rate": _mean(float(not r.output.abstained) for r in ok),
        "abstention_recall": _mean(float(r.output.abstained) for r in no),
    }


def breakdown(results: Sequence[QuestionResult], k: int,
              keys: Callable[[QuestionResult], Iterable[str]]) -> dict[str, dict[str, float | int | None]]:
    groups: dict[str, list[QuestionResult]] = {}
    for r in results:
        for key in keys(r):
            groups.setdefault(key, []).append(r)
    return {key: group_row(rs, k) for key, rs in sorted(groups.items())}


def by_type(results: Sequence[QuestionResult], k: int) -> dict[str, dict]:
    return breakdown(results, k, lambda r: (r.item.type,))


def by_document(results: Sequence[QuestionResult], k: int) -> dict[str, dict]:
    """Items grouped by the documents of their gold passages; unanswerable items have none and are left out."""
    return breakdown(results, k, lambda r: r.documents)
