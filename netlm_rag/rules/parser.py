"""Free-text vignette -> ParsedFacts. Every fact keeps its span; impossible, hedged or contradictory values are
reported as invalid and not used. A general question about the literature (no patient in it) yields no facts.

The pieces: context.py (clause, negation, hedging), hits.py (RawHit and the extractor factories), extractors.py
(extractors with special handling) and patterns.py (the table, in reading order)."""
from __future__ import annotations

from .context import is_hedged, is_negated, is_vignette
from .facts import InvalidValue, ParsedFacts, PatientFacts, derive
from .hits import (CMP, CMP_WORDS, CONFLICT, FILL, MAX, MIN, MONTHS_PER, NUM, RANGE, WORD_NUM, WORDS, Extractor,
                   RawHit)
from .patterns import EXTRACTORS
from .schema import SPEC, Fact, TextSpan, range_reason

MAX_CHARS = 20_000   # a vignette is a paragraph; longer input is read up to here (spans stay valid)


def parse_facts(text: str) -> ParsedFacts:
    """Read facts from a vignette as clinicians type it. Never raises on a str."""
    if not isinstance(text, str) or not text.strip():
        return ParsedFacts(PatientFacts())
    text = text[:MAX_CHARS]
    hits = _unclaimed([h for extract in EXTRACTORS for h in extract(text)])
    if not is_vignette(text, {h.field for h in hits}, [(h.start, h.end) for h in hits]):
        return ParsedFacts(PatientFacts())
    found: dict[str, list[Fact]] = {}
    invalid: list[InvalidValue] = []
    for h in hits:
        fact, problem = _to_fact(text, h)
        if problem is not None:
            invalid.append(problem)
        elif fact is not None:
            found.setdefault(h.field, []).append(fact)
    values = {}
    for name, facts in found.items():
        fact, problem = _one_value(name, facts, next(h.policy for h in hits if h.field == name))
        if fact is not None:
            values[name] = fact
        if problem is not None:
            invalid.append(problem)
    return ParsedFacts(derive(PatientFacts(**values)), tuple(invalid))


def _unclaimed(hits: list[RawHit]) -> list[RawHit]:
    """One number, one field (the first extractor to read it); one stretch of text, one reading per field."""
    owner: dict[int, str] = {}
    kept: list[RawHit] = []
    for h in hits:
        if any(owner.get(p, h.field) != h.field for p in h.claims) or any(
                k.field == h.field and k.start < h.end and h.start < k.end for k in kept):
            continue
        owner.update({p: h.field for p in h.claims})
        kept.append(h)
    return sorted(kept, key=lambda k: k.start)


def stated_values(text: str) -> dict[str, Fact]:
    """Each field `text` names, with its first reading, without the vignette and hedging gates: the facts a
    hypothetical ("What if it were G3?", "what if she had bone mets?") puts in place of a vignette's. Impossible
    values are left out, as parse_facts leaves them."""
    if not isinstance(text, str):
        return {}
    text = text[:MAX_CHARS]
    out: dict[str, Fact] = {}
    for h in _unclaimed([h for extract in EXTRACTORS for h in extract(text)]):
        fact, _ = _to_fact(text, h, hedged=True)
        if fact is not None:
            out.setdefault(h.field, fact)
    return out


def _to_fact(text: str, raw: RawHit, hedged: bool = False) -> tuple[Fact | None, InvalidValue | None]:
    """`hedged`: read a hedged or conditional mention as stated (stated_values)."""
    span = TextSpan(raw.start, raw.end, text[raw.start:raw.end])
    negated = raw.negatable and is_negated(text, raw.start, raw.end)
    value = raw.negated_value if negated else raw.value
    if value is None and raw.note and not negated:
        return None, InvalidValue(raw.field, span.text, f"{raw.note} ({span.text!r}): not used", span)
    if value is None:
        return None, None            # a negated mention that says nothing about this field ("no bone mets")
    if not hedged and is_hedged(text, raw.start, raw.end):
        return None, InvalidValue(raw.field, value, f"hedged or conditional ({span.text!r}): not used; confirm it "
                                                    "and enter it in the form", span)
    spec = SPEC[raw.field]
    if spec.kind in ("int", "float"):
        reason = range_reason(spec, float(value)) or (range_reason(spec, raw.low) if raw.low is not None else None)
        if reason:
            return None, InvalidValue(raw.field, value, f"{reason} ({span.text!r}): impossible, not used", span)
        value = int(value) if spec.kind == "int" else float(value)
    return Fact(value, span, raw.qualifier, raw.low, raw.note), None


def _one_value(name: str, facts: list[Fact], policy: str) -> tuple[Fact | None, InvalidValue | None]:
    """Several mentions of one field: agreeing -> the first; else the field's conservative policy, or reported."""
    if all(f.display() == facts[0].display() for f in facts):
        return facts[0], None
    if policy in (MAX, MIN):
        pick = (max if policy == MAX else min)(facts, key=lambda f: float(f.value))
        why = "highest" if policy == MAX else "lowest"
        return Fact(pick.value, pick.span, pick.qualifier, pick.low,
                    f"{why} of {len(facts)} values stated (the conservative reading)"), None
    shown = "; ".join(f"{f.display()} ({f.span.text!r})" for f in facts if f.span)
    return None, InvalidValue(name, facts[0].display(), f"the text gives conflicting values: {shown}; enter the "
                                                        "right one in the form", facts[0].span)


__all__ = ["parse_facts", "stated_values", "EXTRACTORS", "MAX_CHARS", "RawHit", "Extractor", "MAX", "MIN", "CONFLICT", "NUM", "RANGE",
           "CMP", "FILL", "CMP_WORDS", "WORDS", "WORD_NUM", "MONTHS_PER"]
