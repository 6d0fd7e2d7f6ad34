"""Free-text vignette -> ParsedFacts. Every fact keeps its span; impossible, hedged or contradictory values are
reported as invalid and not used. A general question about the literature (no patient in it) yields no facts."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .facts import (BILIRUBIN_UMOL_PER_MG_DL, SPEC, Fact, InvalidValue, ParsedFacts, PatientFacts, TextSpan,
                    derive, range_reason)

MAX_CHARS = 20_000   # a vignette is a paragraph; longer input is read up to here (spans stay valid)
MAX, MIN, CONFLICT = "max", "min", "conflict"   # several values for one field: keep the worse one, or report


@dataclass(frozen=True, slots=True)
class RawHit:
    field: str
    value: Any
    start: int
    end: int
    negated_value: Any = None        # value when negated ("no extrahepatic disease"); None: says nothing
    negatable: bool = True
    qualifier: str = ""
    low: float | None = None
    note: str = ""
    claims: tuple[int, ...] = ()     # character positions of the number it read (one number, one field)
    policy: str = CONFLICT


Extractor = Callable[[str], Iterator[RawHit]]

# ---- context: clause, negation, hedging, "is this a patient?" ------------------------------------------------
_BOUNDARY = re.compile(r"[;:!?\n]|[.,](?!\d)|\b(?:but|however|although|and|because|due\s+to|given|since|as|"
                       r"owing|with|apart\s+from|except)\b", re.I)
_NEG_BEFORE = re.compile(r"\b(?:no|not|without|absence\s+of|absent|negative\s+for|free\s+of|denies|denied|never|"
                         r"nor|excluded|ruled\s+out)\b(?:\W+\w+){0,3}?\W*$", re.I)
_NEG_AFTER = re.compile(r"^\W{0,3}(?:(?:is|was|were|are|has\s+been|have\s+been)\s+)?(?:excluded|absent|none|"
                        r"not\s+(?:seen|present|detected|identified|found)|negative|ruled\s+out)\b", re.I)
_NO_AFTER = re.compile(r"^\s*[:=–-]\s*(?:no|none|absent|negative)\b(?!\s+\w)", re.I)   # "PVT: no", "EHD - none"
_HEDGE_BEFORE = re.compile(r"(?:\b(?:possible|possibly|probable|probably|suspected|suspicious|suspicion|"
                           r"questionable|equivocal|indeterminate|likely|may|might|if|unless|query|r/o)\b|\?)"
                           r"(?:\W+\w+){0,3}?\W*$", re.I)
_HEDGE_AFTER = re.compile(r"^\W{0,3}(?:\?|(?:cannot|can't|could\s+not)\s+be\s+(?:excluded|ruled\s+out)|"
                          r"(?:is\s+)?(?:suspected|possible|questionable))", re.I)
_ANCHOR = re.compile(r"\b(?:patient|pt|man|woman|gentleman|lady|boy|girl|he|she|his|her|mr|mrs|ms|y/?o|"
                     r"presents?|presented|(?:a|an|this|my|our)\s+(?:[\w-]+\s+){0,4}?"
                     r"(?:net|tumou?r|case|male|female|carcinoid|nec|primary))\b", re.I)
_QUESTION = re.compile(r"\s*(?:is|are|can|could|does|do|should|would|what|which|how|when|why|where)\b", re.I)
_GENERIC = re.compile(r"\b(?:patients|tumou?rs|nets|necs|nelms?|cases|those|criteria|guidelines?|thresholds?|"
                      r"cut-?offs?|studies|trials?|recommendations?)\b", re.I)


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """Like _clause, but only . ; and line ends cut: "2 lesions of 1.5 and 2.5 cm", "PET, which showed uptake"."""
    before = re.split(r"[;\n]|\.(?!\d)", text[max(0, start - 80):start])[-1]
    return before, re.split(r"[;\n]|\.(?!\d)", text[end:end + 80])[0]


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause around a match: text back to the last boundary, and on to the next one."""
    before = text[max(0, start - 80):start]
    cuts = list(_BOUNDARY.finditer(before))
    before = before[cuts[-1].end():] if cuts else before
    after = text[end:end + 80]
    cut = _BOUNDARY.search(after)
    return before, after[:cut.start()] if cut else after


# ---- building blocks --------------------------------------------------------------------------------------------
NUM = r"(?<![\d.,])(?P<v>\d++(?:[.,]\d++)?+)"   # starts at the first digit: linear on long digit runs
RANGE = r"(?:\s*(?:-|–|—|to)\s*(?P<v2>\d++(?:[.,]\d++)?+))?"
CMP = (r"(?:(?P<cmp><=|>=|=<|=>|≤|≥|<|>|less\s+than|more\s+than|greater\s+than|under|below|above|over|up\s+to|"
       r"at\s+least|at\s+most|exceeding|approximately|approx\.?|about|around|roughly|nearly|~|≈|ca\.?)\s*)?")
FILL = r"(?:\s*(?:of|was|is|=|:|at|estimated\s+at|measured\s+at|would\s+be|will\s+be|level|index))*\s*"
CMP_WORDS = {"<": "<", "less than": "<", "under": "<", "below": "<", "<=": "<=", "=<": "<=", "≤": "<=",
             "up to": "<=", "at most": "<=", ">": ">", "more than": ">", "greater than": ">", "above": ">",
             "over": ">", "exceeding": ">", ">=": ">=", "=>": ">=", "≥": ">=", "at least": ">="}
WORDS = {"a": 1, "an": 1, "one": 1, "single": 1, "a single": 1, "solitary": 1, "sole": 1, "unifocal": 1, "two": 2,
         "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
         "twelve": 12, "a dozen": 12, "eighteen": 18, "twenty": 20, "twenty-four": 24, "twenty four": 24}
WORD_NUM = r"\d++(?:[.,]\d++)?+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|" \
           r"twenty[\s-]four|twenty|a|an"
MONTHS_PER = {"w": 12 / 52, "m": 1.0, "y": 12.0}


def _float(s: str) -> float:
    s = s.lower().strip()
    return float(WORDS[re.sub(r"\s+", " ", s)]) if s[0].isalpha() else float(s.replace(",", "."))


def _qualifier(m: re.Match) -> str:
    word = m.groupdict().get("cmp") or ""
    return CMP_WORDS.get(re.sub(r"\s+", " ", word.lower()).strip(), "")


def _span_claims(m: re.Match, *groups: str) -> tuple[int, ...]:
    return tuple(p for g in groups if m.groupdict().get(g) for p in range(m.start(g), m.end(g)))


def _rejected(text: str, m: re.Match, before: re.Pattern | None, after: re.Pattern | None) -> bool:
    b, a = _clause(text, m.start(), m.end())
    return bool((before and before.search(b)) or (after and after.match(a)))


def _flag(field: str, pattern: str, value: Any, negated: Any = None, *, negatable: bool = True, note: str = "",
          reject_before: str | None = None, reject_after: str | None = None) -> Extractor:
    rx = re.compile(pattern, re.I)
    rb, ra = (re.compile(p, re.I) if p else None for p in (reject_before, reject_after))

    def extract(text: str) -> Iterator[RawHit]:
        for m in rx.finditer(text):
            if not _rejected(text, m, rb, ra):
                yield RawHit(field, value, m.start(), m.end(), negated, negatable, note=note)
    return extract


def _number(field: str, pattern: str, policy: str, *, reject_before: str | None = None) -> Extractor:
    rx = re.compile(pattern, re.I)
    rb = re.compile(reject_before, re.I) if reject_before else None

    def extract(text: str) -> Iterator[RawHit]:
        for m in rx.finditer(text):
            if _rejected(text, m, rb, None):
                continue
            value, low = _float(m.group("v")), None
            if m.groupdict().get("v2"):
                low, value = sorted((value, _float(m.group("v2"))))
            yield RawHit(field, value, m.start(), m.end(), negatable=False, qualifier=_qualifier(m), low=low,
                         claims=_span_claims(m, "v", "v2"), policy=policy)
    return extract


# ---- numbers with special handling --------------------------------------------------------------------------------
_AGE = [re.compile(p, re.I) for p in (
    r"\b(?P<v>\d++)\s*[-‐]?\s*(?:years?|yrs?|y)\s*[-‐]?\s*old\b(?:\s+(?:(?P<sw>woman|female|lady|man|male|gentleman)|"
    r"(?P<sex>(?-i:[MF]))\b))?",
    r"\b(?P<v>\d++)\s*(?:yo|y/o|y\.o\.|yrs?|years?|y)(?:\s*(?P<sex>(?-i:[MF])))?(?=\W|$)(?!\s*(?:ago|of|later|"
    r"after|post|since|earlier|before|prior|follow))",
    r"\b(?:aged|age(?:\s+of)?\s*[:=]?)\s*(?P<v>\d++)\b(?!\s*(?:%|cm|mm|months?))",
    r"(?:^|(?<=[\s,;(]))(?P<v>\d++)\s*[-‐]?\s*(?P<sex>(?-i:[MF]))\b(?!\s*[/-]\s*\d)")]
_AGE_CONTEXT = re.compile(r"(?:^|[.,;:(\n]|\b(?:a|an|aged|age|is|patient|pt|man|woman|male|female|mr|mrs|ms))\W*$",
                          re.I)


def _age_sex(text: str) -> Iterator[RawHit]:
    for i, rx in enumerate(_AGE):
        for m in rx.finditer(text):
            if i == 1 and not _AGE_CONTEXT.search(text[max(0, m.start() - 20):m.start()]):
                continue     # "62 y" must start a phrase: "stable for 2 y" is not an age
            yield RawHit("age", float(m.group("v")), m.start(), m.end(), negatable=False, claims=_span_claims(m, "v"))
            sex = m.groupdict().get("sex") or m.groupdict().get("sw")
            if sex:
                female = sex.lower() in ("f", "woman", "female", "lady")
                yield RawHit("sex", "female" if female else "male", m.start(), m.end(), negatable=False)


def _sex_words(text: str) -> Iterator[RawHit]:
    for m in re.finditer(r"\b(?:(?P<f>woman|female|lady|girl|mrs|ms)|man|male|gentleman|boy|mr)\b", text, re.I):
        yield RawHit("sex", "female" if m.group("f") else "male", m.start(), m.end(), negatable=False)


_BILI = re.compile(rf"\b(?:total\s+|serum\s+)?(?:bilirubin|t\.?\s?bili|bili)\b{FILL}{CMP}{NUM}{RANGE}\s*"
                   r"(?P<unit>mg\s*/\s*dl|mg\s+per\s+dl|[µμu]mol\s*/\s*l|micromol(?:es)?\s*/\s*l|mmol\s*/\s*l)?", re.I)
_BILI_NORMAL = re.compile(r"\bnormal\s+(?:serum\s+|total\s+)?bilirubin\b|\bbilirubin\s+(?:is\s+|was\s+)?(?:normal|"
                          r"within\s+normal\s+limits|wnl)\b", re.I)


def _bilirubin(text: str) -> Iterator[RawHit]:
    """mg/dL (the unit of 001:95) or µmol/L / 17.1; a bare number is not read, because the unit decides 2 vs 34."""
    for m in _BILI.finditer(text):
        unit = (m.group("unit") or "").lower()
        if not unit or unit.startswith("mmol"):
            yield RawHit("bilirubin_mg_dl", None, m.start(), m.end(), negatable=False,
                         note="unit missing or not mg/dL or µmol/L", claims=_span_claims(m, "v", "v2"))
            continue
        scale = (lambda x: round(x / BILIRUBIN_UMOL_PER_MG_DL, 2)) if "mol" in unit else (lambda x: x)
        value, low = scale(_float(m.group("v"))), None
        if m.group("v2"):
            low, value = sorted((value, scale(_float(m.group("v2")))))
        yield RawHit("bilirubin_mg_dl", value, m.start(), m.end(), negatable=False, qualifier=_qualifier(m),
                     low=low, claims=_span_claims(m, "v", "v2"), policy=MAX,
                     note=f"converted from µmol/L (÷{BILIRUBIN_UMOL_PER_MG_DL})" if "mol" in unit else "")
    for m in _BILI_NORMAL.finditer(text):
        # Not a number in the text: "normal" means at or below the laboratory's upper limit (about 1.0-1.3 mg/dL),
        # which is all the 2 mg/dL contraindication (001:95) needs to know.
        yield RawHit("bilirubin_mg_dl", 1.3, m.start(), m.end(), negatable=False, qualifier="<=", policy=MAX,
                     note="stated normal: at or below the upper limit of normal (about 1.0-1.3 mg/dL)")


_LESION = r"lesions?|metastas[ie]s|mets?|mass(?:es)?|nodules?|deposits?|tumou?rs?|NELMs?|LMs?|foci|focus"
_SIZE = re.compile(rf"{CMP}{NUM}(?:\s*(?:x|×|\*|-|–|to)\s*(?P<v2>\d++(?:[.,]\d++)?+))?"
                   r"(?:\s*(?:x|×|\*)\s*(?P<v3>\d++(?:[.,]\d++)?+))?\s*[-‐]?\s*(?P<unit>cm|mm)\b", re.I)
_SIZE_AFTER = re.compile(rf"^\W*(?:[\w-]+\s+){{0,2}}?(?:liver\s+|hepatic\s+)?(?:{_LESION})\b", re.I)
_SIZE_BEFORE = re.compile(rf"\b(?:{_LESION}|measuring|measures|diameter|size|largest|biggest|dominant)\b[^,]{{0,25}}$",
                          re.I)
_NOT_LIVER = re.compile(r"\b(?:primary|margin|pancrea\w*|ileum|bowel|colon|rectum|stomach|lung|bone|node)\b", re.I)


def _lesion_size(text: str) -> Iterator[RawHit]:
    """The largest liver lesion in cm; a size next to "primary" or another organ is not a liver lesion."""
    for m in _SIZE.finditer(text):
        before, after = _sentence(text, m.start(), m.end())
        near_before, near_after = _clause(text, m.start(), m.end())
        if not (_SIZE_AFTER.match(after) or _SIZE_BEFORE.search(before)) or _NOT_LIVER.search(
                near_before + " " + near_after[:25]):
            continue
        per_cm = 0.1 if m.group("unit").lower() == "mm" else 1.0
        value = max(_float(m.group(g)) * per_cm for g in ("v", "v2", "v3") if m.group(g))
        yield RawHit("lesion_size_cm", value, m.start(), m.end(), negatable=False, qualifier=_qualifier(m),
                     claims=_span_claims(m, "v", "v2", "v3"), policy=MAX)


_ADJ = (r"small|large|discrete|distinct|bilobar|bilateral|synchronous|metachronous|hypervascular\w*|enhancing|"
        r"arterially\s+enhancing|liver|hepatic|new|known|additional|separate|right[\s-]lobe|left[\s-]lobe|unilobar|"
        r"measurable|target|neuroendocrine|hypodense|\d++(?:[.,]\d++)?+\s*[-‐]?\s*(?:cm|mm)")
_COUNT = re.compile(rf"{CMP}\b(?P<n>\d{{1,4}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    rf"a\s+dozen|a\s+single|single|solitary|sole|unifocal)(?:[\s-]+(?:{_ADJ}))*[\s-]+"
                    rf"(?:lesions?|metastas[ie]s|mets|nodules?|deposits?|NELMs?|LMs?|foci)\b", re.I)


_NOT_COUNT = re.compile(r"\b(?:grade|stage|segments?|type|G|T|N|M|S|ki-?67|mib-?1|ECOG|CKD|WHO)\s*[-:]?\s*$", re.I)


def _lesion_count(text: str) -> Iterator[RawHit]:
    """ "three metastases"; not "grade 2 liver metastases" or "a segment 7 metastasis"."""
    for m in _COUNT.finditer(text):
        if _NOT_COUNT.search(text[max(0, m.start("n") - 12):m.start("n")]):
            continue
        yield RawHit("lesion_count", _float(m.group("n")), m.start(), m.end(), negatable=False,
                     qualifier=_qualifier(m), claims=_span_claims(m, "n"))


_DURATION = rf"(?P<v>{WORD_NUM})\s*(?P<unit>months?|mos?|mo\.?|years?|yrs?|y|weeks?|wks?)\b"
_STABLE = re.compile(r"\b(?:stable(?:\s+disease)?|SD|no\s+(?:radiological\s+|radiologic\s+)?progression|"
                     r"disease\s+(?:has\s+been\s+|was\s+)?stable)(?:\s+on\s+[\w-]+(?:\s+[\w-]+)?)?\s+"
                     rf"(?:for|over|since|during)\s+(?:the\s+(?:last|past)\s+)?{CMP}{_DURATION}", re.I)


def _months(m: re.Match) -> float:
    return round(_float(m.group("v")) * MONTHS_PER[m.group("unit")[0].lower()], 1)


def _stable(text: str) -> Iterator[RawHit]:
    for m in _STABLE.finditer(text):
        yield RawHit("stable_disease_months", _months(m), m.start(), m.end(), negatable=False,
                     qualifier=_qualifier(m), claims=_span_claims(m, "v"), policy=MIN)


_PRIMARY_DONE = re.compile(
    r"\b(?:primary(?:\s+(?:tumou?r|lesion|NET))?(?:\s*\([^)]{0,30}\))?(?:\s+(?:was|has\s+been|had\s+been|is|already))?\s+"
    r"(?:(?:completely|radically|surgically)\s+)?(?:resected|removed|excised)|(?:resected|removed)\s+primary|"
    r"(?:resection|removal)\s+of\s+(?:the\s+)?primary(?:\s+tumou?r)?|primary(?:\s+tumou?r)?\s+resection)", re.I)
_PRIMARY_IN = re.compile(r"\b(?:unresected\s+primary|primary(?:\s+tumou?r)?\s+(?:(?:is|remains|still)\s+)?in\s+situ|"
                         r"primary(?:\s+tumou?r)?\s+(?:has|had|was|is)?\s*(?:not|never)\s+(?:been\s+)?"
                         r"(?:resected|removed))\b", re.I)
_AGO = re.compile(rf"^[^.;]{{0,25}}?\b{_DURATION}\s+(?:ago|earlier|before|previously|prior)\b", re.I)
_MARGIN = re.compile(r"\bR(?P<r>[012])\b")


def _primary(text: str) -> Iterator[RawHit]:
    for m in _PRIMARY_IN.finditer(text):
        yield RawHit("primary_resected", False, m.start(), m.end(), negatable=False)
    for m in _PRIMARY_DONE.finditer(text):
        yield RawHit("primary_resected", True, m.start(), m.end(), False)
        before, after = _clause(text, m.start(), m.end())
        ago = _AGO.match(after)
        if ago:
            s = m.end() + ago.start("v")
            yield RawHit("months_since_primary_resection", _months(ago), s, m.end() + ago.end(), negatable=False,
                         claims=tuple(range(s, m.end() + ago.end("v"))), policy=MIN)
        for r in _MARGIN.finditer(before + " " + after):
            yield RawHit("primary_r0", r.group("r") == "0", m.start(), m.end(), negatable=False)


_TRACER = re.compile(r"(?:(?:Ga[\s-]?68|68[\s-]?Ga|⁶⁸Ga|gallium(?:[\s-]68)?|Cu[\s-]?64|64[\s-]?Cu)[\s-]*)?"
                     r"(?:DOTA[\s-]?(?:TATE|TOC|NOC)|dotatate|dotatoc|dotanoc)(?:[\s-]*(?:PET(?:[\s/-]*CT)?|scan))?|"
                     r"\boctreo[\s-]?scan\b|\bSSTR2?(?:[\s-]*(?:PET|imaging|scintigraphy|expression|status))?|"
                     r"\bsomatostatin[\s-]+receptors?(?:[\s-]*(?:imaging|scintigraphy|PET|expression|status))?|"
                     r"\bSRS\b", re.I)
_POL = r"(?P<neg>negative|non[\s-]?avid|not\s+avid|no\s+(?:significant\s+)?uptake|without\s+uptake|-ve)|" \
       r"(?P<weak>low|weak|faint|heterogeneous|mixed|equivocal)|(?P<pos>positive|avid|expressing|\+|uptake)"
_POL_AFTER = re.compile(r"^[\s:–—-]*(?:,?\s*(?:which|that)\s+)?(?:(?:was|is|were|showed|shows|showing|demonstrated|"
                        r"demonstrating|with|scan)\s+)*"
                        rf"(?:(?:intense|intensely|strong|strongly|high|highly|marked|markedly|clearly|significant|avid)"
                        rf"\s+)*(?:{_POL})", re.I)
_POL_BEFORE = re.compile(rf"(?:{_POL})\s*(?:on|at|in)?\s*(?:the\s+)?$", re.I)


def _sstr(text: str) -> Iterator[RawHit]:
    """Receptor status from SSTR imaging: the polarity word right after (or before) the tracer decides."""
    for m in _TRACER.finditer(text):
        before, after = _sentence(text, m.start(), m.end())
        pol = _POL_AFTER.match(after) or _POL_BEFORE.search(before)
        if not pol:
            continue
        if pol.group("weak"):
            yield RawHit("sstr_positive", None, m.start(), m.end(), negatable=False,
                         note="uptake described as low or heterogeneous")
        else:
            yield RawHit("sstr_positive", bool(pol.group("pos")) and not pol.group("neg"), m.start(), m.end(),
                         negatable=False)


_NET_WORD = re.compile(r"\b(?:NETs?|NENs?|NECs?|neuroendocrine|carcinoid|carcinoma|primary|tumou?r|origin)\b", re.I)
_SITES = [(re.compile(p, re.I), site, needs_context) for p, site, needs_context in (
    (r"\b(?:SI-?NETs?|SBNETs?)\b", "small_bowel", False),
    (r"\b(?:terminal\s+ileum|ileal|ileum|jejunal|jejunum|jejuno-?ileal|small[\s-]+(?:bowel|intestin(?:e|al)))\b",
     "small_bowel", True),
    (r"\bmidgut\b", "midgut", True),
    (r"\b(?:pNETs?|panNETs?|insulinoma|glucagonoma|VIPoma)\b", "pancreas", False),
    (r"\bpancrea(?:s|tic)\b", "pancreas", True), (r"\b(?:gastric|stomach)\b", "stomach", True),
    (r"\b(?:duodenal|duodenum)\b", "duodenum", True), (r"\b(?:appendiceal|appendix)\b", "appendix", True),
    (r"\b(?:ca?ecal|ca?ecum|right[\s-]+colon|ascending\s+colon)\b", "colon_proximal", True),
    (r"\b(?:colonic|colon)\b", "colon", True), (r"\b(?:rectal|rectum)\b", "rectum", True),
    (r"\b(?:bronchial|bronchopulmonary|lung|pulmonary)\b", "lung", True),
    (r"\b(?:unknown|occult)\s+primary\b|\bCUP\b|\bprimary\s+(?:of\s+)?unknown\b", "unknown", False))]


def _site(text: str) -> Iterator[RawHit]:
    for rx, site, needs_context in _SITES:
        for m in rx.finditer(text):
            before, after = _clause(text, m.start(), m.end())
            if re.match(r"^\W*(?:[\w-]+\s+)?(?:metasta|mets\b|nodul|lesion|deposit)", after, re.I):
                continue        # "lung metastases" is extrahepatic disease, not the primary
            if needs_context and not _NET_WORD.search(before[-50:] + " " + after[:30]):
                continue
            yield RawHit("primary_site", site, m.start(), m.end(), None)


_KI67_SECOND = re.compile(rf"\b(?:ki[\s-]?67|mib[\s-]?1)\b[^.;%]{{0,30}}%[^.;%]{{0,40}}?(?:(?:,|\band\b)\s*(?:and\s+)?"
                          rf"{NUM}\s*%\s*(?:in|on)\s+(?:the\s+)?(?:liver|hepatic|metasta\w*|re-?biopsy|biopsy|NELM)|"
                          r"\b(?:now|currently|(?:rising|rose|increased|increasing|up)\s+to|to)\s+"
                          r"(?P<w>\d++(?:[.,]\d++)?+)\s*%)",
                          re.I)


def _ki67_second(text: str) -> Iterator[RawHit]:
    """ "Ki-67 8 % in the primary, 15 % in the liver" or "... now 25 %": the metastasis or a later biopsy may differ
    (004:9), and the higher Ki-67 decides the grade (001:45): MAX keeps it."""
    for m in _KI67_SECOND.finditer(text):
        g = "v" if m.group("v") else "w"
        yield RawHit("ki67_pct", _float(m.group(g)), m.start(g), m.end(), negatable=False,
                     claims=_span_claims(m, g), policy=MAX)


# ---- the table: order matters (a number read by an earlier extractor is not read again) --------------------------
_LIVER = r"(?:liver|hepatic)\s+(?:involvement|replacement|tumou?r\s+(?:burden|load|involvement|volume)|burden|" \
         r"invasion|disease\s+burden)"
_NOT_INVOLVEMENT = r"\b(?:resect\w*|remov\w*|remnant|FLR|spar\w*|preserv\w*|debulk\w*)\b"
_NOT_PLANNED = r"\b(?:planned|scheduled|candidate\s+for|consider\w*|plan|for|awaiting|needs?)\W*$"
EXTRACTORS: tuple[Extractor, ...] = (
    _age_sex,
    _number("ki67_pct", rf"\b(?:ki[\s-]?67|mib[\s-]?1)(?:\s*(?:proliferation|proliferative|labell?ing))?"
            rf"(?:\s*(?:rate|li|pi))?{FILL}{CMP}{NUM}{RANGE}\s*(?:%|percent|per\s*cent)?"
            r"(?!\s*(?:cm|mm|mg|µ|μ|umol|months?|years?|lesions?|metastas))", MAX),
    _number("ki67_pct", rf"\bproliferat\w*\s+index{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    _ki67_second,
    _number("flr_pct", r"\b(?:s?FLR|future\s+liver\s+remnant|future\s+remnant\s+liver(?:\s+volume)?|remnant\s+liver"
            rf"(?:\s+volume)?|liver\s+remnant)(?:\s*\(s?FLR\))?{FILL}{CMP}{NUM}{RANGE}\s*%", MIN),
    _bilirubin,
    _number("expected_postop_mortality_pct", r"\b(?:expected|estimated|predicted|anticipated)\s+(?:post[\s-]?operative"
            rf"\s+|peri[\s-]?operative\s+|surgical\s+)?mortality(?:\s+risk)?{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    _number("debulkable_pct", rf"{CMP}{NUM}{RANGE}\s*%\s*(?:of\s+(?:the\s+)?(?:hepatic\s+|liver\s+|visible\s+)?"
            r"(?:tumou?r|disease|metastases|metastatic\s+disease)(?:\s+(?:burden|volume|mass|load))?\s+)?"
            r"(?:(?:can|could|would|may|might)\s+)?(?:be\s+)?(?:debulk|cytoreduc|resect|remov|excis)\w*", MIN),
    _number("debulkable_pct", rf"\b(?:debulking|cytoreduction)\s+(?:of\s+)?{CMP}{NUM}{RANGE}\s*%"
            r"(?!\s*of\s+(?:the\s+)?(?:total\s+)?liver)", MIN),
    _number("debulkable_pct", rf"\b(?:debulk|resect|remov|cytoreduc)\w*\s+{CMP}{NUM}{RANGE}\s*%\s*of\s+(?:the\s+)?"
            r"(?:hepatic\s+|liver\s+)?(?:tumou?r|disease|metastases)", MIN),
    _number("liver_involvement_pct", rf"{CMP}{NUM}{RANGE}\s*%\s*(?:of\s+(?:the\s+)?(?:total\s+)?(?:liver|hepatic\s+"
            rf"(?:volume|parenchyma))(?:\s+(?:volume|parenchyma))?|{_LIVER})", MAX, reject_before=_NOT_INVOLVEMENT),
    _number("liver_involvement_pct", rf"\b{_LIVER}(?:\s+by\s+tumou?r)?{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    # "<50% involvement" with no organ named: in a liver-metastasis vignette it is the liver's
    _number("liver_involvement_pct", rf"{CMP}{NUM}{RANGE}\s*%\s+(?:tumou?r\s+)?(?:involvement|replacement)\b", MAX,
            reject_before=_NOT_INVOLVEMENT),
    _lesion_size, _lesion_count, _stable, _primary, _sstr, _site, _sex_words,
    _flag("grade", r"\b(?:WHO\s+)?G\s?1\b(?!\s*[-/]\s*G?\s?[23])", "G1", negatable=False),
    _flag("grade", r"\b(?:WHO\s+)?G\s?2\b(?!\s*[-/]\s*G?\s?3)|\bG\s?1\s*[-/]\s*G?\s?2\b|\bgrade\s*(?:2|ii|two)\b|"
          r"\bintermediate[\s-]grade\b", "G2", negatable=False),
    _flag("grade", r"\b(?:WHO\s+)?G\s?3\b|\bG\s?[12]\s*[-/]\s*G?\s?3\b|\bgrade\s*(?:3|iii|three)\b|\bhigh[\s-]grade\b",
          "G3", negatable=False),
    _flag("grade", r"\bgrade\s*(?:1|i|one)\b(?!\s*(?:-|/|to|or)\s*(?:2|ii))", "G1", negatable=False),
    _flag("differentiation", r"\b(?:well|moderately|well[\s-]+to[\s-]+moderately)[\s-]+differentiated\b", "well"),
    _flag("differentiation", r"\b(?:poorly[\s-]+differentiated|undifferentiated|neuroendocrine\s+carcinoma|NEC|"
          r"(?:small|large)[\s-]cell\s+(?:neuroendocrine\s+)?carcinoma)\b", "poor"),
    _flag("portal_vein_thrombosis", r"\bmain\s+portal\s+vein\s+(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus|occlusion)|"
          r"\b(?:thrombos[ie]s|thrombus|occlusion)\s+(?:of|in)\s+the\s+main\s+portal\s+vein\b|\bmain\s+PVT\b", "main"),
    _flag("portal_vein_thrombosis", r"\b(?:right|left|segmental|sectoral|lobar|branch)\s+(?:branch\s+)?(?:of\s+the\s+)?"
          r"portal\s+vein\s+(?:branch\s+)?(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus)|\bbranch\s+PVT\b", "branch"),
    _flag("portal_vein_thrombosis", r"\bpatent\s+(?:main\s+)?portal\s+vein|\bportal\s+vein\s+(?:is\s+|was\s+)?patent\b",
          "none", "unspecified"),
    _flag("portal_vein_thrombosis", r"\bportal\s+vein\s+(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus|occlusion)|"
          r"\b(?:thrombos[ie]s|thrombus)\s+(?:of|in)\s+the\s+portal\s+vein\b|\bPVT\b", "unspecified", "none"),
    _flag("extrahepatic_disease", r"\b(?:liver|hepatic)[\s-]only\s+(?:disease|metastas[ie]s|mets)|\b(?:disease|"
          r"metastases)\s+(?:is\s+|are\s+)?(?:confined|limited)\s+to\s+the\s+liver|\bisolated\s+(?:liver|hepatic)\s+"
          r"metastas[ie]s", False),
    _flag("extrahepatic_disease", r"\bextra[\s-]?hepatic\s+(?:disease|metastas[ie]s|mets|spread|involvement|lesions?|"
          r"deposits?|tumou?r)", True, False),
    _flag("extrahepatic_disease", r"\b(?:bone|osseous|skeletal|lung|pulmonary|peritoneal|brain|cerebral|nodal|"
          r"(?:lymph[\s-])?node|ovarian|adrenal|pleural|distant|extra[\s-]?abdominal|retroperitoneal)\s+(?:metastas[ie]s|"
          r"mets|deposits?|lesions|involvement|spread)|\bmetastas[ie]s\s+(?:to|in)\s+the\s+(?:bones?|lungs?|brain|"
          r"peritoneum|lymph\s+nodes)|\bcarcinomatosis\b", True),
    _flag("peritoneal_carcinomatosis", r"\bperitoneal\s+(?:carcinomatosis|metastas[ie]s|disease|deposits|implants)|"
          r"\bcarcinomatosis\b", True, False),
    _flag("bilobar", r"\bbi[\s-]?lobar\b|\bboth\s+(?:liver\s+|hepatic\s+)?lobes\b|\bbilateral\s+(?:liver|hepatic)\b|"
          r"\b(?:right\s+and\s+left|left\s+and\s+right)\s+(?:liver\s+|hepatic\s+)?lobes\b",
          True, False),
    _flag("bilobar", r"\buni[\s-]?lobar\b|\b(?:(?:confined|limited)\s+to|all\s+in)\s+(?:the\s+)?(?:right|left)\s+"
          r"(?:liver\s+|hepatic\s+)?lobe", False),
    _flag("resectable", r"\b(?:un|non[\s-]?|ir)resectable\b|\bnot\s+(?:\w+\s+)?resectable\b|\binoperable\b|"
          r"\bnot\s+amenable\s+to\s+(?:surgery|resection)", False, negatable=False),
    _flag("resectable", r"\b(?:completely\s+|fully\s+|technically\s+)?resectable\b", True, False,
          reject_before=r"\b(?:borderline|primary)\b|%[\w\s]{0,30}$", reject_after=r"^\W*(?:\w+\s+)?primary\b"),
    _flag("progressive", r"\b(?:progressive|progressing|progressed)\b|\bprogression\b(?![\s-]free)", True, False),
    _flag("progressive_on_ssa", r"\bprogress\w*\s+(?:disease\s+)?(?:on|under|despite|while\s+on|during|through)\s+"
          r"(?:(?:long[\s-]acting|high[\s-]dose|monthly|first[\s-]line|\d+\s*mg)\s+)*(?:octreotide|lanreotide|"
          r"pasireotide|sandostatin|somatuline|SSAs?|somatostatin\s+analog(?:ue)?s?)", True, False),
    _flag("progressive_on_ssa", r"\bstable\s+(?:disease\s+)?(?:for\s+(?:\w+\s+){1,3}?)?(?:on|under|with)\s+"
          r"(?:(?:long[\s-]acting|monthly)\s+)*"
          r"(?:octreotide|lanreotide|SSAs?|somatostatin\s+analog(?:ue)?s?)", False, negatable=False),
    _flag("carcinoid_syndrome", r"\bcarcinoid\s+syndrome\b", True, False),
    _flag("carcinoid_syndrome", r"\bflushing\b", True),
    _flag("carcinoid_syndrome", r"\bnon[\s-]?function(?:al|ing)\b", False, negatable=False),
    _flag("carcinoid_heart_disease", r"\bcarcinoid\s+heart\s+disease\b|\bhedinger\b", True, False),
    _flag("right_heart_failure", r"\bright[\s-]+(?:sided\s+)?heart\s+(?:failure|insufficiency)|\bright\s+ventricular\s+"
          r"(?:failure|dysfunction)", True, False),
    _flag("hepatic_insufficiency", r"\b(?:hepatic|liver|hepatocellular)\s+(?:insufficiency|failure|decompensation)|"
          r"\bdecompensated\s+cirrhosis\b", True, False),
    _flag("renal_insufficiency", r"\b(?:renal|kidney)\s+(?:failure|insufficiency|impairment)|\bCKD\s*(?:stage\s*)?"
          r"(?:4|5|IV|V)\b|\b(?:haemo|hemo)?dialysis\b", True, False),
    _flag("bleeding_disorder", r"\bbleeding\s+(?:disorder|diathesis|tendency)|\bcoagulopathy\b|\bha?emophilia\b",
          True, False),
    _flag("poor_general_status", r"\bpoor\s+(?:general\s+(?:status|condition)|performance\s+status|clinical\s+"
          r"condition)|\bbed[\s-]?(?:bound|ridden)\b", True, False),
    _flag("poor_general_status", r"\bgood\s+(?:general\s+(?:status|condition)|performance\s+status)", False),
    _flag("prior_whipple", r"\b(?:whipple(?:'s)?(?:\s+procedure)?|pancreat(?:ic)?o?[\s-]?duodenectomy|PPPD)\b", True, False,
          reject_before=_NOT_PLANNED),
    # A pancreatoduodenectomy always includes a hepatico-/choledochojejunostomy: the abscess/ischaemia risk of
    # 001:95, 003:151 and 004:52 is about that anastomosis.
    _flag("bilioenteric_anastomosis", r"\b(?:whipple(?:'s)?(?:\s+procedure)?|pancreat(?:ic)?o?[\s-]?duodenectomy|PPPD)\b",
          True, reject_before=_NOT_PLANNED, note="derived from the pancreatoduodenectomy (it includes one)"),
    _flag("bilioenteric_anastomosis", r"\b(?:hepatico|choledocho)[\s-]?(?:jejuno|duodeno)stomy|\bbilio[\s-]?(?:enteric|"
          r"digestive)\s+anastomos[ie]s|\bbiliary[\s-]+enteric\s+anastomos[ie]s", True, False),
    _flag("near_large_vessel", r"\b(?:adjacent|abutting|abuts|close|near|next|contact(?:ing)?|touching)\b(?:\s+to|"
          r"\s+with)?\s+(?:the\s+)?(?:(?:right|middle|left|main)\s+)?(?:hepatic\s+veins?|IVC|inferior\s+vena\s+cava|"
          r"vena\s+cava|large\s+(?:blood\s+)?vessels?|major\s+(?:blood\s+)?vessels?)", True, False),
    _flag("near_bile_duct", r"\b(?:peri)?hilar\s+(?:lesion|metastas[ie]s|location|tumou?r)|\b(?:adjacent|abutting|"
          r"abuts|close|near|next|contact(?:ing)?)\b(?:\s+to|\s+with)?\s+(?:the\s+)?(?:hepatic\s+)?(?:hilum|portal\s+"
          r"pedicles?|(?:(?:main|major|common|right|left)\s+)?(?:hepatic|bile)\s+ducts?|biliary\s+confluence)", True, False),
    _flag("subcapsular", r"\bsub[\s-]?capsular\b|\b(?:at|on|near|adjacent\s+to|abutting)\s+the\s+liver\s+"
          r"(?:surface|capsule)", True, False),
)


# ---- driver --------------------------------------------------------------------------------------------------------
def parse_facts(text: str) -> ParsedFacts:
    """Read facts from a vignette as clinicians type it. Never raises on a str."""
    if not isinstance(text, str) or not text.strip():
        return ParsedFacts(PatientFacts())
    text = text[:MAX_CHARS]
    hits = _unclaimed([h for extract in EXTRACTORS for h in extract(text)])
    if not _is_vignette(text, hits):
        return ParsedFacts(PatientFacts())
    found: dict[str, list[Fact]] = {}
    invalid: list[InvalidValue] = []
    for h in hits:
        fact, problem = _to_fact(text, h)
        if problem is not None:
            invalid.append(problem)
        elif fact is not None:
            found.setdefault(h.field, []).append(fact)
    values = {}
    for name, facts in found.items():
        fact, problem = _one_value(name, facts, next(h.policy for h in hits if h.field == name))
        if fact is not None:
            values[name] = fact
        if problem is not None:
            invalid.append(problem)
    return ParsedFacts(derive(PatientFacts(**values)), tuple(invalid))


def _unclaimed(hits: list[RawHit]) -> list[RawHit]:
    """One number, one field (the first extractor to read it); one stretch of text, one reading per field."""
    owner: dict[int, str] = {}
    kept: list[RawHit] = []
    for h in hits:
        if any(owner.get(p, h.field) != h.field for p in h.claims) or any(
                k.field == h.field and k.start < h.end and h.start < k.end for k in kept):
            continue
        owner.update({p: h.field for p in h.claims})
        kept.append(h)
    return sorted(kept, key=lambda k: k.start)


def _is_vignette(text: str, hits: list[RawHit]) -> bool:
    """A patient is described if one is named, or if facts come without the words of a general question."""
    if not hits:
        return False
    if any(h.field in ("age", "sex") for h in hits) or _ANCHOR.search(text):
        return True
    return not (_GENERIC.search(text) or _QUESTION.match(text))


def _to_fact(text: str, raw: RawHit) -> tuple[Fact | None, InvalidValue | None]:
    span = TextSpan(raw.start, raw.end, text[raw.start:raw.end])
    before, after = _clause(text, raw.start, raw.end)
    negated = raw.negatable and bool(_NEG_BEFORE.search(before) or _NEG_AFTER.match(after)
                                     or _NO_AFTER.match(text[raw.end:raw.end + 20]))
    value = raw.negated_value if negated else raw.value
    if value is None and raw.note and not negated:
        return None, InvalidValue(raw.field, span.text, f"{raw.note} ({span.text!r}): not used", span)
    if value is None:
        return None, None            # a negated mention that says nothing about this field ("no bone mets")
    if _HEDGE_BEFORE.search(before) or _HEDGE_AFTER.match(after):
        return None, InvalidValue(raw.field, value, f"hedged or conditional ({span.text!r}): not used; confirm it "
                                                    "and enter it in the form", span)
    spec = SPEC[raw.field]
    if spec.kind in ("int", "float"):
        reason = range_reason(spec, float(value)) or (range_reason(spec, raw.low) if raw.low is not None else None)
        if reason:
            return None, InvalidValue(raw.field, value, f"{reason} ({span.text!r}): impossible, not used", span)
        value = int(value) if spec.kind == "int" else float(value)
    return Fact(value, span, raw.qualifier, raw.low, raw.note), None


def _one_value(name: str, facts: list[Fact], policy: str) -> tuple[Fact | None, InvalidValue | None]:
    """Several mentions of one field: agreeing -> the first; else the field's conservative policy, or reported."""
    if all(f.display() == facts[0].display() for f in facts):
        return facts[0], None
    if policy in (MAX, MIN):
        pick = (max if policy == MAX else min)(facts, key=lambda f: float(f.value))
        why = "highest" if policy == MAX else "lowest"
        return Fact(pick.value, pick.span, pick.qualifier, pick.low,
                    f"{why} of {len(facts)} values stated (the conservative reading)"), None
    shown = "; ".join(f"{f.display()} ({f.span.text!r})" for f in facts if f.span)
    return None, InvalidValue(name, facts[0].display(), f"the text gives conflicting values: {shown}; enter the "
                                                        "right one in the form", facts[0].span)
