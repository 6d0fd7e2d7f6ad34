"""Load test: 8 threads × 200 questions against one Assistant in one process; errors and latencies.
The audit log is on (in a temporary data folder, rotated small) so concurrent logging is exercised too:
every question must leave exactly one valid JSON line. Exits 1 on any error or a lost or torn line.
Run after `netlm-rag build`: .venv/bin/python bench/load.py"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(threads: int = 8, per_thread: int = 200) -> None:
    from netlm_rag.config import Settings
    from netlm_rag.pipeline import Assistant

    qs = [json.loads(l)["question"] for l in (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if l]
    data = Path(tempfile.mkdtemp(prefix="netlm-load-"))
    s = Settings.from_env().with_overrides(audit={"enabled": True, "max_log_bytes": 1_000_000, "keep_logs": 50})
    a = Assistant.load(replace(s, paths=replace(s.paths, data=data)))
    a.ask(qs[0])

    def worker(i: int) -> tuple[list[float], list[str]]:
        lat, errors = [], []
        for j in range(per_thread):
            t = time.perf_counter()
            try:
                a.ask(qs[(i * per_thread + j) % len(qs)])
            except Exception as exc:                      # counted and shown, never hidden
                errors.append(f"{type(exc).__name__}: {exc}")
            lat.append((time.perf_counter() - t) * 1000)
        return lat, errors
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    wall = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    logged = [l for f in (data / "audit").iterdir() for l in f.read_text(encoding="utf-8").splitlines()]
    torn = sum(1 for l in logged if not valid_json(l))
    row = {"threads": threads, "questions": len(lat), "errors": len(errors), "first_error": errors[:1],
           "audit_lines": len(logged), "audit_torn_lines": torn,
           "wall_s": round(wall, 1), "throughput_qps": round(len(lat) / wall, 1),
           "latency_p50_ms": round(statistics.median(lat), 1), "latency_p95_ms": round(lat[int(0.95 * len(lat))], 1)}
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "load.json").write_text(json.dumps(row, indent=1))
    print(json.dumps(row))
    shutil.rmtree(data, ignore_errors=True)
    if errors or torn or len(logged) != len(lat) + 1:           # + the warm-up question
        sys.exit(1)


def valid_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


if __name__ == "__main__":
    main()
