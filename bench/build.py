"""Benchmark: cold build, no-op rebuild, incremental rebuild after one changed document, raw encode floor,
peak memory. Writes bench/results/build.json and prints a Markdown table. Run: .venv/bin/python bench/build.py"""
from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    t_import = time.perf_counter()
    from netlm_rag import corpus
    from netlm_rag.config import Settings
    from netlm_rag.embeddings import load_embedder
    from netlm_rag.index import build_index, unit_texts
    from netlm_rag.chunking import chunk_corpus

    work = Path(tempfile.mkdtemp(prefix="netlm-bench-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    s = Settings()
    s = replace(s, paths=replace(s.paths, corpus=work / "corpus", index=work / "index", data=work / "data"))
    t0 = time.perf_counter()
    emb = load_embedder(s.model)
    load_s = time.perf_counter() - t0
    import_s = t0 - t_import

    cold = build_index(s, lambda: emb)
    noop = build_index(s, lambda: emb)
    first = corpus.read_manifest(s.paths.corpus)[1]
    path = s.paths.corpus / "raw" / first["source_file"]
    data = path.read_bytes() + b"\n\nAddendum. Hepatic resection remains the reference treatment when feasible.\n"
    corpus.add_document(s.paths.corpus, first["source_file"], data, {k: first[k] for k in ("title", "year")},
                        replace_id=first["id"])
    incr = build_index(s, lambda: emb)

    docs = corpus.load_corpus(s.paths.corpus)
    texts = [t for c in chunk_corpus(docs, s.chunking) for t in unit_texts(c)]
    distinct = list(dict.fromkeys(texts))
    t1 = time.perf_counter()
    emb.model.encode(distinct, batch_size=s.model.batch_size, normalize_embeddings=True)
    raw_encode = time.perf_counter() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = {
        "import sentence-transformers + load model (s)": round(import_s + load_s, 2),
        "cold build, 5 reviews (s)": round(cold.seconds, 2),
        "chunks / embedded units": f"{cold.n_chunks} / {cold.embedded_units}",
        "raw model.encode of the same distinct units (s)": round(raw_encode, 2),
        "cold build ÷ raw encode": round(cold.seconds / raw_encode, 2),
        "units per second (build)": round(cold.embedded_units / cold.seconds, 1),
        "no-op rebuild (s)": round(noop.seconds, 3),
        f"incremental rebuild, 1 changed document ({first['id']}) (s)": round(incr.seconds, 2),
        "units re-embedded in incremental": incr.embedded_units,
        "documents kept unchanged": len(incr.unchanged),
        "peak RSS (MB)": round(peak_mb),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "build.json").write_text(json.dumps(rows, indent=1))
    print("| measure | value |\n|---|---|")
    for k, v in rows.items():
        print(f"| {k} | {v} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
