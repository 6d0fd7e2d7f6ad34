"""Every disagreement note the assistant writes on the evaluation questions, and every figure the note reader takes
from the corpus, as JSON to diff before and after a change to netlm_rag/conflicts.py.

A note must set like against like (one quantity, one time point, one treatment arm); no metric of `netlm-rag eval`
sees a wrong one, so they are read. `notes` asks the assistant every question of eval/qa.jsonl,
eval/qa_holdout.jsonl and eval/vignettes.jsonl (as standalone questions) and keeps each answer's notes with the
sentences they quote; `figures` lists, for every prose sentence of the corpus, the quantities `conflicts.quantities`
reads from it. `compare` prints what one dump has that the other has not.

Run after `netlm-rag build`:
  .venv/bin/python eval/notes_audit.py notes eval/runs/notes.json
  .venv/bin/python eval/notes_audit.py figures eval/runs/figures.json
  .venv/bin/python eval/notes_audit.py compare OLD.json NEW.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netlm_rag.chunking import chunk_corpus  # noqa: E402
from netlm_rag.config import Settings  # noqa: E402
from netlm_rag.conflicts import quantities  # noqa: E402
from netlm_rag.corpus import load_corpus  # noqa: E402
from netlm_rag.evaluation.qaset import load_qa  # noqa: E402
from netlm_rag.lexicon import default_lexicon  # noqa: E402


def questions() -> list[str]:
    qs = [item.question for name in ("qa.jsonl", "qa_holdout.jsonl") for item in load_qa(ROOT / "eval" / name)]
    lines = (ROOT / "eval" / "vignettes.jsonl").read_text(encoding="utf-8").splitlines()
    return qs + [json.loads(line)["text"] for line in lines if line.strip()]


def notes() -> list[dict]:
    from netlm_rag.pipeline import Assistant   # loads the model: only this command needs it
    assistant = Assistant.load(Settings.from_env().with_overrides(audit={"enabled": False}))
    out = []
    for q in questions():
        for c in assistant.ask(q).answer.conflicts:
            out.append({"question": q, "topic": c.topic, "values": list(c.values), "thresholds": c.thresholds,
                        "quotes": [f"{s.document}: {s.text}" for s in c.statements]})
    return out


def figures() -> list[dict]:
    settings, lexicon = Settings.from_env(), default_lexicon()
    seen: dict[str, str] = {}
    for chunk in chunk_corpus(load_corpus(settings.paths.corpus), settings.chunking):
        if chunk.kind == "prose":
            for s in chunk.sentences:
                seen.setdefault(chunk.text[s.start:s.end], chunk.doc_id)
    return [{"doc": doc, "sentence": text,
             "figures": [[q.subject, q.unit, q.value, sorted(q.arm)] for q in quantities(text, lexicon)]}
            for text, doc in seen.items()]


def key(row: dict) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def compare(old: list[dict], new: list[dict]) -> list[str]:
    before, after = {key(r): r for r in old}, {key(r): r for r in new}
    return ([f"- {json.dumps(before[k], ensure_ascii=False)}" for k in before.keys() - after.keys()]
            + [f"+ {json.dumps(after[k], ensure_ascii=False)}" for k in after.keys() - before.keys()])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("notes", "figures", "compare"))
    ap.add_argument("paths", nargs="+", type=Path, help="the file to write; for compare, OLD and NEW")
    args = ap.parse_args(argv)
    if args.command == "compare":
        if len(args.paths) != 2:
            ap.error("compare takes two files: OLD NEW")
        old, new = (json.loads(p.read_text(encoding="utf-8")) for p in args.paths)
        lines = compare(old, new)
        print("\n".join(lines) or "no difference")
        return 0
    rows = notes() if args.command == "notes" else figures()
    args.paths[0].parent.mkdir(parents=True, exist_ok=True)
    args.paths[0].write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    what = (f"{len(rows)} notes" if args.command == "notes"
            else f"{sum(len(r['figures']) for r in rows)} figures of {len(rows)} sentences")
    print(f"{what} written to {args.paths[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
