"""Scale benchmark: synthetic corpora of N chunk vectors (dim 384, unit length) — exact Flat vs HNSW vs IVF:
build time, index size, recall@10 against exact search, single-query p50/p95 — plus a BM25 index over
synthetic token lists at the same N. Writes bench/results/scale.json and a Markdown table.
Run: .venv/bin/python bench/scale.py [--sizes 100000 1000000]

Vectors are drawn around n/50 random centres (noise of the same norm as the centre) (chunks of one topic are near each other, as in real corpora;
uniform noise in 384 dimensions would make every neighbour equally far and ANN recall meaningless).
Queries are perturbed copies of stored vectors, like questions that paraphrase a passage."""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIM, QUERIES, K = 384, 200, 10


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def corpus(n: int, rng: np.random.Generator, noise: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    n_centres = max(2000, n // 50)                 # ~50 chunks per topic
    centres = unit(rng.standard_normal((n_centres, DIM)))
    data = np.empty((n, DIM), dtype=np.float32)
    for s in range(0, n, 100_000):               # in blocks: bounded temporary memory
        m = min(100_000, n - s)
        data[s:s + m] = unit(centres[rng.integers(0, n_centres, m)] + noise * rng.standard_normal((m, DIM)) / np.sqrt(DIM))
    queries = unit(data[rng.integers(0, n, QUERIES)] + noise / 2 * rng.standard_normal((QUERIES, DIM)) / np.sqrt(DIM))
    return data, queries


def timed_search(index, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    ids, lat = [], []
    for q in queries:
        t = time.perf_counter()
        _, i = index.search(q.reshape(1, -1), K)
        lat.append((time.perf_counter() - t) * 1000)
        ids.append(i[0])
    return np.array(ids), lat


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)]))


def row(name: str, n: int, build_s: float, index, found, lat, truth) -> dict:
    size = faiss.serialize_index(index).nbytes if hasattr(faiss, "serialize_index") else 0
    return {"n": n, "index": name, "build_s": round(build_s, 2), "size_mb": round(size / 1e6, 1),
            "recall@10": round(recall(found, truth), 3), "p50_ms": round(float(np.median(lat)), 3),
            "p95_ms": round(float(np.percentile(lat, 95)), 3)}


def bench_size(n: int, rng: np.random.Generator, noise: float) -> list[dict]:
    data, queries = corpus(n, rng, noise)
    out = []
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(data)
    build = time.perf_counter() - t
    truth, lat = timed_search(flat, queries)
    out.append(row("Flat (exact)", n, build, flat, truth, lat, truth))
    if n <= 200_000:
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(data)
        build = time.perf_counter() - t
        for ef in (32, 64, 128):
            hnsw.hnsw.efSearch = ef
            found, lat = timed_search(hnsw, queries)
            out.append(row(f"HNSW M=32 efSearch={ef}", n, build, hnsw, found, lat, truth))
    nlist = int(4 * np.sqrt(n))
    t = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(data[rng.choice(n, min(n, 40 * nlist), replace=False)])
    ivf.add(data)
    build = time.perf_counter() - t
    for nprobe in (8, 16, 32, 64):
        ivf.nprobe = nprobe
        found, lat = timed_search(ivf, queries)
        out.append(row(f"IVFFlat nlist={nlist} nprobe={nprobe}", n, build, ivf, found, lat, truth))
    out.append(bench_bm25(n, rng))
    return out


def bench_bm25(n: int, rng: np.random.Generator) -> dict:
    import bm25s

    vocab = np.array([f"w{i}" for i in range(50_000)])
    ranks = rng.zipf(1.2, size=(n, 60)) % len(vocab)            # Zipf word frequencies, 60 tokens a chunk
    t = time.perf_counter()
    bm = bm25s.BM25()
    bm.index([list(vocab[r]) for r in ranks], show_progress=False)
    build = time.perf_counter() - t
    lat = []
    for q in ranks[rng.integers(0, n, QUERIES), :6]:
        t = time.perf_counter()
        scores = bm.get_scores(list(vocab[q]))
        np.argpartition(-scores, K)[:K]
        lat.append((time.perf_counter() - t) * 1000)
    return {"n": n, "index": "BM25 (bm25s, 60 tokens/chunk)", "build_s": round(build, 2), "size_mb": None,
            "recall@10": None, "p50_ms": round(float(np.median(lat)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--noise", type=float, default=2.0,
                    help="spread of a topic's chunks relative to its centre: 1 = easy (ANN recall 1.0), 3 = near-uniform")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = [r for n in args.sizes for r in bench_size(n, rng, args.noise)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "scale.json").write_text(
        json.dumps({"noise": args.noise, "rows": rows, "peak_rss_mb": round(peak)}, indent=1))
    print("| N | index | build s | size MB | recall@10 | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['index']} | {r['build_s']} | {r['size_mb']} | {r['recall@10']} | {r['p50_ms']} | {r['p95_ms']} |")
    print(f"\npeak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
