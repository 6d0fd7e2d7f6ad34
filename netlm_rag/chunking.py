"""Section-aware chunking: headings → section paths; paragraphs packed into chunks with sentence spans and
ids that depend only on the document's own text (rebuilding one document never renames another's chunks)."""
from __future__ import annotations

import re
from collections import Counter

from netlm_rag.cleaning import Block, clean
from netlm_rag.config import ChunkingSettings
from netlm_rag.records import Chunk, Document, Span

# Not sentence ends: "et al.", "e.g.", "i.e.", "vs.", "Fig.", "approx.", "Dr.", "No.", initials ("J. Clin.").
_ABBREV = re.compile(r"(?:\bet al|\be\.g|\bi\.e|\bvs|\bfig|\bfigs|\bapprox|\bdr|\bno|\bref|\bca|\bcf|\bmin|\bmax"
                     r"|\bmos?|\bresp|\bincl|\bjan|\bfeb|\baug|\bsept?|\boct|\bnov|\bdec|\b[A-Z])\.$", re.IGNORECASE)
_BOUNDARY = re.compile(r"[.!?](?:\[[\d,\s–-]+\]|\(\d[\d,\s–-]*\)|[\u00b9\u00b2\u00b3\u2070-\u2079,]+|\^\{?[\d,–-]+\}?|\^\[[\d,\s–-]+\])?"
                       r"[\"”’)]*\s+(?=[A-Z0-9\[(“\"])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph, tuned for clinical reviews (decimals, et al., bracket citations)."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        head = text[start:m.start() + 1]
        if _ABBREV.search(head) or re.search(r"\d\.$", head) and m.start() + 1 < len(text) and text[m.start() + 1].isdigit():
            continue
        piece_end = len(text[:end].rstrip())
        if piece_end - start >= 20:
            spans.append((start, piece_end))
            start = end
    if start < len(text.rstrip()):
        spans.append((start, len(text.rstrip())))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b) for a, b in spans if text[a:b].strip()]


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:48] or "body"


def sections(blocks: tuple[Block, ...]) -> list[tuple[tuple[str, ...], list[Block]]]:
    """Consecutive evidence blocks grouped under their heading path."""
    path: list[tuple[int, str]] = []
    out: list[tuple[tuple[str, ...], list[Block]]] = []
    for b in blocks:
        if b.kind == "heading":
            path = [p for p in path if p[0] < b.level] + [(b.level, b.text)]
            out.append((tuple(t for _, t in path), []))
        else:
            if not out:
                out.append((("Body",), []))
            out[-1][1].append(b)
    return [(p, bs) for p, bs in out if bs]


def paragraph_sentences(b: Block) -> list[tuple[str, int]]:
    """(sentence text, raw start) for a prose block."""
    return [(b.text[s:e], b.start + s) for s, e in split_sentences(b.text)]


def pack(sentences: list[tuple[str, int]], cfg: ChunkingSettings) -> list[list[tuple[str, int]]]:
    """Sentences → groups of at most max_chars, consecutive groups sharing `overlap_sentences` sentences."""
    groups, current, size = [], [], 0
    for sent in sentences:
        if current and size + len(sent[0]) > cfg.max_chars:
            groups.append(current)
            current = current[-cfg.overlap_sentences:] if cfg.overlap_sentences else []
            size = sum(len(s) + 1 for s, _ in current)
        current.append(sent)
        size += len(sent[0]) + 1
    if current:
        if groups and size < cfg.min_chars and len(current) > cfg.overlap_sentences:
            groups[-1].extend(current[cfg.overlap_sentences:])      # a tiny tail joins its neighbour
        else:
            groups.append(current)
    return groups


def make_chunk(doc_id: str, path: tuple[str, ...], n: int, group: list[tuple[str, int]], raw: str) -> Chunk:
    """Sentences of one paragraph are joined by the raw text between them; paragraphs by a blank line."""
    text, spans, prev_end = "", [], None
    for sent, raw_start in group:
        if prev_end is not None:
            gap = raw[prev_end:raw_start]
            text += gap if "\n" not in gap and len(gap) < 5 else "\n\n"
        spans.append(Span(len(text), len(text) + len(sent), raw_start))
        text += sent
        prev_end = raw_start + len(sent)
    start, end = group[0][1], group[-1][1] + len(group[-1][0])
    return Chunk(f"{doc_id}#{slug(' '.join(path))}/{n:03d}", doc_id, path, "prose", text, start, end, tuple(spans))


def table_chunk(doc_id: str, path: tuple[str, ...], n: int, b: Block) -> Chunk:
    # Each row is a raw line, so it can be cited verbatim (answer.table_answer); rows never feed a prose answer.
    rows, spans, pos = b.text.split("\n"), [], 0
    for r, raw_start in zip(rows, b.row_starts or [-1] * len(rows)):
        spans.append(Span(pos, pos + len(r), raw_start))
        pos += len(r) + 1
    return Chunk(f"{doc_id}#{slug(b.caption)}/{n:03d}", doc_id, path + (b.caption,), "table", b.text,
                 b.start, b.end, tuple(spans))


def chunk_document(doc: Document, cfg: ChunkingSettings) -> tuple[Chunk, ...]:
    chunks: list[Chunk] = []
    counters: Counter[str] = Counter()
    for path, blocks in sections(clean(doc.raw_text, doc.id).blocks):
        sentences: list[tuple[str, int]] = []
        for b in blocks + [None]:
            if b is not None and b.kind == "prose":
                sentences.extend(paragraph_sentences(b))
                continue
            for group in pack(sentences, cfg):
                key = slug(" ".join(path))
                chunks.append(make_chunk(doc.id, path, counters[key], group, doc.raw_text))
                counters[key] += 1
            sentences = []
            if b is not None:
                key = slug(b.caption)
                chunks.append(table_chunk(doc.id, path, counters[key], b))
                counters[key] += 1
    return tuple(chunks)


def chunk_corpus(docs, cfg: ChunkingSettings) -> tuple[Chunk, ...]:
    return tuple(c for d in docs for c in chunk_document(d, cfg))
