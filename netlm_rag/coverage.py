"""Coverage: named things in a question (drugs, trials, acronyms, diseases) that the corpus never mentions."""
from __future__ import annotations

import os
import re
from typing import Collection, Iterable, Mapping, Sequence

from .lexicon import CONCEPT_PREFIX, STOPWORDS, Lexicon
from .records import Chunk

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
_CODE = re.compile(r"^([a-z]{2,})-?(\d{3,})$")       # trial codes: CALGB80701, NCT01234567
_SHORT_CODE = re.compile(r"^([a-z])-?(\d{4,})$")      # E2211 (ECOG 2211)
_DISTINCT_NUMBER = re.compile(r"^(?!(?:19|20)\d\d$)\d{4,}$")
_SPACED_CODE = re.compile(r"^[\s-]+(\d{3,})\b")
CENTRAL_MAX_TOKENS = 6   # a question this short is about its unknown word, not merely mentioning it
# An unknown acronym or name among the first words of a question is its topic: "Is PSMA PET useful ...?",
# "CLARINET FORTE: what PFS ...?", "Max Child-Pugh class for TACE?". Lower-case words ("NELM abutting a vein")
# are phrasing, not names. Main set 18 -> 19 of 24 unanswerable abstained, no answerable one refused.
LEADING_WORDS = 3
# "Robotic vs open hepatectomy": the two sides of "vs" are what the question compares. A side the reviews never
# name cannot be compared, however well they cover the other one, so an unknown uncommon word next to "vs" is the
# topic even when it is everyday enough for the rare-word rules ("robotic", Zipf 3.5). Not "or": "a Whipple or
# other major resection" lists alternatives inside a question about something else. Main set 24 -> 25 of 27
# unanswerable abstained, no answerable one refused on either set.
_VERSUS = re.compile(r"^(?:vs\.?|versus)$", re.IGNORECASE)
_ARTICLES = frozenset("a an the".split())


# Clinical shorthand that appears in vignettes but names no topic (the reviews need not spell it out).
_SHORTHAND_TERMS = frozenset("lft lfts ecog kps bmi cbc inr uln asa crp egfr gfr ps bp hr fu f/u yo y/o mets "
                             "hx dx tx rx pt pts sx w/ w/o vs umol µmol μmol mmol mg/dl ml/min gbq mbq".split())
RARE_ZIPF = 2.5   # wordfreq Zipf < 2.5: rarer than ~3 per 10 million words of general English (drug, trial, disease)


UNSEEN_ZIPF = 1.0  # below ~1 per 100 million words: belzutifan, paltusotine, FOLFIRI, histotripsy score 0
# Below ~1 per 100,000 words: not everyday English. Two such words the corpus never uses, one of them rare
# (below ~1 per million: RARE_PAIR_ZIPF), mean the question is about something the reviews do not discuss
# ("MGMT promoter methylation", "indocyanine green fluorescence", "PPIs falsely raise"), while two unusual
# chat words ("which tracer does X endorse") do not. Calibrated on eval/qa.jsonl (README "Abstention"):
# 15 -> 18 of 24 unanswerable questions, no answerable one newly refused; hold-out 5 -> 6 of 8, none refused.
UNCOMMON_ZIPF = 4.0
RARE_PAIR_ZIPF = 3.0


# Patient groups the criteria are not written for. Common English, so the rare-word rules never see them, yet a
# question about a pregnant patient or a child answered with adult criteria is wrong, not merely loose: when
# the corpus never names the group, the question is not covered. ("Child-Pugh" is a score, not a child.)
_POPULATION = re.compile(r"\b(child(?:ren)?|paediatric|pediatric|infants?|neonat\w*|adolescen\w*|teenagers?|"
                         r"pregnan\w*|breast-?feeding|lactating|elderly|octogenarians?|nonagenarians?)\b(?!-)",
                         re.IGNORECASE)


def drug_like(word: str) -> bool:
    """A drug name by its INN stem ("belzutifan" is not, "cabozantinib" is): -nib, -mab, -tide, -limus ..."""
    return len(word) >= 7 and bool(_DRUG.search(word.lower()))


def english_zipf(word: str) -> float:
    from wordfreq import zipf_frequency   # bundled word counts; imported lazily (~0.3 s)

    return zipf_frequency(word.lower(), "en")


def strength(word: str, first: bool) -> str:
    """'strong': a drug-like name, a trial name with digits, or a word rare in general English; 'weak': an
    acronym or a capitalised or mixed-case word inside the sentence; '' otherwise."""
    low = word.lower()
    if low in _COMMON or len(word) < 4:
        return ""
    if drug_like(word):
        return "strong"
    if _SHORTHAND.match(low) or low in _SHORTHAND_TERMS:
        return ""         # vignette shorthand: "44F", "62yo", "3cm", "LFTs"
    if word[0].isalpha() and any(ch.isdigit() for ch in word):
        return "strong"
    zipf = english_zipf(word)
    if zipf < UNSEEN_ZIPF:
        return "strong"   # unknown to general English as well: a new drug, trial or test name
    if zipf < RARE_ZIPF:
        return "weak"     # rare in English: a disease, procedure... or jargon the reviews phrase otherwise
    # ctDNA, NETest; and a compound of names (Child-Pugh), which a question may open with.
    mixed = any(a.islower() and b.isupper() for a, b in zip(word, word[1:])) or bool(re.search(r"[a-z]-[A-Z]", word))
    if (word.isupper() and len(word) >= 4) or (word[0].isupper() and not first) or mixed:
        return "weak"
    return ""


def uncommon(word: str) -> bool:
    """Not an everyday English word, not a question word, not vignette shorthand."""
    low = word.lower()
    if len(word) < 3 or low in _COMMON or low in STOPWORDS or low in _SHORTHAND_TERMS or _SHORTHAND.match(low):
        return False
    return english_zipf(word) < UNCOMMON_ZIPF


Stems = Mapping[str, tuple[str, ...]]    # word prefix (4 to 9 letters) -> the corpus words that start with it


def prefixes(vocabulary: Collection[str]) -> Stems:
    out: dict[str, list[str]] = {}
    for t in sorted(vocabulary):
        if t.isalpha():
            for n in range(4, min(len(t), 9) + 1):
                out.setdefault(t[:n], []).append(t)
    return {p: tuple(ts) for p, ts in out.items()}


# Endings that turn one form of a word into another ("ablat-ed" / "ablat-ion", "metastas-is" / "metastas-es"). Two
# words sharing a prefix are forms of one word only when both remainders are endings: "creatinine" is not a form of
# "creating" (remainders "e" and "g"), although they share the 60 % prefix the test below starts from.
_ENDINGS = frozenset(
    "e s es ed d ing ion ions ation ations ative atively ate ates ated ating ator ators atory ive ively ives al ally "
    "ic ics ical ically y ies ied ity ities ment ments er ers or ors ory ism isms ist ists ize izes ized izing "
    "ization ise ises ised ising isation ous ously ly ness ence ences ency ent ents ant ants able ably "
    "ible ia ias is a ae um us i on tic tics sis ses tion tions sion sions tive tives ture tures ful".split()) | {""}
# "-ful" is one ("watchful" for the reviews' "watch and wait"): "SSA vs watchful waiting?" was refused as a
# comparison with a side the reviews never name.
# Not "-ance": "clearance" is not a form of "clear" (the reviews say "it is not clear", never "creatinine clearance"),
# and a question on renal dosing was answered with NETTER-1's dosing. The other -ance nouns a clinician types
# (tolerance, resistance, surveillance, guidance) are everyday English, which the rare-word rules never count; on
# both evaluation sets this changes one question: the unanswerable "creatinine clearance" one, now abstained.


def form_of(word: str, other: str) -> bool:
    """Two forms of one word: a shared start of at least five letters, the rest of each an ending; or `word` a
    shortening of `other` ("periop" for "perioperative")."""
    if other.startswith(word):
        return True
    shared = len(os.path.commonprefix([word, other]))
    # Try the longest shared start, then back off: "metastatic" / "metastasis" share "metasta", not "metastat".
    return any(word[i:] in _ENDINGS and other[i:] in _ENDINGS for i in range(shared, 4, -1))


_PREFIXES = ("un", "non", "re", "pre", "sub")
_SUFFIXES = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("ly", ""), ("al", ""))


def variants(head: str) -> list[str]:
    """The word and the word without one common affix ("unproven" → "proven", "dosing" → "dose",
    "recurs" → "recur"); a stem keeps at least four letters."""
    out = [head]
    out += [head[len(p):] for p in _PREFIXES if head.startswith(p) and len(head) - len(p) >= 4]
    out += [head[:-len(s)] + r for s, r in _SUFFIXES if head.endswith(s) and len(head) - len(s) + len(r) >= 4]
    return out


def known(word: str, vocabulary: Collection[str], lexicon: Lexicon, stems: Stems | None = None) -> bool:
    """Known when the whole token is in the corpus, or another form of a corpus word ("ablated" for "ablation":
    same first 60 % of letters, at least 5, the rest of each an ending (form_of); one common affix removed
    first), or the first four letters of a corpus word of eight or more ("cryo", "embo"); for hyphenated words
    without digits ("SI-NET", "SSTR-PET"), when every part of three or more letters is."""
    stems = stems or {}
    tokens = [t for t in lexicon.tokenize(word) if not t.startswith(CONCEPT_PREFIX)]
    if not tokens or tokens[0] in vocabulary:
        return True
    head = tokens[0]
    code, short = _CODE.match(head), _SHORT_CODE.match(head)
    if (code and code.group(1) in vocabulary and code.group(2) in vocabulary) or (
            short and short.group(2) in vocabulary and _DISTINCT_NUMBER.match(short.group(2))):
        # A trial code written joined here and spaced in the text ("CALGB80701"), or shortened the usual way
        # ("E2211" for "ECOG 2211"): a number of four digits or more that is not a year names the trial.
        return True
    for v in variants(head) if head.isalpha() else ():
        if v in vocabulary or (len(v) >= 5 and any(
                form_of(v, t) for t in stems.get(v[:min(9, max(5, round(0.6 * len(v))))], ()))):
            return True
        if len(v) == 4 and any(len(t) >= 8 for t in stems.get(v, ())):
            return True       # the clinic's shortening of a long corpus word: "cryo" for cryoablation
    if "-" in word and not any(ch.isdigit() for ch in word):
        # "SI-NET", "SSTR-PET": every part known; "DOTATATE-avid", "octreotide-refractory": a known head
        # qualified by everyday English.
        parts = [t for t in tokens[1:] if len(t) >= 3]
        return all(t in vocabulary for t in parts) or (
            bool(parts) and parts[0] in vocabulary and all(t in vocabulary or english_zipf(t) >= RARE_PAIR_ZIPF
                                                           for t in parts[1:]))
    return False


def compared_words(question: str) -> frozenset[int]:
    """Start offsets of the words on either side of "vs"/"versus" (articles skipped): "Robotic vs open"."""
    words = list(re.finditer(r"\S+", question))
    out = set()
    for i, w in enumerate(words):
        if not _VERSUS.match(w.group(0).strip(",;:()")):
            continue
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(words) and words[j].group(0).lower() in _ARTICLES:
                j += step
            if 0 <= j < len(words):
                token = _TOKEN.search(words[j].group(0))
                if token:
                    out.add(words[j].start() + token.start())
    return frozenset(out)


def unknown_terms(question: str, vocabulary: Collection[str], lexicon: Lexicon,
                  stems: Stems | None = None, case: bool = False) -> tuple[str, ...]:
    """Terms that make the question uncovered: a strong unknown name anywhere; a weak one when the question
    is short enough to be about it or, in a question that is not a `case`, opens with it; two unknown uncommon
    words in a question that is not a case (a vignette lists findings: one comorbidity the reviews never name
    does not make the case off-topic); a patient group the corpus never names (children, pregnancy); or a
    synonym group the corpus never mentions."""
    stems = prefixes(vocabulary) if stems is None else stems
    norm = lexicon.normalise(question)
    out = [question[start:end] for start, end, group in lexicon.mentions(question)     # named as the user wrote it
           if CONCEPT_PREFIX + group not in vocabulary]
    covered = lexicon.pattern.sub(" ", norm)
    content = [t for t in lexicon.tokenize(question) if not t.startswith(CONCEPT_PREFIX) and t not in STOPWORDS]
    central = len(content) <= CENTRAL_MAX_TOKENS
    weak, rare = [], []
    position = -1             # among the question's words that are not question or function words
    arms = compared_words(question)
    for m in _TOKEN.finditer(question):
        word = m.group(0)
        if word.lower() not in _COMMON and word.lower() not in STOPWORDS:
            position += 1
        first = m.start() == 0 or question[:m.start()].rstrip().endswith((".", "?", "!", ":"))
        level = strength(word, first)
        spaced = _SPACED_CODE.match(question[m.end():])
        if spaced and (word + spaced.group(1)).lower() in vocabulary:
            continue          # "CALGB 80701" here, "CALGB80701" in the text
        rare_word = uncommon(word)
        if not (level or rare_word) or lexicon.normalise(word) not in covered or known(
                word, vocabulary, lexicon, stems):
            continue
        leading = not case and not word.islower() and position < LEADING_WORDS
        if m.start() in arms:
            out.append(word)      # one side of "X vs Y" the reviews never name
        elif level == "strong" or (level and (central or leading)):
            out.append(word)      # a name the question opens with is what it asks about ("PSMA PET useful ...?")
        elif level:
            weak.append(word)
        if rare_word:
            rare.append(word)
    out += [m.group(0) for m in _POPULATION.finditer(question) if not known(m.group(0), vocabulary, lexicon, stems)]
    # Two unknown names in one question ("Lu-177 PSMA radioligand") mean it is about something else; so do two
    # words the corpus never uses that are not everyday English ("indocyanine green fluorescence").
    if len(set(weak)) >= 2:
        out.extend(weak)
    if not case and len({w.lower() for w in rare}) >= 2 and min(map(english_zipf, rare)) < RARE_PAIR_ZIPF:
        out.extend(sorted(rare, key=english_zipf))
    return tuple(dict.fromkeys(out))


# The reviews are about neuroendocrine tumours. A question about another cancer borrows their words ("Milan
# criteria", "resection criteria", "liver metastases") and gets their numbers: "Hepatocellular carcinoma: Milan
# criteria for transplant?" was answered with the NET criteria (Ki-67 < 10 %), and "Colorectal liver metastases:
# resection criteria?" with NELM ones: wrong for that patient, not merely loose. The rare-word rules cannot see
# it (every word is in the corpus) and the similarity floor cannot either (the passages are close in meaning).
_NET_WORDS = re.compile(
    r"\b(?:nets?|nens?|necs?|neuroendocrine|carcinoids?|nelms?|netlms?|nlms?|pnets?|p-nets?|si-?nets?|sbnets?|"
    r"gep-?nets?|gep-?nens?|insulinomas?|gastrinomas?|glucagonomas?|vipomas?|somatostatinomas?|midgut|foregut|"
    r"hindgut|men-?1|zollinger|(?<!non-)(?<!non )small[- ]cell)\b", re.IGNORECASE)   # small-cell: a lung NEC
_SITE = (r"colorectal|colon|rectal|breast|lung|prostate|prostatic|gastric|stomach|o?esophageal|ovarian|renal|"
         r"kidney|bladder|hepatocellular|liver|thyroid|cervical|uterine|endometrial|head and neck|skin|uveal|"
         r"biliary|gallbladder|pancreatic|non[- ]small[- ]cell")
_OTHER_CANCER = re.compile(
    rf"\b(?:(?:{_SITE})\s+(?:cell\s+)?(?:cancers?|carcinomas?|adenocarcinomas?)|"
    r"(?:colorectal|breast|melanoma|sarcoma)\s+(?:liver\s+)?(?:metastases|metastasis|mets)|"
    r"cholangiocarcinomas?|adenocarcinomas?|melanomas?|sarcomas?|gliomas?|glioblastomas?|mesotheliomas?|"
    r"hccs?|crlm|crc|nsclc)\b", re.IGNORECASE)
# Another disease, or a blood cancer (in this field a late toxicity: "leukaemia after PRRT"), names another field
# only when the question names nothing the reviews treat: "Acute appendicitis: antibiotics or surgery?", but not
# "Cholangitis after TACE?" or "Risk of leukaemia/MDS after PRRT?" (harms they discuss).
_OTHER_DISEASE = re.compile(
    r"\b(?:\w{3,}itis|leuka?emias?|lymphomas?|myelomas?|diabetes|infarction|stroke|pneumonia|asthma|covid(?:-19)?|"
    r"hiv|tuberculosis|sepsis|malaria|dementia|hypertension|copd|psoriasis|osteoporosis|migraine|epilepsy)\b",
    re.IGNORECASE)


def other_disease(question: str, lexicon: Lexicon) -> str:
    """The disease a question is about when it is not a neuroendocrine tumour ("" otherwise): another cancer
    named without any NET word ("hepatocellular carcinoma", "colorectal liver metastases", "lung cancer"), or
    another disease named with neither a NET word nor anything the reviews treat (a synonym group: TACE, PRRT,
    resection...). A NET word anywhere keeps the question in scope: "leukaemia after PRRT for a pNET", "NELM
    or cholangiocarcinoma?" are questions about NET patients."""
    if _NET_WORDS.search(question):
        return ""
    found = _OTHER_CANCER.search(question)
    if not found:
        found = _OTHER_DISEASE.search(question)
        if found and lexicon.concepts(question):
            return ""         # a harm of something the reviews treat: "cholangitis after TACE"
    if not found:
        return ""
    name = found.group(0)
    return name if name.isupper() else name.lower()     # "HCC" as typed, "Lung cancer" as "lung cancer"


def vocabulary_of(texts: Iterable[str], lexicon: Lexicon) -> frozenset[str]:
    """Every token of these texts (the prose passages with their section titles alone, to tell what the reviews
    discuss from what a table of theirs merely lists)."""
    return frozenset(t for text in texts for t in lexicon.tokenize(text))


def table_rows_naming(term: str, chunks: Sequence[Chunk], lexicon: Lexicon,
                      limit: int = 3) -> list[tuple[Chunk, int]]:
    """The table rows (chunk, row index) where a term the prose never uses appears, in corpus order: *COMPETE*,
    *DEBOXA*, *pembrolizumab* are only trial titles in Dermine's Table 3."""
    out = []
    for c in chunks:
        if c.kind != "table":
            continue
        for i, row in enumerate(c.sentence_texts()):
            words = frozenset(lexicon.tokenize(row))
            if known(term, words, lexicon, prefixes(words)):
                out.append((c, i))
                if len(out) == limit:
                    return out
    return out
