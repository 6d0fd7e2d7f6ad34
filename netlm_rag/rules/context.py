"""Clause context around a match: clause and sentence bounds, negation, hedging, and "is this a patient?"."""
from __future__ import annotations

import re
from collections.abc import Collection

_BOUNDARY = re.compile(r"[;:!?\n]|[.,](?!\d)|\b(?:but|however|although|and|because|due\s+to|given|since|as|"
                       r"owing|with|apart\s+from|except)\b", re.I)
_NEG_BEFORE = re.compile(r"\b(?:no|not|without|absence\s+of|absent|negative\s+for|free\s+of|denies|denied|never|"
                         r"nor|excluded|ruled\s+out)\b(?:\W+\w+){0,3}?\W*$", re.I)
_NEG_AFTER = re.compile(r"^\W{0,3}(?:(?:is|was|were|are|has\s+been|have\s+been)\s+)?(?:excluded|absent|none|"
                        r"not\s+(?:seen|present|detected|identified|found)|negative|ruled\s+out)\b", re.I)
_NO_AFTER = re.compile(r"^\s*[:=–-]\s*(?:no|none|absent|negative)\b(?!\s+\w)", re.I)   # "PVT: no", "EHD - none"
_HEDGE_BEFORE = re.compile(r"(?:\b(?:possible|possibly|probable|probably|suspected|suspicious|suspicion|"
                           r"questionable|equivocal|indeterminate|likely|may|might|if|unless|query|r/o)\b|\?)"
                           r"(?:\W+\w+){0,3}?\W*$", re.I)
_HEDGE_AFTER = re.compile(r"^\W{0,3}(?:\?|(?:cannot|can't|could\s+not)\s+be\s+(?:excluded|ruled\s+out)|"
                          r"(?:is\s+)?(?:suspected|possible|questionable))", re.I)
_ANCHOR = re.compile(r"\b(?:patient|pt|man|woman|gentleman|lady|boy|girl|he|she|his|her|mr|mrs|ms|y/?o|"
                     r"presents?|presented|(?:a|an|this|my|our)\s+(?:[\w-]+\s+){0,4}?"
                     r"(?:net|tumou?r|case|male|female|carcinoid|nec|primary))\b", re.I)
_QUESTION = re.compile(r"\s*(?:is|are|can|could|does|do|should|would|what|which|how|when|why|where)\b", re.I)
_GENERIC = re.compile(r"\b(?:patients|tumou?rs|nets|necs|nelms?|cases|those|criteria|guidelines?|thresholds?|"
                      r"cut-?offs?|studies|trials?|recommendations?)\b", re.I)


def sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """Like clause, but only . ; and line ends cut: "2 lesions of 1.5 and 2.5 cm", "PET, which showed uptake"."""
    before = re.split(r"[;\n]|\.(?!\d)", text[max(0, start - 80):start])[-1]
    return before, re.split(r"[;\n]|\.(?!\d)", text[end:end + 80])[0]


def clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause around a match: text back to the last boundary, and on to the next one."""
    before = text[max(0, start - 80):start]
    cuts = list(_BOUNDARY.finditer(before))
    before = before[cuts[-1].end():] if cuts else before
    after = text[end:end + 80]
    cut = _BOUNDARY.search(after)
    return before, after[:cut.start()] if cut else after


def is_negated(text: str, start: int, end: int) -> bool:
    """ "no extrahepatic disease", "PVT excluded", "PVT: no": a negation word in the clause around the match."""
    before, after = clause(text, start, end)
    return bool(_NEG_BEFORE.search(before) or _NEG_AFTER.match(after) or _NO_AFTER.match(text[end:end + 20]))


def is_hedged(text: str, start: int, end: int) -> bool:
    """ "possible bone mets", "PVT cannot be excluded": stated as uncertain or conditional, so not a fact."""
    before, after = clause(text, start, end)
    return bool(_HEDGE_BEFORE.search(before) or _HEDGE_AFTER.match(after))


# Plural or collective words: a statement made with them is about the literature, not about one patient.
_GENERIC_PLURAL = re.compile(r"\b(?:patients|tumou?rs|p?nets|necs|nelms|cases|those|criteria|guidelines?|thresholds|"
                             r"cut-?offs|studies|trials|recommendations|reviews?)\b", re.I)
# A colon ends a segment as a full stop does ("Main portal vein thrombosis, NELM 40%: can we do TARE?" states a case,
# then asks), except right before a digit, as inside a time or a ratio ("10:30", "2:1"; "Ki-67: 8%" is cut).
_SEGMENT = re.compile(r"[^.?!;:\n]+(?:[.:](?=\d)[^.?!;:\n]*)*[.?!;:\n]*")


def _is_statement(segment: str) -> bool:
    """Not a question (no '?' at its end, no question word at its start) and no plural or collective word
    ("Prior Whipple for pNET, now bilobar G2 NELM.")."""
    return bool(segment.strip()) and "?" not in segment and not _QUESTION.match(segment) and \
        not _GENERIC_PLURAL.search(segment)


def is_vignette(text: str, fields: Collection[str], spans: Collection[tuple[int, int]] = ()) -> bool:
    """A patient is described if one is named, if facts (`fields` read, at `spans`) are stated in a sentence that
    is not a question about the literature, or if they come without the words of a general question."""
    if not fields:
        return False
    if "age" in fields or "sex" in fields or _ANCHOR.search(text):
        return True
    segments = list(_SEGMENT.finditer(text))
    statements = [(m.start(), m.end()) for m in segments if _is_statement(m.group(0))]
    if any(a <= s < b for s, _ in spans for a, b in statements) and len(statements) < len(segments):
        return True      # a described case followed by its question
    return not (_GENERIC.search(text) or _QUESTION.match(text))
