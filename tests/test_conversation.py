from netlm_rag.conversation import condense, is_follow_up
from netlm_rag.lexicon import default_lexicon

L = default_lexicon()
PREV = "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?"


def test_first_question_is_unchanged():
    assert condense("What is the role of PRRT?", [], L) == "What is the role of PRRT?"


def test_and_for_tace_swaps_the_treatment():
    out = condense("And for TACE?", [PREV], L)
    assert "TACE" in out and "transplantation" not in out and "Ki-67 8 %" in out


def test_what_if_value_replaces_the_number():
    out = condense("what if Ki-67 were 12 %?", [PREV], L)
    assert "Ki-67 12 %" in out and "8 %" not in out and "transplantation" in out


def test_unrelated_new_question_is_not_rewritten():
    q = "What are the response rates of PRRT in the NETTER-1 trial?"
    assert condense(q, [PREV], L) == q and not is_follow_up(q, L)


def test_vague_follow_up_is_joined_to_previous():
    out = condense("and bilirubin 3 mg/dL?", [PREV], L)
    assert out.startswith(PREV.rstrip("?")) and "bilirubin 3 mg/dL" in out
