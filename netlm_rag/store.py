"""The on-disk index: index/CURRENT names the live build in index/builds/<id>/. No pickle anywhere.

A build folder holds manifest.json, chunks.jsonl, vectors.npy (one row per embedded unit), units.npy
(chunk row of each unit), store.json + dense.faiss (the dense store; a pgvector build keeps its rows in
the database and only store.json here) and bm25/ (bm25s arrays + JSON). Builds are written to a
temporary folder, renamed, and then CURRENT is replaced with os.replace: a crash at any point leaves the
previous build live.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IndexCorrupt, IndexMissing
from .records import Chunk
from .vectorstore import VectorStore, drop_saved, open_store

logger = logging.getLogger(__name__)

SCHEMA = 3                # 3: dense store behind vectorstore.VectorStore (store.json)
FIX = "run: netlm-rag build"
KEEP_BUILDS = 3          # older builds are pruned; an app still reading one of the last three keeps working


@dataclass(frozen=True, slots=True)
class IndexManifest:
    schema: int
    build_id: str
    build_key: str                       # hash of model + chunking + pipeline version: what makes vectors comparable
    model: dict[str, Any]                # name, dim, fingerprint
    chunking: dict[str, Any]
    documents: dict[str, dict[str, Any]]  # doc id -> {sha256, source_file, chunks, units}
    corpus_hash: str
    built_at: str
    versions: dict[str, str]
    files: dict[str, str]                # file name -> sha256, checked at load (truncation, swaps)
    n_chunks: int
    n_units: int
    dense: dict[str, Any]                # {"backend": "faiss" | "pgvector", "spec": IndexSpec.to_dict()}

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "IndexManifest":
        if d.get("schema") != SCHEMA:
            raise IndexCorrupt(f"index schema {d.get('schema')!r} is not {SCHEMA} — {FIX}")
        return cls(**{f: d[f] for f in cls.__dataclass_fields__})


@dataclass(frozen=True)
class LoadedBuild:
    path: Path
    manifest: IndexManifest
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray      # (n_units, dim) float32, L2-normalised
    units: np.ndarray        # (n_units,) int32: chunk row of each unit
    dense: VectorStore       # row i of the store is row i of vectors
    bm25: Any


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def current_build_path(index_dir: Path) -> Path:
    pointer = Path(index_dir) / "CURRENT"
    if not pointer.is_file():
        raise IndexMissing(f"no index at {index_dir} — {FIX}")
    build = Path(index_dir) / "builds" / pointer.read_text(encoding="utf-8").strip()
    if not (build / "manifest.json").is_file():
        raise IndexCorrupt(f"index/CURRENT names {build.name} but {build} has no manifest.json — {FIX}")
    return build


def read_manifest(build: Path) -> IndexManifest:
    try:
        return IndexManifest.from_dict(json.loads((build / "manifest.json").read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise IndexCorrupt(f"{build / 'manifest.json'} is unreadable ({exc}) — {FIX}") from exc


def write_build(index_dir: Path, manifest: IndexManifest, chunks: tuple[Chunk, ...], vectors: np.ndarray,
                units: np.ndarray, dense: VectorStore, bm25: Any, pg_dsn: str = "") -> Path:
    """Write a complete build next to the live one, then atomically point CURRENT at it."""
    builds = Path(index_dir) / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in chunks:
                f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", vectors.astype(np.float32), allow_pickle=False)
        np.save(tmp / "units.npy", units.astype(np.int32), allow_pickle=False)
        dense.save(tmp)
        bm25.save(str(tmp / "bm25"), allow_pickle=False)
        files = {p.relative_to(tmp).as_posix(): file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        final = {**manifest.to_dict(), "files": files}
        (tmp / "manifest.json").write_text(json.dumps(final, indent=1, ensure_ascii=False), encoding="utf-8")
        target = builds / manifest.build_id
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer_tmp = Path(index_dir) / ".CURRENT.tmp"
    pointer_tmp.write_text(manifest.build_id + "\n", encoding="utf-8")
    os.replace(pointer_tmp, Path(index_dir) / "CURRENT")
    prune_builds(Path(index_dir), keep=manifest.build_id, pg_dsn=pg_dsn)
    return target


def prune_builds(index_dir: Path, keep: str, pg_dsn: str = "") -> None:
    builds = sorted((p for p in (index_dir / "builds").iterdir() if p.is_dir()),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for p in builds[KEEP_BUILDS:]:
        if p.name != keep:
            try:
                drop_saved(p, pg_dsn)
            except Exception as exc:  # noqa: BLE001 — a leftover table must not fail a finished build
                logger.warning("could not drop the pgvector table of pruned build %s: %s", p.name, exc)
            shutil.rmtree(p, ignore_errors=True)


def verify_files(build: Path, manifest: IndexManifest) -> None:
    for name, digest in manifest.files.items():
        path = build / name
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing — {FIX}")
        if file_sha256(path) != digest:
            raise IndexCorrupt(f"index file {path} is truncated or changed (checksum mismatch) — {FIX}")


def load_build(index_dir: Path, pg_dsn: str = "") -> LoadedBuild:
    """Load and verify the live build: checksums, row counts and dimension must all agree."""
    import bm25s

    build = current_build_path(index_dir)
    manifest = read_manifest(build)
    verify_files(build, manifest)
    try:
        with open(build / "chunks.jsonl", encoding="utf-8") as f:
            chunks = tuple(Chunk.from_dict(json.loads(line)) for line in f if line.strip())
        vectors = np.load(build / "vectors.npy", allow_pickle=False)
        units = np.load(build / "units.npy", allow_pickle=False)
        dense = open_store(build, pg_dsn)
        bm25 = bm25s.BM25.load(str(build / "bm25"), allow_pickle=False)
    except (ValueError, KeyError, OSError, RuntimeError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"index at {build} cannot be read ({exc}) — {FIX}") from exc
    problems = []
    if len(chunks) != manifest.n_chunks:
        problems.append(f"{len(chunks)} chunks, manifest says {manifest.n_chunks}")
    if vectors.shape != (manifest.n_units, manifest.model["dim"]):
        problems.append(f"vectors {vectors.shape}, manifest says ({manifest.n_units}, {manifest.model['dim']})")
    if dense.ntotal != len(vectors) or dense.dim != manifest.model["dim"]:
        problems.append(f"the dense store has {dense.ntotal}×{dense.dim}, vectors {vectors.shape}")
    if len(units) != len(vectors) or (len(units) and int(units.max()) >= len(chunks)):
        problems.append("unit → chunk map does not match the chunk store")
    if int(bm25.scores["num_docs"]) != len(chunks):
        problems.append(f"BM25 has {bm25.scores['num_docs']} documents for {len(chunks)} chunks")
    if problems:
        raise IndexCorrupt(f"index at {build} is inconsistent ({'; '.join(problems)}) — {FIX}")
    return LoadedBuild(build, manifest, chunks, vectors, units, dense, bm25)
