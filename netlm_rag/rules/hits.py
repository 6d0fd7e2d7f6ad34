"""Raw hits and how they are made: the RawHit record, regex pieces for numbers and comparators, and the flag and
number extractor factories that most of the pattern table is written with."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .context import clause

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


def to_float(s: str) -> float:
    s = s.lower().strip()
    return float(WORDS[re.sub(r"\s+", " ", s)]) if s[0].isalpha() else float(s.replace(",", "."))


def cmp_qualifier(m: re.Match) -> str:
    word = m.groupdict().get("cmp") or ""
    return CMP_WORDS.get(re.sub(r"\s+", " ", word.lower()).strip(), "")


def span_claims(m: re.Match, *groups: str) -> tuple[int, ...]:
    return tuple(p for g in groups if m.groupdict().get(g) for p in range(m.start(g), m.end(g)))


def _rejected(text: str, m: re.Match, before: re.Pattern | None, after: re.Pattern | None) -> bool:
    b, a = clause(text, m.start(), m.end())
    return bool((before and before.search(b)) or (after and after.match(a)))


def flag(field: str, pattern: str, value: Any, negated: Any = None, *, negatable: bool = True, note: str = "",
         reject_before: str | None = None, reject_after: str | None = None) -> Extractor:
    rx = re.compile(pattern, re.I)
    rb, ra = (re.compile(p, re.I) if p else None for p in (reject_before, reject_after))

    def extract(text: str) -> Iterator[RawHit]:
        for m in rx.finditer(text):
            if not _rejected(text, m, rb, ra):
                yield RawHit(field, value, m.start(), m.end(), negated, negatable, note=note)
    return extract


def number(field: str, pattern: str, policy: str, *, reject_before: str | None = None) -> Extractor:
    rx = re.compile(pattern, re.I)
    rb = re.compile(reject_before, re.I) if reject_before else None

    def extract(text: str) -> Iterator[RawHit]:
        for m in rx.finditer(text):
            if _rejected(text, m, rb, None):
                continue
            value, low = to_float(m.group("v")), None
            if m.groupdict().get("v2"):
                low, value = sorted((value, to_float(m.group("v2"))))
            yield RawHit(field, value, m.start(), m.end(), negatable=False, qualifier=cmp_qualifier(m), low=low,
                         claims=span_claims(m, "v", "v2"), policy=policy)
    return extract
