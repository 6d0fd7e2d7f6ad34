"""Coverage: named things in a question (drugs, trials, acronyms, diseases) that the corpus never mentions."""
from __future__ import annotations

import re
from typing import Collection

from .lexicon import CONCEPT_PREFIX, STOPWORDS, Lexicon

# Suffixes of drug names (INN stems): a question about "cabozantinib" is not answered by a passage on
# sunitinib, however similar the embeddings are.
_DRUG = re.compile(r"(?:mab|nib|lisib|parib|ciclib|tide|platin|rubicin|mustine|taxel|zomib|lutamide|"
                   r"sertib|rafenib|degib|limus|trexate|citabine|fosfamide|tecan|vudine|zole|pril|sartan|"
                   r"gliflozin|gliptin|glutide|statin|stat|oxide|parin|cillin|mycin|vir)$")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# Capitalised words that start questions or name the patient, never a topic.
_COMMON = frozenset("what which when where who why how is are can could should would does do did the a an "
                    "in for with and or my our patient patients doc dr i we any".split())
_SHORTHAND = re.compile(r"^\d+(?:[a-z]{1,3})$")
CENTRAL_MAX_TOKENS = 6   # a question this short is about its unknown word, not merely mentioning it


def strength(word: str, first: bool) -> str:
    """'strong': a drug-like name or a trial name with digits; 'weak': an acronym, a capitalised or mixed-case
    word inside the sentence, or a long technical word; '' otherwise."""
    low = word.lower()
    if low in _COMMON or len(word) < 4:
        return ""
    if _DRUG.search(low) and len(low) >= 7:
        return "strong"
    if _SHORTHAND.match(low):
        return ""         # vignette shorthand: "44F", "62yo", "3cm"
    if word[0].isalpha() and any(ch.isdigit() for ch in word):
        return "strong"
    mixed = any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))      # ctDNA, NETest
    if (word.isupper() and len(word) >= 4) or (word[0].isupper() and not first) or mixed or len(word) >= 10:
        return "weak"
    return ""


def known(word: str, vocabulary: Collection[str], lexicon: Lexicon) -> bool:
    """Known when the whole token is in the corpus; for hyphenated words without digits ("SI-NET",
    "SSTR-PET"), when every part of three or more letters is."""
    tokens = [t for t in lexicon.tokenize(word) if not t.startswith(CONCEPT_PREFIX)]
    if not tokens or tokens[0] in vocabulary:
        return True
    if "-" in word and not any(ch.isdigit() for ch in word):
        return all(t in vocabulary for t in tokens[1:] if len(t) >= 3)
    return False


def unknown_terms(question: str, vocabulary: Collection[str], lexicon: Lexicon) -> tuple[str, ...]:
    """Terms that make the question uncovered: a strong unknown name anywhere, a weak one when the question
    is short enough to be about it, or a synonym group the corpus never mentions."""
    norm = lexicon.normalise(question)
    out = []
    same_length = len(norm) == len(question)      # then offsets in `norm` are offsets in `question`
    for m in lexicon.pattern.finditer(norm):
        if CONCEPT_PREFIX + lexicon.form_to_group[m.group(1)] not in vocabulary:
            out.append(question[m.start():m.end()] if same_length else m.group(1))
    covered = lexicon.pattern.sub(" ", norm)
    content = [t for t in lexicon.tokenize(question) if not t.startswith(CONCEPT_PREFIX) and t not in STOPWORDS]
    central = len(content) <= CENTRAL_MAX_TOKENS
    weak = []
    for m in _TOKEN.finditer(question):
        word = m.group(0)
        first = m.start() == 0 or question[:m.start()].rstrip().endswith((".", "?", "!", ":"))
        level = strength(word, first)
        if not level or lexicon.normalise(word) not in covered or known(word, vocabulary, lexicon):
            continue
        if level == "strong" or central:
            out.append(word)
        else:
            weak.append(word)
    # Two unknown names in one question ("Lu-177 PSMA radioligand") mean it is about something else.
    if len(set(weak)) >= 2:
        out.extend(weak)
    return tuple(dict.fromkeys(out))
