"""Criteria sets for systemic therapy: PRRT, somatostatin analogues and chemotherapy."""
from __future__ import annotations

from .declarations import (ACT, CA, CHEMO, L, LOW_GRADE, MIDGUT, PRRT, REQ, SSA, SUP, SYNDROME, AllOf, CriteriaSet, c,
                           cset)

SETS: tuple[CriteriaSet, ...] = (
    # ---- PRRT (⚠ D34) ----
    cset("prrt-la-salvia-2016", "Peptide receptor radionuclide therapy", "La Salvia 2016", "000", "000:101", PRRT,
         c("PRRT-LS-SSTR", "Only for somatostatin-receptor-expressing NETs", L("sstr_positive", "==", True), "prrt.sstr",
           REQ, 101, "This therapy can be proposed only to patients with somatostatin receptor expressing NETs.")),
    cset("prrt-macedo-2013", "Peptide receptor radionuclide therapy", "Macedo 2013", "002", "002:113", PRRT,
         c("PRRT-MA-SSTR", "Tumours with positive somatostatin receptors", L("sstr_positive", "==", True), "prrt.sstr",
           REQ, 113, "tumors with positive somatostatin receptors, not candidates for surgery")),
    cset("prrt-enets-dermine-2019", "PRRT in the ENETS guidelines", "ENETS, as cited by Dermine 2019", "003", "003:140",
         PRRT,
         c("PRRT-DE-MIDGUT", "Midgut primary (pancreatic: no phase 3 trial, not yet recommended by ENETS)",
           L("primary_site", "in", MIDGUT), "prrt.site", REQ, 140, "ENETS guidelines recommend the use of PRRT in midgut "
           "NETs with metastases", sev=CA, essential=False),
         c("PRRT-DE-LINE", "Second line, after progression on a somatostatin analogue", L("progressive_on_ssa", "==", True),
           "prrt.line", REQ, 140, "as a second-line therapy after progression under somatostatin analogues", sev=CA,
           essential=False)),
    # ---- systemic therapy ----
    cset("ssa-la-salvia-2016", "Somatostatin analogues", "La Salvia 2016", "000", "000:113", SSA,
         c("SSA-LS-GRADE", "Well or moderately differentiated (G1/G2)", LOW_GRADE, "ssa.grade", REQ, 113,
           "In well- and moderately differentiated somatostatin receptor expressing NETs", sev=CA, essential=True),
         c("SSA-LS-SSTR", "Somatostatin-receptor expressing", L("sstr_positive", "==", True), "ssa.sstr", REQ, 113,
           "In well- and moderately differentiated somatostatin receptor expressing NETs", sev=CA, essential=True),
         c("SSA-LS-UNRES", "Standard of care when the metastases are not resectable", L("resectable", "==", False),
           "ssa.unresectable", REQ, 113, "standard of care in patients with metastasized, nonresectable midgut NETs",
           sev=CA, essential=False)),
    cset("ssa-syndrome-gangi-2020", "Somatostatin analogues for carcinoid syndrome", "Gangi 2020", "001", "001:109", SSA,
         c("SSA-GA-SYNDROME", "Carcinoid syndrome: SSAs are the mainstay of symptom control", SYNDROME, "ssa.syndrome",
           SUP, 109, "For patients with carcinoid syndrome, SSAs are the mainstay of treatment to control symptoms of "
           "hormone excess.")),
    cset("chemotherapy-nordic-cloyd-2020", "Chemotherapy choice in grade 3 by Ki-67", "NORDIC, as cited by Cloyd 2020",
         "004", "004:60", CHEMO,
         c("CH-CL-CAPTEM", "Well-differentiated G3 with Ki-67 < 55 %: capecitabine/temozolomide",
           AllOf((L("grade", "==", "G3"), L("differentiation", "==", "well"), L("ki67_pct", "<", 55))),
           "chemotherapy.regimen", ACT, 60, "grade 3 well-differentiated NETs with a Ki-67 index of <55% may be best "
           "treated with capecitabine/temozolomide"),
         c("CH-CL-PLATINUM", "Ki-67 > 55 %: platinum/etoposide", L("ki67_pct", ">", 55), "chemotherapy.regimen", ACT, 60,
           "tumors with Ki-67 index of >55% should be treated with platinum/etoposide")),
    cset("chemotherapy-la-salvia-2016", "Chemotherapy", "La Salvia 2016", "000", "000:139", CHEMO,
         c("CH-LS-NEC", "Standard of care for poorly differentiated (G3) NEC", L("differentiation", "==", "poor"),
           "chemotherapy.grade", SUP, 139, "chemotherapy is the standard of care for aggressive, poorly differentiated "
           "(G3), advanced, or metastatic NECs")),
    cset("chemotherapy-macedo-2013", "Chemotherapy", "Macedo 2013", "002", "002:123-125", CHEMO,
         c("CH-MA-LINE", "Not first-line non-surgical treatment for well-differentiated G1/G2 NETs",
           L("grade", "==", "G3"), "chemotherapy.grade", REQ, 125, "it is not considered the first line of the "
           "nonsurgical treatment", sev=CA, essential=True),
         c("CH-MA-PLAT", "High-grade undifferentiated tumours: platinum-based chemotherapy, first line",
           L("differentiation", "==", "poor"), "chemotherapy.regimen", ACT, 123, "Platinum based chemotherapy may be "
           "useful in patients with high grade undifferentiated tumors")),
)
