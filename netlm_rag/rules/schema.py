"""The fact schema: a Fact value and the TextSpan it was read from, and the FieldSpec of every PatientFacts field
(kind, label, unit, the physically possible range)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
BILIRUBIN_UMOL_PER_MG_DL = 17.1     # 1 mg/dL bilirubin = 17.1 µmol/L (molar mass 584.7 g/mol)


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


def range_reason(spec: FieldSpec, value: float) -> str | None:
    """Why a number cannot be right for this field, or None: "Ki-67 must be 0–100 %, got 150"."""
    if not math.isfinite(value) or (spec.lo is not None and value < spec.lo) or (
            spec.hi is not None and value > spec.hi):
        return f"{spec.label} must be {_num(spec.lo)}–{_num(spec.hi)} {spec.unit}".rstrip() + f", got {_num(value)}"
    if spec.kind == "int" and not float(value).is_integer():
        return f"{spec.label} must be a whole number, got {value}"
    return None
