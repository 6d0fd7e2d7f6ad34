"""QA set: loading, validation against the raw corpus, gold spans, the stable hold-out split, and the
delivered eval/qa.jsonl + eval/qa_holdout.jsonl."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from netlm_rag.corpus import load_corpus
from netlm_rag.errors import BadInput
from netlm_rag.evaluation.qaset import GoldSpan, QAItem, gold_spans, is_holdout, load_qa, validate
from netlm_rag.records import Document

ROOT = Path(__file__).resolve().parents[1]
RAW = "Header.\n\nLiver transplantation requires Ki-67 < 5%. Age below 55 years.\n"
DOCS = (Document("smith-2020", "Smith 2020", "t", (), "j", 2020, "", "", "001_smith.txt", "x", RAW),)


def item(**over) -> dict:
    d = {"id": "q1", "question": "Ki-67 limit?", "answer": "Ki-67 < 5% per Smith.", "key_facts": ["ki-67 < 5%"],
         "sources": [{"file": "smith-2020", "quote": "Liver transplantation requires Ki-67 < 5%."}],
         "answerable": True, "type": "threshold", "difficulty": "easy"}
    d.update(over)
    return d


def write(tmp_path: Path, rows: list) -> Path:
    p = tmp_path / "qa.jsonl"
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return p


def test_load_and_round_trip(tmp_path):
    rows = [item(), item(id="q2", expected_verdicts={"liver_transplant": "eligible"}),
            item(id="q3", history=["What does Dermine require for LT?"]), ""]
    items = load_qa(write(tmp_path, rows))
    assert [i.id for i in items] == ["q1", "q2", "q3"] and items[1].verdicts == {"liver_transplant": "eligible"}
    assert items[2].history == ("What does Dermine require for LT?",) and items[0].history == ()
    assert all(QAItem.from_dict(i.to_dict()) == i for i in items)
    assert validate(items, DOCS) == []


def test_load_reports_bad_lines_with_numbers(tmp_path):
    rows = [item(), "{not json", item(id="q3", answerable="yes"), {k: v for k, v in item(id="q4").items() if k != "type"}]
    with pytest.raises(BadInput) as err:
        load_qa(write(tmp_path, rows))
    msg = str(err.value)
    assert "qa.jsonl:2: not JSON" in msg and "qa.jsonl:3: 'answerable' must be bool" in msg
    assert "qa.jsonl:4: missing field 'type'" in msg
    for bad in (["", "And for TACE?"], "What about LT?", [3]):
        with pytest.raises(BadInput, match="history"):
            load_qa(write(tmp_path, [item(history=bad)]))
    with pytest.raises(BadInput, match="no QA file"):
        load_qa(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("over, expected", [
    ({"key_facts": ["ki-67 < 10%"]}, "key fact 'ki-67 < 10%' is not in the gold answer"),
    ({"sources": [{"file": "smith-2020", "quote": "Ki-67 < 10%."}]}, "quote not verbatim in smith-2020"),
    ({"sources": [{"file": "nobody.txt", "quote": "x"}]}, "unknown document 'nobody.txt'"),
    ({"answerable": False}, "unanswerable item has sources"),
    ({"sources": []}, "answerable item has no sources"),
    ({"difficulty": "trivial"}, "difficulty 'trivial'"),
    ({"expected_verdicts": {"resection": "maybe"}}, "expected_verdicts['resection'] = 'maybe'"),
])
def test_validate_names_each_problem(over, expected):
    errors = validate([_unchecked(item(**over))], DOCS)
    assert any(expected in e for e in errors), errors


def _unchecked(d: dict) -> QAItem:
    """An item built without from_dict's checks, as a caller could construct one."""
    from netlm_rag.evaluation.qaset import Source
    return QAItem(d["id"], d["question"], d["answer"], tuple(d["key_facts"]),
                  tuple(Source(s["file"], s["quote"]) for s in d["sources"]), d["answerable"], d["type"],
                  d["difficulty"], tuple(sorted((d.get("expected_verdicts") or {}).items())))


def test_validate_duplicate_ids_and_delivered_file_name():
    a = QAItem.from_dict(item(sources=[{"file": "001_smith.txt", "quote": "Age below 55 years."}],
                              key_facts=[], answer="x"))
    assert validate([a, a], DOCS) == ["q1: duplicate id"]


def test_key_facts_match_case_and_spacing_insensitively():
    assert validate([QAItem.from_dict(item(key_facts=["KI-67  <  5%"]))], DOCS) == []


def test_gold_spans_are_raw_offsets():
    it = QAItem.from_dict(item(sources=[{"file": "001_smith.txt", "quote": "Age below 55 years."},
                                        {"file": "smith-2020", "quote": "Liver transplantation"}]))
    spans = gold_spans(it, DOCS)
    assert spans == (GoldSpan("smith-2020", RAW.index("Age"), RAW.index("Age") + 19),
                     GoldSpan("smith-2020", 9, 9 + len("Liver transplantation")))
    assert all(RAW[s.start:s.end] == q.quote for s, q in zip(spans, it.sources))


def test_holdout_is_stable_and_about_a_fifth_per_type():
    rows = [{"id": f"x-{i:04d}", "type": t} for i in range(2000) for t in ("factual", "vignette")]
    held = Counter(r["type"] for r in rows if is_holdout(r))
    assert all(0.17 < held[t] / 2000 < 0.23 for t in ("factual", "vignette"))
    first = {r["id"] for r in rows[:100] if is_holdout(r)}
    assert first == {r["id"] for r in rows[:100] if is_holdout(dict(r))}     # depends on the item alone


SETS = [ROOT / "eval" / "qa.jsonl", ROOT / "eval" / "qa_holdout.jsonl"]


@pytest.mark.skipif(not all(p.is_file() for p in SETS), reason="eval/qa.jsonl or eval/qa_holdout.jsonl not written "
                    "yet: run eval/make_split.py once eval/qa_parts/*.jsonl exist")
def test_delivered_qa_sets_are_valid():
    docs = load_corpus(ROOT / "corpus")
    main, hold = load_qa(SETS[0]), load_qa(SETS[1])
    assert validate(main + hold, docs) == []                 # also: no id in both sets
    assert all(not is_holdout(i) for i in main) and all(is_holdout(i) for i in hold)
    assert 0.12 < len(hold) / (len(main) + len(hold)) < 0.3
    assert any(not i.answerable for i in main) and any(not i.answerable for i in hold)


@pytest.mark.skipif(not list((ROOT / "eval" / "qa_parts").glob("*.jsonl")) or not SETS[0].is_file(),
                    reason="no eval/qa_parts/*.jsonl or eval/qa.jsonl yet")
def test_split_files_match_the_parts():
    """eval/qa.jsonl + qa_holdout.jsonl are exactly the parts, split by is_holdout (else re-run make_split.py)."""
    parts = [json.loads(line) for f in sorted((ROOT / "eval" / "qa_parts").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    merged = [json.loads(line) for p in SETS for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {r["id"]: r for r in parts} == {r["id"]: r for r in merged}, "stale split: run eval/make_split.py"
