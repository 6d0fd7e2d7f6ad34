from hypothesis import given, settings, strategies as st

from netlm_rag.conversation import condense, is_follow_up
from netlm_rag.lexicon import default_lexicon
from netlm_rag.rules import patient_facts

L = default_lexicon()
PREV = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?"


def test_first_question_is_unchanged():
    assert condense("What is the role of PRRT?", [], L) == "What is the role of PRRT?"


def test_and_for_tace_swaps_the_treatment():
    out = condense("And for TACE?", [PREV], L)
    assert "TACE" in out and "transplantation" not in out and "Ki-67 8 %" in out


def test_intra_arterial_therapy_is_a_treatment_a_follow_up_can_swap_in():
    """The reviews' umbrella term for TAE/TACE/TARE names a treatment: it replaces the earlier one instead of being
    appended to a question still about transplantation."""
    out = condense("And for intra-arterial therapy?", ["Dermine's checklist for considering LT in NELM?"], L)
    assert out == "Dermine's checklist for considering intra-arterial therapy in NELM?"


def test_cryoablation_is_a_treatment_of_its_own():
    # Cryotherapy has its own synonym group (the reviews' "cryotherapy" must meet a clinician's "cryoablation"),
    # so it has to be a treatment a follow-up can swap in and out like RFA.
    assert condense("And for cryoablation?", ["What are the outcomes of RFA for NELM?"], L) \
        == "What are the outcomes of cryoablation for NELM?"
    assert condense("And for RFA?", ["Cryoablation of NELM: main side effect?"], L) == "RFA of NELM: main side effect?"


def test_what_if_value_replaces_the_number():
    out = condense("what if Ki-67 were 12 %?", [PREV], L)
    assert "Ki-67 12 %" in out and "8 %" not in out and "transplantation" in out


def test_unrelated_new_question_is_not_rewritten():
    q = "What are the response rates of PRRT in the NETTER-1 trial?"
    assert condense(q, [PREV], L) == q and not is_follow_up(q, L)


def test_vague_follow_up_is_joined_to_previous():
    # A fact added to a vignette joins its facts; the question stays.
    out = condense("and bilirubin 3 mg/dL?", [PREV], L)
    assert out == "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement, bilirubin 3 mg/dL: is liver transplantation " \
                  "an option?"
    assert patient_facts(out).facts.bilirubin_mg_dl.value == 3


# The eval set's follow-up items (type follow_up) measure these end to end; here each rewrite on its own.
def test_pronoun_stands_for_the_trial_or_treatment_asked_about():
    assert condense("How was it dosed, and what did the control arm get?",
                    ["What did NETTER-1 show for midgut NETs?"], L) \
        == "How was NETTER-1 dosed, and what did the control arm get?"
    assert condense("Why was its phase III trial stopped early?",
                    ["Sunitinib for pNET: dose used in the phase III trial?"], L) \
        == "Why was sunitinib's phase III trial stopped early?"
    # A verb form cannot replace a pronoun; the treatment's noun does.
    assert condense("And how often does it recur afterwards?",
                    ["How much of the liver can a referral centre safely resect?"], L) \
        == "How often does resection recur afterwards?"


def test_a_pronoun_after_a_named_subject_stays_with_it():
    assert condense("And does TACE work there, and is it safe?", ["When is transplantation an option?"], L) \
        == "Does TACE work there, and is it safe?"


def test_dummy_it_is_not_replaced():
    out = condense("Is it safe to do that after a Whipple?", ["When is TACE used?"], L)
    assert "Is it safe" in out


def test_question_without_a_subject_gets_the_previous_topic():
    assert condense("How many patients were enrolled, and what was the hazard ratio?",
                    ["RADIANT-4: does everolimus still work when liver mets are extensive?"], L) \
        == "RADIANT-4: How many patients were enrolled, and what was the hazard ratio?"
    assert condense("And the contraindications, per Gangi?", ["Indications for TAE/TACE according to La Salvia?"], L) \
        == "TAE/TACE: the contraindications, per Gangi?"


def test_another_aspect_keeps_the_subject_the_question_opened_with():
    # "transplanting: the Ki-67 limit?" had dropped the Milan criteria and NELM, and with them La Salvia's Milan list.
    prev = "Milan criteria for transplanting NELM: what are the age and liver-volume cut-offs?"
    assert condense("What about the Ki-67 limit?", [prev], L) == "Milan criteria for transplanting NELM: the Ki-67 limit?"
    # The review the first question was put to is not part of its subject.
    assert condense("And the contraindications?", ["TACE per Dermine: what outcomes?"], L) == "TACE: the contraindications?"
    assert condense("And the contraindications?", ["Outcomes of TACE (Dermine): median OS?"], L) \
        == "Outcomes of TACE: the contraindications?"
    # An opening phrase that does not name the topic is not its subject.
    assert condense("And the contraindications?", ["Per Dermine: what are TACE's outcomes?"], L) \
        == "TACE: the contraindications?"


def test_question_with_its_own_subject_stands_alone():
    assert condense("And how does Y-90 compare with TACE?", ["TAE vs TACE: does adding chemo help?"], L) \
        == "How does Y-90 compare with TACE?"
    assert condense("And CAPTEM versus temozolomide alone?", ["CAPTEM response rate in pNET?"], L) \
        == "CAPTEM versus temozolomide alone?"


def test_treatment_list_is_replaced_whole():
    out = condense("And for surgical cytoreduction?", ["Contraindications to TAE/TACE/TARE per Gangi & Howe?"], L)
    assert out == "Contraindications to surgical cytoreduction per Gangi & Howe?"


def test_percentage_matched_by_the_words_after_it():
    prev = "47M, ileal NET G1 (Ki-67 2%), primary out, stable >1 yr, no EHD, tumour replaces ~60% of the liver. LT?"
    out = condense("What if only 30% of the liver were involved?", [prev], L)
    assert "~30% of the liver" in out and "Ki-67 2%" in out and "60%" not in out


def test_follow_up_to_a_patient_keeps_the_patient():
    prev = "58F, G1 pNET, Ki-67 2%, 30% liver involvement, stable 12 mo: is she a transplant candidate?"
    out = condense("Can anything be done to make it possible sooner?", [prev], L)
    assert out.startswith(prev.rstrip("?")) and "liver transplantation possible" in out


def test_new_topic_after_a_conversation_is_searched_as_asked():
    history = ["Dermine's checklist for considering LT in NELM?"]
    for q in ("What share of NETs arise in the digestive tract? Macedo and Dermine give different figures.",
              "What temperature should cryoablation reach?",
              "Sensitivity of US vs CT vs MRI vs SRS vs Ga-68 PET/CT for detecting NELM?"):
        assert condense(q, history, L) == q


def test_fragments_keep_the_rest_of_the_previous_question():
    assert condense("And per Cloyd?", ["Max lesion size for RFA per the Dermine review?"], L) \
        == "Max lesion size for RFA per the Dermine review — per Cloyd?"
    assert condense("And what about histotripsy?", ["Cryoablation of NELM: what temperature?"], L) \
        == "Cryoablation of NELM: what temperature — histotripsy?"


_WORDS = st.sampled_from(["and", "for", "it", "its", "TACE", "TAE/TACE", "transplant", "Ki-67", "12%", "30%", "of",
                          "the", "liver", "what", "if", "RADIANT-4", "per", "Cloyd", "how", "was", "dosed", "?", "—",
                          "58F", "G2", "pNET", "stable", "9", "mo", "they", "them", "x" * 40, "ünïcödé", "(", ")"])
_TEXT = st.lists(_WORDS, min_size=1, max_size=25).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(question=_TEXT, history=st.lists(_TEXT, max_size=3))
def test_condense_always_gives_a_question_and_leaves_first_questions_alone(question, history):
    out = condense(question, history, L)
    assert isinstance(out, str) and out.strip()
    assert condense(question, [], L) == question.strip()
    assert condense(question, history, L) == out                  # deterministic
    if history and not is_follow_up(question.strip(), L):
        assert out == question.strip()


def test_a_drug_the_lexicon_does_not_know_is_what_a_new_drug_replaces():
    # After an abstention on an unknown drug, "And everolimus?" must not drag that drug along.
    assert condense("And everolimus?", ["Is cabozantinib effective for pNET liver mets?"], L) \
        == "Is everolimus effective for pNET liver mets?"
    assert condense("And everolimus?", ["Does sunitinib improve PFS in pNET?"], L) == "Does everolimus improve PFS in pNET?"
    # ... and a drug it does not know replaces the known drug asked about, so the reply names what it cannot cover.
    prev = "Sunitinib for pNET: dose used in the phase III trial and year of FDA approval?"
    assert condense("And surufatinib?", [prev], L) == "Surufatinib for pNET: dose used in the phase III trial and year of FDA approval?"
    assert condense("And sorafenib?", ["TACE response rate?"], L) == "TACE response rate — sorafenib?"   # not a drug for a drug


def test_another_trial_replaces_the_trial_and_keeps_what_the_fragment_adds():
    prev = "PROMID: who was enrolled and what happened to time to progression?"
    out = condense("And CLARINET at 24 months?", [prev], L)
    assert out == "CLARINET: who was enrolled and what happened to time to progression — at 24 months?"
    out = condense("And in RADIANT-4, with extensive liver mets?", ["RADIANT-3: size and PFS in pNET?"], L)
    assert out == "RADIANT-4: size and PFS in pNET — with extensive liver mets?"
    assert condense("And NETTER-1?", ["What did CLARINET show?"], L) == "What did NETTER-1 show?"
    # A question of its own about a trial is searched as asked; a trial after a treatment question is not a swap.
    q = "What did CLARINET show at 24 months?"
    assert condense(q, [prev], L) == q
    assert "PROMID" not in condense("And CLARINET?", [prev], L)
    assert condense("And CLARINET?", ["Is TACE safe in NELM?"], L) != "Is CLARINET safe in NELM?"


def test_an_aspect_asked_without_a_subject_is_about_the_previous_topic():
    # Searched as asked, "What are the side effects?" had answered about any treatment's side effects.
    assert condense("What are the side effects?", ["Which patients benefit from PRRT?"], L) \
        == "PRRT: What are the side effects?"
    assert condense("What was the dose?", ["What did CLARINET show?"], L) == "CLARINET: What was the dose?"
    assert condense("Side effects?", ["Everolimus in pNET: PFS benefit?"], L) == "Everolimus in pNET: side effects?"
    assert condense("And complications?", ["Indications for RFA in NELM?"], L) == "RFA: complications?"
    # A question with a subject of its own, or a long one, is not an aspect of the last topic.
    assert condense("What is the survival of poorly differentiated G3 NEC?", ["Which patients benefit from PRRT?"], L) \
        == "What is the survival of poorly differentiated G3 NEC?"
    assert condense("What is the mortality of hepatectomy?", ["Which patients benefit from PRRT?"], L) \
        == "What is the mortality of hepatectomy?"


def test_another_name_in_the_same_group_replaces_the_one_asked_about():
    assert condense("How about MWA?", ["Indications for RFA in NELM?"], L) == "Indications for MWA in NELM?"
    assert condense("And TAE?", ["Does TACE improve survival in NELM?"], L) == "Does TAE improve survival in NELM?"
    assert condense("And sunitinib?", ["Everolimus in pNET: PFS benefit?"], L) == "Sunitinib in pNET: PFS benefit?"
    # The same name again is nothing to swap: the fragment is appended as before.
    assert condense("And TACE?", ["TACE vs TAE: which works better?"], L) == "TACE vs TAE: which works better — TACE?"


def test_a_pronoun_before_a_new_name_is_the_previous_topic():
    assert condense("Is it better than TAE?", ["Does TACE improve survival in NELM?"], L) == "Is TACE better than TAE?"
    assert condense("And does TACE work there, and is it safe?", ["When is transplantation an option?"], L) \
        == "Does TACE work there, and is it safe?"


def test_a_comparison_fragment_sets_the_previous_topic_against_the_new_one():
    # Searched as asked, "Compared with TACE?" had lost Y-90; a swap would have asked how TACE is delivered.
    assert condense("Compared with TACE?", ["How is Y-90 radioembolization delivered?"], L) \
        == "How is Y-90 radioembolization delivered — compared with TACE?"
    assert condense("vs hepatectomy?", ["5-year OS after liver transplantation for NELM?"], L) \
        == "5-year OS after liver transplantation for NELM — vs hepatectomy?"


def test_a_vignette_value_written_before_its_words_and_the_age_are_replaced():
    prev = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?"
    assert condense("What if liver involvement were 30%?", [prev], L) \
        == "62 y, G2 ileal NET, Ki-67 8 %, 30% liver involvement: transplant?"
    assert condense("What if she were 50?", [prev], L) == "50 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?"
    assert condense("What if the patient were 45 years old?", ["58F, G1 pNET, 30% liver involvement. LT?"], L) \
        == "45F, G1 pNET, 30% liver involvement. LT?"
    # The rules read the new values, not the old ones.
    assert patient_facts(condense("What if she were 50?", [prev], L)).facts.age.value == 50
    assert patient_facts(condense("What if liver involvement were 30%?", [prev], L)).facts.liver_involvement_pct.value == 30
    # A number that is not an age does not become one.
    assert condense("What if she were 50% debulkable?", [prev], L) != "50 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?"


def test_a_changed_lesion_size_replaces_the_size_the_rules_read():
    prev = "G1 SI-NET, 8 bilobar liver mets each 1.5–2.5 cm, patient unfit for hepatectomy. Percutaneous ablation?"
    out = condense("What if the largest were 4 cm?", [prev], L)
    assert out == "G1 SI-NET, 8 bilobar liver mets each 4 cm, patient unfit for hepatectomy. Percutaneous ablation?"
    assert patient_facts(out).facts.lesion_size_cm.value == 4
    # A size without a vignette size to replace is appended as before.
    assert condense("What if the tumour were 4 cm?", ["Max lesion size for RFA?"], L).endswith("4 cm?")


def test_another_outcome_replaces_the_one_asked_about():
    prev = "What is the 5-year OS after hepatectomy for NELM?"
    assert condense("What about PFS?", [prev], L) == "What is the 5-year PFS after hepatectomy for NELM?"
    assert condense("And recurrence?", [prev], L) == "What is the 5-year recurrence after hepatectomy for NELM?"
    assert condense("And overall survival?", ["Median PFS with everolimus in RADIANT-4?"], L) \
        == "Median overall survival with everolimus in RADIANT-4?"
    # With a treatment as well, both change; the outcome had been dropped with the old treatment.
    assert condense("What about PFS after TACE?", [prev], L) == "What is the 5-year PFS after TACE for NELM?"


def test_what_a_treatment_fragment_adds_after_the_treatment_is_kept():
    prev = "What is the 5-year OS after hepatectomy for NELM?"
    # "in pNET" had been dropped with the old treatment.
    assert condense("And for TACE in pNET?", [prev], L) == "What is the 5-year OS after TACE for NELM — in pNET?"
    assert condense("And for TACE?", [prev], L) == "What is the 5-year OS after TACE for NELM?"


def test_a_value_after_a_british_spelling_is_replaced_not_appended():
    # "Tumour" and "oesophageal" are shorter once normalised: the Ki-67 value had been missed and the follow-up
    # appended, so the rules still read 8 %.
    prev = "Tumour G2 ileal, oesophageal haemorrhage, Ki-67 8%, LT?"
    out = condense("What if Ki-67 were 12%?", [prev], L)
    assert out == "Tumour G2 ileal, oesophageal haemorrhage, Ki-67 12%, LT?"
    assert condense("And for TARE?", ["Is chemoembolisation safe after tumour resection?"], L) \
        == "Is TARE safe after tumour resection?"


def test_what_if_keeps_the_question_it_changes():
    # "resectable" names resection, so the follow-up had counted as naming its own subject and lost the question.
    assert condense("What if the EHD is resectable?", ["Is hepatectomy indicated with extrahepatic disease?"], L) \
        == "Is hepatectomy indicated with extrahepatic disease — What if the EHD is resectable?"
    # "it" is one of the case's values here, not the treatment: it is not replaced by "liver transplantation".
    prev = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: transplant?"
    assert condense("What if it were only 40%?", [prev], L) == prev.rstrip("?") + " — What if it were only 40%?"


def test_an_outcome_asked_without_a_subject_is_about_the_previous_topic():
    assert condense("What's the 5-year OS?", ["When is liver transplantation an option for NELM?"], L) \
        == "liver transplantation: What's the 5-year OS?"
    assert condense("What was the HR?", ["What did CLARINET show?"], L) == "CLARINET: What was the HR?"


def test_evidence_asked_without_a_subject_is_about_the_previous_topic():
    prev = "When is liver transplantation an option for NELM?"
    assert condense("Any RCTs?", [prev], L) == "liver transplantation: any RCTs?"
    assert condense("What is the evidence?", [prev], L) == "liver transplantation: What is the evidence?"
    assert condense("Is that true per Cloyd as well?", [prev], L) == "liver transplantation: Is that true per Cloyd as well?"
    assert condense("What trials support PRRT in pNET?", [prev], L) == "What trials support PRRT in pNET?"


def test_an_acknowledgement_is_not_a_follow_up():
    prev = "When is liver transplantation an option for NELM?"
    for q in ("Thanks", "ok", "Great, thanks!", "Thank you very much.", "OK thanks"):
        assert condense(q, [prev], L) == q, q
    # An acknowledgement in front of a follow-up is not part of it.
    assert condense("OK, and for TACE?", [prev], L) == "When is TACE an option for NELM?"
    assert condense("Okay so what about the Ki-67 limit?", [prev], L) != "Okay so what about the Ki-67 limit?"


def test_a_name_the_lexicon_does_not_know_replaces_the_one_of_its_kind():
    # A trial for a trial (one the lexicon knows, CLARINET, counts as a name here), a drug for a drug, a society for
    # a society; the fragment had been appended, leaving the old name in the search.
    assert condense("And OCCLURANDOM?", ["What is the COMPETE trial?"], L) == "What is the OCCLURANDOM trial?"
    assert condense("And COMPETE?", ["What did CLARINET show?"], L) == "What did COMPETE show?"
    assert condense("And nivolumab?", ["What is the role of pembrolizumab in NELM?"], L) == \
        "What is the role of nivolumab in NELM?"
    assert condense("And NANETS?", ["What do ENETS guidelines say about LT?"], L) == \
        "What do NANETS guidelines say about LT?"
    # No name of that kind before, or a name of another kind, or more than a name: not a swap.
    assert condense("And COMPETE?", ["Is TACE better than TAE?"], L) == "Is TACE better than TAE — COMPETE?"
    assert condense("And nivolumab?", ["What is the COMPETE trial?"], L) == "What is the COMPETE trial — nivolumab?"
    assert condense("And for TACE?", ["What is the COMPETE trial?"], L) == "What is the COMPETE trial — for TACE?"


def test_a_treatment_named_as_a_circumstance_replaces_only_a_circumstance():
    # "before embolization" is when the octreotide is given, not what is asked about instead of it.
    assert condense("And before embolization?", ["What dose of octreotide for carcinoid crisis?"], L) == \
        "What dose of octreotide for carcinoid crisis — before embolization?"
    assert condense("And after ablation?", ["What is the recurrence rate after resection?"], L) == \
        "What is the recurrence rate after ablation?"
    # The treatment asked about is swapped, not the one that is the circumstance or the patient's history.
    assert condense("And TARE?", ["After resection, is TACE useful?"], L) == "After resection, is TARE useful?"
    out = condense("And debulking?", ["62 y, G2 ileal NET, Ki-67 8 %, primary resected: transplant?"], L)
    assert out == "62 y, G2 ileal NET, Ki-67 8 %, primary resected: debulking?"
    assert patient_facts(out).facts.primary_resected is not None


def test_another_body_s_criteria_replace_the_ones_asked_about():
    assert condense("And the UNOS ones?", ["Milan criteria for transplant?"], L) == "UNOS criteria for transplant?"
    assert condense("And UNOS?", ["Milan criteria for transplant?"], L) == "UNOS criteria for transplant?"
    assert condense("And Cloyd's?", ["Dermine's checklist for considering LT in NELM?"], L) == \
        "Cloyd's checklist for considering LT in NELM?"
    # A trial is not whose guidelines they are.
    assert condense("And NETTER-1?", ["ENETS guidelines on PRRT?"], L) == "ENETS guidelines on PRRT — NETTER-1?"


def test_which_chooses_between_the_treatments_asked_about_before():
    history = ["What are the side effects of TACE?", "What are the side effects of TARE?"]
    assert condense("Which has fewer side effects?", history, L) == "TACE or TARE: which has fewer side effects?"
    assert condense("Which is safest?", ["TACE vs TARE vs PRRT for NELM?"], L) == \
        "TACE, TARE or PRRT: which is safest?"
    # One naming its own options stands alone; with one treatment before there is no choice to carry.
    assert condense("Which is better, TACE or TARE?", history, L) == "Which is better, TACE or TARE?"
    assert " or " not in condense("Which is better?", ["What is the role of PRRT?"], L)


def test_a_hypothetical_fact_takes_the_place_of_the_vignettes_own():
    """"What if it were G3?" had been appended, where the rules read it as hedged and judged the G2 patient."""
    case = "62 y, G2 ileal NET, Ki-67 8 %, 40% liver involvement, no EHD: transplant?"

    def facts(q: str) -> dict:
        f = patient_facts(condense(q, [case], L)).facts
        return {n: f.get(n).value for n in f.present()}
    assert condense("What if it were G3?", [case], L) == \
        "62 y, G3 ileal NET, Ki-67 8 %, 40% liver involvement, no EHD: transplant?"
    assert facts("What if it were grade 3?")["grade"] == "G3"
    # A NEC is poorly differentiated and G3: the G2 goes.
    nec = facts("What if it were a NEC?")
    assert nec["differentiation"] == "poor" and "grade" not in nec
    # A negated fact becomes true without its negation; a fact the vignette lacks joins its list.
    assert condense("What if she had bone mets?", [case], L) == \
        "62 y, G2 ileal NET, Ki-67 8 %, 40% liver involvement, bone mets: transplant?"
    assert facts("What if she had bone mets?")["extrahepatic_disease"] is True
    assert facts("What if it were a pNET?")["primary_site"] == "pancreas"
    assert "pNET NET" not in condense("What if it were a pNET?", [case], L)
    # A negated fact of another kind than yes/no ("no PVT" reads as PVT "none") loses its negation too; a negation
    # written after the fact ("PVT excluded") cannot be swapped away, so the follow-up is put to the case as written.
    pvt = condense("What if there were main portal vein thrombosis?", ["62 y, G2 ileal NET, no PVT: TACE?"], L)
    assert pvt == "62 y, G2 ileal NET, main portal vein thrombosis: TACE?"
    assert patient_facts(pvt).facts.portal_vein_thrombosis.value == "main"
    assert condense("What if there were main portal vein thrombosis?", ["62 y, G2 ileal NET, PVT excluded: TACE?"],
                    L).endswith("— What if there were main portal vein thrombosis?")
    # Two changes at once, one a number.
    both = facts("What if it were G3 and Ki-67 30%?")
    assert both["grade"] == "G3" and both["ki67_pct"] == 30
    # More than a changed fact, or nothing changed: put to the case as written.
    assert condense("What if she had bone mets — would PRRT work?", [case], L).endswith(
        "— What if she had bone mets — would PRRT work?")
    assert condense("What if it were G2?", [case], L).endswith("— What if it were G2?")
