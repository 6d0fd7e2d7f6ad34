"""QuestionResult: one system's output on one QA item, with every per-item metric computed once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .metrics import Passage, citation_relevant, gold_ranks, key_fact_early, key_facts_found, ndcg_at_k, \
    recall_at_k, reciprocal_rank, rule_agreement
from .qaset import GoldSpan, QAItem
from .systems import Cited, SystemOutput

RECALL_KS = (1, 3, 5, 10)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    system: str
    item: QAItem
    output: SystemOutput
    gold: tuple[GoldSpan, ...]
    gold_ranks: tuple[int | None, ...]
    key_facts_found: tuple[str, ...]
    citation_relevant: tuple[bool, ...]          # parallel to output.citations
    scores: Mapping[str, float | None] = field(default_factory=dict)
    error: str = ""

    @property
    def documents(self) -> tuple[str, ...]:
        """The documents the gold passages come from (an item counts under each)."""
        return tuple(dict.fromkeys(g.doc_id for g in self.gold))

    def to_dict(self) -> dict[str, Any]:
        o, it = self.output, self.item
        return {
            "system": self.system, "id": it.id, "question": it.question, "history": list(it.history),
            "type": it.type,
            "difficulty": it.difficulty, "answerable": it.answerable, "documents": list(self.documents),
            "standalone_question": o.standalone_question, "answer": o.answer, "abstained": o.abstained,
            "abstain_reason": o.abstain_reason,
            "hits": [{"rank": r, "chunk_id": p.chunk_id, "document": p.doc_id, "text": p.text,
                      "score": round(p.score, 6), "start": p.start, "end": p.end}
                     for r, p in enumerate(o.passages, start=1)],
            "citations": [{**c.to_dict(), "relevant": rel} for c, rel in zip(o.citations, self.citation_relevant)],
            "key_facts": list(it.key_facts), "key_facts_found": list(self.key_facts_found),
            "gold": [{"document": g.doc_id, "start": g.start, "end": g.end, "rank": r}
                     for g, r in zip(self.gold, self.gold_ranks)],
            "gold_ranks": list(self.gold_ranks),
            "expected_verdicts": it.verdicts or None, "rule_verdicts": o.rule_verdicts,
            "latency_ms": round(o.latency_ms, 2), "scores": dict(self.scores), "error": self.error,
        }


def item_scores(item: QAItem, out: SystemOutput, gold: tuple[GoldSpan, ...], ranks: tuple[int | None, ...],
                found: tuple[str, ...], relevant: tuple[bool, ...], k: int) -> dict[str, float | None]:
    """Every per-item number the aggregates are built from; None where a metric does not apply."""
    answerable = item.answerable
    s: dict[str, float | None] = {}
    for n in sorted({*RECALL_KS, k}):
        s[f"recall@{n}"] = recall_at_k(ranks, n) if answerable else None
    s["mrr"] = reciprocal_rank(ranks) if answerable else None
    s["ndcg@10"] = ndcg_at_k(out.passages, gold, 10) if answerable else None
    has_facts = answerable and bool(item.key_facts)
    s["key_fact_recall"] = len(found) / len(item.key_facts) if has_facts else None
    s["all_key_facts"] = float(len(found) == len(item.key_facts)) if has_facts else None
    s["key_fact_early"] = (0.0 if out.abstained else key_fact_early(out.answer, item.key_facts)) if has_facts else None
    s["citations"] = float(len(out.citations))
    s["citations_valid"] = float(sum(c.valid for c in out.citations))
    s["citations_relevant"] = float(sum(relevant))
    if item.expected_verdicts and out.rule_verdicts is not None:
        agree, total = rule_agreement(out.rule_verdicts, item.verdicts)
        s["rules_agree"], s["rules_total"] = float(agree), float(total)
    return s


def score_item(system: str, item: QAItem, out: SystemOutput, gold: tuple[GoldSpan, ...], k: int,
               error: str = "") -> QuestionResult:
    ranks = gold_ranks(out.passages, gold)
    found = key_facts_found(out.answer, item.key_facts) if not out.abstained else ()
    relevant = tuple(citation_relevant(c.passage, gold, item.key_facts) for c in out.citations)
    scores = item_scores(item, out, gold, ranks, found, relevant, k)
    return QuestionResult(system, item, out, gold, ranks, found, relevant, scores, error)


def failed_output(reason: str) -> SystemOutput:
    """What a system that raised on a question is scored as: an abstention with no passages."""
    return SystemOutput("", True, f"error: {reason}", (), (), 0.0)


__all__ = ["QuestionResult", "RECALL_KS", "score_item", "failed_output", "Cited", "Passage"]
