"""compare(old_run, new_run): per-metric differences between two run folders and a regression verdict.

Regression rule (documented in eval/README.md): a quality metric regresses when the NEW run's 95 % bootstrap
interval lies entirely below the OLD point estimate (new CI upper bound < old value). A drop inside the new
run's own sampling noise is shown but not flagged. Latency depends on the machine, so a slower run is
marked "slower" but never counted as a regression.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from ..errors import BadInput
from .metrics import MetricValue

LATENCY = ("latency_p50_ms", "latency_p95_ms")
FLIPS_SHOWN = 20


def load_run(run_dir: Path | str) -> dict[str, Any]:
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise BadInput(f"no metrics.json in {run_dir} — run: netlm-rag eval --qa FILE --out {run_dir}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_rows(run_dir: Path | str) -> dict[tuple[str, str], dict[str, Any]]:
    path = Path(run_dir) / "per_question.jsonl"
    if not path.is_file():
        return {}
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {(r["system"], r["id"]): r for r in rows}


def verdict(name: str, old: MetricValue, new: MetricValue) -> str:
    """"REGRESSED", "improved", "slower", "faster" or "" (within noise, or not comparable)."""
    if old.value is None or new.value is None or new.low is None or new.high is None:
        return ""
    if name in LATENCY:
        return "slower" if new.low > old.value else ("faster" if new.high < old.value else "")
    if new.high < old.value:
        return "REGRESSED"
    return "improved" if new.low > old.value else ""


def metric_lines(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[str], bool]:
    lines, regressed = [], False
    header = f"{'system':<18} {'metric':<22} {'old':>9} {'new':>9} {'diff':>9}  {'new 95% CI':<20} flag"
    lines.append(header)
    for system in new["systems"]:
        if system not in old["systems"]:
            lines.append(f"{system:<18} (not in the old run)")
            continue
        o_metrics, n_metrics = old["systems"][system]["metrics"], new["systems"][system]["metrics"]
        for name, nd in n_metrics.items():
            if name not in o_metrics:
                continue
            o, n = MetricValue.from_dict(o_metrics[name]), MetricValue.from_dict(nd)
            flag = verdict(name, o, n)
            regressed |= flag == "REGRESSED"
            diff = (n.value - o.value) if o.value is not None and n.value is not None else None
            ci = f"[{_f(n.low)}, {_f(n.high)}]"
            lines.append(f"{system:<18} {name:<22} {_f(o.value):>9} {_f(n.value):>9} {_f(diff, signed=True):>9}  "
                         f"{ci:<20} {flag}")
    lines += [f"{s:<18} (not in the new run)" for s in old["systems"] if s not in new["systems"]]
    return lines, regressed


def _f(v: float | None, signed: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:+.3f}" if signed else f"{v:.3f}"


def flips(old_rows: Mapping, new_rows: Mapping, score: str) -> tuple[list[str], list[str]]:
    """Items whose per-item `score` went from 1 to below 1 (lost) and from below 1 to 1 (gained)."""
    lost, gained = [], []
    for key, n in new_rows.items():
        o = old_rows.get(key)
        a, b = (o or {}).get("scores", {}).get(score), n.get("scores", {}).get(score)
        if a is None or b is None:
            continue
        if a >= 1 > b:
            lost.append(f"{key[0]}:{key[1]}")
        elif b >= 1 > a:
            gained.append(f"{key[0]}:{key[1]}")
    return lost, gained


def flip_lines(old_dir: Path, new_dir: Path, k: int) -> list[str]:
    old_rows, new_rows = load_rows(old_dir), load_rows(new_dir)
    if not old_rows or not new_rows:
        return ["(per_question.jsonl missing in one run: no per-question flips)"]
    lines = []
    for score, label in (("all_key_facts", "all key facts"), (f"recall@{k}", f"every gold passage in the top {k}")):
        lost, gained = flips(old_rows, new_rows, score)
        lines.append(f"{label}: lost on {len(lost)} item(s), gained on {len(gained)}")
        if lost:
            more = f" (+{len(lost) - FLIPS_SHOWN} more)" if len(lost) > FLIPS_SHOWN else ""
            lines.append("  lost: " + ", ".join(lost[:FLIPS_SHOWN]) + more)
    return lines


def compare(old_dir: Path | str, new_dir: Path | str) -> tuple[str, bool]:
    """Text for the terminal and whether any quality metric regressed (the CLI exits 1 then)."""
    old, new = load_run(old_dir), load_run(new_dir)
    notes = []
    if old["qa"].get("ids_sha256") != new["qa"].get("ids_sha256"):
        notes.append("note: the runs used different question sets; differences mix set and system changes")
    if old.get("k") != new.get("k"):
        notes.append(f"note: k differs (old {old.get('k')}, new {new.get('k')})")
    lines, regressed = metric_lines(old, new)
    build = (old.get("index", {}).get("build_id", "?"), new.get("index", {}).get("build_id", "?"))
    head = [f"old: {old_dir} (index {build[0]}, {old['created_at']})",
            f"new: {new_dir} (index {build[1]}, {new['created_at']})", *notes,
            "rule: REGRESSED when the new 95% CI upper bound < the old value (latency is informational)", ""]
    tail = ["", *flip_lines(Path(old_dir), Path(new_dir), int(new.get("k", 5))), "",
            "REGRESSION: at least one metric fell below the old value beyond the new run's CI" if regressed
            else "no regression beyond the confidence intervals"]
    return "\n".join(head + lines + tail), regressed
