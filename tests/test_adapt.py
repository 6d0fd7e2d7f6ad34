"""Adapting the embedder to the corpus: the training data, the cache key, a real (small) training run, and how
builds, loading and status use the adapted copy."""
from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from netlm_rag import adapt, corpus
from netlm_rag.chunking import chunk_corpus
from netlm_rag.config import Settings
from netlm_rag.embeddings import load_embedder, model_fingerprint
from netlm_rag.errors import NetlmError
from netlm_rag.evaluation.qaset import QAItem, Source, load_qa
from netlm_rag.index import build_index, corpus_hash, unit_texts
from netlm_rag.pipeline import Assistant
from netlm_rag.status import index_status


def settings_for(corpus_dir: Path, index_dir: Path, **adapt_overrides) -> Settings:
    s = Settings().with_overrides(adapt={"enabled": True, **adapt_overrides})
    return replace(s, paths=replace(s.paths, corpus=corpus_dir, index=index_dir))


def test_keyword_queries_are_words_of_the_sentence_and_repeatable():
    sentence = "Liver transplantation may be considered in highly selected patients with unresectable disease"
    words = sentence.split()
    queries = [adapt.keyword_query(sentence, random.Random(seed)) for seed in range(20)]
    assert queries == [adapt.keyword_query(sentence, random.Random(seed)) for seed in range(20)]
    for q in queries:
        assert q and set(q.split()) <= set(words)
        assert len(q.split()) < len(words), "the query must be a part of the sentence, not all of it"
    assert len(set(queries)) > 5


def test_training_pairs_use_the_units_the_index_embeds(corpus_copy):
    s = Settings()
    docs = corpus.load_corpus(corpus_copy)
    chunks = chunk_corpus(docs, s.chunking)
    pairs = adapt.training_pairs(chunks, s.adapt, random.Random(0))
    units = {u for c in chunks for u in unit_texts(c)}
    tables = {c.id for c in chunks if c.kind == "table"}
    assert len(pairs) > 1000
    assert all(p.passage in units and p.chunk_id not in tables for p in pairs)
    assert all(len(p.passage.split(": ", 1)[-1]) >= s.adapt.min_sentence_chars for p in pairs)
    assert adapt.batches(pairs[:70], 32) == [pairs[:32], pairs[32:64]], "full batches only"


def test_written_questions_are_paired_with_the_unit_of_their_quote(corpus_copy):
    chunks = chunk_corpus(corpus.load_corpus(corpus_copy), Settings().chunking)
    prose = next(c for c in chunks if c.kind == "prose" and len(c.sentences) > 2)
    sentence = prose.sentence_texts()[1]
    def written(question: str, doc: str, quote: str) -> QAItem:
        return QAItem(id="t", question=question, answer="", key_facts=("x",), sources=(Source(doc, quote),),
                      answerable=True, type="factual", difficulty="easy")

    part = " ".join(sentence.split()[-6:])      # a quote written against part of it (a half since rejoined)
    questions = [written("what does the second sentence say?", prose.doc_id, sentence),
                 written("a review that was removed", "gone", "Not in any review."),
                 written("and its end?", prose.doc_id, part)]
    pairs = adapt.question_pairs(chunks, questions)
    assert [(p.query, p.chunk_id) for p in pairs] == [("what does the second sentence say?", prose.id),
                                                      ("and its end?", prose.id)]
    assert pairs[0].passage == unit_texts(prose)[1], "the passage is the unit the index embeds for that sentence"
    assert pairs[1].passage == pairs[0].passage


def _word_runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Runs of n words: shorter runs are stock phrases ("at a median follow up of") shared by unrelated
    sentences; the set was written from sentences sharing no 6-word run with an evaluation quote, a stricter
    tokenisation that kept hyphenated words whole, and under 0.75 cosine to every one of them."""
    words = re.findall(r"[a-z0-9%]+", " ".join(text.lower().split()))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_the_bundled_training_questions_quote_the_corpus_and_no_evaluation_passage():
    """The written questions may only teach the model sentences that no evaluation question cites; otherwise
    both eval sets would measure training data (README "Adapting the embedder")."""
    root = Path(__file__).resolve().parents[1]
    questions = adapt.load_training_questions()
    assert len(questions) >= 300
    chunks = chunk_corpus(corpus.load_corpus(root / "corpus"), Settings().chunking)
    assert len(adapt.question_pairs(chunks, questions)) == len(questions), "every quote is a corpus sentence"
    gold = {run for name in ("qa.jsonl", "qa_holdout.jsonl") for item in load_qa(root / "eval" / name)
            for src in item.sources for run in _word_runs(src.quote)}
    for q in questions:
        quote = q.sources[0].quote
        assert not _word_runs(quote) & gold, f"{q.id} quotes an evaluation passage"
        assert q.key_facts and all(f.lower() in quote.lower() for f in q.key_facts), q.id


def test_the_key_follows_corpus_settings_and_model_and_resolution_is_idempotent(tmp_path):
    s = settings_for(tmp_path / "c", tmp_path / "index")
    one = adapt.resolve(s, "corpus-a")
    assert Path(one.model.adapted).parent == tmp_path / "index" / "models"
    assert adapt.resolve(one, "corpus-a") == one
    assert adapt.resolve(s, "corpus-b").model.adapted != one.model.adapted
    assert adapt.resolve(s.with_overrides(adapt={"seed": 1}), "corpus-a").model.adapted != one.model.adapted
    assert adapt.resolve(s.with_overrides(chunking={"max_chars": 900}), "corpus-a").model.adapted \
        != one.model.adapted
    assert adapt.resolve(s.with_overrides(adapt={"enabled": False}), "corpus-a").model.adapted == ""


@pytest.fixture(scope="module")
def one_review(tmp_path_factory):
    """One review (~170 sentences: five training steps at batch 32), adapted and indexed once for this module."""
    root = tmp_path_factory.mktemp("adapt")
    src = Path(__file__).resolve().parents[1] / "corpus"
    dst = root / "corpus"
    (dst / "raw").mkdir(parents=True)
    entry = next(e for e in corpus.read_manifest(src) if e["id"] == "cloyd-2020")
    (dst / "raw" / entry["source_file"]).write_bytes((src / "raw" / entry["source_file"]).read_bytes())
    corpus.write_manifest(dst, [entry])
    s = settings_for(dst, root / "index")
    steps = []
    resolved = adapt.prepare_build(s, lambda done, total: steps.append((done, total)))
    build_index(resolved, lambda: load_embedder(resolved.model))
    return s, resolved, steps


@pytest.mark.slow
def test_training_changes_the_model_and_records_how(one_review):
    s, resolved, steps = one_review
    folder = Path(resolved.model.adapted)
    info = json.loads((folder / adapt.MARKER).read_text())
    assert info["key"] == folder.name and info["steps"] == len(steps) >= 4 and steps[-1] == (len(steps),) * 2
    assert info["last_loss"] < info["first_loss"], "the contrastive loss must fall"
    plain = load_embedder(s.model)
    adapted = load_embedder(resolved.model)
    assert adapted.fingerprint != plain.fingerprint == model_fingerprint(adapt.base_folder(s))
    texts = ["Hepatic resection of neuroendocrine liver metastases", "Somatostatin analogues control symptoms"]
    a, b = adapted.encode(texts), plain.encode(texts)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert not np.allclose(a, b, atol=1e-3), "the adapted weights must differ from the plain model's"


@pytest.mark.slow
def test_a_stored_model_is_reused_and_the_index_loads_with_it(one_review, monkeypatch):
    s, resolved, _ = one_review
    monkeypatch.setattr(adapt, "train", lambda *a, **k: pytest.fail("the adapted model is stored: no retraining"))
    assert adapt.prepare_build(s) == resolved
    assistant = Assistant.load(s)
    assert assistant.settings.model.adapted == resolved.model.adapted
    assert assistant.index_info["model"]["name"].endswith(f"(adapted {Path(resolved.model.adapted).name})")
    assert index_status(s)["state"] == "fresh"
    turn = assistant.ask("How should synchronous liver metastases be managed?")
    assert turn.answer.citations


@pytest.mark.slow
def test_a_corpus_change_keeps_the_build_usable_until_the_rebuild(one_review, tmp_path):
    s, resolved, _ = one_review
    edited = tmp_path / "corpus"
    shutil.copytree(s.paths.corpus, edited)
    entry = corpus.read_manifest(edited)[0]
    raw = (edited / "raw" / entry["source_file"]).read_bytes()
    corpus.add_document(edited, entry["source_file"], raw + b"\n\nAddendum: hepatic resection.\n",
                        {"title": entry["title"], "year": entry["year"]}, replace_id=entry["id"])
    s2 = replace(s, paths=replace(s.paths, corpus=edited))
    status = index_status(s2)
    assert status["state"] == "stale" and status["usable_while_stale"], status
    assert "model" not in status["problem"], "the build is judged with the model it was embedded with"
    assert Assistant.load(s2, check_fresh=False).settings.model.adapted == resolved.model.adapted
    assert adapt.resolve(s2, corpus_hash(corpus.load_corpus(edited))).model.adapted != resolved.model.adapted, \
        "a changed corpus gets its own adapted model at the next build"


@pytest.mark.slow
def test_the_plain_model_is_refused_for_an_index_of_the_adapted_one(one_review):
    s, _, _ = one_review
    with pytest.raises(NetlmError, match="not the one this index was embedded with"):
        Assistant.load(s, embedder=load_embedder(s.model))     # same dimensions, other weights


@pytest.mark.slow
def test_a_deleted_adapted_model_names_the_fix(one_review, tmp_path):
    s, resolved, _ = one_review
    gone = replace(resolved, model=replace(resolved.model, adapted=str(tmp_path / "missing")))
    with pytest.raises(NetlmError, match="netlm-rag build"):
        load_embedder(gone.model)


def test_prune_keeps_only_the_model_of_the_current_build(tmp_path):
    s = settings_for(tmp_path / "corpus", tmp_path / "index")
    models = tmp_path / "index" / "models"
    for name in ("old", "older"):
        (models / name).mkdir(parents=True)
    assert sorted(adapt.prune_models(s)) == ["old", "older"]      # no build yet: nothing is in use
    assert not any(models.iterdir())
