"""Criteria sets as versioned declarations: each criterion names its set, the fields it reads, the test, and the
verbatim corpus line it comes from (criteria.md §1-§12, §16). Evaluation lives in engine.py; nothing here computes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

OPTIONS = ("resection", "debulking", "liver_transplant", "ablation", "transarterial_embolization",
           "radioembolization", "prrt", "somatostatin_analogue", "chemotherapy")
REQ, EXC, SUP, CLS, ACT = "requires", "excludes", "supports", "classifies", "action"
CI, CA = "contraindicated", "caution"   # what going against a criterion means for its options
MIDGUT = ("small_bowel", "appendix", "colon_proximal", "midgut")   # jejunoileal + proximal colon (001:141)
DOCS = {  # short file id -> (doc_id, raw file, review)
    "000": ("la-salvia-2016", "000_01dc37210d749153.txt", "La Salvia 2016"),
    "001": ("gangi-2020", "001_a3724238ae1ebcdd.txt", "Gangi 2020"),
    "002": ("macedo-2013", "002_3bbd6a936a715321.txt", "Macedo 2013"),
    "003": ("dermine-2019", "003_30fc1aeda132754b.txt", "Dermine 2019"),
    "004": ("cloyd-2020", "004_c04c27215b2fa3eb.txt", "Cloyd 2020"),
}


@dataclass(frozen=True, slots=True)
class Source:
    """A verbatim quote: `quote` is a substring of line `line` (1-based) of corpus/raw/<file> (tested)."""

    doc_id: str
    file: str
    line: int
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "file": self.file, "line": self.line, "quote": self.quote}

    def cite(self) -> str:
        review = next(r for d, _, r in DOCS.values() if d == self.doc_id)
        return f"{review}, {self.file[:3]}:{self.line}"


@dataclass(frozen=True, slots=True)
class Leaf:
    field: str
    op: str            # < <= > >= between == in known always
    threshold: Any = None


@dataclass(frozen=True, slots=True)
class AllOf:
    conds: tuple["Cond", ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conds: tuple["Cond", ...]


Cond = Union[Leaf, AllOf, AnyOf]


def leaves(c: Cond) -> tuple[Leaf, ...]:
    return (c,) if isinstance(c, Leaf) else tuple(x for sub in c.conds for x in leaves(sub))


@dataclass(frozen=True, slots=True)
class Criterion:
    """One stated criterion. `effect` says how its verdict bears on `options`; `topic` groups the versions of the
    same requirement across sets, so that a patient between two thresholds is reported as a conflict."""

    id: str
    text: str
    test: Cond
    topic: str
    effect: str
    severity: str
    options: tuple[str, ...]
    source: Source
    set_id: str = ""
    essential: bool = True   # unknown -> the option cannot be judged (insufficient data)
    shown: str = ""          # threshold as shown, when the test alone would mislead

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(leaf.field for leaf in leaves(self.test) if leaf.op != "always"))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "set": self.set_id, "topic": self.topic, "effect": self.effect,
                "severity": self.severity, "options": list(self.options), "fields": list(self.fields),
                "essential": self.essential, "source": self.source.to_dict()}


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    id: str
    name: str
    version: str
    doc_id: str
    review: str
    year: int
    where: str                      # "000:69": file id and line(s) where the set is stated
    criteria: tuple[Criterion, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "version": self.version, "source": {
            "doc_id": self.doc_id, "review": self.review, "year": self.year, "where": self.where},
            "criteria": [c.to_dict() for c in self.criteria]}


def L(name: str, op: str, threshold: Any = None) -> Leaf:
    return Leaf(name, op, threshold)


def c(cid: str, text: str, test: Cond, topic: str, effect: str, line: int, quote: str, *, sev: str | None = None,
      opts: tuple[str, ...] | None = None, essential: bool | None = None, shown: str = "") -> dict[str, Any]:
    return dict(id=cid, text=text, test=test, topic=topic, effect=effect, severity=sev, line=line, quote=quote,
                opts=opts, essential=essential, shown=shown)


def _set(sid: str, name: str, version: str, fid: str, where: str, opts: tuple[str, ...], *rows: dict) -> CriteriaSet:
    doc_id, file, review = DOCS[fid]
    out = []
    for r in rows:
        essential = r["essential"] if r["essential"] is not None else (
            (r["severity"] or CI) == CI and r["effect"] in (REQ, EXC))
        severity = r["severity"] or (CI if r["effect"] in (REQ, EXC) else "")   # only requirements have one
        out.append(Criterion(r["id"], r["text"], r["test"], r["topic"], r["effect"], severity,
                             r["opts"] if r["opts"] is not None else opts, Source(doc_id, file, r["line"], r["quote"]),
                             sid, essential, r["shown"]))
    return CriteriaSet(sid, name, version, doc_id, review, int(review[-4:]), where, tuple(out))


LOW_GRADE = L("grade", "in", ("G1", "G2"))   # "grade": the higher of the stated and the Ki-67 grade (001:45)
RES, DEB, LT, ABL = ("resection",), ("debulking",), ("liver_transplant",), ("ablation",)
TAE, TARE, IA = ("transarterial_embolization",), ("radioembolization",), (
    "transarterial_embolization", "radioembolization")
SURGERY = ("resection", "debulking", "liver_transplant")
PRRT, SSA, CHEMO = ("prrt",), ("somatostatin_analogue",), ("chemotherapy",)
_PVT_ANY = L("portal_vein_thrombosis", "in", ("branch", "main", "unspecified"))
_NO_EHD, _RESECTED = L("extrahepatic_disease", "==", False), L("primary_resected", "==", True)
_DRAINED, _SYNDROME = L("portal_drainage", "==", True), L("carcinoid_syndrome", "==", True)
SETS: tuple[CriteriaSet, ...] = (
    # ---- grading (classification only: bears on no option directly) ----
    _set("who-2017-grading", "WHO 2017 grading by Ki-67", "WHO 2017", "003", "003:62", (),
         c("GR-G1", "Grade 1: Ki-67 < 3 %", L("ki67_pct", "<", 3), "grading", CLS, 62, "Grade 1 (Ki-67 < 3%)"),
         c("GR-G2", "Grade 2: Ki-67 3-20 % (as stated, both ends in G2)", L("ki67_pct", "between", (3, 20)), "grading",
           CLS, 62, "2 tumors (Ki-67, 3%–20%)"),
         c("GR-G3", "Well-differentiated grade 3: Ki-67 > 20 %", L("ki67_pct", ">", 20), "grading", CLS, 62,
           "Well-differentiated grade 3 (Ki-67 > 20%) tumors are rare"),
         c("GR-NEC", "Neuroendocrine carcinoma: poorly differentiated with Ki-67 > 20 %",
           AllOf((L("differentiation", "==", "poor"), L("ki67_pct", ">", 20))), "grading", CLS, 62,
           "Tumors with poor differentiation and high Ki-67 (Ki-67 > 20%) are called neuroendocrine carcinoma")),
    _set("grade-discordance-gangi-2020", "Grade when grading indices disagree", "Gangi 2020", "001", "001:45", (),
         c("GR-HIGHER", "Stated grade agrees with the Ki-67 grade (if not, the higher grade is used everywhere)",
           L("grade_concordant", "==", True), "grading", CLS, 45,
           "if there is discordance, the higher grade is used to assign classification")),
    # ---- curative resection ----
    _set("enets-resection-la-salvia-2016", "ENETS criteria for curative liver resection",
         "ENETS, as cited by La Salvia 2016", "000", "000:61", RES,
         c("RES-LS-GRADE", "Resectable G1-G2 liver disease", LOW_GRADE, "resection.grade", REQ, 61,
           "resectable G1-G2 liver disease"),
         c("RES-LS-HEART", "No right heart insufficiency", L("right_heart_failure", "==", False), "resection.heart", REQ,
           61, "absence of right heart insufficiency", essential=False),
         c("RES-LS-EHD", "No unresectable lymph-node or extra-abdominal metastases (any extrahepatic disease counts: "
           "its resectability is not recorded)", _NO_EHD, "resection.ehd", REQ, 61,
           "absence of unresectable lymph node and extra-abdominal metastases"),
         c("RES-LS-PC", "No diffuse or unresectable peritoneal carcinomatosis", L("peritoneal_carcinomatosis", "==", False),
           "resection.peritoneum", REQ, 61, "absence of diffuse or unresectable peritoneal carcinomatosis", essential=False),
         c("RES-LS-NEC", "G3 neuroendocrine carcinomas are usually not amenable to resection",
           L("differentiation", "==", "poor"), "resection.nec", EXC, 61,
           "Neuroendocrine carcinomas (NECs) that are G3 are usually not amenable to resection", essential=False)),
    _set("enets-resection-cloyd-2020", "ENETS indications for hepatic resection", "ENETS, as cited by Cloyd 2020",
         "004", "004:28", RES,
         c("RES-CL-R0", "R0 resection feasible", L("resectable", "==", True), "resection.r0", REQ, 28,
           "R0 resection feasible"),
         c("RES-CL-GRADE", "Grade 1 or 2", LOW_GRADE, "resection.grade", REQ, 28, "grade 1 or 2 tumors"),
         c("RES-CL-KI55", "High grade: acceptable outcomes in limited evidence when Ki-67 < 55 %", L("ki67_pct", "<", 55),
           "resection.grade", REQ, 28, "limited evidence suggests acceptable outcomes in high-grade tumors particularly "
           "when the Ki-67 <55%", opts=RES + DEB, essential=False),
         c("RES-CL-HEART", "No right heart failure", L("right_heart_failure", "==", False), "resection.heart", REQ, 28,
           "absence of right heart failure", essential=False),
         c("RES-CL-EHD", "No extrahepatic disease", _NO_EHD, "resection.ehd", REQ, 28, "absence of extra-hepatic disease"),
         c("RES-CL-PC", "No peritoneal carcinomatosis", L("peritoneal_carcinomatosis", "==", False),
           "resection.peritoneum", REQ, 28, "no peritoneal carcinomatosis", essential=False),
         c("RES-CL-FLR", "Future liver remnant at least 20 % of standardised liver volume (two contiguous segments "
           "with intact inflow, outflow and biliary drainage)", L("flr_pct", ">=", 20), "resection.flr", REQ, 28,
           "comprises at least 20% of standardized liver volume")),
    _set("nelm-algorithm-cloyd-2020", "Proposed NELM treatment algorithm", "Cloyd 2020 (Figure 3)", "004", "004:64",
         RES + DEB,
         c("RES-CL-EHDLOW", "Resection may be appropriate with low-volume indolent extrahepatic disease",
           L("extrahepatic_disease", "==", True), "resection.ehd", SUP, 64, "Surgical resection may be appropriate even in "
           "the setting of low-volume indolent extrahepatic disease", opts=RES),
         c("DEB-CL-70", "Debulking when more than 70 % of liver metastases can be removed", L("debulkable_pct", ">", 70),
           "debulking.extent", REQ, 64, "when only >70% of liver metastases can be debulked", opts=DEB)),
    _set("presurgical-macedo-2013", "Pre-surgical evaluation and carcinoid crisis", "Macedo 2013", "002", "002:37",
         SURGERY,
         c("SURG-MA-CHD", "Carcinoid heart disease: control symptoms and stabilise before aggressive surgery",
           L("carcinoid_heart_disease", "==", True), "surgery.heart", EXC, 37, "In patients with carcinoid heart disease, "
           "symptoms control and clinical stabilization should be achieved before aggressive surgery is considered.",
           sev=CA, essential=False),
         c("CS-MA-SURG", "Carcinoid syndrome: preoperative octreotide 300 µg SC (IV drip if high risk of crisis); "
           "octreotide at hand during surgery", _SYNDROME, "carcinoid.octreotide", ACT, 37,
           "is recommended for patients with a history of carcinoid syndrome who require surgical procedures")),
    _set("perioperative-cloyd-2020", "Perioperative management of NELM surgery", "Cloyd 2020", "004", "004:30", SURGERY,
         c("CS-CL-DEBATE", "Perioperative octreotide: dose and efficacy still debated", _SYNDROME, "carcinoid.octreotide",
           SUP, 30, "the appropriate perioperative dosage as well as its actual efficacy remains a matter of debate")),
    # ---- debulking / cytoreduction (⚠ D7: >=90 % vs >70 %) ----
    _set("debulking-macedo-2013", "Cytoreductive surgery", "Macedo 2013", "002", "002:43", DEB,
         c("DEB-MA-90", "More than 90 % of the tumour can be excised", L("debulkable_pct", ">", 90), "debulking.extent",
           REQ, 43, "more than 90% of the tumor can be excised")),
    _set("debulking-dermine-2019", "Cytoreductive surgery (ENETS/NANETS summary)", "Dermine 2019", "003", "003:77", DEB,
         c("DEB-DE-90", "At least 90 % of the visible tumour can be removed", L("debulkable_pct", ">=", 90),
           "debulking.extent", REQ, 77, "at least 90% of the visible tumor can be removed"),
         c("DEB-DE-STABLE", "Not progressive over 6 months (or an uncontrolled functional tumour)",
           L("stable_disease_months", ">=", 6), "debulking.stable", REQ, 77,
           "if the disease is not progressive over a 6-month period", sev=CA, essential=False)),
    _set("resection-indications-cloyd-2020", "General indications for hepatic resection", "Cloyd 2020", "004", "004:2",
         DEB,
         c("DEB-CL-90", "Feasibility of resecting more than 90 % of metastases", L("debulkable_pct", ">", 90),
           "debulking.extent", REQ, 2, "feasibility of resecting >90% of metastases")),
    _set("cytoreduction-gangi-2020", "Cytoreduction threshold and precluding factors",
         "Gangi 2020 (citing NANETS/ENETS)", "001", "001:73-75", DEB,
         c("DEB-GA-70", "More than 70 % debulking (survival comparable to R0)", L("debulkable_pct", ">", 70),
           "debulking.extent", REQ, 73, "when >70% debulking is achieved despite less than complete resection (R1/R2)"),
         c("DEB-GA-REPL70", "Liver replacement at most 70 % (upper end of '>50-70 %')",
           L("liver_involvement_pct", "<=", 70), "debulking.burden", REQ, 75, "liver replacement >50–70%",
           essential=False),
         c("DEB-GA-REPL50", "Liver replacement at most 50 % (lower end of '>50-70 %')",
           L("liver_involvement_pct", "<=", 50), "debulking.burden", REQ, 75, "liver replacement >50–70%", sev=CA),
         c("DEB-GA-MANY", "Many (> 50) small bilobar metastases preclude cytoreduction",
           AllOf((L("lesion_count", ">", 50), L("bilobar", "==", True))), "debulking.lesions", EXC, 75,
           "many (>50) small bilobar metastases", essential=False),
         c("DEB-GA-HEART", "Carcinoid heart disease precludes cytoreduction", L("carcinoid_heart_disease", "==", True),
           "debulking.heart", EXC, 75, "carcinoid heart disease, multiple patient co-morbidities", essential=False),
         c("DEB-GA-GRADE", "High grade (poorly differentiated, or Ki-67 well above 20 %) precludes cytoreduction",
           LOW_GRADE, "resection.grade", REQ, 75, "the presence of high-grade tumors")),
    # ---- liver transplantation (⚠ D14 Ki-67, D15 age, D16 stable disease, D17 primary, D19 status) ----
    _set("milan-la-salvia-2016", "Milan criteria for liver transplantation", "Milan, as cited by La Salvia 2016", "000",
         "000:69", LT,
         c("LT-LS-KI67", "Well differentiated with Ki-67 < 5 %", L("ki67_pct", "<", 5), "transplant.ki67", REQ, 69,
           "well-differentiated NETs (Ki67 < 5%)"),
         c("LT-LS-DRAIN", "Portosystemic drainage of the primary", _DRAINED, "transplant.drainage", REQ, 69,
           "portosystemic tumor drainage"),
         c("LT-LS-AGE", "Age < 55 years", L("age", "<", 55), "transplant.age", REQ, 69, "patient age < 55 years"),
         c("LT-LS-STABLE", "Stable disease for at least 6 months", L("stable_disease_months", ">=", 6),
           "transplant.stable", REQ, 69, "stable disease for at least 6 months"),
         c("LT-LS-PRIMARY", "Primary resected before transplantation", _RESECTED, "transplant.primary", REQ, 69,
           "pretransplant R0 primary tumor resection"),
         c("LT-LS-R0", "The primary resection was R0", L("primary_r0", "==", True), "transplant.margin", REQ, 69,
           "pretransplant R0 primary tumor resection", sev=CA, essential=False),
         c("LT-LS-INV", "Hepatic involvement < 50 % of total liver volume", L("liver_involvement_pct", "<", 50),
           "transplant.involvement", REQ, 69, "hepatic tumor involvement < 50% of total liver volume"),
         c("LT-LS-EHD", "No extrahepatic disease", _NO_EHD, "transplant.ehd", REQ, 69, "absence of extrahepatic disease")),
    _set("enets-transplant-gangi-2020", "Milan criteria and ENETS guidelines for liver transplantation",
         "ENETS, as cited by Gangi 2020", "001", "001:83", LT,
         c("LT-GA-GRADE", "Low grade (G1/G2)", LOW_GRADE, "transplant.grade", REQ, 83,
           "require tumors to be low grade (G1/G2"),
         c("LT-GA-KI67", "Ki-67 < 10 % (ENETS)", L("ki67_pct", "<", 10), "transplant.ki67", REQ, 83, "Ki-67% <10 per ENETS"),
         c("LT-GA-INV", "Tumour involvement of the liver < 50 %", L("liver_involvement_pct", "<", 50),
           "transplant.involvement", REQ, 83, "<50% tumor involvement of the liver"),
         c("LT-GA-PRIMARY", "Primary removed", _RESECTED, "transplant.primary", REQ, 83,
           "the primary tumor has been removed"),
         c("LT-GA-EHD", "No extrahepatic disease", _NO_EHD, "transplant.ehd", REQ, 83, "no extrahepatic disease, stable"),
         c("LT-GA-STABLE", "Stable disease for at least 6 months", L("stable_disease_months", ">=", 6),
           "transplant.stable", REQ, 83, "stable disease for at least 6 months, and age <55"),
         c("LT-GA-AGE", "Age < 55 years", L("age", "<", 55), "transplant.age", REQ, 83, "and age <55")),
    _set("mazzaferro-2016-gangi-2020", "Mazzaferro 2016 transplant criteria", "Mazzaferro 2016, as cited by Gangi 2020",
         "001", "001:83", LT,
         c("LT-MZ-DRAIN", "Primary drained by the portal system", _DRAINED, "transplant.drainage", REQ, 83,
           "primary tumor drained by the portal system"),
         c("LT-MZ-PRIMARY", "Primary previously removed", _RESECTED, "transplant.primary", REQ, 83,
           "which had been previously removed"),
         c("LT-MZ-EHD", "No extrahepatic disease, or all of it curatively resected before (prior resection of "
           "extrahepatic disease is not recorded here, so present disease fails)", _NO_EHD, "transplant.ehd", REQ, 83,
           "either no extrahepatic disease, or prior curative resection of all extrahepatic disease"),
         c("LT-MZ-GRADE", "Low grade (G1/G2) histology", LOW_GRADE, "transplant.grade", REQ, 83,
           "low grade (G1/G2) histology"),
         c("LT-MZ-INV", "Liver metastases < 50 % of total liver volume", L("liver_involvement_pct", "<", 50),
           "transplant.involvement", REQ, 83, "50% of total liver volume, 4)"),
         c("LT-MZ-STABLE", "Stable disease or response for at least 6 months", L("stable_disease_months", ">=", 6),
           "transplant.stable", REQ, 83, "stable disease or response to treatment for at least 6 months"),
         c("LT-MZ-AGE", "Age < 60 years", L("age", "<", 60), "transplant.age", REQ, 83, "age <60")),
    _set("transplant-macedo-2013", "Selection for liver transplantation", "Macedo 2013", "002", "002:51", LT,
         c("LT-MA-UNRES", "Not a candidate for resection", L("resectable", "==", False), "transplant.unresectable", REQ, 51,
           "being not candidate for resection", sev=CA, essential=False),
         c("LT-MA-PRIMARY", "Complete resection of the primary at least one year before",
           AllOf((_RESECTED, L("months_since_primary_resection", ">=", 12))), "transplant.primary", REQ, 51,
           "complete resection of the primary tumor at least one year before", essential=False),
         c("LT-MA-EHD", "No extrahepatic disease", _NO_EHD, "transplant.ehd", REQ, 51, "no extrahepatic disease"),
         c("LT-MA-STABLE", "Stable disease for at least one year", L("stable_disease_months", ">=", 12),
           "transplant.stable", REQ, 51, "stable disease at least for one year")),
    _set("transplant-dermine-2019", "Selection for liver transplantation", "Dermine 2019", "003", "003:153", LT,
         c("LT-DE-KI67", "Ki-67 < 10 %", L("ki67_pct", "<", 10), "transplant.ki67", REQ, 153, "ki-67 < 10%"),
         c("LT-DE-EHD", "No extrahepatic disease", _NO_EHD, "transplant.ehd", REQ, 153, "absence of extrahepatic disease"),
         c("LT-DE-PRIMARY", "Primary resected", _RESECTED, "transplant.primary", REQ, 153, "resection of the primary tumor"),
         c("LT-DE-INV", "Hepatic invasion < 50 %", L("liver_involvement_pct", "<", 50), "transplant.involvement", REQ,
           153, "hepatic invasion <50%"),
         c("LT-DE-STABLE", "Stable for at least 6 months", L("stable_disease_months", ">=", 6), "transplant.stable", REQ,
           153, "tumor disease stable for at least 6 months")),
    _set("milan-cloyd-2020", "Milan criteria for liver transplantation (Table 1)", "Milan, as tabulated by Cloyd 2020",
         "004", "004:37-42", LT,
         c("LT-CM-GRADE", "Biopsy-confirmed well-differentiated low-intermediate grade", LOW_GRADE, "transplant.grade",
           REQ, 38, "Biopsy confirmed well-differentiated low-intermediate grade neuroendocrine histology"),
         c("LT-CM-DRAIN", "Primary drained by the portal system", _DRAINED, "transplant.drainage", REQ, 39,
           "Primary tumor drained by portal system and removed"),
         c("LT-CM-PRIMARY", "Primary removed", _RESECTED, "transplant.primary", REQ, 39,
           "Primary tumor drained by portal system and removed"),
         c("LT-CM-INV", "Involvement of liver < 50 %", L("liver_involvement_pct", "<", 50), "transplant.involvement", REQ,
           40, "<50% involvement of liver"),
         c("LT-CM-STABLE", "Stable/responsive disease for at least 6 months", L("stable_disease_months", ">=", 6),
           "transplant.stable", REQ, 41, "Stable/responsive disease for minimum 6 months prior to transplantation"),
         c("LT-CM-AGE", "Age < 55 years", L("age", "<", 55), "transplant.age", REQ, 42, "Age <55")),
    _set("enets-minimal-cloyd-2020", "ENETS minimal requirements for liver transplantation (Table 1)",
         "ENETS, as tabulated by Cloyd 2020", "004", "004:43-47", LT,
         c("LT-CE-GRADE", "Well-differentiated low-intermediate grade", LOW_GRADE, "transplant.grade", REQ, 44,
           "Well-differentiated low-intermediate grade neuroendocrine histology"),
         c("LT-CE-DRAIN", "Primary drained by the portal system", _DRAINED, "transplant.drainage", REQ, 45,
           "Primary tumor drained by portal system and removed"),
         c("LT-CE-PRIMARY", "Primary removed", _RESECTED, "transplant.primary", REQ, 45,
           "Primary tumor drained by portal system and removed"),
         c("LT-CE-EHD", "No extrahepatic disease", _NO_EHD, "transplant.ehd", REQ, 46, "Absence of extrahepatic disease"),
         c("LT-CE-MORT", "Expected postoperative mortality < 10 %", L("expected_postop_mortality_pct", "<", 10),
           "transplant.mortality", REQ, 47, "Expected postoperative mortality <10%", essential=False)),
    _set("transplant-status-dermine-2019", "Guideline status of liver transplantation", "Dermine 2019", "003", "003:91",
         LT,
         c("LT-STATUS", "Standing caution: not recommended by ENETS/NANETS (003:91), an option within ENETS/Milan "
           "(001:83), mainly palliation of hormonal syndromes per ENETS (004:35)", L("", "always"),
           "transplant.status", EXC, 91, "cannot be recommended by ENETS and NANETS guidelines", sev=CA,
           essential=False, shown="applies to every candidate")),
    # ---- ablation (⚠ D21 size, D22 number) ----
    _set("rfa-macedo-2013", "Limits of radiofrequency ablation", "Macedo 2013", "002", "002:65", ABL,
         c("ABL-MA-SIZE5", "Lesions larger than 5 cm are unsuitable for RFA", L("lesion_size_cm", "<=", 5),
           "ablation.size", REQ, 65, "lesions greater than 5\u2009cm are unsuitable for RFA"),
         c("ABL-MA-SIZE3", "Lesions larger than 3 cm are difficult to eradicate completely", L("lesion_size_cm", "<=", 3),
           "ablation.size", REQ, 65, "difficult to totally eradicate lesions greater than 3\u2009cm", sev=CA),
         c("ABL-MA-COUNT5", "At most five lesions (the ideal number)", L("lesion_count", "<=", 5), "ablation.count", REQ,
           65, "A maximum of five lesions is considered the ideal number for this therapy", sev=CA),
         c("ABL-MA-BILOBAR", "More than five lesions, bilobar, contraindicate RFA",
           AllOf((L("lesion_count", ">", 5), L("bilobar", "==", True))), "ablation.count", EXC, 65,
           "The presence of a higher number of metastatic bilobar lesions contraindicates the procedure")),
    _set("ablation-la-salvia-2016", "Thermal ablation", "La Salvia 2016", "000", "000:77", ABL,
         c("ABL-LS-DOZEN", "No stated limit: more than a dozen lesions can be treated in one patient",
           L("lesion_count", ">", 3), "ablation.count", SUP, 77, "More than a dozen lesions can be treated in a single "
           "patient", shown="more than 12 lesions treatable (applies above the stricter limits)")),
    _set("ablation-gangi-2020", "Ablation", "Gangi 2020", "001", "001:91", ABL,
         c("ABL-GA-SIZE", "Tumours up to 5 cm can be treated (more recurrence when larger)", L("lesion_size_cm", "<=", 5),
           "ablation.size", REQ, 91, "Tumors up to 5 cm can be treated"),
         c("ABL-GA-PORTAL", "Microwave ablation too close to portal structures can cause biliary strictures",
           L("near_bile_duct", "==", True), "ablation.biliary", EXC, 91,
           "can result in biliary strictures if applied too close to portal structures", sev=CA, essential=False)),
    _set("ablation-dermine-2019", "Radiofrequency ablation", "Dermine 2019", "003", "003:101, 003:148-150", ABL,
         c("ABL-DE-WD", "Local ablation is used for well-differentiated NETs", L("differentiation", "==", "well"),
           "ablation.differentiation", REQ, 150, "in combination with surgery in the case of well-differentiated NETs",
           sev=CA, essential=False),
         c("ABL-DE-SIZE", "The lesion should measure less than 5 cm", L("lesion_size_cm", "<", 5), "ablation.size", REQ,
           150, "The metastatic lesion should measure less than 5 cm."),
         c("ABL-DE-SURFACE", "At the liver surface or near vital structures RFA may be contraindicated (relative)",
           L("subcapsular", "==", True), "ablation.surface", EXC, 150, "Radiofrequency ablation may be contraindicated "
           "for lesions that are close to vital structures or the liver surface", sev=CA, essential=False),
         c("ABL-DE-BILIO", "Bilio-enteric anastomosis: liver abscess after RFA 40 % vs 0.4 %",
           L("bilioenteric_anastomosis", "==", True), "ablation.bilioenteric", EXC, 101, "bilio-enteric anastomosis "
           "increases the risk of liver abscess formation (40% vs. 0.4%)", sev=CA, essential=False),
         c("CS-DE-LOCO", "Carcinoid syndrome: control it with somatostatin analogues before locoregional treatment",
           _SYNDROME, "carcinoid.locoregional", ACT, 148, "like carcinoid syndrome with somatostatin analogs to prevent "
           "carcinoid crisis", opts=ABL + IA)),
    _set("ablation-cloyd-2020", "Percutaneous ablation", "Cloyd 2020", "004", "004:55", ABL,
         c("ABL-CL-SIZE", "Most effective for tumours < 3.5 cm", L("lesion_size_cm", "<", 3.5), "ablation.size", REQ, 55,
           "1–3 tumors measuring <3.5 cm in diameter", sev=CA),
         c("ABL-CL-COUNT", "Most effective for 1-3 tumours", L("lesion_count", "<=", 3), "ablation.count", REQ, 55,
           "1–3 tumors measuring <3.5 cm in diameter", sev=CA),
         c("ABL-CL-VESSEL", "Next to large vessels: heat sink limits effectiveness", L("near_large_vessel", "==", True),
           "ablation.vessel", EXC, 55, "proximity to large vessels can result in a heat-sink effect limiting its "
           "effectiveness", sev=CA, essential=False),
         c("ABL-CL-HILAR", "Hilar or next to major bile ducts: more complications", L("near_bile_duct", "==", True),
           "ablation.biliary", EXC, 55, "hilar location, and proximity to major bile ducts can increase the risk of "
           "complications", sev=CA, essential=False)),
    # ---- intra-arterial therapy (⚠ D24 PVT and TARE, D25 burden, D27 poorly differentiated) ----
    _set("intra-arterial-gangi-2020", "Contraindications to intra-arterial liver-directed therapy",
         "de Baere, as cited by Gangi 2020", "001", "001:95", IA,
         c("IA-GA-PVT", "Main portal vein thrombosis", L("portal_vein_thrombosis", "in", ("main",)), "arterial.pvt", EXC,
           95, "main portal vein thrombosis", opts=TAE),
         c("TARE-GA-PVT", "Main portal vein thrombosis (for radioembolisation the reviews disagree: 000:97)",
           L("portal_vein_thrombosis", "in", ("main",)), "radioembolization.pvt", EXC, 95, "main portal vein thrombosis",
           sev=CA, opts=TARE, essential=True),
         c("IA-GA-BILI", "Bilirubin > 2 mg/dL", L("bilirubin_mg_dl", ">", 2), "arterial.bilirubin", EXC, 95,
           "bilirubin greater than 2mg/dL"),
         c("IA-GA-ORGAN", "Renal and/or hepatic insufficiency",
           AnyOf((L("renal_insufficiency", "==", True), L("hepatic_insufficiency", "==", True))), "arterial.organ", EXC,
           95, "renal and/or hepatic insufficiency", essential=False),
         c("IA-GA-BURDEN", "More than 75 % liver involvement: extreme caution", L("liver_involvement_pct", ">", 75),
           "arterial.burden", EXC, 95, "extreme caution should be used if there is >75% of liver involvement", sev=CA,
           essential=False),
         c("IA-GA-BILIO", "Bilio-enteric anastomosis: extreme caution", L("bilioenteric_anastomosis", "==", True),
           "arterial.bilioenteric", EXC, 95, "a bilioenteric anastomosis is present", sev=CA, essential=False),
         c("IA-GA-STAGED", "Bilobar disease: staged procedures, one lobe at a time", L("bilobar", "==", True),
           "arterial.staging", ACT, 95, "Patients with bilobar disease are commonly treated with staged procedures to "
           "each lobe.", opts=TAE)),
    _set("liver-directed-dermine-2019", "Intra-arterial liver-directed treatment", "Dermine 2019", "003", "003:151", IA,
         c("IA-DE-GRADE", "Indicated for G1 or G2 NETs", LOW_GRADE, "arterial.grade", REQ, 151,
           "The indications for liver-directed treatments are: G1 or G2 NETs", sev=CA, essential=True),
         c("IA-DE-PVT", "Portal vein thrombosis (any)", _PVT_ANY, "arterial.pvt", EXC, 151,
           "The contra-indications are thrombosis of the portal vein", opts=TAE),
         c("TARE-DE-PVT", "Portal vein thrombosis (any; radioembolisation: the reviews disagree)", _PVT_ANY,
           "radioembolization.pvt", EXC, 151, "The contra-indications are thrombosis of the portal vein", sev=CA,
           opts=TARE, essential=True),
         c("IA-DE-LIVER", "Hepatocellular insufficiency", L("hepatic_insufficiency", "==", True), "arterial.organ", EXC,
           151, "hepatocellular insufficiency", essential=False),
         c("IA-DE-STATUS", "Poor general status", L("poor_general_status", "==", True), "arterial.status", EXC, 151,
           "poor general status", essential=False),
         c("IA-DE-NEC", "Undifferentiated neuroendocrine carcinoma", L("differentiation", "==", "poor"), "arterial.nec",
           EXC, 151, "undifferentiated neuroendocrine carcinoma", essential=False),
         c("IA-DE-BURDEN", "Hepatic invasion > 50 % requires guided (selective) embolisation",
           L("liver_involvement_pct", ">", 50), "arterial.burden", EXC, 151,
           "Major hepatic invasion (>50%) requires a guided embolization.", sev=CA, essential=False),
         c("IA-DE-BILIO", "Bilio-digestive anastomosis: relative contraindication (infection)",
           L("bilioenteric_anastomosis", "==", True), "arterial.bilioenteric", EXC, 151,
           "Bilio-digestive anastomosis and previous multiple radio-frequency destruction are relative "
           "contra-indications", sev=CA, essential=False)),
    _set("angiographic-la-salvia-2016", "Angiographic techniques and SIRT", "La Salvia 2016", "000", "000:87-97", IA,
         c("IA-LS-GRADE", "For grade 1 or 2 tumours with liver-predominant disease", LOW_GRADE, "arterial.grade", REQ, 93,
           "Percutaneous angiographic techniques should be used in patients with Grade 1 or 2 tumors", sev=CA,
           essential=True),
         c("IA-LS-BURDEN", "Best effect with < 50 % hepatic involvement", L("liver_involvement_pct", "<", 50),
           "arterial.burden", REQ, 93, "The best treatment effect is achieved in patients with < 50% hepatic "
           "involvement", sev=CA, essential=False),
         c("IA-LS-POOR", "TACE is preferred over TAE for poorly differentiated NETs", L("differentiation", "==", "poor"),
           "arterial.nec", SUP, 87, "TACE is preferred over TAE in patients with NET with the worst prognostic factors, "
           "such as foregut origin (lung or pancreas) and poorly differentiated NETs", opts=TAE),
         c("TARE-LS-PVT", "Portal vein thrombosis is not a contraindication to SIRT", _PVT_ANY, "radioembolization.pvt",
           SUP, 97, "portal vein thrombosis and impaired liver function are not considered contraindications to SIRT",
           opts=TARE),
         c("TARE-LS-LIVER", "Impaired liver function is not a contraindication to SIRT",
           L("hepatic_insufficiency", "==", True), "arterial.organ", SUP, 97, "portal vein thrombosis and impaired liver "
           "function are not considered contraindications to SIRT", opts=TARE)),
    _set("hae-macedo-2013", "Hepatic artery embolisation and chemoembolisation", "Macedo 2013", "002", "002:77-79", TAE,
         c("IA-MA-BLEED", "Bleeding disorders", L("bleeding_disorder", "==", True), "arterial.bleeding", EXC, 79,
           "The most relevant contraindications are bleeding disorders", essential=False),
         c("IA-MA-RENAL", "Renal failure", L("renal_insufficiency", "==", True), "arterial.organ", EXC, 79,
           "bleeding disorders, renal failure, and/or hepatic vein occlusion", essential=False),
         c("IA-MA-75", "Particularly valuable with more than 75 % hepatic involvement", L("liver_involvement_pct", ">", 75),
           "arterial.burden", SUP, 77, "particularly in patients with more than 75% of hepatic involvement"),
         c("IA-MA-STAGED", "One lobe per session, sessions 4-6 weeks apart", L("bilobar", "==", True), "arterial.staging",
           ACT, 79, "one lobe per session"),
         c("CS-MA-EMBO", "Carcinoid syndrome: somatostatin analogues during the procedure, with antibiotics and hydration",
           _SYNDROME, "carcinoid.locoregional", ACT, 79, "The use of somatostatin analogues during the procedure is of "
           "extreme importance in order to prevent carcinoid crisis.", opts=IA)),
    _set("after-whipple-cloyd-2020", "Transarterial therapy after pancreatoduodenectomy", "Cloyd 2020", "004", "004:52",
         TAE,
         c("IA-CL-WHIPPLE", "After pancreatoduodenectomy lobar TACE has more complications",
           L("prior_whipple", "==", True), "arterial.whipple", EXC, 52, "Lobar TACE has been associated with a higher "
           "incidence of complications among patients who have undergone pancreatoduodenectomy", sev=CA,
           essential=False),
         c("IA-CL-ANTIBIOTIC", "After pancreatoduodenectomy: selective (not lobar) TAE/TACE or TARE, with periprocedural "
           "antibiotics", L("prior_whipple", "==", True), "arterial.whipple", ACT, 52, "consideration of selective "
           "TAE/TACE or TARE as well as periprocedural antibiotics is recommended", opts=IA)),
    # ---- PRRT (⚠ D34) ----
    _set("prrt-la-salvia-2016", "Peptide receptor radionuclide therapy", "La Salvia 2016", "000", "000:101", PRRT,
         c("PRRT-LS-SSTR", "Only for somatostatin-receptor-expressing NETs", L("sstr_positive", "==", True), "prrt.sstr",
           REQ, 101, "This therapy can be proposed only to patients with somatostatin receptor expressing NETs.")),
    _set("prrt-macedo-2013", "Peptide receptor radionuclide therapy", "Macedo 2013", "002", "002:113", PRRT,
         c("PRRT-MA-SSTR", "Tumours with positive somatostatin receptors", L("sstr_positive", "==", True), "prrt.sstr",
           REQ, 113, "tumors with positive somatostatin receptors, not candidates for surgery")),
    _set("prrt-enets-dermine-2019", "PRRT in the ENETS guidelines", "ENETS, as cited by Dermine 2019", "003", "003:140",
         PRRT,
         c("PRRT-DE-MIDGUT", "Midgut primary (pancreatic: no phase 3 trial, not yet recommended by ENETS)",
           L("primary_site", "in", MIDGUT), "prrt.site", REQ, 140, "ENETS guidelines recommend the use of PRRT in midgut "
           "NETs with metastases", sev=CA, essential=False),
         c("PRRT-DE-LINE", "Second line, after progression on a somatostatin analogue", L("progressive_on_ssa", "==", True),
           "prrt.line", REQ, 140, "as a second-line therapy after progression under somatostatin analogues", sev=CA,
           essential=False)),
    # ---- systemic therapy ----
    _set("ssa-la-salvia-2016", "Somatostatin analogues", "La Salvia 2016", "000", "000:113", SSA,
         c("SSA-LS-GRADE", "Well or moderately differentiated (G1/G2)", LOW_GRADE, "ssa.grade", REQ, 113,
           "In well- and moderately differentiated somatostatin receptor expressing NETs", sev=CA, essential=True),
         c("SSA-LS-SSTR", "Somatostatin-receptor expressing", L("sstr_positive", "==", True), "ssa.sstr", REQ, 113,
           "In well- and moderately differentiated somatostatin receptor expressing NETs", sev=CA, essential=True),
         c("SSA-LS-UNRES", "Standard of care when the metastases are not resectable", L("resectable", "==", False),
           "ssa.unresectable", REQ, 113, "standard of care in patients with metastasized, nonresectable midgut NETs",
           sev=CA, essential=False)),
    _set("ssa-syndrome-gangi-2020", "Somatostatin analogues for carcinoid syndrome", "Gangi 2020", "001", "001:109", SSA,
         c("SSA-GA-SYNDROME", "Carcinoid syndrome: SSAs are the mainstay of symptom control", _SYNDROME, "ssa.syndrome",
           SUP, 109, "For patients with carcinoid syndrome, SSAs are the mainstay of treatment to control symptoms of "
           "hormone excess.")),
    _set("chemotherapy-nordic-cloyd-2020", "Chemotherapy choice in grade 3 by Ki-67", "NORDIC, as cited by Cloyd 2020",
         "004", "004:60", CHEMO,
         c("CH-CL-CAPTEM", "Well-differentiated G3 with Ki-67 < 55 %: capecitabine/temozolomide",
           AllOf((L("grade", "==", "G3"), L("differentiation", "==", "well"), L("ki67_pct", "<", 55))),
           "chemotherapy.regimen", ACT, 60, "grade 3 well-differentiated NETs with a Ki-67 index of <55% may be best "
           "treated with capecitabine/temozolomide"),
         c("CH-CL-PLATINUM", "Ki-67 > 55 %: platinum/etoposide", L("ki67_pct", ">", 55), "chemotherapy.regimen", ACT, 60,
           "tumors with Ki-67 index of >55% should be treated with platinum/etoposide")),
    _set("chemotherapy-la-salvia-2016", "Chemotherapy", "La Salvia 2016", "000", "000:139", CHEMO,
         c("CH-LS-NEC", "Standard of care for poorly differentiated (G3) NEC", L("differentiation", "==", "poor"),
           "chemotherapy.grade", SUP, 139, "chemotherapy is the standard of care for aggressive, poorly differentiated "
           "(G3), advanced, or metastatic NECs")),
    _set("chemotherapy-macedo-2013", "Chemotherapy", "Macedo 2013", "002", "002:123-125", CHEMO,
         c("CH-MA-LINE", "Not first-line non-surgical treatment for well-differentiated G1/G2 NETs",
           L("grade", "==", "G3"), "chemotherapy.grade", REQ, 125, "it is not considered the first line of the "
           "nonsurgical treatment", sev=CA, essential=True),
         c("CH-MA-PLAT", "High-grade undifferentiated tumours: platinum-based chemotherapy, first line",
           L("differentiation", "==", "poor"), "chemotherapy.regimen", ACT, 123, "Platinum based chemotherapy may be "
           "useful in patients with high grade undifferentiated tumors")),
)
CRITERIA: dict[str, Criterion] = {cr.id: cr for s in SETS for cr in s.criteria}


def criteria_sets() -> tuple[CriteriaSet, ...]:
    """All sets, in the order of the docs page (grading, surgery, transplant, ablation, arterial, systemic)."""
    return SETS
