"""Criteria sets as versioned declarations: each criterion names its set, the fields it reads, the test, and the
verbatim corpus line it comes from (criteria.md §1-§12, §16). Evaluation lives in engine.py; nothing here computes.

This module is the catalogue: every set, in the order of the docs page. The sets are declared per area in
sets_grading.py, sets_surgery.py, sets_liver_directed.py and sets_systemic.py, in the language of declarations.py.
"""
from __future__ import annotations

from . import sets_grading, sets_liver_directed, sets_surgery, sets_systemic
from .declarations import (ABL, ACT, CA, CHEMO, CI, CLS, DEB, DOCS, EXC, IA, LOW_GRADE, LT, MIDGUT, OPTIONS, PRRT, REQ,
                           RES, SSA, SUP, SURGERY, TAE, TARE, AllOf, AnyOf, Cond, CriteriaSet, Criterion, Leaf, Source,
                           L, c, leaves)

# grading, surgery (resection, debulking, transplant), ablation, intra-arterial, PRRT and systemic therapy
SETS: tuple[CriteriaSet, ...] = sets_grading.SETS + sets_surgery.SETS + sets_liver_directed.SETS + sets_systemic.SETS
CRITERIA: dict[str, Criterion] = {cr.id: cr for s in SETS for cr in s.criteria}


def criteria_sets() -> tuple[CriteriaSet, ...]:
    """All sets, in the order of the docs page (grading, surgery, transplant, ablation, arterial, systemic)."""
    return SETS


__all__ = ["SETS", "CRITERIA", "criteria_sets", "OPTIONS", "REQ", "EXC", "SUP", "CLS", "ACT", "CI", "CA", "MIDGUT",
           "DOCS", "Source", "Leaf", "AllOf", "AnyOf", "Cond", "leaves", "Criterion", "CriteriaSet", "L", "c",
           "LOW_GRADE", "RES", "DEB", "LT", "ABL", "TAE", "TARE", "IA", "SURGERY", "PRRT", "SSA", "CHEMO"]
