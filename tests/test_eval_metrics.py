"""Evaluation metrics on toy data, each checked against a hand computation written next to it."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from netlm_rag.evaluation.metrics import (
    Passage, abstention_precision, abstention_recall, answered_rate, citation_relevant, gold_ranks,
    key_fact_early, key_fact_recall, key_facts_found, locate_citation, mean_ci, ndcg_at_k, overlaps, percentile,
    percentile_ci, ratio_ci, recall_at_k, reciprocal_rank, resample_indices, rule_agreement, words_before_fact,
)
from netlm_rag.evaluation.qaset import GoldSpan
from netlm_rag.records import Span


def P(doc: str, start: int, end: int, text: str = "") -> Passage:
    return Passage(f"{doc}@{start}", doc, start, end, text, 0.0)


GOLD = (GoldSpan("d1", 100, 150), GoldSpan("d2", 0, 40))
RANKED = (P("d1", 0, 90), P("d2", 30, 80), P("d1", 140, 300), P("d1", 100, 150), P("d1", 150, 200))


def test_overlap_is_half_open_and_per_document():
    assert overlaps(0, 10, 9, 20) and not overlaps(0, 10, 10, 20) and not overlaps(10, 20, 0, 10)
    assert gold_ranks((P("d2", 100, 150),), (GoldSpan("d1", 100, 150),)) == (None,)   # same offsets, other doc


def test_gold_ranks_recall_and_reciprocal_rank_by_hand():
    # d2[30,80) meets gold d2[0,40) at rank 2; d1[140,300) meets gold d1[100,150) at rank 3.
    ranks = gold_ranks(RANKED, GOLD)
    assert ranks == (3, 2)
    assert recall_at_k(ranks, 1) == 0.0 and recall_at_k(ranks, 2) == 0.5 and recall_at_k(ranks, 3) == 1.0
    assert reciprocal_rank(ranks) == 0.5
    assert reciprocal_rank((None, None)) == 0.0 and recall_at_k((), 5) is None and reciprocal_rank(()) is None


def test_ndcg_counts_each_gold_passage_once():
    # Gains at ranks 2 and 3 (rank 4 covers d1 gold again: no gain); ideal: two gains at ranks 1 and 2.
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(RANKED, GOLD, 10) == pytest.approx(dcg / ideal)          # 0.69342
    assert ndcg_at_k(RANKED, GOLD, 2) == pytest.approx((1 / math.log2(3)) / ideal)
    assert ndcg_at_k((P("d1", 100, 150), P("d2", 0, 40)), GOLD) == pytest.approx(1.0)
    assert ndcg_at_k((P("d1", 0, 300),), (GoldSpan("d1", 0, 5), GoldSpan("d1", 10, 20))) == pytest.approx(1 / ideal)
    assert ndcg_at_k(RANKED, ()) is None


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 50), st.integers(1, 30)), max_size=12),
       st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 50), st.integers(1, 30)), min_size=1, max_size=4))
def test_ndcg_and_recall_stay_in_unit_interval(passages, gold):
    ps = tuple(P(d, s, s + n) for d, s, n in passages)
    gs = tuple(GoldSpan(d, s, s + n) for d, s, n in gold)
    assert 0.0 <= ndcg_at_k(ps, gs) <= 1.0 + 1e-12
    ranks = gold_ranks(ps, gs)
    assert [recall_at_k(ranks, k) for k in (1, 3, 5, 10)] == sorted(recall_at_k(ranks, k) for k in (1, 3, 5, 10))


def test_key_facts_case_and_spacing_insensitive():
    answer = "Transplant needs Ki-67 <  5% and AGE < 55."
    facts = ["ki-67 < 5%", "age < 55", "Milan"]
    assert key_facts_found(answer, facts) == ("ki-67 < 5%", "age < 55")
    assert key_fact_recall(answer, facts) == pytest.approx(2 / 3)
    assert key_fact_recall(answer, []) is None


RAW = "xx Hello world. Second one here.\n"
CHUNK_TEXT = "Hello world. Second one here."
SENTS = (Span(0, 12, 3), Span(13, 29, 16))


def test_citation_located_through_sentence_spans_and_reread_in_raw():
    assert locate_citation("Hello world.", 0, 12, CHUNK_TEXT, SENTS, RAW, 3, 32) == 3
    assert locate_citation("world.", 6, 12, CHUNK_TEXT, SENTS, RAW, 3, 32) == 9        # inside a sentence
    assert locate_citation("Second one here.", 13, 29, CHUNK_TEXT, SENTS, RAW, 3, 32) == 16


def test_forged_or_misplaced_citations_are_invalid():
    assert locate_citation("Hello World.", 0, 12, CHUNK_TEXT, SENTS, RAW, 3, 32) is None      # not the chunk's text
    assert locate_citation("Hello world.", 1, 13, CHUNK_TEXT, SENTS, RAW, 3, 32) is None      # wrong offsets
    cleaned = "Hello  world."                                                                # text not in the raw file
    assert locate_citation(cleaned, 0, 13, cleaned, (Span(0, 13, 3),), RAW, 3, 32) is None
    # A wrong raw_start is not trusted: the text is searched for verbatim inside the chunk's raw range.
    assert locate_citation("Hello world.", 0, 12, CHUNK_TEXT, (Span(0, 12, 5),), RAW, 3, 32) == 3
    assert locate_citation("Hello world.", 0, 12, CHUNK_TEXT, (Span(0, 12, 5),), RAW, 10, 32) is None


def test_citation_relevance_by_gold_overlap_or_key_fact():
    gold = (GoldSpan("d1", 100, 150),)
    assert citation_relevant(P("d1", 120, 400, "x"), gold, [])
    assert citation_relevant(P("d2", 0, 50, "Hepatic FAILURE is common"), gold, ["hepatic failure"])
    assert not citation_relevant(P("d2", 0, 50, "unrelated"), gold, ["hepatic failure"])


def test_abstention_precision_recall_and_answered_rate_by_hand():
    abstained = [True, True, False, False, True]
    answerable = [False, True, True, False, False]
    # abstained on unanswerable: items 0 and 4 -> 2; abstentions 3; unanswerable items 0, 3, 4 -> 3
    assert abstention_precision(abstained, answerable) == pytest.approx(2 / 3)
    assert abstention_recall(abstained, answerable) == pytest.approx(2 / 3)
    assert answered_rate(abstained, answerable) == pytest.approx(1 / 2)      # items 1 (abstained) and 2
    assert abstention_precision([False], [True]) is None and abstention_recall([True], [True]) is None


def test_rule_agreement_counts_missing_option_as_disagreement():
    predicted = {"liver_transplant": "eligible", "resection": "caution"}
    expected = {"liver_transplant": "eligible", "resection": "contraindicated", "ablation": "caution"}
    assert rule_agreement(predicted, expected) == (1, 3)


def test_percentiles_interpolate_linearly():
    assert percentile([40, 10, 30, 20], 50) == pytest.approx(25.0)
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)     # index 0.95 * 3 = 2.85 -> 30 + 0.85 * 10
    assert percentile([], 50) is None


def reference_bootstrap_mean(values, resamples=1000, seed=0):
    rng = np.random.default_rng(seed)
    v = np.asarray(values, dtype=float)
    means = [v[rng.integers(0, len(v), len(v))].mean() for _ in range(resamples)]
    return np.quantile(means, 0.025), np.quantile(means, 0.975)


def test_bootstrap_mean_matches_a_plain_loop_and_is_deterministic():
    values = [1, 0, 1, 1, 0, 1, 0.5, 1, 1, 0]
    m = mean_ci(values + [None])                                  # None: not applicable, left out
    lo, hi = reference_bootstrap_mean(values)
    assert m.value == pytest.approx(0.65) and m.n == 10
    assert (m.low, m.high) == pytest.approx((lo, hi))
    assert mean_ci(values) == mean_ci(values)
    assert m.low <= m.value <= m.high
    assert resample_indices(5).shape == (1000, 5)


def test_bootstrap_edge_cases():
    c = mean_ci([0.7] * 20)
    assert (c.value, c.low, c.high) == pytest.approx((0.7, 0.7, 0.7))
    assert mean_ci([None, None]).value is None and mean_ci([]).n == 0


def test_ratio_ci_is_a_micro_average():
    # citations valid per item: 2/2, 0/1, 1/1 -> 3/4 pooled (the per-item mean would be 0.667)
    r = ratio_ci([2, 0, 1], [2, 1, 1])
    assert r.value == pytest.approx(0.75) and r.n == 3 and 0 <= r.low <= 0.75 <= r.high <= 1
    assert ratio_ci([0, 0], [0, 0]).value is None


def test_percentile_ci_brackets_the_median():
    times = [10.0, 12, 11, 30, 13, 12, 11, 10, 50, 12]
    p = percentile_ci(times, 50)
    assert p.value == pytest.approx(12.0) and p.low <= 12.0 <= p.high


def test_words_before_the_first_key_fact_ignore_citation_markers_and_case():
    answer = "Resection is the only curative option. [1] Only 10% of patients are Eligible. [2]"
    assert words_before_fact(answer, ["10%"]) == 7
    assert words_before_fact(answer, ["eligible", "curative option"]) == 4    # the earliest fact counts
    assert words_before_fact(answer, ["liver failure"]) is None


def test_key_fact_early_needs_a_fact_within_the_first_words():
    late = " ".join(["filler"] * 40) + " liver failure."
    assert key_fact_early("Most die of liver failure. [1] " + late, ["liver failure"]) == 1.0
    assert key_fact_early(late, ["liver failure"]) == 0.0
    assert key_fact_early(late, ["liver failure"], words=41) == 1.0
    assert key_fact_early("anything", []) is None
