"""Extractive answer composition. Never produces a sentence that is not verbatim in a retrieved chunk."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Callable, Collection, Mapping, Sequence

import numpy as np

from .config import AnswerSettings
from .conflicts import Quantity, at_odds, find_conflicts, quantities, quantity_topic, topic
from .lexicon import ASPECT_GROUPS, CONCEPT_PREFIX, TREATMENT_GROUPS, Lexicon
from .records import Answer, Chunk, Citation, Document, Hit
from .terms import ChunkTokens, chunk_tokens, content_tokens, question_tokens, weighted_overlap

logger = logging.getLogger(__name__)

ABSTAIN_TEXT = "The reviews in this corpus do not cover this question."
SentenceScores = Callable[[Hit], np.ndarray]   # cosine of the question with each sentence of a hit's chunk

_CITATION_ONLY = re.compile(r"^[\s\[\]()\d,;.–-]*$")
# A table's or figure's abbreviation key ("LT, liver transplantation; NELM, neuroendocrine liver metastases; ...")
# left in the prose: it shares every term of a question on those topics and answers none.
_ABBREVIATION = r"(?=[A-Za-z0-9/-]*[A-Z][A-Za-z0-9/-]*[A-Z])[A-Z][A-Za-z0-9/-]{1,11}"     # two capitals at least
_LEGEND = re.compile(rf"^(?:{_ABBREVIATION}, [^,;]{{3,80}}[;.]\s*){{2,}}$")
# A review describing itself ("In this review we will discuss ...", "This review focuses on ..."): it shares the
# question's topic words and tells a clinician nothing; it reached 3 main-set answers and 1 hold-out answer.
_ABOUT_ITSELF = re.compile(r"\b(?:in (?:this|the present|our) (?:review|article|paper)\b.{0,20}\bwe\b|"
                           r"this (?:review|article|paper) (?:aims|focuses|summari[sz]es|describes|discusses))",
                           re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# The tail of a sentence the delivered file breaks where the cleaner cannot safely rejoin it ("... the European Liver
# Transplant Registry and the United" / "Network for Organ Sharing database.^[30]": a capital after a bare word is
# also how a missing full stop looks): a few words after an unfinished sentence say nothing on their own, and the
# heading they are embedded with gave this one a place in 6 main-set answers about transplantation.
_TRAILING_MARKERS = re.compile(r"(?:\s*(?:\^\[[^\]]*\]|\^\{[^}]*\}|\[[\d,\s–-]+\]|\(\d+(?:\s*[,–-]\s*\d+)*\)|"
                               r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻,–]+))+\s*$")
_FINISHED = re.compile(r"[.?!:;][\"'”’)\]]*$")
_TAIL_WORDS = 6


def unfinished(sentence: str) -> bool:
    """The sentence stops without closing punctuation (its citation markers aside)."""
    return not _FINISHED.search(_TRAILING_MARKERS.sub("", sentence.rstrip()))


def dangling_tail(texts: list[str], i: int) -> bool:
    """Sentence `i` is a few words left over from an unfinished sentence before it."""
    return i > 0 and len(texts[i].split()) <= _TAIL_WORDS and unfinished(texts[i - 1])


@dataclass(frozen=True, slots=True)
class Candidate:
    hit_rank: int
    chunk: Chunk
    index: int            # sentence index in the chunk
    text: str
    score: float          # sentence_score(...) of the features below under the answer settings
    tokens: frozenset[str]
    similarity: float     # cosine of the question with the sentence (MiniLM)
    overlap: float        # IDF-weighted share of the question's terms in the sentence
    context: float        # the same share over the sentence's whole chunk and section title
    states_number: bool   # the question asks for a quantity and the sentence states one
    previous: float       # cosine of the question with the sentence before it in its chunk (0 for the first)
    foreign: bool = False  # about another treatment than the one(s) the question names (other_treatment)
    study: int = 0        # +1 reports the trial the question names, -1 another study, 0 neither known (study_scope)


def sentence_score(similarity: float, overlap: float, context: float, rank: int, states_number: bool,
                   previous: float, cfg: AnswerSettings, foreign: bool = False, study: int = 0) -> float:
    """Meaning dominates; shared terms (numbers, acronyms, drug names) break ties that MiniLM misses; the
    passage's own match counts ("Response rates were 18 %" answers a NETTER-1 question only because its
    section is about NETTER-1); so does the sentence before it, which often names what this one calls "it"
    ("It has little interference with the nontumor tissue, except with the kidney, bladder, and bone marrow"
    follows a sentence on PRRT); a small rank prior keeps the fused retrieval order in play. The weights live
    in AnswerSettings and were fitted by eval/tune_sentences.py."""
    return (similarity + cfg.w_overlap * overlap + cfg.w_context * context - cfg.w_rank * rank
            + (cfg.w_number if states_number else 0.0) + cfg.w_previous * previous
            - (cfg.w_foreign if foreign else 0.0) - (cfg.w_other_study if study < 0 else 0.0)
            + (cfg.w_trial_scope if study > 0 else 0.0))


def rescored(c: Candidate, cfg: AnswerSettings) -> Candidate:
    return replace(c, score=sentence_score(c.similarity, c.overlap, c.context, c.hit_rank, c.states_number,
                                           c.previous, cfg, c.foreign, c.study))


_QUANTITATIVE = re.compile(
    r"\b(how (many|much|often|long|large|big|common|frequent)|what (share|fraction|proportion|percentage|rate|"
    r"dose|size|range|cut-?off|threshold|limit)|rates?|%|percent|median|mean|survival|os|pfs|ttp|mortality|"
    r"morbidity|incidence|prevalence|response|cut-?offs?|thresholds?|limits?|max(imum)?|min(imum)?|"
    r"dos(?:e|es|ed|ing|ages?)|cm|months?|years?|ki-?67|"
    # Whether a treatment works is answered by its results ("RADIANT-4: does everolimus still work when liver mets
    # are extensive?" -> "PFS 11.0 vs 3.9 months ... irrespective of the extent of liver metastasis"): 15 main
    # questions more, 2 gained a key fact and none lost one; 6 hold-out questions, unchanged. Broader words
    # (useful, data, evidence, impact) lost as many as they gained.
    # ("How does PRRT work?" asks for a mechanism, not for results.)
    r"effective(?:ness)?|efficacy|efficacious|(?<!how )(?:does|do|did|can|could|will|would)\s+(?:[\w/-]+\s+){0,4}?"
    r"works?|benefits?|outcomes?|results?|helps?|improve[sd]?)\b",
    re.IGNORECASE)
_HAS_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*(%|percent|cm|mm|months?|years?|mg|gbq|weeks?|days?|patients)|[<>≤≥]\s*\d")


_RANGE = r"\d+(?:[.,]\d+)?\s*(?:[-–]\s*\d+(?:[.,]\d+)?\s*)?"
# Quantities the generic pattern above misses because their units are rare in the reviews: a question that
# names the kind of quantity it wants is answered by a sentence stating that kind ("sizes?" -> "20–40 μm",
# "what temperature" -> "−50°C", "what do I give" -> "300 micrograms"). The same holds for a reason: "Why do we need
# synthetic SSAs?" is answered by "Since natural somatostatin has a very short half life (2-3 min) ..." ("since" is
# causal in nearly every use in these reviews); 10 main and 4 hold-out questions ask why: key facts 0.818 -> 0.822
# main (2 gained, 1 lost), 0.849 -> 0.852 hold-out (1 gained). A question that asks only for its kind (nothing else
# quantitative once the kind's words are taken out) gives the bonus to that kind alone: "Usual doxorubicin and STZ
# doses for cTACE?" had been answered by response rates (main key facts 0.857 -> 0.861, none lost; hold-out unchanged).
_KINDS = tuple((re.compile(q, re.IGNORECASE), re.compile(s, re.IGNORECASE)) for q, s in (
    (r"\b(sizes?|diameters?|how (large|big))\b", _RANGE + r"(cm|mm|μm|µm)\b"),
    (r"\b(temperatures?|how (hot|cold))\b", r"°\s*C\b|\bdegrees\b"),
    (r"\b(dos(e|es|ed|ing|ages?)|what (?:do (?:i|we|you)|to) give|administer(ed)?)\b",
     _RANGE + r"(mg|g|gbq|mci|micrograms?|μg|µg|units?)\b"),
    (r"\b(intervals?|spacing)\b", r"\bevery\s+\d+|\bintervals?\b|\b\d+\s*(?:weeks?|months?) apart\b"),
    (r"\bwhy\b|\breasons?\b|\bhow come\b",
     r"\b(because|due to|owing to|as a result|result(?:s|ed)? (?:in|from)|leads? to|caus(?:e|es|ed|ing)|reasons?|"
     r"explain\w*|attributed|since)\b"),
))


def states_number(question: str, sentence: str) -> bool:
    """A question asking for a number is best answered by a sentence that states one; one asking for a kind of
    quantity, or for a reason, by a sentence giving that kind, and only by one when that kind is all it asks for."""
    kinds = [(q, s) for q, s in _KINDS if q.search(question)]
    rest = question
    for q, _ in kinds:
        rest = q.sub(" ", rest)
    if kinds and not _QUANTITATIVE.search(rest):
        return any(s.search(sentence) for _, s in kinds)
    if _QUANTITATIVE.search(question) and _HAS_NUMBER.search(sentence):
        return True
    return any(s.search(sentence) for _, s in kinds)


_TREATMENT_TOKENS = frozenset(CONCEPT_PREFIX + g for g in TREATMENT_GROUPS)


def other_treatment(asked: frozenset[str], sentence: frozenset[str], passage: frozenset[str]) -> bool:
    """The sentence is about a treatment the question does not ask about (treatment concept tokens): it names
    treatments and none of those asked, or it names none and neither does its passage ("Long-term side effects
    of PRRT may include renal failure" for a question on everolimus). False when the question names none."""
    if not asked:
        return False
    named = sentence & _TREATMENT_TOKENS
    return not (named & asked) if named else not (passage & asked)


_TRIAL_CONCEPTS = frozenset(CONCEPT_PREFIX + g for g in ("netter", "clarinet", "promid"))
# radiant-4, netter-1 (tokens are lower-case); not "phase-3" or "grade-2"
_TRIAL_CODE = re.compile(r"(?!(?:phase|grade|stage|type|class|cycle|level|step|arm|week|month|year|day)-)"
                         r"[a-z]{3,}[a-z0-9]*-\d+[a-z]?")
# A sentence that opens the report of a study: "A recent retrospective study with 44 patients ...", "In 2008,
# Kwekkeboom et al. reported ...". "This study" goes on with the one before.
_STUDY_OPENS = re.compile(r"\b(?:(?:a|an|one|another|several|many|multiple|some|other|two|three|the first|the largest|"
                          r"the only)\s+(?:[\w-]+,?\s+){0,5}?(?:study|studies|trials?|series|analys[ie]s|cohort|"
                          r"reports?|meta-analysis)\b|\bet\s*a\.?l\b)", re.IGNORECASE)

# The trials asked about by name are randomised phase III trials, which a review may open without naming: La Salvia's
# "A phase-3 trial comparing PRRT and octreotide was presented at ..." is NETTER-1.
_RANDOMISED = re.compile(r"\brandomi[sz]ed\b|\bphase[- ]?(?:3|iii)\b", re.IGNORECASE)

# A sentence that goes on with the study before, naming another only to compare: "In contrast to PROMID, this study
# included patients with grade 1 or 2 tumors" is CLARINET's.
_CONTINUES = re.compile(r"\b(?:this|the same) (?:study|trial)\b|\b(?:like|unlike|as) in\b|\bin contrast to\b|"
                        r"\bsimilar(?:ly)? to\b", re.IGNORECASE)


def trials(tokens: frozenset[str]) -> frozenset[str]:
    """The trials named among `tokens`: the three the lexicon knows, and codes such as RADIANT-4."""
    return frozenset(t for t in tokens if t in _TRIAL_CONCEPTS or _TRIAL_CODE.fullmatch(t))


def study_scope(asked: frozenset[str], texts: Sequence[str], sentence_tokens: Sequence[frozenset[str]], i: int
                ) -> int:
    """Which study sentence `i` of a passage reports, for a question naming trials (`asked`): +1 one of them, -1
    another, 0 not known. It is the study the nearest sentence at or before it opens. In Dermine's PRRT paragraph
    "The median overall survival was 79 months." follows "A recent retrospective study with 44 patients ...", and
    had opened the answer to "Did NETTER-1 show an overall survival benefit?" as if it were NETTER-1's, while "The
    overall survival for the PRRT arm has not yet been reached", three sentences after NETTER-1 is named, was left
    out. 0 when no trial is asked about, when no study is opened before the sentence in its passage, or when the one
    opened is a randomised trial left unnamed (it may be the one asked about)."""
    if not asked:
        return 0
    for j in range(min(i, len(sentence_tokens) - 1), -1, -1):
        named = trials(sentence_tokens[j])
        if named & asked:
            return 1
        if _CONTINUES.search(texts[j]):
            continue
        if named:
            return -1
        if _STUDY_OPENS.search(texts[j]):
            return 0 if _RANDOMISED.search(texts[j]) else -1
    return 0


def candidates(question: str, hits: tuple[Hit, ...], scores: SentenceScores, lexicon: Lexicon,
               cfg: AnswerSettings, idf: Mapping[str, float] | None = None,
               tokens: Mapping[str, ChunkTokens] | None = None) -> list[Candidate]:
    """Every usable prose sentence of the top `cfg.depth` hits, best first (sentence_score). `tokens`
    (token_table of the build) saves re-tokenizing the chunks; without it they are tokenized here."""
    idf = idf or {}
    tokens = tokens or {}
    q_tokens = question_tokens(question, lexicon)
    asked = content_tokens(question, lexicon) & _TREATMENT_TOKENS     # lanreotide is still an SSA treatment
    asked_trials = trials(q_tokens)
    out = []
    for rank, hit in enumerate(hits[:cfg.depth]):
        if hit.chunk.kind != "prose":
            continue       # tables never feed a prose answer
        sims = scores(hit)
        ct = tokens.get(hit.chunk.id) or chunk_tokens(hit.chunk, lexicon)
        context = weighted_overlap(q_tokens, ct.context, idf)
        texts = hit.chunk.sentence_texts()
        for i, text in enumerate(texts):
            if (len(text) < 30 or _CITATION_ONLY.match(text) or _LEGEND.match(text) or _ABOUT_ITSELF.search(text)
                    or dangling_tail(texts, i)):
                continue
            toks = ct.sentences[i]
            overlap = weighted_overlap(q_tokens, toks, idf)
            sim = float(sims[i]) if i < len(sims) else 0.0
            previous = float(sims[i - 1]) if 0 < i <= len(sims) else 0.0
            number = states_number(question, text)
            foreign = other_treatment(asked, toks, ct.context)
            study = study_scope(asked_trials, texts, ct.sentences, i)
            out.append(Candidate(rank, hit.chunk, i, text,
                                 sentence_score(sim, overlap, context, rank, number, previous, cfg, foreign,
                                                study),
                                 toks, sim, overlap, context, number, previous, foreign, study))
    best: dict[tuple[str, int], Candidate] = {}
    for c in out:
        key = (c.chunk.doc_id, c.chunk.sentences[c.index].raw_start)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return sorted(best.values(), key=lambda c: -c.score)


def near_duplicate(a: Candidate, b: Candidate) -> bool:
    if a.chunk.doc_id == b.chunk.doc_id and a.chunk.sentences[a.index].raw_start == b.chunk.sentences[b.index].raw_start:
        return True     # the same sentence reached through two overlapping chunks
    union = len(a.tokens | b.tokens) or 1
    return len(a.tokens & b.tokens) / union > 0.6


def select(cands: list[Candidate], cfg: AnswerSettings, required: Collection[str] = ()) -> list[Candidate]:
    """Greedy: best first, no near-duplicates, a bonus for a review not yet cited, within the word budget.
    Each review in `required` (the reviews a question sets against each other: "Dermine vs Cloyd") first gets
    its best sentence, whatever its score: an answer citing only one of them does not answer the question."""
    if not cands:
        return []
    best = cands[0].score
    floor = best - cfg.select_margin          # sentences much weaker than the best answer dilute it
    chosen: list[Candidate] = []
    for doc in required:
        top = next((c for c in cands if c.chunk.doc_id == doc), None)
        if top is not None and not any(near_duplicate(top, c) for c in chosen):
            chosen.append(top)
    chosen.sort(key=lambda c: -c.score)
    words = sum(len(c.text.split()) for c in chosen)
    pool = [c for c in cands if c.score >= floor and c not in chosen]
    while pool and len(chosen) < cfg.max_sentences:
        docs = {c.chunk.doc_id for c in chosen}
        pool.sort(key=lambda c: -(c.score + (cfg.new_review_bonus if chosen and c.chunk.doc_id not in docs else 0.0)))
        pick = pool.pop(0)
        if any(near_duplicate(pick, c) for c in chosen):
            continue
        n = len(pick.text.split())
        if chosen and words + n > cfg.max_words and not (
                words + n <= cfg.max_words + cfg.overflow_words and pick.score >= best - cfg.overflow_margin):
            continue
        chosen.append(pick)
        words += n
    return chosen


# Where a question changes subject: "TTP and OS?", "comparator, and was there an early OS signal?", "caution or
# good indication?", a vignette's comma-separated facts.
_PART_BREAK = re.compile(r"[?:;]|\s[—–-]\s|,\s*(?:and\s+)?|\band\b|\bvs\.?(?!\w)|\bversus\b|\bor\b", re.IGNORECASE)


def question_parts(question: str, lexicon: Lexicon) -> list[frozenset[str]]:
    """The terms only one part of a multi-part question uses, per part ("median TTP and OS?": {ttp}, {os});
    empty for a question of one part."""
    tokens = [t for t in (question_tokens(p, lexicon) for p in _PART_BREAK.split(question) if p) if t]
    out = [t - frozenset().union(*(u for j, u in enumerate(tokens) if j != i)) for i, t in enumerate(tokens)]
    out = [t for t in out if t]
    return out if len(out) >= 2 else []


def cover_parts(chosen: list[Candidate], cands: list[Candidate], question: str, lexicon: Lexicon,
                cfg: AnswerSettings, idf: Mapping[str, float]) -> list[Candidate]:
    """A part of the question the chosen sentences barely speak to ("... and was there an early OS signal?") gets
    the best sentence stating what they leave out, if one is within `part_margin` of the best answer, even past the
    word budget (by at most `part_overflow_words`): the budget was filled by the part the embedding liked best.
    The whole question counts as one more part, so a one-part question whose answer leaves out its rarest terms
    (*A few indolent bone mets: still resect the liver?* answered without *bone*) is covered too. A part counts as
    answered once the chosen sentences state `part_cover` of its IDF-weighted terms: one shared word had been
    enough, so *RETNET trial: what is it comparing?* counted as answered by a sentence saying *trial*."""
    if not chosen or not cands:
        return chosen
    floor = cands[0].score - cfg.part_margin
    words = sum(len(c.text.split()) for c in chosen)
    out = list(chosen)
    whole = question_tokens(question, lexicon)
    for part in [*question_parts(question, lexicon), whole, *named_things(whole, idf, cfg.thing_cover_idf)]:
        stated = frozenset().union(*(c.tokens for c in out))
        if weighted_overlap(part, stated, idf) > cfg.part_cover:
            continue
        missing = part - stated
        fits = [c for c in cands if c.score >= floor and c.tokens & missing and c not in out
                and words + len(c.text.split()) <= cfg.max_words + cfg.part_overflow_words
                and not any(near_duplicate(c, x) for x in out)]
        if fits:
            # A named thing alone says little of which of its sentences fits: the rest of the question decides.
            wanted = whole if len(part) == 1 else missing
            pick = max(fits, key=lambda c: c.score + cfg.w_part * weighted_overlap(wanted, c.tokens, idf))
            out.append(pick)
            words += len(pick.text.split())
    return out


def named_things(terms: frozenset[str], idf: Mapping[str, float], min_idf: float) -> list[frozenset[str]]:
    """Each rare thing the question names through the synonym table (a Whipple, the UNOS registry, portal vein
    embolization), as a part of its own: *Is Y-90 safe after a Whipple?* had been answered on Y-90 alone, its terms
    stated well enough by sentences that never mention the anastomosis the question turns on."""
    return [frozenset({t}) for t in sorted(terms) if t.startswith(CONCEPT_PREFIX)
            and t[len(CONCEPT_PREFIX):] not in ASPECT_GROUPS and idf.get(t, 0.0) >= min_idf]


_DEFAULTS = AnswerSettings()     # the margins' one home is AnswerSettings; choose() passes the configured ones


def add_disagreeing(chosen: list[Candidate], cands: list[Candidate], lexicon: Lexicon,
                    margin: float = _DEFAULTS.disagree_margin, limit_margin: float = _DEFAULTS.disagree_limit_margin,
                    limit: int = 2) -> list[Candidate]:
    """A relevant sentence from another review that gives a different number for a quantity the answer
    states, about the same treatment, is added, so the disagreement is shown and cited rather than hidden by
    the word budget. A different limit for the same criterion (Ki-67 < 5 % vs < 10 % for transplantation) is
    looked for further down (`limit_margin`) than a different result (`margin`), and takes the `limit` places
    first: it is what a clinician must see, while two reviews' survival figures often describe different series
    (a vignette on transplantation lost the Ki-67 disagreement to two 5-year OS figures that filled both places)."""
    if not chosen:
        return chosen
    stated: dict[tuple[str, str], list[tuple[str, Quantity, str]]] = {}
    for c in chosen:
        about = topic(c.chunk.section, c.text, lexicon)
        for q in quantities(c.text, lexicon):
            stated.setdefault((q.subject, q.unit), []).append((c.chunk.doc_id, q, quantity_topic(q, about)))
    if not stated:
        return chosen
    best = cands[0].score

    def disagreement(c: Candidate) -> str:
        """"limit", "result" or "" (none)."""
        # Cheapest tests first: most candidates state no number, or none about a quantity the answer states.
        if not _DIGIT.search(c.text):
            return ""
        same = [q for q in quantities(c.text, lexicon) if (q.subject, q.unit) in stated]
        if not same:
            return ""
        about = topic(c.chunk.section, c.text, lexicon)
        kind = ""
        for q in same:
            mine = quantity_topic(q, about)
            for doc, was, other in stated[(q.subject, q.unit)]:
                if doc == c.chunk.doc_id or not at_odds(q, mine, was, other):
                    continue
                if q.limit and was.limit and c.score >= best - limit_margin:
                    return "limit"
                if c.score >= best - margin:
                    kind = "result"
        return kind

    found: list[tuple[bool, Candidate]] = []
    for c in cands:
        if c.score < best - max(margin, limit_margin):
            break
        if c not in chosen and (kind := disagreement(c)):
            found.append((kind != "limit", c))
    extra: list[Candidate] = []
    for _, c in sorted(found, key=lambda kc: kc[0]):        # stable: limits first, each kind best first
        if len(extra) < limit and not any(near_duplicate(c, x) for x in chosen + extra):
            extra.append(c)
    return chosen + extra


# A sentence that introduces a study ("a retrospective study evaluated ...", "Que et al published their findings on
# 74 patients") and a sentence that reports a result (a figure with its unit, not a head count).
_STUDY = re.compile(r"\bet al\b|\bstud(?:y|ies)\b|\btrials?\b|\bseries\b|\banaly[sz]is\b|\breviews?\b", re.IGNORECASE)
_RESULT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|percent|cm|mm|months?|years?|mg|gbq|weeks?|days?)|[<>≤≥]\s*\d",
                     re.IGNORECASE)


Position = tuple[str, int]      # chunk id, sentence index


def _complete(chosen: list[Candidate], cands: list[Candidate], cfg: AnswerSettings,
              neighbour: Callable[[Candidate, Mapping[Position, Candidate]], tuple[Candidate, Position] | None],
              ) -> tuple[list[Candidate], frozenset[Position]]:
    """Each chosen sentence's `neighbour` (a sentence of its chunk it needs, and the position reading_order must
    keep after the other), added if it scores within `part_margin` of the best and fits the part allowance."""
    if not chosen:
        return chosen, frozenset()
    at = {(c.chunk.id, c.index): c for c in cands}
    floor = cands[0].score - cfg.part_margin
    words = sum(len(c.text.split()) for c in chosen)
    out, attached = list(chosen), set()
    for c in chosen:
        found = neighbour(c, at)
        if found is None:
            continue
        extra, position = found
        if (extra not in out and extra.score >= floor
                and words + len(extra.text.split()) <= cfg.max_words + cfg.part_overflow_words):
            out.append(extra)
            attached.add(position)
            words += len(extra.text.split())
    return out, frozenset(attached)


def add_results(chosen: list[Candidate], cands: list[Candidate], question: str,
                cfg: AnswerSettings) -> tuple[list[Candidate], frozenset[Position]]:
    """For a question asking for a quantity, a chosen sentence that introduces a study without a figure is followed
    by the study's results: the first of the next `results_window` sentences of its chunk that states one.
    *Recently, ... pasireotide has been evaluated in an open-label, phase-II study ...* says nothing of the PFS the
    question asks for; the sentence after it does. Returns the sentences and the added ones' positions."""
    if not _QUANTITATIVE.search(question):
        return chosen, frozenset()

    def result(c: Candidate, at: Mapping[Position, Candidate]) -> tuple[Candidate, Position] | None:
        if _RESULT.search(c.text) or not _STUDY.search(c.text):
            return None
        for k in range(1, cfg.results_window + 1):
            nxt = at.get((c.chunk.id, c.index + k))
            if nxt is not None and _RESULT.search(nxt.text):
                return nxt, (nxt.chunk.id, nxt.index)
        return None
    return _complete(chosen, cands, cfg, result)


# A sentence opening like this cannot be read without the one before it: what "it" or "these" names, what
# "therefore" follows from ("Therefore, conservative treatment, that is, "wait and watch," is no longer accepted"
# follows the survival figures that justify it).
_NEEDS_ANTECEDENT = re.compile(r"(?:it|its|they|their|them|this|these|those|such|the latter|the former|therefore|thus|"
                               r"hence|consequently|accordingly)\b", re.IGNORECASE)


def add_antecedents(chosen: list[Candidate], cands: list[Candidate],
                    cfg: AnswerSettings) -> tuple[list[Candidate], frozenset[Position]]:
    """A chosen sentence that leans on the one before it in its chunk (`_NEEDS_ANTECEDENT`) gets that sentence too.
    Returns the sentences and the leaning ones' positions, which reading_order keeps after their antecedent."""
    def antecedent(c: Candidate, at: Mapping[Position, Candidate]) -> tuple[Candidate, Position] | None:
        before = at.get((c.chunk.id, c.index - 1))
        return (before, (c.chunk.id, c.index)) if before is not None and _NEEDS_ANTECEDENT.match(c.text) else None
    return _complete(chosen, cands, cfg, antecedent)


def choose(cands: list[Candidate], question: str, cfg: AnswerSettings, lexicon: Lexicon,
           idf: Mapping[str, float], required: Collection[str] = ()) -> list[Candidate]:
    """The answer's sentences, in reading order: the selection within the budget, a sentence for each part of the
    question it left out, the results of a study it introduces, what a sentence leaning on its predecessor leans
    on, the disagreeing figures. One function, so eval/tune_sentences.py fits exactly this."""
    chosen = cover_parts(select(cands, cfg, required), cands, question, lexicon, cfg, idf)
    chosen, results = add_results(chosen, cands, question, cfg)
    chosen, leaning = (add_antecedents(chosen, cands, cfg) if cfg.antecedents else (chosen, frozenset()))
    margin = cfg.disagree_compared_margin if required else cfg.disagree_margin
    return reading_order(add_disagreeing(chosen, cands, lexicon, margin, cfg.disagree_limit_margin), results | leaning)


# A sentence that opens like this leans on the one before it ("It has ...", "However, ...", "In these cases ...").
_LEANS_BACK = re.compile(r"(?:it|its|they|their|them|this|these|those|that|such|however|thus|therefore|hence|moreover|"
                         r"furthermore|also|in addition|additionally|in (?:this|these|that|such)|the latter|the former|"
                         r"both|here|nevertheless|nonetheless|similarly|likewise|conversely|in contrast|by contrast|"
                         r"otherwise|then|so|and|but|yet)\b", re.IGNORECASE)


def reading_order(chosen: list[Candidate], attached: Collection[Position] = ()) -> list[Candidate]:
    """The answer first: reviews in order of their best sentence, and within a review its passages best first
    (the text's own order buried the answering sentence under a passage's opening: a key fact stood in the first
    30 words of 36 % of main-set answers, against 56 % now; eval metric key_fact_early). A sentence that leans
    on the one before it in its chunk stays right after it, so "It has little interference ..." still follows the
    sentence that names "it"; so does a study's result (`attached`: chunk id and sentence index) after the study."""
    runs: list[list[Candidate]] = []
    for c in sorted(chosen, key=lambda c: (c.chunk.doc_id, c.chunk.start, c.chunk.sentences[c.index].raw_start)):
        last = runs[-1][-1] if runs else None
        if last is not None and last.chunk.id == c.chunk.id and (
                (c.index == last.index + 1 and _LEANS_BACK.match(c.text)) or (c.chunk.id, c.index) in attached):
            runs[-1].append(c)
        else:
            runs.append([c])
    best_of_review: dict[str, float] = {}
    for c in chosen:
        best_of_review[c.chunk.doc_id] = max(best_of_review.get(c.chunk.doc_id, c.score), c.score)
    runs.sort(key=lambda r: (-best_of_review[r[0].chunk.doc_id], r[0].chunk.doc_id, -max(c.score for c in r)))
    return [c for r in runs for c in r]


def cite(c: Candidate, documents: Mapping[str, Document]) -> Citation:
    return cite_sentence(c.chunk, c.index, documents)


def cite_sentence(chunk: Chunk, index: int, documents: Mapping[str, Document]) -> Citation:
    """Sentence (or table row) `index` of `chunk` as a citation; verify_citation decides whether it may be shown."""
    span = chunk.sentences[index]
    doc = documents.get(chunk.doc_id)
    return Citation(chunk.id, chunk.doc_id, doc.short_name if doc else chunk.doc_id, chunk.section, span.start,
                    span.end, chunk.text[span.start:span.end])


def verify_citation(c: Citation, chunks: Mapping[str, Chunk], documents: Mapping[str, Document]) -> bool:
    """The cited text must be the chunk's text at those offsets AND the raw file's text at the sentence's
    raw offset: checked in code for every citation, never taken on trust."""
    chunk = chunks.get(c.chunk_id)
    if chunk is None or chunk.text[c.start:c.end] != c.text:
        return False
    doc = documents.get(c.doc_id)
    span = next((s for s in chunk.sentences if s.start == c.start and s.end == c.end), None)
    if doc is None or span is None or span.raw_start < 0:
        return False
    return doc.raw_text[span.raw_start:span.raw_start + len(c.text)] == c.text


def render(citations: list[Citation]) -> str:
    """Each sentence with its marker; a sentence rejoined across a page break is shown on one line (its citation
    keeps the verbatim text, blank line included)."""
    return " ".join(f"{' '.join(c.text.split())} [{i}]" for i, c in enumerate(citations, start=1))


def abstain(reason: str, hits: tuple[Hit, ...], query: str) -> Answer:
    return Answer(ABSTAIN_TEXT, (), True, reason, (), hits, query)


def compose_answer(question: str, hits: tuple[Hit, ...], scores: SentenceScores,
                   documents: Mapping[str, Document], cfg: AnswerSettings, lexicon: Lexicon,
                   unknown_terms: tuple[str, ...] = (), idf: Mapping[str, float] | None = None,
                   tokens: Mapping[str, ChunkTokens] | None = None, compared: Collection[str] = (),
                   other_disease: str = "") -> Answer:
    """Cited sentences answering the question, or an abstention with the hits kept as related passages.
    `compared`: the reviews the question names, when it names two or more; each is cited. `other_disease`:
    the disease the question is about when it is not a neuroendocrine tumour (coverage.other_disease)."""
    if unknown_terms:
        return abstain(f"the reviews never mention {', '.join(unknown_terms)}", hits, question)
    if other_disease:
        return abstain(f"the question is about {other_disease}; the reviews cover neuroendocrine tumours and their "
                       f"liver metastases", hits, question)
    best_dense = max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)
    if not hits or best_dense < cfg.abstain_min_similarity:
        return abstain(f"no passage is close enough to the question (best similarity {best_dense:.2f} "
                       f"< {cfg.abstain_min_similarity:.2f})", hits, question)
    cands = candidates(question, hits, scores, lexicon, cfg, idf, tokens)
    required = sorted(compared) if len(compared) >= 2 else ()
    chosen = choose(cands, question, cfg, lexicon, idf or {}, required)
    chunks = {h.chunk.id: h.chunk for h in hits}
    citations = [c for c in (cite(x, documents) for x in chosen) if verify_citation(c, chunks, documents)]
    dropped = len(chosen) - len(citations)
    if dropped:
        logger.warning("dropped %d citation(s) that failed verbatim verification", dropped)
    if not citations:
        return abstain("no retrieved sentence answers the question", hits, question)
    conflicts = find_conflicts(citations, lexicon)
    return Answer(render(citations), tuple(citations), False, "", conflicts, hits, question, dropped)


def table_answer(terms: Sequence[str], rows: Sequence[tuple[Chunk, int]], documents: Mapping[str, Document],
                 hits: tuple[Hit, ...], question: str) -> Answer | None:
    """For a question about something the reviews' text never discusses but one of their tables lists (a trial in
    Dermine's table of ongoing trials, an author of a series in an outcomes table): the rows naming it, each cited
    verbatim, under a sentence saying that a table is all there is. Prose passages about something else are not
    an answer to it (*Is DEBOXA effective?* had been answered with pasireotide's symptom control)."""
    chunks = {c.id: c for c, _ in rows}
    citations = []
    for c, i in rows:
        cit = cite_sentence(c, i, documents)
        if verify_citation(cit, chunks, documents) and cit not in citations:
            citations.append(cit)
    if not citations:
        return None
    named = list(dict.fromkeys(terms))
    tables = "; ".join(dict.fromkeys(f"{c.document}, {c.section.split(' > ')[-1].rstrip('.')}" for c in citations))
    rows_name = "a table row names" if len(citations) == 1 else "table rows name"
    them = "them" if len(named) > 1 else "it"
    lead = (f"The reviews' text does not discuss {' and '.join(named)}; only {rows_name} {them} ({tables}), "
            "quoted as delivered:")
    return Answer(f"{lead} {render(citations)}", tuple(citations), False, "", (), hits, question)


def with_conflict_note(answer: Answer) -> Answer:
    """Say plainly when the cited reviews disagree, naming both values and sources. Different limits for
    one criterion are a disagreement; different reported results may describe different studies or
    patients, and the note says so rather than claim the reviews contradict each other."""
    if not answer.conflicts:
        return answer
    def values(cs: list) -> str:
        return "; ".join(f"{c.topic}: {' vs '.join(c.values)}" for c in cs)
    limits = [c for c in answer.conflicts if c.thresholds]
    results = [c for c in answer.conflicts if not c.thresholds]
    notes = []
    if limits:
        notes.append(f"Note — the reviews disagree on {values(limits)}.")
    if results:
        notes.append(f"Note — the cited reviews report different figures for {values(results)}; they may describe "
                     "different studies or patient groups: compare the passages.")
    return replace(answer, text=answer.text + "\n\n" + "\n\n".join(notes))
