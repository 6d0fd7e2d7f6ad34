"""Disagreement between sources: different numbers for the same quantity, detected from the text."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .lexicon import STOPWORDS, TREATMENT_GROUPS, Lexicon
from .records import Citation, Conflict

# A number with its comparator and unit: "<10%", "≥ 90 %", "55 years", "6 months", "5 cm"; or a range, one
# quantity: "morbidity (5%–12%)" is not a morbidity of 5 % (lexicon.normalise has made every dash "-").
_NUMBER = r"\d+(?:[.,]\d+)?"
_UPPER = frozenset({"<", "<=", "≤", "up to", "less than", "under"})
_QUANTITY = re.compile(
    r"(?P<cmp>[<>≤≥]=?|up to|at least(?: for)?|more than|less than|greater than|over|under)?\s*"
    rf"(?P<num>{_NUMBER})(?:\s*%?\s*-\s*(?P<hi>{_NUMBER}))?\s*"
    r"(?P<unit>%|percent|years?|yrs?|months?|mo|cm|mm|weeks?|mg/dl|µmol/l)(?![a-z])",   # "transplantation.31 More"
    re.IGNORECASE,
)
# The time point of a rate: "5-year OS", "survival at 5 years", "30-day mortality", "PFS at month 20",
# "recurrence within 3 years". A 1-year and a 5-year survival are two quantities, not a disagreement.
_HORIZON = re.compile(r"\b(\d+)-(year|month|day)\b|\b(?:at|within) (\d+) (year|month|day)s?\b|"
                      r"\bat (year|month|day) (\d+)\b")
_HORIZON_AFTER = re.compile(r"^[\s,)]*(?:at|within|by) (\d+) (year|month|day)s?\b")
# "1-, 3-, and 5-year survival rates were 83%, 60%, and 52%, respectively": each value has its own time point.
_HORIZON_LIST_AT = re.compile(r"\bat ((?:\d+,\s*)+(?:and\s+)?\d+) (year|month)s\b")   # "at 1, 3, and 5 years"
_HORIZON_LIST = re.compile(r"\b((?:(?:\d+|one|two|three|four|five|ten)-?(?:,\s*|\s*(?=and\s)))+(?:and\s+)?\d+)-"
                           r"(year|month)\b")     # "1-, 3-, and 5-year", "5-and 10-year"
_LIST_WORD = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "ten": "10"}
# A list of values "..., respectively": each belongs to its own arm or time point ("response rates of 33% and 28%,
# respectively"), so a value read alone would be compared with the wrong thing.
_RESPECTIVELY = re.compile(rf"(?:{_NUMBER}\s*%\s*(?:,\s*(?:and\s+)?|and\s+|or\s+))+{_NUMBER}\s*%[^.;]{{0,100}}?"
                           r"\brespectively\b")
_LIST_VALUE = re.compile(rf"{_NUMBER}(?=\s*%)")   # each value of such a list
# "5-and 10-year survival rates of 87% and 77%": a list of values right after as many time points needs no
# "respectively" to say which is which.
_VALUE_LIST = re.compile(rf"(?:{_NUMBER}\s*%\s*(?:,\s*(?:and\s+)?|and\s+))+{_NUMBER}\s*%")
_TIMED_LIST_GAP = 40    # characters at most between the time points and the values
# "83% (range, 63-100%)", "97% (±6%)": the spread of a figure, no figure of its own; it would also break a list.
_SPREAD = re.compile(r"\s*\((?:range|iqr|±)[^()]{0,40}\)")
# "rates ranged from 33% to 90%", "ranging between 31.3% and 56.8%": one range, as "33-90%" is.
_RANGED = re.compile(rf"\b(rang(?:ed|ing|es?)\s+(?:from\s+|between\s+)?)({_NUMBER})\s*%?\s*(?:to|and|-)\s*"
                     rf"({_NUMBER})\s*%")
# "..., and 20%-25% will develop these lesions later": a figure opening a new clause is measured by what follows it;
# the word before it belongs to the clause before.
_NEW_CLAUSE = re.compile(r"(?:,\s*(?:and|but|while|whereas)|;)\s*$")
_NOT_A_MEASURE = re.compile(r"\b(?:at|within)\s*$")
_BY_TIME = re.compile(r"\bby\s*$")      # "99% by 10 years"; "reduced by 50%" is a figure
_TIME_UNITS = frozenset({"year", "years", "yr", "yrs", "month", "months", "mo"})
_CI = re.compile(r"\s*ci\b")
_COMPARATOR = re.compile(r"(?:\bvs\.?|\bversus|\bcompared (?:with|to))\s*$")
_CONTROL_ARM = re.compile(r"^\s*(?:in|for|of)\s+(?:the\s+)?(?:placebo|control)\b")
# "disease-free survival rates": the lexicon's OS group holds "survival rates", so the qualifier decides.
_QUALIFIED = re.compile(r"\b([a-z]+-(?:free|specific))\s*$")
_WORD = re.compile(r"[a-z][a-z0-9-]+")
# Words that sit next to numbers without naming the quantity measured.
_FILLER = STOPWORDS | {"approximately", "about", "around", "nearly", "only", "least", "than", "up", "range", "vs",
                       "versus", "group", "arm", "ranging", "ranged", "ranges", "median", "mean", "respectively",
                       "patients", "patient", "cases", "rate", "rates", "index", "reported", "showed", "shown", "was",
                       "were", "had",
                       "achieved", "study", "year", "years", "month", "months", "week", "weeks", "day", "days",
                       "reaching", "reached"}
_UNIT = {"percent": "%", "year": "years", "yrs": "years", "yr": "years", "month": "months", "mo": "months",
         "week": "weeks"}
# The arm a figure belongs to, named right after it: "97% when treated with liver resection/RFA", "18% in the
# 177Lu-DOTATATE group"; otherwise the agents named between the previous figure and this one.
_ARM_AFTER = re.compile(r"^\s*(?:\([^)]{0,20}\)\s*)?(?:\$[^$]{0,30}\$\s*)?,?\s*"
                        r"(?:when\s+(?:treated\s+)?with|(?:in\s+)?patients\s+treated\s+with|treated\s+with|"
                        r"(?:in|for)\s+the|after|following)\s+([^,;.]{1,50})")
# How much of the liver disease a debulking removes: "> 70% debulking", "more than 90% of the tumor can be excised",
# "at least 90% of the hepatic tumor mass", "at least 90% of the visible tumor can be removed", "a debulking threshold
# of 90%". Only stated limits count: "27% having 90-99%" or "not being able to achieve 90% cytoreduction" describe
# patients, not the threshold.
_EXTENT_AFTER = re.compile(r"^\s*(?:(?:liver|hepatic|netlm|nelm)\s+)?(?:debulking|cytoreduction)\b|"
                           r"^\s*of\s+(?:the\s+)?(?:visible\s+)?(?:hepatic\s+|liver\s+)?"
                           r"(?:tumor|disease|metastases|netlms?|nelms?)\b")
_EXTENT_CONTEXT = re.compile(r"debulk|cytoreduc|excised|removed")
_THRESHOLD_BEFORE = re.compile(r"(?:debulking|cytoreduction)\s+threshold\s+(?:of|to)\s*$")
_THRESHOLD_AFTER = re.compile(r"^\s*(?:(?:debulking|cytoreduction)\s+)?threshold\b")
_DESCRIBES_PATIENTS = re.compile(r"\b(?:had|having|reached|achieve[ds]?|achieving|with)\s*$")
EXTENT = "debulking extent"
# Names of the chemotherapy group that say which regimen, not that it is chemotherapy; two spellings of one drug.
_GENERIC_AGENTS = frozenset({"chemo", "chemotherapy", "chemotherapies", "cytotoxic"})
_REGIMEN_JOIN = re.compile(r"[\s()]*(?:(?:/|\+|-|,|and|plus|with)[\s()]*)?")   # "STZ (stz) with doxorubicin and"
_SAME_DRUG = {"stz": "streptozotocin", "streptozocin": "streptozotocin", "5-fu": "fluorouracil"}
# Measured outcomes: "> 60 %" of survival or "greater than 97 %" recurrence is a result, not a threshold.
_OUTCOMES = frozenset({"os", "pfs", "response", "adverse", "survival", "recurrence", "recurrences", "mortality",
                       "morbidity", "death", "deaths", "relapse", "progression", "complication", "complications",
                       "improvement", "relief", "control", "efficacy"})
# Words just before an outcome with a comparator that make it a limit ("acceptable morbidity (< 30 %)").
_CRITERION_CUE = re.compile(r"\b(?:criteria|criterion|acceptable|admissible|requires?|required|should|eligib\w*|"
                            r"indicat\w*|candidates?|thresholds?|cut-?offs?|limits?|allowed|permissible|selection)\b")
# "Ki-67% <10": the unit written before the limit.
_UNIT_FIRST = re.compile(r"(ki-?67)\s*%\s*([<>≤≥]=?\s*)(\d+(?:[.,]\d+)?)(?!\s*%)")
# "age <60": an age limit written without its unit.
_AGE_NO_UNIT = re.compile(r"\b(age\s*[<>≤≥]=?\s*)(\d+)(?!\d|[.,]\d|\s*(?:years?|yrs?|%))")
# "stable disease for at least 6 months", "disease stable for ...", "stability of ...": one criterion.
_STABLE = re.compile(r"\bstab(?:le|ility)\b[^,;()]{0,20}$")
# "(11.0 vs. 4.6 months)": the unit written once, after the comparator arm's figure, is the treatment's too.
_SHARED_UNIT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)"
                          r"(\s+(?:vs\.?|versus)\s+\d+(?:[.,]\d+)?\s*(months?|years?|weeks?|%))")
# A measure named after its number: "less than 5% mortality", "30% morbidity".
_AFTER = re.compile(r"^\s*(?:[a-z-]+\s+)?(mortality|morbidity|survival|recurrence|response|complications?)\b")
# "recurrence rates of NETLMs are 80-95%": the rate is the subject of the clause, not the population after "of".
_RATE_OF = re.compile(r"\b((?:recurrence|response|survival|mortality|morbidity|relapse|progression)(?:\s+rates?)?)\s+"
                      r"(?:of|in|among|for|after|following)\s+(?:[a-z0-9-]+\s+){1,4}?"
                      r"(?:is|are|was|were|ranged|ranges|ranging)"
                      r"(?:\s+(?:about|approximately|around|from|between))?\s*$")
# "80-95% within 5 years and 99% by 10 years": a second figure of the same rate at another time point.
_SAME_RATE_LATER = re.compile(r"^[\s,]*(?:(?:at|within|by)\s+\d+\s+(?:years?|months?)[\s,]*)?(?:and|or)\s*$")
# What a statement is about: a Ki-67 limit for transplantation and one for chemotherapy, or for grading, are
# different criteria, not a disagreement.
TOPICS = TREATMENT_GROUPS
_TRIALS = {"clarinet": "ssa", "promid": "ssa", "netter": "prrt"}
_GRADING = re.compile(r"\b(?:grade[sd]?|grading|g[123]|who\s+classification)\b")


@dataclass(frozen=True, slots=True)
class Quantity:
    subject: str         # the content word just before the number, canonicalised ("ki67", "age")
    unit: str
    value: str           # as written, comparator included ("<10%")
    number: float
    limit: bool = False  # written with a comparator: a threshold, not a measured result
    upper: float | None = None   # a range's upper end ("5%-12%"); None for a single number
    bound: str = ""      # "<" for an upper bound ("< 10%", "up to 5 cm"), ">" for a lower one ("more than 60%")
    arm: frozenset[str] = frozenset()   # treatments or drugs the figure is said of ("resection", "temozolomide")

    def interval(self) -> tuple[float, float]:
        lo, hi = self.number, self.number if self.upper is None else self.upper
        return (-math.inf, hi) if self.bound == "<" else (lo, math.inf) if self.bound == ">" else (lo, hi)

    def differs(self, other: "Quantity") -> bool:
        """Different figures: two bounds the same way that are not equal ("Ki-67 < 5%" and "< 10%"), or values
        that cannot both hold: "5%-12%" and "6%" agree, and so do "> 50%" and "52%", or "tumours > 3 cm" and
        "up to 5 cm"."""
        if self.bound and self.bound == other.bound:
            return self.interval() != other.interval()
        (lo, hi), (other_lo, other_hi) = self.interval(), other.interval()
        return hi < other_lo or other_hi < lo


def quantities(sentence: str, lexicon: Lexicon) -> list[Quantity]:
    """Numbers with units and the subject they qualify (nearest concept or content word before them); a rate's
    time point is part of its subject ("5-year os"). A value of a "..., respectively" list is left out unless
    the list of time points before it says which it is: its arm is not something this reader can tell."""
    out = []
    norm = _SPREAD.sub("", _UNIT_FIRST.sub(r"\1 \2\3%", lexicon.normalise(sentence)))
    norm = _RANGED.sub(r"\1\2-\3%", norm)
    norm = _AGE_NO_UNIT.sub(r"\1\2 years", _SHARED_UNIT.sub(r"\1 \3\2", norm))
    # The pattern is tried at every number of a sentence that lists many ("1% and 1% and ..."): quadratic, so only
    # where the word can match.
    respectively = list(_RESPECTIVELY.finditer(norm)) if "respectively" in norm else []
    spans = respectively + timed_lists(norm, respectively)
    listed, regimens = listed_horizons(norm, spans), listed_regimens(norm, respectively, lexicon)
    lists = [(m.start(), m.end()) for m in spans]
    previous_end, previous_subject = 0, ""
    for m in _QUANTITY.finditer(norm):
        horizon = listed.get(m.start("num"), "")
        regimen = regimens.get(m.start("num"), frozenset())
        if any(a <= m.start("num") < b for a, b in lists) and not horizon and not regimen:
            continue
        if dates_a_rate(norm, m) \
                or _CI.match(norm[m.end():]) or _COMPARATOR.search(norm[max(0, m.start("num") - 16):m.start("num")]) \
                or _CONTROL_ARM.match(norm[m.end():m.end() + 30]):
            # "at 5 years" dates a rate; "95% CI" is no figure of the text's own; "(11.0 vs. 4.6 months)", "4.6
            # months in the placebo arm": the comparator arm's figure, which read alone would be the treatment's
            continue
        if about_debulking_extent(norm, m):
            threshold = debulking_threshold(norm, m)
            if threshold:
                out.append(threshold)
            previous_end = m.end()
            continue
        criterion = bool(_CRITERION_CUE.search(norm[max(0, m.start() - 40):m.start()]))
        after = _AFTER.match(norm[m.end():m.end() + 30])
        before = norm[max(0, m.start() - 60):m.start()]
        if after:
            subject = after.group(1)
        elif previous_subject and _SAME_RATE_LATER.match(norm[previous_end:m.start()]):
            subject = previous_subject
        elif _NEW_CLAUSE.search(before):
            continue
        else:
            rate = _RATE_OF.search(before)
            subject = nearest_subject(before[:rate.end(1)] if rate else before, lexicon)
        if not subject or m.group("unit") == "%" and subject in TOPICS:
            # A percentage named by a treatment is the share of patients who had it ("most patients underwent
            # surgical resection (77.6%)") or an arm whose measure is named elsewhere ("22.4% for non-transplant
            # patients"), never one measure two reviews can be compared on: "resections of up to 70% of total
            # liver volume" had been set against the 77.6%.
            continue
        previous_subject = subject
        unit = _UNIT.get(m.group("unit").lower().rstrip("s") if m.group("unit") not in ("%",) else "%",
                         m.group("unit").lower())
        limit = bool(m.group("cmp")) and (criterion or subject not in _OUTCOMES)
        if unit == "%":
            # A time point before an earlier figure dates that one ("5-year OS of >50%, with morbidity < 30%").
            horizon = horizon or time_point(norm[max(previous_end, m.start() - 60):m.start()],
                                            norm[m.end():m.end() + 30])
            subject = f"{horizon} {subject}" if horizon else subject
        arm = regimen or figure_arm(norm, previous_end, m.start(), m.end(), lexicon)
        previous_end = m.end()
        num = float(m.group("num").replace(",", "."))
        upper = float(m.group("hi").replace(",", ".")) if m.group("hi") else None
        if unit == "months" or (unit == "years" and subject != "age"):
            # A duration in one unit: "stable disease at least for one year" against "for at least 6 months".
            scale = 12.0 if unit == "years" else 1.0
            num, upper, unit = num * scale, None if upper is None else upper * scale, "months"
            if _STABLE.search(norm[max(0, m.start() - 40):m.start()]):
                subject = "stable disease"
        value = " ".join(m.group(0).split())
        cmp = (m.group("cmp") or "").lower()
        bound = "<" if cmp in _UPPER else ">" if cmp else ""
        out.append(Quantity(subject, unit, value, num, limit, upper, bound, arm))
    return out


def dates_a_rate(norm: str, m: re.Match) -> bool:
    """"at 5 years", "within 3 years", "by 10 years": the time point of a rate, no figure of its own."""
    if m.group("cmp"):
        return False
    before = norm[max(0, m.start("num") - 8):m.start("num")]
    return bool(_NOT_A_MEASURE.search(before)
                or _BY_TIME.search(before) and m.group("unit").lower() in _TIME_UNITS)


def about_debulking_extent(norm: str, m: re.Match) -> bool:
    """Whether a figure says how much of the liver disease a debulking removes."""
    if m.group("unit") != "%" or not _EXTENT_CONTEXT.search(norm):
        return False
    return bool(_EXTENT_AFTER.match(norm[m.end():m.end() + 60])
                or _THRESHOLD_BEFORE.search(norm[max(0, m.start() - 40):m.start()]))


def debulking_threshold(norm: str, m: re.Match) -> Quantity | None:
    """Such a figure stated as a threshold ("more than 90% of the tumor can be excised", "the 70% debulking
    threshold"): a bound; None for patients' results ("27% having 90-99%", "who had at least 95% debulking")."""
    before, after = norm[max(0, m.start() - 40):m.start()], norm[m.end():m.end() + 60]
    threshold = bool(_THRESHOLD_BEFORE.search(before) or _THRESHOLD_AFTER.match(after))
    cmp = (m.group("cmp") or "").lower()
    if not (cmp or threshold) or _DESCRIBES_PATIENTS.search(before) or m.group("hi"):
        return None
    num = float(m.group("num").replace(",", "."))
    return Quantity(EXTENT, "%", " ".join(m.group(0).split()), num, True, None, "<" if cmp in _UPPER else ">")


def figure_arm(norm: str, previous_end: int, start: int, end: int, lexicon: Lexicon) -> frozenset[str]:
    """The treatments (by group) and chemotherapy drugs (by name) a figure is said of: those named right after it
    ("when treated with ..."), else those named since the previous figure."""
    after = _ARM_AFTER.match(norm[end:end + 90])
    text = after.group(1) if after else norm[previous_end:start]
    arm = set()
    for m in lexicon.pattern.finditer(text):
        group = lexicon.form_to_group[m.group(1)]
        drug = drug_name(m.group(1), group)
        if drug:
            arm.add(drug)
        elif group in TOPICS:
            arm.add(group)
            if group == "debulking":
                arm.add("resection")     # a partial hepatectomy: see quantity_topic
    return frozenset(arm)


def drug_name(form: str, group: str) -> str:
    """The chemotherapy drug a lexicon form names ("stz" -> "streptozotocin"); "" for any other form, "chemotherapy"
    itself included: it says that a treatment is chemotherapy, not which regimen."""
    if group != "chemotherapy" or form in _GENERIC_AGENTS:
        return ""
    return _SAME_DRUG.get(form, form)


def at_odds(a: Quantity, about_a: str, b: Quantity, about_b: str) -> bool:
    """Two figures for one quantity that cannot both hold, about the same treatment and arm (`about_*`: the topic
    of the statement each is in, `quantity_topic`)."""
    return about_a == about_b and a.differs(b) and same_arm(a, about_a, b, about_b)


def same_arm(a: Quantity, about_a: str, b: Quantity, about_b: str) -> bool:
    """Whether two figures can be said of the same treatment: a 5-year OS after resection/RFA is no other
    figure for the 5-year OS after transplantation its section is about, nor is a response rate of
    temozolomide/capecitabine one for streptozotocin/doxorubicin. A figure with no arm of its own is about its
    statement's topic, which must be among the other's treatments; a chemotherapy figure without its regimen is not
    compared with a named regimen's (the 17.8 % of XELBEVOCT, named only in the sentence before, is no CAPTEM figure);
    when neither names an arm, nothing says they differ."""
    if a.arm and b.arm:
        return bool(a.arm & b.arm)
    named, about = (a.arm, about_b) if a.arm else (b.arm, about_a)
    if not named:
        return True
    if not named <= TOPICS:
        return False     # a regimen by its drugs against a figure of chemotherapy whose regimen is not named
    return not about or about in named


def time_point(before: str, after: str) -> str:
    """"5-year", "20-month", "30-day": the last time point named before the number, or one right after it
    ("over 70% at 5 years"); "" when none."""
    m = _HORIZON_AFTER.match(after)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    found = list(_HORIZON.finditer(before))
    if not found:
        return ""
    g = found[-1].groups()
    n, unit = (g[0], g[1]) if g[0] else (g[2], g[3]) if g[2] else (g[5], g[4])
    return f"{n}-{unit}"


def listed_regimens(norm: str, spans: list[re.Match], lexicon: Lexicon) -> dict[int, frozenset[str]]:
    """Start of each value of a "..., respectively" list -> its chemotherapy regimen, when the sentence names as many
    different regimens before it, in order ("OS was not reached in the capecitabine/temozolomide and was 38 months for
    the temozolomide only group, with ... response rates of 33% and 28%, respectively"). Only drug regimens: two
    treatments named before a list are as often its subject as its arms ("ablation used with resection: 5- and
    10-year OS of 80% and 59%")."""
    out: dict[int, frozenset[str]] = {}
    for span in spans:
        regimens: list[set[str]] = []
        last_end = -1
        for m in lexicon.pattern.finditer(norm[:span.start()]):
            drug = drug_name(m.group(1), lexicon.form_to_group[m.group(1)])
            if not drug:
                continue
            if regimens and _REGIMEN_JOIN.fullmatch(norm[last_end:m.start()]):
                regimens[-1].add(drug)       # "capecitabine/temozolomide", "5-FU and doxorubicin"
            else:
                regimens.append({drug})
            last_end = m.end()
        values = list(_LIST_VALUE.finditer(span.group(0)))
        arms = [frozenset(r) for r in regimens]
        if len(arms) != len(values) or len(set(arms)) != len(arms):
            continue
        for v, arm in zip(values, arms):
            out[span.start() + v.start()] = arm
    return out


def time_point_lists(text: str) -> list[re.Match]:
    """"1-, 3-, and 5-year", "5-and 10-year", "at 1, 3, and 5 years" in `text`, in order: group 1 the numbers,
    group 2 the unit."""
    return sorted([*_HORIZON_LIST.finditer(text), *_HORIZON_LIST_AT.finditer(text)], key=lambda p: p.end())


def timed_lists(norm: str, respectively: list[re.Match]) -> list[re.Match]:
    """Lists of values without "respectively" that follow a list of time points closely ("5-and 10-year survival
    rates of 87% and 77%")."""
    out = []
    for m in _VALUE_LIST.finditer(norm):
        if any(r.start() <= m.start() < r.end() for r in respectively):
            continue
        if any(p.end() >= m.start() - _TIMED_LIST_GAP for p in time_point_lists(norm[:m.start()])):
            out.append(m)
    return out


def listed_horizons(norm: str, spans: list[re.Match]) -> dict[int, str]:
    """Start of each value of a "..., respectively" list (`spans`) -> its time point, when a list of as many time
    points comes before it ("1-, 3-, and 5-year ... 81%, 65%, and 52%, respectively")."""
    out: dict[int, str] = {}
    for span in spans:
        points = time_point_lists(norm[:span.start()])
        if not points:
            continue
        last = points[-1]
        counts = [_LIST_WORD.get(w, w) for w in re.findall(r"\d+|[a-z]+", last.group(1)) if w != "and"]
        values = list(_LIST_VALUE.finditer(span.group(0)))
        if len(values) != len(counts):
            continue
        for v, n in zip(values, counts):
            out[span.start() + v.start()] = f"{n}-{last.group(2)}"
    return out


def topic(section: str, sentence: str, lexicon: Lexicon) -> str:
    """The one treatment a statement is about: its section's, else the first its sentence names ("LT criteria:
    Ki-67 < 10 %, ..., resection of the primary" is about transplantation); "grading" for a grading statement;
    "" when nothing says."""
    for text in (section, sentence):
        for c in lexicon.concepts(text):
            c = _TRIALS.get(c, c)
            if c in TOPICS:
                return c
    return "grading" if _GRADING.search(lexicon.normalise(sentence)) else ""


def quantity_topic(q: Quantity, about: str) -> str:
    """A debulking threshold is about debulking whichever section states it (Macedo's is under surgical treatment).
    Any other figure of a debulking section is one of resection: debulking is a partial hepatectomy, and the reviews
    count its recurrence and survival among resection's (Gangi's "even if effective debulking can be performed,
    recurrence rates of NETLMs are 80-95% within 5 years" against Macedo's "recurrence after resection ... greater
    than 97%"; research/criteria.md D11, D12)."""
    if q.subject == EXTENT:
        return "debulking"
    return "resection" if about == "debulking" else about


def nearest_subject(before: str, lexicon: Lexicon) -> str:
    """The concept or content word closest before the number ("age < 55": age, not an earlier Ki-67)."""
    best_pos, subject = -1, ""
    for m in lexicon.pattern.finditer(before):
        if m.end() > best_pos:
            best_pos, subject = m.end(), lexicon.form_to_group[m.group(1)]
            qualified = _QUALIFIED.search(before[:m.start()])
            if qualified and subject == "os":       # "disease-free survival rates" is not overall survival
                subject = f"{qualified.group(1)} survival"
    for m in _WORD.finditer(before):
        if m.group(0) not in _FILLER and m.end() > best_pos:
            best_pos, subject = m.end(), m.group(0)
    return subject


def find_conflicts(citations: list[Citation], lexicon: Lexicon) -> tuple[Conflict, ...]:
    """Citations from different documents giving different values for one subject and unit, about the same
    treatment (or grading, or both about nothing named)."""
    seen: dict[tuple[str, str, str], list[tuple[Citation, Quantity]]] = {}
    for c in citations:
        about = topic(c.section, c.text, lexicon)
        for q in quantities(c.text, lexicon):
            seen.setdefault((q.subject, q.unit, quantity_topic(q, about)), []).append((c, q))
    conflicts = []
    for (subject, unit, about), mentions in seen.items():
        # Each review with a figure that differs from another review's on the same arm, by its first such figure
        # (a review may state the threshold it argues against before its own).
        by_doc: dict[str, tuple[Citation, Quantity]] = {}
        for c, q in mentions:
            if c.doc_id not in by_doc and any(c2.doc_id != c.doc_id and at_odds(q, about, q2, about)
                                              for c2, q2 in mentions):
                by_doc[c.doc_id] = (c, q)
        if len(by_doc) < 2:
            continue
        pairs = sorted(by_doc.values(), key=lambda cq: cq[1].number)
        # Reviews giving the same figure share one entry: "at least 6 months (Gangi 2020, Dermine 2019) vs ...".
        same: dict[tuple, list[tuple[Citation, Quantity]]] = {}
        for c, q in pairs:
            same.setdefault((q.interval(), q.bound), []).append((c, q))
        conflicts.append(Conflict(
            topic=f"{subject.replace('_', ' ')} ({unit})",
            statements=tuple(c for c, _ in pairs),
            values=tuple(f"{group[0][1].value} ({', '.join(c.document for c, _ in group)})" for group in same.values()),
            thresholds=all(q.limit for _, q in pairs),
        ))
    return tuple(conflicts)
