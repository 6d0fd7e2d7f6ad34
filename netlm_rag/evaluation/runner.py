"""run_eval: every system on the same QA items; writes metrics.json, per_question.jsonl, report.md/.html."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Sequence

from ..config import RetrievalSettings
from ..errors import NetlmError
from .metrics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from .qaset import QAItem, gold_spans, load_qa
from .report import write_reports
from .results import QuestionResult, failed_output, score_item
from .summary import DESCRIPTIONS, by_document, by_type, headline
from .systems import SYSTEMS, make_systems

logger = logging.getLogger(__name__)

SCHEMA = 1
Progress = Callable[[int, int], None]


def quiet(assistant: Any) -> Any:
    """The same assistant with the audit log off: evaluation questions are not clinical use."""
    s = getattr(assistant, "settings", None)
    if s is None or not getattr(getattr(s, "audit", None), "enabled", False) or not dataclasses.is_dataclass(assistant):
        return assistant
    return dataclasses.replace(assistant, settings=s.with_overrides(audit={"enabled": False}))


def run_items(items: Sequence[QAItem], docs: dict, systems: dict, k: int,
              progress: Progress | None = None) -> dict[str, list[QuestionResult]]:
    gold = {it.id: gold_spans(it, docs) for it in items}
    total, done = len(items) * len(systems), 0
    out: dict[str, list[QuestionResult]] = {}
    for name, (system, _) in systems.items():
        rows = []
        for it in items:
            try:
                rows.append(score_item(name, it, system(it.question, it.history), gold[it.id], k))
            except NetlmError as exc:        # e.g. a question the pipeline rejects: scored as an abstention
                logger.warning("%s failed on %s: %s", name, it.id, exc)
                rows.append(score_item(name, it, failed_output(str(exc)), gold[it.id], k, error=str(exc)))
            done += 1
            if progress:
                progress(done, total)
        out[name] = rows
    return out


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("netlm-rag", "sentence-transformers", "faiss-cpu", "bm25s", "langchain-core", "langchain-community"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def settings_dict(assistant: Any) -> dict[str, Any]:
    s = getattr(assistant, "settings", None)
    if s is None or not dataclasses.is_dataclass(s):
        return {}
    return json.loads(json.dumps(dataclasses.asdict(s), default=str))


def summarise(results: dict[str, list[QuestionResult]], systems: dict, k: int, qa_path: Path,
              items: Sequence[QAItem], assistant: Any) -> dict[str, Any]:
    """The metrics.json object: per system every headline metric with its CI, breakdowns and configuration."""
    boot = {"resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED}
    return {
        "schema": SCHEMA,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "qa": {"path": str(qa_path), "sha256": hashlib.sha256(qa_path.read_bytes()).hexdigest(),
               "n_items": len(items), "n_answerable": sum(i.answerable for i in items),
               "ids_sha256": hashlib.sha256("\n".join(i.id for i in items).encode()).hexdigest()[:16]},
        "k": k,
        "bootstrap": {**boot, "ci": 0.95, "method": "percentile, items resampled"},
        "index": dict(getattr(assistant, "index_info", {}) or {}),
        "settings": settings_dict(assistant),
        "versions": versions(),
        "definitions": DESCRIPTIONS,
        "systems": {
            name: {
                "config": systems[name][1],
                "metrics": {m: v.to_dict() for m, v in headline(rows, k).items()},
                "by_type": by_type(rows, k),
                "by_document": by_document(rows, k),
                "errors": sum(1 for r in rows if r.error),
            }
            for name, rows in results.items()
        },
    }


def write_json_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_eval(qa_path: Path | str, out_dir: Path | str, assistant: Any, k: int | None = None,
             systems: Sequence[str] = SYSTEMS, progress: Progress | None = None) -> dict[str, Any]:
    """Score `systems` on every item of `qa_path` and write the run to `out_dir`. Returns metrics.json's object.
    `k` (hits given to the composer) defaults to the app's own (RetrievalSettings.k): `full` is what users get."""
    qa_path, out_dir = Path(qa_path), Path(out_dir)
    k = k or getattr(getattr(assistant, "settings", None), "retrieval", RetrievalSettings()).k
    items = load_qa(qa_path)
    assistant = quiet(assistant)
    built = make_systems(tuple(systems), assistant, k)
    results = run_items(items, assistant.documents, built, k, progress)
    metrics = summarise(results, built, k, qa_path, items, assistant)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "per_question.jsonl", "".join(
        json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for rows in results.values() for r in rows))
    write_json_atomic(out_dir / "metrics.json", json.dumps(metrics, indent=1, ensure_ascii=False))
    write_reports(out_dir, metrics, results)
    logger.info("evaluation of %d items x %d systems written to %s", len(items), len(built), out_dir)
    return metrics
