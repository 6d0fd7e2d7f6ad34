"""Index build, incremental refresh, atomic swap and load-time verification, with the real model."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from netlm_rag import corpus
from netlm_rag.config import Settings
from netlm_rag.errors import IndexCorrupt, IndexMissing, IndexStale
from netlm_rag.index import build_index, ensure_fresh
from netlm_rag.store import current_build_path, load_build

pytestmark = pytest.mark.slow


def settings_for(corpus_dir: Path, index_dir: Path) -> Settings:
    s = Settings().with_overrides(adapt={"enabled": False})
    return replace(s, paths=replace(s.paths, corpus=corpus_dir, index=index_dir))


@pytest.fixture
def small_corpus(corpus_copy):
    """Two of the five reviews keep these tests at a few seconds of embedding."""
    entries = corpus.read_manifest(corpus_copy)
    keep = [e for e in entries if e["id"] in ("macedo-2013", "cloyd-2020")]
    corpus.write_manifest(corpus_copy, keep)
    return corpus_copy


def test_missing_index_names_the_fix(tmp_path):
    with pytest.raises(IndexMissing, match="netlm-rag build"):
        load_build(tmp_path / "nothing")


def test_incremental_rebuild_reembeds_only_the_changed_document(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    first = build_index(s, lambda: embedder)
    assert first.added == ("cloyd-2020", "macedo-2013") and not first.skipped
    before = load_build(s.paths.index)
    assert len(before.chunks) == first.n_chunks and before.vectors.shape == (first.n_units, embedder.dim)

    noop = build_index(s, lambda: pytest.fail("nothing changed: the model must not be loaded"))
    assert noop.skipped

    entry = next(e for e in corpus.read_manifest(small_corpus) if e["id"] == "macedo-2013")
    raw = (small_corpus / "raw" / entry["source_file"]).read_bytes()
    corpus.add_document(small_corpus, entry["source_file"],
                        raw + b"\n\nAddendum. Hepatic resection remains the reference treatment when feasible.\n",
                        {"title": entry["title"], "year": entry["year"]}, replace_id="macedo-2013")
    second = build_index(s, lambda: embedder)
    assert second.updated == ("macedo-2013",) and second.unchanged == ("cloyd-2020",)
    after = load_build(s.paths.index)
    cloyd_before = [c for c in before.chunks if c.doc_id == "cloyd-2020"]
    cloyd_after = [c for c in after.chunks if c.doc_id == "cloyd-2020"]
    assert [c.id for c in cloyd_before] == [c.id for c in cloyd_after]
    macedo_units = sum(1 for u in after.units if after.chunks[u].doc_id == "macedo-2013")
    assert second.embedded_units <= macedo_units          # only the changed document was encoded
    rows_b = [i for i, u in enumerate(before.units) if before.chunks[u].doc_id == "cloyd-2020"]
    rows_a = [i for i, u in enumerate(after.units) if after.chunks[u].doc_id == "cloyd-2020"]
    assert np.array_equal(before.vectors[rows_b], after.vectors[rows_a])


def test_truncated_or_swapped_files_are_detected(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    build = current_build_path(s.paths.index)
    faiss_file = build / "dense.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:1000])
    with pytest.raises(IndexCorrupt, match="truncated or changed.*netlm-rag build"):
        load_build(s.paths.index)


def test_files_swapped_between_builds_or_versions_are_detected(small_corpus, tmp_path, embedder):
    """Files copied by hand from another build, or a build written by another version of netlm-rag."""
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    old = current_build_path(s.paths.index)
    corpus.remove_document(small_corpus, "cloyd-2020")
    build_index(s, lambda: embedder)
    new = current_build_path(s.paths.index)
    assert old != new and old.is_dir()
    for name in ("vectors.npy", "dense.faiss", "chunks.jsonl", "store.json"):
        kept = (new / name).read_bytes()
        (new / name).write_bytes((old / name).read_bytes())
        with pytest.raises(IndexCorrupt, match=f"{name} is truncated or changed.*netlm-rag build"):
            load_build(s.paths.index)
        (new / name).write_bytes(kept)
    load_build(s.paths.index)
    # The whole manifest swapped too, so checksums agree with the files: the row counts still do not.
    for name in ("vectors.npy", "units.npy", "manifest.json"):
        (new / name).write_bytes((old / name).read_bytes())
    with pytest.raises(IndexCorrupt, match="netlm-rag build"):
        load_build(s.paths.index)
    m = json.loads((old / "manifest.json").read_text())           # a build of an older schema
    (new / "manifest.json").write_text(json.dumps({**m, "schema": 2}))
    with pytest.raises(IndexCorrupt, match="index schema 2 is not 3 — run: netlm-rag build"):
        load_build(s.paths.index)


@pytest.mark.parametrize("edit, problem", [
    (lambda m: m.update(n_chunks=m["n_chunks"] + 1), "chunks, manifest says"),
    (lambda m: m["model"].update(dim=768), "manifest says"),                  # a model of another dimension
])
def test_inconsistent_manifest_is_detected(small_corpus, tmp_path, embedder, edit, problem):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    build = current_build_path(s.paths.index)
    m = json.loads((build / "manifest.json").read_text())
    edit(m)
    (build / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexCorrupt, match=f"inconsistent.*{problem}.*netlm-rag build"):
        load_build(s.paths.index)


def test_an_index_built_with_another_model_is_stale(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "config.json").write_text("{}")
    with pytest.raises(IndexStale, match="model.*netlm-rag build"):
        ensure_fresh(load_build(s.paths.index).manifest, corpus.load_corpus(small_corpus),
                     s.with_overrides(model={"path": str(other)}))


def test_stale_index_is_reported_with_reason(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    corpus.remove_document(small_corpus, "cloyd-2020")
    with pytest.raises(IndexStale, match="removed document cloyd-2020"):
        ensure_fresh(load_build(s.paths.index).manifest, corpus.load_corpus(small_corpus), s)
    with pytest.raises(IndexStale, match="chunking"):
        ensure_fresh(load_build(s.paths.index).manifest, corpus.load_corpus(small_corpus),
                     s.with_overrides(chunking={"max_chars": 400}))


def test_an_edited_synonym_table_makes_the_index_stale(small_corpus, tmp_path, embedder, monkeypatch):
    """The synonym table decides every chunk's BM25 tokens: editing it must not leave an old index in use."""
    import netlm_rag.index as index_module

    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    monkeypatch.setattr(index_module, "lexicon_fingerprint", lambda: "edited")
    with pytest.raises(IndexStale, match="synonym table"):
        ensure_fresh(load_build(s.paths.index).manifest, corpus.load_corpus(small_corpus), s)


def test_encoding_keeps_the_input_order_whatever_the_lengths(embedder):
    """encode() sorts by length across its progress slices; rows must still come back in input order."""
    texts = [f"liver metastasis case {i}: " + "resection and ablation " * (i % 13) for i in range(150)]
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([t]) for t in texts])
    assert together.shape == (150, embedder.dim)
    assert np.allclose(together, alone, atol=1e-4)


def test_crash_mid_build_keeps_previous_index(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    live = current_build_path(s.paths.index)
    corpus.remove_document(small_corpus, "cloyd-2020")

    class Boom(Exception):
        pass

    def exploding():
        raise Boom()
    corpus.add_document(small_corpus, "extra.txt", b"Liver-directed therapy for NELM. " * 40, {"id": "extra"})
    with pytest.raises(Boom):
        build_index(s, exploding)
    assert current_build_path(s.paths.index) == live
    load_build(s.paths.index)                                      # still loads and verifies
    assert not [p for p in (s.paths.index / "builds").iterdir() if p.name.startswith(".tmp")]


def test_no_pickle_in_index(small_corpus, tmp_path, embedder):
    s = settings_for(small_corpus, tmp_path / "index")
    build_index(s, lambda: embedder)
    for p in current_build_path(s.paths.index).rglob("*"):
        assert p.suffix not in (".pkl", ".pickle")
        if p.suffix == ".npy":
            np.load(p, allow_pickle=False)


def test_no_code_path_loads_anything_with_pickle():
    """Loading is pickle-free by construction: no pickle-based loader is imported or called anywhere, and
    every numpy/bm25s load forbids pickled objects explicitly."""
    import re

    root = Path(__file__).resolve().parents[1]
    files = [*(root / "netlm_rag").rglob("*.py"), root / "app.py", *(root / "app_pages").rglob("*.py")]
    banned = re.compile(r"^\s*(?:import|from)\s+(?:pickle|cPickle|dill|joblib|shelve)\b|torch\.load\(|load_local\(|"
                        r"allow_pickle\s*=\s*True|allow_dangerous_deserialization", re.M)
    loads = re.compile(r"(?:np|numpy|BM25)\.load\((?P<args>.*)$", re.M)        # the call on one line
    assert len(files) > 20
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not banned.search(text), f"{f.relative_to(root)}: {banned.search(text).group(0)}"
        for m in loads.finditer(text):
            assert "allow_pickle=False" in m.group("args"), f"{f.relative_to(root)}: {m.group(0)}"
