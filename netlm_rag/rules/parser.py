"""Free-text vignette -> PatientFacts. Each fact keeps its span; impossible, hedged or contradictory values are
reported as invalid and not used. A plain question about the literature (no patient in it) yields no facts."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .facts import (BILIRUBIN_UMOL_PER_MG_DL, SPEC, Fact, InvalidValue, ParsedFacts, PatientFacts, TextSpan,
                    derive, range_reason)
from .patterns import CMP_WORDS, EXTRACTORS, MergePolicy, RawHit

MAX_CHARS = 20_000    # a vignette is a paragraph; longer input is read up to here (spans stay valid)

_BOUNDARY = re.compile(r"[.;:!?\n,]|\b(?:but|however|although|and|because|due\s+to|with|apart\s+from)\b", re.I)
_NEG_BEFORE = re.compile(r"\b(?:no|not|without|absence\s+of|absent|negative\s+for|free\s+of|denies|denied|never|"
                         r"nor|non|excluded|ruled\s+out)\b(?:\W+\w+){0,4}?\W*$", re.I)
_NEG_AFTER = re.compile(r"^\W{0,3}(?:(?:is|was|were|are|has\s+been|have\s+been)\s+)?(?:excluded|absent|none|"
                        r"not\s+(?:seen|present|detected|identified|found)|negative|ruled\s+out)\b", re.I)
_HEDGE_BEFORE = re.compile(r"(?:\b(?:possible|possibly|probable|probably|suspected|suspicious|suspicion|questionable|"
                           r"equivocal|indeterminate|likely|may|might|if|unless|query|rule\s+out|r/o)\b|\?)"
                           r"(?:\W+\w+){0,4}?\W*$", re.I)
_HEDGE_AFTER = re.compile(r"^\W{0,3}(?:\?|(?:cannot|can't|could\s+not)\s+be\s+(?:excluded|ruled\s+out)|"
                          r"(?:is\s+)?(?:suspected|possible|questionable))", re.I)
# Something that names one patient: an age or sex, a singular patient noun, "a/an/this/our ... NET".
_ANCHOR = re.compile(r"\b(?:patient|pt|man|woman|gentleman|lady|boy|girl|he|she|his|her|mr|mrs|ms|y/?o|"
                     r"presents?|presented|(?:a|an|this|my|our)\s+(?:[\w-]+\s+){0,4}?"
                     r"(?:net|tumou?r|case|male|female|carcinoid|nec|primary))\b", re.I)
# Words of a question about the literature in general ("patients with...", "what are the criteria").
_GENERIC = re.compile(r"\b(?:patients|tumou?rs|nets|necs|nelms?|cases|those|criteria|guidelines?|thresholds?|"
                      r"cut-?offs?|studies|trials?|recommendations?)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Hit:
    raw: RawHit
    negated: bool
    hedged: bool


def parse_facts(text: str) -> ParsedFacts:
    """Read facts from a vignette as clinicians type it. Never raises on a str."""
    if not isinstance(text, str) or not text.strip():
        return ParsedFacts(PatientFacts())
    text = text[:MAX_CHARS]
    hits = _unclaimed([_context(text, h) for extract in EXTRACTORS for h in extract(text)])
    if not _is_vignette(text, hits):
        return ParsedFacts(PatientFacts())
    values, invalid = _resolve(text, hits)
    return ParsedFacts(derive(PatientFacts(**values)), tuple(invalid))


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """Text from the last clause boundary before `start`, and up to the next boundary after `end`."""
    before = text[max(0, start - 80):start]
    cuts = list(_BOUNDARY.finditer(before))
    before = before[cuts[-1].end():] if cuts else before
    after = text[end:end + 60]
    cut = _BOUNDARY.search(after)
    return before, after[:cut.start()] if cut else after


def _context(text: str, raw: RawHit) -> _Hit:
    before, after = _clause(text, raw.start, raw.end)
    negated = bool(_NEG_BEFORE.search(before) or _NEG_AFTER.match(after)) if raw.negatable else False
    hedged = bool(_HEDGE_BEFORE.search(before) or _HEDGE_AFTER.match(after))
    return _Hit(raw, negated, hedged)


def _unclaimed(hits: list[_Hit]) -> list[_Hit]:
    """A number belongs to one field: the first extractor to read it (EXTRACTORS order) keeps it."""
    owner: dict[int, str] = {}
    kept = []
    for h in hits:
        claimed = [p for p in h.raw.claims if owner.get(p, h.raw.field) != h.raw.field]
        if claimed:
            continue
        for p in h.raw.claims:
            owner[p] = h.raw.field
        kept.append(h)
    return kept


def _is_vignette(text: str, hits: list[_Hit]) -> bool:
    """A patient is described if one is named, or if facts come without the words of a general question."""
    if not hits:
        return False
    if any(h.raw.field in ("age", "sex") for h in hits) or _ANCHOR.search(text):
        return True
    return not _GENERIC.search(text)


def _resolve(text: str, hits: list[_Hit]) -> tuple[dict[str, Fact], list[InvalidValue]]:
    by_field: dict[str, list[tuple[_Hit, Fact]]] = {}
    invalid: list[InvalidValue] = []
    for h in hits:
        fact, problem = _to_fact(text, h)
        if problem is not None:
            invalid.append(problem)
        elif fact is not None:
            by_field.setdefault(h.raw.field, []).append((h, fact))
    values = {}
    for name, found in by_field.items():
        fact, problem = _one_value(name, found)
        if fact is not None:
            values[name] = fact
        if problem is not None:
            invalid.append(problem)
    return values, invalid


def _to_fact(text: str, h: _Hit) -> tuple[Fact | None, InvalidValue | None]:
    raw = h.raw
    span = TextSpan(raw.start, raw.end, text[raw.start:raw.end])
    value = raw.negated_value if h.negated else raw.value
    if value is None:
        return None, None            # a negated mention that says nothing about this field ("no bone mets")
    if h.hedged:
        return None, InvalidValue(raw.field, value, f"hedged or conditional ({span.text!r}): not used; "
                                                    f"confirm it and enter it in the form", span)
    spec = SPEC[raw.field]
    if spec.kind in ("int", "float"):
        reason = range_reason(spec, float(value)) or (range_reason(spec, raw.low) if raw.low is not None else None)
        if reason:
            return None, InvalidValue(raw.field, value, f"{reason} ({span.text!r}): not used", span)
        value = int(value) if spec.kind == "int" else float(value)
    return Fact(value, span, raw.qualifier, raw.low, raw.note), None


def _one_value(name: str, found: list[tuple[_Hit, Fact]]) -> tuple[Fact | None, InvalidValue | None]:
    """Several mentions of one field: agree -> first; else the field's conservative policy, or reported."""
    facts = [f for _, f in found]
    if all(f.display() == facts[0].display() for f in facts):
        return facts[0], None
    policy = found[0][0].raw.policy
    if policy in (MergePolicy.MAX, MergePolicy.MIN):
        pick = (max if policy is MergePolicy.MAX else min)(facts, key=lambda f: float(f.value))
        why = "highest" if policy is MergePolicy.MAX else "lowest"
        return Fact(pick.value, pick.span, pick.qualifier, pick.low,
                    f"{why} of {len(facts)} values stated (the conservative reading)"), None
    shown = "; ".join(f"{f.display()!r} ({f.span.text!r})" for f in facts if f.span)
    return None, InvalidValue(name, facts[0].display(), f"the text gives conflicting values: {shown}; "
                                                        f"enter the right one in the form", facts[0].span)


def qualifier_of(word: str | None) -> str:
    """'less than' -> '<', 'at least' -> '>=', '~' -> '' (an approximate value is read as stated)."""
    return CMP_WORDS.get(re.sub(r"\s+", " ", (word or "").lower()).strip(), "")


def bilirubin_mg_dl(value: float, unit: str) -> float:
    """µmol/L -> mg/dL (1 mg/dL = 17.1 µmol/L); mg/dL unchanged."""
    return round(value / BILIRUBIN_UMOL_PER_MG_DL, 2) if "mol" in unit.lower() else value


Extractor = Callable[[str], Iterator[RawHit]]
__all__ = ["parse_facts", "MAX_CHARS", "Extractor", "qualifier_of", "bilirubin_mg_dl", "Any"]
