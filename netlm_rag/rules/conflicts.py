"""Conflicts between sources: versions of one requirement that disagree for this patient's value."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .criteria import OPTIONS, SUP
from .evaluation import CriterionResult
from .verdicts import by_topic, stance


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
