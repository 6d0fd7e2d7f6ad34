"""Tri-state evaluation (met / not_met / unknown) of the declared criteria, and the per-option verdicts, conflicts
and required actions built from them. Pure functions of PatientFacts; a missing fact is UNKNOWN, never a default.

The engine's entry points, one step per module: evaluation.py (criterion results), verdicts.py (option verdicts and
actions), conflicts.py (sources that disagree).
"""
from __future__ import annotations

from .conflicts import RuleConflict, conflicts
from .evaluation import (GRADES, PROGRESSIVE, REFINE, SET_BY_ID, VIRTUAL, CriterionResult, Verdict, effective_grade,
                         evaluate, evaluate_all, evaluate_criterion, ki67_grades, lookup, render)
from .verdicts import (CAUTION, CONTRAINDICATED, CRITERIA_BY_ID, ELIGIBLE, INSUFFICIENT, Action, OptionVerdict, actions,
                       by_topic, option_verdict, option_verdicts, stance, topic_outcome)

__all__ = ["Verdict", "CriterionResult", "OptionVerdict", "RuleConflict", "Action", "evaluate_all", "option_verdicts",
           "conflicts", "actions", "evaluate", "lookup", "effective_grade", "ki67_grades", "render", "stance",
           "ELIGIBLE", "CAUTION", "CONTRAINDICATED", "INSUFFICIENT", "evaluate_criterion", "option_verdict",
           "topic_outcome", "by_topic", "VIRTUAL", "REFINE", "GRADES", "PROGRESSIVE", "SET_BY_ID", "CRITERIA_BY_ID"]
