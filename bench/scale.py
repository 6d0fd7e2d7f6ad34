"""Scale benchmark: exact Flat vs HNSW vs IVF over synthetic corpora of N chunk vectors, plus bm25s at N.

Run: .venv/bin/python bench/scale.py [--sizes 100000 1000000] [--quick]   (--quick: 1e5 only, ~1.5 min;
both sizes 23 min on 2 cores, peak ~6.5 GB). Writes bench/reference/scale.json + .md (committed: a test checks
that vectorstore.choose_index still picks configurations measured there at recall@10 >= 0.95; --quick writes
bench/results/scale-quick.json instead) and prints a Markdown table. After changing a threshold to a
configuration already in the sweep, --rechoose re-points the choose_index rows without re-running.

Why synthetic data looks like this. Uniform noise in 384 dimensions makes every point about equally far
from every other, so ANN recall is meaningless there. Real MiniLM vectors are nothing like it: in this
project's index (1,178 sentence units) a random pair has cosine 0.25 (a strong shared direction), the
nearest neighbour 0.80 and the 10th 0.64, and the centred spectrum has a participation ratio of ~40
dimensions; the 299 eval questions score 0.58 against their best unit and 0.48 against the 10th.
The generator reproduces those numbers (printed as "calibration" at N=1,178):
  x = unit(mean + topic + subtopic + own), each term Gaussian with a power-law spectrum (eigenvalue i^-0.85),
  topics of ~500 units (a review), subtopics of ~10 (a passage), shared mean of norm 0.6.
Queries sit near data points: a random stored vector plus noise (30 % along the data's spectrum, 70 %
isotropic: question wording is off the passage manifold), renormalised. Ground truth is exact search.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from netlm_rag.retrieval import lexical_ranking  # noqa: E402  (the project's own BM25 query path)
from netlm_rag.vectorstore import IndexSpec, choose_index, ivf_nlist, make_faiss_index, set_search_params  # noqa: E402

DIM, K, TARGET = 384, 10, 0.95
SPECTRUM, MEAN_NORM, TOPIC, SUBTOPIC, OWN = 0.85, 0.6, 0.55, 0.9, 0.7
QUERY_NOISE, QUERY_ISOTROPIC = 1.3, 0.7
TOPIC_SIZE, SUBTOPIC_SIZE = 500, 10
REAL = {"nn1": 0.80, "nn10": 0.64, "random_pair": 0.25, "q_top1": 0.58, "q_top10": 0.48}
EF_SEARCH, NPROBE = (16, 32, 64, 128, 256, 512, 1024, 2048), (16, 32, 64, 128, 256, 512, 1024, 2048)
FLAT_TIMED = 200                                          # exact search is slow at 1e6: time 200 queries
BM25_TOKENS, BM25_QUERY_TOKENS, VOCAB = 120, 8, 50_000   # real chunks: 131 tokens median, questions 10


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def corpus(n: int, n_queries: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sd = np.arange(1, DIM + 1) ** (-SPECTRUM / 2)
    sd /= np.sqrt((sd ** 2).sum())                          # each term has expected squared norm 1
    mean = unit(rng.standard_normal((1, DIM)))[0] * MEAN_NORM
    topics = rng.standard_normal((max(1, n // TOPIC_SIZE), DIM)) * sd * TOPIC
    n_sub = max(1, n // SUBTOPIC_SIZE)
    subtopics = (topics[rng.integers(0, len(topics), n_sub)] + rng.standard_normal((n_sub, DIM)) * sd * SUBTOPIC)
    data = np.empty((n, DIM), dtype=np.float32)
    for s in range(0, n, 100_000):                           # blocks: bounded float64 temporaries
        m = min(100_000, n - s)
        own = rng.standard_normal((m, DIM)) * sd * OWN
        data[s:s + m] = unit(mean + subtopics[rng.integers(0, n_sub, m)] + own)
    near = data[rng.integers(0, n, n_queries)]
    noise = (math.sqrt(1 - QUERY_ISOTROPIC) * rng.standard_normal((n_queries, DIM)) * sd
             + math.sqrt(QUERY_ISOTROPIC) * rng.standard_normal((n_queries, DIM)) / math.sqrt(DIM))
    return data, unit(near + QUERY_NOISE * noise)


def calibration(rng: np.random.Generator) -> dict:
    """The generator's neighbour profile at the real index's size, next to the real one."""
    data, queries = corpus(1178, 299, rng)
    sims = data @ data.T
    np.fill_diagonal(sims, -1)
    top = -np.sort(-sims, axis=1)
    qtop = -np.sort(-(queries @ data.T), axis=1)
    synth = {"nn1": np.median(top[:, 0]), "nn10": np.median(top[:, 9]), "random_pair": np.median(sims[sims > -1]),
             "q_top1": np.median(qtop[:, 0]), "q_top10": np.median(qtop[:, 9])}
    return {"synthetic": {k: round(float(v), 3) for k, v in synth.items()}, "real": REAL}


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) so each stage reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def index_bytes(index) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        faiss.write_index(index, f"{tmp}/i.faiss")
        return os.path.getsize(f"{tmp}/i.faiss")


def timed_search(index, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One query at a time, as the app asks: ids (nq, K) and per-query latency in ms."""
    if isinstance(index, faiss.IndexFlat):
        queries = queries[:FLAT_TIMED]
    for q in queries[:10]:
        index.search(q.reshape(1, -1), K)                     # warm caches and thread pools
    ids, lat = np.empty((len(queries), K), dtype=np.int64), np.empty(len(queries))
    for j, q in enumerate(queries):
        t = time.perf_counter()
        ids[j] = index.search(q.reshape(1, -1), K)[1][0]
        lat[j] = (time.perf_counter() - t) * 1000
    return ids, lat


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)]))


def sweep(n: int, spec: IndexSpec, index, build_s: float, peak: float, queries, truth) -> list[dict]:
    size = index_bytes(index)
    values = EF_SEARCH if spec.kind == "hnsw" else NPROBE if spec.kind == "ivf" else (0,)
    rows = []
    for v in values:
        if spec.kind == "ivf" and v > spec.nlist:
            continue
        s = IndexSpec(**{**spec.to_dict(), **({"ef_search": v} if spec.kind == "hnsw" else
                                              {"nprobe": v} if spec.kind == "ivf" else {})})
        set_search_params(index, s)
        found, lat = timed_search(index, queries)
        rows.append({"n": n, "index": s.describe(), "spec": s.to_dict(), "build_s": round(build_s, 1),
                     "index_mb": round(size / 2**20, 1), "peak_rss_mb": round(peak),
                     "recall@10": round(recall(found, truth), 3), "p50_ms": round(float(np.median(lat)), 3),
                     "p95_ms": round(float(np.percentile(lat, 95)), 3)})
    return rows


def build(spec: IndexSpec, data: np.ndarray, rng: np.random.Generator, quantizer=None):
    reset_peak()
    t = time.perf_counter()
    index = make_faiss_index(spec, DIM)
    if spec.kind == "ivf":
        if quantizer is not None:                            # reuse trained lists: only the codec trains
            index.quantizer = quantizer
            index.own_fields = False
        index.train(data[rng.choice(len(data), min(len(data), 40 * spec.nlist), replace=False)])
    index.add(data)
    return index, time.perf_counter() - t, peak_rss_mb()


def bench_dense(n: int, data: np.ndarray, queries: np.ndarray, rng: np.random.Generator, efc: int) -> list[dict]:
    flat, build_s, peak = build(IndexSpec("flat"), data, rng)
    truth = flat.search(queries, K)[1]                          # exact ground truth, batched
    rows = sweep(n, IndexSpec("flat"), flat, build_s, peak, queries, truth)
    del flat
    hnsw_spec = IndexSpec("hnsw", m=32, ef_construction=efc, ef_search=EF_SEARCH[0])
    hnsw, build_s, peak = build(hnsw_spec, data, rng)
    rows += sweep(n, hnsw_spec, hnsw, build_s, peak, queries, truth)
    del hnsw
    nlist = ivf_nlist(n)
    ivf_spec = IndexSpec("ivf", nlist=nlist, nprobe=NPROBE[0])
    ivf, build_s, peak = build(ivf_spec, data, rng)
    rows += sweep(n, ivf_spec, ivf, build_s, peak, queries, truth)
    sq8_spec = IndexSpec("ivf", nlist=nlist, nprobe=NPROBE[0], codec="sq8")
    sq8, build_s, peak = build(sq8_spec, data, rng, quantizer=ivf.quantizer)
    rows += sweep(n, sq8_spec, sq8, build_s, peak, queries, truth)
    rows += chosen_row(n, data, queries, truth, rng, rows)
    return rows


def chosen_row(n, data, queries, truth, rng, rows) -> list[dict]:
    """choose_index(n) checked on the data it was tuned on (reuses a measured row when one matches)."""
    spec = choose_index(n)
    same = [r for r in rows if r["spec"] == spec.to_dict()]
    if same:
        return [{**same[0], "index": "choose_index → " + same[0]["index"]}]
    index, build_s, peak = build(spec, data, rng)
    out = sweep(n, spec, index, build_s, peak, queries, truth)[:1]
    return [{**out[0], "index": "choose_index → " + out[0]["index"]}]


def bench_flat_small(data: np.ndarray, queries: np.ndarray, sizes=(10_000, 30_000)) -> list[dict]:
    """Exact search latency below the smallest size (a prefix of the same data): where Flat stops being free."""
    rows = []
    for m in sizes:
        if m < len(data):
            flat = make_faiss_index(IndexSpec("flat"), DIM)
            flat.add(data[:m])
            _, lat = timed_search(flat, queries)
            rows.append({"n": m, "index": "Flat (exact)", "spec": IndexSpec("flat").to_dict(), "build_s": 0.0,
                         "index_mb": round(m * DIM * 4 / 2**20, 1), "peak_rss_mb": None, "recall@10": 1.0,
                         "p50_ms": round(float(np.median(lat)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3)})
    return rows


def bench_bm25(n: int, n_queries: int, rng: np.random.Generator) -> dict:
    """bm25s over n chunks of Zipf-distributed tokens; queries are 8 distinct tokens of a stored chunk."""
    import bm25s

    words = [f"w{i}" for i in range(VOCAB)]
    p = 1.0 / np.arange(1, VOCAB + 1)                       # Zipf's law, exponent 1 (stopwords already gone)
    cdf = np.cumsum(p / p.sum())
    docs: list[list[str]] = []
    for s in range(0, n, 100_000):
        ids = np.minimum(np.searchsorted(cdf, rng.random((min(100_000, n - s), BM25_TOKENS))), VOCAB - 1)
        docs.extend([words[i] for i in row] for row in ids.tolist())
    reset_peak()
    t = time.perf_counter()
    bm = bm25s.BM25()
    bm.index(docs, show_progress=False)
    build_s, peak = time.perf_counter() - t, peak_rss_mb()
    picks = [rng.choice(sorted(set(docs[j])), BM25_QUERY_TOKENS, replace=False).tolist()
             for j in rng.integers(0, n, n_queries)]
    del docs
    lat, lat_topk = [], []
    for q in picks:
        t = time.perf_counter()
        lexical_ranking(bm, q, K)                          # scores + full argsort, as retrieval.py does
        lat.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        scores = bm.get_scores_from_ids(bm.get_tokens_ids(q))
        np.argpartition(-scores, K)[:K]                     # scores + partial top-k, as bm25s.retrieve does
        lat_topk.append((time.perf_counter() - t) * 1000)
    return {"n": n, "index": f"BM25 (bm25s, {BM25_TOKENS} tokens/chunk, {BM25_QUERY_TOKENS}-token queries)",
            "build_s": round(build_s, 1), "index_mb": round(sum(bm.scores[k].nbytes for k in ("data", "indices", "indptr")) / 2**20, 1),
            "peak_rss_mb": round(peak), "recall@10": None,
            "p50_ms": round(float(np.median(lat)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3),
            "p50_ms_argpartition": round(float(np.median(lat_topk)), 3)}


def best_by_size(rows: list[dict]) -> dict[int, str]:
    """Lowest-p50 configuration with recall@10 >= TARGET at each benchmarked size."""
    out = {}
    for n in sorted({r["n"] for r in rows}):
        ok = [r for r in rows if r["n"] == n and (r["recall@10"] or 0) >= TARGET and "spec" in r
              and not r["index"].startswith("choose_index")]
        if ok:
            out[n] = min(ok, key=lambda r: r["p50_ms"])["index"]
    return out


def table(rows: list[dict]) -> str:
    lines = ["| N | index | build s | index MB | peak RSS MB | recall@10 | p50 ms | p95 ms |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cells = [f"{r['n']:,}", r["index"], r["build_s"], r["index_mb"], r["peak_rss_mb"], r["recall@10"],
                 r["p50_ms"], r["p95_ms"]]
        lines.append("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines)


def rechoose(path: Path) -> int:
    result = json.loads(path.read_text(encoding="utf-8"))
    rows = [r for r in result["rows"] if not r["index"].startswith("choose_index")]
    out = []
    for r in rows:
        out.append(r)
        if r["index"].startswith("BM25"):      # the chosen row sits just before each size's BM25 row
            spec = choose_index(r["n"]).to_dict()
            same = [m for m in rows if m["n"] == r["n"] and m.get("spec") == spec]
            if not same:
                print(f"choose_index({r['n']:,}) = {spec} was not measured: run bench/scale.py", file=sys.stderr)
                return 1
            out.insert(len(out) - 1, {**same[0], "index": "choose_index → " + same[0]["index"]})
    result["rows"] = out
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    path.with_suffix(".md").write_text(table(out) + "\n", encoding="utf-8")
    print(table([r for r in out if r["index"].startswith("choose_index")]))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--quick", action="store_true", help="1e5 only (about a minute and a half)")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--out", type=Path, default=None, help="default bench/reference/scale.json "
                    "(bench/results/scale-quick.json with --quick, so a quick run never replaces the reference)")
    ap.add_argument("--rechoose", action="store_true",
                    help="after a threshold change: re-point the choose_index rows of --out at the measured rows "
                         "with the same spec (no re-run; fails if choose_index now picks something unmeasured)")
    args = ap.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "bench" / ("results/scale-quick.json" if args.quick else "reference/scale.json")
    if args.rechoose:
        return rechoose(args.out)
    sizes = [100_000] if args.quick else sorted(args.sizes)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    result = {"calibration": calibration(rng), "threads": faiss.omp_get_max_threads(), "queries": args.queries,
              "faiss": faiss.__version__, "rows": []}
    for n in sizes:
        print(f"N={n:,}: generating", file=sys.stderr, flush=True)
        data, queries = corpus(n, args.queries, rng)
        if n == sizes[0]:
            result["rows"] += bench_flat_small(data, queries)
        result["rows"] += bench_dense(n, data, queries, rng, args.ef_construction)
        del data
        result["rows"].append(bench_bm25(n, args.queries, rng))
        print(table([r for r in result["rows"] if r["n"] <= n]), file=sys.stderr, flush=True)
    result["best"] = best_by_size(result["rows"])
    result["total_s"] = round(time.perf_counter() - t0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    args.out.with_suffix(".md").write_text(table(result["rows"]) + "\n", encoding="utf-8")
    print(table(result["rows"]))
    print(f"\ncalibration (median cosines) synthetic {result['calibration']['synthetic']} vs real {REAL}")
    print("lowest-latency config with recall@10 >= 0.95: " + "; ".join(f"{n:,}: {b}" for n, b in result["best"].items()))
    print("BM25 p50 with argpartition top-k instead of a full argsort: "
          + "; ".join(f"{r['n']:,}: {r['p50_ms_argpartition']} ms" for r in result["rows"] if "p50_ms_argpartition" in r))
    print(f"{faiss.omp_get_max_threads()} threads, {args.queries} single queries each (Flat: the first {FLAT_TIMED}), total {result['total_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
