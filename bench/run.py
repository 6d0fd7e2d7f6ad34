"""All speed benchmarks in one run: netlm-rag (bench/build.py, bench/latency.py) next to the LangChain default
pipeline (bench/naive.py), each in its own process so that peak memory is its own, reported as ratios.
Writes bench/results/summary.json and summary.md. Run: make bench   (or .venv/bin/python bench/run.py after
`netlm-rag build`; about 3 minutes on 2 cores). The scale benchmark is separate: bench/scale.py.
"""
from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

# (label, project key, naive key, unit): the naive pipeline has no no-op or per-document rebuild.
ROWS = [
    ("cold build of the corpus", "cold_build_s", "cold_build_s", "s"),
    ("cold build ÷ raw model.encode of its own texts", "cold_over_encode", "cold_over_encode", "×"),
    ("rebuild after one review changed", "incremental_s", "incremental_s", "s"),
    ("rebuild with nothing changed", "noop_s", "cold_build_s", "s"),
    ("process start → first answer", "start_to_first_answer_s", "start_to_first_answer_s", "s"),
    ("warm retrieval p50 (embed + search)", "retrieval_p50_ms", "retrieval_p50_ms", "ms"),
    ("warm retrieval p95", "retrieval_p95_ms", "retrieval_p95_ms", "ms"),
    ("warm full pipeline p50 (retrieve + compose + rules)", "full_p50_ms", None, "ms"),
    ("warm full pipeline p95", "full_p95_ms", None, "ms"),
    ("query embedding alone p50 (the floor)", "embed_p50_ms", None, "ms"),
    ("peak RSS, build process", "build_peak_rss_mb", "peak_rss_mb", "MB"),
    ("peak RSS, answering process", "latency_peak_rss_mb", "peak_rss_mb", "MB"),
]


def run_json(script: str, *args: str) -> dict:
    """Run a bench script; its results are the JSON file it writes or the last JSON line it prints."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                          cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"bench/{script} failed:\n{proc.stderr[-3000:]}")
    last = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if last:
        return json.loads(last[-1])
    return json.loads((RESULTS / script.replace(".py", ".json")).read_text())


def fmt(v, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "MB":
        return f"{v:,.0f} MB"
    if unit == "×":
        return f"{v:.2f}×"
    return f"{v:.3g} {unit}" if v < 10 else f"{v:.1f} {unit}"


def table(project: dict, naive: dict) -> str:
    lines = ["| measure | netlm-rag | LangChain default | netlm-rag ÷ default |", "|---|---:|---:|---:|"]
    for label, pk, nk, unit in ROWS:
        p, n = project.get(pk), naive.get(nk) if nk else None
        ratio = f"{p / n:.2f}" if p is not None and n else "–"
        lines.append(f"| {label} | {fmt(p, unit)} | {fmt(n, unit)} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    t0 = time.perf_counter()
    build = run_json("build.py")
    latency = run_json("latency.py")
    naive = {**run_json("naive.py"), **run_json("naive.py", "--first-answer")}
    project = {**build, **latency, "build_peak_rss_mb": build["peak_rss_mb"],
               "latency_peak_rss_mb": latency["peak_rss_mb"]}
    result = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": platform.platform(),
              "project": project, "langchain_default": naive, "total_s": round(time.perf_counter() - t0)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    md = table(project, naive)
    (RESULTS / "summary.md").write_text(md + "\n", encoding="utf-8")
    print(md)
    print(f"\nnetlm-rag: {project['chunks']} chunks / {project['units']} embedded units; LangChain default: "
          f"{naive['chunks']} chunks. {latency['questions']} questions. Total {result['total_s']} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
