"""Coverage: named things in a question (drugs, trials, acronyms) that the corpus never mentions."""
from __future__ import annotations

import re
from typing import Collection

from .lexicon import Lexicon

# Suffixes of drug names (INN stems): a question about "cabozantinib" is not answered by a passage on
# sunitinib, however similar the embeddings are.
_DRUG = re.compile(r"(?:mab|nib|lisib|parib|ciclib|tide|platin|rubicin|mustine|taxel|zomib|lutamide|"
                   r"sertib|rafenib|degib|limus|trexate|citabine|fosfamide|tecan|vudine|zole|pril|sartan|"
                   r"gliflozin|gliptin|glutide|statin)$")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# Capitalised words that start questions or name the patient, never a topic.
_COMMON = frozenset("what which when where who why how is are can could should would does do did the a an "
                    "in for with and or my our patient patients doc dr i we".split())


def entity_like(word: str, first: bool) -> bool:
    """A trial name (letters and digits: NETTER-2), an acronym (CABINET), a drug-like name, or a capitalised
    word inside the sentence (Belzutifan)."""
    low = word.lower()
    if low in _COMMON or len(word) < 4:
        return False
    if _DRUG.search(low):
        return True
    if any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word):
        return True
    if word.isupper() and len(word) >= 4:
        return True
    return word[0].isupper() and not first and not word.isupper()


def unknown_terms(question: str, vocabulary: Collection[str], lexicon: Lexicon) -> tuple[str, ...]:
    """Entity-like words of the question absent from the corpus vocabulary (after the same tokenisation).
    Words covered by a synonym group are known by definition."""
    covered = lexicon.normalise(question)
    for m in lexicon.pattern.finditer(covered):
        covered = covered.replace(m.group(1), " ")
    out = []
    for i, m in enumerate(_TOKEN.finditer(question)):
        word = m.group(0)
        if not entity_like(word, first=(m.start() == 0 or question[:m.start()].rstrip().endswith((".", "?", "!", ":")))):
            continue
        if lexicon.normalise(word) not in covered:
            continue
        tokens = [t for t in lexicon.tokenize(word) if not t.startswith("~")]
        if tokens and not any(t in vocabulary for t in tokens[:1]):
            out.append(word)
    return tuple(dict.fromkeys(out))
