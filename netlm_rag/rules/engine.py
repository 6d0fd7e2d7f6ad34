"""Tri-state evaluation (met / not_met / unknown) of the declared criteria, and the per-option verdicts, conflicts
and required actions built from them. Pure functions of PatientFacts; a missing fact is UNKNOWN, never a default."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .criteria import ACT, CA, CI, EXC, OPTIONS, REQ, SETS, SUP, AllOf, AnyOf, Cond, CriteriaSet, Criterion
from .facts import SPEC, Fact, PatientFacts


class Verdict(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


ELIGIBLE, CAUTION, CONTRAINDICATED, INSUFFICIENT = "eligible", "caution", "contraindicated", "insufficient_data"
SET_BY_ID: dict[str, CriteriaSet] = {s.id: s for s in SETS}
CRITERIA_BY_ID: dict[str, Criterion] = {cr.id: cr for s in SETS for cr in s.criteria}
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
        return self.criterion.shown or render(self.criterion.test)

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


# ---- per-option verdicts ------------------------------------------------------------------------------------------
def stance(r: CriterionResult) -> str:
    """good / bad for the option, act (an action is due), unknown (a needed fact is missing) or none."""
    effect, v = r.criterion.effect, r.verdict
    if v is Verdict.UNKNOWN:
        return "unknown" if effect in (REQ, EXC) else "none"
    if effect in (REQ, EXC):
        return "good" if (v is Verdict.MET) == (effect == REQ) else "bad"
    if effect == SUP:
        return "good" if v is Verdict.MET else "none"
    return "act" if effect == ACT and v is Verdict.MET else "none"


def topic_outcome(results: list[CriterionResult]) -> tuple[str, str | None, tuple[CriterionResult, ...]]:
    """(state, severity, deciding results) for the versions of one requirement; state ok / bad / unknown / none."""
    bad = [r for r in results if stance(r) == "bad"]
    good = [r for r in results if stance(r) == "good"]
    if bad:
        severity = CI if any(r.criterion.severity == CI for r in bad) else CA
        if severity == CI and any(g.criterion.effect in (REQ, EXC) and g.criterion.severity == CI for g in good):
            severity = CA    # the patient falls between two versions: shown as a conflict, read as caution (§16)
        return "bad", severity, tuple(bad)
    missing = [r for r in results if stance(r) == "unknown" and r.criterion.essential]
    if missing:
        return "unknown", None, tuple(missing)
    return ("ok", None, tuple(good)) if good else ("none", None, ())


@dataclass(frozen=True, slots=True)
class OptionVerdict:
    option: str
    verdict: str                          # eligible | caution | contraindicated | insufficient_data
    criteria: tuple[CriterionResult, ...]  # the results that decided it
    not_checked: tuple[str, ...] = ()     # non-essential criteria left unknown (ids)

    def to_dict(self) -> dict[str, Any]:
        return {"option": self.option, "verdict": self.verdict, "criteria": [r.to_dict() for r in self.criteria]}

    def reason(self) -> str:
        """One line: what decided the verdict, grouped by requirement, with the corpus lines."""
        need = sorted({f for r in self.criteria if r.verdict is Verdict.UNKNOWN for f in r.criterion.fields})
        shown = [r for r in self.criteria if r.verdict is not Verdict.UNKNOWN]
        groups: dict[str, list[CriterionResult]] = {}
        for r in shown:
            groups.setdefault(r.criterion.topic, []).append(r)
        parts = []
        for rs in groups.values():
            name = rs[0].criterion.fields[0] if rs[0].criterion.fields else rs[0].criterion.topic
            value = next((r.value for r in rs if r.value is not None), None)
            cites = ", ".join(dict.fromkeys(f"{r.criterion.source.file[:3]}:{r.criterion.source.line}" for r in rs))
            limits = " / ".join(dict.fromkeys(r.threshold for r in rs))
            limits = rs[0].criterion.text if len(rs) == 1 and self.verdict != ELIGIBLE else limits
            label = SPEC[name].label if name in SPEC else name
            value = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            parts.append(f"{label} {value}: {limits} ({cites})" if value is not None else f"{limits} ({cites})")
        needs = ["needs " + ", ".join(SPEC[f].label if f in SPEC else f for f in need)] if need else []
        unchecked = sorted({SPEC[f].label for cid in self.not_checked for f in CRITERIA_BY_ID[cid].fields if f in SPEC})
        tail = f" (not checked: {', '.join(unchecked)})" if unchecked and self.verdict in (ELIGIBLE, CAUTION) else ""
        if self.verdict == ELIGIBLE:
            return "meets " + "; ".join(parts) + tail
        return ("; ".join(needs + parts) or "no patient facts bear on it") + tail


def by_topic(results: tuple[CriterionResult, ...], option: str) -> dict[str, list[CriterionResult]]:
    groups: dict[str, list[CriterionResult]] = {}
    for r in results:
        if option in r.criterion.options:
            groups.setdefault(r.criterion.topic, []).append(r)
    return groups


def option_verdict(option: str, results: tuple[CriterionResult, ...]) -> OptionVerdict:
    """Contraindicated > insufficient data > caution > eligible: an unknown essential fact is never assumed fine."""
    groups = by_topic(results, option)
    outcomes = [topic_outcome(rs) for rs in groups.values()]
    pick = lambda state, sev=None: tuple(r for s, v, rs in outcomes if s == state and (sev is None or v == sev)
                                         for r in rs)
    not_checked = tuple(r.criterion.id for rs in groups.values() for r in rs
                        if stance(r) == "unknown" and not r.criterion.essential)
    if pick("bad", CI):
        return OptionVerdict(option, CONTRAINDICATED, pick("bad", CI), not_checked)
    if pick("unknown") or not pick("ok") + pick("bad"):
        return OptionVerdict(option, INSUFFICIENT, pick("unknown") + pick("bad", CA), not_checked)
    if pick("bad", CA):
        return OptionVerdict(option, CAUTION, pick("bad", CA), not_checked)
    return OptionVerdict(option, ELIGIBLE, pick("ok"), not_checked)


def option_verdicts(results: tuple[CriterionResult, ...]) -> tuple[OptionVerdict, ...]:
    return tuple(option_verdict(o, results) for o in OPTIONS)


# ---- conflicts between sources, and required actions -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RuleConflict:
    """Sources that disagree on one requirement, where this patient's value makes the disagreement matter."""

    topic: str
    options: tuple[str, ...]
    results: tuple[CriterionResult, ...]

    @property
    def value(self) -> Any:
        return next((r.value for r in self.results if r.value is not None), None)

    def text(self) -> str:
        parts = [f"{r.threshold} {'supports' if r.criterion.effect == SUP else r.verdict.value.replace('_', ' ')} "
                 f"({r.set.name}, {r.criterion.source.cite()})" for r in self.results]
        value = {True: "yes", False: "no"}.get(self.value, self.value) if isinstance(self.value, bool) else self.value
        return f"{self.topic}: patient {value}; the sources disagree: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "options": list(self.options), "value": self.value, "text": self.text(),
                "versions": [{"criterion": r.criterion.id, "set": r.criterion.set_id, "doc_id": r.criterion.source.doc_id,
                              "threshold": r.threshold, "verdict": r.verdict.value, "stance": stance(r),
                              "source": r.criterion.source.to_dict()} for r in self.results]}


def conflicts(results: tuple[CriterionResult, ...]) -> tuple[RuleConflict, ...]:
    """A topic conflicts when one source's version goes against the option (or asks for an action) and another
    source's version is for it, for this patient: Ki-67 8 % fails < 5 % (000:69) but meets < 10 % (001:83)."""
    found: dict[str, tuple[set[str], dict[str, CriterionResult]]] = {}
    for option in OPTIONS:
        for topic, rs in by_topic(results, option).items():
            against = [r for r in rs if stance(r) in ("bad", "act")]
            for_ = [r for r in rs if stance(r) == "good"]
            if {r.criterion.set_id for r in against} - {r.criterion.set_id for r in for_} and for_:
                opts, members = found.setdefault(topic, (set(), {}))
                opts.add(option)
                members.update({r.criterion.id: r for r in against + for_})
    return tuple(RuleConflict(t, tuple(o for o in OPTIONS if o in opts), tuple(m.values()))
                 for t, (opts, m) in found.items())


@dataclass(frozen=True, slots=True)
class Action:
    result: CriterionResult
    options: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.result.criterion.text, "options": list(self.options),
                "criterion": self.result.criterion.id, "source": self.result.criterion.source.to_dict()}


def actions(results: tuple[CriterionResult, ...], verdicts: tuple[OptionVerdict, ...]) -> tuple[Action, ...]:
    """What must be done if an option is pursued (e.g. periprocedural octreotide); none for excluded options."""
    excluded = {v.option for v in verdicts if v.verdict == CONTRAINDICATED}
    out = []
    for r in results:
        if r.criterion.effect == ACT and r.verdict is Verdict.MET:
            opts = tuple(o for o in r.criterion.options if o not in excluded)
            if opts:
                out.append(Action(r, opts))
    return tuple(out)


__all__ = ["Verdict", "CriterionResult", "OptionVerdict", "RuleConflict", "Action", "evaluate_all", "option_verdicts",
           "conflicts", "actions", "evaluate", "lookup", "effective_grade", "ki67_grades", "render", "stance",
           "ELIGIBLE", "CAUTION", "CONTRAINDICATED", "INSUFFICIENT"]
