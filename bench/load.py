"""Load test: 8 threads × 200 questions against one Assistant in one process; errors and latencies.
Run after `netlm-rag build`: .venv/bin/python bench/load.py"""
from __future__ import annotations

import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(threads: int = 8, per_thread: int = 200) -> None:
    from netlm_rag.config import Settings
    from netlm_rag.pipeline import Assistant

    qs = [json.loads(l)["question"] for l in (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if l]
    a = Assistant.load(Settings.from_env().with_overrides(audit={"enabled": False}))
    a.ask(qs[0])

    def worker(i: int) -> tuple[list[float], int]:
        lat, errors = [], 0
        for j in range(per_thread):
            t = time.perf_counter()
            try:
                a.ask(qs[(i * per_thread + j) % len(qs)])
            except Exception:
                errors += 1
            lat.append((time.perf_counter() - t) * 1000)
        return lat, errors
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    wall = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r[0])
    row = {"threads": threads, "questions": len(lat), "errors": sum(r[1] for r in results),
           "wall_s": round(wall, 1), "throughput_qps": round(len(lat) / wall, 1),
           "latency_p50_ms": round(statistics.median(lat), 1), "latency_p95_ms": round(lat[int(0.95 * len(lat))], 1)}
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "load.json").write_text(json.dumps(row, indent=1))
    print(json.dumps(row))


if __name__ == "__main__":
    main()
