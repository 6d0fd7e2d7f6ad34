"""Per-option verdicts, conflicts between sources, required actions, and the RuleReport contract."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from netlm_rag.errors import BadInput
from netlm_rag.rules import OPTIONS, PatientFacts, RuleReport, check, criteria_sets
from netlm_rag.rules.engine import effective_grade, ki67_grades

GOOD_LT = {"age": 45, "ki67_pct": 3, "grade": "G1", "primary_site": "small_bowel", "primary_resected": True,
           "primary_r0": True, "months_since_primary_resection": 24, "liver_involvement_pct": 30,
           "extrahepatic_disease": False, "stable_disease_months": 18, "resectable": False}
GOOD_IA = {"grade": "G2", "portal_vein_thrombosis": "none", "bilirubin_mg_dl": 1.0, "liver_involvement_pct": 30}


def verdict(report: RuleReport, option: str) -> str:
    return report.option(option).verdict


def conflict(report: RuleReport, topic: str) -> dict:
    found = [c for c in report.to_dict()["conflicts"] if c["topic"] == topic]
    assert found, [c["topic"] for c in report.to_dict()["conflicts"]]
    return found[0]


# ---- the worked example of the issue ----------------------------------------------------------------------------
def test_transplant_example_contraindicated_with_ki67_conflict():
    report = check(text="62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?")
    lt = report.to_dict()["options"][OPTIONS.index("liver_transplant")]
    assert lt["verdict"] == "contraindicated"
    involvement = [c for c in lt["criteria"] if c["id"].endswith("-INV")]
    assert len(involvement) == 5 and all(c["verdict"] == "not_met" and c["value"] == 60 for c in involvement)
    assert {c["threshold"] for c in involvement} == {"liver involvement < 50 %"}
    ki67 = conflict(report, "transplant.ki67")
    assert ki67["value"] == 8
    sides = {(v["doc_id"], v["threshold"], v["verdict"]) for v in ki67["versions"]}
    assert ("la-salvia-2016", "Ki-67 < 5 %", "not_met") in sides
    assert ("gangi-2020", "Ki-67 < 10 %", "met") in sides
    assert "La Salvia 2016" in ki67["text"] and "Gangi 2020" in ki67["text"]


def test_liver_involvement_alone_contraindicates_transplant():
    report = check(facts={**GOOD_LT, "liver_involvement_pct": 50})
    lt = report.option("liver_transplant")
    assert lt.verdict == "contraindicated"
    assert {r.criterion.topic for r in lt.criteria} == {"transplant.involvement"}


@pytest.mark.parametrize("change, topic", [
    ({"ki67_pct": 8}, "transplant.ki67"),               # < 5 % (000:69) vs < 10 % (001:83, 003:153)
    ({"age": 57}, "transplant.age"),                    # < 55 vs < 60 (Mazzaferro 2016)
    ({"stable_disease_months": 8}, "transplant.stable"),  # 6 months vs one year (002:51)
    ({"months_since_primary_resection": 8}, "transplant.primary"),
])
def test_between_transplant_versions_is_caution_with_conflict(change, topic):
    report = check(facts={**GOOD_LT, **change})
    assert verdict(report, "liver_transplant") == "caution"
    assert conflict(report, topic)["options"] == ["liver_transplant"]


@pytest.mark.parametrize("change", [{"ki67_pct": 12}, {"age": 61}, {"stable_disease_months": 4},
                                    {"extrahepatic_disease": True}, {"primary_site": "lung"}, {"grade": "G3"},
                                    {"primary_resected": False}, {"progressive": True}])
def test_failing_every_transplant_version_contraindicates(change):
    assert verdict(check(facts={**GOOD_LT, **change}), "liver_transplant") == "contraindicated"


def test_ideal_transplant_candidate_is_still_caution_because_guidelines_disagree():
    lt = check(facts=GOOD_LT).option("liver_transplant")
    assert lt.verdict == "caution" and [r.criterion.id for r in lt.criteria] == ["LT-STATUS"]


def test_transplant_needs_the_essential_facts():
    lt = check(facts={"age": 45, "grade": "G1"}).option("liver_transplant")
    assert lt.verdict == "insufficient_data" and "needs" in lt.reason()


# ---- resection and debulking -------------------------------------------------------------------------------------
def test_resection_eligible_when_every_essential_fact_is_favourable():
    facts = {"grade": "G2", "resectable": True, "extrahepatic_disease": False, "flr_pct": 35}
    res = check(facts=facts).option("resection")
    assert res.verdict == "eligible"
    assert {"RES-LS-HEART", "RES-CL-PC"} <= set(res.not_checked)      # listed, not assumed


@pytest.mark.parametrize("change", [{"flr_pct": 15}, {"resectable": False}, {"extrahepatic_disease": True},
                                    {"grade": "G3", "ki67_pct": 60}, {"differentiation": "poor"}])
def test_resection_contraindications(change):
    facts = {"grade": "G2", "resectable": True, "extrahepatic_disease": False, "flr_pct": 35, **change}
    assert verdict(check(facts=facts), "resection") == "contraindicated"


def test_low_volume_extrahepatic_disease_view_is_shown_but_does_not_soften():
    report = check(facts={"grade": "G2", "resectable": True, "extrahepatic_disease": True, "flr_pct": 35})
    assert verdict(report, "resection") == "contraindicated"
    assert {v["doc_id"] for v in conflict(report, "resection.ehd")["versions"]} >= {"cloyd-2020", "la-salvia-2016"}


def test_well_differentiated_g3_below_55_is_caution_for_resection():
    report = check(facts={"grade": "G3", "ki67_pct": 30, "differentiation": "well", "resectable": True,
                          "extrahepatic_disease": False, "flr_pct": 35})
    assert verdict(report, "resection") == "caution"
    assert conflict(report, "resection.grade")


@pytest.mark.parametrize("pct, expected", [(95, "eligible"), (90, "caution"), (80, "caution"), (70, "contraindicated"),
                                           (60, "contraindicated")])
def test_debulking_thresholds(pct, expected):
    report = check(facts={"debulkable_pct": pct, "grade": "G2", "liver_involvement_pct": 40})
    assert verdict(report, "debulking") == expected
    if expected == "caution":
        assert conflict(report, "debulking.extent")


def test_heavy_liver_replacement_precludes_debulking():
    assert verdict(check(facts={"debulkable_pct": 95, "grade": "G2", "liver_involvement_pct": 75}),
                   "debulking") == "contraindicated"
    assert verdict(check(facts={"debulkable_pct": 95, "grade": "G2", "liver_involvement_pct": 60}),
                   "debulking") == "caution"


# ---- ablation ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("facts, expected", [
    ({"lesion_size_cm": 2, "lesion_count": 2}, "eligible"),
    ({"lesion_size_cm": 4, "lesion_count": 2}, "caution"),
    ({"lesion_size_cm": 5, "lesion_count": 2}, "caution"),
    ({"lesion_size_cm": 6, "lesion_count": 2}, "contraindicated"),
    ({"lesion_size_cm": 2, "lesion_count": 8, "bilobar": True}, "contraindicated"),
    ({"lesion_size_cm": 2, "lesion_count": 8, "bilobar": False}, "caution"),
    ({"lesion_size_cm": 2, "lesion_count": 2, "near_large_vessel": True}, "caution"),
    ({"lesion_size_cm": 2, "lesion_count": 2, "bilioenteric_anastomosis": True}, "caution"),
    ({"lesion_size_cm": 2}, "insufficient_data"),
])
def test_ablation(facts, expected):
    assert verdict(check(facts=facts), "ablation") == expected


def test_many_bilobar_lesions_contraindicated_with_the_dozen_view_noted():
    report = check(facts={"lesion_size_cm": 2, "lesion_count": 8, "bilobar": True})
    docs = {v["doc_id"] for v in conflict(report, "ablation.count")["versions"]}
    assert {"macedo-2013", "la-salvia-2016"} <= docs


# ---- intra-arterial therapy ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, tae, tare", [
    ({}, "eligible", "eligible"),
    ({"portal_vein_thrombosis": "main"}, "contraindicated", "caution"),
    ({"portal_vein_thrombosis": "branch"}, "caution", "caution"),
    ({"portal_vein_thrombosis": "unspecified"}, "contraindicated", "caution"),
    ({"bilirubin_mg_dl": 3.1}, "contraindicated", "contraindicated"),
    ({"bilirubin_mg_dl": None}, "insufficient_data", "insufficient_data"),
    ({"liver_involvement_pct": 80}, "caution", "caution"),
    ({"bilioenteric_anastomosis": True, "prior_whipple": True}, "caution", "caution"),
    ({"differentiation": "poor"}, "contraindicated", "contraindicated"),
    ({"hepatic_insufficiency": True}, "contraindicated", "contraindicated"),
])
def test_arterial(change, tae, tare):
    report = check(facts={**GOOD_IA, **change})
    assert (verdict(report, "transarterial_embolization"), verdict(report, "radioembolization")) == (tae, tare)


def test_radioembolization_pvt_disagreement_is_reported():
    report = check(facts={**GOOD_IA, "portal_vein_thrombosis": "main"})
    c = conflict(report, "radioembolization.pvt")
    assert {v["doc_id"] for v in c["versions"]} >= {"la-salvia-2016", "gangi-2020", "dermine-2019"}


def test_bilirubin_in_micromol_per_litre_from_text():
    report = check(text="58 y, G2 NET, bilirubin 45 µmol/L, no portal vein thrombosis")
    assert report.facts.bilirubin_mg_dl.value == 2.63
    assert verdict(report, "transarterial_embolization") == "contraindicated"


# ---- PRRT, SSA, chemotherapy --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("facts, expected", [
    ({"sstr_positive": False}, "contraindicated"),
    ({"sstr_positive": True, "primary_site": "small_bowel", "progressive_on_ssa": True}, "eligible"),
    ({"sstr_positive": True, "primary_site": "pancreas", "progressive_on_ssa": True}, "caution"),
    ({"sstr_positive": True, "primary_site": "small_bowel", "progressive_on_ssa": False}, "caution"),
    ({"primary_site": "small_bowel"}, "insufficient_data"),
])
def test_prrt(facts, expected):
    assert verdict(check(facts=facts), "prrt") == expected


def test_prrt_from_text_dotatate_negative():
    assert verdict(check(text="55 y, ileal NET, Ga-68 DOTATATE negative"), "prrt") == "contraindicated"


@pytest.mark.parametrize("facts, expected", [
    ({"grade": "G2", "sstr_positive": True}, "eligible"),
    ({"grade": "G2", "sstr_positive": False}, "caution"),
    ({"grade": "G3", "sstr_positive": True}, "caution"),
    ({"grade": "G2"}, "insufficient_data"),
])
def test_somatostatin_analogue(facts, expected):
    assert verdict(check(facts=facts), "somatostatin_analogue") == expected


@pytest.mark.parametrize("facts, expected, regimen", [
    ({"grade": "G3", "differentiation": "well", "ki67_pct": 30}, "eligible", "CH-CL-CAPTEM"),
    ({"differentiation": "poor", "ki67_pct": 70}, "eligible", "CH-CL-PLATINUM"),
    ({"grade": "G3", "differentiation": "well", "ki67_pct": 55}, "eligible", None),   # the source names < 55 / > 55
    ({"grade": "G2", "ki67_pct": 10}, "caution", None),
])
def test_chemotherapy_by_grade_and_ki67(facts, expected, regimen):
    report = check(facts=facts)
    assert verdict(report, "chemotherapy") == expected
    ids = {a["criterion"] for a in report.to_dict()["actions"]}
    assert (regimen in ids) if regimen else not ids & {"CH-CL-CAPTEM", "CH-CL-PLATINUM"}


# ---- actions -----------------------------------------------------------------------------------------------------------
def test_carcinoid_syndrome_requires_periprocedural_octreotide_and_notes_the_dose_debate():
    report = check(text="55 y, G2 ileal NET with carcinoid syndrome, three metastases, largest 2 cm")
    actions = {a["criterion"]: a for a in report.to_dict()["actions"]}
    assert "resection" in actions["CS-MA-SURG"]["options"] and "octreotide" in actions["CS-MA-SURG"]["action"]
    assert "ablation" in actions["CS-DE-LOCO"]["options"]
    assert {v["doc_id"] for v in conflict(report, "carcinoid.octreotide")["versions"]} == {"macedo-2013", "cloyd-2020"}


def test_no_action_for_an_excluded_option():
    report = check(facts={"carcinoid_syndrome": True, "bilirubin_mg_dl": 4, "portal_vein_thrombosis": "main",
                          "grade": "G2"})
    embo = [a for a in report.actions if a.result.criterion.id == "CS-MA-EMBO"]
    assert not embo      # both arterial options are contraindicated


def test_whipple_asks_for_selective_embolisation_and_antibiotics():
    report = check(text="60 y, G2 pancreatic NET, previous Whipple, bilirubin 0.9 mg/dL, no PVT")
    assert any(a["criterion"] == "IA-CL-ANTIBIOTIC" for a in report.to_dict()["actions"])


# ---- grade derivation ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("facts, grade", [
    ({"ki67_pct": 2}, "G1"), ({"ki67_pct": 3}, "G2"), ({"ki67_pct": 20}, "G2"), ({"ki67_pct": 21}, "G3"),
    ({"grade": "G1", "ki67_pct": 8}, "G2"), ({"grade": "G3", "ki67_pct": 8}, "G3"), ({"differentiation": "poor"}, "G3"),
    ({"ki67_pct": "<5"}, ("G1", "G2")), ({"grade": "G2", "ki67_pct": "<5"}, "G2"),
])
def test_effective_grade_is_the_higher(facts, grade):
    assert effective_grade(PatientFacts.of(**facts)).value == grade


def test_ki67_grades_at_the_boundaries():
    assert ki67_grades(None) == ()
    assert ki67_grades(PatientFacts.of(ki67_pct=">20").ki67_pct) == ("G3",)
    assert ki67_grades(PatientFacts.of(ki67_pct="<3").ki67_pct) == ("G1",)


# ---- report contract ------------------------------------------------------------------------------------------------
def test_report_to_dict_shape():
    d = check(text="62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement; Ki-67 150 %",
              answer="Transplant is possible up to 70 years.").to_dict()
    assert list(d) == ["facts", "invalid", "options", "conflicts", "actions", "answer_check", "asked"]
    assert d["asked"] == [], "a patient gets verdicts; the criteria a general question asks about are for no patient"
    assert d["facts"]["age"] == {"value": 62, "source": {"start": 0, "end": 4, "text": "62 y"}}
    assert set(d["invalid"][0]) == {"field", "value", "reason"}
    assert [o["option"] for o in d["options"]] == list(OPTIONS)
    for o in d["options"]:
        assert set(o) == {"option", "verdict", "criteria"}
        assert o["verdict"] in ("eligible", "caution", "contraindicated", "insufficient_data")
        for c in o["criteria"]:
            assert set(c) == {"id", "set", "verdict", "value", "threshold", "source"}
            assert set(c["source"]) == {"doc_id", "file", "line", "quote"}
    assert set(d["answer_check"][0]) == {"claim", "status", "criterion", "source"}
    json.dumps(d)


def test_form_facts_override_and_are_marked_form():
    report = check(text="62 y, Ki-67 8 %", facts={"ki67_pct": 3})
    assert report.to_dict()["facts"]["ki67_pct"] == {"value": 3, "source": "form"}
    assert report.to_dict()["facts"]["age"]["source"]["text"] == "62 y"


def test_invalid_form_values_are_reported_and_bad_facts_type_raises():
    report = check(facts={"ki67_pct": 150, "age": 62})
    assert report.facts.ki67_pct is None and report.invalid[0].field == "ki67_pct"
    with pytest.raises(BadInput):
        check(facts=[1, 2])  # type: ignore[arg-type]


def test_no_facts_no_verdicts():
    report = check(text="What are the Milan criteria for liver transplantation?")
    assert not report.has_facts
    assert all(o.verdict == "insufficient_data" for o in report.options)
    assert report.conflicts == () and report.actions == ()
    assert "No patient facts" in report.summary()


def test_summary_is_short_and_names_verdicts():
    text = check(text="62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement").summary()
    assert "liver_transplant: contraindicated" in text and "Conflict" in text
    assert len(text.splitlines()) < 25


def test_criteria_sets_for_the_docs_page():
    sets = criteria_sets()
    assert all(s.to_dict()["criteria"] for s in sets)
    assert sum(len(s.criteria) for s in sets) >= 100


def test_core_does_not_import_streamlit_or_langchain():
    code = ("import sys, netlm_rag.rules as r; r.check(text='62 y, Ki-67 8 %'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'langchain', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
