"""Per-option verdicts (eligible / caution / contraindicated / insufficient data) from the criterion results,
and the actions due for the options that are not contraindicated."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .criteria import ACT, CA, CI, EXC, OPTIONS, REQ, SETS, SUP, Criterion
from .evaluation import CriterionResult, Verdict
from .facts import SPEC

ELIGIBLE, CAUTION, CONTRAINDICATED, INSUFFICIENT = "eligible", "caution", "contraindicated", "insufficient_data"
CRITERIA_BY_ID: dict[str, Criterion] = {cr.id: cr for s in SETS for cr in s.criteria}


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
