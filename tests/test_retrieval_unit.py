"""Pure retrieval functions against small reference implementations."""
import numpy as np
from hypothesis import given, strategies as st

from netlm_rag.config import RetrievalSettings
from netlm_rag.retrieval import RerankFeatures, max_per_chunk, rerank, rrf_fuse


def reference_rrf(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for pos, (doc, _) in enumerate(ranking):
            scores[doc] = scores.get(doc, 0) + 1 / (k + pos + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@given(st.lists(st.lists(st.integers(0, 30), unique=True, max_size=15), min_size=1, max_size=3))
def test_rrf_matches_reference(lists):
    rankings = [[(d, 0.0) for d in l] for l in lists]
    got = rrf_fuse(rankings)
    want = reference_rrf(rankings)
    assert [d for d, _ in got] == [d for d, _ in want]
    assert np.allclose([s for _, s in got], [s for _, s in want])


def test_rrf_rewards_agreement():
    fused = rrf_fuse([[(1, 0), (2, 0), (3, 0)], [(2, 0), (9, 0), (8, 0)]])
    assert fused[0][0] == 2 and fused[1][0] == 1     # found by both beats first in one


def test_max_per_chunk_takes_best_sentence_and_skips_padding():
    units = np.array([0, 0, 1, 1, 2])
    ranking = max_per_chunk(np.array([0.9, 0.5, 0.8, 0.95, 0.1]), np.array([1, 0, 2, 3, -1]), units, 10)
    assert [row for row, _ in ranking] == [1, 0]
    assert np.isclose(dict(ranking)[1], 0.95) and np.isclose(dict(ranking)[0], 0.9)   # max, not first seen


def features(best=0.5, top2=0.5, bm25=0.5, sentence=0.3, chunk=0.3) -> RerankFeatures:
    return RerankFeatures(best, top2, bm25, sentence, chunk)


def test_rerank_lifts_chunk_with_closer_sentence():
    fused = [(1, 0.033), (2, 0.032)]
    assert rerank(fused, {1: features(best=0.2, top2=0.2), 2: features(best=0.8, top2=0.7)}, RetrievalSettings())[0][0] == 2


def test_rerank_lifts_the_passage_that_answers_in_the_question_terms():
    fused = [(1, 0.033), (2, 0.032)]
    on_topic, answering = features(sentence=0.2, chunk=0.3), features(sentence=0.8, chunk=0.6)
    assert rerank(fused, {1: on_topic, 2: answering}, RetrievalSettings())[0][0] == 2


def test_rerank_leaves_the_tail_beyond_its_depth_in_fused_order():
    fused = [(i, 1.0 / (60 + i)) for i in range(1, 8)]
    cfg = RetrievalSettings(candidates=3)
    out = rerank(fused, {3: features(best=0.9, top2=0.9, sentence=1.0, chunk=1.0)}, cfg)
    assert out[0][0] == 3 and [r for r, _ in out[3:]] == [4, 5, 6, 7]
    assert rerank(fused, {}, RetrievalSettings(w_best_sentence=0, w_top2_sentences=0, w_bm25=0,
                                               w_sentence_overlap=0, w_chunk_overlap=0)) == \
        [(r, s / fused[0][1]) for r, s in fused]          # features off: the fused order, normalised


def test_diversify_caps_one_review_in_the_top_and_keeps_everything():
    from netlm_rag.retrieval import diversify

    docs = ["a", "a", "a", "a", "b", "c", "a", "b"]
    ranking = [(i, 1.0 - i / 10) for i in range(8)]
    out = diversify(ranking, docs, cap=2, top=5)
    assert [r for r, _ in out] == [0, 1, 4, 5, 7, 2, 3, 6]          # a, a, b, c, b; then the held a's in order
    assert sorted(out) == sorted(ranking)                            # nothing lost, scores untouched
    assert diversify(ranking, ["a"] * 8, cap=2, top=5) == ranking   # one review only: order unchanged
    assert diversify(ranking[:3], docs, cap=2, top=5) == [ranking[0], ranking[1], ranking[2]]
