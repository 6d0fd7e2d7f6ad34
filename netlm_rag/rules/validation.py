"""Validation of form/JSON values: enum spellings, yes/no words, qualified numbers ("<2", "5-10 %") and range
checks. One raw value in, a Fact or the reason it is not used out."""
from __future__ import annotations

import re
from typing import Any

from .schema import Fact, FieldSpec, range_reason

# Spellings accepted for enum fields in forms and JSON (the free-text parser has its own, wider patterns).
ALIASES: dict[str, dict[str, str]] = {
    "grade": {"1": "G1", "2": "G2", "3": "G3", "i": "G1", "ii": "G2", "iii": "G3"},
    "differentiation": {"well-differentiated": "well", "well differentiated": "well", "moderate": "well",
                        "moderately differentiated": "well", "poorly differentiated": "poor", "nec": "poor"},
    "sex": {"f": "female", "m": "male", "woman": "female", "man": "male"},
    "portal_vein_thrombosis": {"false": "none", "no": "none", "true": "unspecified", "yes": "unspecified"},
    "primary_site": {"ileum": "small_bowel", "ileal": "small_bowel", "jejunum": "small_bowel",
                     "small bowel": "small_bowel", "si": "small_bowel", "pancreatic": "pancreas",
                     "gastric": "stomach", "duodenal": "duodenum", "rectal": "rectum", "colonic": "colon",
                     "bronchial": "lung", "appendiceal": "appendix", "caecum": "colon_proximal",
                     "cecum": "colon_proximal", "unknown primary": "unknown"},
}
_QUALIFIED = re.compile(r"^\s*(<=|>=|≤|≥|<|>)?\s*(\d+(?:[.,]\d+)?)\s*(?:(?:-|–|to)\s*(\d+(?:[.,]\d+)?))?\s*%?\s*$")
_TRUE, _FALSE = {"true", "yes", "y", "1", "present", "positive"}, {"false", "no", "n", "0", "absent", "negative"}


def validate(spec: FieldSpec, raw: Any) -> tuple[Fact | None, str | None]:
    """Raw form/JSON value -> (Fact without span, None) or (None, reason)."""
    if spec.kind == "bool":
        word = str(raw).strip().lower()
        if isinstance(raw, bool) or word in _TRUE | _FALSE:
            return Fact(raw if isinstance(raw, bool) else word in _TRUE), None
        return None, f"{spec.label} must be true or false, got {raw!r}"
    if spec.kind == "enum":
        word = str(raw).strip().lower().replace("_", " ") if not isinstance(raw, bool) else str(raw).lower()
        for choice in spec.choices:
            if word in (choice.lower(), choice.lower().replace("_", " ")):
                return Fact(choice), None
        if word in ALIASES.get(spec.name, {}):
            return Fact(ALIASES[spec.name][word]), None
        return None, f"{spec.label} must be one of {', '.join(spec.choices)}, got {raw!r}"
    return _validate_number(spec, raw)


def _validate_number(spec: FieldSpec, raw: Any) -> tuple[Fact | None, str | None]:
    qualifier, low = "", None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None, f"{spec.label} must be a number, got {raw!r}"
    if isinstance(raw, str):
        m = _QUALIFIED.match(raw)
        if not m:
            return None, f"{spec.label} must be a number such as 8 or <2, got {raw!r}"
        op, a, b = m.groups()
        qualifier = {"≤": "<=", "≥": ">="}.get(op or "", op or "")
        value = float(a.replace(",", "."))
        if b is not None:
            low, value = value, float(b.replace(",", "."))
    else:
        value = float(raw)
    reason = range_reason(spec, value) or (range_reason(spec, low) if low is not None else None)
    if reason:
        return None, reason
    if low is not None and low > value:
        return None, f"{spec.label} range must go low to high, got {raw!r}"
    return Fact(int(value) if spec.kind == "int" else value, qualifier=qualifier, low=low), None
