"""Term statistics shared by retrieval (reranking) and answer composition: content tokens, IDF-weighted
overlap of a question with a sentence or a passage. The per-chunk tables are built once when a build loads."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .lexicon import STOPWORDS, Lexicon
from .records import Chunk


def _content(tokens: list[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if t not in STOPWORDS and len(t) > 1)


def content_tokens(text: str, lexicon: Lexicon) -> frozenset[str]:
    return _content(lexicon.tokenize(text))


def question_tokens(text: str, lexicon: Lexicon) -> frozenset[str]:
    """`content_tokens` of a question (Lexicon.query_tokens: no concept token for a group it names only by some
    of its drugs)."""
    return _content(lexicon.query_tokens(text))


@dataclass(frozen=True, slots=True)
class ChunkTokens:
    """A chunk's content tokens, computed once per build: tokenizing the sentences of ten hits on every
    question cost ~30 ms of a ~60 ms answer on a 2-core machine."""
    context: frozenset[str]               # section title + whole chunk
    sentences: tuple[frozenset[str], ...]  # one per sentence, in chunk order


def chunk_tokens(chunk: Chunk, lexicon: Lexicon) -> ChunkTokens:
    return ChunkTokens(content_tokens(f"{chunk.section} {chunk.text}", lexicon),
                       tuple(content_tokens(t, lexicon) for t in chunk.sentence_texts()))


def token_table(chunks: tuple[Chunk, ...] | list[Chunk], lexicon: Lexicon) -> dict[str, ChunkTokens]:
    return {c.id: chunk_tokens(c, lexicon) for c in chunks if c.kind == "prose"}


def idf_weights(texts: list[str], lexicon: Lexicon) -> dict[str, float]:
    """Inverse document frequency over the chunks: a shared "NETTER-1" says more than a shared "liver"."""
    df: dict[str, int] = {}
    for t in texts:
        for tok in set(lexicon.tokenize(t)):
            df[tok] = df.get(tok, 0) + 1
    n = max(len(texts), 1)
    return {tok: float(np.log(1 + n / c)) for tok, c in df.items()}


def weighted_overlap(q_tokens: frozenset[str], s_tokens: frozenset[str], idf: Mapping[str, float]) -> float:
    total = sum(idf.get(t, 1.0) for t in q_tokens)
    return sum(idf.get(t, 1.0) for t in q_tokens & s_tokens) / total if total else 0.0
