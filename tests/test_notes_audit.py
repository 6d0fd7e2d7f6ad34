"""eval/notes_audit.py: the figures it lists are the note reader's, sentence by sentence, and `compare` names what a
change to the reader adds and removes (the notes command loads the model; it runs in the evaluation, not here)."""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@cache
def audit():
    spec = importlib.util.spec_from_file_location("notes_audit", ROOT / "eval" / "notes_audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_figures_are_listed_per_prose_sentence_of_the_corpus():
    rows = audit().figures()
    assert len({r["sentence"] for r in rows}) == len(rows) > 1000
    d11 = [r for r in rows if "recurrence rates of NETLMs are 80" in r["sentence"]]
    assert [r["doc"] for r in d11] == ["gangi-2020"]
    assert ["5-year recurrence", "%", "80-95%", ["debulking", "resection"]] in d11[0]["figures"]


def test_compare_names_what_was_added_and_removed():
    old = [{"question": "q", "topic": "ki67 (%)", "values": ["< 5% (A)", "< 10% (B)"]}]
    new = [{"question": "q", "topic": "age (years)", "values": ["< 55 years (A)", "< 60 years (B)"]}]
    lines = audit().compare(old, new)
    assert sorted(line[0] for line in lines) == ["+", "-"] and "ki67" in next(x for x in lines if x[0] == "-")
    assert audit().compare(old, old) == []
