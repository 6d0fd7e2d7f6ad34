"""Audit trail: one JSON line per answered question, rotated by size. Question text is optional, for sites
that must not keep patient details (a hash is kept instead so repeated questions can still be counted)."""
from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import AuditSettings

_LOCK = threading.Lock()     # one writer at a time within a process; appends of one line are atomic on POSIX


def audit_record(turn: Any, index_build: str, cfg: AuditSettings) -> dict[str, Any]:
    rules = turn.rules.to_dict() if turn.rules is not None else {}
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "index_build": index_build,
        "question_sha256": hashlib.sha256(turn.question.encode()).hexdigest(),
        "abstained": turn.answer.abstained,
        "hit_ids": [h.chunk.id for h in turn.answer.hits],
        "citations": [c.chunk_id for c in turn.answer.citations],
        "verdicts": {o["option"]: o["verdict"] for o in rules.get("options", [])} if rules.get("facts") else {},
        "latency_ms": round(turn.latency_ms, 2),
    }
    if cfg.store_question_text:
        record["question"] = turn.question
        record["standalone_question"] = turn.standalone_question
    return record


def rotate(path: Path, keep: int) -> None:
    for i in range(keep - 1, 0, -1):
        src = path.with_name(f"{path.name}.{i}")
        if src.exists():
            os.replace(src, path.with_name(f"{path.name}.{i + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))


def log_turn(data_dir: Path, turn: Any, index_build: str, cfg: AuditSettings) -> None:
    path = Path(data_dir) / "audit" / "answers.jsonl"
    line = json.dumps(audit_record(turn, index_build, cfg), ensure_ascii=False) + "\n"
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size + len(line) > cfg.max_log_bytes:
            rotate(path, cfg.keep_logs)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
