"""Criteria evidence: the rules module's source quotes mapped to chunks, and the ranking a vignette gets."""
from __future__ import annotations

import pytest

from netlm_rag.corpus import mentioned_documents
from netlm_rag.evidence import criterion_rows, guide_ranking, quote_offset
from netlm_rag.records import Document
from netlm_rag.rules import CRITERIA, PatientFacts, asked_options, named_options, patient_facts

LT_VIGNETTE = "58F, G1 pNET Ki-67 2%, 30% liver involvement. Is her age a problem for LT?"


def doc(text: str) -> Document:
    return Document("d", "D", "t", (), "j", 2020, "", "", "d.txt", "x", text)


def test_quote_offset_reads_the_recorded_line_then_falls_back_to_anywhere():
    d = doc("first line\nKi-67 <10% on line two\nthird line mentions Ki-67 <10% again\n")
    assert quote_offset(d, 2, "Ki-67 <10%") == d.raw_text.index("Ki-67 <10%")
    assert quote_offset(d, 3, "Ki-67 <10%") == d.raw_text.rindex("Ki-67 <10%")       # on its own line first
    assert quote_offset(d, 1, "on line two") == d.raw_text.index("on line two")      # moved: found anyway
    assert quote_offset(d, 2, "not in the text") == -1
    assert quote_offset(d, 99, "third line") == d.raw_text.index("third line")       # a line past the end


@pytest.mark.slow
def test_almost_every_criterion_maps_to_the_chunk_holding_its_quote(assistant):
    rows = criterion_rows(assistant.chunks, assistant.documents)
    assert len(rows) >= 0.9 * len(CRITERIA)
    for cid, chunk_rows in rows.items():
        quote = CRITERIA[cid].source.quote
        for row in chunk_rows:
            c = assistant.chunks[row]
            raw = assistant.documents[c.doc_id].raw_text[c.start:c.end]
            assert c.kind == "prose" and c.doc_id == CRITERIA[cid].source.doc_id and quote[:20] in raw, cid


@pytest.mark.slow
def test_a_vignette_gets_the_passages_stating_its_options_criteria(assistant):
    ranking = guide_ranking(LT_VIGNETTE, patient_facts(LT_VIGNETTE).facts, assistant.criteria)
    assert ranking and all(n >= 1 for _, n in ranking)
    assert [n for _, n in ranking] == sorted((n for _, n in ranking), reverse=True)
    top = assistant.chunks[ranking[0][0]]
    assert "transplant" in " ".join(top.section).lower() + top.text.lower()
    hits = assistant.ask(LT_VIGNETTE).answer.hits
    assert {h.chunk.id for h in hits} & {assistant.chunks[r].id for r, _ in ranking}


@pytest.mark.slow
@pytest.mark.parametrize("question, facts", [
    ("What are the Milan criteria for liver transplantation?", None),      # no patient facts
    ("58F, G1 pNET Ki-67 2%, 30% liver involvement. What next?", None),    # no option named
])
def test_no_guidance_without_both_facts_and_a_named_option(assistant, question, facts):
    parsed = patient_facts(question, facts).facts
    assert guide_ranking(question, parsed, assistant.criteria) == []
    r = assistant.retriever
    plain = r.hybrid(question, 10, docs=mentioned_documents(question, assistant.aliases))
    assert [h.chunk.id for h in assistant.ask(question).answer.hits] == [h.chunk.id for h in plain]


def test_guidance_needs_a_stated_fact_the_criterion_reads():
    rows = {cid: (i,) for i, cid in enumerate(CRITERIA)}
    assert guide_ranking("LT?", PatientFacts(), rows) == []
    facts = patient_facts("Ki-67 8 %").facts
    ranked = guide_ranking("Ki-67 8 %: LT?", facts, rows)
    used = {list(CRITERIA)[r] for r, _ in ranked}
    assert used and all("liver_transplant" in CRITERIA[c].options and "ki67_pct" in CRITERIA[c].fields for c in used)


@pytest.mark.parametrize("question, option", [
    ("pNET with liver mets plus lung and bone mets. Resect the liver?", "resection"),
    ("Well-differentiated G3 pNET, Ki-67 35%, technically resectable. Operate?", "resection"),
    ("Unresectable G1 ileal NELM. What systemic treatment first?", "somatostatin_analogue"),
])
def test_a_question_asks_for_an_option_without_naming_it(question, option):
    assert option in asked_options(question)
    assert option not in named_options(question)      # answer sentences are read with the strict list


def test_a_resected_primary_in_an_answer_is_not_an_option():
    assert asked_options("The primary was resected two years ago; is LT possible?") == ("liver_transplant",)


def test_a_general_criteria_question_is_guided_to_the_passages_stating_those_criteria():
    from netlm_rag.evidence import asked_fields

    q = "What Ki-67 limit applies for liver transplantation of NELM?"
    assert asked_fields(q) == {"ki67_pct"}
    rows = {cid: (i,) for i, cid in enumerate(sorted(CRITERIA))}
    guided = {r for r, _ in guide_ranking(q, PatientFacts(), rows)}
    expected = {rows[cid][0] for cid, cr in CRITERIA.items()
                if "liver_transplant" in cr.options and "ki67_pct" in cr.fields}
    assert expected and guided == expected
    assert guide_ranking("What is the role of liver transplantation?", PatientFacts(), rows) == []
