"""The Streamlit app through AppTest: chat, citations, criteria table, abstention, follow-up, feedback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from netlm_rag.feedback import FeedbackStore

pytestmark = pytest.mark.slow
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(built_index, monkeypatch, tmp_path):
    monkeypatch.setenv("NETLM_INDEX_DIR", str(built_index.paths.index))
    monkeypatch.setenv("NETLM_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_chat_answers_with_citations_and_sources(app):
    ask(app, "What are the Milan criteria for liver transplantation?")
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    text = " ".join(md.value for md in app.markdown)
    assert "**[1]**" in text and "Sources" in " ".join(e.label for e in app.expander)


def test_vignette_shows_criteria_table_and_invalid_values(app):
    ask(app, "62 y, G2 ileal NET, Ki-67 150 %, 60 % liver involvement: transplant?")
    assert len(app.dataframe) == 1
    table = app.dataframe[0].value
    assert "liver transplant" in list(table["option"])
    assert any("Ki" in e.value and "150" in e.value for e in app.error)


def test_abstention_is_visibly_different(app):
    ask(app, "Is belzutifan effective for NET liver metastases?")
    assert any("do not cover" in w.value for w in app.warning)
    assert not any("**[1]**" in md.value for md in app.markdown)


def test_follow_up_shows_the_rewritten_question(app):
    ask(app, "62 y, G2 ileal NET, Ki-67 8 %, 60 % liver involvement: is liver transplantation an option?")
    ask(app, "And for TACE?")
    assert any("Searched as:" in c.value and "TACE" in c.value for c in app.caption)
    assert len(app.chat_message) == 4


def test_feedback_is_saved(app, tmp_path):
    ask(app, "What is PRRT?")
    app.button(key="up_1").click()
    app.run()
    rows = FeedbackStore(tmp_path / "data").list()
    assert len(rows) == 1 and rows[0]["rating"] == "up" and rows[0]["question"] == "What is PRRT?"
    assert rows[0]["index_build"] and json.loads(rows[0]["citations"])      # cited chunk ids stored


def test_bad_question_keeps_the_app_working(app):
    ask(app, "   ")
    assert any("empty" in e.value for e in app.error)
    ask(app, "What is the role of SSAs?")
    assert app.chat_message[-1].name == "assistant"


def test_other_pages_render(app):
    for page in ("Sources", "Evaluation", "Maintenance"):
        app.sidebar.radio(key="page").set_value(page).run()
        assert not app.exception, (page, app.exception)


def test_markup_in_corpus_or_question_is_not_rendered(app):
    ask(app, "<script>alert(1)</script> what is PRRT?")
    user = app.chat_message[0]
    assert all("<script>" not in md.value for md in app.markdown)
    assert any("<script>" in t.value for t in user.text)
