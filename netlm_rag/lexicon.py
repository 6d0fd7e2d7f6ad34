"""Text analysis for lexical search: a tokenizer made for this text, spelling variants, domain synonyms."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

# Common English function words; clinical words ("no", "not", "without") are kept on purpose
# because negation changes meaning in criteria ("no extrahepatic disease").
STOPWORDS = frozenset("""
a an the and or of in on at to for from by with as is are was were be been being this that these those
it its into than then there their they them which who whom whose what when where why how can could
should would may might will shall do does did has have had having also such our we i you your he she
his her about after before over under between during both each other some any all more most very
per via if so just only same own up down out off again further once here s t
""".split())

# The synonym groups that name a treatment: what a statement or a follow-up question can be about.
TREATMENT_GROUPS = frozenset({"embolization", "radioembolization", "prrt", "ssa", "transplant", "ablation",
                              "cryotherapy", "resection", "debulking", "chemotherapy", "everolimus", "sunitinib"})

# Groups that name what a question asks about a thing (its survival, dose, contraindications ...), not a thing it
# is about: answer.cover_parts requires each rare *thing* the question names (a Whipple, the UNOS registry, PVE) to
# be stated, but not each aspect, which is what the sentence's numbers or verbs answer.
ASPECT_GROUPS = frozenset({"os", "pfs", "response", "recurrence", "adverse", "qol", "rct", "dose", "contraindication",
                           "prophylaxis", "symptom_control", "liver_burden", "curative", "neoadjuvant"})

CONCEPT_PREFIX = "~"   # concept tokens cannot collide with words: the tokenizer never emits "~"

# Keep Ki-67, 177Lu, Y-90, DEB-TACE, 5-HIAA, NETTER-1 and numbers with % or decimals as single tokens.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+%?|[a-z0-9µ]+(?:[-/][a-z0-9µ]+)*%?", re.UNICODE)


_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBERS) + r")(?=[- ](?:years?|months?|weeks?|days?|cm|mm|lesions?|"
                          r"metastas[ie]s|cycles?|doses?|administrations?|fold|times))")
_YEARS = re.compile(r"\b(\d+)[- ]?yrs?\b")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Synonym groups compiled once; pure functions of text afterwards."""

    pattern: re.Pattern[str]
    form_to_group: dict[str, str]
    expansions: dict[str, str]
    spelling: tuple[tuple[str, str], ...]
    # Forms naming one drug of a group of several (octreotide, lanreotide of the SSAs) -> that drug.
    form_to_member: dict[str, str] = field(default_factory=dict)

    def normalise(self, text: str) -> str:
        """Lower-case, fold unicode compatibility forms (⁹⁰Y → 90y), British → American spelling."""
        t = unicodedata.normalize("NFKC", text).lower()
        t = t.replace("–", "-").replace("—", "-").replace("‐", "-")
        for pattern, repl in self._rewrites():
            t = pattern.sub(repl, t)
        return t

    def _rewrites(self) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
        """The rewrites after case and unicode folding, in order; `normalise` and `normalise_mapped` share them."""
        return [*((re.compile(re.escape(brit)), lambda m, a=amer: a) for brit, amer in self.spelling),
                (_NUMBER_WORD, lambda m: _NUMBERS[m.group(1)]),         # "five-year" == "5-year"
                (_YEARS, lambda m: m.group(1) + "-year")]               # "5-yr", "5 yrs" == "5-year"

    def normalise_mapped(self, text: str) -> tuple[str, list[int]]:
        """`normalise(text)` and, for each of its characters, the position in `text` it came from: offsets of a
        match in the normalised text are offsets in the text as written ("tumour" became "tumor" before it)."""
        chars: list[str] = []
        index: list[int] = []
        for i, c in enumerate(text):
            n = unicodedata.normalize("NFKC", c).lower()
            n = n.replace("–", "-").replace("—", "-").replace("‐", "-")
            chars.append(n)
            index.extend([i] * len(n))
        t = "".join(chars)
        for pattern, repl in self._rewrites():
            t, index = _sub_mapped(pattern, repl, t, index)
        return t, index

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, group) of each synonym-group form in `text`, as offsets into `text` itself."""
        norm, index = self.normalise_mapped(text)
        return [(index[m.start(1)], index[m.end(1) - 1] + 1, self.form_to_group[m.group(1)])
                for m in self.pattern.finditer(norm)]

    def concepts(self, text: str) -> list[str]:
        """Synonym groups mentioned in the text, in order of first mention."""
        seen: dict[str, None] = {}
        for m in self.pattern.finditer(self.normalise(text)):
            seen.setdefault(self.form_to_group[m.group(1)], None)
        return list(seen)

    def tokenize(self, text: str) -> list[str]:
        """Word tokens (stemmed lightly) plus one concept token per synonym group mentioned."""
        norm = self.normalise(text)
        words = [stem(t) for t in _TOKEN.findall(norm) if t not in STOPWORDS]
        for part in list(words):
            if "-" in part:                     # "deb-tace" also matches a query for "tace"
                words.extend(p for p in part.split("-") if p and p not in STOPWORDS)
        return words + [CONCEPT_PREFIX + c for c in self.concepts(text)]

    def narrowed(self, text: str) -> dict[str, frozenset[str]]:
        """Groups the text names only by some of their drugs (group -> those drugs): *What's the dose of
        lanreotide?* asks about lanreotide, not about any SSA, and octreotide's doses are not its answer."""
        named: dict[str, set[str]] = {}
        generic: set[str] = set()
        for m in self.pattern.finditer(self.normalise(text)):
            group, member = self.form_to_group[m.group(1)], self.form_to_member.get(m.group(1))
            if member is None:
                generic.add(group)
            else:
                named.setdefault(group, set()).add(member)
        return {g: frozenset(ms) for g, ms in named.items() if g not in generic}

    def query_tokens(self, text: str) -> list[str]:
        """`tokenize` for a question: a group it names only by some of its drugs gives no concept token, which
        would match every sentence on the group's other drugs as well as on the ones asked about, but the drugs'
        own names, which the reviews use where a question may write a brand (Sandostatin: octreotide)."""
        narrowed = self.narrowed(text)
        drop = {CONCEPT_PREFIX + g for g in narrowed}
        tokens = [t for t in self.tokenize(text) if t not in drop]
        names = [stem(m) for ms in narrowed.values() for m in sorted(ms)]
        return tokens + [n for n in names if n not in tokens]

    def expand_query(self, query: str) -> str:
        """The query plus each mentioned group's expansion text: helps the dense retriever with acronyms. For a
        group named only by some of its drugs, the expansion leaves out the others."""
        narrowed = self.narrowed(query)
        extra = [self.expansions[c] if c not in narrowed else self._expansion_for(c, narrowed[c])
                 for c in self.concepts(query)]
        return query if not extra else f"{query} ({'; '.join(extra)})"

    def _expansion_for(self, group: str, members: frozenset[str]) -> str:
        kept = []
        for word in self.expansions[group].split():
            member = self.form_to_member.get(self.normalise(word))
            if member is None or member in members:
                kept.append(word)
        return " ".join(kept)


# Greek plurals in -ses whose singular ends in -sis (metastases, analyses, diagnoses, anastomoses, crises);
# every other -ses word is an English plural of a word in -se (cases, diseases, responses, doses).
_GREEK_PLURALS = ("stases", "lyses", "noses", "moses", "theses", "croses", "boses", "broses", "rhoses", "crises")


def _sub_mapped(pattern: re.Pattern[str], repl, text: str, index: list[int]) -> tuple[str, list[int]]:
    """re.sub that carries each character's original position along; a replacement's last character keeps the
    position of the last character it replaced, so a span's end stays right when a word shrinks or grows."""
    out: list[str] = []
    where: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last:m.start()])
        where.extend(index[last:m.start()])
        new = repl(m)
        span = index[m.start():m.end()] or [index[m.start() - 1] if m.start() else 0]
        out.append(new)
        where.extend(span[-1] if k == len(new) - 1 else span[min(k, len(span) - 1)] for k in range(len(new)))
        last = m.end()
    out.append(text[last:])
    where.extend(index[last:])
    return "".join(out), where


def stem(token: str) -> str:
    """Plural and a few suffixes only: aggressive stemming merges clinical terms that differ."""
    if len(token) <= 4 or not token.isalpha():
        return token
    if token.endswith(_GREEK_PLURALS):
        return token[:-3] + "sis"
    if token.endswith(("sses", "ches", "shes", "xes")):     # abscesses, approaches: the -es is the plural
        return token[:-2]
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


SYNONYMS = Path(__file__).parent / "data" / "synonyms.json"


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Compiled from netlm_rag/data/synonyms.json (data, so clinicians can review it)."""
    return build_lexicon(json.loads(SYNONYMS.read_text(encoding="utf-8")))


# Bump when tokenize() or stem() changes what a text's tokens are: the BM25 index of a build holds them.
TOKENIZER_VERSION = "2"     # 2: -ses plurals of -se words (cases, diseases, responses) meet their singular


def lexicon_fingerprint() -> str:
    """Changes with the synonym table and the tokenizer, which decide the BM25 tokens of every chunk: part of
    the build key (not of the adapted model's key: the model never sees these tokens)."""
    return hashlib.sha256(TOKENIZER_VERSION.encode() + SYNONYMS.read_bytes()).hexdigest()[:16]


def build_lexicon(data: dict) -> Lexicon:
    spelling = tuple((a, b) for a, b in data.get("spelling", ()))
    probe = Lexicon(re.compile("(?!)"), {}, {}, spelling)
    form_to_group: dict[str, str] = {}
    for group, spec in data["groups"].items():
        for form in spec["forms"]:
            form_to_group[probe.normalise(form)] = group
    forms = sorted(form_to_group, key=len, reverse=True)   # longest first: "liver transplantation" before "lt"
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])")
    expansions = {g: spec["expand"] for g, spec in data["groups"].items()}
    form_to_member = {probe.normalise(form): member for spec in data["groups"].values()
                      for member, member_forms in spec.get("members", {}).items() for form in member_forms}
    unknown = sorted(f for group, spec in data["groups"].items() for forms in spec.get("members", {}).values()
                     for f in forms if form_to_group.get(probe.normalise(f)) != group)
    if unknown:
        raise ValueError(f"synonyms.json: member forms that are no form of their group: {unknown}")
    return Lexicon(pattern, form_to_group, expansions, spelling, form_to_member)
