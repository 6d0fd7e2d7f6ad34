"""CI gate: the full system on a fixed 30-item subset of eval/qa.jsonl must stay within the margins of
eval/accepted.json. Slow (builds the index with the real model); skipped while netlm_rag.pipeline is missing."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from netlm_rag.evaluation import gate_failures, gate_subset, load_qa, run_eval
from netlm_rag.evaluation.gate import write_subset
from netlm_rag.evaluation.summary import metric_names

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = ROOT / "eval" / "accepted.json"


def accepted() -> dict:
    return json.loads(ACCEPTED.read_text(encoding="utf-8"))


def test_accepted_file_is_well_formed():
    a = accepted()
    assert a["note"] and a["system"] == "full" and isinstance(a["k"], int)
    known = {name for name, _ in metric_names(a["k"])}
    for name, rule in a["metrics"].items():
        assert name in known, f"{name} is not a metric run_eval reports"
        assert 0 <= rule["margin"] and rule.get("direction", "higher") in ("higher", "lower")
        assert isinstance(rule["accepted"], (int, float)) and rule.get("why"), f"{name}: give the margin's reason"
    items = load_qa(ROOT / a["subset"]["qa"])
    assert len(gate_subset(items, a["subset"]["n"])) == a["subset"]["n"]


def pipeline_missing() -> str:
    try:
        importlib.import_module("netlm_rag.pipeline")
    except ImportError as exc:
        return f"netlm_rag.pipeline is not importable yet ({exc}); the gate needs the real Assistant"
    return ""


@pytest.mark.slow
def test_full_system_meets_accepted_metrics(tmp_path, request):
    reason = pipeline_missing()
    if reason:
        pytest.skip(reason)
    assistant = request.getfixturevalue("adapted_assistant")  # conftest: real corpus, adapted model, index in tmp
    a = accepted()
    subset = gate_subset(load_qa(ROOT / a["subset"]["qa"]), a["subset"]["n"])
    qa = write_subset(subset, tmp_path / "gate.jsonl")
    metrics = run_eval(qa, tmp_path / "run", assistant, k=a["k"], systems=(a["system"],))
    failures = gate_failures(metrics, a)
    got = {n: metrics["systems"][a["system"]]["metrics"][n]["value"] for n in a["metrics"]}
    assert not failures, (f"below eval/accepted.json: {'; '.join(failures)}. All gated values: {got}. "
                          f"Per-question details: {tmp_path / 'run' / 'per_question.jsonl'}")
