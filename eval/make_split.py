"""Merge eval/qa_parts/*.jsonl into eval/qa.jsonl (tuning set) and eval/qa_holdout.jsonl (never tuned on).

The split is stable: an item goes to the hold-out when the hash of its type and id falls in the lowest fifth
(netlm_rag.evaluation.qaset.is_holdout), so each type is split about 80/20 and adding questions never moves
existing ones. The merged set is validated against corpus/ first; nothing is written if it is invalid.

Run: .venv/bin/python eval/make_split.py [--force]   (--force writes even with validation errors)
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from netlm_rag.corpus import load_corpus  # noqa: E402
from netlm_rag.evaluation.qaset import QAItem, is_holdout, validate  # noqa: E402


def main(argv: list[str]) -> int:
    rows = [json.loads(line) for f in sorted((HERE / "qa_parts").glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        errors = validate([QAItem.from_dict(r) for r in rows], load_corpus(HERE.parent / "corpus"))
    except Exception as exc:  # a malformed row: report it like any other validation error
        errors = [str(exc)]
    for e in errors:
        print(e, file=sys.stderr)
    if errors and "--force" not in argv:
        print(f"{len(errors)} problem(s); nothing written (use --force to write anyway)", file=sys.stderr)
        return 1
    main_set = [r for r in rows if not is_holdout(r)]
    hold = [r for r in rows if is_holdout(r)]
    for name, part in (("qa.jsonl", main_set), ("qa_holdout.jsonl", hold)):
        (HERE / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    held = Counter(r["type"] for r in hold)
    print(f"{len(main_set)} main, {len(hold)} hold-out; hold-out by type: "
          + ", ".join(f"{t} {held[t]}/{n}" for t, n in sorted(Counter(r["type"] for r in rows).items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
