"""Adapting the embedder to the corpus at build time, without labels.

MiniLM-L6 was trained on general web pairs; it ranks "TACE" passages by topic, not by the sentence that answers.
Contrastive training on the reviews' own sentences (a random subset of a sentence's words as the query, the sentence
with its heading as the passage, the other sentences of the batch as negatives) teaches it this corpus's wording.
No question or answer from eval/ is used, so the evaluation stays a fair test of it.

The adapted model is a pure function of (base model, corpus, chunking, these settings): it is stored once under
index/models/<key>/ and reused; a corpus change gives a new key, a new model and a full re-embedding. The index
records which model it was embedded with, so a build keeps answering with its own model while the corpus changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .config import AdaptSettings, Settings
from .embeddings import ADAPTED_MARKER, bundled_model_path, model_fingerprint
from .records import Chunk

if TYPE_CHECKING:      # the evaluation package is not loaded by every build or app start
    from .evaluation.qaset import QAItem

logger = logging.getLogger(__name__)

# Bump when the training recipe changes: models adapted by an older recipe are then not reused.
ADAPT_VERSION = "1"
MARKER = ADAPTED_MARKER     # written last: a folder without it is an interrupted training, never loaded

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Pair:
    query: str
    passage: str
    chunk_id: str


def keyword_query(sentence: str, rng: random.Random) -> str:
    """What a clinician might type about this sentence: either a contiguous 30–60 % of its words ("liver
    transplantation in selected patients") or about half its words in order, keywords without the grammar."""
    words = sentence.split()
    if rng.random() < 0.5:
        n = max(3, int(len(words) * rng.uniform(0.3, 0.6)))
        start = rng.randrange(0, max(1, len(words) - n + 1))
        return " ".join(words[start:start + n])
    return " ".join(w for w in words if rng.random() < 0.5) or sentence


def training_pairs(chunks: Sequence[Chunk], cfg: AdaptSettings, rng: random.Random) -> list[Pair]:
    """One pair per prose sentence long enough to say something; the passage is the unit the index embeds."""
    from .index import unit_texts

    out = []
    for c in chunks:
        if c.kind == "table" or not c.sentences:
            continue
        for sentence, unit in zip(c.sentence_texts(), unit_texts(c)):
            if len(sentence) >= cfg.min_sentence_chars:
                out.append(Pair(keyword_query(sentence, rng), unit, c.id))
    rng.shuffle(out)
    return out


TRAINING_QUESTIONS = Path(__file__).parent / "data" / "training_questions.jsonl"


def _norm(text: str) -> str:
    return " ".join(text.split())


def question_pairs(chunks: Sequence[Chunk], questions: Sequence[QAItem]) -> list[Pair]:
    """A written question paired with the unit of the sentence it quotes. A quote the corpus no longer holds
    (a review removed or replaced) is skipped, so the questions never hold a corpus change back."""
    from .index import unit_texts

    where: dict[str, tuple[str, str]] = {}
    for c in chunks:
        if c.kind == "table":
            continue
        for sentence, unit in zip(c.sentence_texts(), unit_texts(c)):
            where.setdefault(_norm(sentence), (unit, c.id))
    out = []
    for q in questions:
        for src in q.sources:
            quote = _norm(src.quote)
            # A quote written against part of a sentence (a fragment of one broken across a page, since
            # rejoined) pairs with the one sentence holding it.
            hit = where.get(quote) or next((v for k, v in where.items() if quote in k), None)
            if hit:
                out.append(Pair(q.question, hit[0], hit[1]))
    return out


def load_training_questions(path: Path = TRAINING_QUESTIONS) -> tuple[QAItem, ...]:
    """The eval sets' format, read and checked by the same loader; no file: no written questions."""
    from .evaluation.qaset import load_qa

    return load_qa(path) if path.is_file() else ()


def batches(pairs: Sequence[Pair], size: int) -> list[list[Pair]]:
    """Full batches only: a last batch of two pairs gives a loss with one negative, mostly noise."""
    return [list(pairs[i:i + size]) for i in range(0, len(pairs) - size + 1, size)]


def base_folder(settings: Settings) -> Path:
    return Path(settings.model.path) if settings.model.path else bundled_model_path()


def adapt_key(settings: Settings, corpus_hash: str) -> str:
    from .index import PIPELINE_VERSION

    # The written questions are training data too, but only when they are used: editing them then retrains.
    used = settings.adapt.question_repeats and TRAINING_QUESTIONS.is_file()
    questions = TRAINING_QUESTIONS.read_bytes() if used else b""
    payload = [ADAPT_VERSION, PIPELINE_VERSION, model_fingerprint(base_folder(settings)), corpus_hash,
               asdict(settings.adapt), asdict(settings.chunking), hashlib.sha256(questions).hexdigest()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def models_dir(settings: Settings) -> Path:
    return settings.paths.index / "models"


def resolve(settings: Settings, corpus_hash: str) -> Settings:
    """Settings whose model is the copy adapted to the corpus with this hash (unchanged when adaptation is off).
    Builds pass the corpus's hash; loading passes the one in the index's manifest."""
    if not settings.adapt.enabled:
        return replace(settings, model=replace(settings.model, adapted=""))
    folder = models_dir(settings) / adapt_key(settings, corpus_hash)
    return replace(settings, model=replace(settings.model, adapted=str(folder)))


def for_index(settings: Settings) -> Settings:
    """Resolved for the current build in settings.paths.index (as given when there is none yet)."""
    from .errors import NetlmError
    from .store import current_build_path, read_manifest

    try:
        manifest = read_manifest(current_build_path(settings.paths.index))
    except NetlmError:
        return settings
    return resolve(settings, manifest.corpus_hash)


def is_adapted(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def prepare_build(settings: Settings, progress: Progress | None = None) -> Settings:
    """Settings to build the index with: the corpus read and chunked (cheap) to find, or train, its adapted model."""
    if not settings.adapt.enabled:
        return resolve(settings, "")
    from .chunking import chunk_corpus
    from .corpus import load_corpus
    from .index import corpus_hash

    docs = load_corpus(settings.paths.corpus)
    s = resolve(settings, corpus_hash(docs))
    if not is_adapted(Path(s.model.adapted)):
        train(s, chunk_corpus(docs, settings.chunking), Path(s.model.adapted), progress)
    return s


def train(settings: Settings, chunks: Sequence[Chunk], out: Path, progress: Progress | None = None) -> dict:
    """Fine-tune a copy of the base model and save it to `out` (atomically: a temporary folder renamed)."""
    import torch
    from sentence_transformers import SentenceTransformer

    cfg, t0 = settings.adapt, time.perf_counter()
    rng = random.Random(cfg.seed)
    torch.manual_seed(cfg.seed)
    base = base_folder(settings)
    model = SentenceTransformer(str(base), device="cpu")
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    asked = question_pairs(chunks, load_training_questions()) * cfg.question_repeats
    plan = []
    for _ in range(cfg.epochs):
        pairs = training_pairs(chunks, cfg, rng)
        if asked:
            pairs += asked
            rng.shuffle(pairs)
        plan.append(batches(pairs, cfg.batch_size))
    total, done, losses = sum(map(len, plan)), 0, []
    model.train()
    for epoch in plan:
        for batch in epoch:
            loss = batch_loss(model, batch, cfg.temperature)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(round(float(loss.item()), 4))
            done += 1
            if progress:
                progress(done, total)
    model.eval()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(str(tmp))
    info = {"key": out.name, "base": str(base), "base_fingerprint": model_fingerprint(base),
            "settings": asdict(cfg), "pairs": sum(len(b) for b in plan[0]) if plan else 0, "steps": total,
            "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
            "seconds": round(time.perf_counter() - t0, 1), "version": ADAPT_VERSION}
    (tmp / MARKER).write_text(json.dumps(info, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    logger.info("adapted the embedder to the corpus in %.0f s (%d steps): %s", info["seconds"], total, out)
    return info


def batch_loss(model, batch: list[Pair], temperature: float):
    """In-batch softmax: each query must pick its own passage among the batch's. Sentences of the same chunk
    are not counted as negatives: overlapping chunks repeat sentences, and neighbours often say the same thing."""
    import torch
    import torch.nn.functional as F

    def embed(texts: list[str]):
        return F.normalize(model(model.preprocess(texts))["sentence_embedding"], dim=-1)

    sim = embed([p.query for p in batch]) @ embed([p.passage for p in batch]).T / temperature
    same = torch.tensor([[a.chunk_id == b.chunk_id and i != j for j, b in enumerate(batch)]
                         for i, a in enumerate(batch)])
    return F.cross_entropy(sim.masked_fill(same, -1e4), torch.arange(len(batch)))


def prune_models(settings: Settings) -> list[str]:
    """Remove adapted models the current build does not use (each is ~90 MB)."""
    keep = Path(for_index(settings).model.adapted or "").name
    removed = []
    for folder in models_dir(settings).glob("*"):
        if folder.is_dir() and folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
