"""Benchmark: process start to first answer, warm latency per question (retrieval only; full pipeline:
retrieve + compose + rules) as p50/p95 over the evaluation questions, and peak memory. Writes
bench/results/latency.json and a Markdown table. bench/run.py runs it next to the LangChain default
pipeline (bench/naive.py). Run after `netlm-rag build`: .venv/bin/python bench/latency.py"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def start_to_first_answer() -> float:
    t = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "netlm-rag"), "ask", "What are the Milan criteria?", "--json"],
                   check=True, capture_output=True, env={**os.environ, "NETLM_DATA_DIR": "/tmp/netlm-bench-data"})
    return time.perf_counter() - t


def main() -> None:
    from netlm_rag.config import Settings
    from netlm_rag.pipeline import Assistant

    questions = [json.loads(l)["question"] for l in (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if l]
    cold_s = start_to_first_answer()
    s = Settings.from_env().with_overrides(audit={"enabled": False})
    a = Assistant.load(s)
    a.ask(questions[0])                                   # warm-up: first call pays lazy initialisation
    embed = timed(a.retriever.embed, questions)
    retrieval = timed(lambda q: a.retriever.hybrid(q, 10), questions)
    full = timed(a.ask, questions)
    rows = {
        "questions": len(questions),
        "start_to_first_answer_s": cold_s,
        "embed_p50_ms": statistics.median(embed),
        "retrieval_p50_ms": statistics.median(retrieval), "retrieval_p95_ms": pct(retrieval, .95),
        "full_p50_ms": statistics.median(full), "full_p95_ms": pct(full, .95),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    rows = {k: round(v, 3) if isinstance(v, float) else v for k, v in rows.items()}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latency.json").write_text(json.dumps(rows, indent=1))
    print("| measure | value |\n|---|---|")
    for k, v in rows.items():
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
