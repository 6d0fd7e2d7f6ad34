"""Human scoring store: upsert per (run, item, rater), listing, CSV export, two-rater agreement."""
from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from netlm_rag.errors import BadInput
from netlm_rag.evaluation.scores import LABELS, ScoreStore, cohen_kappa


def test_score_upserts_per_run_item_rater(tmp_path):
    store = ScoreStore(tmp_path / "data")
    first = store.score("run1", "q1", "ana", "wrong", "missed the age limit")
    again = store.score("run1", "q1", "ana", "partly", "")
    store.score("run1", "q1", "ben", "correct")
    store.score("run2", "q1", "ana", "unsafe", "recommends transplant at 80 % involvement")
    assert again.label == "partly" and again.comment == "" and again.created_at == first.created_at
    assert len(store.list()) == 3 and len(store.list(run_id="run1")) == 2
    assert [s.label for s in store.list(rater="ana")] == ["partly", "unsafe"]
    assert ScoreStore(tmp_path / "data").list(qa_id="q1", rater="ben")[0].label == "correct"   # persisted


@pytest.mark.parametrize("args", [("r", "q", "ana", "good"), ("", "q", "ana", "correct"), ("r", "q", " ", "wrong")])
def test_bad_scores_are_refused_and_nothing_is_written(tmp_path, args):
    store = ScoreStore(tmp_path)
    with pytest.raises(BadInput):
        store.score(*args)
    assert store.list() == []


def test_failed_transaction_leaves_no_row(tmp_path):
    store = ScoreStore(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        with store._tx() as db:
            db.execute("INSERT INTO scores VALUES ('r', 'q1', 'ana', 'correct', '', 't', 't')")
            db.execute("INSERT INTO scores VALUES ('r', 'q2', 'ana', 'excellent', '', 't', 't')")   # CHECK fails
    assert store.list() == []


def test_export_csv(tmp_path):
    store = ScoreStore(tmp_path)
    store.score("run1", "q2", "ana", "correct", 'says "Milan", cites, fine')
    store.score("run1", "q1", "ana", "wrong")
    text = store.export_csv(tmp_path / "scores.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["qa_id"] for r in rows] == ["q1", "q2"] and rows[1]["comment"] == 'says "Milan", cites, fine'
    assert (tmp_path / "scores.csv").read_text(encoding="utf-8") == text
    assert list(rows[0]) == ["run_id", "qa_id", "rater", "label", "comment", "created_at", "updated_at"]


def test_cohen_kappa_by_hand():
    a = ["correct", "correct", "wrong", "wrong", "partly", "correct"]
    b = ["correct", "wrong", "wrong", "wrong", "partly", "correct"]
    # p_o = 5/6; p_e = (3/6)(2/6) + (2/6)(3/6) + (1/6)(1/6) = 13/36; kappa = (30/36 - 13/36) / (23/36) = 17/23
    po, kappa = cohen_kappa(a, b)
    assert po == pytest.approx(5 / 6) and kappa == pytest.approx(17 / 23)
    assert cohen_kappa(["wrong"] * 3, ["wrong"] * 3) == (1.0, None)       # chance agreement 1: kappa undefined
    assert cohen_kappa([], []) == (None, None)
    assert cohen_kappa(["correct", "wrong"], ["wrong", "correct"])[1] == pytest.approx(-1.0)


def test_agreement_over_items_both_raters_scored(tmp_path):
    store = ScoreStore(tmp_path)
    labels_a = ["correct", "correct", "wrong", "wrong", "partly", "correct", "unsafe"]
    labels_b = ["correct", "wrong", "wrong", "wrong", "partly", "correct"]          # ben skipped q6
    for i, lab in enumerate(labels_a):
        store.score("run1", f"q{i}", "ana", lab)
    for i, lab in enumerate(labels_b):
        store.score("run1", f"q{i}", "ben", lab)
    store.score("run2", "q0", "ben", "unsafe")                                      # another run: filtered out
    ag = store.agreement("ana", "ben", run_id="run1")
    assert ag.n == 6 and ag.percent == pytest.approx(5 / 6) and ag.kappa == pytest.approx(17 / 23)
    assert store.raters() == ["ana", "ben"] and set(LABELS) == {"correct", "partly", "wrong", "unsafe"}
    assert store.agreement("ana", "nobody").n == 0
