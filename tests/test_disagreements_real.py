"""The disagreements of research/criteria.md §14 as the reviews state them: each pair of real sentences, cited
together, must give the note a clinician needs, and the pairs that only look alike must give none.

Numbers and units are read from the text (`conflicts.py`); nothing here names a value the reader should find
except as the expected note.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from netlm_rag.chunking import chunk_document
from netlm_rag.config import ChunkingSettings
from netlm_rag.conflicts import find_conflicts
from netlm_rag.corpus import load_corpus
from netlm_rag.lexicon import default_lexicon
from netlm_rag.records import Citation

ROOT = Path(__file__).resolve().parents[1]
L = default_lexicon()


@cache
def sentences() -> tuple[tuple[Citation, ...], ...]:
    out = []
    for d in load_corpus(ROOT / "corpus"):
        for c in chunk_document(d, ChunkingSettings()):
            if c.kind == "prose":
                out.append(tuple(Citation(c.id, d.id, d.short_name, c.section, s.start, s.end, c.text[s.start:s.end])
                                 for s in c.sentences))
    return tuple(out)


def cite(doc_id: str, snippet: str) -> Citation:
    # Neighbouring chunks share a sentence: the same text twice is one sentence.
    found = list({s.text: s for chunk in sentences() for s in chunk
                  if s.doc_id == doc_id and snippet in s.text}.values())
    assert len(found) == 1, f"{doc_id}: {snippet!r} found {len(found)} times"
    return found[0]


def notes(*cites: Citation) -> list[tuple[str, tuple[str, ...], bool]]:
    return [(c.topic, c.values, c.thresholds) for c in find_conflicts(list(cites), L)]


# (criteria.md item, first sentence, second sentence, the note expected)
FOUND = [
    ("D7 debulking threshold", ("macedo-2013", "more than 90% of the tumor can be excised"),
     ("gangi-2020", "further validated the 70% debulking threshold"),
     ("debulking extent (%)", ("70% (Gangi 2020)", "more than 90% (Macedo 2013)"), True)),
    ("D14 LT Ki-67", ("la-salvia-2016", "prospectively applying strict inclusion criteria"),
     ("dermine-2019", "Finally, liver transplantation may be an option"),
     ("ki67 (%)", ("< 5% (La Salvia 2016)", "< 10% (Dermine 2019)"), True)),
    ("D15 LT age", ("la-salvia-2016", "prospectively applying strict inclusion criteria"),
     ("gangi-2020", "Mazzaferro et al. reported outcomes"),
     ("age (years)", ("< 55 years (La Salvia 2016)", "<60 years (Gangi 2020)"), True)),
    ("D16 LT stable disease", ("la-salvia-2016", "prospectively applying strict inclusion criteria"),
     ("macedo-2013", "stable disease at least for one year"),
     ("stable disease (months)", ("at least 6 months (La Salvia 2016)", "at least for 1 year (Macedo 2013)"), True)),
    ("D20 LT 5-year OS", ("la-salvia-2016", "the 5-year OS rate was 52%"),
     ("macedo-2013", "The 5-year overall survival was 57.8%"),
     ("5-year os (%)", ("52% (La Salvia 2016)", "57.8% (Macedo 2013)"), False)),
    ("D31 NETTER-1 response", ("dermine-2019", "The response rate was 18% in the 177Lu-DOTATATE group"),
     ("la-salvia-2016", "overall response rate (19% vs. 3%"),
     ("response (%)", ("18% (Dermine 2019)", "19% (La Salvia 2016)"), False)),
    ("D36 RADIANT-3 PFS", ("la-salvia-2016", "longer median PFS (11.0 vs. 4.6 months)"),
     ("macedo-2013", "progression-free survival of 11.1 months"),
     ("pfs (months)", ("11.0 months (La Salvia 2016)", "11.1 months (Macedo 2013)"), False)),
    # E2211's "33% and 28%, respectively": the regimens named before the list, in order, are its arms.
    ("D39 CAPTEM response", ("macedo-2013", "temozolamide and capecitabine, the response rate was 70%"),
     ("gangi-2020", "similar partial/complete response rates of 33% and 28%"),
     ("response (%)", ("33% (Gangi 2020)", "70% (Macedo 2013)"), False)),
    # "recurrence rates of NETLMs are 80-95% within 5 years", said of debulking: a rate's subject is the rate, and
    # debulking's recurrence is resection's.
    ("D11 recurrence after resection", ("gangi-2020", "recurrence rates of NETLMs are 80"),
     ("macedo-2013", "5-year recurrence rate being greater than 97%"),
     ("5-year recurrence (%)", ("80-95% (Gangi 2020)", "greater than 97% (Macedo 2013)"), False)),
    ("D37 sunitinib PFS", ("macedo-2013", "11.4 months compared with 5.5 months"),
     ("gangi-2020", "11.5 months vs 5.5 months"),
     ("sunitinib (months)", ("11.4 months (Macedo 2013)", "11.5 months (Gangi 2020)"), False)),
]

UNLIKE = [
    ("another treatment's survival", ("gangi-2020", "when treated with liver resection/RFA"),
     ("macedo-2013", "The 5-year overall survival was 57.8%")),
    ("another regimen's response", ("la-salvia-2016", "reported a response rate of 39%"),
     ("macedo-2013", "temozolamide and capecitabine, the response rate was 70%")),
    ("another time point", ("cloyd-2020", ">70% will occur within 3 years"),
     ("macedo-2013", "5-year recurrence rate being greater than 97%")),
    ("the same debulking threshold", ("macedo-2013", "more than 90% of the tumor can be excised"),
     ("dermine-2019", "at least 90% of the hepatic tumor mass")),
    ("the other arm of a list", ("gangi-2020", "similar partial/complete response rates of 33% and 28%"),
     ("la-salvia-2016", "reported a response rate of 39%")),
    ("patients' results are no threshold", ("macedo-2013", "more than 90% of the tumor can be excised"),
     ("gangi-2020", "Most patients (55%) reached 100% debulking")),
    ("a liver volume against a share of patients", ("la-salvia-2016", "resections of up to 70% of total liver volume"),
     ("gangi-2020", "most patients underwent surgical resection (77.6%)")),
    ("a figure of the next clause", ("la-salvia-2016", "At diagnosis, about 65-95%"),
     ("macedo-2013", "and 20%–25% will develop these lesions")),
    ("ranges of two outcomes", ("la-salvia-2016", "the 5-year OS rates ranged from 33% to 90%"),
     ("dermine-2019", "Recurrence after liver transplantation ranged between")),
]


@pytest.mark.parametrize("ref,a,b,expected", FOUND, ids=[f[0] for f in FOUND])
def test_a_disagreement_of_the_register_is_found(ref, a, b, expected):
    assert notes(cite(*a), cite(*b)) == [expected]


@pytest.mark.parametrize("ref,a,b", UNLIKE, ids=[f[0] for f in UNLIKE])
def test_figures_that_only_look_alike_give_no_note(ref, a, b):
    assert notes(cite(*a), cite(*b)) == []
