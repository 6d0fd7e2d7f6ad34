"""Hybrid retrieval: dense (sentence vectors, max per chunk) + BM25, fused by reciprocal rank fusion."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .config import RetrievalSettings
from .embeddings import Embedder
from .lexicon import Lexicon, default_lexicon
from .records import Chunk, Hit
from .store import LoadedBuild
from .terms import ChunkTokens, idf_weights, question_tokens, token_table, weighted_overlap

logger = logging.getLogger(__name__)

Ranking = list[tuple[int, float]]     # (chunk row, score), best first


def rrf_fuse(rankings: Sequence[Ranking], k: int = 60, weights: Sequence[float] | None = None) -> Ranking:
    """Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score = Σ w / (k + rank)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        for rank, (row, _) in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + w / (k + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def max_per_chunk(unit_scores: np.ndarray, unit_ids: np.ndarray, units: np.ndarray, limit: int) -> Ranking:
    """Sentence hits → chunk ranking: a chunk scores as its best sentence (late interaction at sentence level)."""
    best: dict[int, float] = {}
    for uid, score in zip(unit_ids, unit_scores):
        if uid < 0:
            continue
        row = int(units[uid])
        if row not in best or score > best[row]:
            best[row] = float(score)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def lexical_ranking(bm25, tokens: list[str], limit: int) -> Ranking:
    ids = bm25.get_tokens_ids(tokens)
    if not ids:
        return []
    scores = bm25.get_scores_from_ids(ids)
    top = np.argsort(-scores, kind="stable")[:limit]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


@dataclass(frozen=True)
class Retriever:
    """Holds the loaded build and the model; every scoring step is a plain function above."""

    build: LoadedBuild
    embedder: Embedder
    cfg: RetrievalSettings
    lexicon: Lexicon
    unit_offsets: np.ndarray          # chunk row r owns units[unit_offsets[r]:unit_offsets[r+1]]
    idf: dict[str, float]             # term -> IDF over the chunks (terms.idf_weights)
    tokens: dict[str, ChunkTokens]    # chunk id -> content tokens (terms.token_table)
    doc_ids: tuple[str, ...]          # review of each chunk row (diversify), built once: not per question

    @classmethod
    def create(cls, build: LoadedBuild, embedder: Embedder, cfg: RetrievalSettings) -> "Retriever":
        offsets = np.searchsorted(build.units, np.arange(len(build.chunks) + 1)).astype(np.int64)
        lexicon = default_lexicon()
        return cls(build, embedder, cfg, lexicon, offsets, idf_weights([c.text for c in build.chunks], lexicon),
                   token_table(build.chunks, lexicon), tuple(c.doc_id for c in build.chunks))

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self.build.chunks

    def embed(self, query: str) -> np.ndarray:
        text = self.lexicon.expand_query(query) if self.cfg.expand_synonyms else query
        return self.embedder.encode([text])[0]

    def dense_ranking(self, qvec: np.ndarray, limit: int, docs: frozenset[str] = frozenset()) -> Ranking:
        # Several sentences of one chunk can fill the top: ask for more units than chunks wanted;
        # restricted to named reviews, search everything and filter (exact search stays cheap here).
        total = self.build.dense.ntotal
        n = total if docs else min(total, limit * 8)
        scores, ids = self.build.dense.search(qvec.reshape(1, -1).astype(np.float32), n)
        ranking = max_per_chunk(scores[0], ids[0], self.build.units, total if docs else limit)
        return self.only(ranking, docs)[:limit]

    def only(self, ranking: Ranking, docs: frozenset[str]) -> Ranking:
        """Keep the chunks of the reviews the question names ("what does Dermine say about ...")."""
        return [(r, s) for r, s in ranking if self.chunks[r].doc_id in docs] if docs else ranking

    def unit_scores(self, qvec: np.ndarray, row: int) -> np.ndarray:
        """Cosine of the query with each embedded unit (sentence) of one chunk."""
        a, b = self.unit_offsets[row], self.unit_offsets[row + 1]
        return self.build.vectors[a:b] @ qvec

    def to_hits(self, fused: Ranking, dense: Ranking, lexical: Ranking, k: int,
                dense_scores: dict[int, float] | None = None) -> tuple[Hit, ...]:
        d_rank = {row: i for i, (row, _) in enumerate(dense, start=1)}
        d_score = dict(dense) if dense_scores is None else dense_scores
        l_rank = {row: i for i, (row, _) in enumerate(lexical, start=1)}
        return tuple(
            Hit(self.chunks[row], score, d_rank.get(row), l_rank.get(row), d_score.get(row))
            for row, score in fused[:k]
        )

    def lexical_ranking(self, query: str, limit: int, docs: frozenset[str] = frozenset()) -> Ranking:
        ranking = lexical_ranking(self.build.bm25, self.lexicon.query_tokens(query),
                                  len(self.chunks) if docs else limit)
        return self.only(ranking, docs)[:limit]

    def dense(self, query: str, k: int | None = None, qvec: np.ndarray | None = None,
              docs: frozenset[str] = frozenset()) -> tuple[Hit, ...]:
        k = k or self.cfg.k
        qvec = self.embed(query) if qvec is None else qvec
        ranking = self.dense_ranking(qvec, max(k, self.cfg.candidates), docs)
        return self.to_hits(ranking, ranking, [], k)

    def lexical(self, query: str, k: int | None = None, docs: frozenset[str] = frozenset()) -> tuple[Hit, ...]:
        k = k or self.cfg.k
        ranking = self.lexical_ranking(query, max(k, self.cfg.candidates), docs)
        return self.to_hits(ranking, [], ranking, k)

    def hybrid(self, query: str, k: int | None = None, qvec: np.ndarray | None = None,
               docs: frozenset[str] = frozenset(), guide: Ranking = ()) -> tuple[Hit, ...]:
        """Dense + BM25 (+ `guide`, the chunks a vignette's criteria are stated in: evidence.guide_ranking),
        fused by RRF, reranked, diversified across reviews."""
        k = k or self.cfg.k
        qvec = self.embed(query) if qvec is None else qvec
        dense, lexical, fused = self.fused(query, qvec, docs, guide)
        dense_all = dict(dense)
        if self.cfg.rerank:
            features = self.rerank_features(query, qvec, [row for row, _ in fused[:self.cfg.candidates]], lexical)
            fused = rerank(fused, features, self.cfg)
            dense_all.update((row, f.best_sentence) for row, f in features.items())
        if self.cfg.per_review_cap:
            fused = diversify(fused, self.doc_ids, self.cfg.per_review_cap, self.cfg.diverse_top)
        # Fill in the dense score of lexical-only hits: the composer and abstention need it.
        for row, _ in fused[:k]:
            if row not in dense_all:
                dense_all[row] = float(np.max(self.unit_scores(qvec, row), initial=-1.0))
        return self.to_hits(fused, dense, lexical, k, dense_all)

    def fused(self, query: str, qvec: np.ndarray, docs: frozenset[str] = frozenset(),
              guide: Ranking = ()) -> tuple[Ranking, Ranking, Ranking]:
        """(dense, lexical, RRF fusion of them and the guide) before reranking."""
        dense = self.dense_ranking(qvec, self.cfg.candidates, docs)
        lexical = self.lexical_ranking(query, self.cfg.candidates, docs)
        rankings, weights = [dense, lexical], [self.cfg.dense_weight, self.cfg.lexical_weight]
        if guide and self.cfg.criteria_weight:
            rankings.append(self.only(list(guide), docs)[:self.cfg.candidates])
            weights.append(self.cfg.criteria_weight)
        return dense, lexical, rrf_fuse(rankings, self.cfg.rrf_k, weights)

    def rerank_features(self, query: str, qvec: np.ndarray, rows: Sequence[int],
                        lexical: Ranking) -> dict[int, RerankFeatures]:
        q_tokens = question_tokens(query, self.lexicon)
        bm25 = dict(lexical)
        top_bm25 = max((bm25.get(r, 0.0) for r in rows), default=0.0) or 1.0
        out = {}
        for row in rows:
            sims = np.sort(self.unit_scores(qvec, row))[::-1]
            ct = self.tokens.get(self.chunks[row].id)
            out[row] = RerankFeatures(
                float(sims[0]) if len(sims) else 0.0,
                float(sims[:2].mean()) if len(sims) else 0.0,
                bm25.get(row, 0.0) / top_bm25,
                max((weighted_overlap(q_tokens, t, self.idf) for t in ct.sentences), default=0.0) if ct else 0.0,
                weighted_overlap(q_tokens, ct.context, self.idf) if ct else 0.0,
            )
        return out


@dataclass(frozen=True, slots=True)
class RerankFeatures:
    """What the reranker knows of one candidate chunk besides its fused rank."""
    best_sentence: float       # cosine of the question with the chunk's closest sentence
    top2_sentences: float      # mean of its two closest sentences (one lucky sentence is not a passage)
    bm25: float                # BM25 score over the best BM25 score among the candidates
    sentence_overlap: float    # IDF-weighted share of the question's terms in its best sentence
    chunk_overlap: float       # ... in the whole chunk and its section title


def rerank(fused: Ranking, features: dict[int, RerankFeatures], cfg: RetrievalSettings) -> Ranking:
    """Re-order the fused top `cfg.candidates` by a weighted sum of the normalised RRF score and the features
    above (weights fitted by eval/tune_retrieval.py): a chunk holding one sentence that answers the question,
    in the question's own terms, rises above chunks that only share vocabulary or only share meaning."""
    head, tail = fused[:cfg.candidates], fused[cfg.candidates:]
    top = max((s for _, s in head), default=1.0) or 1.0
    zero = RerankFeatures(0.0, 0.0, 0.0, 0.0, 0.0)

    def score(row: int, rrf: float) -> float:
        f = features.get(row, zero)
        return (cfg.w_fused * rrf / top + cfg.w_best_sentence * f.best_sentence + cfg.w_top2_sentences * f.top2_sentences
                + cfg.w_bm25 * f.bm25 + cfg.w_sentence_overlap * f.sentence_overlap + cfg.w_chunk_overlap * f.chunk_overlap)

    rescored = [(row, score(row, s)) for row, s in head]
    return sorted(rescored, key=lambda kv: (-kv[1], kv[0])) + tail


def diversify(ranking: Ranking, doc_of_row: Sequence[str], cap: int, top: int) -> Ranking:
    """At most `cap` chunks of one review in the first `top`: the reviews often state the same point in
    their own words (or with other numbers), and a clinician should see more than one of them. Chunks held
    back keep their order right after the top; when every candidate is from one review (a question naming
    it), the order is unchanged."""
    head: Ranking = []
    held: Ranking = []
    per_doc: dict[str, int] = {}
    for i, (row, score) in enumerate(ranking):
        if len(head) == top:
            return head + held + ranking[i:]
        doc = doc_of_row[row]
        if per_doc.get(doc, 0) >= cap:
            held.append((row, score))
        else:
            head.append((row, score))
            per_doc[doc] = per_doc.get(doc, 0) + 1
    return head + held
