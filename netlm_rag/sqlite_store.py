"""SQLite stores written by people (feedback, evaluation scores): numbered migrations, one transaction per call."""
from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator, Sequence


class SqliteStore:
    """Opens a connection per call, so Streamlit's threads can share one store object."""

    migrations: Sequence[str] = ()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for i, sql in enumerate(self.migrations[version:], start=version + 1):
                db.execute(sql)
                db.execute(f"PRAGMA user_version = {i}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed on success, rolled back on any error."""
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            with db:
                yield db
