import pytest

from netlm_rag.coverage import unknown_terms
from netlm_rag.lexicon import default_lexicon

L = default_lexicon()
VOCAB = {"sunitinib", "everolimus", "octreotide", "netter-1", "liver", "transplant", "pnet"}


@pytest.mark.parametrize("q, term", [
    ("Is cabozantinib effective for pNET liver mets?", "cabozantinib"),
    ("What did the CABINET trial show?", "CABINET"),
    ("Is NETTER-2 positive?", "NETTER-2"),
    ("Role of Belzutifan here?", "Belzutifan"),
])
def test_unknown_named_things_are_found(q, term):
    assert term in unknown_terms(q, VOCAB, L)


@pytest.mark.parametrize("q", ["Dose of sunitinib?", "What did NETTER-1 show?", "Is TACE OK after Whipple?",
                               "What is the role of liver transplant?"])
def test_known_or_synonym_terms_pass(q):
    assert unknown_terms(q, VOCAB, L) == ()
