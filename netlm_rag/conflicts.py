"""Disagreement between sources: different numbers for the same quantity, detected from the text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import STOPWORDS, TREATMENT_GROUPS, Lexicon
from .records import Citation, Conflict

# A number with its comparator and unit: "<10%", "≥ 90 %", "55 years", "6 months", "5 cm".
_QUANTITY = re.compile(
    r"(?P<cmp>[<>≤≥]=?|up to|at least|more than|less than|greater than|over|under)?\s*"
    r"(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>%|percent|years?|yrs?|months?|mo|cm|mm|weeks?|mg/dl|µmol/l)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z0-9-]+")
# Words that sit next to numbers without naming the quantity measured.
_FILLER = STOPWORDS | {"approximately", "about", "around", "nearly", "only", "least", "than", "up", "range",
                       "ranging", "median", "mean", "respectively", "patients", "patient", "cases", "rate",
                       "rates", "index", "reported", "showed", "shown", "was", "were", "had", "achieved", "study",
                       "year", "years", "month", "months", "week", "weeks", "day", "days", "reaching", "reached"}
_UNIT = {"percent": "%", "year": "years", "yrs": "years", "yr": "years", "month": "months", "mo": "months",
         "week": "weeks"}
# Measured outcomes: "> 60 %" of survival or "greater than 97 %" recurrence is a result, not a threshold.
_OUTCOMES = frozenset({"os", "pfs", "response", "adverse", "survival", "recurrence", "recurrences", "mortality",
                       "morbidity", "death", "deaths", "relapse", "progression", "complication", "complications",
                       "improvement", "relief", "control", "efficacy"})
# Words just before an outcome with a comparator that make it a limit ("acceptable morbidity (< 30 %)").
_CRITERION_CUE = re.compile(r"\b(?:criteria|criterion|acceptable|admissible|requires?|required|should|eligib\w*|"
                            r"indicat\w*|candidates?|thresholds?|cut-?offs?|limits?|allowed|permissible|selection)\b")
# "Ki-67% <10": the unit written before the limit.
_UNIT_FIRST = re.compile(r"(ki-?67)\s*%\s*([<>≤≥]=?\s*)(\d+(?:[.,]\d+)?)(?!\s*%)")
# A measure named after its number: "less than 5% mortality", "30% morbidity".
_AFTER = re.compile(r"^\s*(?:[a-z-]+\s+)?(mortality|morbidity|survival|recurrence|response|complications?)\b")
# What a statement is about: a Ki-67 limit for transplantation and one for chemotherapy, or for grading, are
# different criteria, not a disagreement.
TOPICS = TREATMENT_GROUPS
_TRIALS = {"clarinet": "ssa", "promid": "ssa", "netter": "prrt"}
_GRADING = re.compile(r"\b(?:grade[sd]?|grading|g[123]|who\s+classification)\b")


@dataclass(frozen=True, slots=True)
class Quantity:
    subject: str         # the content word just before the number, canonicalised ("ki67", "age")
    unit: str
    value: str           # as written, comparator included ("<10%")
    number: float
    limit: bool = False  # written with a comparator: a threshold, not a measured result


def quantities(sentence: str, lexicon: Lexicon) -> list[Quantity]:
    """Numbers with units and the subject they qualify (nearest concept or content word before them)."""
    out = []
    norm = _UNIT_FIRST.sub(r"\1 \2\3%", lexicon.normalise(sentence))
    for m in _QUANTITY.finditer(norm):
        criterion = bool(_CRITERION_CUE.search(norm[max(0, m.start() - 40):m.start()]))
        after = _AFTER.match(norm[m.end():m.end() + 30])
        subject = after.group(1) if after else nearest_subject(norm[max(0, m.start() - 60):m.start()], lexicon)
        if not subject:
            continue
        unit = _UNIT.get(m.group("unit").lower().rstrip("s") if m.group("unit") not in ("%",) else "%",
                         m.group("unit").lower())
        num = float(m.group("num").replace(",", "."))
        value = " ".join(m.group(0).split())
        out.append(Quantity(subject, unit, value, num, bool(m.group("cmp")) and (criterion or subject not in _OUTCOMES)))
    return out


def topic(section: str, sentence: str, lexicon: Lexicon) -> str:
    """The one treatment a statement is about: its section's, else the first its sentence names ("LT criteria:
    Ki-67 < 10 %, ..., resection of the primary" is about transplantation); "grading" for a grading statement;
    "" when nothing says."""
    for text in (section, sentence):
        for c in lexicon.concepts(text):
            c = _TRIALS.get(c, c)
            if c in TOPICS:
                return c
    return "grading" if _GRADING.search(lexicon.normalise(sentence)) else ""


def nearest_subject(before: str, lexicon: Lexicon) -> str:
    """The concept or content word closest before the number ("age < 55": age, not an earlier Ki-67)."""
    best_pos, subject = -1, ""
    for m in lexicon.pattern.finditer(before):
        if m.end() > best_pos:
            best_pos, subject = m.end(), lexicon.form_to_group[m.group(1)]
    for m in _WORD.finditer(before):
        if m.group(0) not in _FILLER and m.end() > best_pos:
            best_pos, subject = m.end(), m.group(0)
    return subject


def find_conflicts(citations: list[Citation], lexicon: Lexicon) -> tuple[Conflict, ...]:
    """Citations from different documents giving different values for one subject and unit, about the same
    treatment (or grading, or both about nothing named)."""
    seen: dict[tuple[str, str, str], list[tuple[Citation, Quantity]]] = {}
    for c in citations:
        about = topic(c.section, c.text, lexicon)
        for q in quantities(c.text, lexicon):
            seen.setdefault((q.subject, q.unit, about), []).append((c, q))
    conflicts = []
    for (subject, unit, _), mentions in seen.items():
        by_doc: dict[str, tuple[Citation, Quantity]] = {}
        for c, q in mentions:
            by_doc.setdefault(c.doc_id, (c, q))
        if len(by_doc) < 2 or len({q.number for _, q in by_doc.values()}) < 2:
            continue
        pairs = sorted(by_doc.values(), key=lambda cq: cq[1].number)
        conflicts.append(Conflict(
            topic=f"{subject.replace('_', ' ')} ({unit})",
            statements=tuple(c for c, _ in pairs),
            values=tuple(f"{q.value} ({c.document})" for c, q in pairs),
            thresholds=all(q.limit for _, q in pairs),
        ))
    return tuple(conflicts)
