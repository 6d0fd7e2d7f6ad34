"""The corpus: raw files kept verbatim under corpus/raw plus corpus/manifest.json (metadata, sha256)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .records import Document

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
RAW = "raw"
SCHEMA = 1


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(corpus_dir: Path) -> list[dict[str, Any]]:
    path = Path(corpus_dir) / MANIFEST
    if not path.is_file():
        raise CorpusError(f"no corpus manifest at {path} — restore corpus/ from git or set NETLM_CORPUS_DIR")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"corpus manifest {path} is not valid JSON ({exc}) — restore it from git") from exc
    if data.get("schema") != SCHEMA or not isinstance(data.get("documents"), list):
        raise CorpusError(f"corpus manifest {path} has schema {data.get('schema')!r}, expected {SCHEMA}")
    return data["documents"]


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8: a wrong encoding is reported, never guessed (a guess corrupts quotes)."""
    if not data.strip():
        raise CorpusError(f"{name}: file is empty")
    if b"\x00" in data[:8192]:
        raise CorpusError(f"{name}: looks binary (NUL bytes); give a UTF-8 .txt/.md/.html or a PDF with text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{name}: not UTF-8 (byte {exc.start}); re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8"
        ) from exc
    return text.removeprefix("\ufeff")


def document_from_entry(entry: dict[str, Any], raw_text: str) -> Document:
    return Document(
        id=entry["id"], short_name=entry.get("short_name") or entry["id"], title=entry.get("title", ""),
        authors=tuple(entry.get("authors", ())), journal=entry.get("journal", ""),
        year=int(entry.get("year") or 0), doi=entry.get("doi", ""), licence=entry.get("licence", ""),
        source_file=entry["source_file"], sha256=entry["sha256"], raw_text=raw_text,
        metadata_source=entry.get("metadata_source", ""),
    )


def load_document(corpus_dir: Path, entry: dict[str, Any]) -> Document:
    path = Path(corpus_dir) / RAW / entry["source_file"]
    if not path.is_file():
        raise CorpusError(f"manifest lists {entry['source_file']} ({entry['id']}) but {path} is missing")
    data = path.read_bytes()
    if sha256_bytes(data) != entry["sha256"]:
        raise CorpusError(
            f"{path.name} ({entry['id']}): sha256 differs from the manifest — the file was edited; "
            f"restore it or run: netlm-rag corpus add {path} --replace {entry['id']}"
        )
    return document_from_entry(entry, decode_text(data, path.name))


def load_corpus(corpus_dir: Path) -> tuple[Document, ...]:
    """Every document of the manifest, verified against its hash, in manifest order."""
    return tuple(load_document(corpus_dir, e) for e in read_manifest(corpus_dir))


def find_document(docs: tuple[Document, ...], key: str) -> Document:
    """By id or by delivered file name (the evaluation set may use either)."""
    for d in docs:
        if key in (d.id, d.source_file):
            return d
    raise CorpusError(f"no document {key!r}; known: {', '.join(d.id for d in docs)}")


def slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(p for p in out.split("-") if p)[:60] or "document"


def write_manifest(corpus_dir: Path, entries: list[dict[str, Any]]) -> None:
    """Atomic: a crash leaves the old manifest or the new one, never half of one."""
    path = Path(corpus_dir) / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"schema": SCHEMA, "documents": entries}, indent=2, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)


def add_document(corpus_dir: Path, name: str, data: bytes, meta: dict[str, Any],
                 replace_id: str | None = None) -> dict[str, Any]:
    """Validate, store the text verbatim under raw/, and record it in the manifest. Nothing changes on error."""
    from .ingest import file_to_text

    text = file_to_text(data, name)
    stored = text.encode("utf-8") if not name.lower().endswith((".txt", ".md")) else data
    digest = sha256_bytes(stored)
    entries = read_manifest(corpus_dir)
    doc_id = meta.get("id") or replace_id or slug(f"{meta.get('first_author', '')} {meta.get('year', '')}".strip()
                                                  or Path(name).stem)
    others = [e for e in entries if e["id"] != replace_id]
    if replace_id and len(others) == len(entries):
        raise CorpusError(f"no document {replace_id!r} to replace; see: netlm-rag corpus list")
    for e in others:
        if e["sha256"] == digest:
            raise CorpusError(f"{name}: same content as {e['id']} ({e['source_file']}); nothing added")
        if e["id"] == doc_id:
            raise CorpusError(f"{name}: id {doc_id!r} exists; pass --id NEW_ID or --replace {doc_id}")
    stem = Path(name).name if name.lower().endswith((".txt", ".md")) else Path(name).stem + ".txt"
    target = Path(corpus_dir) / RAW / stem
    if target.exists() and not (replace_id and any(e["source_file"] == stem for e in entries
                                                   if e["id"] == replace_id)):
        raise CorpusError(f"{name}: a file named {stem} is already in the corpus; rename it")
    entry = {
        "id": doc_id, "short_name": meta.get("short_name") or meta.get("title") or doc_id,
        "source_file": stem, "title": meta.get("title", ""), "authors": list(meta.get("authors", [])),
        "journal": meta.get("journal", ""), "year": int(meta.get("year") or 0), "doi": meta.get("doi", ""),
        "licence": meta.get("licence", "not stated"), "metadata_source": meta.get("metadata_source", "given by maintainer"),
        "sha256": digest, "added_at": meta.get("added_at", ""),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(stored)
    old = [e for e in entries if e["id"] == replace_id]
    os.replace(tmp, target)
    try:
        write_manifest(corpus_dir, [entry if e["id"] == replace_id else e for e in entries]
                       if replace_id else entries + [entry])
    except OSError:
        target.unlink(missing_ok=True)
        raise
    if old and old[0]["source_file"] != stem:
        (Path(corpus_dir) / RAW / old[0]["source_file"]).unlink(missing_ok=True)
    return entry


def remove_document(corpus_dir: Path, doc_id: str) -> dict[str, Any]:
    entries = read_manifest(corpus_dir)
    match = [e for e in entries if e["id"] == doc_id]
    if not match:
        raise CorpusError(f"no document {doc_id!r}; known: {', '.join(e['id'] for e in entries)}")
    write_manifest(corpus_dir, [e for e in entries if e["id"] != doc_id])
    (Path(corpus_dir) / RAW / match[0]["source_file"]).unlink(missing_ok=True)
    return match[0]


def document_aliases(docs: tuple[Document, ...]) -> dict[str, str]:
    """Lower-case names a clinician uses for a review ("dermine", "la salvia", "cloyd 2020") → document id."""
    out: dict[str, str] = {}
    for d in docs:
        names = {d.short_name, d.short_name.rsplit(" ", 1)[0]}
        if d.authors:
            surname = d.authors[0].rsplit(" ", 1)[0] if " " in d.authors[0] else d.authors[0]
            names |= {surname, f"{surname} {d.year}"}
        for n in names:
            if len(n.strip()) >= 4:
                out[n.strip().lower()] = d.id
    return out


def author_surnames(docs: tuple[Document, ...]) -> frozenset[str]:
    """Every listed author's surname ("Howe" of "Gangi A, Howe JR"): a clinician cites a review as "Gangi & Howe",
    and cleaning removed the author lines, so without these a co-author reads as a name the reviews never mention.
    Only the first author restricts a search (`document_aliases`): a co-author may have written elsewhere on the
    subject (Falconi, of La Salvia's review, led the ENETS guidelines)."""
    out = set()
    for d in docs:
        for author in d.authors:
            parts = author.split()
            if not parts or author.lower().startswith("et al"):
                continue
            # "Abou Ali E", "Cottereau A-S": the surname is what precedes the initials.
            if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,3}(?:-[A-Z])?\.?", parts[-1]):
                parts = parts[:-1]
            out.add(" ".join(parts))
    return frozenset(out)


def mentioned_documents(question: str, aliases: dict[str, str]) -> frozenset[str]:
    low = question.lower()
    return frozenset(doc for name, doc in aliases.items()
                     if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", low))
