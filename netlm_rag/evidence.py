"""Criteria evidence: for a vignette question, the passages where the criteria it touches are stated.

A vignette ("58F, G1 pNET, Ki-67 2 %, 30 % liver involvement ... LT?") asks about one option for one patient;
the passages that answer it are the ones stating that option's criteria for the facts given (age, Ki-67,
liver involvement), scattered over several reviews and rarely close to the question's wording. The rules
module already records, for every criterion, the verbatim quote and line it was taken from; this module
maps those quotes to chunks once per build and ranks the chunks a question's criteria point to. The ranking
is one more input to the fusion (Retriever.hybrid), never a replacement for the search.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Mapping

from .records import Chunk, Document
from .rules import CRITERIA, Criterion, PatientFacts, asked_options

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


# How a general question names a criterion's field ("What Ki-67 limit applies for transplantation?", "Max
# lesion size for RFA?"): the criteria of that option on that field are stated in the passages that answer it.
_FIELD_WORDS = {
    "ki67_pct": r"\bki[\s-]?67\b|\bmib[\s-]?1\b|\bproliferat\w*\s+index",
    "age": r"\bage\b|\bold(?:er)?\b|\byoung(?:er)?\b",
    "liver_involvement_pct": r"\b(?:liver|hepatic)\s+(?:involvement|replacement|invasion|burden|tumou?r\s+(?:burden|volume))|"
                             r"\btumou?r\s+burden\b|\bof\s+the\s+liver\b",
    "stable_disease_months": r"\bstable\s+disease\b|\bstability\b|\bstable\s+for\b",
    "lesion_size_cm": r"\bsize\b|\bdiameter\b|\bcm\b|\bhow\s+(?:large|big)\b|\blarger?\s+(?:lesion|tumou?r|met)",
    "lesion_count": r"\bnumber\s+of\s+(?:lesions|metastases|mets|tumou?rs|nodules)\b|\bhow\s+many\s+(?:lesions|metastases|mets)",
    "bilirubin_mg_dl": r"\bbilirubin\b",
    "flr_pct": r"\bflr\b|\b(?:future\s+)?liver\s+remnant\b|\bremnant\s+liver\b",
    "extrahepatic_disease": r"\bextra[\s-]?hepatic\b",
    "portal_vein_thrombosis": r"\bportal\s+vein\b|\bpvt\b",
    "grade": r"\bgrade\b|\bG[123]\b",
    "differentiation": r"\b(?:well|poorly)[\s-]+differentiated\b|\bdifferentiation\b",
    "sstr_positive": r"\bsstr\b|\bsomatostatin\s+receptor|\bdotatate\b|\boctreoscan\b|\breceptor[\s-]+(?:positive|negative|status)",
    "primary_resected": r"\bprimary\s+(?:tumou?r\s+)?(?:resect\w*|remov\w*)|\b(?:resect\w*|remov\w*)\s+(?:of\s+)?the\s+primary\b",
    "debulkable_pct": r"\bdebulk\w*\s+threshold|\bthreshold\s+for\s+(?:debulk|cytoreduc)\w*|\bhow\s+much\b.*\b(?:debulk|cytoreduc|remov)",
    "bilioenteric_anastomosis": r"\bbilio[\s-]?enteric\b|\bwhipple\b|\bhepaticojejunostomy\b|\bpancreat\w*duodenectomy\b",
    "carcinoid_heart_disease": r"\bcarcinoid\s+heart\b|\bheart\s+(?:disease|failure)\b",
    "peritoneal_carcinomatosis": r"\bperitoneal\b|\bcarcinomatosis\b",
}


def asked_fields(question: str) -> frozenset[str]:
    """The criterion fields a question asks about by name (not a patient's values: those are facts)."""
    return frozenset(f for f, rx in _FIELD_WORDS.items() if re.search(rx, question, re.I))


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
