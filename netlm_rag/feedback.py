"""Clinicians' feedback on answers: SQLite, one transaction per write, exportable as CSV."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
  comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,
  index_build TEXT NOT NULL)"""


class FeedbackStore:
    def __init__(self, data_dir: Path | str):
        self.path = Path(data_dir) / "feedback.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:                    # commit on success, roll back on error
                yield db
        finally:
            db.close()

    def add(self, rating: str, question: str, answer: str, citations: list[dict[str, Any]], index_build: str,
            comment: str = "") -> int:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, answer, citations, index_build) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(timezone.utc).isoformat(timespec="seconds"), rating, comment, question, answer,
                 json.dumps([c.get("chunk_id") for c in citations]), index_build))
            return int(cur.lastrowid)

    def list(self) -> list[dict[str, Any]]:
        with self._tx() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

    def export_csv(self) -> str:
        rows = self.list()
        out = io.StringIO()
        if rows:
            w = csv.DictWriter(out, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        return out.getvalue()
