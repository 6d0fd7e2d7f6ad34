"""The systems an evaluation compares, each reduced to `question -> SystemOutput` on the same questions.

full              the Assistant pipeline (condense, hybrid retrieval, composer, rules): Assistant.ask, after
                  asking the item's earlier questions (its `history`) in the same conversation
bm25 / dense      one retriever only; the answer comes from the same extractive composer (Assistant.compose),
                  so retrieval is the only difference
langchain_default what a user writes first: RecursiveCharacterTextSplitter(1000, 200) over the raw texts, a
                  LangChain FAISS store (inner product) over our embedder, similarity_search; the top chunk
                  is the answer and it never abstains (built in netlm_rag.lc, the only langchain importer)

A follow-up item (one with a `history`) reaches the baselines as the standalone question the conversation module
writes from that history, so that retrieval stays the only difference between systems.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..records import Answer, Chunk, Hit
from .metrics import Passage, locate_citation

logger = logging.getLogger(__name__)

SYSTEMS = ("full", "bm25", "dense", "langchain_default")
RANK_DEPTH = 10        # passages ranked per question: recall@10 and nDCG@10 need ten


@dataclass(frozen=True, slots=True)
class Cited:
    """One citation, re-checked against the raw text: raw_start is None when it is not verbatim there."""

    passage: Passage           # the cited chunk
    text: str
    raw_start: int | None

    @property
    def valid(self) -> bool:
        return self.raw_start is not None

    def to_dict(self) -> dict[str, Any]:
        return {"chunk_id": self.passage.chunk_id, "document": self.passage.doc_id, "text": self.text,
                "raw_start": self.raw_start, "valid": self.valid}


@dataclass(frozen=True, slots=True)
class SystemOutput:
    answer: str
    abstained: bool
    abstain_reason: str
    passages: tuple[Passage, ...]        # the ranking, best first, RANK_DEPTH deep when the system has that many
    citations: tuple[Cited, ...]
    latency_ms: float
    rule_verdicts: Mapping[str, str] | None = None   # None: the system has no rules module
    standalone_question: str = ""
    notes: tuple[str, ...] = field(default=())


System = Callable[[str, Sequence[str]], SystemOutput]     # (question, earlier questions) -> output


def standalone_question(assistant: Any, question: str, history: Sequence[str]) -> str:
    """What the conversation module makes of `question` after `history`; the question itself without one."""
    from ..conversation import condense

    lexicon = getattr(assistant.retriever, "lexicon", None)
    if not history or lexicon is None:
        return question
    earlier: list[str] = []
    for q in history:
        earlier.append(condense(q, earlier, lexicon))
    return condense(question, earlier, lexicon)


def passage_of(chunk: Chunk, score: float) -> Passage:
    return Passage(chunk.id, chunk.doc_id, chunk.start, chunk.end, chunk.text, float(score))


def check_citations(answer: Answer, chunks: Mapping[str, Chunk], documents: Mapping[str, Any]) -> tuple[Cited, ...]:
    """Look every citation up in the index's own chunks and the raw documents; never trust its offsets."""
    out = []
    for c in answer.citations:
        chunk, doc = chunks.get(c.chunk_id), documents.get(c.doc_id)
        if chunk is None or doc is None or chunk.doc_id != c.doc_id:
            out.append(Cited(Passage(c.chunk_id, c.doc_id, -1, -1, "", 0.0), c.text, None))
            continue
        pos = locate_citation(c.text, c.start, c.end, chunk.text, chunk.sentences, doc.raw_text, chunk.start, chunk.end)
        out.append(Cited(passage_of(chunk, 0.0), c.text, pos))
    return tuple(out)


def rule_verdicts(report: Any) -> dict[str, str]:
    """Option -> verdict from a RuleReport (or its dict), whichever shape `option_verdicts` has:
    {option: verdict}, {option: {"verdict": v}} or [{"option": o, "verdict": v}]."""
    d = report.to_dict() if hasattr(report, "to_dict") else (report or {})
    raw = d.get("option_verdicts", d.get("options", {}))
    pairs = raw.items() if isinstance(raw, Mapping) else ((r.get("option"), r) for r in raw if isinstance(r, Mapping))
    out = {}
    for opt, v in pairs:
        v = v.get("verdict") if isinstance(v, Mapping) else v
        if opt and v is not None:
            out[str(opt)] = str(getattr(v, "value", v)).strip().lower().replace(" ", "_")
    return out


def output_from_answer(answer: Answer, ranking: Sequence[Hit], assistant: Any, chunks: Mapping[str, Chunk],
                       latency_ms: float, rules: Mapping[str, str] | None = None, standalone: str = "") -> SystemOutput:
    return SystemOutput(answer.text, answer.abstained, answer.abstain_reason,
                        tuple(passage_of(h.chunk, h.score) for h in ranking),
                        check_citations(answer, chunks, assistant.documents), latency_ms, rules, standalone)


def full_system(assistant: Any, k: int, chunks: Mapping[str, Chunk]) -> System:
    """Assistant.ask with k hits for the composer. When k < RANK_DEPTH the ranking is extended by the same
    hybrid retrieval (RRF fusion is prefix-stable, so its top k are the answer's hits); not timed."""
    def run(question: str, history: Sequence[str] = ()) -> SystemOutput:
        turns: list[Any] = []
        for earlier in history:          # the conversation so far, asked as the user asked it
            turns.append(assistant.ask(earlier, history=tuple(turns), k=k))
        turn = assistant.ask(question, history=tuple(turns), k=k)
        ranking = tuple(turn.answer.hits)
        if len(ranking) < RANK_DEPTH:
            ranking = deeper_ranking(assistant, turn.standalone_question, ranking)
        rules = rule_verdicts(turn.rules) if turn.rules is not None else {}
        return output_from_answer(turn.answer, ranking, assistant, chunks, turn.latency_ms, rules,
                                  turn.standalone_question)
    return run


def deeper_ranking(assistant: Any, question: str, hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    try:
        from ..corpus import mentioned_documents
        named = mentioned_documents(question, getattr(assistant, "aliases", {}) or {})
        deeper = tuple(assistant.retriever.hybrid(question, RANK_DEPTH, docs=named))
    except TypeError:             # a retriever without the document filter
        deeper = tuple(assistant.retriever.hybrid(question, RANK_DEPTH))
    if [h.chunk.id for h in deeper[:len(hits)]] != [h.chunk.id for h in hits]:
        logger.warning("deeper ranking disagrees with the answer's hits for %r; keeping the answer's hits first",
                       question[:60])
        seen = {h.chunk.id for h in hits}
        deeper = hits + tuple(h for h in deeper if h.chunk.id not in seen)
    return deeper[:max(RANK_DEPTH, len(hits))]


def with_dense_scores(assistant: Any, question: str, hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """Lexical-only hits carry no dense score, and the composer abstains below a dense-similarity floor:
    fill in each chunk's best sentence cosine, as the hybrid retriever does for its lexical-only hits."""
    missing = [h for h in hits if h.dense_score is None]
    rows, retriever = getattr(assistant, "rows", None), assistant.retriever
    if not missing or not rows or not hasattr(retriever, "unit_scores"):
        return hits
    qvec = retriever.embed(question)
    def fill(h: Hit) -> Hit:
        if h.dense_score is not None:
            return h
        return dataclasses.replace(h, dense_score=float(np.max(retriever.unit_scores(qvec, rows[h.chunk.id]), initial=-1.0)))
    return tuple(fill(h) for h in hits)


def single_retriever_system(assistant: Any, k: int, which: str, chunks: Mapping[str, Chunk]) -> System:
    def run(question: str, history: Sequence[str] = ()) -> SystemOutput:
        t0 = time.perf_counter()
        question = standalone_question(assistant, question, history)
        search = assistant.retriever.lexical if which == "bm25" else assistant.retriever.dense
        ranking = tuple(search(question, max(k, RANK_DEPTH)))
        hits = with_dense_scores(assistant, question, ranking[:k]) if which == "bm25" else ranking[:k]
        answer = assistant.compose(question, hits)
        return output_from_answer(answer, ranking, assistant, chunks, (time.perf_counter() - t0) * 1000,
                                  standalone=question)
    return run


def langchain_system(assistant: Any, k: int) -> tuple[System, dict[str, Any]]:
    from .. import lc

    t0 = time.perf_counter()
    store = lc.default_store(assistant.documents.values(), assistant.embedder)
    info = {"splitter": "RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)",
            "vector_store": "langchain_community FAISS, MAX_INNER_PRODUCT", "search": f"similarity_search k={k}",
            "n_chunks": store.index.ntotal, "build_seconds": round(time.perf_counter() - t0, 2)}
    documents = assistant.documents

    def run(question: str, history: Sequence[str] = ()) -> SystemOutput:
        question = standalone_question(assistant, question, history)
        t0 = time.perf_counter()
        found = lc.search(store, question, max(k, RANK_DEPTH))
        latency = (time.perf_counter() - t0) * 1000
        passages = tuple(Passage(p["chunk_id"], p["doc_id"], p["start"], p["end"], p["text"], p["score"]) for p in found)
        if not passages:
            return SystemOutput("", False, "", (), (), latency)
        top = passages[0]
        raw = documents[top.doc_id].raw_text
        cited = Cited(top, top.text, locate_citation(top.text, 0, len(top.text), top.text, (), raw, top.start, top.end))
        return SystemOutput(top.text, False, "", passages, (cited,), latency, None, question)
    return run, info


def make_systems(names: Sequence[str], assistant: Any, k: int) -> dict[str, tuple[System, dict[str, Any]]]:
    """Name -> (system, its configuration). Unknown names raise, listing the valid ones."""
    from ..errors import BadInput

    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise BadInput(f"unknown system(s) {', '.join(unknown)}; valid: {', '.join(SYSTEMS)}")
    index = dict(getattr(assistant, "index_info", {}) or {})
    chunks = {c.id: c for c in assistant.chunks}
    out: dict[str, tuple[System, dict[str, Any]]] = {}
    for name in names:
        if name == "full":
            out[name] = (full_system(assistant, k, chunks), {"retrieval": "hybrid (dense + BM25, RRF, rerank)", "index": index})
        elif name in ("bm25", "dense"):
            out[name] = (single_retriever_system(assistant, k, name, chunks), {"retrieval": name, "index": index})
        else:
            out[name] = langchain_system(assistant, k)
    return out
