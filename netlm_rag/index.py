"""Build, refresh and check the index. Only documents whose sha256 changed are re-chunked and re-embedded."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np

from .chunking import chunk_document
from .config import Settings
from .corpus import load_corpus
from .embeddings import Embedder, model_fingerprint, model_folder, model_name
from .errors import IndexStale, NetlmError
from .lexicon import default_lexicon, lexicon_fingerprint
from .records import Chunk, Document
from .store import SCHEMA, IndexManifest, LoadedBuild, load_build, write_build
from .vectorstore import VectorStore, create_store

logger = logging.getLogger(__name__)

# Bump when cleaning, chunking, unit text or tokenisation change: old vectors are then not reused.
# 5: sentences broken across a page are rejoined (cleaning.join_broken_paragraphs); 6: a table row longer than 200
# characters no longer ends its table (cleaning.looks_like_table_row), and table rows keep their raw offsets.
PIPELINE_VERSION = "6"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    build_id: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    n_chunks: int
    n_units: int
    embedded_units: int
    seconds: float
    skipped: bool

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.skipped:
            return f"index is up to date ({self.n_chunks} chunks, build {self.build_id})"
        parts = [f"{name}: {', '.join(ids)}" for name, ids in
                 (("added", self.added), ("updated", self.updated), ("removed", self.removed)) if ids]
        return (f"built {self.build_id}: {'; '.join(parts) or 'rebuilt'}; {len(self.unchanged)} unchanged; "
                f"{self.n_chunks} chunks, {self.embedded_units} of {self.n_units} units embedded "
                f"in {self.seconds:.1f} s")


def model_identity(settings: Settings) -> dict[str, str]:
    """Name and fingerprint of the configured model, without loading it (loading costs ~8 s)."""
    return {"name": model_name(settings.model), "fingerprint": model_fingerprint(model_folder(settings.model))}


def build_key(settings: Settings) -> str:
    ident = model_identity(settings)
    payload = json.dumps([ident, asdict(settings.chunking), PIPELINE_VERSION, SCHEMA, lexicon_fingerprint()],
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def corpus_hash(docs: tuple[Document, ...]) -> str:
    return hashlib.sha256(json.dumps([[d.id, d.sha256] for d in docs]).encode()).hexdigest()[:16]


def unit_texts(chunk: Chunk) -> list[str]:
    """What gets embedded: each sentence with its section heading as context (contextual headers help
    short sentences such as "The 5-year OS was 74 %"); a table as one unit with its caption."""
    head = chunk.section_path[-1] if chunk.section_path else ""
    if chunk.kind == "table" or not chunk.sentences:
        return [f"{chunk.section}: {chunk.text}"[:2000]]
    return [f"{head}: {s}" if head else s for s in chunk.sentence_texts()]


def lexical_text(chunk: Chunk) -> str:
    return f"{chunk.section}\n{chunk.text}"


def staleness(manifest: IndexManifest, docs: tuple[Document, ...], settings: Settings) -> list[str]:
    """Reasons the index no longer matches the corpus or settings; empty when fresh."""
    reasons = []
    if manifest.build_key != build_key(settings):
        reasons.append("model, chunking settings, synonym table or pipeline version changed")
    if manifest.dense.get("backend") != settings.vectors.backend:
        reasons.append(f"vector backend changed ({manifest.dense.get('backend')} → {settings.vectors.backend})")
    current = {d.id: d.sha256 for d in docs}
    indexed = {k: v["sha256"] for k, v in manifest.documents.items()}
    reasons += [f"new document {i}" for i in current.keys() - indexed.keys()]
    reasons += [f"removed document {i}" for i in indexed.keys() - current.keys()]
    reasons += [f"changed document {i}" for i in current.keys() & indexed.keys() if current[i] != indexed[i]]
    return reasons


def ensure_fresh(manifest: IndexManifest, docs: tuple[Document, ...], settings: Settings) -> None:
    reasons = staleness(manifest, docs, settings)
    if reasons:
        raise IndexStale(f"index is stale ({'; '.join(reasons)}) — run: netlm-rag build")


def previous_build(settings: Settings) -> LoadedBuild | None:
    try:
        return load_build(settings.paths.index, settings.vectors.pg_dsn)
    except NetlmError as exc:
        logger.info("no reusable previous build (%s)", exc)
        return None


def make_dense_index(vectors: np.ndarray, settings: Settings, build_id: str) -> VectorStore:
    """The dense store for these vectors: exact or ANN by size (vectorstore.choose_index), FAISS or pgvector."""
    v = settings.vectors
    store = create_store(v.backend, len(vectors), int(vectors.shape[1]), v.pg_dsn, f"netlm_dense_{build_id}")
    store.add(vectors)
    return store


def make_lexical_index(chunks: tuple[Chunk, ...]):
    import bm25s

    lex = default_lexicon()
    bm25 = bm25s.BM25()
    bm25.index([lex.tokenize(lexical_text(c)) or ["~empty"] for c in chunks], show_progress=False)
    return bm25


def reusable(prev: LoadedBuild | None, key: str) -> dict[str, tuple[tuple[Chunk, ...], np.ndarray]]:
    """Per unchanged-candidate document: its chunks and unit vectors from the previous build."""
    if prev is None or prev.manifest.build_key != key:
        return {}
    out: dict[str, tuple[tuple[Chunk, ...], np.ndarray]] = {}
    for doc_id, info in prev.manifest.documents.items():
        rows = [i for i, c in enumerate(prev.chunks) if c.doc_id == doc_id]
        mask = np.isin(prev.units, rows)
        out[doc_id] = (tuple(prev.chunks[i] for i in rows), prev.vectors[mask])
    return out


def embed_units(texts: list[str], embedder: Embedder, progress: Progress | None) -> np.ndarray:
    """Encode each distinct text once: overlapping chunks share sentences."""
    distinct = list(dict.fromkeys(texts))
    vecs = embedder.encode(distinct, progress=progress)
    row = {t: i for i, t in enumerate(distinct)}
    return vecs[[row[t] for t in texts]] if texts else vecs


def build_index(settings: Settings, get_embedder: Callable[[], Embedder], progress: Progress | None = None,
                force: bool = False) -> BuildReport:
    """Refresh index/ from corpus/. The model is loaded only when something must be embedded."""
    t0 = time.perf_counter()
    docs = load_corpus(settings.paths.corpus)
    key, chash = build_key(settings), corpus_hash(docs)
    prev = previous_build(settings)
    old = prev.manifest.documents if prev else {}
    if (prev and not force and prev.manifest.build_key == key and prev.manifest.corpus_hash == chash
            and prev.manifest.dense.get("backend") == settings.vectors.backend):
        m = prev.manifest
        return BuildReport(m.build_id, (), (), (), tuple(m.documents), m.n_chunks, m.n_units, 0,
                           time.perf_counter() - t0, True)
    reuse = {} if force else reusable(prev, key)
    kept = {d.id for d in docs if d.id in reuse and old[d.id]["sha256"] == d.sha256}
    fresh_chunks = {d.id: chunk_document(d, settings.chunking) for d in docs if d.id not in kept}
    new_texts = [t for cs in fresh_chunks.values() for c in cs for t in unit_texts(c)]
    embedder = get_embedder() if new_texts else None
    new_vecs = embed_units(new_texts, embedder, progress) if embedder else None
    chunks, vec_parts, unit_rows, documents, cursor = [], [], [], {}, 0
    for d in docs:
        if d.id in kept:
            cs, vs = reuse[d.id]
        else:
            cs = fresh_chunks[d.id]
            n = sum(len(unit_texts(c)) for c in cs)
            vs, cursor = new_vecs[cursor:cursor + n], cursor + n
        for c in cs:
            unit_rows.extend([len(chunks)] * len(unit_texts(c)))
            chunks.append(c)
        vec_parts.append(vs)
        documents[d.id] = {"sha256": d.sha256, "source_file": d.source_file, "chunks": len(cs), "units": len(vs)}
    if not chunks:
        raise NetlmError("the corpus produced no chunks — add documents with: netlm-rag corpus add FILE")
    vectors = np.vstack(vec_parts).astype(np.float32)
    dim = int(vectors.shape[1])
    build_id = hashlib.sha256(f"{key}:{chash}:{settings.vectors.backend}".encode()).hexdigest()[:12]
    dense = make_dense_index(vectors, settings, build_id)
    manifest = IndexManifest(
        schema=SCHEMA, build_id=build_id, build_key=key, model={**model_identity(settings), "dim": dim},
        chunking=asdict(settings.chunking), documents=documents, corpus_hash=chash,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), versions=package_versions(),
        files={}, n_chunks=len(chunks), n_units=len(vectors),
        dense={"backend": settings.vectors.backend, "spec": dense.spec.to_dict()},
    )
    write_build(settings.paths.index, manifest, tuple(chunks), vectors, np.asarray(unit_rows),
                dense, make_lexical_index(tuple(chunks)), settings.vectors.pg_dsn)
    ids = {d.id for d in docs}
    return BuildReport(
        build_id, tuple(sorted(ids - old.keys())),
        tuple(sorted(i for i in ids & old.keys() if i not in kept)), tuple(sorted(old.keys() - ids)),
        tuple(sorted(kept)), len(chunks), len(vectors), len(new_texts), time.perf_counter() - t0, False,
    )


def package_versions() -> dict[str, str]:
    out = {}
    for name in ("netlm-rag", "sentence-transformers", "faiss-cpu", "bm25s", "torch", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out
