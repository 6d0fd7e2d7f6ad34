"""Coordinate ascent over a small grid per setting, shared by the tuners (tune_sentences.py, tune_retrieval.py).

A change is kept only when it gains more than `min_gain` on the objective (against fitting noise); rounds
stop early when nothing changes. The objective is computed on the main set only: the hold-out judges."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar

C = TypeVar("C")


def coordinate_ascent(objective: Callable[[C], float], start: C, grid: Mapping[str, Sequence[Any]], rounds: int,
                      min_gain: float, label: str = "main") -> tuple[C, float, list[dict[str, Any]]]:
    """(best settings, their objective, the path taken) from `start` (a frozen dataclass)."""
    cfg, best = start, objective(start)
    path: list[dict[str, Any]] = [{"step": "defaults", label: round(best, 4)}]
    for rnd in range(rounds):
        changed = False
        for name, values in grid.items():
            results = {v: objective(replace(cfg, **{name: v})) for v in values}
            v, s = max(results.items(), key=lambda kv: kv[1])
            if s > best + min_gain and v != getattr(cfg, name):
                cfg, best, changed = replace(cfg, **{name: v}), s, True
                path.append({"step": f"round {rnd + 1}: {name}={v}", label: round(s, 4)})
                print(f"round {rnd + 1}: {name} = {v} -> {label} {s:.4f}", flush=True)
        if not changed:
            break
    return cfg, best, path


def write_result(out: Path, result: dict[str, Any]) -> None:
    """The tuner's result as JSON (eval/runs/ is not committed), and its summary without the path on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "path"}, indent=1))
