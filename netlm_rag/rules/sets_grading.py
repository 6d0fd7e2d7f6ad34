"""Criteria sets for grading: WHO 2017 by Ki-67, and the higher grade on discordance (classification, no option)."""
from __future__ import annotations

from .declarations import CLS, L, AllOf, CriteriaSet, c, cset

SETS: tuple[CriteriaSet, ...] = (
    cset("who-2017-grading", "WHO 2017 grading by Ki-67", "WHO 2017", "003", "003:62", (),
         c("GR-G1", "Grade 1: Ki-67 < 3 %", L("ki67_pct", "<", 3), "grading", CLS, 62, "Grade 1 (Ki-67 < 3%)"),
         c("GR-G2", "Grade 2: Ki-67 3-20 % (as stated, both ends in G2)", L("ki67_pct", "between", (3, 20)), "grading",
           CLS, 62, "2 tumors (Ki-67, 3%–20%)"),
         c("GR-G3", "Well-differentiated grade 3: Ki-67 > 20 %", L("ki67_pct", ">", 20), "grading", CLS, 62,
           "Well-differentiated grade 3 (Ki-67 > 20%) tumors are rare"),
         c("GR-NEC", "Neuroendocrine carcinoma: poorly differentiated with Ki-67 > 20 %",
           AllOf((L("differentiation", "==", "poor"), L("ki67_pct", ">", 20))), "grading", CLS, 62,
           "Tumors with poor differentiation and high Ki-67 (Ki-67 > 20%) are called neuroendocrine carcinoma")),
    cset("grade-discordance-gangi-2020", "Grade when grading indices disagree", "Gangi 2020", "001", "001:45", (),
         c("GR-HIGHER", "Stated grade agrees with the Ki-67 grade (if not, the higher grade is used everywhere)",
           L("grade_concordant", "==", True), "grading", CLS, 45,
           "if there is discordance, the higher grade is used to assign classification")),
)
