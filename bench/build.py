"""Benchmark: cold build, no-op rebuild, incremental rebuild after one changed document, raw encode floor,
peak memory. Writes bench/results/build.json and prints a Markdown table. Run: .venv/bin/python bench/build.py

The model is warmed with one short encode before the cold build: the floor (raw model.encode of the same
distinct units) is measured on a warm model too, so the ratio is the build's own overhead."""
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

    emb.model.encode(["warm-up"], show_progress_bar=False)
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
        "import_load_s": import_s + load_s,
        "cold_build_s": cold.seconds,
        "chunks": cold.n_chunks,
        "units": cold.embedded_units,
        "raw_encode_s": raw_encode,
        "cold_over_encode": cold.seconds / raw_encode,
        "units_per_s": cold.embedded_units / cold.seconds,
        "noop_s": noop.seconds,
        "incremental_s": incr.seconds,
        "incremental_doc": first["id"],
        "incremental_units": incr.embedded_units,
        "incremental_unchanged_docs": len(incr.unchanged),
        "peak_rss_mb": peak_mb,
    }
    rows = {k: round(v, 3) if isinstance(v, float) else v for k, v in rows.items()}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "build.json").write_text(json.dumps(rows, indent=1))
    print("| measure | value |\n|---|---|")
    for k, v in rows.items():
        print(f"| {k} | {v} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
