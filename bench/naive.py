"""The "LangChain default" pipeline, measured the way bench/build.py and bench/latency.py measure netlm-rag:
RecursiveCharacterTextSplitter(1000, 200) over the raw review texts + langchain_community FAISS (inner
product) + the same bundled MiniLM. Run in its own process so that its peak memory is its own.

It has no persistent index (FAISS.save_local pickles its docstore, which this project never loads), so
its "start to first answer" is import + model load + split + embed + search, and any corpus change
re-embeds everything: that is the pipeline a first LangChain tutorial produces.

Run: .venv/bin/python bench/naive.py [--first-answer]   (prints one JSON object)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADDENDUM = "\n\nAddendum. Hepatic resection remains the reference treatment when feasible.\n"  # as bench/build.py


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def first_answer(question: str) -> dict:
    """Everything a fresh process of the naive pipeline does before it can answer one question."""
    t = time.perf_counter()
    from netlm_rag.config import Settings
    from netlm_rag.corpus import load_corpus
    from netlm_rag.embeddings import load_embedder
    from netlm_rag.lc import default_store

    s = Settings.from_env()
    store = default_store(load_corpus(s.paths.corpus), load_embedder(s.model))
    store.similarity_search(question, k=5)
    return {"start_to_first_answer_s": time.perf_counter() - t}


def full(questions: list[str]) -> dict:
    from netlm_rag.config import Settings
    from netlm_rag.corpus import load_corpus
    from netlm_rag.embeddings import load_embedder
    from netlm_rag.lc import default_store, split_documents

    s = Settings.from_env()
    t = time.perf_counter()
    emb = load_embedder(s.model)
    load_s = time.perf_counter() - t
    docs = load_corpus(s.paths.corpus)
    emb.model.encode(["warm-up"], show_progress_bar=False)       # both sides are timed on a warm model
    t = time.perf_counter()
    store = default_store(docs, emb)
    cold = time.perf_counter() - t
    texts = [d.page_content for d in split_documents(docs)]
    t = time.perf_counter()
    emb.model.encode(texts, batch_size=s.model.batch_size, normalize_embeddings=True, show_progress_bar=False)
    raw = time.perf_counter() - t
    # One review changed: the default pipeline has no notion of documents already embedded.
    changed = [replace(docs[0], raw_text=docs[0].raw_text + ADDENDUM), *docs[1:]]
    t = time.perf_counter()
    default_store(changed, emb)
    incremental = time.perf_counter() - t
    for q in questions[:5]:
        store.similarity_search(q, k=5)
    lat = []
    for q in questions:
        t = time.perf_counter()
        store.similarity_search(q, k=5)
        lat.append((time.perf_counter() - t) * 1000)
    return {"import_load_s": load_s, "cold_build_s": cold, "chunks": len(texts), "raw_encode_s": raw,
            "cold_over_encode": cold / raw, "incremental_s": incremental,
            "retrieval_p50_ms": statistics.median(lat), "retrieval_p95_ms": pct(lat, 0.95),
            "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--first-answer", action="store_true", help="only process start → first answer")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    questions = [json.loads(l)["question"] for l in (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if l]
    out = first_answer(questions[0]) if args.first_answer else full(questions)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
