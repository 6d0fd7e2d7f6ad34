"""The sentences a training question may be written for: prose sentences that no question of eval/qa.jsonl or
eval/qa_holdout.jsonl cites, nor restates.

netlm_rag/data/training_questions.jsonl (clinician-style questions the adaptation learns from, README "Adapting
the embedder") was written for these sentences only, so that neither evaluation set measures training data. A
sentence is excluded when it shares a run of six words with a gold quote, contains one or is contained in one, or
sits within 0.75 cosine (the plain bundled model) of one: the reviews restate each other.

Run: .venv/bin/python eval/training_candidates.py [--out FILE]   (writes a JSON list of {doc, section, sentence})
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netlm_rag.chunking import chunk_corpus  # noqa: E402
from netlm_rag.config import ModelSettings, Settings  # noqa: E402
from netlm_rag.corpus import load_corpus  # noqa: E402
from netlm_rag.embeddings import load_embedder  # noqa: E402
from netlm_rag.evaluation.qaset import load_qa  # noqa: E402

MIN_CHARS = 60          # shorter "sentences" are headings and fragments
MAX_COSINE = 0.75


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _runs(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9%μ°\-.]+", _norm(text))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def gold_quotes() -> list[str]:
    return [src.quote for name in ("qa.jsonl", "qa_holdout.jsonl") for item in load_qa(ROOT / "eval" / name)
            for src in item.sources]


def candidates(settings: Settings) -> list[dict]:
    quotes = gold_quotes()
    runs = set().union(*(_runs(q) for q in quotes))
    seen: dict[str, dict] = {}
    for c in chunk_corpus(load_corpus(settings.paths.corpus), settings.chunking):
        if c.kind == "table":
            continue
        for sentence in c.sentence_texts():
            key = _norm(sentence)
            if len(sentence) < MIN_CHARS or key in seen:
                continue
            if _runs(sentence) & runs or any(key in _norm(q) or _norm(q) in key for q in quotes):
                continue
            seen[key] = {"doc": c.doc_id, "section": " > ".join(c.section_path), "sentence": sentence}
    rest = list(seen.values())
    model = load_embedder(ModelSettings())
    similar = (model.encode([d["sentence"] for d in rest]) @ model.encode(quotes).T).max(axis=1)
    return [d for d, sim in zip(rest, similar) if sim < MAX_COSINE]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "runs" / "training_candidates.json")
    args = ap.parse_args(argv)
    found = candidates(Settings.from_env())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(found)} sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
