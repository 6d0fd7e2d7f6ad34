"""Cross-check of an answer against the encoded criteria. A threshold stated next to a criterion's subject
("transplant ... up to 70 years") is `consistent` if some source's version uses that number and `contradicts` if
none does; a stance on an option ("transplant is not recommended") is compared with this patient's verdict.
Sentences that report a study's results are not read as criteria (they quote cohorts, not thresholds)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .criteria import CRITERIA, Criterion, Source, leaves
from .engine import CAUTION, CONTRAINDICATED, ELIGIBLE, OptionVerdict

_N = r"(?<![\d.])\d++(?:\.\d++)?+"
_TRANSPLANT = r"\b(?:liver\s+transplant\w*|transplant\w*|LT|OLT|Milan)\b"
_ARTERIAL = (r"\b(?:TAE|TACE|TARE|SIRT|(?:chemo|radio)?emboli[sz]ation|intra-?arterial|trans-?arterial|"
             r"angiographic)\b")
_ABLATION = r"\b(?:RFA|MWA|radiofrequency|microwave|ablat\w*|cryo\w*)\b"
_KI67 = (rf"\bki[\s-]?67%?\s*(?:index\s*)?(?:of\s*|was\s*|,\s*|(?:must|should|has\s+to|to)\s+be\s+)?(?:[<>≤≥]|"
         rf"less\s+than|below|under|up\s+to|above|over|more\s+than|exceeding|well\s+in\s+excess\s+of)?\s*(?P<v>{_N})")
# Words of a sentence that reports what a study found: its numbers describe a cohort, not a criterion.
_REPORTING = re.compile(r"\b(?:study|studies|trial|cohort|series|reported|evaluat\w*|enrolled|randomi[sz]ed|median|"
                        r"mean|found|showed|noted|analy[sz]ed|analysis|included|survival|OS|DFS|PFS|rates?|response)\b|"
                        r"\(\d+(?:\.\d+)?%\)", re.I)
# A sentence ends at . ! ? (after any citation marks: "patients.^{26,27} Eligibility") before a capital.
_SENTENCE_END = re.compile(r"[.!?](?:\^?\{[^}]{0,30}\}|\^?\[[^\]]{0,30}\]|[⁰¹²³⁴⁵⁶⁷⁸⁹,–-]+)?"
                           r"\s+(?=[A-Z(\[])")
# A reference-list entry ("28. Elias, D.; ... 2009, 35, 1092-1097. [Google Scholar]") is not a statement.
_REFERENCE = re.compile(r"^\s*(?:-\s*)?\d{1,3}\.\s+\S+,?\s|\[(?:PubMed|Google Scholar|CrossRef)|\bdoi:", re.I)


@dataclass(frozen=True, slots=True)
class ClaimTopic:
    topic: str                 # criteria topic whose thresholds are the versions compared against
    field: str                 # the criteria field those thresholds are on
    subject: str               # must occur in the sentence
    value: str                 # numbers (named groups v, v2)
    extra: tuple[tuple[float, str], ...] = ()   # other numbers the corpus states for this subject: (value, criterion)


TOPICS = (
    ClaimTopic("transplant.ki67", "ki67_pct", _TRANSPLANT, _KI67),
    ClaimTopic("transplant.age", "age", _TRANSPLANT, rf"\bage[sd]?\s*(?:of\s*)?(?:[<≤>]|under|below|less\s+than|up\s+to|"
               rf"over|above)\s*(?P<v>{_N})|(?:[<≤]|under|below|less\s+than|up\s+to|younger\s+than|older\s+than|over|"
               rf"above)\s*(?P<v2>{_N})\s*(?:years?|yrs?|y)\b"),
    ClaimTopic("transplant.involvement", "liver_involvement_pct", _TRANSPLANT,
               rf"(?P<v>{_N})\s*%\s*(?:of\s+)?(?:tumou?r\s+)?(?:involvement|invasion|of\s+(?:the\s+)?(?:total\s+)?liver)|"
               rf"(?:involvement|invasion|replacement)\s*(?:of\s+(?:the\s+)?liver\s*)?(?:[<>≤]|less\s+than|below|under|"
               rf"up\s+to|of)?\s*(?P<v2>{_N})\s*%"),
    ClaimTopic("transplant.stable", "stable_disease_months", _TRANSPLANT,
               r"\bstable\D{0,40}?(?P<v>\d++|one|six|twelve)\s*(?P<unit>months?|years?)"),
    ClaimTopic("chemotherapy.regimen", "ki67_pct", r"\b(?:chemotherap\w*|capecitabine|temozolomide|CAPTEM|platinum|"
               r"etoposide|cisplatin)\b", _KI67, extra=((20.0, "GR-G3"),)),
    ClaimTopic("resection.flr", "flr_pct", r"\b(?:FLR|future\s+liver\s+remnant|liver\s+remnant|remnant)\b",
               rf"\b(?:FLR|remnant)[^,;]{{0,60}}?(?P<v>{_N})\s*%|(?P<v2>{_N})\s*%\s*of\s+(?:the\s+)?(?:standardi[sz]ed\s+|"
               rf"total\s+)?liver\s+volume"),
    ClaimTopic("debulking.extent", "debulkable_pct", r"\b(?:debulk\w*|cytoreduc\w*)\b",
               rf"(?P<v>{_N})\s*%\s*(?:or\s+(?:greater|more)\s+)?(?:of\s+(?:the\s+)?(?:\w+\s+){{0,3}}?)?(?:debulk|"
               rf"cytoreduc|resect|remov|excis)\w*|(?:debulk\w*|cytoreduc\w*)\s+(?:threshold\s+)?(?:of\s+)?"
               rf"(?:[<>≥]|at\s+least|more\s+than)?\s*(?P<v2>{_N})\s*%",
               extra=((95.0, "DEB-DE-90"),)),   # 001:53: Foster and Berman's historical >=95 % (a reported figure)
    ClaimTopic("ablation.size", "lesion_size_cm", _ABLATION, rf"(?P<v>{_N})\s*(?P<unit>cm|mm)\b"),
    ClaimTopic("ablation.count", "lesion_count", _ABLATION,
               r"\b(?P<v>\d++|one|two|three|four|five|six|a\s+dozen)\s*(?:[-–]\s*(?P<v2>\d++)\s*)?(?:[A-Za-z-]+\s+)?"
               r"(?:lesions|tumou?rs|metastases)\b", extra=((12.0, "ABL-LS-DOZEN"), (1.0, "ABL-CL-COUNT"))),
    ClaimTopic("arterial.bilirubin", "bilirubin_mg_dl", _ARTERIAL, rf"bilirubin\D{{0,25}}?(?P<v>{_N})\s*mg"),
    ClaimTopic("arterial.burden", "liver_involvement_pct", _ARTERIAL,
               rf"(?P<v>{_N})\s*%\s*(?:of\s+)?(?:the\s+)?(?:liver|hepatic)\s+(?:involvement|invasion|volume)|(?:liver|"
               rf"hepatic)\s+(?:involvement|invasion)\s*\(?(?:[<>]|of|more\s+than)?\s*(?P<v2>{_N})\s*%"),
    ClaimTopic("grading", "ki67_pct", r"\b(?:grade|G[123]|well[\s-]differentiated|high-grade|low-grade)\b", _KI67,
               extra=((55.0, "RES-CL-KI55"),)),
)
_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12, "a dozen": 12}
_PRRT = re.compile(r"\b(?:PRRT|peptide\s+receptor\s+radionuclide|177\s*Lu|Lu-?177|lutetium|Lutathera)\b", re.I)
_RECEPTOR_NEG = re.compile(r"\b(?:receptor|SSTR|somatostatin[\s-]receptor)[\s-]*(?:negative|-ve)\b|\bwithout\s+"
                           r"(?:somatostatin\s+)?receptor\s+expression|\bnon[\s-]?avid|\bDOTATATE[\s-]negative", re.I)
_RESTRICT = re.compile(r"\b(?:not|only|contraindicat\w*|cannot|should\s+not|unsuitable|excluded|requires?|never)\b",
                       re.I)


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    claim: str
    status: str                 # consistent | contradicts
    criterion: str              # the criterion id compared with (the matching or the nearest version)
    source: Source
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "status": self.status, "criterion": self.criterion,
                "source": self.source.to_dict()}


def sentences(text: str) -> list[str]:
    """Split on sentence ends followed by a capital or bracket ("et al. reported" and "3.5 cm" stay whole)."""
    out = []
    for line in text.splitlines():
        if _REFERENCE.search(line):
            continue
        start = 0
        for m in _SENTENCE_END.finditer(line):
            out.append(line[start:m.end()])
            start = m.end()
        out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


def versions(topic: ClaimTopic) -> list[tuple[float, Criterion]]:
    """The thresholds the encoded criteria of this topic use, with the criterion stating each."""
    out = [(float(leaf.threshold), cr) for cr in CRITERIA.values() if cr.topic == topic.topic
           for leaf in leaves(cr.test) if leaf.field == topic.field and isinstance(leaf.threshold, (int, float))
           and not cr.shown]   # a `shown` threshold is not the number the source states
    return out + [(v, CRITERIA[cid]) for v, cid in topic.extra]


def _numbers(m: re.Match) -> list[float]:
    out = []
    for g in ("v", "v2"):
        s = m.groupdict().get(g)
        if s:
            n = float(_WORD_NUM.get(s.lower(), s)) if not s[0].isdigit() else float(s)
            unit = (m.groupdict().get("unit") or "").lower()
            out.append(n / 10 if unit == "mm" else n * 12 if unit.startswith("year") else n)
    return out


def _check_number(sentence: str, topic: ClaimTopic, stated: list[float]) -> ClaimCheck | None:
    known = versions(topic)
    if not known or not stated:
        return None
    match = [(v, cr) for v, cr in known if any(abs(v - s) < 1e-6 for s in stated)]
    match.sort(key=lambda vc: vc[1].source.quote not in sentence)   # the very passage quoted, when it is one
    if match:
        return ClaimCheck(sentence, "consistent", match[0][1].id, match[0][1].source,
                          f"{topic.topic}: {stated} matches {match[0][1].set_id}")
    v, cr = min(known, key=lambda vc: min(abs(vc[0] - s) for s in stated))
    allowed = ", ".join(sorted({f"{x:g}" for x, _ in known}))
    return ClaimCheck(sentence, "contradicts", cr.id, cr.source,
                      f"{topic.topic}: states {', '.join(f'{s:g}' for s in stated)}; the sources use {allowed}")


def numeric_claims(sentence: str) -> list[ClaimCheck]:
    """One check per topic whose subject and number occur in the sentence; a number is read by one topic only."""
    if _REPORTING.search(sentence):
        return []
    out, taken = [], set()
    for topic in TOPICS:
        if not re.search(topic.subject, sentence, re.I):
            continue
        stated = []
        for m in re.finditer(topic.value, sentence, re.I):
            span = set(range(m.start(), m.end()))
            if not span & taken:
                taken |= span
                stated += _numbers(m)
        check = _check_number(sentence, topic, stated)
        if check:
            out.append(check)
    return out


def receptor_claims(sentence: str) -> list[ClaimCheck]:
    """PRRT offered for receptor-negative tumours contradicts 000:101 ("only ... somatostatin receptor expressing")."""
    if not (_PRRT.search(sentence) and _RECEPTOR_NEG.search(sentence)):
        return []
    cr = CRITERIA["PRRT-LS-SSTR"]
    status = "consistent" if _RESTRICT.search(sentence) else "contradicts"
    return [ClaimCheck(sentence, status, cr.id, cr.source, "PRRT and somatostatin-receptor status")]


_OPTION_WORDS = {
    "liver_transplant": r"\b(?:liver\s+)?transplant\w*|\bLT\b|\bOLT\b",
    "resection": r"\b(?:hepatic\s+|liver\s+|surgical\s+)?resection\b|\bhepatectomy\b",
    "debulking": r"\bdebulk\w*|\bcytoreduc\w*",
    "ablation": r"\bablat\w*|\bRFA\b|\bMWA\b|\bradiofrequency\b",
    "transarterial_embolization": r"\bTAE\b|\bTACE\b|\bchemoemboli[sz]ation\b|\b(?<!radio)emboli[sz]ation\b",
    "radioembolization": r"\bTARE\b|\bSIRT\b|\bradioemboli[sz]ation\b|\bY-?90\b|\byttrium",
    "prrt": r"\bPRRT\b|\b177\s*Lu|\bLu-?177|\blutetium|\bLutathera",
    "somatostatin_analogue": r"\bsomatostatin\s+analog\w*|\bSSAs?\b|\boctreotide\b|\blanreotide\b",
    "chemotherapy": r"\bchemotherap\w*|\bCAPTEM\b|\bcapecitabine\b|\btemozolomide\b",
}
# How a question asks for an option without naming its noun ("Resect the liver?", "Operate?", "What systemic
# treatment first?"). Only for questions: in an answer sentence "the primary was resected" is not a stance.
_SYSTEMIC = r"\bsystemic\s+(?:treatment|therapy|option)"
_ASKED_WORDS = {
    "resection": r"\bresect\b|\boperate\b|\bcut\s+(?:it\s+|them\s+)?out\b|\b(?:liver|hepatic)\s+surgery\b",
    "somatostatin_analogue": _SYSTEMIC, "chemotherapy": _SYSTEMIC, "prrt": _SYSTEMIC,
    # The Milan criteria are, in these reviews, the criteria for liver transplantation (Mazzaferro's, from HCC):
    # "What is the Ki-67 limit in the Milan criteria?" had been answered with the WHO grading thresholds.
    "liver_transplant": r"\bMilan\b",
}


def named_options(text: str) -> tuple[str, ...]:
    """The treatment options a text names ("LT?", "Percutaneous RFA?", "lobar TACE"), in OPTIONS order."""
    return tuple(o for o, rx in _OPTION_WORDS.items() if re.search(rx, text, re.I))


def asked_options(question: str) -> tuple[str, ...]:
    """The options a question asks about: those it names, and those it asks for with a verb or a class."""
    named = set(named_options(question))
    named |= {o for o, rx in _ASKED_WORDS.items() if re.search(rx, question, re.I)}
    return tuple(o for o in _OPTION_WORDS if o in named)


_NEGATIVE = re.compile(r"\b(?:not\s+(?:be\s+)?(?:recommended|indicated|an?\s+(?:\w+\s+)?option|a\s+candidate|eligible|"
                       r"suitable|appropriate|advised|possible|feasible)|contraindicat\w*|should\s+not|cannot\s+be|"
                       r"unsuitable|ineligible|preclude[sd]?|inappropriate|would\s+not|excluded)\b", re.I)
_POSITIVE = re.compile(r"\b(?:(?:is|are|remains|would\s+be|may\s+be|could\s+be)\s+(?:an?\s+)?(?:(?!not\b)\w+\s+)?(?:option|"
                       r"candidate|indicated|recommended|eligible|suitable|appropriate)|(?:can|could|should|may)\s+be\s+"
                       r"(?:considered|offered|performed|proposed)|we\s+recommend|is\s+feasible)\b", re.I)
_GENERAL = re.compile(r"\b(?:patients|those|cases|in\s+general|generally|selected|if|when|who\s+meet|criteria|"
                      r"guidelines?|studies|usually|often|some)\b", re.I)


def stance_claims(sentence: str, verdicts: dict[str, OptionVerdict]) -> list[ClaimCheck]:
    """A sentence about this patient that calls one option (not) recommended, against the rule verdict."""
    if _GENERAL.search(sentence):
        return []
    named = named_options(sentence)
    if len(named) != 1 or named[0] not in verdicts:
        return []
    negative, positive = bool(_NEGATIVE.search(sentence)), bool(_POSITIVE.search(sentence))
    v = verdicts[named[0]]
    if negative == positive or v.verdict not in (ELIGIBLE, CAUTION, CONTRAINDICATED) or not v.criteria:
        return []
    wrong = (positive and v.verdict == CONTRAINDICATED) or (negative and v.verdict == ELIGIBLE)
    cr = v.criteria[0].criterion
    return [ClaimCheck(sentence, "contradicts" if wrong else "consistent", cr.id, cr.source,
                       f"{named[0]}: answer is {'for' if positive else 'against'}; rules say {v.verdict}")]


def check_answer(answer: str | None, verdicts: dict[str, OptionVerdict] | None = None) -> tuple[ClaimCheck, ...]:
    """All checkable claims in an answer; stances only when a vignette gave the rules something to decide."""
    if not isinstance(answer, str) or not answer.strip():
        return ()
    out: list[ClaimCheck] = []
    for s in sentences(answer[:50_000]):
        out += numeric_claims(s) + receptor_claims(s)
        if verdicts:
            out += stance_claims(s, verdicts)
    return tuple(out)
