"""Vector stores: choose_index thresholds (oracle: the benchmark) and one contract run over every FAISS kind.

The check_* functions are the backend contract; tests/test_pgvector.py runs them against PostgreSQL.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from netlm_rag import vectorstore as vs
from netlm_rag.errors import BadInput, IndexCorrupt
from netlm_rag.vectorstore import PAD_SCORE, FaissStore, IndexSpec, choose_index

ROOT = Path(__file__).resolve().parents[1]
DIM, N, K = 384, 2000, 10
SPECS = {
    "flat": IndexSpec("flat"),
    "hnsw": IndexSpec("hnsw", m=16, ef_construction=64, ef_search=64),
    "ivf": IndexSpec("ivf", nlist=16, nprobe=8),
    "ivf-sq8": IndexSpec("ivf", nlist=16, nprobe=8, codec="sq8"),
}


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int = N, seed: int = 0) -> np.ndarray:
    """Topics of ~50 vectors (cosine ~0.65 within one): ANN recall means something, unlike uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 50, DIM))
    return unit(centres[rng.integers(0, len(centres), n)] + 0.7 * rng.standard_normal((n, DIM)))


def near(data: np.ndarray, m: int = 50, seed: int = 1) -> np.ndarray:
    """Queries next to stored vectors, like a question paraphrasing a passage."""
    rng = np.random.default_rng(seed)
    return unit(data[rng.integers(0, len(data), m)] + 0.05 * rng.standard_normal((m, DIM)))


def brute_force(data: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    return np.argsort(-(queries @ data.T), axis=1, kind="stable")[:, :k]


# ---- the contract: any VectorStore -------------------------------------------------------------------

def check_empty(store) -> None:
    assert (store.ntotal, store.dim) == (0, DIM)
    scores, ids = store.search(near(clustered(100), 2), 3)
    assert ids.shape == scores.shape == (2, 3)
    assert (ids == -1).all() and (scores == PAD_SCORE).all()


def check_search(store, data: np.ndarray) -> None:
    store.add(data)
    assert store.ntotal == len(data)
    picks = np.arange(0, len(data), 40)
    scores, ids = store.search(data[picks], K)
    assert (ids[:, 0] == picks).all(), "a stored vector's nearest neighbour is itself"
    assert np.allclose(scores[:, 0], 1.0, atol=2e-2)
    queries = near(data)
    scores, ids = store.search(queries, K)
    truth = brute_force(data, queries)
    recall = np.mean([len(set(a) & set(b)) / K for a, b in zip(ids, truth)])
    assert recall >= 0.95, f"recall@{K} {recall:.3f} against brute force"
    exact = np.take_along_axis(queries @ data.T, ids, axis=1)     # scores are inner products, best first
    assert np.allclose(scores, exact, atol=2e-2)
    assert (np.diff(scores, axis=1) <= 1e-6).all()


def check_ids_continue_and_pad(store, data: np.ndarray) -> None:
    store.add(data[:300])
    store.add(data[300:500])
    assert store.ntotal == 500
    _, ids = store.search(data[[10, 450]], 1)
    assert ids[:, 0].tolist() == [10, 450]
    scores, ids = store.search(data[:1], 600)                  # k beyond ntotal: FAISS-style padding
    found = int((ids[0] >= 0).sum())                           # an ANN index may reach fewer than all 500
    assert 0 < found <= 500 and len(set(ids[0, :found])) == found
    assert (ids[0, found:] == -1).all() and (scores[0, found:] == PAD_SCORE).all()


def check_bad_input(store) -> None:
    with pytest.raises(BadInput, match="vectors must be"):
        store.add(np.ones((3, DIM + 1), dtype=np.float32))
    with pytest.raises(BadInput, match="k must be"):
        store.search(np.ones((1, DIM), dtype=np.float32), 0)


def check_roundtrip(store, data: np.ndarray, reopen: Callable[[Path], object], folder: Path) -> None:
    store.add(data)
    queries = near(data, 20)
    before = store.search(queries, K)
    store.save(folder)
    assert not list(folder.glob("*.pkl")) and json.loads((folder / "store.json").read_text())["ntotal"] == len(data)
    again = reopen(folder)
    assert (again.ntotal, again.dim) == (len(data), DIM)
    after = again.search(queries, K)
    assert (after[1] == before[1]).all() and np.allclose(after[0], before[0], atol=1e-5)


# ---- FAISS --------------------------------------------------------------------------------------------

@pytest.fixture(params=sorted(SPECS))
def faiss_store(request) -> FaissStore:
    return FaissStore.create(DIM, SPECS[request.param])


@pytest.mark.slow
def test_faiss_contract_search(faiss_store):
    check_search(faiss_store, clustered())


@pytest.mark.slow
def test_faiss_contract_ids_and_padding(faiss_store):
    check_ids_continue_and_pad(faiss_store, clustered())


@pytest.mark.slow
def test_faiss_contract_roundtrip(faiss_store, tmp_path):
    check_roundtrip(faiss_store, clustered(), FaissStore.load, tmp_path / "dense")


def test_faiss_contract_empty_and_bad_input():
    store = FaissStore.create(DIM, SPECS["flat"])
    check_empty(store)
    check_bad_input(store)


def test_ivf_needs_enough_vectors_to_train():
    with pytest.raises(BadInput, match="at least that many"):
        FaissStore.create(DIM, SPECS["ivf"]).add(clustered(10 * 50)[:10])


def test_load_keeps_search_parameters_and_rejects_mismatch(tmp_path):
    store = FaissStore.create(DIM, SPECS["hnsw"])
    store.add(clustered(500))
    store.save(tmp_path)
    assert FaissStore.load(tmp_path).index.hnsw.efSearch == 64
    meta = json.loads((tmp_path / "store.json").read_text())
    (tmp_path / "store.json").write_text(json.dumps({**meta, "ntotal": 499}))
    with pytest.raises(IndexCorrupt, match="netlm-rag build"):
        FaissStore.load(tmp_path)
    (tmp_path / "store.json").write_text(json.dumps({**meta, "backend": "pgvector"}))
    with pytest.raises(IndexCorrupt, match="pgvector"):
        FaissStore.load(tmp_path)


# ---- choose_index -------------------------------------------------------------------------------------

def test_choose_index_thresholds():
    assert choose_index(0) == choose_index(vs.FLAT_MAX) == IndexSpec("flat")
    small, large = choose_index(vs.FLAT_MAX + 1), choose_index(vs.HNSW_EF_SMALL_MAX + 1)
    assert (small.kind, small.m, small.ef_search) == ("hnsw", 32, vs.HNSW_EF_SMALL)
    assert (large.kind, large.ef_search) == ("hnsw", vs.HNSW_EF_LARGE)
    assert choose_index(vs.HNSW_MAX).kind == "hnsw"
    ivf = choose_index(vs.HNSW_MAX + 1)
    assert (ivf.kind, ivf.codec) == ("ivf", "sq8")
    assert abs(ivf.nlist - 4 * math.sqrt(vs.HNSW_MAX + 1)) <= 8 and 0 < ivf.nprobe < ivf.nlist
    with pytest.raises(BadInput):
        choose_index(-1)


def test_choose_index_is_monotone_in_size():
    order = {"flat": 0, "hnsw": 1, "ivf": 2}
    specs = [choose_index(int(n)) for n in np.logspace(0, 8, 60)]
    assert [order[s.kind] for s in specs] == sorted(order[s.kind] for s in specs)
    assert all(make_ok(s) for s in {s for s in specs if s.kind != "ivf" or s.nlist <= 4096})


def make_ok(spec: IndexSpec) -> bool:
    return vs.make_faiss_index(spec, DIM).d == DIM


def test_incomplete_spec_is_rejected():
    with pytest.raises(BadInput, match="incomplete"):
        IndexSpec("hnsw", m=32)
    with pytest.raises(BadInput, match="incomplete"):
        IndexSpec("ivf", nlist=8, nprobe=9)
    assert IndexSpec.from_dict(choose_index(10**6).to_dict()) == choose_index(10**6)


def test_measured_defaults_reach_the_recall_target():
    """Oracle: the benchmark's own check of choose_index(n) on the data the thresholds came from."""
    path = ROOT / "bench" / "reference" / "scale.json"
    rows = [r for r in json.loads(path.read_text())["rows"] if r["index"].startswith("choose_index")]
    assert rows, "scale.json has no choose_index rows"
    for r in rows:
        assert r["spec"] == choose_index(r["n"]).to_dict(), f"scale.json is older than choose_index at {r['n']}"
        assert r["recall@10"] >= 0.95, r
