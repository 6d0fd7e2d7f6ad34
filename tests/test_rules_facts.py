"""Patient facts: the free-text parser over phrasings from realistic vignettes, JSON/form facts, merging."""
from __future__ import annotations

import pytest

from netlm_rag.errors import BadInput
from netlm_rag.rules import Fact, PatientFacts, facts_from_dict, merge_facts, parse_facts

# (vignette text, field, expected value as Fact.display() gives it)
PHRASINGS = [
    ("62-year-old man with liver metastases", "age", 62),
    ("62 y, G2 ileal NET", "age", 62),
    ("48F, pancreatic NET", "age", 48),
    ("48F, pancreatic NET", "sex", "female"),
    ("Patient 70 yo M with NELM", "sex", "male"),
    ("A 55 years old woman", "age", 55),
    ("aged 67, small bowel NET", "age", 67),
    ("Ki-67 8%", "ki67_pct", 8),
    ("Ki67 of 8 %", "ki67_pct", 8),
    ("MIB-1 8%", "ki67_pct", 8),
    ("Ki 67 index: 15 %", "ki67_pct", 15),
    ("Ki-67 proliferation index of 12 percent", "ki67_pct", 12),
    ("Ki-67 <2%", "ki67_pct", "<2"),
    ("Ki-67 5-10%", "ki67_pct", "5–10"),
    ("Ki-67 8,5 %", "ki67_pct", 8.5),
    ("Ki-67 8% in the primary, 15% in the liver metastasis", "ki67_pct", 15),
    ("G2 ileal NET", "grade", "G2"),
    ("grade 2 small-bowel NET", "grade", "G2"),
    ("grade II NET", "grade", "G2"),
    ("WHO G3 NET", "grade", "G3"),
    ("well-differentiated NET", "differentiation", "well"),
    ("moderately differentiated carcinoid", "differentiation", "well"),
    ("poorly differentiated neuroendocrine carcinoma", "differentiation", "poor"),
    ("60% of the liver is replaced", "liver_involvement_pct", 60),
    ("60 % liver involvement", "liver_involvement_pct", 60),
    ("liver replacement ~75%", "liver_involvement_pct", 75),
    ("hepatic tumor burden of 30%", "liver_involvement_pct", 30),
    ("<50% liver involvement", "liver_involvement_pct", "<50"),
    ("no extrahepatic disease", "extrahepatic_disease", False),
    ("No evidence of extrahepatic disease on PET", "extrahepatic_disease", False),
    ("liver-only disease", "extrahepatic_disease", False),
    ("multiple bone metastases", "extrahepatic_disease", True),
    ("extrahepatic disease in the mediastinum", "extrahepatic_disease", True),
    ("peritoneal carcinomatosis", "peritoneal_carcinomatosis", True),
    ("main portal vein thrombosis", "portal_vein_thrombosis", "main"),
    ("thrombosis of the main portal vein", "portal_vein_thrombosis", "main"),
    ("right portal vein branch thrombosis", "portal_vein_thrombosis", "branch"),
    ("without portal vein thrombosis", "portal_vein_thrombosis", "none"),
    ("no PVT", "portal_vein_thrombosis", "none"),
    ("portal vein patent", "portal_vein_thrombosis", "none"),
    ("bilirubin 3.1 mg/dL", "bilirubin_mg_dl", 3.1),
    ("total bilirubin 1.2 mg/dl", "bilirubin_mg_dl", 1.2),
    ("bilirubin 45 µmol/L", "bilirubin_mg_dl", 2.63),
    ("bilirubin of 34.2 umol/l", "bilirubin_mg_dl", 2),
    ("normal bilirubin", "bilirubin_mg_dl", "<=1.3"),
    ("FLR 35%", "flr_pct", 35),
    ("future liver remnant of 25%", "flr_pct", 25),
    ("7 cm lesion", "lesion_size_cm", 7),
    ("a 3.2-cm metastasis", "lesion_size_cm", 3.2),
    ("largest lesion measuring 45 mm", "lesion_size_cm", 4.5),
    ("three metastases", "lesion_count", 3),
    ("3 liver metastases", "lesion_count", 3),
    ("solitary 7-cm metastasis", "lesion_count", 1),
    (">10 lesions", "lesion_count", ">10"),
    ("bilobar disease", "bilobar", True),
    ("metastases in both lobes", "bilobar", True),
    ("Ga-68 DOTATATE negative", "sstr_positive", False),
    ("DOTATATE-avid liver lesions", "sstr_positive", True),
    ("SSTR-positive", "sstr_positive", True),
    ("Octreoscan negative", "sstr_positive", False),
    ("Ga-68 DOTATATE PET, which showed intense uptake", "sstr_positive", True),
    ("ileal primary", "primary_site", "small_bowel"),
    ("small-bowel NET", "primary_site", "small_bowel"),
    ("pancreatic NET", "primary_site", "pancreas"),
    ("NET G2 of the terminal ileum", "primary_site", "small_bowel"),
    ("ileal primary", "portal_drainage", True),
    ("bronchial carcinoid", "portal_drainage", False),
    ("previous Whipple", "prior_whipple", True),
    ("previous Whipple", "bilioenteric_anastomosis", True),
    ("hepaticojejunostomy", "bilioenteric_anastomosis", True),
    ("stable for 8 months", "stable_disease_months", 8),
    ("stable disease over the past 2 years", "stable_disease_months", 24),
    ("stable for a year on lanreotide", "stable_disease_months", 12),
    ("primary resected 14 months ago", "primary_resected", True),
    ("primary resected 14 months ago", "months_since_primary_resection", 14),
    ("primary tumour resected 2 years ago (R0)", "primary_r0", True),
    ("unresected primary", "primary_resected", False),
    ("progressive on octreotide", "progressive_on_ssa", True),
    ("progression on lanreotide 120 mg", "progressive_on_ssa", True),
    ("progressive on octreotide", "progressive", True),
    ("no progression", "progressive", False),
    ("carcinoid syndrome", "carcinoid_syndrome", True),
    ("non-functional NET", "carcinoid_syndrome", False),
    ("carcinoid heart disease", "carcinoid_heart_disease", True),
    ("unresectable liver metastases", "resectable", False),
    ("80% of the tumour can be debulked", "debulkable_pct", 80),
    ("debulking of 70% feasible", "debulkable_pct", 70),
    ("abutting the right hepatic vein", "near_large_vessel", True),
    ("hilar lesion", "near_bile_duct", True),
    ("subcapsular lesion", "subcapsular", True),
    ("expected postoperative mortality 8%", "expected_postop_mortality_pct", 8),
    ("renal failure on dialysis", "renal_insufficiency", True),
    ("PVT: no", "portal_vein_thrombosis", "none"),
    ("Ki-67 5% two years ago, now 25%", "ki67_pct", 25),
    ("Ki-67 rose from 4% to 12%", "ki67_pct", 12),
    ("tumour thrombus in the main portal vein", "portal_vein_thrombosis", "main"),
    ("s/p pancreatoduodenectomy", "prior_whipple", True),
    ("metastases in the right and left lobes", "bilobar", True),
    ("stable for 8 months on lanreotide", "progressive_on_ssa", False),
    # shorthand from the evaluation set's vignettes
    ("primary out", "primary_resected", True),
    ("stable 12 mo", "stable_disease_months", 12),
    ("stable >1 yr", "stable_disease_months", ">12"),
    ("disease stable for only 3 months", "stable_disease_months", 3),
    ("no EHD", "extrahepatic_disease", False),
    ("liver-only, technically resectable", "extrahepatic_disease", False),
    ("normal LFTs", "bilirubin_mg_dl", "<=1.3"),
    ("normal LFTs", "hepatic_insufficiency", False),
    ("~40% liver, no EHD", "liver_involvement_pct", 40),
    ("G1 ileal NELM", "primary_site", "small_bowel"),
]


@pytest.mark.parametrize("text, field, expected", PHRASINGS, ids=[f"{t[:30]}->{f}" for t, f, _ in PHRASINGS])
def test_phrasing(text, field, expected):
    parsed = parse_facts(f"Patient: {text}.")
    fact = parsed.facts.get(field)
    assert fact is not None, (field, parsed.to_dict())
    assert fact.display() == expected


def test_bare_liver_percentage_before_the_question_is_the_involvement():
    # The trailing full stop test_phrasing adds would hide a colon or question mark ending the phrase.
    for text in ("Ki-67 8%, 60% liver: transplant?", "G2 ileal NET, 60 % liver?"):
        assert parse_facts(text).facts.get("liver_involvement_pct").display() == 60, text
    assert parse_facts("30% liver remnant: resect?").facts.get("liver_involvement_pct") is None


def test_enough_phrasings():
    assert len({t for t, _, _ in PHRASINGS}) >= 40


def test_every_span_is_the_text_it_came_from():
    text = ("62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement, no extrahepatic disease, bilirubin 45 µmol/L, "
            "previous Whipple, stable for 8 months, Ga-68 DOTATATE negative")
    parsed = parse_facts(text)
    assert len(parsed.facts.present()) >= 10
    for name in parsed.facts.present():
        span = parsed.facts.get(name).span
        assert text[span.start:span.end] == span.text


def test_the_worked_example():
    d = parse_facts("62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?").facts.to_dict()
    assert {k: v["value"] for k, v in d.items()} == {
        "age": 62, "ki67_pct": 8, "grade": "G2", "primary_site": "small_bowel", "portal_drainage": True,
        "liver_involvement_pct": 60}
    assert d["ki67_pct"]["source"] == {"start": 20, "end": 29, "text": "Ki-67 8 %"}


@pytest.mark.parametrize("text, field", [
    ("Ki-67 150 %", "ki67_pct"), ("age 300, G2 NET", "age"), ("liver involvement 130%", "liver_involvement_pct"),
    ("FLR 140%", "flr_pct"), ("a 300-year-old man", "age"), ("bilirubin 2000 µmol/L", "bilirubin_mg_dl"),
])
def test_impossible_values_are_reported_and_not_used(text, field):
    parsed = parse_facts(text)
    assert parsed.facts.get(field) is None
    bad = [i for i in parsed.invalid if i.field == field]
    assert bad and ("must be" in bad[0].reason) and bad[0].span is not None


def test_ki67_150_is_invalid_with_a_clear_reason():
    parsed = parse_facts("Ki-67 150 %")
    assert parsed.facts.present() == ()
    assert parsed.invalid[0].to_dict()["field"] == "ki67_pct"
    assert "Ki-67 must be 0–100 %, got 150" in parsed.invalid[0].reason


@pytest.mark.parametrize("text, field", [
    ("possible bone metastasis", "extrahepatic_disease"), ("suspected portal vein thrombosis", "portal_vein_thrombosis"),
    ("bilirubin 2.5", "bilirubin_mg_dl"),                       # no unit: 2.5 mg/dL or 2.5 µmol/L?
    ("DOTATATE PET with low uptake", "sstr_positive"),
])
def test_hedged_or_ambiguous_mentions_are_not_used(text, field):
    parsed = parse_facts(f"Patient: {text}.")
    assert parsed.facts.get(field) is None
    assert any(i.field == field for i in parsed.invalid)


def test_contradictory_text_is_reported_not_guessed():
    parsed = parse_facts("62 y, no extrahepatic disease, multiple bone metastases")
    assert parsed.facts.extrahepatic_disease is None
    assert any(i.field == "extrahepatic_disease" and "conflicting" in i.reason for i in parsed.invalid)


def test_conservative_value_when_the_text_gives_two():
    parsed = parse_facts("62 y, Ki-67 3 % on the primary; Ki-67 12 % on the liver biopsy; lesions of 2 cm and 6 cm")
    assert parsed.facts.ki67_pct.value == 12 and "highest" in parsed.facts.ki67_pct.note
    assert parsed.facts.lesion_size_cm.value == 6


@pytest.mark.parametrize("text, field", [
    ("no bone metastases", "extrahepatic_disease"),            # says nothing about other sites
    ("stable for 2 years", "age"),                              # a duration, not an age
    ("primary tumour 3 cm in the ileum", "lesion_size_cm"),     # the primary, not a liver lesion
    ("lung metastases", "primary_site"),                        # extrahepatic disease, not a lung primary
    ("planned Whipple", "prior_whipple"),
    ("grade 2 liver metastases", "lesion_count"),
    ("a segment 7 metastasis", "lesion_count"),
    ("progression-free survival 14 months", "progressive"),
])
def test_what_is_not_a_fact(text, field):
    assert parse_facts(f"Patient with {text}").facts.get(field) is None


@pytest.mark.parametrize("text", [
    "What are the Milan criteria for liver transplantation?",
    "Are patients with Ki-67 >20% candidates for resection?",
    "What is the role of PRRT in SSTR-positive midgut NETs progressive on SSA?",
    "Which guidelines recommend TACE for liver metastases above 50% involvement?",
    "How effective is RFA?", "", "   ", "hello",
    "Transplant for NELM: is Ki-67 <10% required?", "Milan criteria: Ki-67 <5% or <10%?",
    "Ki-67 limit for transplant: 5% or 10%?",
])
def test_plain_questions_yield_no_facts(text):
    parsed = parse_facts(text)
    assert parsed.facts.present() == () and parsed.invalid == ()


@pytest.mark.parametrize("text, field, expected", [
    ("Prior Whipple for pNET, now bilobar multifocal G2 NELM. Lobar TACE OK?", "prior_whipple", True),
    ("G1 SI-NET with right-sided NELM; planned extended right hepatectomy would leave an FLR of 15%. Go ahead?",
     "flr_pct", 15),
    ("Prior hepaticojejunostomy; single 2 cm NELM, unfit for surgery. RFA?", "lesion_size_cm", 2),
    # A colon ends the case as a full stop would: its facts had been dropped with the question after it.
    ("Main portal vein thrombosis, NELM 40%: can we do TARE?", "portal_vein_thrombosis", "main"),
    ("Bilirubin 3 mg/dL: TACE?", "bilirubin_mg_dl", 3),
])
def test_a_case_stated_before_its_question_is_a_vignette(text, field, expected):
    # No age, sex or "patient": the statement before the question describes one case all the same.
    assert parse_facts(text).facts.get(field).display() == expected


@pytest.mark.parametrize("text", [
    "G2 NETs have a Ki-67 of 3-20%. What defines G3?",
    "Studies report TACE for more than 50% liver involvement. Is that right?",
])
def test_a_statement_about_the_literature_is_not_a_vignette(text):
    assert parse_facts(text).facts.present() == ()


def test_a_hypothetical_patient_in_a_question_is_read():
    assert parse_facts("Can a patient with a G2 NET and Ki-67 8% be transplanted?").facts.ki67_pct.value == 8


# ---- facts_from_dict / merge_facts -----------------------------------------------------------------------------
def test_facts_from_dict_accepts_plain_values_and_the_to_dict_shape():
    parsed = facts_from_dict({"age": 62, "ki67_pct": {"value": "<2", "source": "form"}, "grade": 2,
                              "sstr_positive": "yes", "portal_vein_thrombosis": False, "bilirubin_umol_l": 34.2})
    assert not parsed.invalid
    f = parsed.facts
    assert (f.age.value, f.ki67_pct.display(), f.grade.value, f.sstr_positive.value) == (62, "<2", "G2", True)
    assert f.portal_vein_thrombosis.value == "none" and f.bilirubin_mg_dl.value == 2.0
    assert f.age.span is None and f.to_dict()["age"] == {"value": 62, "source": "form"}


@pytest.mark.parametrize("d, field, words", [
    ({"ki67_pct": 150}, "ki67_pct", "0–100"), ({"age": -3}, "age", "0–120"), ({"age": 62.5}, "age", "whole number"),
    ({"grade": "G5"}, "grade", "one of"), ({"sstr_positive": "maybe"}, "sstr_positive", "true or false"),
    ({"ki67": 8}, "ki67", "did you mean ki67_pct"), ({"liver_involvement_pct": "lots"}, "liver_involvement_pct", "number"),
    ({"flr_pct": float("nan")}, "flr_pct", "must be"), ({"lesion_count": True}, "lesion_count", "number"),
])
def test_facts_from_dict_reports_invalid_values(d, field, words):
    parsed = facts_from_dict(d)
    assert parsed.facts.present() == ()
    assert parsed.invalid[0].field == field and words in parsed.invalid[0].reason


def test_facts_from_dict_null_is_unknown_and_non_mapping_is_bad_input():
    assert facts_from_dict({"age": None}).facts.present() == ()
    with pytest.raises(BadInput):
        facts_from_dict([("age", 62)])  # type: ignore[arg-type]


def test_merge_override_wins_and_completes():
    parsed = parse_facts("62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement")
    merged = merge_facts(parsed, facts_from_dict({"ki67_pct": 4, "extrahepatic_disease": False}))
    f = merged.facts
    assert f.ki67_pct.value == 4 and f.ki67_pct.span is None          # the form wins
    assert f.extrahepatic_disease.value is False                       # the form completes
    assert f.age.value == 62 and f.age.span is not None                # the text stays where the form is silent


def test_merge_rederives_portal_drainage_from_the_overriding_site():
    merged = merge_facts(parse_facts("62 y, ileal NET"), PatientFacts.of(primary_site="lung"))
    assert merged.facts.portal_drainage.value is False
    stated = merge_facts(facts_from_dict({"portal_drainage": True}), PatientFacts.of(primary_site="lung"))
    assert stated.facts.portal_drainage.value is True                  # a stated fact is never overwritten


def test_merge_keeps_invalid_values_from_both():
    merged = merge_facts(parse_facts("Ki-67 150 %"), facts_from_dict({"age": 300}))
    assert {i.field for i in merged.invalid} == {"ki67_pct", "age"}


def test_patient_facts_of_raises_on_invalid_and_records_are_frozen():
    with pytest.raises(BadInput, match="Ki-67 must be 0–100"):
        PatientFacts.of(ki67_pct=150)
    facts = PatientFacts.of(age=50)
    with pytest.raises(AttributeError):
        facts.age = Fact(60)  # type: ignore[misc]


def test_fact_intervals():
    assert Fact(2.0, qualifier="<").interval()[1:] == (2.0, True, True)
    assert Fact(10.0, low=5.0).interval() == (5.0, 10.0, False, False)
    assert Fact(8.0).display() == 8 and Fact(5.0, low=3.0).display() == "3–5"


@pytest.mark.parametrize("text", ["bilirubin 2.5 mmol/L", "bilirubin 30 mg/L", "bilirubin 0.03 g/L"])
def test_a_unit_the_criteria_do_not_use_is_refused_explicitly(text):
    """Only mg/dL (the criteria's unit) and µmol/L (converted) are read; any other unit is named as refused."""
    parsed = parse_facts(f"62 y, G2 ileal NET, {text}, Ki-67 8 %")
    assert parsed.facts.bilirubin_mg_dl is None
    refused = [i for i in parsed.invalid if i.field == "bilirubin_mg_dl"]
    assert refused and "mg/dL or µmol/L" in refused[0].reason
    assert parsed.facts.ki67_pct.value == 8                    # the rest of the vignette is still read
