"""Criteria evidence: for a vignette question, the passages where the criteria it touches are stated.

A vignette ("58F, G1 pNET, Ki-67 2 %, 30 % liver involvement ... LT?") asks about one option for one patient;
the passages that answer it are the ones stating that option's criteria for the facts given (age, Ki-67,
liver involvement), scattered over several reviews and rarely close to the question's wording. The rules
module already records, for every criterion, the verbatim quote and line it was taken from; this module
maps those quotes to chunks once per build and ranks the chunks a question's criteria point to. The ranking
is one more input to the fusion (Retriever.hybrid), never a replacement for the search.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Collection, Iterable, Mapping

from .records import Chunk, Document
from .rules import CRITERIA, AskedTopic, Criterion, PatientFacts, asked_fields, asked_options

Ranking = list[tuple[int, float]]


def quote_offset(doc: Document, line: int, quote: str) -> int:
    """Raw offset of `quote` on 1-based line `line` of the document; if an updated file moved it, its first
    occurrence anywhere; -1 when it is gone."""
    raw, start = doc.raw_text, 0
    for _ in range(max(line - 1, 0)):
        nl = raw.find("\n", start)
        if nl < 0:
            break
        start = nl + 1
    end = raw.find("\n", start)
    pos = raw.find(quote, start, len(raw) if end < 0 else end)
    return pos if pos >= 0 else raw.find(quote)


def criterion_rows(chunks: Iterable[Chunk], documents: Mapping[str, Document],
                   criteria: Iterable[Criterion] = ()) -> dict[str, tuple[int, ...]]:
    """Criterion id -> rows of the prose chunks holding its source quote. Criteria whose review is not in this
    corpus, or whose quote is no longer where it was recorded, map to nothing (they only lose their boost)."""
    by_doc: dict[str, list[tuple[int, Chunk]]] = {}
    for row, c in enumerate(chunks):
        if c.kind == "prose":
            by_doc.setdefault(c.doc_id, []).append((row, c))
    out = {}
    for cr in criteria or CRITERIA.values():
        doc = documents.get(cr.source.doc_id)
        pos = quote_offset(doc, cr.source.line, cr.source.quote) if doc is not None else -1
        if pos < 0:
            continue
        rows = tuple(row for row, c in by_doc.get(doc.id, ()) if c.start <= pos < c.end)
        if rows:
            out[cr.id] = rows
    return out


def guide_ranking(question: str, facts: PatientFacts, rows: Mapping[str, tuple[int, ...]]) -> Ranking:
    """Chunks stating the criteria of the options the question asks about that bear on the facts it gives, or,
    for a question without patient facts, on the fields it names ("Ki-67 limit for transplantation?"); most
    such criteria first. Empty without an option asked about, or without facts or named fields."""
    options = set(asked_options(question))
    present = set(facts.present()) or set(asked_fields(question))
    if not options or not present:
        return []
    counts: Counter[int] = Counter()
    for cid, chunk_rows in rows.items():
        cr = CRITERIA[cid]
        if options & set(cr.options) and present & set(cr.fields):
            counts.update(chunk_rows)
    return [(row, float(n)) for row, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def still_quoted(asked: tuple[AskedTopic, ...], documents: Mapping[str, Document],
                 named: Collection[str] = ()) -> tuple[AskedTopic, ...]:
    """The criteria whose quote the corpus still holds: after a maintainer removes or updates a review, a
    criterion quoting it is not shown as that review's word (the same rule as a citation's verbatim check).
    The versions of the reviews the question names ("per Dermine") come first."""
    out = []
    for topic in asked:
        kept = tuple(cr for cr in topic.criteria if (doc := documents.get(cr.source.doc_id)) is not None
                     and quote_offset(doc, cr.source.line, cr.source.quote) >= 0)
        if kept:
            out.append(replace(topic, criteria=tuple(sorted(kept, key=lambda cr: cr.source.doc_id not in named))))
    return tuple(out)
