"""Patient facts: typed, range-checked values that remember where they came from. No free-text parsing here.

A missing fact is None, never a default: the engine turns it into UNKNOWN (STYLE §6.7 rule 12).
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar

from ..errors import BadInput

T = TypeVar("T")
BILIRUBIN_UMOL_PER_MG_DL = 17.1     # 1 mg/dL bilirubin = 17.1 µmol/L (molar mass 584.7 g/mol)
DERIVED = "derived from "           # Fact.note prefix of facts inferred from another fact; re-derived on merge


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Where a fact was read: text[start:end] == text (offsets into the string given to parse_facts)."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """One value. `span` None means typed in a form or JSON; `qualifier`/`low` keep "<2 %" and "5–10 %" honest."""

    value: T
    span: TextSpan | None = None
    qualifier: str = ""              # "", "<", "<=", ">", ">=": the true value relative to `value`
    low: float | None = None         # a stated range low–value
    note: str = ""

    def interval(self) -> tuple[float, float, bool, bool]:
        """(lo, hi, lo_open, hi_open) of the values this fact allows; "<2 %" allows [-inf, 2)."""
        v = float(self.value)  # type: ignore[arg-type]
        if self.low is not None:
            return (self.low, v, False, False)
        return {"<": (-math.inf, v, True, True), "<=": (-math.inf, v, True, False),
                ">": (v, math.inf, True, True), ">=": (v, math.inf, False, True)}.get(
                    self.qualifier, (v, v, False, False))

    def display(self) -> Any:
        if self.low is not None:
            return f"{_num(self.low)}–{_num(self.value)}"
        return f"{self.qualifier}{_num(self.value)}" if self.qualifier else _num(self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.display(), "source": self.span.to_dict() if self.span else "form"}


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What a PatientFacts field may hold; the range is what is physically possible, not what is normal."""

    name: str
    kind: str                        # "int" | "float" | "bool" | "enum"
    label: str
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()


SITES = ("small_bowel", "appendix", "colon_proximal", "midgut", "colon", "rectum", "pancreas", "stomach",
         "duodenum", "lung", "unknown")
SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("age", "int", "age", "years", 0, 120),
    FieldSpec("sex", "enum", "sex", choices=("female", "male")),
    FieldSpec("ki67_pct", "float", "Ki-67", "%", 0, 100),
    FieldSpec("grade", "enum", "grade", choices=("G1", "G2", "G3")),
    FieldSpec("differentiation", "enum", "differentiation", choices=("well", "poor")),
    FieldSpec("primary_site", "enum", "primary site", choices=SITES),
    FieldSpec("portal_drainage", "bool", "primary drained by the portal system"),
    FieldSpec("primary_resected", "bool", "primary tumour resected"),
    FieldSpec("primary_r0", "bool", "R0 resection of the primary"),
    FieldSpec("months_since_primary_resection", "float", "time since primary resection", "months", 0, 600),
    FieldSpec("liver_involvement_pct", "float", "liver involvement", "%", 0, 100),
    FieldSpec("lesion_count", "int", "number of liver lesions", "", 0, 1000),
    FieldSpec("lesion_size_cm", "float", "largest liver lesion", "cm", 0, 40),
    FieldSpec("bilobar", "bool", "bilobar disease"),
    FieldSpec("resectable", "bool", "liver metastases completely (R0) resectable"),
    FieldSpec("debulkable_pct", "float", "achievable debulking", "%", 0, 100),
    FieldSpec("flr_pct", "float", "future liver remnant", "%", 0, 100),
    FieldSpec("extrahepatic_disease", "bool", "extrahepatic disease"),
    FieldSpec("peritoneal_carcinomatosis", "bool", "peritoneal carcinomatosis"),
    FieldSpec("right_heart_failure", "bool", "right heart failure"),
    FieldSpec("carcinoid_heart_disease", "bool", "carcinoid heart disease"),
    FieldSpec("carcinoid_syndrome", "bool", "carcinoid syndrome"),
    FieldSpec("stable_disease_months", "float", "stable disease", "months", 0, 600),
    FieldSpec("progressive", "bool", "progressive disease now"),
    FieldSpec("progressive_on_ssa", "bool", "progressive on a somatostatin analogue"),
    FieldSpec("sstr_positive", "bool", "somatostatin receptor positive"),
    FieldSpec("portal_vein_thrombosis", "enum", "portal vein thrombosis",
              choices=("none", "branch", "main", "unspecified")),
    FieldSpec("bilirubin_mg_dl", "float", "bilirubin", "mg/dL", 0, 60),
    FieldSpec("hepatic_insufficiency", "bool", "hepatic insufficiency"),
    FieldSpec("renal_insufficiency", "bool", "renal insufficiency"),
    FieldSpec("bleeding_disorder", "bool", "bleeding disorder"),
    FieldSpec("poor_general_status", "bool", "poor general status"),
    FieldSpec("bilioenteric_anastomosis", "bool", "bilio-enteric anastomosis"),
    FieldSpec("prior_whipple", "bool", "previous pancreatoduodenectomy (Whipple)"),
    FieldSpec("near_large_vessel", "bool", "lesion next to a large vessel / hepatic vein"),
    FieldSpec("near_bile_duct", "bool", "lesion hilar or next to a major bile duct"),
    FieldSpec("subcapsular", "bool", "lesion at the liver surface"),
    FieldSpec("expected_postop_mortality_pct", "float", "expected postoperative mortality", "%", 0, 100),
)
SPEC = {s.name: s for s in SPECS}


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """Everything the rules read. Each field is a Fact or None (not known); build by hand with `PatientFacts.of`."""

    age: Fact[int] | None = None
    sex: Fact[str] | None = None
    ki67_pct: Fact[float] | None = None
    grade: Fact[str] | None = None
    differentiation: Fact[str] | None = None
    primary_site: Fact[str] | None = None
    portal_drainage: Fact[bool] | None = None
    primary_resected: Fact[bool] | None = None
    primary_r0: Fact[bool] | None = None
    months_since_primary_resection: Fact[float] | None = None
    liver_involvement_pct: Fact[float] | None = None
    lesion_count: Fact[int] | None = None
    lesion_size_cm: Fact[float] | None = None
    bilobar: Fact[bool] | None = None
    resectable: Fact[bool] | None = None
    debulkable_pct: Fact[float] | None = None
    flr_pct: Fact[float] | None = None
    extrahepatic_disease: Fact[bool] | None = None
    peritoneal_carcinomatosis: Fact[bool] | None = None
    right_heart_failure: Fact[bool] | None = None
    carcinoid_heart_disease: Fact[bool] | None = None
    carcinoid_syndrome: Fact[bool] | None = None
    stable_disease_months: Fact[float] | None = None
    progressive: Fact[bool] | None = None
    progressive_on_ssa: Fact[bool] | None = None
    sstr_positive: Fact[bool] | None = None
    portal_vein_thrombosis: Fact[str] | None = None
    bilirubin_mg_dl: Fact[float] | None = None
    hepatic_insufficiency: Fact[bool] | None = None
    renal_insufficiency: Fact[bool] | None = None
    bleeding_disorder: Fact[bool] | None = None
    poor_general_status: Fact[bool] | None = None
    bilioenteric_anastomosis: Fact[bool] | None = None
    prior_whipple: Fact[bool] | None = None
    near_large_vessel: Fact[bool] | None = None
    near_bile_duct: Fact[bool] | None = None
    subcapsular: Fact[bool] | None = None
    expected_postop_mortality_pct: Fact[float] | None = None

    def get(self, name: str) -> Fact | None:
        return getattr(self, name) if name in SPEC else None

    def present(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is not None)

    def to_dict(self) -> dict[str, Any]:
        return {name: self.get(name).to_dict() for name in self.present()}  # type: ignore[union-attr]

    @classmethod
    def of(cls, **values: Any) -> "PatientFacts":
        """Plain values in, Facts out; raises BadInput naming the first invalid value (facts_from_dict reports)."""
        parsed = facts_from_dict(values)
        if parsed.invalid:
            bad = parsed.invalid[0]
            raise BadInput(f"{bad.field}: {bad.reason}")
        return parsed.facts


@dataclass(frozen=True, slots=True)
class InvalidValue:
    """A value that was read or given but is impossible, ambiguous or unknown, and so is NOT used."""

    field: str
    value: Any
    reason: str
    span: TextSpan | None = None

    def to_dict(self) -> dict[str, Any]:
        value = self.value if isinstance(self.value, (int, float, str, bool, type(None))) else repr(self.value)
        return {"field": self.field, "value": value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ParsedFacts:
    facts: PatientFacts
    invalid: tuple[InvalidValue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"facts": self.facts.to_dict(), "invalid": [i.to_dict() for i in self.invalid]}


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


def range_reason(spec: FieldSpec, value: float) -> str | None:
    """Why a number cannot be right for this field, or None: "Ki-67 must be 0–100 %, got 150"."""
    if not math.isfinite(value) or (spec.lo is not None and value < spec.lo) or (
            spec.hi is not None and value > spec.hi):
        return f"{spec.label} must be {_num(spec.lo)}–{_num(spec.hi)} {spec.unit}".rstrip() + f", got {_num(value)}"
    if spec.kind == "int" and not float(value).is_integer():
        return f"{spec.label} must be a whole number, got {value}"
    return None


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


def facts_from_dict(d: Mapping[str, Any] | None) -> ParsedFacts:
    """JSON/form facts ({field: value} or {field: {"value": v}}) -> ParsedFacts; bad values are reported, not used."""
    if d is None:
        return ParsedFacts(PatientFacts())
    if not isinstance(d, Mapping):
        raise BadInput(f"facts must be a JSON object of field: value, got {type(d).__name__}")
    values: dict[str, Fact] = {}
    invalid: list[InvalidValue] = []
    for key, raw in d.items():
        if isinstance(raw, Mapping) and "value" not in raw:
            invalid.append(InvalidValue(str(key), repr(dict(raw))[:80], 'give a value or {"value": ...}'))
            continue
        raw = raw["value"] if isinstance(raw, Mapping) else raw
        name, raw = _convert_units(str(key), raw)
        if raw is None:
            continue                 # explicit null: not known
        if name not in SPEC:
            invalid.append(InvalidValue(str(key), raw, _unknown_field(str(key))))
            continue
        fact, reason = validate(SPEC[name], raw)
        if fact is None:
            invalid.append(InvalidValue(name, raw, reason or "invalid"))
        else:
            values[name] = fact
    return ParsedFacts(derive(PatientFacts(**values)), tuple(invalid))


def _convert_units(key: str, raw: Any) -> tuple[str, Any]:
    """Accept bilirubin in µmol/L from forms; everything downstream is mg/dL (the unit of 001:95)."""
    if key in ("bilirubin_umol_l", "bilirubin_µmol_l") and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return "bilirubin_mg_dl", round(raw / BILIRUBIN_UMOL_PER_MG_DL, 2)
    return key, raw


def _unknown_field(key: str) -> str:
    near = difflib.get_close_matches(key, list(SPEC) + ["bilirubin_umol_l"], n=1, cutoff=0.5)
    hint = f"; did you mean {near[0]}?" if near else ""
    return f"unknown field {key!r}{hint} (fields: PatientFacts)"


# Sites whose venous drainage goes to the portal vein (anatomy). Lung drains systemically; the rectum
# partly systemically, so it is left unknown rather than guessed. Milan/ENETS ask for portal drainage (000:69, 004:39).
PORTAL_DRAINED = {"small_bowel": True, "appendix": True, "colon_proximal": True, "midgut": True, "colon": True,
                  "pancreas": True, "stomach": True, "duodenum": True, "lung": False}


def derive(facts: PatientFacts) -> PatientFacts:
    """Fill facts that follow from others (portal drainage from the primary site); never overwrites a stated fact."""
    site = facts.primary_site
    if facts.portal_drainage is None and site is not None and site.value in PORTAL_DRAINED:
        drained = Fact(PORTAL_DRAINED[site.value], span=site.span, note=f"{DERIVED}primary site {site.value}")
        facts = replace(facts, portal_drainage=drained)
    return facts


def _underived(facts: PatientFacts) -> dict[str, Fact]:
    out = {}
    for name in facts.present():
        fact = facts.get(name)
        if fact is not None and not fact.note.startswith(DERIVED):
            out[name] = fact
    return out


def merge_facts(parsed: ParsedFacts | PatientFacts | None,
                override: ParsedFacts | PatientFacts | None) -> ParsedFacts:
    """Form/JSON facts complete or override parsed ones (override wins field by field); derivations are redone."""
    def split(x: ParsedFacts | PatientFacts | None) -> tuple[PatientFacts, tuple[InvalidValue, ...]]:
        if x is None:
            return PatientFacts(), ()
        return (x.facts, x.invalid) if isinstance(x, ParsedFacts) else (x, ())

    base, base_invalid = split(parsed)
    top, top_invalid = split(override)
    merged = {**_underived(base), **_underived(top)}
    return ParsedFacts(derive(PatientFacts(**merged)), base_invalid + top_invalid)
