"""Records that cross module boundaries: frozen, slotted, with explicit to_dict/from_dict."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ChunkKind = Literal["prose", "table"]


@dataclass(frozen=True, slots=True)
class Document:
    """One corpus article: metadata from the manifest plus the raw text exactly as delivered."""

    id: str
    short_name: str
    title: str
    authors: tuple[str, ...]
    journal: str
    year: int
    doi: str
    licence: str
    source_file: str
    sha256: str
    raw_text: str = field(repr=False, default="")
    metadata_source: str = ""

    def meta_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "short_name": self.short_name, "title": self.title,
            "authors": list(self.authors), "journal": self.journal, "year": self.year,
            "doi": self.doi, "licence": self.licence, "source_file": self.source_file,
            "sha256": self.sha256, "metadata_source": self.metadata_source,
        }


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence: [start, end) into the chunk text, and where the same characters start in the RAW file.

    Invariant (tested): chunk.text[start:end] == raw_text[raw_start:raw_start + end - start].
    """

    start: int
    end: int
    raw_start: int


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a reference list, kept aside to resolve "[23]" / "(58)"; never evidence."""

    doc_id: str
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable passage. Offsets point into the raw file so citations can be re-read verbatim."""

    id: str                          # "cloyd-2020#liver-transplantation/003": stable per document
    doc_id: str
    section_path: tuple[str, ...]    # ("Liver transplantation", "Results")
    kind: ChunkKind                  # tables never feed a prose answer
    text: str                        # cleaned text; every sentence below is a substring of it
    start: int                       # raw offsets of the first and last character covered
    end: int
    sentences: tuple[Span, ...]      # sentence spans, relative to `text`

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def sentence_texts(self) -> tuple[str, ...]:
        return tuple(self.text[s.start:s.end] for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "doc_id": self.doc_id, "section_path": list(self.section_path),
            "kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
            "sentences": [[s.start, s.end, s.raw_start] for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Chunk":
        return cls(
            id=d["id"], doc_id=d["doc_id"], section_path=tuple(d["section_path"]), kind=d["kind"],
            text=d["text"], start=int(d["start"]), end=int(d["end"]),
            sentences=tuple(Span(int(a), int(b), int(r)) for a, b, r in d["sentences"]),
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks each retriever gave it (None: not found)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    rerank_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk.id, "document": self.chunk.doc_id, "section": self.chunk.section,
            "text": self.chunk.text, "score": round(self.score, 6), "dense_rank": self.dense_rank,
            "lexical_rank": self.lexical_rank, "dense_score": self.dense_score,
            "rerank_score": self.rerank_score,
        }


@dataclass(frozen=True, slots=True)
class Citation:
    """A sentence quoted verbatim from a chunk: `chunk.text[start:end] == text` is enforced."""

    chunk_id: str
    doc_id: str
    document: str                    # short name and year, "Cloyd 2020"
    section: str
    start: int                       # offsets into the chunk text
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id, "document": self.doc_id, "document_name": self.document,
            "section": self.section, "start": self.start, "end": self.end, "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two sources giving different numbers for the same quantity. `thresholds`: every value is a stated
    limit ("<10%", "at least 6 months"), so the sources disagree on a criterion; otherwise they report
    different results, which may come from different studies or patient groups."""

    topic: str
    statements: tuple[Citation, ...]
    values: tuple[str, ...]
    thresholds: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic, "values": list(self.values), "thresholds": self.thresholds,
            "statements": [c.to_dict() for c in self.statements],
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant says: cited sentences, or an abstention with related passages."""

    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    abstain_reason: str
    conflicts: tuple[Conflict, ...]
    hits: tuple[Hit, ...]
    query_used: str
    dropped_sentences: int = 0       # generative backend: sentences removed for lack of a valid citation

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text, "abstained": self.abstained, "abstain_reason": self.abstain_reason,
            "citations": [c.to_dict() for c in self.citations],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "hits": [h.to_dict() for h in self.hits[:10]],
            "query_used": self.query_used, "dropped_sentences": self.dropped_sentences,
        }
