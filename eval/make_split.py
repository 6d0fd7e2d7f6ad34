"""Merge eval/qa_parts/*.jsonl into eval/qa.jsonl (tuning set) and eval/qa_holdout.jsonl (never tuned on).

The split is stable: an item goes to the hold-out when the hash of its id falls in the lowest fifth within
its question type, so adding questions never moves existing ones. Run: python eval/make_split.py"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOLDOUT_SHARE = 0.2


def bucket(item_id: str) -> float:
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def is_holdout(item: dict) -> bool:
    return bucket(f"{item['type']}:{item['id']}") < HOLDOUT_SHARE


def main() -> None:
    items = [json.loads(line) for f in sorted((HERE / "qa_parts").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    main_set = [i for i in items if not is_holdout(i)]
    hold = [i for i in items if is_holdout(i)]
    for name, rows in (("qa.jsonl", main_set), ("qa_holdout.jsonl", hold)):
        (HERE / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(main_set)} main, {len(hold)} hold-out")


if __name__ == "__main__":
    main()
