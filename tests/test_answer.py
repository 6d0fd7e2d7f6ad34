"""Extractive composition on hand-made chunks: verbatim citations, dedup, conflicts, abstention."""
from __future__ import annotations

from dataclasses import replace as dc_replace

import numpy as np

from netlm_rag.answer import (Candidate, add_antecedents, add_disagreeing, add_results, choose, compose_answer,
                              question_parts, reading_order, render, states_number, verify_citation,
                              with_conflict_note)
from netlm_rag.config import AnswerSettings
from netlm_rag.conflicts import find_conflicts, quantities
from netlm_rag.lexicon import default_lexicon
from netlm_rag.records import Chunk, Citation, Document, Hit, Span

L = default_lexicon()
RAW_A = ("Header junk\n\nLiver transplantation requires Ki-67 < 5% and age < 55 years. "
         "Stable disease for at least 6 months is required.\n")
RAW_B = "Intro.\n\nThe ENETS criteria accept Ki-67 < 10% for liver transplantation. Other text follows here.\n"


def doc(i: str, raw: str) -> Document:
    return Document(i, i.title(), "t", (), "j", 2020, "", "", f"{i}.txt", "x", raw)


def chunk_of(d: Document, start_marker: str) -> Chunk:
    start = d.raw_text.index(start_marker)
    text = d.raw_text[start:].rstrip("\n")
    spans, pos = [], 0
    for sent in text.split(". "):
        s_text = sent if sent.endswith(".") else sent + "."
        i = text.index(s_text, pos)
        spans.append(Span(i, i + len(s_text), start + i))
        pos = i + len(s_text)
    return Chunk(f"{d.id}#0", d.id, ("Transplant",), "prose", text, start, start + len(text), tuple(spans))


DOCS = {"a": doc("a", RAW_A), "b": doc("b", RAW_B)}
CA, CB = chunk_of(DOCS["a"], "Liver"), chunk_of(DOCS["b"], "The ENETS")
HITS = (Hit(CA, 1.0, 1, 1, 0.8), Hit(CB, 0.9, 2, 2, 0.7))


def scores(hit: Hit) -> np.ndarray:
    return np.linspace(0.8, 0.5, len(hit.chunk.sentences))


def test_every_citation_is_verbatim_in_chunk_and_raw_file():
    ans = compose_answer("Ki-67 limit for liver transplantation?", HITS, scores, DOCS, AnswerSettings(), L)
    assert not ans.abstained and ans.citations
    chunks = {CA.id: CA, CB.id: CB}
    for c in ans.citations:
        assert verify_citation(c, chunks, DOCS)
        assert c.text in ans.text


def test_forged_citation_fails_verification():
    span = CA.sentences[0]
    good = Citation(CA.id, "a", "A", "T", span.start, span.end, CA.text[span.start:span.end])
    chunks = {CA.id: CA}
    assert verify_citation(good, chunks, DOCS)
    bad_text = Citation(CA.id, "a", "A", "T", span.start, span.end, good.text.replace("5%", "15%"))
    unknown_chunk = Citation("zz#0", "a", "A", "T", span.start, span.end, good.text)
    assert not verify_citation(bad_text, chunks, DOCS) and not verify_citation(unknown_chunk, chunks, DOCS)


def test_disagreement_is_detected_and_named():
    ans = with_conflict_note(compose_answer("Ki-67 limit for liver transplantation?", HITS, scores, DOCS,
                                            AnswerSettings(), L))
    assert ans.conflicts and "disagree" in ans.text
    c = ans.conflicts[0]
    assert {s.doc_id for s in c.statements} == {"a", "b"} and any("5%" in v for v in c.values)


def test_abstains_below_similarity_floor_and_on_unknown_terms():
    low = tuple(Hit(h.chunk, h.score, 1, 1, 0.1) for h in HITS)
    ans = compose_answer("anything", low, scores, DOCS, AnswerSettings(), L)
    assert ans.abstained and not ans.citations and "similarity" in ans.abstain_reason and ans.hits == low
    ans = compose_answer("cabozantinib?", HITS, scores, DOCS, AnswerSettings(), L, unknown_terms=("cabozantinib",))
    assert ans.abstained and "cabozantinib" in ans.abstain_reason
    ans = compose_answer("Hepatocellular carcinoma: Ki-67 limit for liver transplantation?", HITS, scores, DOCS,
                         AnswerSettings(), L, other_disease="hepatocellular carcinoma")
    assert ans.abstained and not ans.citations and ans.hits == HITS
    assert "about hepatocellular carcinoma" in ans.abstain_reason and "neuroendocrine" in ans.abstain_reason


def test_word_budget_is_respected_except_for_a_disagreeing_source():
    tight = AnswerSettings(max_words=12, overflow_words=0)
    ans = compose_answer("Stable disease months?", HITS[:1], scores, DOCS, tight, L)
    assert len(ans.citations) == 1
    both = compose_answer("Ki-67 transplantation", HITS, scores, DOCS, tight, L)
    assert len(both.citations) == 2 and both.conflicts        # the second review is added only to show it


def test_a_strong_sentence_may_overflow_the_budget_a_little_a_weak_one_may_not():
    # The two sentences of review a: 11 and 9 words; both score alike, so the second is strong.
    loose = compose_answer("Stable disease months?", HITS[:1], scores, DOCS,
                           AnswerSettings(max_words=12, overflow_words=10, overflow_margin=0.3), L)
    assert len(loose.citations) == 2
    short = compose_answer("Stable disease months?", HITS[:1], scores, DOCS,
                           AnswerSettings(max_words=12, overflow_words=5, overflow_margin=0.3), L)
    assert len(short.citations) == 1                           # 20 words > 12 + 5

    def weak_second(hit: Hit) -> np.ndarray:
        return np.array([0.9, 0.1][:len(hit.chunk.sentences)])

    # w_previous off: otherwise the strong first sentence lends the second half its cosine; part coverage off:
    # it would add the second sentence for the question's terms the first one leaves out.
    weak = compose_answer("Stable disease months?", HITS[:1], weak_second, DOCS,
                          AnswerSettings(max_words=12, overflow_words=10, overflow_margin=0.3, w_previous=0.0,
                                         part_overflow_words=0), L)
    assert len(weak.citations) == 1


def test_a_question_on_dosing_asks_for_a_number():
    dosing = "randomized 229 patients to receive 177Lu-Dotatate at a dose of 7.4 GBq every 8 weeks"
    for q in ("How was NETTER-1 dosed?", "NETTER-1 dosing?", "What dosage of Lu-177?", "What dose was used?"):
        assert states_number(q, dosing), q
    assert not states_number("Who was NETTER-1 for?", dosing)
    assert not states_number("How was NETTER-1 dosed?", "The trial was randomized and open-label.")


def test_whether_a_treatment_works_is_answered_by_its_results():
    result = "Median PFS was 11.0 vs 3.9 months irrespective of the extent of liver metastasis."
    for q in ("RADIANT-4: does everolimus still work when liver mets are extensive?", "Is TACE effective for NELM?",
              "Outcomes of cryoablation in Bilchik's series?", "Does debulking benefit asymptomatic patients?"):
        assert states_number(q, result), q
    assert not states_number("What is IRE and when is it useful for NELM?", result)
    assert not states_number("How does PRRT work?", result)      # a mechanism, not results
    assert not states_number("Does everolimus work?", "Everolimus is an mTOR inhibitor.")


def test_a_named_kind_of_quantity_is_answered_by_that_unit():
    # Units too rare for the generic pattern: micrometres, degrees, micrograms.
    assert states_number("Resin vs glass Y-90 microspheres: sizes?", "SIR-spheres are 20–40 μm resin microspheres.")
    assert states_number("Cryoablation: what temperature should be reached?", "It should be −50°C or lower.")
    assert states_number("Carcinoid crisis: what do I give?", "Give octreotide (300 micrograms IV) and plasma.")
    # The kind must match: a temperature question is not answered by a size, nor a size question by a dose.
    assert not states_number("What temperature should be reached?", "Probes of 2 cm are used.")
    assert not states_number("Microsphere sizes?", "Octreotide 300 micrograms was given.")
    assert not states_number("Microsphere sizes?", "Glass and resin microspheres are available.")


def test_a_question_asking_only_for_a_kind_of_quantity_wants_that_kind():
    # "Usual doxorubicin and STZ doses for cTACE?" had been answered by response rates: any number took the bonus.
    q = "Usual doxorubicin and STZ doses for cTACE of NET liver mets?"
    assert states_number(q, "Doxorubicin 50 mg/m2 and streptozocin 1.5 g/m2 are mixed with lipiodol.")
    assert not states_number(q, "The response rate was 70%, with a PFS of 18 months.")
    # A question asking for other quantities too keeps the bonus for any number.
    q = "RADIANT-3: size, everolimus dose and PFS in pNET?"
    assert states_number(q, "Median PFS was 11.0 vs 4.6 months.")
    # "give different figures" does not ask for a dose.
    assert states_number("What share of NETs arise in the digestive tract? Macedo and Dermine give different figures.",
                         "Most NETs are from the digestive origin (58%).")
    assert states_number("Lanreotide dose and interval in CLARINET?", "120 mg lanreotide every 28 days.")
    assert states_number("Interval between embolization sessions?", "Sessions are spaced with a 4–6 week interval.")


def test_a_question_asking_why_is_answered_by_a_reason():
    reason = "Since natural somatostatin has a very short half life (2-3 min) analogues have been developed."
    assert states_number("Why do we need synthetic SSAs rather than native somatostatin?", reason)
    assert states_number("Reasons for giving SSAs before embolization?", "It is given because of the crisis risk.")
    assert not states_number("Why do we need synthetic SSAs?", "Octreotide and lanreotide are synthetic SSAs.")
    assert not states_number("Which SSAs are synthetic?", reason)


def test_quantities_pick_the_nearest_subject():
    qs = {(q.subject, q.unit, q.number) for q in quantities("Ki-67 <10%, age < 55 years, liver involvement <50%", L)}
    assert {("ki67", "%", 10.0), ("age", "years", 55.0), ("liver_burden", "%", 50.0)} <= qs


def test_one_quantity_under_the_reviews_different_words_for_it():
    # Dermine's "hepatic invasion <50%" and La Salvia's "hepatic tumor involvement < 50%" are one LT criterion, and
    # "symptom regression" / "symptomatic responses" one result: the synonym table names each quantity once.
    burden = {q.subject for t in ("hepatic invasion <50%", "tumor involvement < 50%", "liver replacement >50-70%")
              for q in quantities(t, L)}
    symptoms = {q.subject for t in ("Symptom regression in 42% to 100%", "rates of symptomatic responses of 39%")
                for q in quantities(t, L)}
    assert burden == {"liver_burden"} and symptoms == {"symptom_control"}


def test_the_visible_tumor_removed_is_the_debulking_extent():
    text = "surgical resection should be attempted when at least 90% of the visible tumor can be removed"
    assert [(q.subject, q.number) for q in quantities(text, L)] == [("debulking extent", 90.0)]


def test_same_number_in_two_reviews_is_no_conflict():
    c1 = Citation("a#0", "a", "A", "s", 0, 10, "Ki-67 < 10% is required.")
    c2 = Citation("b#0", "b", "B", "s", 0, 10, "A Ki-67 < 10% limit applies.")
    assert find_conflicts([c1, c2], L) == ()


def test_different_limits_are_a_disagreement_but_different_results_are_only_different_figures():
    """'Ki-67 < 5 %' vs '< 10 %' is two reviews disagreeing on a criterion; '5-year OS was 57.8 %' vs 'OS of 97 %'
    may be two cohorts, and the note must not claim the reviews contradict each other."""
    from netlm_rag.records import Answer

    lim = find_conflicts([Citation("a#0", "a", "A", "s", 0, 9, "Transplant requires Ki-67 < 5%."),
                          Citation("b#0", "b", "B", "s", 0, 9, "Transplant requires Ki-67 < 10%.")], L)
    res = find_conflicts([Citation("a#0", "a", "A", "s", 0, 9, "The 5-year overall survival was 57.8%."),
                          Citation("b#0", "b", "B", "s", 0, 9, "They found a 5-year OS of 97%.")], L)
    assert len(lim) == 1 and lim[0].thresholds and len(res) == 1 and not res[0].thresholds
    note = with_conflict_note(Answer("x", (), False, "", lim, (), "q")).text
    assert "the reviews disagree on ki67 (%): < 5% (A) vs < 10% (B)." in note
    note = with_conflict_note(Answer("x", (), False, "", res, (), "q")).text
    assert "disagree" not in note and "report different figures for 5-year os (%): 57.8% (A) vs 97% (B)" in note
    assert "different studies or patient groups" in note
    both = with_conflict_note(Answer("x", (), False, "", lim + res, (), "q")).text
    assert both.count("\n\nNote —") == 2          # each note its own paragraph (markdown joins single newlines)


def _cite(doc: str, section: str, text: str) -> Citation:
    return Citation(f"{doc}#0", doc, doc.upper(), section, 0, len(text), text)


def test_limits_for_different_purposes_are_not_a_disagreement():
    """Ki-67 < 3 % grades a tumour G1; < 5 % is a transplant criterion; < 55 % picks a chemotherapy: one subject,
    three criteria. A transplant sentence that mentions "resection of the primary" is still about transplant."""
    grading = _cite("a", "Pathology", "Grade 1 (Ki-67 < 3%) and 2 tumors are the majority.")
    lt = _cite("b", "Liver transplantation", "Criteria: Ki-67 < 5%, resection of the primary.")
    lt_other = _cite("c", "Therapeutic options", "Liver transplantation criteria: Ki-67 < 10%, resection of the primary.")
    chemo = _cite("d", "Systemic therapy", "Hepatic resection or capecitabine/temozolomide when Ki-67 < 55%.")
    assert find_conflicts([grading, lt], L) == ()
    assert find_conflicts([lt_other, chemo], L) == ()
    (c,) = find_conflicts([grading, lt, lt_other, chemo], L)
    assert c.thresholds and c.values == ("< 5% (B)", "< 10% (C)")


def test_an_outcome_with_a_comparator_is_a_result_unless_stated_as_a_limit():
    qs = quantities("Reviews suggest a 5-year OS of >50%, with acceptable morbidity (< 30%) and less than 5% mortality.", L)
    got = {(q.subject, q.value): q.limit for q in qs}
    assert got == {("5-year os", ">50%"): False, ("morbidity", "< 30%"): True, ("mortality", "less than 5%"): True}
    res = find_conflicts([_cite("a", "s", "The recurrence rate is over 70% at 5 years."),
                          _cite("b", "s", "The 5-year recurrence rate is greater than 97%.")], L)
    assert len(res) == 1 and not res[0].thresholds


def test_selection_weights_come_from_the_settings():
    """The fitted weights (eval/tune_sentences.py) are settings, not constants: raising the weight of shared
    terms lets a sentence with the question's words beat one the embedding scores higher."""

    from netlm_rag.answer import candidates, rescored, select

    q = "How long must disease be stable?"
    flat = AnswerSettings(w_overlap=0.0, w_context=0.0, w_number=0.0, w_previous=0.0, select_margin=0.0)
    cands = candidates(q, HITS[:1], scores, L, flat)
    assert cands[0].text.startswith("Liver transplantation")          # highest cosine in the fake scorer
    heavy = dc_replace(flat, w_overlap=2.0)
    again = sorted((rescored(c, heavy) for c in cands), key=lambda c: -c.score)
    assert again[0].text.startswith("Stable disease")
    assert [c.text for c in select(again, heavy)] == [again[0].text]     # margin 0: only the best
    assert len(select(again, dc_replace(heavy, select_margin=5.0))) == 2  # a wide margin fills the budget
    deep = candidates(q, HITS, scores, L, dc_replace(flat, depth=1))
    assert {c.chunk.doc_id for c in deep} == {"a"}


def test_a_sentence_inherits_some_relevance_from_the_one_before_it():
    """"It has little interference with the nontumor tissue, except with the kidney ..." answers a PRRT question
    only through the sentence before it: the previous sentence's cosine is a feature with its own weight."""

    from netlm_rag.answer import candidates, rescored

    q = "How long must disease be stable?"
    flat = AnswerSettings(w_overlap=0.0, w_context=0.0, w_number=0.0, w_rank=0.0, w_previous=0.0)
    cands = {c.index: c for c in candidates(q, HITS[:1], scores, L, flat)}
    assert cands[0].previous == 0.0                                # nothing before the first sentence
    assert cands[1].previous == cands[0].similarity == 0.8
    assert cands[0].score > cands[1].score                         # 0.8 vs 0.5 on its own cosine
    linked = dc_replace(flat, w_previous=0.5)
    assert rescored(cands[1], linked).score == 0.5 + 0.5 * 0.8 > rescored(cands[0], linked).score


def test_a_sentence_about_another_treatment_than_the_one_asked_loses_ground():
    """*What are the side effects of everolimus?* had opened with PRRT's toxicities: a sentence naming only
    other treatments, or naming none in a passage that never names the one asked, loses w_foreign."""
    from netlm_rag.answer import candidates, other_treatment, rescored

    tok = lambda text: frozenset(L.tokenize(text))    # noqa: E731
    asked = frozenset({"~everolimus"})
    assert other_treatment(asked, tok("Long-term side effects of PRRT include renal failure."), frozenset())
    assert not other_treatment(asked, tok("Everolimus caused stomatitis, unlike PRRT."), frozenset())
    # No treatment in the sentence: its passage decides.
    assert not other_treatment(asked, tok("Most adverse effects were grade 1-2."), tok("Everolimus was tested."))
    assert other_treatment(asked, tok("Acute side effects are nausea."), tok("PRRT with 177Lu-DOTATATE."))
    assert not other_treatment(frozenset(), tok("Long-term side effects of PRRT."), frozenset())   # none asked

    raw = ("x\n\nLong-term side effects of PRRT include renal failure. "
           "Everolimus side effects include stomatitis and rash.\n")
    ck = chunk_of(doc("e", raw), "Long-term")
    flat = AnswerSettings(w_overlap=0.0, w_context=0.0, w_number=0.0, w_rank=0.0, w_previous=0.0, w_foreign=0.0)
    cands = candidates("What are the side effects of everolimus?", (Hit(ck, 1.0, 1, 1, 0.8),), scores, L, flat)
    assert [c.foreign for c in cands] == [True, False]           # best cosine first (the fake scorer)
    penalised = sorted((rescored(c, dc_replace(flat, w_foreign=0.5)) for c in cands), key=lambda c: -c.score)
    assert penalised[0].text.startswith("Everolimus")
    # A question naming no treatment is not affected.
    assert not any(c.foreign for c in candidates("What are the side effects?", (Hit(ck, 1.0, 1, 1, 0.8),),
                                                 scores, L, flat))


def test_a_sentence_reporting_another_study_than_the_trial_asked_is_told_apart():
    """*Did NETTER-1 show an overall survival benefit?* had opened with "The median overall survival was 79 months.",
    which reports the retrospective study the sentence before it opens, not NETTER-1."""
    from netlm_rag.answer import candidates, rescored, study_scope

    texts = ["A recent retrospective study with 44 patients analyzed the long-term outcome of PRRT.",
             "The median overall survival was 79 months.",
             "The NETTER-1 trial was the first randomized controlled trial of 177Lu-DOTATATE.",
             "The overall survival for the PRRT arm has not yet been reached.",
             "In contrast to PROMID, this study included patients with grade 1 or 2 tumors.",
             "A phase-3 trial comparing PRRT and octreotide was presented at a congress.",
             "In this first prospective randomized study, PFS was not reached."]
    toks = [frozenset(L.tokenize(t)) for t in texts]
    netter = frozenset({"~netter"})
    # The study the nearest opening sentence names: another one, the one asked, or (an unnamed randomised trial,
    # which may be the one asked) not known; a comparison in passing ("in contrast to PROMID") opens nothing.
    assert [study_scope(netter, texts, toks, i) for i in range(len(texts))] == [-1, -1, 1, 1, 1, 0, 0]
    assert study_scope(frozenset({"radiant-4"}), texts, toks, 3) == -1       # a trial by its code
    assert study_scope(frozenset(), texts, toks, 1) == 0                      # no trial asked: no judgement
    assert study_scope(netter, ["PFS was 28 months.", "OS was not reached."], [frozenset()] * 2, 1) == 0

    raw = ("x\n\nA recent retrospective study with 44 patients analyzed PRRT. The median overall survival was 79 "
           "months. The NETTER-1 trial was a randomized trial of PRRT. The overall survival for the PRRT arm has not "
           "yet been reached.\n")
    ck = chunk_of(doc("n", raw), "A recent")
    flat = AnswerSettings(w_overlap=0.0, w_context=0.0, w_number=0.0, w_rank=0.0, w_previous=0.0, w_foreign=0.0,
                          w_other_study=0.0, w_trial_scope=0.0)
    q = "Did NETTER-1 show an overall survival benefit?"
    cands = candidates(q, (Hit(ck, 1.0, 1, 1, 0.8),), scores, L, flat)
    by_text = {c.text[:20]: c.study for c in cands}
    assert by_text["The median overall s"] == -1 and by_text["The overall survival"] == 1
    scoped = sorted((rescored(c, dc_replace(flat, w_other_study=0.5, w_trial_scope=0.5)) for c in cands),
                    key=lambda c: -c.score)
    assert scoped[-1].study == -1 and scoped[0].study == 1


def _candidate_texts(raw: str, start_marker: str, question: str) -> tuple[int, list[str]]:
    """(sentences in the one-chunk document, the texts of its answer candidates for `question`)."""
    ck = chunk_of(doc("k", raw), start_marker)
    return len(ck.sentences), _candidates_of(ck, question)


def _candidates_of(ck: Chunk, question: str) -> list[str]:
    from netlm_rag.answer import candidates

    return [c.text for c in candidates(question, (Hit(ck, 1.0, 1, 1, 0.8),), scores, L, AnswerSettings())]


def test_an_abbreviation_key_is_never_an_answer_sentence():
    raw = ("Intro.\n\nLiver transplantation is rarely offered for metastases. "
           "LT, liver transplantation; NELM, neuroendocrine liver metastases; ENETS, European Neuroendocrine Tumor "
           "Society.\n")
    n, texts = _candidate_texts(raw, "Liver", "Liver transplantation for NELM per ENETS?")
    assert n == 2 and texts == ["Liver transplantation is rarely offered for metastases."]


def test_a_review_describing_itself_is_never_an_answer_sentence():
    """"In this review, we focus on ... liver metastases" shares a question's topic words and answers nothing
    (it had reached 4 evaluation answers); a sentence that only mentions a review is still a candidate."""
    raw = ("Intro.\n\nIn this review, we focus on liver transplantation for liver metastases. "
           "This review focuses on liver transplantation criteria. "
           "A recent review of liver transplantation reported a 5-year survival of 63%.\n")
    n, texts = _candidate_texts(raw, "In this", "Liver transplantation for liver metastases?")
    assert n == 3 and texts == ["A recent review of liver transplantation reported a 5-year survival of 63%."]


def test_a_few_words_left_over_from_a_broken_sentence_are_never_an_answer_sentence():
    """The delivered file breaks "... and the United" / "Network for Organ Sharing database.^[30]" where the cleaner
    cannot tell it from a missing full stop; the tail alone had reached 6 main-set answers. A short sentence after a
    finished one (citation markers aside) is still a candidate."""
    from netlm_rag.answer import unfinished

    sentences = ("Firm evidence on liver transplantation is scarce because few transplants are performed for such "
                 "indications (data from the European Liver Transplant Registry and the United",
                 "Network for Organ Sharing database.^[30]", "Liver transplantation registry data were reviewed.^[31]",
                 "Transplant registry outcomes vary widely.")
    text = "\n\n".join(sentences[:3]) + " " + sentences[3]
    d = doc("k", "Intro.\n\n" + text + "\n")
    start = d.raw_text.index(text)
    spans = tuple(Span(text.index(t), text.index(t) + len(t), start + text.index(t)) for t in sentences)
    ck = Chunk("k#0", "k", ("Transplant",), "prose", text, start, start + len(text), spans)
    texts = _candidates_of(ck, "Liver transplantation registry data?")
    assert sorted(texts) == sorted(t for i, t in enumerate(sentences) if i != 1)
    assert unfinished(sentences[0])
    assert not any(unfinished(t) for t in ("a 5-year OS of 74%.¹⁹", "database.^[30]", "as reported (36).",
                                            "was 11 months [12, 14].", "in 2011.⁵¹", "(Figure 1)."))


def test_precomputed_chunk_tokens_give_the_same_candidates():
    """The build-time token table is only a cache: same candidates, same scores, same order as tokenizing
    on the fly — and a chunk missing from the table is still tokenized, not skipped."""
    from netlm_rag.answer import candidates
    from netlm_rag.terms import token_table

    q = "Ki-67 limit for liver transplantation and stable disease?"
    cfg = AnswerSettings()
    fresh = candidates(q, HITS, scores, L, cfg)
    cached = candidates(q, HITS, scores, L, cfg, tokens=token_table([CA, CB], L))
    partial = candidates(q, HITS, scores, L, cfg, tokens=token_table([CA], L))
    assert [(c.text, c.score, c.tokens) for c in cached] == [(c.text, c.score, c.tokens) for c in fresh]
    assert [(c.text, c.score) for c in partial] == [(c.text, c.score) for c in fresh]
    assert len(fresh) == 3        # "Other text follows here." is too short to be an answer


def test_reviews_a_question_sets_against_each_other_are_both_cited():
    # Weights under which review b's sentence does not make the answer on its own merit.
    cfg = AnswerSettings(max_words=12, w_context=0.8, w_previous=0.3)
    alone = compose_answer("Stable disease months?", HITS, scores, DOCS, cfg, L)
    assert {c.doc_id for c in alone.citations} == {"a"}
    both = compose_answer("Stable disease months?", HITS, scores, DOCS, cfg, L, compared=("a", "b"))
    assert {c.doc_id for c in both.citations} == {"a", "b"}
    one = compose_answer("Stable disease months?", HITS, scores, DOCS, cfg, L, compared=("b",))
    assert {c.doc_id for c in one.citations} == {"a"}          # one named review: nothing to set against


def test_a_limit_written_unit_first_is_read():
    qs = quantities("require tumors to be low grade (G1/G2; Ki-67% <10 per ENETS), <50% tumor involvement", L)
    assert ("ki67", "<10%", True) in {(q.subject, q.value, q.limit) for q in qs}


def test_a_different_limit_is_looked_for_further_down_than_a_different_result():
    def far(hit: Hit) -> np.ndarray:          # review b's sentences score 0.5 below review a's
        return np.full(len(hit.chunk.sentences), 0.8 if hit.chunk.doc_id == "a" else 0.3)

    cfg = AnswerSettings(max_words=12)
    ans = compose_answer("Ki-67 transplantation", HITS, far, DOCS, cfg, L)
    assert {c.doc_id for c in ans.citations} == {"a", "b"} and ans.conflicts[0].thresholds
    raw_c = "Intro.\n\nIn liver transplantation the 5-year survival was 80%. Other text follows here.\n"
    raw_d = "Intro.\n\nIn liver transplantation the 5-year survival was 50%. Other text follows here.\n"
    docs = {"c": doc("c", raw_c), "d": doc("d", raw_d)}
    cc, cd = chunk_of(docs["c"], "In liver"), chunk_of(docs["d"], "In liver")
    far_cd = lambda hit: np.full(len(hit.chunk.sentences), 0.8 if hit.chunk.doc_id == "c" else 0.3)  # noqa: E731
    res = compose_answer("Survival after transplantation", (Hit(cc, 1.0, 1, 1, 0.8), Hit(cd, 0.9, 2, 2, 0.7)),
                         far_cd, docs, cfg, L)
    assert {c.doc_id for c in res.citations} == {"c"}        # a different result that far down is not added


def test_a_multi_part_question_has_one_set_of_own_terms_per_part():
    parts = question_parts("Rotterdam Lu-177 series: median TTP and OS?", L)
    assert len(parts) == 3 and any("ttp" in p for p in parts) and any("os" in p for p in parts)
    assert question_parts("What is the role of PRRT?", L) == []
    # A term both parts use belongs to neither: it cannot tell which part a sentence answers.
    assert all("liver" not in p for p in question_parts("Liver burden for TACE, and liver burden for PRRT?", L))


def test_a_part_no_selected_sentence_answers_gets_its_best_sentence_past_the_budget():
    q = "Ki-67 limit for liver transplantation, and how long must disease be stable?"
    tight = AnswerSettings(max_words=11, overflow_words=0, max_sentences=1, part_overflow_words=10)
    covered = compose_answer(q, HITS[:1], scores, DOCS, tight, L)
    assert {c.text.split()[0] for c in covered.citations} == {"Liver", "Stable"}   # 11 + 9 words: past 11
    # Not past the part's own allowance, and not for a sentence far weaker than the best.
    assert len(compose_answer(q, HITS[:1], scores, DOCS, dc_replace(tight, part_overflow_words=5), L).citations) == 1
    assert len(compose_answer(q, HITS[:1], scores, DOCS, dc_replace(tight, part_margin=0.0), L).citations) == 1
    # A one-part question is left as the budget made it.
    one = compose_answer("Ki-67 limit for liver transplantation?", HITS[:1], scores, DOCS, tight, L)
    assert len(one.citations) == 1


def test_a_question_counts_as_answered_only_when_most_of_its_terms_are_stated():
    # One part: "Liver transplantation" is stated by the best sentence, "stable disease" only by the next one.
    q = "Stable disease duration before liver transplantation?"
    tight = AnswerSettings(max_words=11, overflow_words=0, max_sentences=1, part_overflow_words=10)
    covered = compose_answer(q, HITS[:1], scores, DOCS, tight, L)
    assert {c.text.split()[0] for c in covered.citations} == {"Liver", "Stable"}
    # Sharing a share of the terms above part_cover is enough: 2 of 5 terms here.
    assert len(compose_answer(q, HITS[:1], scores, DOCS, dc_replace(tight, part_cover=0.3), L).citations) == 1


def _candidate(chunk: Chunk, index: int, score: float) -> Candidate:
    return Candidate(0, chunk, index, chunk.sentence_texts()[index], score, frozenset(), score, 0.0, 0.0, False, 0.0)


def test_reading_order_puts_the_answer_first_and_keeps_a_leaning_sentence_after_its_antecedent():
    raw = "x\n\nPRRT has a long history. PRRT uses 177Lu-DOTATATE. It spares the kidney. Other text follows.\n"
    d = doc("c", raw)
    c = chunk_of(d, "PRRT has")
    opening, answer, leaning = _candidate(c, 0, 0.5), _candidate(c, 1, 0.9), _candidate(c, 2, 0.6)
    other = _candidate(CB, 0, 0.7)
    order = reading_order([opening, other, leaning, answer])
    # The best sentence's review comes first, best passage first; "It spares ..." stays after what "it" names.
    assert [x.text for x in order] == [answer.text, leaning.text, opening.text, other.text]
    # A sentence that does not lean back is ordered by its own score, not glued to the one before it.
    plain = _candidate(c, 3, 0.95)
    assert reading_order([leaning, plain]) == [plain, leaning]


def test_a_study_introduced_without_a_figure_is_followed_by_its_result():
    raw = ("x\n\nA phase II study evaluated pasireotide in NETs. It was well tolerated. Median PFS was 11 months. "
           "Response was seen in 64% of patients. Other text follows.\n")
    c = chunk_of(doc("c", raw), "A phase")
    study, tolerated, pfs, response = (_candidate(c, i, s) for i, s in enumerate((0.9, 0.6, 0.5, 0.45)))
    other = _candidate(CB, 0, 0.8)
    cands = [study, other, tolerated, pfs, response]
    cfg = AnswerSettings()
    q = "Pasireotide phase II: median PFS?"
    out, attached = add_results([study, other], cands, q, cfg)
    # The first sentence with a figure within two, and only that one; it reads right after its study.
    assert out == [study, other, pfs] and attached == {(c.id, 2)}
    assert [x.text for x in reading_order(out, attached)] == [study.text, pfs.text, other.text]
    # Not for a question that asks for no quantity, not past the window, not for a sentence far weaker than the best.
    assert add_results([study], cands, "Who was pasireotide tested in?", cfg)[0] == [study]
    assert add_results([study], cands, q, dc_replace(cfg, results_window=1))[0] == [study]
    assert add_results([study], cands, q, dc_replace(cfg, part_margin=0.3))[0] == [study]
    # A study sentence that states its own figure needs nothing more.
    figure = Candidate(0, c, 0, "A phase II study of pasireotide reported a median PFS of 11 months.", 0.9,
                       frozenset(), 0.9, 0.0, 0.0, False, 0.0)
    assert add_results([figure], [figure, tolerated, pfs], q, cfg)[0] == [figure]


def test_a_sentence_leaning_on_the_one_before_it_brings_it_along():
    raw = ("x\n\nA single centre reported 3-year survival of 76%. Therefore, wait and watch is no longer accepted. "
           "Surgery must be considered. It is safe in experienced hands. Other text follows.\n")
    c = chunk_of(doc("c", raw), "A single")
    figures, therefore, surgery, safe = (_candidate(c, i, s) for i, s in enumerate((0.5, 0.9, 0.35, 0.85)))
    cands = [therefore, safe, figures, surgery]
    cfg = AnswerSettings()
    out, leaning = add_antecedents([therefore], cands, cfg)
    assert out == [therefore, figures] and leaning == {(c.id, 1)}
    assert [x.text for x in reading_order(out, leaning)] == [figures.text, therefore.text]
    # Not when the sentence before is far weaker than the best, nor for a sentence that stands on its own.
    assert add_antecedents([safe], cands, cfg)[0] == [safe, surgery]
    assert add_antecedents([safe], cands, dc_replace(cfg, part_margin=0.5))[0] == [safe]
    assert add_antecedents([surgery], cands, cfg)[0] == [surgery]
    # choose() leaves it out when switched off.
    q = "Is wait and watch acceptable?"
    assert figures in choose(cands, q, dc_replace(cfg, max_sentences=1), L, {})
    assert figures not in choose(cands, q, dc_replace(cfg, max_sentences=1, antecedents=False), L, {})


def test_a_sentence_rejoined_across_a_page_reads_as_one_line_and_keeps_its_verbatim_citation():
    text = "Down-sizing as a bridge to subsequent surgical treatment\n\nappears promising."
    c = Citation("d#s/000", "d", "D 2020", "S", 0, len(text), text)
    assert render([c]) == "Down-sizing as a bridge to subsequent surgical treatment appears promising. [1]"
    assert c.text == text


def test_a_different_limit_is_shown_before_different_results_fill_the_places():
    """Two reviews' survival figures (often other series) must not crowd out a review giving another limit for
    the criterion the answer states (a transplantation vignette lost Ki-67 < 5 % vs < 10 % that way)."""
    def cand(doc_id: str, text: str, score: float) -> Candidate:
        ch = Chunk(f"{doc_id}#0", doc_id, ("Liver transplantation",), "prose", text, 0, len(text),
                   (Span(0, len(text), 0),))
        return Candidate(0, ch, 0, text, score, frozenset(text.lower().split()), score, 0.0, 0.0, False, 0.0)

    chosen = [cand("b", "The ENETS criteria accept Ki-67 < 10% for liver transplantation.", 1.0),
              cand("e", "After liver transplantation the 5-year OS was 57.8%.", 0.95)]
    os_c = cand("c", "Transplanted patients had a 5-year OS of 97% in one series.", 0.9)
    os_d = cand("d", "A review of 705 transplanted patients reported a 5-year OS of 53%.", 0.85)
    ki67 = cand("a", "Milan requires Ki-67 < 5% and age < 55 years for liver transplantation.", 0.5)
    cands = sorted(chosen + [os_c, os_d, ki67], key=lambda c: -c.score)
    out = add_disagreeing(chosen, cands, L)
    assert out[:2] == chosen and out[2] is ki67 and out[3] is os_c and len(out) == 4


def _figures(*texts: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.topic, c.values) for c in find_conflicts([_cite(chr(97 + i), "s", t) for i, t in enumerate(texts)], L)]


def test_a_survival_figure_is_compared_only_at_its_own_time_point():
    """"1-, 3-, and 5-year OS of 81%, 65%, and 52%, respectively" had been read as an OS of 81 % and set against
    another review's 5-year 57.8 %: the note named a 1-year figure as the disagreement."""
    listed = "Le Treut reported 1-, 3-, and 5-year overall survival rates of 81%, 65%, and 52%, respectively."
    assert _figures(listed, "The 5-year overall survival was 57.8%.") == [("5-year os (%)", ("52% (A)", "57.8% (B)"))]
    assert _figures("The 1-year overall survival was 90%.", "The 5-year overall survival was 57.8%.") == []
    assert _figures("The recurrence rate is over 70% at 5 years.", "Within 3 years, recurrence was 40%.") == []


def test_values_of_a_respectively_list_without_time_points_are_not_compared():
    """"response rates of 33% and 28%, respectively" belong to two arms this reader cannot tell apart."""
    assert quantities("Partial/complete response rates were 33% and 28%, respectively, by RECIST.", L) == []
    assert _figures("Response rates were 33% and 28%, respectively.", "The response rate was 18%.") == []


def test_disease_free_survival_is_not_overall_survival():
    dfs = "1-, 3-, and 5-year disease-free survival rates were 77%, 50%, and 32%, respectively."
    assert {q.subject for q in quantities(dfs, L)} == {f"{n}-year disease-free survival" for n in (1, 3, 5)}
    assert _figures(dfs, "One, three, and five-year survival rates were 83%, 60%, and 52%, respectively.") == []


def test_a_range_is_one_figure_and_agrees_with_a_value_inside_it():
    (q,) = quantities("RFA is a procedure with low morbidity (5%–12%).", L)
    assert (q.subject, q.value, q.number, q.upper) == ("morbidity", "5%-12%", 5.0, 12.0)
    assert _figures("RFA has a morbidity of 5%–12%.", "RFA had a morbidity of 6%.") == []
    assert _figures("RFA has a morbidity of 5%–12%.", "RFA had a morbidity of 20%.") == [
        ("morbidity (%)", ("5%-12% (A)", "20% (B)"))]


def test_the_comparator_arms_figure_is_not_the_treatments():
    """"longer median PFS (11.0 vs. 4.6 months)": 4.6 months is placebo's, and had been set against another
    review's 11.1 months of everolimus; 11.0 shares the unit written after the comparator's figure, so RADIANT-3's
    11.0 vs 11.1 months (criteria.md D36) is found."""
    assert _figures("Everolimus gave a longer median PFS (11.0 vs. 4.6 months).",
                    "Everolimus gave a PFS of 11.1 months and 4.6 months in the placebo arm.") == [
        ("pfs (months)", ("11.0 months (A)", "11.1 months (B)"))]
    assert _figures("Everolimus gave a PFS of 11.1 months.", "PFS was 4.6 months in the placebo arm.") == []
    assert _figures("Response rates were 18% in the PRRT group vs 3% in the control group.",
                    "With PRRT the overall response rate was 19% vs. 3%.") == [("response (%)", ("18% (A)", "19% (B)"))]


def test_bounds_disagree_only_when_they_cannot_both_hold():
    assert _figures("Tumors up to 5 cm can be ablated.", "Radiation suits larger tumors (>3 cm) after ablation.") == []
    assert _figures("Reviews suggest a 5-year OS of >50%.", "The 5-year OS rate was 52%.") == []
    assert _figures("The 5-year OS was more than 60%.", "The 5-year OS rate was 52%.") == [
        ("5-year os (%)", ("52% (B)", "more than 60% (A)"))]


def test_a_figure_for_another_treatment_is_no_disagreement():
    """Gangi's transplantation section quotes a 5-year OS of 97 % *when treated with liver resection/RFA*; it had
    been set against the 52 % and 57.8 % after transplantation, and added to transplant answers as a disagreement."""
    swedish = ("Patients who met Milan criteria had a 5-year OS of 97% (±6%) when treated with liver resection/RFA, "
               "better than after liver transplant.")
    lt = "The 5-year overall survival was 57.8%, lower than patients transplanted for other reasons."
    lt_arm = "At a median follow-up of 56 months, 17% died of complications of LT, and the 5-year OS rate was 52%."
    (q,) = [q for q in quantities(swedish, L) if q.value == "97%"]
    assert q.arm == {"resection", "ablation"}
    assert _lt_figures(swedish, lt) == [] and _lt_figures(swedish, lt_arm) == []
    assert _lt_figures(lt, lt_arm) == [("5-year os (%)", ("52% (B)", "57.8% (A)"))]


def _lt_figures(*texts: str) -> list[tuple[str, tuple[str, ...]]]:
    cites = [_cite(chr(97 + i), "Liver transplantation", t) for i, t in enumerate(texts)]
    return [(c.topic, c.values) for c in find_conflicts(cites, L)]


def test_response_rates_of_different_regimens_are_not_compared():
    """STZ/doxorubicin/5-FU 39 % against capecitabine/temozolomide 70 % (the review spells it *temozolamide*) or
    dacarbazine 34 % are results of other regimens; the same drug's two figures are still set side by side."""
    stz = "A study of streptozotocin (STZ) with doxorubicin and 5-fluorouracil (5-FU) reported a response rate of 39%."
    captem = "In a retrospective study with temozolamide and capecitabine, the response rate was 70%."
    dtic = "Dacarbazine is another cytostatic agent, with a response rate of 34% in a phase II study."
    assert _figures(stz, captem) == [] and _figures(stz, dtic) == []
    assert _figures(captem, "Capecitabine and temozolomide gave a response rate of 33%.") == [
        ("response (%)", ("33% (B)", "70% (A)"))]


def test_a_disagreeing_sentence_must_be_about_the_same_arm():
    def cand(doc_id: str, text: str, score: float) -> Candidate:
        ch = Chunk(f"{doc_id}#0", doc_id, ("Liver transplantation",), "prose", text, 0, len(text),
                   (Span(0, len(text), 0),))
        return Candidate(0, ch, 0, text, score, frozenset(text.lower().split()), score, 0.0, 0.0, False, 0.0)

    chosen = [cand("a", "After liver transplantation the 5-year OS was 57.8%.", 1.0)]
    resection = cand("b", "The 5-year OS was 97% when treated with liver resection/RFA.", 0.95)
    other_lt = cand("c", "A review of 705 transplanted patients reported a 5-year OS of 53%.", 0.9)
    assert add_disagreeing(chosen, chosen + [resection, other_lt], L) == chosen + [other_lt]


def test_debulking_thresholds_of_two_reviews_are_a_disagreement():
    """The issue's example "debulking 90 % vs 70 %" had never been detected: the figures sit before *of the tumor
    can be excised* or *debulking threshold*, and Macedo states its threshold under surgical treatment."""
    macedo = _cite("a", "Surgical treatment", "It is recommended where more than 90% of the tumor can be excised.")
    cloyd = _cite("b", "Algorithm", "Resection may be appropriate when only >70% of liver metastases can be debulked.")
    dermine = _cite("c", "Surgery", "Debulking is performed when at least 90% of the hepatic tumor mass is removed.")
    (c,) = find_conflicts([macedo, cloyd, dermine], L)
    assert c.thresholds and c.topic == "debulking extent (%)"
    assert c.values == (">70% (B)", "more than 90% (A, C)")
    assert find_conflicts([macedo, dermine], L) == ()
    # Patients' results are not thresholds, and a review quoting the threshold it argues against is matched by the
    # figure that differs.
    series = _cite("d", "Debulking", "Most patients reached 100% debulking, with 27% having 90-99% cytoreduction.")
    assert find_conflicts([macedo, series], L) == ()
    gangi = _cite("d", "Debulking", "A 90% debulking threshold was accepted; later series validated the 70% debulking "
                                    "threshold.")
    (c,) = find_conflicts([macedo, gangi], L)
    assert c.values == ("70% (D)", "more than 90% (A)")


def test_a_respectively_list_takes_its_arms_from_the_regimens_named_before_it():
    """Values of a list are compared when as many different regimens are named before it, in order; two treatments
    named before a list are as often its subject as its arms, so only drug regimens count."""
    e2211 = ("OS was not reached in the capecitabine/temozolomide and was 38 months for the temozolomide only group, "
             "with response rates of 33% and 28%, respectively.")
    got = {q.value: q.arm for q in quantities(e2211, L) if q.subject == "response"}
    assert got == {"33%": {"capecitabine", "temozolomide"}, "28%": {"temozolomide"}}
    assert quantities("Ablation used with resection gave response rates of 80% and 59%, respectively.", L) == []


def test_a_rate_of_a_population_is_the_rate():
    """"recurrence rates of NETLMs are 80-95%" had been read as a figure of *NETLMs*, so Gangi's recurrence after
    debulking was never set against Macedo's 5-year recurrence after resection (research/criteria.md D11)."""
    (q,) = quantities("Recurrence rates of NETLMs are 80–95% within 5 years.", L)
    assert (q.subject, q.number, q.upper) == ("5-year recurrence", 80.0, 95.0)
    (q,) = quantities("The survival rate of patients with pNETs was 60% at 5 years.", L)
    assert q.subject == "5-year os"


def test_a_second_figure_of_a_rate_at_another_time_point_keeps_its_subject():
    """"... 80-95% within 5 years and 99% by 10 years": the 99 % is the 10-year recurrence, and "10 years" no
    duration of its own."""
    qs = quantities("Recurrence rates of NETLMs are 80–95% within 5 years and 99% by 10 years.", L)
    assert [(q.subject, q.value) for q in qs] == [("5-year recurrence", "80-95%"), ("10-year recurrence", "99%")]
    (q,) = quantities("Tumour volume was reduced by 50% in most patients.", L)
    assert q.number == 50.0


def test_debulking_outcomes_are_compared_with_resection_outcomes():
    """Debulking is a partial hepatectomy; the reviews count its recurrence among resection's. Its threshold
    stays a debulking quantity."""
    debulking = Citation("a#0", "a", "A", "Surgical Cytoreduction", 0, 10,
                         "Even after debulking, recurrence rates of NETLMs are 80–95% within 5 years.")
    resection = Citation("b#0", "b", "B", "Surgical Treatment",
                         0, 10, "Recurrence after resection is common, the 5-year recurrence rate being over 97%.")
    assert [(c.topic, c.values) for c in find_conflicts([debulking, resection], L)] == [
        ("5-year recurrence (%)", ("80-95% (A)", "over 97% (B)"))]
    ablation = Citation("c#0", "c", "C", "Radiofrequency Ablation", 0, 10,
                        "After ablation, the 5-year recurrence rate was 63%.")
    assert find_conflicts([debulking, ablation], L) == ()


def test_time_points_listed_without_respectively_date_their_values():
    """"5-and 10-year survival rates of 87% and 77%" had been read as a 10-year OS of 87 %; "at 1, 3, and 5 years of
    89%, 69%, and 63%, respectively" was not read at all."""
    qs = quantities("This subset had 5-and 10-year survival rates of 87% and 77% after operative intervention.", L)
    assert [(q.subject, q.value) for q in qs] == [("5-year os", "87%"), ("10-year os", "77%")]
    qs = quantities("The review calculated a median overall survival at 1, 3, and 5 years of 89%, 69%, and 63%, "
                    "respectively.", L)
    assert [(q.subject, q.value) for q in qs] == [("1-year os", "89%"), ("3-year os", "69%"), ("5-year os", "63%")]


def test_a_figures_spread_is_no_figure_and_keeps_a_list_whole():
    qs = quantities("A review reported pooled median 3-, 5- and 10-year OS of 83% (range, 63–100%), 70.5% (range, "
                    "31–100%), and 42% (range, 0–100%), respectively.", L)
    assert [(q.subject, q.value) for q in qs] == [("3-year os", "83%"), ("5-year os", "70.5%"), ("10-year os", "42%")]
    assert [q.value for q in quantities("They found a 5-year OS of 97% (±6%).", L)] == ["97%"]


def test_ranged_from_to_is_one_range_of_the_outcome_named():
    (q,) = quantities("In other series, the 5-year OS rates ranged from 33% to 90%.", L)
    assert (q.subject, q.number, q.upper) == ("5-year os", 33.0, 90.0)
    (q,) = quantities("Recurrence after liver transplantation ranged between 31.3% and 56.8%.", L)
    assert (q.subject, q.number, q.upper) == ("recurrence", 31.3, 56.8)


def test_percentages_that_are_no_measure_are_left_out():
    """A share of patients named by their treatment, and a figure opening a clause whose measure follows it."""
    assert quantities("Most patients underwent surgical resection (77.6%).", L) == []
    qs = quantities("Liver metastases are present at diagnosis in 75–80% of patients, and 20%–25% will develop "
                    "these lesions later.", L)
    assert [q.value for q in qs] == ["75-80%"]
    qs = quantities("The OS was 80% at 5 years, and 60% at 10 years.", L)
    assert [(q.subject, q.value) for q in qs] == [("5-year os", "80%"), ("10-year os", "60%")]


def test_a_question_setting_reviews_against_each_other_is_shown_their_different_results():
    """"How often does NELM recur after resection? Gangi vs Macedo.": Gangi's "80-95% within 5 years" was the 9th
    sentence, too far below the best for a different result (only a different limit is looked for that far), so
    the answer cited Macedo's >97 % alone. When the question names the reviews to compare, it is looked for as far."""
    def cand(doc_id: str, section: str, text: str, score: float, at: int = 0) -> Candidate:
        ch = Chunk(f"{doc_id}#{at}", doc_id, (section,), "prose", text, at, at + len(text), (Span(0, len(text), at),))
        return Candidate(0, ch, 0, text, score, frozenset(text.lower().split()), score, 0.0, 0.0, False, 0.0)

    macedo = cand("macedo", "Surgical Treatment",
                  "Recurrence after resection is common with the 5-year recurrence rate being greater than 97%.", 1.2)
    filler = [cand("macedo", "Surgical Treatment", f"Surgical resection of type {i} should be as radical as possible.",
                   1.1, at=1000 * (i + 1)) for i in range(3)]
    gangi = cand("gangi", "Surgical Cytoreduction",
                 "Even if effective debulking can be performed, recurrence rates of NETLMs are 80–95% within 5 years.",
                 0.55)
    gangi_best = cand("gangi", "Surgical Cytoreduction", "Despite high recurrence rates, surgery remains among the "
                      "most favorable approaches for select patients.", 0.75, at=500)
    cfg, cands = AnswerSettings(max_sentences=2), [macedo, *filler, gangi_best, gangi]
    plain = choose(cands, "How often does NELM recur after resection?", cfg, L, {})
    compared = choose(cands, "How often does NELM recur after resection? Gangi vs Macedo.", cfg, L, {},
                      required=["gangi", "macedo"])
    assert gangi not in plain and gangi in compared


RAW_W = ("Intro.\n\nY-90 radioembolization is safe in most series. Y-90 achieves responses in most patients. "
         "Lobar TACE has more complications after pancreatoduodenectomy.\n")


def test_a_rare_thing_the_question_names_is_stated_by_the_answer():
    d = {"w": doc("w", RAW_W)}
    cw = chunk_of(d["w"], "Y-90 radio")
    idf = {"y-90": 4.4, "90": 2.9, "safe": 3.5, "~radioembolization": 2.0, "~bilioenteric": 3.8}
    q = "Is Y-90 safe after a Whipple?"
    tight = AnswerSettings(max_words=9, overflow_words=0, max_sentences=1, part_overflow_words=10)
    texts = [c.text for c in compose_answer(q, (Hit(cw, 1.0, 1, 1, 0.8),), scores, d, tight, L, idf=idf).citations]
    # The Y-90 sentence chosen states most of the question's term weight, so the whole question counts as answered;
    # the anastomosis it turns on is a part of its own.
    assert texts[0].startswith("Y-90") and "pancreatoduodenectomy" in texts[1] and len(texts) == 2
    off = dc_replace(tight, thing_cover_idf=99.0)
    assert len(compose_answer(q, (Hit(cw, 1.0, 1, 1, 0.8),), scores, d, off, L, idf=idf).citations) == 1


def test_named_things_are_rare_concepts_not_aspects():
    from netlm_rag.answer import named_things
    idf = {"~bilioenteric": 3.8, "~dose": 2.9, "~pnet": 2.0, "cabozantinib": 6.0}
    terms = frozenset(idf)
    assert named_things(terms, idf, 2.8) == [frozenset({"~bilioenteric"})]


RAW_T = ("Intro.\n\nTable 3. Ongoing trials.\nTitleIdentifierPhase\nDEBOXA for Inoperable NET Liver MetastasesNCT03881306"
         "Phase 1\nOther TrialNCT01111111Phase 2\n")


def _table_chunk() -> tuple[dict[str, Document], Chunk]:
    d = {"t": doc("t", RAW_T)}
    rows = RAW_T.split("Ongoing trials.\n")[1].rstrip("\n").split("\n")
    text, spans, pos = "\n".join(rows), [], 0
    for r in rows:
        spans.append(Span(pos, pos + len(r), RAW_T.index(r)))
        pos += len(r) + 1
    return d, Chunk("t#table-3/000", "t", ("Results", "Table 3. Ongoing trials."), "table", text,
                    RAW_T.index("Table 3"), len(RAW_T) - 1, tuple(spans))


def test_a_thing_only_a_table_names_is_answered_by_its_row_cited_verbatim():
    from netlm_rag.answer import table_answer
    from netlm_rag.coverage import table_rows_naming
    d, tc = _table_chunk()
    rows = table_rows_naming("DEBOXA", [CA, tc], L)
    assert rows == [(tc, 1)]
    a = table_answer(["DEBOXA"], rows, d, (), "Is DEBOXA effective?")
    assert not a.abstained and [c.text for c in a.citations] == ["DEBOXA for Inoperable NET Liver MetastasesNCT03881306Phase 1"]
    assert a.text.startswith("The reviews' text does not discuss DEBOXA; only a table row names it (T, Table 3")
    assert all(verify_citation(c, {tc.id: tc}, d) for c in a.citations)
    # A row whose offsets do not lead back to the delivered file is never quoted: no answer from it.
    moved = dc_replace(tc, sentences=tuple(dc_replace(s, raw_start=s.raw_start + 1) for s in tc.sentences))
    assert table_answer(["DEBOXA"], [(moved, 1)], d, (), "Is DEBOXA effective?") is None
