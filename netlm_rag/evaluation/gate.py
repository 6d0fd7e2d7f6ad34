"""The CI gate: a fixed, deterministic subset of the QA set and a check of its metrics against
eval/accepted.json (accepted value minus a margin, both stored in that file)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from .qaset import QAItem


def _key(item: QAItem) -> str:
    return hashlib.sha256(item.id.encode()).hexdigest()


def gate_subset(items: Sequence[QAItem], n: int = 30, per_type: int = 2) -> tuple[QAItem, ...]:
    """A fixed pick, in file order: the `per_type` items of each question type with the smallest sha256 of
    their id (so unanswerable items and vignettes are always in), then the smallest hashes overall up to n.
    The same ids on every machine; adding questions only swaps an item in when its hash is smaller."""
    by_type: dict[str, list[QAItem]] = {}
    for it in sorted(items, key=_key):
        by_type.setdefault(it.type, []).append(it)
    keep = [it.id for group in by_type.values() for it in group[:per_type]][:n]
    keep += [it.id for it in sorted(items, key=_key) if it.id not in keep][:max(n - len(keep), 0)]
    chosen = set(keep)
    return tuple(it for it in items if it.id in chosen)


def write_subset(items: Sequence[QAItem], path: Path) -> Path:
    path.write_text("".join(json.dumps(it.to_dict(), ensure_ascii=False) + "\n" for it in items), encoding="utf-8")
    return path


def gate_failures(metrics: Mapping[str, Any], accepted: Mapping[str, Any]) -> list[str]:
    """One line per headline metric below `accepted - margin` (or above `accepted + margin` for
    metrics whose direction is "lower"). Metrics missing from the run fail too."""
    system = metrics["systems"].get(accepted.get("system", "full"))
    if system is None:
        return [f"system {accepted.get('system', 'full')!r} is not in the run"]
    out = []
    for name, rule in accepted["metrics"].items():
        got = (system["metrics"].get(name) or {}).get("value")
        if got is None:
            out.append(f"{name}: missing from the run")
            continue
        lower_better = rule.get("direction") == "lower"
        limit = rule["accepted"] + rule["margin"] if lower_better else rule["accepted"] - rule["margin"]
        if (got > limit) if lower_better else (got < limit):
            out.append(f"{name} = {got:.3f}, accepted {rule['accepted']:.3f} "
                       f"{'+' if lower_better else '-'} margin {rule['margin']:.3f} = limit {limit:.3f}")
    return out
