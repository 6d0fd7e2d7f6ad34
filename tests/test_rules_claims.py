"""Cross-check of answers: thresholds stated in an answer against the encoded versions, and stances against verdicts."""
from __future__ import annotations

from pathlib import Path

import pytest

from netlm_rag.rules import check
from netlm_rag.rules.claims import check_answer, sentences

RAW = Path(__file__).resolve().parents[1] / "corpus" / "raw"


@pytest.mark.parametrize("answer, criterion_prefix, doc", [
    ("Liver transplantation can be offered up to 70 years of age.", "LT-", None),
    ("Resection requires an FLR of at least 5 %.", "RES-CL-FLR", "cloyd-2020"),
    ("RFA can treat lesions up to 12 cm.", "ABL-", None),
    ("PRRT is an option for receptor-negative tumours.", "PRRT-LS-SSTR", "la-salvia-2016"),
    ("For transplant, Ki-67 must be below 15%.", "LT-", None),
    ("TACE is contraindicated only when bilirubin exceeds 3 mg/dL.", "IA-GA-BILI", "gangi-2020"),
    ("Debulking is worthwhile when 50% of the tumour can be removed.", "DEB-", None),
])
def test_wrong_thresholds_contradict(answer, criterion_prefix, doc):
    checks = check_answer(answer)
    assert checks and checks[0].status == "contradicts", checks
    assert checks[0].criterion.startswith(criterion_prefix)
    if doc:
        assert checks[0].source.doc_id == doc


@pytest.mark.parametrize("answer, criterion", [
    ("The Milan criteria for transplant require Ki-67 <10%.", "LT-GA-KI67"),
    ("Milan criteria for liver transplantation: Ki-67 < 5%.", "LT-LS-KI67"),
    ("Transplant candidates should be younger than 60 years.", "LT-MZ-AGE"),
    ("RFA is limited to lesions up to 5 cm.", None),
    ("Resection should leave an FLR of at least 20%.", "RES-CL-FLR"),
    ("PRRT is not indicated for SSTR-negative tumours.", "PRRT-LS-SSTR"),
    ("Cytoreduction is reasonable when more than 70% debulking is possible.", None),
])
def test_right_thresholds_are_consistent(answer, criterion):
    checks = check_answer(answer)
    assert checks and all(c.status == "consistent" for c in checks), checks
    if criterion:
        assert checks[0].criterion == criterion


def test_the_very_quoted_passage_is_named():
    line83 = (RAW / "001_a3724238ae1ebcdd.txt").read_text(encoding="utf-8").split("\n")[82]
    milan = next(s for s in sentences(line83) if s.startswith("Eligibility for transplantation"))
    checks = {c.criterion for c in check_answer(milan)}
    assert {"LT-GA-KI67", "LT-GA-AGE"} <= checks
    assert all(c.status == "consistent" for c in check_answer(milan))


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_corpus_sentence_contradicts_the_criteria(path):
    """Answers quote the reviews verbatim: a quoted sentence must never be flagged as contradicting them."""
    text = path.read_text(encoding="utf-8")
    wrong = [(c.claim[:100], c.criterion) for c in check_answer(text) if c.status == "contradicts"]
    assert not wrong


def test_corpus_threshold_sentences_are_found():
    found = [c for p in RAW.glob("*.txt") for c in check_answer(p.read_text(encoding="utf-8"))]
    assert len(found) >= 25
    topics = {c.criterion.split("-")[0] for c in found}
    assert {"LT", "ABL", "DEB", "IA", "GR"} <= topics


def test_study_results_and_references_are_not_read_as_criteria():
    assert check_answer("A Swedish study evaluating 33 patients less than 65 years of age who met Milan criteria "
                        "for transplant found 5-year OS of 97%.") == ()
    assert check_answer("28. Elias, D. Combined liver surgery and RFA for patients presenting with more than 15 "
                        "metastases. Eur. J. Surg. Oncol. 2009, 35, 1092. [Google Scholar]") == ()


def test_sentences_split_after_citations_but_not_decimals():
    parts = sentences("It improves survival.^{26,27} Eligibility is variable. Lesions of 3.5 cm (Elias et al. 2009) matter.")
    assert parts == ["It improves survival.^{26,27}", "Eligibility is variable.",
                     "Lesions of 3.5 cm (Elias et al. 2009) matter."]


# ---- stance against this patient's verdict -----------------------------------------------------------------------------
VIGNETTE = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?"


@pytest.mark.parametrize("answer, status", [
    ("Liver transplantation is an option for this patient.", "contradicts"),
    ("Transplant can be considered here.", "contradicts"),
    ("Liver transplantation is not recommended for this patient.", "consistent"),
    ("Transplantation is contraindicated.", "consistent"),
])
def test_stance_against_a_contraindicated_option(answer, status):
    checks = [c for c in check(text=VIGNETTE, answer=answer).answer_check if c.criterion.startswith("LT-")]
    assert [c.status for c in checks] == [status]


def test_stance_against_an_eligible_option():
    facts = {"grade": "G2", "resectable": True, "extrahepatic_disease": False, "flr_pct": 35}
    checks = check(facts=facts, answer="Resection is not recommended in this case.").answer_check
    assert [c.status for c in checks] == ["contradicts"]


@pytest.mark.parametrize("answer", [
    "At the current time, liver transplantation remains an option for patients who meet the ENETS and Milan criteria, "
    "but it is not frequently performed.",                        # 001:83: general, conditional
    "Transplant is an option, and so is TACE.",                   # two options: whose stance?
    "Liver transplantation is discussed in several reviews.",     # no stance
])
def test_no_stance_read_from_general_or_ambiguous_sentences(answer):
    assert [c for c in check(text=VIGNETTE, answer=answer).answer_check if c.note.startswith("liver_transplant")] == []


def test_no_stance_check_without_a_vignette():
    assert check(text="What are the Milan criteria?", answer="Transplant is an option.").answer_check == ()


def test_answer_check_in_report_names_criterion_and_source():
    d = check(answer="Transplant is possible up to 70 years.").to_dict()["answer_check"]
    assert d[0]["status"] == "contradicts" and d[0]["criterion"].startswith("LT-")
    assert d[0]["source"]["file"].endswith(".txt") and d[0]["source"]["quote"]
