"""Follow-up questions rewritten into standalone ones, using the conversation so far. Rule-based: the
rewritten question is returned so the user sees exactly what was searched.

The kinds of follow-up, tried in this order:
  a changed value      "What if Ki-67 were 12%?"            the previous question with the number (or, for "what
                       "What if she were 50?"               if she were 50?", the age) replaced
  a changed fact       "What if it were G3?"                the vignette with the rules' reading of the fact (grade,
                       "What if she had bone mets?"         differentiation, site, EHD, ...) in place of its own
  a changed treatment  "And for TACE?", "How about MWA?"    the previous question with the treatment replaced
                       (another group, or another name in the same one; a drug the lexicon does not know
                       replaces the systemic drug asked about)
  a changed trial      "And CLARINET at 24 months?"         the previous question with the trial replaced, plus
                                                            what the fragment adds
  a changed outcome    "What about PFS?"                    the previous question with OS (PFS, response, ...) replaced
  a changed name       "And OCCLURANDOM?"                   the previous question with the one name of that kind
                                                            the lexicon does not know (a trial, a drug) replaced
  a changed body       "And the UNOS ones?"                 the previous question with whose criteria (guidelines,
                                                            checklist) replaced: "UNOS criteria for transplant?"
  a comparison         "Compared with TACE?"                the previous question, set against the new treatment
  a choice             "Which has fewer side effects?"      the treatments of the last question (or two) in front:
                                                            "TACE or TARE: which has fewer side effects?"
  a full question      "How was it dosed?"                  the question itself, its pronoun replaced by what the
                       "What are the side effects?"         previous question was about (NETTER-1), or that
                                                            topic put in front when the question names none
  another aspect       "the Ki-67 limit?", "Complications?" the subject the previous question opened with, or its
                                                            topic, and the aspect
  a fragment           "And per Cloyd?"                     the previous question with the fragment appended
A question about a patient keeps the patient: every follow-up to a vignette carries the vignette along. A treatment
the previous question names as a circumstance ("after resection") or as the patient's history ("primary resected") is
swapped last, and only by a fragment naming a circumstance of the same kind ("And after ablation?").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .coverage import drug_like
from .lexicon import STOPWORDS, TREATMENT_GROUPS, Lexicon
from .rules import PatientFacts, TextSpan, patient_facts, stated_values
from .rules.context import is_negated
from .rules.facts import DERIVED

TREATMENTS = TREATMENT_GROUPS
# What "it" can stand for: a treatment or a trial (the lexicon knows three trials by name; codes like RADIANT-4,
# CALGB 80701 or E2211 are found by their shape).
TOPICS = TREATMENTS | {"netter", "clarinet", "promid"}
# What a result is measured in: "What about PFS?" after a question on OS asks the same of PFS.
OUTCOMES = frozenset({"os", "pfs", "response", "recurrence"})
SYSTEMIC_DRUGS = frozenset({"ssa", "everolimus", "sunitinib", "chemotherapy", "prrt"})
_TRIAL_CODE = re.compile(r"\b(?:[A-Z]{3,}[A-Z0-9]*(?:-\d+[A-Z]?|\s(?!(?:19|20)\d\d\b)\d{3,})|E\d{4})\b")
# A verb or adjective form ("resect", "cytoreductive") cannot stand in for a pronoun; the group's noun can.
_NOUN = {"embolization": "embolization", "radioembolization": "radioembolization", "prrt": "PRRT",
         "ssa": "somatostatin analogues", "transplant": "liver transplantation", "ablation": "ablation",
         "resection": "resection", "debulking": "debulking", "chemotherapy": "chemotherapy",
         "everolimus": "everolimus", "sunitinib": "sunitinib"}
_NOUN_ENDING = re.compile(r"(?:tion|tomy|ing|apy|ment|ization|isation|mus|nib)$|^[A-Z0-9-]+$")

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|what about|how about|what if|and if|and for|same for|same question for|also|but|"
    r"or|then|in that case|if so|would that|would it|is it|is that|is this|does it|does that|does this|what of|and with|"
    r"compared (?:with|to)|vs\.?|versus|better than|worse than)\b",
    re.IGNORECASE)
# A fragment setting the previous topic against another: "Compared with TACE?" after a question on Y-90.
_COMPARISON = re.compile(r"^(?:compared (?:with|to)|vs\.?|versus|better than|worse than)\b", re.IGNORECASE)
# An aspect of a treatment or trial asked about without naming it: "What are the side effects?", "the dose?",
# "Complications?". Short questions only: "What is the survival of G3 NEC?" has a subject of its own.
_ASPECT = re.compile(r"\b(?:side[- ]effects?|adverse (?:events?|effects?)|toxicit(?:y|ies)|dos(?:e|es|ing)|risks?|"
                     r"complications?|morbidity|mortality|outcomes?|results?|survival|response rates?|"
                     r"contraindications?|indications?|follow-up|OS|PFS|DFS|RFS|TTP|ORR|DCR|HR|overall survival|"
                     r"hazard ratio|recurrence(?: rate)?|RCTs?|randomi[sz]ed trials?|trials?|studies|evidence|data|"
                     r"guidelines?|consensus)\b", re.IGNORECASE)
# The cues that are not part of the question itself ("is it", "what if" are).
_CUE = re.compile(r"^\s*(?:and|what about|how about|and for|same for|same question for|also|but|or|then|"
                  r"in that case|if so|what of|and with)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|this|that|these|those|they|them|such patients?|this patient|she|he)\b",
                      re.IGNORECASE)
# Pronouns that stand for a treatment or trial; "it" before "to ..."/"that ..." is the dummy subject
# ("is it safe to resect ...") and stands for nothing.
_REFERRING = re.compile(r"\b(its|it|they|them|their)\b(?!\s+(?:\w+\s+){0,2}(?:to|that)\b)", re.IGNORECASE)
# Definite references to something named before: "the control arm", "the two techniques", "were enrolled".
_ANAPHOR = re.compile(r"\b(?:the (?:control|placebo|comparator|treatment) arm|the hazard ratio|the two \w+|"
                      r"the (?:trial|study|drug|regimen|procedure|technique)|(?:were|was) enrolled)\b",
                      re.IGNORECASE)
_QUESTION_WORD = re.compile(r"^(?:how|what|which|why|when|where|who|whom|whose|is|are|was|were|does|do|did|"
                            r"can|could|should|would|will|has|have|had)\b", re.IGNORECASE)
_NUMBER_AFTER = r"(\s*(?:of|=|:|is|was|were|at)?\s*[<>≤≥~]?\s*)\d+(?:[.,]\d+)?\s*%?"
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*%")


@dataclass(frozen=True, slots=True)
class Mention:
    """A treatment or trial named in a question: where, as written, and the group it belongs to."""

    start: int
    end: int
    text: str
    key: str

    @property
    def noun(self) -> str:
        """How to name it in place of a pronoun."""
        if self.key in _NOUN and not _NOUN_ENDING.search(self.text):
            return _NOUN[self.key]
        return self.text.lower() if self.text[:1].isupper() and self.text[1:].islower() else self.text


def topic_mentions(text: str, lexicon: Lexicon, groups: frozenset[str] = TOPICS) -> list[Mention]:
    """Treatments and trials (or the synonym `groups` given) named in `text`, in order of appearance."""
    found = ([Mention(m.start(), m.end(), m.group(), m.group().upper()) for m in _TRIAL_CODE.finditer(text)]
             if groups is TOPICS else [])
    taken = [(m.start, m.end) for m in found]
    for start, end, group in lexicon.mentions(text):      # offsets into the text as written
        if group not in groups or any(s < end and start < e for s, e in taken):
            continue
        found.append(Mention(start, end, text[start:end], group))
        taken.append((start, end))
    return sorted(found, key=lambda m: m.start)


def asks_aspect(question: str) -> bool:
    """"What are the side effects?", "Complications?": an aspect, with "the" or alone, in a short question."""
    words = question.split()
    if len(words) > 6 or not _ASPECT.search(question):
        return False
    return len(words) <= 3 or bool(re.search(r"\bthe\s+(?:[\w-]+\s+)?" + _ASPECT.pattern, question, re.IGNORECASE))


# "Thanks", "ok": nothing asked. Appended to the previous question they had brought its answer back again.
_ACKNOWLEDGEMENT = re.compile(r"^\s*(?:(?:thanks?|thank you|ok(?:ay)?|great|cheers|got it|fine|perfect|good|cool|"
                              r"understood|noted|nice)[\s,.!]*)+(?:very much|a lot)?[\s.!]*$", re.IGNORECASE)


_LEADING_ACKNOWLEDGEMENT = re.compile(r"^(?:(?:ok(?:ay)?|thanks?|thank you|great|cheers|got it)[\s,.!;:]+)+(?:so,?\s+)?(?=\w)",
                                      re.IGNORECASE)


# "Which has fewer side effects?", "Which one is better?": a choice between things named before, not a question of
# its own (one naming what it compares, "Which is better, TACE or TARE?", is).
_WHICH = re.compile(r"^which(?:\s+(?:one|option|treatment|therapy|approach|technique|procedure|modality)|"
                    r"\s+of\s+(?:them|these|those|the two|both))?\s+(?:is|are|has|have|gives?|works?|offers?|"
                    r"carries|causes?|leads?|should|would|does|do|to)\b", re.IGNORECASE)


def is_follow_up(question: str, lexicon: Lexicon) -> bool:
    words = question.split()
    if _ACKNOWLEDGEMENT.match(question):
        return False
    if _FOLLOW_UP_START.match(question):
        return True
    if _WHICH.match(question.strip()) and not topic_mentions(question, lexicon):
        return True
    if not topic_mentions(question, lexicon) and (_REFERRING.search(question) or _ANAPHOR.search(question)
                                                  or asks_aspect(question)):
        return True
    return len(words) <= 6 and (bool(_PRONOUN.search(question)) or not lexicon.concepts(question))


def _replace_number(previous: str, at: int, end: int, value: str) -> str:
    return previous[:at] + value + previous[end:]


def substitute_value(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"What if Ki-67 were 12 %?", "what if only 30% of the liver were involved?": the previous question with
    that value replaced. A number is matched by the concept before it (Ki-67 12 %) or after it (60 % liver
    involvement), or, for a percentage, by the words after it (30% of the liver); an age by the patient ("What if
    she were 50?")."""
    # Offsets are into the texts as written: a British spelling before the value ("tumour", "oesophageal") had
    # shifted them, and the value was appended instead of replaced, so the rules read the old one.
    for _, f_end, group in lexicon.mentions(follow_up):
        num = re.search(r"\d+(?:[.,]\d+)?\s*%?", follow_up[f_end:])
        if not num:
            continue
        for start, end, g in lexicon.mentions(previous):
            if g != group:
                continue
            tail = re.match(_NUMBER_AFTER, previous[end:])
            if tail:
                return _replace_number(previous, end + len(tail.group(1)), end + tail.end(), num.group(0).strip())
            # "60 % liver involvement": the number stands before the concept's words.
            head = re.search(r"(\d+(?:[.,]\d+)?)(\s*%)?\s*(?:of\s+(?:the\s+)?)?$", previous[:start])
            if head:
                new = num.group(0).strip()
                return previous[:head.start(1)] + new + previous[head.end(2) if head.group(2) and new.endswith("%")
                                                                 else head.end(1):]
    for num in _PERCENT.finditer(follow_up):
        after = _content_words(follow_up[num.end():], 4)
        for old in _PERCENT.finditer(previous):
            if after & _content_words(previous[old.end():], 4):
                return _replace_number(previous, old.start(1), old.end(1), num.group(1))
    return substitute_case_value(previous, follow_up)


_AGE_CHANGE = re.compile(
    r"\b(?:(?:she|he|they|the patient|patient)\s+(?:were|was|is|are)\s+(?:only\s+)?|aged\s+|age\s+)(?P<v>\d{1,3})\b"
    r"(?!\s*(?:%|cm|mm|months?|mo\b|weeks?|mg|µ))|\b(?P<w>\d{1,3})\s*[-‐]?\s*(?:years?|yrs?|y)\s*[-‐]?\s*old\b",
    re.IGNORECASE)


_SIZE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s*[–-]\s*\d+(?:[.,]\d+)?)?\s*(?:cm|mm)\b", re.IGNORECASE)


def substitute_case_value(previous: str, follow_up: str) -> str | None:
    """"What if she were 50?" after a vignette: the vignette with the age the rules read in it replaced;
    "what if the lesions were 4 cm?": the same for the lesion size."""
    facts = patient_facts(previous).facts
    m = _AGE_CHANGE.search(follow_up)
    if m and facts.age is not None and facts.age.span is not None:
        digits = re.search(r"\d+", facts.age.span.text)
        if digits:
            at = facts.age.span.start + digits.start()
            return previous[:at] + (m.group("v") or m.group("w")) + previous[at + len(digits.group(0)):]
    size = _SIZE.search(follow_up)
    if size and facts.lesion_size_cm is not None and facts.lesion_size_cm.span is not None:
        old = _SIZE.search(facts.lesion_size_cm.span.text)
        if old:
            at = facts.lesion_size_cm.span.start + old.start()
            return previous[:at] + size.group(0) + previous[at + len(old.group(0)):]
    return None


def fact_spans(facts: PatientFacts) -> list[TextSpan]:
    """Where the vignette states each fact the rules read in it."""
    return [f.span for f in (facts.get(n) for n in facts.present()) if f is not None and f.span is not None]


# What makes a stated fact false: "no EHD", "without bone mets".
_NEGATION_BEFORE = re.compile(r"\b(?:no|without|absence of|absent|not|never|free of)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


_HYPOTHESIS_WORDS = frozenset("what if and it were was is are she he they the patient had has have there a an with "
                              "instead of now but or only still also then".split())


def substitute_case_facts(previous: str, follow_up: str) -> str | None:
    """"What if it were G3?", "what if it were a NEC?", "what if she had bone mets?" after a vignette: the vignette
    with those facts in place of its own (a fact it does not state goes in after its last one). Appended instead,
    the hypothesis was read as hedged and left out, and the rules judged the old patient: G2 for a question on G3."""
    old = patient_facts(previous).facts
    new = stated_values(follow_up)
    spans = fact_spans(old)
    if not new or not spans:
        return None
    rest = follow_up
    for fact in new.values():
        if fact.span is not None:
            rest = rest.replace(fact.span.text, " ")
    if set(re.findall(r"[a-z][\w-]*", rest.lower())) - _HYPOTHESIS_WORDS:
        return None      # "What if she had bone mets — would PRRT work?" asks more than a changed fact
    if (new.get("differentiation") is not None and new["differentiation"].value == "poor" and "grade" not in new
            and old.grade is not None and old.grade.value != "G3"):
        new["grade"] = new["differentiation"]     # a NEC is G3: "G2" would stay, against "NEC"
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    for name, fact in new.items():
        was = old.get(name)
        if fact.span is None or (was is not None and was.value == fact.value):
            continue
        if was is None or was.span is None or (was.note or "").startswith(DERIVED):
            added.append(fact.span.text)
            continue
        start, end = was.span.start, was.span.end
        if fact.span.text.lower().endswith("net") and (noun := re.match(r"\s+NETs?\b", previous[end:])):
            end += noun.end()                     # "ileal NET" -> "pNET", not "pNET NET"
        if is_negated(previous, start, end):
            negation = _NEGATION_BEFORE.search(previous[:start])
            if negation is None:
                return None      # "PVT excluded": the cue stands after the fact, where a swap would leave it
            start = negation.start()              # "no EHD" -> "bone mets", not "no bone mets"
        edits.append((start, end, fact.span.text))
    edits = sorted(set(edits), reverse=True)
    if any(a[0] < b[1] for a, b in zip(edits, edits[1:])):
        return None                               # two facts in one stretch: not a swap this can make
    out = previous
    for start, end, text in edits:
        out = out[:start] + text + out[end:]
    added = [t for t in added if t not in {text for _, _, text in edits}]     # "NEC" as the grade already
    if added:
        last = max(s.end for s in spans)
        shift = sum(len(t) - (e - s) for s, e, t in edits if s < last)
        at = last + shift
        out = out[:at] + ", " + ", ".join(dict.fromkeys(added)) + out[at:]
    return out if out != previous else None


def _content_words(text: str, n: int) -> set[str]:
    words = re.findall(r"[a-z][a-z-]+", text.lower())[:n]
    return {w for w in words if w not in STOPWORDS}


# A treatment named as the circumstance of a question ("octreotide ... before embolization", "recurrence after
# resection"), not as what it asks about.
_CIRCUMSTANCE = re.compile(r"\b(?P<word>after|before|following|post|prior to|during|since)\s+"
                           r"(?:(?:a|an|the|prior|previous|recent|any)\s+)?$", re.IGNORECASE)


def circumstance(text: str, m: Mention) -> str:
    """The preposition making mention `m` a circumstance of `text` ("after" in "recurrence after resection"), or ""."""
    c = _CIRCUMSTANCE.search(text[:m.start])
    return c.group("word").lower() if c else ""


def asked_first(previous: str, mentions: list[Mention]) -> list[Mention]:
    """The treatments of `previous` in the order a fragment naming another one replaces them: those it asks about,
    then those it states as the patient's facts ("primary resected") or as a circumstance ("after resection").
    "And debulking?" after "..., primary resected: transplant?" had asked about a "primary debulking", and the
    rules lost the primary's resection."""
    facts = patient_facts(previous).facts
    spans = fact_spans(facts)

    def stated(m: Mention) -> bool:
        return any(s.start < m.end and m.start < s.end for s in spans) or bool(circumstance(previous, m))
    return [m for m in mentions if not stated(m)] + [m for m in mentions if stated(m)]


def substitute_treatment(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"And for TACE?" after a question on transplant: the same question about TACE. Only for a fragment naming
    one treatment: "And how does Y-90 compare with TACE?" is a question of its own. A treatment the fragment names
    as a circumstance ("And before embolization?") replaces only a circumstance of the same kind ("after
    resection" -> "after ablation"); otherwise the fragment is no swap, and is put to the previous question."""
    body = _strip_cue(follow_up)
    new = [c for c in lexicon.concepts(follow_up) if c in TREATMENTS]
    if not new and drug_like(body) and re.fullmatch(r"[A-Za-z][A-Za-z-]+", body):
        # "And surufatinib?" after a question on sunitinib: a drug the lexicon does not know takes the place of the
        # drug asked about (and abstention then names it), rather than being appended to a question on sunitinib.
        old = next((m for m in topic_mentions(previous, lexicon) if m.key in SYSTEMIC_DRUGS), None)
        if old is not None:
            name = body[:1].upper() + body[1:] if old.start == 0 else body
            return previous[:old.start] + name + previous[old.end:]
    if len(new) != 1 or _QUESTION_WORD.match(body) or _COMPARISON.match(body):
        return None
    surface = next((m for m in topic_mentions(follow_up, lexicon) if m.key == new[0]), None)
    before = asked_first(previous, topic_mentions(previous, lexicon))
    if surface and any(m.text.lower() == surface.text.lower() for m in before):
        return None          # "And TACE?" after a question naming TACE changes nothing to swap
    if surface and (word := circumstance(follow_up, surface)):
        before = [m for m in before if circumstance(previous, m) == word]
        if not before:
            return None      # nor the unknown drug below: "octreotide" is what is asked about, not swapped
    for m in before:
        # Another group, or another name within one ("How about MWA?" after RFA, "And TAE?" after TACE).
        if m.key in TREATMENTS and (m.key != new[0] or surface is not None):
            # "TAE/TACE/TARE": the whole list is what is being asked about.
            end = m.end + len(re.match(r"(?:/[\w-]+)*", previous[m.end:]).group(0))
            replacement = surface.text if surface else new[0]
            if surface and surface.start > 0 and re.search(r"\b(?:surgical|percutaneous|bland|lobar)\s*$",
                                                            follow_up[:surface.start]):
                replacement = follow_up[:surface.start].split()[-1] + " " + replacement
            if m.start == 0:
                replacement = replacement[:1].upper() + replacement[1:]
            out = previous[:m.start] + replacement + previous[end:]
            # "And for TACE in pNET?": what the fragment adds after the treatment is kept, as for a trial.
            rest = follow_up[surface.end:].strip(" ,;?") if surface else ""
            return f"{out.rstrip(' ?')} — {rest}?" if _content_words(rest, 8) else out
    # "Is cabozantinib effective?" (a drug the lexicon does not know, perhaps not the corpus either) then
    # "And everolimus?": the drug is what changes.
    if surface and not any(m.key in TREATMENTS for m in before):
        drug = next((w for w in re.finditer(r"[A-Za-z][A-Za-z-]+", previous) if drug_like(w.group(0))), None)
        if drug is not None:
            return previous[:drug.start()] + surface.text + previous[drug.end():]
    return None


def substitute_outcome(previous: str, follow_up: str, lexicon: Lexicon, besides: frozenset[str] = frozenset()
                       ) -> str | None:
    """"What about PFS?" after "What is the 5-year OS after hepatectomy?": the same question about PFS. Only for a
    fragment naming one outcome and nothing else the lexicon knows (but the `besides` groups)."""
    body = _strip_cue(follow_up)
    if _QUESTION_WORD.match(body) or re.search(r"\d", body):
        return None
    named = set(lexicon.concepts(body)) - besides
    new = topic_mentions(body, lexicon, OUTCOMES)
    if len(new) != 1 or named != {new[0].key}:
        return None
    old = next((m for m in topic_mentions(previous, lexicon, OUTCOMES) if m.key != new[0].key), None)
    if old is None:
        return None
    return previous[:old.start] + new[0].text + previous[old.end:]


def substitute_trial(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"And CLARINET at 24 months?" after a question on PROMID: the previous question about CLARINET, with what
    the fragment adds. Appending the fragment instead kept PROMID in the search, and its passages won."""
    body = _strip_cue(follow_up)
    if _QUESTION_WORD.match(body):
        return None
    mentions = topic_mentions(body, lexicon)
    if len(mentions) != 1 or mentions[0].key in TREATMENTS:
        return None
    new = mentions[0]
    old = next((m for m in topic_mentions(previous, lexicon) if m.key not in TREATMENTS and m.key != new.key), None)
    if old is None:
        return None
    before, after = body[:new.start].strip(" ,;"), body[new.end:].strip(" ,;?")
    if re.fullmatch(r"(?:in|for|of|from|with|about)?", before, re.IGNORECASE):
        before = ""
    rest = " ".join(x for x in (before, after) if x)
    out = previous[:old.start] + new.text + previous[old.end:]
    return f"{out.rstrip(' ?')} — {rest}?" if rest else out


_KINDS = r"criteria|guidelines?|classification|consensus|recommendations?|score|staging|system|checklist"
_KIND = rf"(?:{_KINDS})"
_QUALIFIED = re.compile(r"\b(?P<name>[A-Z][A-Za-z0-9-]*(?:'s)?)\s+" + _KIND + r"\b")


def substitute_qualifier(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"And the UNOS ones?", "And ENETS?" after "Milan criteria for transplant?": the same question about the other
    body's criteria. Appended instead, the fragment had left Milan in the search, and Milan's passages won."""
    body = _strip_cue(follow_up)
    m = re.fullmatch(r"(?:the\s+)?(?P<name>[A-Z][A-Za-z0-9-]*(?:'s)?)(?:\s+(?:ones?|" + _KINDS + r"))?", body)
    old = _QUALIFIED.search(previous)
    if not m or not old or m.group("name").lower() == old.group("name").lower():
        return None
    if topic_mentions(m.group("name"), lexicon):
        return None          # "And NETTER-1?", "And TACE?": a trial or a treatment, not whose criteria
    return previous[:old.start("name")] + m.group("name") + previous[old.end("name"):]


# A name the lexicon does not know: a drug by its INN stem ("surufatinib") or a trial, registry or society in
# capitals ("OCCLURANDOM", "CABINET", "NANETS"); four letters at least, so "NET" or "LAR" is not one.
_CAPITALS = re.compile(r"[A-Z][A-Z0-9]{3,}(?:-[A-Z0-9]+)*")
_TRIAL_GROUPS = TOPICS - TREATMENTS       # a trial the lexicon knows (CLARINET) is a name like any other here


def names(text: str, lexicon: Lexicon) -> list[re.Match[str]]:
    """The names in `text` that the lexicon does not read as a treatment or another concept."""
    spans = [(a, b) for a, b, group in lexicon.mentions(text) if group not in _TRIAL_GROUPS]
    return [w for w in re.finditer(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", text)
            if (drug_like(w.group(0)) or _CAPITALS.fullmatch(w.group(0)))
            and not any(a < w.end() and w.start() < b for a, b in spans)]


def substitute_name(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"And OCCLURANDOM?" after "What is the COMPETE trial?", "And nivolumab?" after a question on pembrolizumab: the
    previous question about the new name, when the fragment is that one name and the previous question holds exactly
    one name of the same kind (a drug for a drug, a name in capitals for one). Appended instead, the fragment had
    left the old name in the search and in the answer."""
    body = _strip_cue(follow_up)
    m = re.fullmatch(r"(?:the\s+)?(?P<name>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?:\s+(?:trial|study|registry))?",
                     body, re.IGNORECASE)
    if not m or [w.group(0) for w in names(m.group("name"), lexicon)] != [m.group("name")]:
        return None
    new = m.group("name")
    trial = bool(topic_mentions(new, lexicon))
    olds = [w for w in names(previous, lexicon)
            if drug_like(w.group(0)) == drug_like(new) and w.group(0).lower() != new.lower()
            # "ENETS guidelines" is whose guidelines: a trial cannot take that place
            and not (trial and re.match(r"\s+" + _KIND + r"\b", previous[w.end():]))]
    if len(olds) != 1:
        return None
    return previous[:olds[0].start()] + new + previous[olds[0].end():]


def topic_name(text: str, topic: Mention) -> str:
    """The topic as a heading: "TAE/TACE" when the question names a list."""
    more = re.match(r"(?:/[\w-]+)*", text[topic.end:]).group(0)
    return topic.noun + more if topic.noun == topic.text else topic.noun


# A question that opens with its subject: "Milan criteria for transplanting NELM: what are ...?", "Contraindications to
# TAE/TACE — what's ...?". A review it is attributed to is not part of the subject.
_HEADING = re.compile(r"^(?P<head>[^:?;—–]{3,120}?)\s*(?::|\s[—–-]\s)")
_ATTRIBUTION = re.compile(r"\s*(?:\([^)]*\)|,?\s*\b(?:per|according to|as in)\b.*$)", re.IGNORECASE)


def subject(text: str, topic: Mention) -> str:
    """What the previous question is about, to put in front of another aspect of it: its opening phrase when that
    names the topic ("Milan criteria for transplanting NELM"), else the topic's name ("TAE/TACE"). The topic alone
    had made "What about the Ki-67 limit?" after a question on the Milan criteria "transplanting: the Ki-67 limit?",
    which no longer asks about transplant criteria in NELM."""
    m = _HEADING.match(text)
    if m and topic.end <= m.end("head"):
        head = _ATTRIBUTION.sub("", m.group("head")).strip(" ,")
        if head and topic.end <= len(head):
            return head
    return topic_name(text, topic)


def resolve_pronouns(text: str, topic: Mention) -> tuple[str, bool]:
    """`text` with its referring pronouns replaced by the topic's name; whether any was."""
    def name(m: re.Match[str]) -> str:
        return f"{topic.noun}'s" if m.group(1).lower() in ("its", "their") else topic.noun
    out, n = _REFERRING.subn(name, text)
    return out, n > 0


def compared(history: Sequence[str], lexicon: Lexicon) -> list[str]:
    """The treatments "Which has fewer side effects?" chooses between: those the previous question names, or, when it
    names one, that one and the one asked about the turn before ("side effects of TACE?", "And TARE?"). Answered
    about the last one alone, the choice had been lost."""
    def named(texts: Sequence[str]) -> list[str]:
        options: dict[str, str] = {}
        for text in texts:
            for m in topic_mentions(text, lexicon, TREATMENTS):
                options.setdefault(m.key, topic_name(text, m))
        return list(options.values())
    last = named(history[-1:])
    return last if len(last) >= 2 else named(history[-2:])


def _strip_cue(question: str) -> str:
    """"And what about histotripsy?" -> "histotripsy": every leading follow-up cue goes."""
    body = question.strip(" ,?")
    while (stripped := _CUE.sub("", body, count=1).strip(" ,?")) != body:
        body = stripped
    return body


def _lower_first(text: str) -> str:
    """"Side effects" after a colon; an acronym ("PFS", "OS") keeps its capitals."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "?"


def condense(question: str, history: Sequence[str], lexicon: Lexicon) -> str:
    """The standalone form of `question`, given the previous standalone questions (oldest first)."""
    question = question.strip()
    if history and not _ACKNOWLEDGEMENT.match(question):
        # "OK, and for TACE?": the acknowledgement in front is not part of the question.
        question = _LEADING_ACKNOWLEDGEMENT.sub("", question) or question
    if not history or not is_follow_up(question, lexicon):
        return question
    previous = history[-1]
    for rewrite in (substitute_value, substitute_treatment, substitute_trial, substitute_qualifier,
                    substitute_outcome, substitute_name):
        out = rewrite(previous, question, lexicon)
        if rewrite is substitute_value and patient_facts(previous).facts.is_case():
            # "What if it were G3?", "What if it were G3 and Ki-67 30%?": facts change as well as numbers.
            out = substitute_case_facts(out or previous, question) or out
        if out and rewrite is substitute_treatment:
            # "What about PFS after TACE?" after an OS question on hepatectomy: both change.
            return substitute_outcome(out, question, lexicon, besides=TREATMENTS) or out
        if out:
            return out
    body = _strip_cue(question)
    if not body:
        return previous
    topics, own = topic_mentions(previous, lexicon), topic_mentions(body, lexicon)
    if _WHICH.match(body) and not own and len(options := compared(history, lexicon)) >= 2:
        choice = f"{', '.join(options[:-1])} or {options[-1]}: {_lower_first(body)}?"
        return f"{previous.rstrip(' ?')} — {choice}" if patient_facts(previous).facts.is_case() else choice
    resolved = False
    if re.match(r"what if\b", body, re.IGNORECASE) and not (len(own) >= 2 or _COMPARISON.search(body)):
        # A changed circumstance of the previous question ("What if the EHD is resectable?" after one on
        # hepatectomy with EHD; "What if it were only 40%?" after a case, whichever value that is): the
        # question it changes stays, and the follow-up is put to it as written.
        return f"{previous.rstrip(' ?')} — {body}?"
    if topics and not own:       # "And does TACE work, and is it safe?": "it" is TACE, not the old topic
        body, resolved = resolve_pronouns(body, topics[0])
    elif topics and own and all(o.text.lower() != topics[0].text.lower() for o in own):
        # ... but in "Is it better than TAE?" after a question on TACE, "it" comes before TAE: it is TACE.
        head, resolved = resolve_pronouns(body[:own[0].start], topics[0])
        body = head + body[own[0].start:]
    if topics and _COMPARISON.match(body):
        # "How is Y-90 delivered — compared with TACE?": the previous question, set against the new treatment.
        return f"{previous.rstrip(' ?')} — {_lower_first(body)}?"
    if patient_facts(previous).facts.is_case():      # a patient: keep every fact of the vignette
        return f"{previous.rstrip(' ?')} — {body}?"
    if len(own) >= 2 or (own and re.search(r"\b(?:vs\.?|versus|compared)\b", body, re.IGNORECASE)):
        return _sentence(body)          # "CAPTEM versus temozolomide alone?" names its own subject
    if resolved or _QUESTION_WORD.match(body):
        if topics and not resolved and not own:
            return f"{topic_name(previous, topics[0])}: {_sentence(body)}"
        return _sentence(body)
    if topics and not own and (re.match(r"the\s", body, re.IGNORECASE) or asks_aspect(body)):
        # "the contraindications, per Gangi" after a question on TAE/TACE: another aspect of TAE/TACE, not the
        # rest of that question (which may name another review). "for TACE", "per Cloyd" change one part of
        # the previous question and keep the rest.
        return f"{subject(previous, topics[0])}: {_lower_first(body)}?"
    return f"{previous.rstrip(' ?')} — {body}?"
