"""The question/answer set: load, validate against the raw corpus, gold spans, the stable hold-out split."""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import BadInput
from ..records import Document

VERDICTS = frozenset({"eligible", "caution", "contraindicated", "insufficient_data"})
DIFFICULTIES = frozenset({"easy", "medium", "hard"})
REQUIRED = {"id": str, "question": str, "answer": str, "key_facts": list, "sources": list,
            "answerable": bool, "type": str, "difficulty": str}
OPTIONAL = {"expected_verdicts": dict, "history": list}
# A fifth of each question type is held out: enough (~80 of 400) for a CI of about ±0.1 on a proportion.
HOLDOUT_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Source:
    file: str          # delivered file name or document id
    quote: str         # verbatim passage of that raw document


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """Where a source quote sits in its raw document: [start, end)."""

    doc_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class QAItem:
    id: str
    question: str
    answer: str
    key_facts: tuple[str, ...]
    sources: tuple[Source, ...]
    answerable: bool
    type: str
    difficulty: str
    expected_verdicts: tuple[tuple[str, str], ...] = ()   # (option, verdict), sorted by option
    history: tuple[str, ...] = ()   # earlier questions of the conversation, oldest first: `question` is a follow-up

    @property
    def verdicts(self) -> dict[str, str]:
        return dict(self.expected_verdicts)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id, "question": self.question, "answer": self.answer, "key_facts": list(self.key_facts),
            "sources": [{"file": s.file, "quote": s.quote} for s in self.sources],
            "answerable": self.answerable, "type": self.type, "difficulty": self.difficulty,
        }
        if self.expected_verdicts:
            d["expected_verdicts"] = self.verdicts
        if self.history:
            d["history"] = list(self.history)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "QAItem":
        """Builds the item; raises BadInput naming every missing or mistyped field."""
        errors = field_errors(d)
        if errors:
            raise BadInput("; ".join(errors))
        return cls(
            id=d["id"], question=d["question"], answer=d["answer"], key_facts=tuple(d["key_facts"]),
            sources=tuple(Source(s["file"], s["quote"]) for s in d["sources"]),
            answerable=d["answerable"], type=d["type"], difficulty=d["difficulty"],
            expected_verdicts=tuple(sorted((d.get("expected_verdicts") or {}).items())),
            history=tuple(d.get("history") or ()),
        )


def field_errors(d: Any) -> list[str]:
    """Shape checks on one raw JSON object: fields present, of the right type, no unknown fields."""
    if not isinstance(d, Mapping):
        return [f"not a JSON object but {type(d).__name__}"]
    errors = [f"missing field {k!r}" for k in REQUIRED if k not in d]
    for k, v in d.items():
        want = REQUIRED.get(k) or OPTIONAL.get(k)
        if want is None:
            errors.append(f"unknown field {k!r}; known: {', '.join([*REQUIRED, *OPTIONAL])}")
        elif not isinstance(v, want) or (want is not bool and isinstance(v, bool)):
            errors.append(f"{k!r} must be {want.__name__}, got {type(v).__name__}")
    if isinstance(d.get("key_facts"), list) and not all(isinstance(f, str) and f.strip() for f in d["key_facts"]):
        errors.append("'key_facts' must be non-empty strings")
    if isinstance(d.get("history"), list) and not all(isinstance(q, str) and q.strip() for q in d["history"]):
        errors.append("'history' must be non-empty strings (the earlier questions, oldest first)")
    if isinstance(d.get("sources"), list):
        for i, s in enumerate(d["sources"]):
            if not (isinstance(s, Mapping) and isinstance(s.get("file"), str) and isinstance(s.get("quote"), str)
                    and set(s) == {"file", "quote"}):
                errors.append(f"sources[{i}] must be {{file: str, quote: str}}")
    for opt, verdict in (d.get("expected_verdicts") or {}).items() if isinstance(d.get("expected_verdicts"), dict) else ():
        if verdict not in VERDICTS:
            errors.append(f"expected_verdicts[{opt!r}] = {verdict!r}; valid: {', '.join(sorted(VERDICTS))}")
    return errors


def load_qa(path: Path | str) -> tuple[QAItem, ...]:
    """One JSON object per line; blank lines skipped. Raises BadInput listing the bad lines."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"no QA file at {path} — give --qa FILE.jsonl (e.g. eval/qa.jsonl)")
    items, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(QAItem.from_dict(json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{n}: not JSON ({exc.msg})")
        except BadInput as exc:
            errors.append(f"{path.name}:{n}: {exc}")
    if errors:
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        raise BadInput("; ".join(errors[:5]) + more)
    return tuple(items)


def normalise(text: str) -> str:
    """Case- and spacing-insensitive form used to match key facts (NFKC, casefold, single spaces)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def contains_fact(text: str, fact: str) -> bool:
    return normalise(fact) in normalise(text)


def document_lookup(docs: Iterable[Document] | Mapping[str, Document]) -> dict[str, Document]:
    """Both the document id and the delivered file name resolve to the document."""
    values = docs.values() if isinstance(docs, Mapping) else docs
    out: dict[str, Document] = {}
    for d in values:
        out[d.id] = d
        out[d.source_file] = d
    return out


def validate(items: Iterable[QAItem], docs: Iterable[Document] | Mapping[str, Document]) -> list[str]:
    """Every problem with the set, one line each; an empty list means the set is usable."""
    lookup = document_lookup(docs)
    errors: list[str] = []
    seen: set[str] = set()
    for item in items:
        errors += [f"{item.id}: {e}" for e in item_errors(item, lookup)]
        if item.id in seen:
            errors.append(f"{item.id}: duplicate id")
        seen.add(item.id)
    return errors


def item_errors(item: QAItem, lookup: Mapping[str, Document]) -> list[str]:
    errors = field_errors(item.to_dict())
    if not item.id.strip() or not item.question.strip():
        errors.append("empty id or question")
    if item.difficulty not in DIFFICULTIES:
        errors.append(f"difficulty {item.difficulty!r}; valid: {', '.join(sorted(DIFFICULTIES))}")
    for fact in item.key_facts:
        if not contains_fact(item.answer, fact):
            errors.append(f"key fact {fact!r} is not in the gold answer")
    if not item.answerable and item.sources:
        errors.append("unanswerable item has sources")
    if item.answerable and not item.sources:
        errors.append("answerable item has no sources (retrieval cannot be scored)")
    for s in item.sources:
        doc = lookup.get(s.file)
        if doc is None:
            errors.append(f"unknown document {s.file!r}")
        elif not s.quote.strip() or s.quote not in doc.raw_text:
            errors.append(f"quote not verbatim in {s.file}: {s.quote[:60]!r}")
    return errors


def gold_spans(item: QAItem, docs: Iterable[Document] | Mapping[str, Document]) -> tuple[GoldSpan, ...]:
    """Raw spans of the item's quotes (first occurrence); quotes that are not found are skipped
    (validate() reports them)."""
    lookup = document_lookup(docs)
    spans = []
    for s in item.sources:
        doc = lookup.get(s.file)
        start = doc.raw_text.find(s.quote) if doc is not None and s.quote else -1
        if start >= 0:
            spans.append(GoldSpan(doc.id, start, start + len(s.quote)))
    return tuple(spans)


def holdout_bucket(item: QAItem | Mapping[str, Any]) -> float:
    """A number in [0, 1] from the hash of type and id: fixed for an item whatever else is in the set."""
    t, i = (item.type, item.id) if isinstance(item, QAItem) else (item["type"], item["id"])
    return int(hashlib.sha256(f"{t}:{i}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def is_holdout(item: QAItem | Mapping[str, Any], share: float = HOLDOUT_SHARE) -> bool:
    """Stratified in expectation: each type sends about `share` of its items to the hold-out. A per-item
    threshold (not a per-type quota) means adding questions never moves an existing one between sets,
    so the hold-out is never contaminated by items that were tuned on."""
    return holdout_bucket(item) < share
