"""Human scores of evaluation answers: a SQLite store under the data folder (one row per run, item, rater),
CSV export, and agreement between two raters (percent agreement and Cohen's kappa). No UI here."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import BadInput
from ..sqlite_store import SqliteStore

LABELS = ("correct", "partly", "wrong", "unsafe")
DB_NAME = "scores.sqlite"

# Numbered migrations (as simonw/llm does): PRAGMA user_version records how many have run.
MIGRATIONS = (
    """CREATE TABLE scores (
        run_id TEXT NOT NULL, qa_id TEXT NOT NULL, rater TEXT NOT NULL,
        label TEXT NOT NULL CHECK (label IN ('correct', 'partly', 'wrong', 'unsafe')),
        comment TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (run_id, qa_id, rater))""",
)


@dataclass(frozen=True, slots=True)
class Score:
    run_id: str
    qa_id: str
    rater: str
    label: str
    comment: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(frozen=True, slots=True)
class Agreement:
    """Two raters on the items both scored. kappa is None when chance agreement is 1 (one shared label)."""

    rater_a: str
    rater_b: str
    n: int
    percent: float | None
    kappa: float | None

    def to_dict(self) -> dict:
        return {"rater_a": self.rater_a, "rater_b": self.rater_b, "n": self.n, "percent": self.percent,
                "kappa": self.kappa}


def cohen_kappa(a: list[str], b: list[str]) -> tuple[float | None, float | None]:
    """(observed agreement, Cohen's kappa) for two equal-length label lists (Cohen 1960):
    kappa = (p_o - p_e) / (1 - p_e), p_e = Σ_label p_a(label) · p_b(label)."""
    if len(a) != len(b):
        raise ValueError("label lists differ in length")
    n = len(a)
    if not n:
        return None, None
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(lab) / n) * (b.count(lab) / n) for lab in set(a) | set(b))
    return po, (None if pe >= 1.0 else (po - pe) / (1 - pe))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ScoreStore(SqliteStore):
    """`ScoreStore(settings.paths.data)`. Each call opens its own connection, so Streamlit threads can share it."""

    migrations = MIGRATIONS

    def __init__(self, data_dir: Path | str):
        self.path = Path(data_dir) / DB_NAME
        super().__init__(self.path)

    def score(self, run_id: str, qa_id: str, rater: str, label: str, comment: str = "") -> Score:
        """Insert or replace this rater's label for this item of this run (created_at kept on update)."""
        for name, value in (("run_id", run_id), ("qa_id", qa_id), ("rater", rater)):
            if not isinstance(value, str) or not value.strip():
                raise BadInput(f"{name} must be a non-empty string")
        if label not in LABELS:
            raise BadInput(f"label {label!r}; valid: {', '.join(LABELS)}")
        now = _now()
        with self._tx() as db:
            db.execute(
                "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, qa_id, rater) "
                "DO UPDATE SET label = excluded.label, comment = excluded.comment, updated_at = excluded.updated_at",
                (run_id, qa_id, rater.strip(), label, comment or "", now, now))
            row = db.execute("SELECT * FROM scores WHERE run_id = ? AND qa_id = ? AND rater = ?",
                             (run_id, qa_id, rater.strip())).fetchone()
        return Score(*row)

    def list(self, run_id: str | None = None, rater: str | None = None, qa_id: str | None = None) -> list[Score]:
        where, args = [], []
        for col, val in (("run_id", run_id), ("rater", rater), ("qa_id", qa_id)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        sql = "SELECT * FROM scores" + (" WHERE " + " AND ".join(where) if where else "")
        with self._tx() as db:
            return [Score(*r) for r in db.execute(sql + " ORDER BY run_id, qa_id, rater", args)]

    def delete(self, run_id: str, qa_id: str, rater: str) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM scores WHERE run_id = ? AND qa_id = ? AND rater = ?",
                              (run_id, qa_id, rater)).rowcount > 0

    def export_csv(self, path: Path | str | None = None, run_id: str | None = None) -> str:
        """CSV text of the scores (header included); also written to `path` when given."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(Score.__slots__), lineterminator="\n")
        writer.writeheader()
        for s in self.list(run_id=run_id):
            writer.writerow(s.to_dict())
        if path is not None:
            Path(path).write_text(buf.getvalue(), encoding="utf-8")
        return buf.getvalue()

    def raters(self, run_id: str | None = None) -> list[str]:
        return sorted({s.rater for s in self.list(run_id=run_id)})

    def agreement(self, rater_a: str, rater_b: str, run_id: str | None = None) -> Agreement:
        """Over the (run, item) pairs both raters labelled."""
        a = {(s.run_id, s.qa_id): s.label for s in self.list(run_id=run_id, rater=rater_a)}
        b = {(s.run_id, s.qa_id): s.label for s in self.list(run_id=run_id, rater=rater_b)}
        both = sorted(a.keys() & b.keys())
        po, kappa = cohen_kappa([a[k] for k in both], [b[k] for k in both])
        return Agreement(rater_a, rater_b, len(both), po, kappa)
