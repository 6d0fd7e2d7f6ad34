"""Extractors that need more than one regex: age and sex, bilirubin units, lesion size and count, stable disease,
the primary's resection, SSTR imaging, primary site, and a second Ki-67 value."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .context import clause, sentence
from .hits import CMP, FILL, MAX, MIN, MONTHS_PER, NUM, RANGE, WORD_NUM, RawHit, cmp_qualifier, span_claims, to_float
from .schema import BILIRUBIN_UMOL_PER_MG_DL

_AGE = [re.compile(p, re.I) for p in (
    r"\b(?P<v>\d++)\s*[-‐]?\s*(?:years?|yrs?|y)\s*[-‐]?\s*old\b(?:\s+(?:(?P<sw>woman|female|lady|man|male|gentleman)|"
    r"(?P<sex>(?-i:[MF]))\b))?",
    r"\b(?P<v>\d++)\s*(?:yo|y/o|y\.o\.|yrs?|years?|y)(?:\s*(?P<sex>(?-i:[MF])))?(?=\W|$)(?!\s*(?:ago|of|later|"
    r"after|post|since|earlier|before|prior|follow))",
    r"\b(?:aged|age(?:\s+of)?\s*[:=]?)\s*(?P<v>\d++)\b(?!\s*(?:%|cm|mm|months?))",
    r"(?:^|(?<=[\s,;(]))(?P<v>\d++)\s*[-‐]?\s*(?P<sex>(?-i:[MF]))\b(?!\s*[/-]\s*\d)")]
_AGE_CONTEXT = re.compile(r"(?:^|[.,;:(\n]|\b(?:a|an|aged|age|is|patient|pt|man|woman|male|female|mr|mrs|ms))\W*$",
                          re.I)


def age_sex(text: str) -> Iterator[RawHit]:
    for i, rx in enumerate(_AGE):
        for m in rx.finditer(text):
            if i == 1 and not _AGE_CONTEXT.search(text[max(0, m.start() - 20):m.start()]):
                continue     # "62 y" must start a phrase: "stable for 2 y" is not an age
            yield RawHit("age", float(m.group("v")), m.start(), m.end(), negatable=False, claims=span_claims(m, "v"))
            sex = m.groupdict().get("sex") or m.groupdict().get("sw")
            if sex:
                female = sex.lower() in ("f", "woman", "female", "lady")
                yield RawHit("sex", "female" if female else "male", m.start(), m.end(), negatable=False)


def sex_words(text: str) -> Iterator[RawHit]:
    for m in re.finditer(r"\b(?:(?P<f>woman|female|lady|girl|mrs|ms)|man|male|gentleman|boy|mr)\b", text, re.I):
        yield RawHit("sex", "female" if m.group("f") else "male", m.start(), m.end(), negatable=False)


_BILI = re.compile(rf"\b(?:total\s+|serum\s+)?(?:bilirubin|t\.?\s?bili|bili)\b{FILL}{CMP}{NUM}{RANGE}\s*"
                   r"(?P<unit>mg\s*/\s*dl|mg\s+per\s+dl|[µμu]mol\s*/\s*l|micromol(?:es)?\s*/\s*l|mmol\s*/\s*l)?", re.I)
_LFT = r"(?:LFTs?|liver\s+function(?:\s+tests?)?)"
_IS_NORMAL = r"\s+(?:is\s+|was\s+|are\s+|were\s+)?(?:normal|within\s+normal\s+limits|wnl)\b"
# "normal LFTs", "liver function tests within normal limits" (also the hepatic_insufficiency flag of patterns.py)
NORMAL_LFTS = rf"\bnormal\s+{_LFT}\b|\b{_LFT}{_IS_NORMAL}"
# Liver function tests include bilirubin: "normal LFTs" states it normal as well.
_BILI_NORMAL = re.compile(rf"\bnormal\s+(?:(?:serum\s+|total\s+)?bilirubin|{_LFT})\b|\b(?:bilirubin|{_LFT}){_IS_NORMAL}",
                          re.I)


def bilirubin(text: str) -> Iterator[RawHit]:
    """mg/dL (the unit of 001:95) or µmol/L / 17.1; a bare number is not read, because the unit decides 2 vs 34."""
    for m in _BILI.finditer(text):
        unit = (m.group("unit") or "").lower()
        if not unit or unit.startswith("mmol"):
            yield RawHit("bilirubin_mg_dl", None, m.start(), m.end(), negatable=False,
                         note="unit missing or not mg/dL or µmol/L", claims=span_claims(m, "v", "v2"))
            continue
        scale = (lambda x: round(x / BILIRUBIN_UMOL_PER_MG_DL, 2)) if "mol" in unit else (lambda x: x)
        value, low = scale(to_float(m.group("v"))), None
        if m.group("v2"):
            low, value = sorted((value, scale(to_float(m.group("v2")))))
        yield RawHit("bilirubin_mg_dl", value, m.start(), m.end(), negatable=False, qualifier=cmp_qualifier(m),
                     low=low, claims=span_claims(m, "v", "v2"), policy=MAX,
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


def lesion_size(text: str) -> Iterator[RawHit]:
    """The largest liver lesion in cm; a size next to "primary" or another organ is not a liver lesion."""
    for m in _SIZE.finditer(text):
        before, after = sentence(text, m.start(), m.end())
        near_before, near_after = clause(text, m.start(), m.end())
        if not (_SIZE_AFTER.match(after) or _SIZE_BEFORE.search(before)) or _NOT_LIVER.search(
                near_before + " " + near_after[:25]):
            continue
        per_cm = 0.1 if m.group("unit").lower() == "mm" else 1.0
        value = max(to_float(m.group(g)) * per_cm for g in ("v", "v2", "v3") if m.group(g))
        yield RawHit("lesion_size_cm", value, m.start(), m.end(), negatable=False, qualifier=cmp_qualifier(m),
                     claims=span_claims(m, "v", "v2", "v3"), policy=MAX)


_ADJ = (r"small|large|discrete|distinct|bilobar|bilateral|synchronous|metachronous|hypervascular\w*|enhancing|"
        r"arterially\s+enhancing|liver|hepatic|new|known|additional|separate|right[\s-]lobe|left[\s-]lobe|unilobar|"
        r"measurable|target|neuroendocrine|hypodense|\d++(?:[.,]\d++)?+\s*[-‐]?\s*(?:cm|mm)")
_COUNT = re.compile(rf"{CMP}\b(?P<n>\d{{1,4}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    rf"a\s+dozen|a\s+single|single|solitary|sole|unifocal)(?:[\s-]+(?:{_ADJ}))*[\s-]+"
                    rf"(?:lesions?|metastas[ie]s|mets|nodules?|deposits?|NELMs?|LMs?|foci)\b", re.I)


_NOT_COUNT = re.compile(r"\b(?:grade|stage|segments?|type|G|T|N|M|S|ki-?67|mib-?1|ECOG|CKD|WHO)\s*[-:]?\s*$", re.I)


def lesion_count(text: str) -> Iterator[RawHit]:
    """ "three metastases"; not "grade 2 liver metastases" or "a segment 7 metastasis"."""
    for m in _COUNT.finditer(text):
        if _NOT_COUNT.search(text[max(0, m.start("n") - 12):m.start("n")]):
            continue
        yield RawHit("lesion_count", to_float(m.group("n")), m.start(), m.end(), negatable=False,
                     qualifier=cmp_qualifier(m), claims=span_claims(m, "n"))


_DURATION = rf"(?P<v>{WORD_NUM})\s*(?P<unit>months?|mos?|mo\.?|years?|yrs?|y|weeks?|wks?)\b"
_STABLE = re.compile(r"\b(?:stable(?:\s+disease)?|SD|no\s+(?:radiological\s+|radiologic\s+)?progression|"
                     r"disease\s+(?:has\s+been\s+|was\s+)?stable)(?:\s+on\s+[\w-]+(?:\s+[\w-]+)?)?\s*"
                     rf"(?:(?:for|over|since|during)\s+)?(?:the\s+(?:last|past)\s+)?(?:(?:only|just)\s+)?{CMP}"
                     rf"{_DURATION}", re.I)


def _months(m: re.Match) -> float:
    return round(to_float(m.group("v")) * MONTHS_PER[m.group("unit")[0].lower()], 1)


def stable(text: str) -> Iterator[RawHit]:
    for m in _STABLE.finditer(text):
        yield RawHit("stable_disease_months", _months(m), m.start(), m.end(), negatable=False,
                     qualifier=cmp_qualifier(m), claims=span_claims(m, "v"), policy=MIN)


_PRIMARY_DONE = re.compile(
    r"\b(?:primary(?:\s+(?:tumou?r|lesion|NET))?(?:\s*\([^)]{0,30}\))?(?:\s+(?:was|has\s+been|had\s+been|is|already))?\s+"
    r"(?:(?:completely|radically|surgically)\s+)?(?:resected|removed|excised)|(?:resected|removed)\s+primary|"
    r"(?:resection|removal)\s+of\s+(?:the\s+)?primary(?:\s+tumou?r)?|primary(?:\s+tumou?r)?\s+resection|"
    r"primary(?:\s+tumou?r)?\s+(?:(?:is|was|already|has\s+been)\s+)*out\b)", re.I)
_PRIMARY_IN = re.compile(r"\b(?:unresected\s+primary|primary(?:\s+tumou?r)?\s+(?:(?:is|remains|still)\s+)?in\s+situ|"
                         r"primary(?:\s+tumou?r)?\s+(?:has|had|was|is)?\s*(?:not|never)\s+(?:been\s+)?"
                         r"(?:resected|removed))\b", re.I)
_AGO = re.compile(rf"^[^.;]{{0,25}}?\b{_DURATION}\s+(?:ago|earlier|before|previously|prior)\b", re.I)
_MARGIN = re.compile(r"\bR(?P<r>[012])\b")


def primary(text: str) -> Iterator[RawHit]:
    for m in _PRIMARY_IN.finditer(text):
        yield RawHit("primary_resected", False, m.start(), m.end(), negatable=False)
    for m in _PRIMARY_DONE.finditer(text):
        yield RawHit("primary_resected", True, m.start(), m.end(), False)
        before, after = clause(text, m.start(), m.end())
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


def sstr(text: str) -> Iterator[RawHit]:
    """Receptor status from SSTR imaging: the polarity word right after (or before) the tracer decides."""
    for m in _TRACER.finditer(text):
        before, after = sentence(text, m.start(), m.end())
        pol = _POL_AFTER.match(after) or _POL_BEFORE.search(before)
        if not pol:
            continue
        if pol.group("weak"):
            yield RawHit("sstr_positive", None, m.start(), m.end(), negatable=False,
                         note="uptake described as low or heterogeneous")
        else:
            yield RawHit("sstr_positive", bool(pol.group("pos")) and not pol.group("neg"), m.start(), m.end(),
                         negatable=False)


_NET_WORD = re.compile(r"\b(?:NETs?|NENs?|NECs?|NELMs?|neuroendocrine|carcinoid|carcinoma|primary|tumou?r|origin)\b", re.I)
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


def site(text: str) -> Iterator[RawHit]:
    for rx, site, needs_context in _SITES:
        for m in rx.finditer(text):
            before, after = clause(text, m.start(), m.end())
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


def ki67_second(text: str) -> Iterator[RawHit]:
    """ "Ki-67 8 % in the primary, 15 % in the liver" or "... now 25 %": the metastasis or a later biopsy may differ
    (004:9), and the higher Ki-67 decides the grade (001:45): MAX keeps it."""
    for m in _KI67_SECOND.finditer(text):
        g = "v" if m.group("v") else "w"
        yield RawHit("ki67_pct", to_float(m.group(g)), m.start(g), m.end(), negatable=False,
                     claims=span_claims(m, g), policy=MAX)
