"""Evaluation metrics as pure functions of plain data: retrieval, answer, citations, abstention, rules,
latency, and bootstrap confidence intervals. Nothing here loads a model or reads a file."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from ..records import Span
from .qaset import GoldSpan, contains_fact, normalise

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0      # fixed: two runs on the same results give the same intervals


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved passage of any system, reduced to what the metrics need: raw [start, end) in its document."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A headline number with its bootstrap 95 % interval; n = items (or units) it is computed over."""

    value: float | None
    low: float | None
    high: float | None
    n: int

    def to_dict(self) -> dict:
        r = (lambda x: None if x is None else round(float(x), 6))
        return {"value": r(self.value), "ci": [r(self.low), r(self.high)], "n": self.n}

    @classmethod
    def from_dict(cls, d: Mapping) -> "MetricValue":
        lo, hi = d.get("ci") or (None, None)
        return cls(d.get("value"), lo, hi, int(d.get("n", 0)))


# --- retrieval ------------------------------------------------------------------------------------

def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) share at least one character."""
    return a_start < b_end and b_start < a_end


def passage_hits_gold(p: Passage, g: GoldSpan) -> bool:
    return p.doc_id == g.doc_id and overlaps(p.start, p.end, g.start, g.end)


def gold_ranks(passages: Sequence[Passage], gold: Sequence[GoldSpan]) -> tuple[int | None, ...]:
    """For each gold passage, the 1-based rank of the first retrieved passage overlapping it (None: missed)."""
    return tuple(next((r for r, p in enumerate(passages, start=1) if passage_hits_gold(p, g)), None) for g in gold)


def recall_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of an item's gold passages found in the top k (BEIR-style recall); None if it has none."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """1 / rank of the first passage overlapping any gold passage; 0 when none is retrieved."""
    if not ranks:
        return None
    found = [r for r in ranks if r is not None]
    return 1.0 / min(found) if found else 0.0


def ndcg_at_k(passages: Sequence[Passage], gold: Sequence[GoldSpan], k: int = 10) -> float | None:
    """Binary nDCG at passage level: rank i gains 1 when its passage covers a gold passage not covered by an
    earlier rank (overlapping chunks of one quote count once); the ideal ranking covers min(G, k) gold
    passages in its first ranks. Always in [0, 1]."""
    if not gold:
        return None
    covered: set[int] = set()
    dcg = 0.0
    for i, p in enumerate(passages[:k], start=1):
        new = {j for j, g in enumerate(gold) if j not in covered and passage_hits_gold(p, g)}
        if new:
            covered |= new
            dcg += 1.0 / math.log2(i + 1)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal


# --- answer ---------------------------------------------------------------------------------------

def key_facts_found(answer: str, facts: Sequence[str]) -> tuple[str, ...]:
    return tuple(f for f in facts if contains_fact(answer, f))


def key_fact_recall(answer: str, facts: Sequence[str]) -> float | None:
    """Share of an item's key facts present in the answer (case- and spacing-insensitive)."""
    return len(key_facts_found(answer, facts)) / len(facts) if facts else None


EARLY_WORDS = 30      # about the first sentence of an answer: what a clinician reads before deciding to read on
_MARKER = re.compile(r"\[\d+\]")


def words_before_fact(answer: str, facts: Sequence[str]) -> int | None:
    """Words of the answer (citation markers left out) before its first key fact; None when it states none."""
    text = normalise(_MARKER.sub(" ", answer))
    starts = [text.find(normalise(f)) for f in facts]
    found = [i for i in starts if i >= 0]
    return len(text[:min(found)].split()) if found else None


def key_fact_early(answer: str, facts: Sequence[str], words: int = EARLY_WORDS) -> float | None:
    """1.0 when a key fact starts within the answer's first `words` words: the answer comes first."""
    if not facts:
        return None
    before = words_before_fact(answer, facts)
    return float(before is not None and before < words)


def locate_citation(text: str, start: int, end: int, chunk_text: str, sentences: Sequence[Span],
                    raw_text: str, raw_lo: int, raw_hi: int) -> int | None:
    """Raw offset where a citation's text sits in its document, or None if it is not verbatim there.

    The text must be the chunk's text at [start, end). It is mapped to the raw file through the sentence
    span that contains it and re-read there; a chunk without sentence spans (e.g. a LangChain chunk) is
    searched verbatim inside its own raw range [raw_lo, raw_hi). Nothing the composer claims is trusted."""
    if not text or chunk_text[start:end] != text:
        return None
    for s in sentences:
        if s.start <= start and end <= s.end and s.raw_start >= 0:
            pos = s.raw_start + (start - s.start)
            if raw_text[pos:pos + len(text)] == text:
                return pos
    pos = raw_text.find(text, max(raw_lo, 0), max(raw_hi, raw_lo) + 1)
    return pos if pos >= 0 else None


def citation_relevant(p: Passage, gold: Sequence[GoldSpan], facts: Sequence[str]) -> bool:
    """A cited chunk is relevant when it overlaps a gold passage or contains one of the item's key facts."""
    return any(passage_hits_gold(p, g) for g in gold) or any(contains_fact(p.text, f) for f in facts)


def abstention_counts(abstained: Sequence[bool], answerable: Sequence[bool]) -> tuple[int, int, int]:
    """(true abstentions, all abstentions, unanswerable items): abstaining is the positive class."""
    tp = sum(1 for a, ok in zip(abstained, answerable) if a and not ok)
    return tp, sum(1 for a in abstained if a), sum(1 for ok in answerable if not ok)


def abstention_precision(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    tp, predicted, _ = abstention_counts(abstained, answerable)
    return tp / predicted if predicted else None


def abstention_recall(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    tp, _, actual = abstention_counts(abstained, answerable)
    return tp / actual if actual else None


def answered_rate(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Share of answerable items that got an answer rather than an abstention."""
    flags = [not a for a, ok in zip(abstained, answerable) if ok]
    return sum(flags) / len(flags) if flags else None


# --- rules ----------------------------------------------------------------------------------------

def rule_agreement(predicted: Mapping[str, str], expected: Mapping[str, str]) -> tuple[int, int]:
    """(options where the rule verdict equals the expected one, options expected). A missing option disagrees."""
    return sum(1 for opt, v in expected.items() if predicted.get(opt) == v), len(expected)


# --- latency and intervals ------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default): p50 of [1, 2, 3, 4] is 2.5."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def resample_indices(n: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _interval(stats: np.ndarray, alpha: float) -> tuple[float | None, float | None]:
    stats = stats[np.isfinite(stats)]
    if not len(stats):
        return None, None
    return float(np.quantile(stats, alpha / 2)), float(np.quantile(stats, 1 - alpha / 2))


def bootstrap(values: Sequence[float], statistic: Callable[[np.ndarray], np.ndarray], point: float | None,
              resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED, alpha: float = 0.05) -> MetricValue:
    """Percentile bootstrap: `statistic` maps a (resamples, n) array of resampled values to (resamples,)."""
    v = np.asarray(values, dtype=float)
    if not len(v):
        return MetricValue(None, None, None, 0)
    lo, hi = _interval(statistic(v[resample_indices(len(v), resamples, seed)]), alpha)
    return MetricValue(point, lo, hi, len(v))


def mean_ci(values: Sequence[float | None], **kw) -> MetricValue:
    """Mean over the items where the value is defined, with its bootstrap interval."""
    v = [float(x) for x in values if x is not None]
    return bootstrap(v, lambda m: m.mean(axis=1), float(np.mean(v)) if v else None, **kw)


def ratio_ci(numerators: Sequence[float], denominators: Sequence[float], **kw) -> MetricValue:
    """Σ num / Σ den (a micro average), items resampled in pairs; resamples with Σ den = 0 are dropped."""
    num, den = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    total = float(den.sum())
    if not len(den) or total == 0:
        return MetricValue(None, None, None, len(den))
    idx = resample_indices(len(den), kw.get("resamples", BOOTSTRAP_RESAMPLES), kw.get("seed", BOOTSTRAP_SEED))
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    lo, hi = _interval(stats, kw.get("alpha", 0.05))
    return MetricValue(float(num.sum()) / total, lo, hi, len(den))


def percentile_ci(values: Sequence[float], q: float, **kw) -> MetricValue:
    return bootstrap(values, lambda m: np.percentile(m, q, axis=1), percentile(values, q), **kw)
