"""Clinicians' feedback on answers: SQLite, one transaction per write, exportable as CSV. No UI here.

`FeedbackStore(settings.paths.data)` keeps `feedback.sqlite3` in the data folder; a path ending in .sqlite, .sqlite3
or .db is used as the database file itself. Each call opens its own connection, so Streamlit threads can share it."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import BadInput
from .sqlite_store import SqliteStore

DB_NAME = "feedback.sqlite3"
RATINGS = ("up", "down")
# Numbered migrations (as simonw/llm does): PRAGMA user_version records how many have run.
MIGRATIONS = (
    """CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        comment TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL,
        standalone_question TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL,
        abstained INTEGER NOT NULL DEFAULT 0,
        citations TEXT NOT NULL,          -- JSON list of {chunk_id, document, section, text}
        index_build TEXT NOT NULL)""",
)
COLUMNS = ("id", "created_at", "rating", "comment", "question", "standalone_question", "answer", "abstained",
           "citations", "index_build")
CITATION_KEYS = ("chunk_id", "document", "document_name", "section", "text")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FeedbackStore(SqliteStore):
    migrations = MIGRATIONS

    def __init__(self, path: Path | str):
        path = Path(path)
        self.path = path if path.suffix in (".sqlite", ".sqlite3", ".db") else path / DB_NAME
        super().__init__(self.path)

    def add(self, rating: str, question: str, answer: str, citations: Iterable[Mapping[str, Any]],
            index_build: str, comment: str = "", standalone_question: str = "", abstained: bool = False) -> int:
        """Store one rating with what was rated; returns the row id."""
        if rating not in RATINGS:
            raise BadInput(f"rating must be 'up' or 'down', got {rating!r}")
        if not isinstance(question, str) or not question.strip():
            raise BadInput("feedback needs the question it rates")
        cites = [{k: c.get(k) for k in CITATION_KEYS if k in c} for c in citations]
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, standalone_question, answer, abstained,"
                " citations, index_build) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_now(), rating, (comment or "").strip(), question, standalone_question or question, answer or "",
                 int(bool(abstained)), json.dumps(cites, ensure_ascii=False), index_build or ""))
            return int(cur.lastrowid)

    def list(self) -> list[dict[str, Any]]:
        """Every row, oldest first; `citations` stays JSON text (as exported)."""
        with self._tx() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")]

    def counts(self) -> dict[str, int]:
        with self._tx() as db:
            found = dict(db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall())
        return {r: int(found.get(r, 0)) for r in RATINGS}

    def export_csv(self, path: Path | str | None = None) -> str:
        """CSV text (header always present); also written to `path` when given."""
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(self.list())
        if path is not None:
            Path(path).write_text(out.getvalue(), encoding="utf-8")
        return out.getvalue()
