"""Deterministic clinical rules: patient facts -> criteria from the five reviews -> per-option verdicts, source
conflicts, required actions, and a check of the answer's claims. Decision support, not a guideline.

    check(text="62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?").to_dict()
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput
from .asked import AskedTopic, asked_criteria, asked_fields
from .claims import ClaimCheck, asked_options, check_answer, named_options
from .criteria import CRITERIA, OPTIONS, CriteriaSet, Criterion, Source, criteria_sets
from .engine import (CAUTION, CONTRAINDICATED, ELIGIBLE, INSUFFICIENT, Action, CriterionResult, OptionVerdict,
                     RuleConflict, Verdict, actions, conflicts, evaluate_all, option_verdicts)
from .facts import (SPEC, Fact, FieldSpec, InvalidValue, ParsedFacts, PatientFacts, TextSpan, facts_from_dict,
                    merge_facts)
from .parser import parse_facts, stated_values


@dataclass(frozen=True, slots=True)
class RuleReport:
    """Everything the rules say about one question: facts used, invalid values, verdicts, conflicts, actions."""

    facts: PatientFacts
    invalid: tuple[InvalidValue, ...]
    results: tuple[CriterionResult, ...]
    options: tuple[OptionVerdict, ...]
    conflicts: tuple[RuleConflict, ...]
    actions: tuple[Action, ...]
    answer_check: tuple[ClaimCheck, ...]
    asked: tuple[AskedTopic, ...] = ()   # a general question's criteria (no patient case): every review's version

    @property
    def has_facts(self) -> bool:
        """Any valid patient fact present (a plain question yields none, and then verdicts mean nothing)."""
        return bool(self.facts.present())

    def option(self, name: str) -> OptionVerdict:
        return next(o for o in self.options if o.option == name)

    def to_dict(self) -> dict[str, Any]:
        return {"facts": self.facts.to_dict(), "invalid": [i.to_dict() for i in self.invalid],
                "options": [o.to_dict() for o in self.options], "conflicts": [c.to_dict() for c in self.conflicts],
                "actions": [a.to_dict() for a in self.actions], "answer_check": [c.to_dict() for c in self.answer_check],
                "asked": [a.to_dict() for a in self.asked]}

    def summary(self) -> str:
        lines = []
        if self.has_facts:
            lines.append("Facts: " + "; ".join(_fact_line(n, self.facts.get(n)) for n in self.facts.present()))
        lines += [f"Not used: {i.field} = {i.value!r}: {i.reason}" for i in self.invalid]
        if self.has_facts:
            lines += [f"{o.option}: {o.verdict} — {o.reason()}" for o in self.options]
            lines += [f"Conflict: {c.text()}" for c in self.conflicts]
            lines += [f"Action ({', '.join(a.options)}): {a.result.criterion.text} [{a.result.criterion.source.cite()}]"
                      for a in self.actions]
        elif not self.invalid and not self.asked:
            lines.append("No patient facts found: no verdicts (give a vignette or facts).")
        if self.asked:
            lines.append("Criteria the reviews state for what the question asks:")
            lines += [a.text() for a in self.asked]
        lines += [f"Answer {c.status}: {c.claim[:120]} [{c.criterion}, {c.source.cite()}]"
                  for c in self.answer_check if c.status == "contradicts"]
        return "\n".join(lines)


def _fact_line(name: str, fact: Fact | None) -> str:
    value = fact.display() if fact is not None else None
    return f"{SPEC[name].label}: {({True: 'yes', False: 'no'}.get(value, value) if isinstance(value, bool) else value)}"


def patient_facts(text: str | None = None,
                  facts: PatientFacts | ParsedFacts | Mapping[str, Any] | None = None) -> ParsedFacts:
    """The vignette's facts with `facts` (form/JSON) overriding them, invalid values reported, as check() uses."""
    parsed = parse_facts(text) if isinstance(text, str) else ParsedFacts(PatientFacts())
    if facts is None or isinstance(facts, (PatientFacts, ParsedFacts)):
        override = facts
    elif isinstance(facts, Mapping):
        override = facts_from_dict(facts)
    else:
        raise BadInput(f"facts must be a JSON object or PatientFacts, got {type(facts).__name__}")
    return merge_facts(parsed, override)


def check(text: str | None = None, answer: str | None = None,
          facts: PatientFacts | ParsedFacts | Mapping[str, Any] | None = None,
          question: str | None = None) -> RuleReport:
    """Parse the vignette, let `facts` (form/JSON) override it, evaluate every option, check the answer's claims.
    Unless a patient is described, list the criteria the question (`question`, else `text`) asks about.
    Never raises on str input; a `facts` that is not a mapping or PatientFacts raises BadInput."""
    merged = patient_facts(text, facts)
    results = evaluate_all(merged.facts)
    verdicts = option_verdicts(results)
    has_facts = bool(merged.facts.present())
    return RuleReport(
        facts=merged.facts, invalid=merged.invalid, results=results, options=verdicts,
        conflicts=conflicts(results) if has_facts else (), actions=actions(results, verdicts) if has_facts else (),
        answer_check=check_answer(answer, {v.option: v for v in verdicts} if has_facts else None),
        # One number in a general question ("Max size for ablation: 3 cm or 5 cm?") is read as a fact, but no
        # patient is described: the question still gets every review's limit.
        asked=() if merged.facts.is_case() else asked_criteria(question if question is not None else text or ""))


__all__ = [
    "check", "patient_facts", "named_options", "asked_options", "asked_fields", "asked_criteria", "AskedTopic", "parse_facts", "stated_values", "facts_from_dict", "merge_facts", "criteria_sets", "CRITERIA", "OPTIONS",
    "RuleReport", "PatientFacts", "ParsedFacts", "Fact", "TextSpan", "InvalidValue", "FieldSpec", "SPEC",
    "Verdict", "CriterionResult", "OptionVerdict", "RuleConflict", "Action", "ClaimCheck", "CriteriaSet",
    "Criterion", "Source", "ELIGIBLE", "CAUTION", "CONTRAINDICATED", "INSUFFICIENT",
]
