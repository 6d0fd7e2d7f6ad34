"""The CLI as evaluators and maintainers script it: one JSON object on stdout, errors as one line, exit codes."""
from __future__ import annotations

import json

import pytest

from netlm_rag.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def env_index(built_index, monkeypatch):
    monkeypatch.setenv("NETLM_INDEX_DIR", str(built_index.paths.index))
    return built_index


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ask_json_has_the_documented_shape(env_index, capsys):
    code, out, _ = run(capsys, "ask", "What are the Milan criteria for liver transplantation?", "--json")
    assert code == 0
    obj = json.loads(out)
    for key in ("answer", "abstained", "citations", "hits", "rules", "conflicts", "standalone_question"):
        assert key in obj
    assert not obj["abstained"] and obj["citations"]
    assert {"chunk_id", "document", "section", "text"} <= set(obj["citations"][0])
    assert len(obj["hits"]) == 10 and {"chunk_id", "document", "text", "score"} <= set(obj["hits"][0])


def test_ask_batch_prints_one_object_per_line(env_index, capsys, tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("What is the role of PRRT?\n\nIs belzutifan effective for NELM?\n")
    code, out, _ = run(capsys, "ask", "--batch", str(f), "--json")
    lines = [json.loads(l) for l in out.splitlines()]
    assert code == 0 and len(lines) == 2
    assert not lines[0]["abstained"] and lines[1]["abstained"]


def test_ask_batch_as_one_conversation_rewrites_follow_ups(env_index, capsys, tmp_path, monkeypatch):
    f = tmp_path / "conv.txt"
    f.write_text("What are the Milan criteria for liver transplantation?\nAnd for TACE?\n")
    code, out, _ = run(capsys, "ask", "--batch", str(f), "--conversation", "--json")
    first, second = [json.loads(l) for l in out.splitlines()]
    assert code == 0 and first["standalone_question"] == first["question"]
    assert second["standalone_question"] == "What are the Milan criteria for TACE?"
    code, out, _ = run(capsys, "ask", "--batch", str(f), "--json")          # separate questions
    assert json.loads(out.splitlines()[1])["standalone_question"] == "And for TACE?"
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("What are the Milan criteria for liver transplantation?\n"
                                                 "And for TACE?\n"))
    code, out, _ = run(capsys, "ask", "--batch", "-", "--conversation")
    assert code == 0 and "(searched as: What are the Milan criteria for TACE?)" in out
    code, _, err = run(capsys, "ask", "What is PRRT?", "--conversation")
    assert code == 1 and "--conversation needs --batch" in err


def test_batch_line_not_utf8_is_reported_and_the_others_answered(env_index, capsys, tmp_path):
    f = tmp_path / "q.txt"
    f.write_bytes("What is the role of PRRT?\nKi-67 \u2265 20 %: resect?\n".encode() + b"Is caf\xe9 allowed after TACE?\n"
                  + b"And for TARE?\n")
    code, out, _ = run(capsys, "ask", "--batch", str(f), "--json")
    lines = [json.loads(l) for l in out.splitlines()]
    assert code == 1 and len(lines) == 4, "a bad line costs only itself"
    assert [l["question"] for l in lines] == ["What is the role of PRRT?", "Ki-67 \u2265 20 %: resect?", None,
                                              "And for TARE?"]
    assert "line 3" in lines[2]["error"] and "not UTF-8" in lines[2]["error"] and "0xe9" in lines[2]["error"]
    code, _, err = run(capsys, "ask", "--batch", str(tmp_path / "missing.txt"))
    assert code == 1 and "batch file not found" in err


def test_text_answer_says_which_vignette_values_were_not_used(env_index, capsys):
    code, out, _ = run(capsys, "ask", "62 y, G2 ileal NET, Ki-67 150 %, 60 % liver involvement: transplant?")
    assert code == 0 and "Not used: Ki-67 must be 0–100 %, got 150" in out
    assert "Criteria check:" in out, "the values that are possible are still checked"


def test_text_answer_quotes_the_criteria_a_general_question_asks_about(env_index, capsys):
    code, out, _ = run(capsys, "ask", "For LT, is the Ki-67 ceiling 5% or 10%? La Salvia vs Gangi.")
    assert code == 0 and "Criteria the reviews state (rules module):" in out
    assert "the reviews set different limits, Ki-67 < 5 % vs Ki-67 < 10 %" in out
    assert "(Milan criteria for liver transplantation; La Salvia 2016, 000:69): “well-differentiated NETs (Ki67 < 5%)”" in out
    code, out, _ = run(capsys, "ask", "What Ki-67 limit did NETTER-2 set for PRRT eligibility?", "--json")
    obj = json.loads(out)
    assert obj["abstained"] and obj["rules"]["asked"] == [], "an abstention is not answered by the criteria"


def test_bad_question_is_one_line_error_not_traceback(env_index, capsys):
    code, out, err = run(capsys, "ask", "   ")
    assert code == 1 and out == "" and err.startswith("error: BadInput") and "Traceback" not in err
    code, _, err = run(capsys, "ask", "x" * 100_000)
    assert code == 1 and "limit is 2,000" in err


def test_missing_index_names_the_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NETLM_INDEX_DIR", str(tmp_path / "none"))
    code, _, err = run(capsys, "ask", "What is PRRT?")
    assert code == 1 and "netlm-rag build" in err


def test_status_and_noop_build(env_index, capsys):
    code, out, _ = run(capsys, "status", "--json")
    st = json.loads(out)
    assert code == 0 and st["state"] == "fresh" and st["documents_in_corpus"] == 5
    code, out, _ = run(capsys, "build", "--json")
    assert code == 0 and json.loads(out)["skipped"] is True


def test_check_needs_no_model_and_reports_invalid_values(capsys):
    code, out, _ = run(capsys, "check", "--text", "55 y, Ki-67 150 %, 60% liver involvement", "--json")
    obj = json.loads(out)
    assert code == 0 and any(i["field"].lower().startswith("ki") for i in obj["invalid"])
    assert {o["option"] for o in obj["options"]} >= {"liver_transplant", "resection", "prrt"}


def test_corpus_list(capsys):
    code, out, _ = run(capsys, "corpus", "list", "--json")
    assert code == 0 and [e["id"] for e in json.loads(out)][0] == "la-salvia-2016"


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, data", [
    ("latin1.txt", "Résection hépatique après embolisation. ".encode("latin-1") * 40),
    ("blob.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20),
    ("empty.md", b""),
])
def test_a_bad_file_added_by_a_maintainer_leaves_corpus_and_index_as_they_were(
        built_index, corpus_copy, tmp_path, monkeypatch, capsys, name, data):
    import shutil

    index = tmp_path / "index"
    shutil.copytree(built_index.paths.index, index, symlinks=True)
    monkeypatch.setenv("NETLM_CORPUS_DIR", str(corpus_copy))
    monkeypatch.setenv("NETLM_INDEX_DIR", str(index))
    code, out, _ = run(capsys, "status", "--json")
    build_id = json.loads(out)["build_id"]
    before = snapshot(corpus_copy), snapshot(index)
    bad = tmp_path / name
    bad.write_bytes(data)
    code, out, err = run(capsys, "corpus", "add", str(bad), "--title", "Bad", "--year", "2024")
    assert code == 1 and out == "" and name in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert (snapshot(corpus_copy), snapshot(index)) == before
    code, out, _ = run(capsys, "status", "--json")
    st = json.loads(out)
    assert code == 0 and st["state"] == "fresh" and st["build_id"] == build_id
