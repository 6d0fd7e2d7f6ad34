import pytest

from netlm_rag.coverage import form_of, known, other_disease, prefixes, unknown_terms
from netlm_rag.lexicon import default_lexicon

L = default_lexicon()
VOCAB = {"sunitinib", "everolimus", "octreotide", "netter-1", "liver", "transplant", "pnet", "~transplant",
         "~sunitinib", "~netter", "~embolization", "~bilioenteric", "~nelm", "~pnet", "~ssa", "~dose"}


@pytest.mark.parametrize("q, term", [
    ("Is cabozantinib effective for pNET liver mets?", "cabozantinib"),
    ("What did the CABINET trial show?", "CABINET"),
    ("Is NETTER-2 positive?", "NETTER-2"),
    ("Role of Belzutifan here?", "Belzutifan"),
    ("Is urinary 5-HIAA useful for follow-up?", "5-HIAA"),       # a synonym group the corpus never uses
])
def test_unknown_named_things_are_found(q, term):
    assert term in unknown_terms(q, VOCAB, L)


@pytest.mark.parametrize("q", ["Dose of sunitinib?", "What did NETTER-1 show?", "Is TACE OK after Whipple?",
                               "What is the role of liver transplant?"])
def test_known_or_synonym_terms_pass(q):
    assert unknown_terms(q, VOCAB, L) == ()


@pytest.mark.parametrize("q", [
    "44F, G1 SI-NET Ki-67 2%, 30% liver, primary resected, normal LFTs, stable 3 months: list for transplant?",
    "Why should SSTR-PET replace imaging?",
])
def test_vignette_abbreviations_do_not_trigger_abstention(q):
    vocab = VOCAB | {"net", "sstr", "pet", "imaging", "primary", "resected", "stable", "month", "list", "normal",
                     "~ki67", "~resection", "~sstr_imaging", "~eus", "~small_bowel"}
    assert unknown_terms(q, vocab, L) == ()


def test_word_unknown_to_english_counts_anywhere_rare_word_only_when_central():
    assert unknown_terms("Has histotripsy been used for NELM?", VOCAB, L) == ("histotripsy",)
    long_q = "Liver transplant candidate with pNET on octreotide, sunitinib stopped, histotripsy planned later?"
    assert unknown_terms(long_q, VOCAB, L) == ("histotripsy",)
    assert unknown_terms("Is it cholangiocarcinoma?", VOCAB, L) == ("cholangiocarcinoma",)
    long_rare = "Liver transplant candidate with pNET on octreotide and sunitinib, cholangiocarcinoma excluded?"
    assert unknown_terms(long_rare, VOCAB | {"excluded"}, L) == ()     # a real corpus knows "excluded"


def test_two_uncommon_words_the_corpus_never_uses_make_a_question_uncovered():
    q = "Does response in pNET liver mets depend on MGMT promoter methylation?"
    assert set(unknown_terms(q, VOCAB, L)) == {"MGMT", "promoter", "methylation"}
    # One of them alone, late in a question this long, is not enough.
    assert unknown_terms(q, VOCAB | {"promoter", "methylation"}, L) == ()
    # Two unusual chat words, neither rare (wordfreq Zipf >= 3), are phrasing, not topic.
    assert unknown_terms("Which tracer would Dermine endorse for pNET liver mets?", VOCAB | {"dermine"}, L) == ()


def test_inflections_of_corpus_words_are_known():
    vocab = VOCAB | {"ablation", "~ablation", "excision", "perioperative", "transplantation"}
    assert unknown_terms("Should it be ablated?", vocab, L) == ()      # a synonym form since 2026-12-05
    assert unknown_terms("Should it be excised?", vocab, L) == ()      # not a form: known as an inflection
    assert unknown_terms("Periop risk when transplanting?", vocab, L) == ()


def test_forms_of_one_word_share_a_start_and_differ_by_endings_only():
    assert form_of("ablated", "ablation") and form_of("metastatic", "metastasis") and form_of("periop", "perioperative")
    assert not form_of("creatinine", "creating") and not form_of("creatinine", "creative")
    vocab = {"creating", "creative", "ablation"}
    # "creatinine" shares its first 60 % with "creating": the start alone used to make it known, and a question on
    # renal dosing was then searched as if the corpus covered it.
    assert not known("creatinine", vocab, L, prefixes(vocab))
    assert known("ablated", vocab, L, prefixes(vocab))
    assert not form_of("clearance", "clear")
    clear = VOCAB | {"clear", "clearly", "dose", "reduction", "recommended", "prrt"}
    assert unknown_terms("PRRT with creatinine clearance 40 mL/min: what dose reduction is recommended?", clear, L)


def test_a_word_with_one_common_affix_removed_is_known():
    vocab = VOCAB | {"metastasize", "proven", "dose", "capsular"}
    for q in ("Which metastasizes more often?", "Is that unproven?", "Any dosing advice?", "Subcapsular lesions?"):
        assert unknown_terms(q, vocab, L) == (), q
    assert unknown_terms("Is regorafenib an option?", vocab, L) == ("regorafenib",)   # not a 're-' word


@pytest.mark.parametrize("q", [
    "aged 73, small intestinal NET, serum bilirubin 50 umol/L, four liver lesions: resect?",
    "39 y.o. woman, G1 pNET, single liver metastasis, sFLR 35%: resect?",
    "57 y, G3 pNET, DOTATATE-avid liver lesions: PRRT?",
])
def test_vignette_shorthand_is_not_an_unknown_topic(q):
    vocab = VOCAB | {"dotatate", "bilirubin", "liver", "lesion", "metastasis", "serum", "~flr", "~prrt", "~resection",
                     "~small_bowel"}
    assert unknown_terms(q, vocab, L) == ()


def test_an_unknown_comorbidity_does_not_make_a_case_off_topic():
    q = "47 yo woman, G2 pNET, liver mets, coagulopathy, decompensated cirrhosis. TACE?"
    vocab = VOCAB | {"coagulopathy", "woman"}
    assert unknown_terms(q, vocab, L, case=True) == ()
    assert set(unknown_terms(q, vocab, L)) == {"decompensated", "cirrhosis"}   # as a question, it is uncovered


def test_a_trial_code_spaced_or_joined_is_the_same_name():
    vocab = VOCAB | {"~everolimus", "bevacizumab"}
    assert unknown_terms("CALGB 80701: everolimus with bevacizumab in pNET?", vocab | {"calgb80701"}, L) == ()
    assert unknown_terms("CALGB80701: everolimus with bevacizumab in pNET?", vocab | {"calgb", "80701"}, L) == ()
    assert unknown_terms("CALGB 80702: everolimus with bevacizumab in pNET?", vocab | {"calgb80701"}, L) == ("CALGB",)


def test_a_trial_shortened_to_letter_and_number_is_known_by_its_number():
    vocab = VOCAB | {"ecog", "2211", "2020", "~chemotherapy"}
    assert unknown_terms("E2211: CAPTEM vs temozolomide in pNET?", vocab, L) == ()          # "ECOG 2211" in the text
    assert unknown_terms("E2212: CAPTEM vs temozolomide in pNET?", vocab, L) == ("E2212",)
    assert unknown_terms("E2020: CAPTEM vs temozolomide in pNET?", vocab, L) == ("E2020",)  # a year names nothing


@pytest.mark.parametrize("q, term", [
    ("Is PSMA PET useful to stage pNET liver metastases?", "PSMA"),
    ("CLARINET FORTE: what PFS does lanreotide give after progression on standard dosing?", "FORTE"),
    ("Max Child-Pugh class allowed for TACE in pNET liver mets?", "Child-Pugh"),
])
def test_an_unknown_name_the_question_opens_with_is_its_topic(q, term):
    vocab = VOCAB | {"pet", "useful", "stage", "metastase", "~clarinet", "pfs", "~pfs", "lanreotide", "progression",
                     "standard", "dosing", "class", "allowed", "~embolization"}
    assert term in unknown_terms(q, vocab, L)


def test_a_lower_case_word_or_a_late_name_is_phrasing_not_the_topic():
    vocab = VOCAB | {"large", "hepatic", "vein", "~ablation", "~nelm"}
    assert unknown_terms("NELM abutting a large hepatic vein: RFA or MWA for this pNET liver transplant?", vocab, L) == ()
    late = "Liver transplant for pNET with sunitinib and everolimus stopped: what did the PSMA scan add?"
    assert unknown_terms(late, VOCAB | {"add", "scan", "stopped", "~everolimus"}, L) == ()


def test_a_case_opening_with_an_unknown_acronym_is_still_a_case():
    vocab = VOCAB | {"~pnet", "woman", "~nelm", "loss", "g2", "50"}
    q = "MGMT loss, woman, 50, with a G2 pNET and liver mets: TACE?"
    assert unknown_terms(q, vocab, L, case=True) == ()
    assert unknown_terms(q, vocab, L) == ("MGMT",)          # the same words as a plain question: its topic


def test_a_case_has_two_patient_facts_or_more():
    from netlm_rag.rules import patient_facts

    assert patient_facts("58F, G1 pNET, Ki-67 2%, 30% liver involvement: LT?").facts.is_case()
    # "after progression" is one fact and a question about a trial, not a patient
    assert not patient_facts("CLARINET FORTE: what PFS does lanreotide give after progression?").facts.is_case()
    # a primary site and the portal drainage derived from it are one statement, not two facts
    assert not patient_facts("TAE vs TACE for small-bowel NET liver mets: does adding chemo help?").facts.is_case()


@pytest.mark.parametrize("q, term", [
    ("Pregnant patient with NELM on lanreotide: continue or stop?", "Pregnant"),
    ("Is liver transplantation for NELM done in children?", "children"),
    ("34F, 20 weeks pregnant, G2 pNET, 30% liver involvement: TACE?", "pregnant"),
])
def test_a_patient_group_the_reviews_never_name_is_not_covered(q, term):
    assert term in unknown_terms(q, VOCAB, L, case=True) and term in unknown_terms(q, VOCAB, L)


def test_a_named_patient_group_or_a_score_is_not_a_gap():
    assert unknown_terms("Is liver transplantation for NELM done in children?", VOCAB | {"children"}, L) == ()
    assert "Child" not in unknown_terms("Max Child-Pugh class for TACE?", VOCAB | {"child-pugh", "child", "pugh"}, L)


def test_a_side_of_a_comparison_the_reviews_never_name_is_the_topic():
    vocab = VOCAB | {"open", "hepatectomy", "outcome", "data", "~nelm", "~resection", "~ablation", "~cryotherapy",
                     "cryoablation"}
    # "robotic" is everyday enough for the rare-word rules, but it is what the question compares.
    assert unknown_terms("Robotic vs open hepatectomy for NELM: any outcome data?", vocab, L) == ("Robotic",)
    assert unknown_terms("Open versus the robotic hepatectomy for NELM?", vocab, L) == ("robotic",)
    assert unknown_terms("Open hepatectomy vs. robotic for NELM?", vocab, L) == ("robotic",)
    # Both sides known: a comparison the reviews can make, also in the clinic's words for corpus words.
    assert unknown_terms("Cryoablation vs RFA for NELM?", vocab, L) == ()
    assert unknown_terms("RFA vs cryo for NELM?", vocab, L) == ()                       # cryo: cryoablation
    assert unknown_terms("SSA vs watchful waiting for NELM?", vocab | {"watch", "waiting"}, L) == ()
    # An unusual word away from "vs" is phrasing; so is one beside "or", which lists alternatives.
    assert unknown_terms("Open hepatectomy vs cryoablation for a frail NELM patient?", vocab, L) == ()
    assert unknown_terms("Does an open Whipple or other hepatectomy hurt NELM outcome?", vocab, L) == ()


@pytest.mark.parametrize("q, disease", [
    # Every word is in the corpus and the passages are close in meaning: the NET answer would be wrong for them.
    ("Hepatocellular carcinoma: Milan criteria for transplant?", "hepatocellular carcinoma"),
    ("HCC beyond Milan: is LT still an option?", "HCC"),
    ("Colorectal liver metastases: resection criteria?", "colorectal liver metastases"),
    ("Lung cancer EGFR mutation: which TKI first line?", "lung cancer"),
    ("Pancreatic adenocarcinoma with liver mets: Whipple?", "pancreatic adenocarcinoma"),
    ("Renal cell carcinoma liver mets: resect?", "renal cell carcinoma"),
    ("Non-small cell lung cancer with liver mets?", "lung cancer"),
    # Not a cancer: another field when nothing the reviews treat is named.
    ("Acute appendicitis in adults: antibiotics or surgery?", "appendicitis"),
    ("Treatment of community-acquired pneumonia?", "pneumonia"),
])
def test_a_question_about_another_disease_is_out_of_scope(q, disease):
    assert other_disease(q, L) == disease


@pytest.mark.parametrize("q", [
    "Lung carcinoid with liver mets: PRRT?",                              # a NET word keeps it in scope
    "Small cell lung cancer with liver mets: platinum-etoposide?",        # small-cell: a neuroendocrine carcinoma
    "MRI features distinguishing NELM from intrahepatic cholangiocarcinoma?",
    "Pancreatic cancer or pNET: how does the liver disease differ?",
    "Risk of leukaemia/MDS after PRRT?",                                  # a harm of a treatment they discuss
    "Cholangitis after TACE: how common?",
    "Does cirrhosis preclude TACE?",
    "Max size for thermal ablation: 3 cm or 5 cm?",                      # no disease named at all
    "What did the CLARINET trial show?",
])
def test_net_questions_and_harms_of_net_treatments_stay_in_scope(q):
    assert other_disease(q, L) == ""


def test_no_answerable_question_of_the_eval_sets_is_put_out_of_scope():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "eval"
    items = [json.loads(line) for name in ("qa.jsonl", "qa_holdout.jsonl") for line in open(root / name)]
    wrongly = [i["question"] for i in items if i["answerable"] and other_disease(i["question"], L)]
    assert len(items) > 400 and wrongly == []


def test_a_compound_of_names_opening_a_question_is_its_topic():
    # "Child-Pugh" first in the question had passed as everyday English ("child", "Pugh"); later it was caught.
    assert unknown_terms("Child-Pugh limits for TACE?", VOCAB, L) == ("Child-Pugh",)
    assert unknown_terms("Max Child-Pugh class for TACE?", VOCAB, L) == ("Child-Pugh",)
