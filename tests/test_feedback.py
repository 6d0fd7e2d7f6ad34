"""FeedbackStore: one transaction per write, migrations, CSV export."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest

from netlm_rag.errors import BadInput
from netlm_rag.feedback import COLUMNS, FeedbackStore

CITES = [{"chunk_id": "cloyd-2020#lt/001", "document": "cloyd-2020", "document_name": "Cloyd 2020",
          "section": "Liver transplantation", "text": "Quoted sentence.", "start": 0, "end": 16}]


def test_add_and_list_keep_what_was_rated(tmp_path):
    store = FeedbackStore(tmp_path)
    rid = store.add("down", "And for TACE?", "Answer [1]", CITES, "a072adb5ff82", comment=" wrong section ",
                    standalone_question="G2 ileal NET: TACE?", abstained=False)
    [row] = store.list()
    assert row["id"] == rid and row["rating"] == "down" and row["comment"] == "wrong section"
    assert (row["question"], row["standalone_question"], row["index_build"]) == \
        ("And for TACE?", "G2 ileal NET: TACE?", "a072adb5ff82")
    assert json.loads(row["citations"]) == [{k: CITES[0][k] for k in
                                             ("chunk_id", "document", "document_name", "section", "text")}]
    assert store.counts() == {"up": 0, "down": 1}
    assert store.path == tmp_path / "feedback.sqlite3"


def test_invalid_rating_writes_nothing(tmp_path):
    store = FeedbackStore(tmp_path)
    with pytest.raises(BadInput):
        store.add("meh", "q", "a", [], "b")
    with pytest.raises(BadInput):
        store.add("up", "  ", "a", [], "b")
    assert store.list() == []


def test_a_failed_insert_is_rolled_back(tmp_path):
    store = FeedbackStore(tmp_path)
    with pytest.raises(sqlite3.Error):
        with store._tx() as db:
            db.execute("INSERT INTO feedback (created_at, rating, question, answer, citations, index_build) "
                       "VALUES ('t', 'up', 'q', 'a', '[]', 'b')")
            db.execute("INSERT INTO feedback (created_at, rating) VALUES ('t', 'sideways')")   # CHECK fails
    assert store.list() == []


def test_reopening_keeps_rows_and_schema(tmp_path):
    FeedbackStore(tmp_path).add("up", "q", "a", CITES, "b")
    again = FeedbackStore(tmp_path)
    assert len(again.list()) == 1
    with sqlite3.connect(again.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_database_file_path_is_used_as_is(tmp_path):
    store = FeedbackStore(tmp_path / "nested" / "fb.sqlite")
    store.add("up", "q", "a", [], "b")
    assert (tmp_path / "nested" / "fb.sqlite").is_file()


def test_export_csv_round_trips(tmp_path):
    store = FeedbackStore(tmp_path)
    assert store.export_csv().strip() == ",".join(COLUMNS)           # header even when empty
    store.add("up", 'A "quoted", question\nwith a newline', "a", CITES, "b")
    out = tmp_path / "fb.csv"
    text = store.export_csv(out)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["question"] == 'A "quoted", question\nwith a newline'
    assert out.read_text(encoding="utf-8") == text


def test_concurrent_writers_all_land(tmp_path):
    store = FeedbackStore(tmp_path)
    threads = [threading.Thread(target=store.add, args=("up", f"q{i}", "a", [], "b")) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["question"] for r in store.list()) == sorted(f"q{i}" for i in range(20))
