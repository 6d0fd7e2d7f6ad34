"""Tri-state evaluation (met / not_met / unknown) of the declared criteria against PatientFacts, including the
derived readings the criteria rely on (effective grade). A missing fact is UNKNOWN, never a default."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .criteria import SETS, AllOf, AnyOf, Cond, CriteriaSet, Criterion
from .facts import SPEC, Fact, PatientFacts


class Verdict(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


SET_BY_ID: dict[str, CriteriaSet] = {s.id: s for s in SETS}
GRADES = ("G1", "G2", "G3")
PROGRESSIVE = "progressive now, so not stable"
VIRTUAL = {"grade": "grade (higher of stated and Ki-67 grade)", "grade_concordant": "stated grade = Ki-67 grade"}
# An unspecific value stands for any of these (so "portal vein thrombosis" is neither "main" nor "not main").
REFINE = {"portal_vein_thrombosis": {"unspecified": ("branch", "main")},
          "primary_site": {"colon": ("colon_proximal", "colon_distal")}}


# ---- reading facts, including the three derived readings the criteria rely on ---------------------------------------
def ki67_grades(ki67: Fact | None) -> tuple[str, ...]:
    """WHO 2017 grades a Ki-67 value allows (003:62: G1 < 3 %, G2 3-20 %, G3 > 20 %); "<5 %" allows G1 and G2."""
    if ki67 is None:
        return ()
    lo, hi, lo_open, hi_open = ki67.interval()
    out = []
    if lo < 3:
        out.append("G1")
    if hi >= 3 and lo <= 20 and not (hi == 3 and hi_open) and not (lo == 20 and lo_open):
        out.append("G2")
    if hi > 20:
        out.append("G3")
    return tuple(out)


def effective_grade(facts: PatientFacts) -> Fact | None:
    """The higher of the stated grade and the Ki-67 grade (001:45); poorly differentiated counts as G3 (001:45)."""
    sources = [(f, (f.value,)) for f in (facts.grade,) if f is not None]
    if facts.ki67_pct is not None and ki67_grades(facts.ki67_pct):
        sources.append((facts.ki67_pct, ki67_grades(facts.ki67_pct)))
    if facts.differentiation is not None and facts.differentiation.value == "poor":
        sources.append((facts.differentiation, ("G3",)))
    if not sources:
        return None
    grades = sorted({max(combo, key=GRADES.index) for combo in itertools.product(*(g for _, g in sources))},
                    key=GRADES.index)
    decider = max(sources, key=lambda s: max(GRADES.index(g) for g in s[1]))[0]
    value = grades[0] if len(grades) == 1 else tuple(grades)
    return Fact(value, decider.span, note="higher of the stated and the Ki-67 grade (001:45)")


def lookup(facts: PatientFacts, name: str) -> Fact | None:
    if name == "grade":
        return effective_grade(facts)
    if name == "grade_concordant":
        cands = ki67_grades(facts.ki67_pct)
        if facts.grade is None or not cands or (facts.grade.value in cands and len(cands) > 1):
            return None
        return Fact(facts.grade.value in cands, facts.grade.span)
    if name == "stable_disease_months" and facts.progressive is not None and facts.progressive.value is True:
        return Fact(0.0, facts.progressive.span, note=PROGRESSIVE)
    return facts.get(name)


# ---- tri-state tests ----------------------------------------------------------------------------------------------
def _compare(iv: tuple[float, float, bool, bool], op: str, t: Any) -> Verdict:
    lo, hi, lo_open, hi_open = iv
    met, not_met = {
        "<": (hi < t or (hi == t and hi_open), lo >= t),
        "<=": (hi <= t, lo > t or (lo == t and lo_open)),
        ">": (lo > t or (lo == t and lo_open), hi <= t),
        ">=": (lo >= t, hi < t or (hi == t and hi_open)),
    }[op] if op != "between" else (lo >= t[0] and hi <= t[1], hi < t[0] or (hi == t[0] and hi_open) or lo > t[1]
                                   or (lo == t[1] and lo_open))
    return Verdict.MET if met else Verdict.NOT_MET if not_met else Verdict.UNKNOWN


def _candidates(name: str, fact: Fact) -> tuple[Any, ...]:
    if isinstance(fact.value, tuple):
        return fact.value
    return REFINE.get(name, {}).get(fact.value, (fact.value,))


def evaluate(cond: Cond, facts: PatientFacts) -> Verdict:
    """Kleene logic: AllOf fails on one NOT_MET, AnyOf holds on one MET; otherwise UNKNOWN propagates."""
    if isinstance(cond, AllOf | AnyOf):
        verdicts = [evaluate(c, facts) for c in cond.conds]
        decisive, other = (Verdict.NOT_MET, Verdict.MET) if isinstance(cond, AllOf) else (Verdict.MET, Verdict.NOT_MET)
        if decisive in verdicts:
            return decisive
        return other if all(v is other for v in verdicts) else Verdict.UNKNOWN
    if cond.op == "always":
        return Verdict.MET
    fact = lookup(facts, cond.field)
    if fact is None:
        return Verdict.UNKNOWN
    if cond.op == "known":
        return Verdict.MET
    if cond.op in ("<", "<=", ">", ">=", "between"):
        return _compare(fact.interval(), cond.op, cond.threshold)
    allowed = set(cond.threshold) if cond.op == "in" else {cond.threshold}
    cands = set(_candidates(cond.field, fact))
    return Verdict.MET if cands <= allowed else Verdict.NOT_MET if not cands & allowed else Verdict.UNKNOWN


def render(cond: Cond) -> str:
    """The threshold in words, from the declaration itself (never written twice)."""
    if isinstance(cond, AllOf | AnyOf):
        return (" and " if isinstance(cond, AllOf) else " or ").join(render(c) for c in cond.conds)
    spec = SPEC.get(cond.field)
    label, unit = (spec.label, f" {spec.unit}" if spec.unit else "") if spec else (VIRTUAL.get(cond.field, cond.field), "")
    if cond.op in ("==", "in") and isinstance(cond.threshold, bool):
        return f"{label}: {'yes' if cond.threshold else 'no'}"
    if cond.op == "in":
        return f"{label} is {' or '.join(map(str, cond.threshold))}"
    if cond.op == "between":
        return f"{label} {cond.threshold[0]}–{cond.threshold[1]}{unit}"
    return f"{label} {cond.op} {cond.threshold}{unit}".replace("==", "=")


def threshold_text(cr: Criterion) -> str:
    """The criterion's threshold as shown: its own wording when the test alone would mislead, else the test."""
    return cr.shown or render(cr.test)


def _shown(value: Any) -> Any:
    if isinstance(value, tuple):
        return " or ".join(value)
    return int(value) if isinstance(value, float) and math.isfinite(value) and value.is_integer() else value


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: Criterion
    verdict: Verdict
    value: Any                      # the patient's value(s) read (field -> value when several), None if unknown

    @property
    def threshold(self) -> str:
        return threshold_text(self.criterion)

    @property
    def set(self) -> CriteriaSet:
        return SET_BY_ID[self.criterion.set_id]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.criterion.id, "set": self.criterion.set_id, "verdict": self.verdict.value,
                "value": self.value, "threshold": self.threshold, "source": self.criterion.source.to_dict()}

    def explain(self) -> str:
        shown = "unknown" if self.value is None else self.value
        return (f"{self.criterion.id} {self.threshold}: {shown} -> {self.verdict.value} "
                f"({self.set.version}, {self.criterion.source.cite()})")


def evaluate_criterion(cr: Criterion, facts: PatientFacts) -> CriterionResult:
    known = {name: lookup(facts, name) for name in cr.fields}
    shown = {k: "progressive" if f.note == PROGRESSIVE else _shown(f.display()) for k, f in known.items() if f}
    value = next(iter(shown.values())) if len(cr.fields) == 1 and shown else (shown or None)
    return CriterionResult(cr, evaluate(cr.test, facts), value)


def evaluate_all(facts: PatientFacts) -> tuple[CriterionResult, ...]:
    return tuple(evaluate_criterion(cr, facts) for s in SETS for cr in s.criteria)
