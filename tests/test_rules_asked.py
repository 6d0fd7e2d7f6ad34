"""A general question about a criterion ("Ki-67 ceiling for LT: 5 % or 10 %?") gets every review's version of it,
quoted; a question about results, a patient, or an option alone gets none."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from netlm_rag.corpus import load_corpus
from netlm_rag.evidence import still_quoted
from netlm_rag.rules import asked_criteria, check

ROOT = Path(__file__).resolve().parents[1]


def topics(question: str) -> dict[str, object]:
    return {a.topic: a for a in asked_criteria(question)}


def test_a_limit_question_gets_each_reviews_version_and_the_disagreement():
    (lt,) = asked_criteria("For LT, is the Ki-67 ceiling 5% or 10%? La Salvia vs Gangi.")
    assert lt.topic == "transplant.ki67" and lt.fields == ("ki67_pct",)
    assert lt.differ and lt.thresholds[:2] == ("Ki-67 < 5 %", "Ki-67 < 10 %")
    quotes = {cr.source.doc_id: cr.source.quote for cr in lt.criteria}
    assert quotes["la-salvia-2016"] == "well-differentiated NETs (Ki67 < 5%)"
    assert quotes["gangi-2020"] == "Ki-67% <10 per ENETS"
    assert "different limits: Ki-67 < 5 % vs Ki-67 < 10 %" in lt.text()


@pytest.mark.parametrize("question, topic, differ", [
    ("Upper age limit for LT in NELM: is it 55 or 60?", "transplant.age", True),
    ("Minimum future liver remnant for NELM hepatectomy?", "resection.flr", False),
    ("Max lesion size for RFA per the Dermine review?", "ablation.size", True),
    ("Is hepatectomy reasonable for high-grade NELM?", "resection.grade", False),
    ("Debulking threshold: 90% or 70%?", "debulking.extent", True),
    ("Contraindications to TAE/TACE/TARE: what's the bilirubin cut-off?", "arterial.bilirubin", False),
    # The Milan criteria are the transplant criteria: naming them names the option.
    ("What is the Ki-67 limit in the Milan criteria?", "transplant.ki67", True),
])
def test_criterion_questions_of_each_kind(question, topic, differ):
    found = topics(question)
    assert topic in found, list(found)
    assert found[topic].differ is differ, found[topic].thresholds


@pytest.mark.parametrize("question", [
    "Rotterdam Lu-177 DOTATATE series (Kwekkeboom): median TTP and OS?",   # a drug's name is not the SSTR criterion
    "What did NETTER-2 show for Lu-177 DOTATATE in G2/G3 GEP-NETs?",        # results, not a limit
    "What are the Milan criteria for liver transplantation?",              # an option, no field named
    "What Ki-67 cut-off separates G1 from G2?",                             # a field, no option
    "How does PRRT work?",
])
def test_questions_not_asking_for_a_criterion_get_none(question):
    assert asked_criteria(question) == ()


def test_the_report_lists_them_only_without_patient_facts():
    general = check(question="What Ki-67 limit applies for liver transplantation?")
    assert [a.topic for a in general.asked] == ["transplant.ki67"]
    assert "Criteria the reviews state" in general.summary() and "(Ki67 < 5%)" in general.summary()
    assert json.loads(json.dumps(general.to_dict()))["asked"][0]["differ"] is True
    patient = check(text="58 y, G1 pNET, Ki-67 12 %, 30 % liver involvement: LT? What Ki-67 limit applies?")
    assert patient.has_facts and patient.asked == ()      # a patient gets the verdict table instead
    assert check(text="What Ki-67 limit applies for liver transplantation?").asked, "the text is the question"
    one_number = check(text="Max size for thermal ablation of a NET liver met: 3 cm or 5 cm? Gangi vs Dermine.")
    assert not one_number.facts.is_case() and [a.topic for a in one_number.asked] == ["ablation.size"]


def test_a_criterion_whose_review_or_quote_is_gone_is_not_shown():
    docs = {d.id: d for d in load_corpus(ROOT / "corpus")}
    asked = asked_criteria("For LT, is the Ki-67 ceiling 5% or 10%?")
    assert still_quoted(asked, docs) == asked
    without_gangi = {k: v for k, v in docs.items() if k != "gangi-2020"}
    (kept,) = still_quoted(asked, without_gangi)
    assert "gangi-2020" not in {cr.source.doc_id for cr in kept.criteria} and kept.criteria
    edited = dict(docs, **{"la-salvia-2016": replace(docs["la-salvia-2016"], raw_text=docs["la-salvia-2016"].raw_text
                                                      .replace("(Ki67 < 5%)", "(Ki67 < 3%)"))})
    (kept,) = still_quoted(asked, edited)
    assert "la-salvia-2016" not in {cr.source.doc_id for cr in kept.criteria}
    assert still_quoted(asked, {}) == ()


def test_the_reviews_a_question_names_come_first():
    docs = {d.id: d for d in load_corpus(ROOT / "corpus")}
    (size,) = still_quoted(asked_criteria("Max lesion size for RFA per the Dermine review?"), docs, {"dermine-2019"})
    assert size.criteria[0].source.doc_id == "dermine-2019" and len(size.criteria) == 5
    assert [cr.source.doc_id for cr in size.criteria[1:]] == [cr.source.doc_id for cr in
                                                              asked_criteria("Max lesion size for RFA?")[0].criteria
                                                              if cr.source.doc_id != "dermine-2019"]
