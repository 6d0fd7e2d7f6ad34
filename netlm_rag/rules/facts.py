"""Patient facts: the record the rules read, built from form/JSON values, derived and merged. No free-text parsing
here (that is parser.py).

A missing fact is None, never a default: the engine turns it into UNKNOWN (STYLE §6.7 rule 12).
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import BadInput
from .schema import BILIRUBIN_UMOL_PER_MG_DL, SITES, SPEC, SPECS, Fact, FieldSpec, TextSpan, range_reason
from .validation import ALIASES, validate

DERIVED = "derived from "           # Fact.note prefix of facts inferred from another fact; re-derived on merge


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

    def is_case(self) -> bool:
        """The text describes a patient: two facts or more. One alone ("... after progression on SSA?") is as
        often a question about the literature. Derived facts do not count: "pNET" gives a primary site and its
        portal drainage, yet describes no one."""
        stated = [n for n in self.present() if not (self.get(n).note or "").startswith(DERIVED)]  # type: ignore[union-attr]
        return len(stated) >= 2

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


__all__ = ["PatientFacts", "InvalidValue", "ParsedFacts", "facts_from_dict", "derive", "merge_facts", "DERIVED",
           "PORTAL_DRAINED", "Fact", "TextSpan", "FieldSpec", "SPEC", "SPECS", "SITES", "BILIRUBIN_UMOL_PER_MG_DL",
           "range_reason", "validate", "ALIASES"]
