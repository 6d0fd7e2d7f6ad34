"""Command line: build/status/corpus/ask/eval/check. The only place that configures logging and progress."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .config import Settings
from .errors import BadInput, NetlmError

logger = logging.getLogger("netlm_rag")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """CLI flag > environment variable > default: one field, three spellings."""
    s = Settings.from_env()
    paths = {k: Path(v) for k, v in (("corpus", args.corpus), ("index", args.index), ("data", args.data)) if v}
    return replace(s, paths=replace(s.paths, **paths)) if paths else s


def tqdm_progress(desc: str) -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=desc, unit="unit", file=sys.stderr)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()
    return update


def emit(obj: Any, as_json: bool, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if as_json else text)


def cmd_build(args, s: Settings) -> int:
    from .adapt import prepare_build, prune_models
    from .embeddings import load_embedder
    from .index import build_index

    s = prepare_build(s, tqdm_progress("adapting the model to the corpus (once per corpus, 3-8 min)"))
    report = build_index(s, lambda: load_embedder(s.model), tqdm_progress("embedding"), force=args.force)
    prune_models(s)
    emit(report.to_dict(), args.json, report.summary())
    return 0


def cmd_status(args, s: Settings) -> int:
    from .status import index_status

    st = index_status(s)
    emit(st, args.json, "\n".join(f"{k}: {v}" for k, v in st.items() if k != "documents"))
    return 0


def cmd_corpus(args, s: Settings) -> int:
    from . import corpus

    if args.corpus_cmd == "list":
        entries = corpus.read_manifest(s.paths.corpus)
        emit(entries, args.json, "\n".join(f"{e['id']:<18} {e['year']}  {e['source_file']}  {e['title'][:60]}"
                                           for e in entries))
    elif args.corpus_cmd == "add":
        path = Path(args.file)
        if not path.is_file():
            raise NetlmError(f"no file {path}")
        meta = {k: v for k, v in vars(args).items() if k in
                ("id", "title", "year", "journal", "doi", "licence", "short_name") and v}
        if args.authors:
            meta["authors"] = [a.strip() for a in args.authors.split(";") if a.strip()]
            meta["first_author"] = meta["authors"][0].split()[0]
        entry = corpus.add_document(s.paths.corpus, path.name, path.read_bytes(), meta, args.replace)
        emit(entry, args.json, f"added {entry['id']} ({entry['source_file']}) — now run: netlm-rag build")
    else:
        entry = corpus.remove_document(s.paths.corpus, args.doc_id)
        emit(entry, args.json, f"removed {entry['id']} — now run: netlm-rag build")
    return 0


def render_turn(d: dict) -> str:
    lines = []
    if d["standalone_question"] != d["question"]:
        lines.append(f"(searched as: {d['standalone_question']})")
    lines.append(d["answer"])
    if d["abstained"]:
        lines.append(f"Reason: {d['abstain_reason']}\nRelated passages:")
        lines += [f"  - {h['document']} · {h['section']}: {h['text'][:160]}…" for h in d["hits"][:3]]
    for i, c in enumerate(d["citations"], start=1):
        lines.append(f"[{i}] {c['document_name']} — {c['section']}")
    rules = d.get("rules") or {}
    # An impossible value (Ki-67 150 %) is left out of the criteria check: say so, or the answer reads as if the
    # patient had been checked.
    lines += [f"Not used: {i['reason']}" for i in rules.get("invalid", ())]
    if rules.get("facts"):
        lines.append("Criteria check:")
        lines += [f"  {o['option']}: {o['verdict']}" for o in rules["options"]]
    if rules.get("asked"):
        lines.append("Criteria the reviews state (rules module):")
        for a in rules["asked"]:
            differ = f": the reviews set different limits, {' vs '.join(a['thresholds'])}" if a["differ"] else ""
            lines.append(f"  {a['label']}{differ}")
            lines += [f"    - {c['text']} ({c['set_name']}; {c['cite']}): “{c['source']['quote']}”"
                      for c in a["criteria"]]
    return "\n".join(lines)


def batch_lines(path: str) -> Iterator[str | BadInput]:
    """The questions of a batch file, or of stdin ("-") as they are typed: a terminal conversation. A line of the
    file that is not UTF-8 (a question pasted from a Windows-1252 document) comes as the error saying where, so
    the other lines are still answered."""
    if path == "-":
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    lines = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\n")
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", "replace").rstrip("\r")
            yield BadInput(f"line {number} of {path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                           f"{exc.start + 1}: {shown!r}); save the file as UTF-8 and ask it again")
        else:
            yield from text.splitlines()     # as before: "\r\n" and old Mac "\r" endings split too


def cmd_ask(args, s: Settings) -> int:
    from .pipeline import Assistant, clean_question

    if args.conversation and not args.batch:
        raise BadInput("--conversation needs --batch FILE (or --batch - to type the questions)")
    facts = json.loads(Path(args.facts).read_text(encoding="utf-8")) if args.facts else None
    if not args.batch:
        clean_question(args.question or "", s.answer.max_question_chars)   # refuse before the 8 s model load
    elif args.batch != "-" and not Path(args.batch).is_file():
        raise BadInput(f"batch file not found: {args.batch}")              # ... and a missing file too
    assistant = Assistant.load(s, chat=chat_backend(s))
    if args.batch:
        failures, turns = 0, []
        for line in batch_lines(args.batch):
            if isinstance(line, BadInput):
                failures += 1
                emit({"question": None, "error": str(line)}, args.json, f"error: {line}")
                continue
            if not line.strip():
                continue
            try:
                turn = assistant.ask(line, history=tuple(turns), facts=facts, k=args.k)
                turns += [turn] if args.conversation else []
                out = turn.to_dict()
            except NetlmError as exc:
                out, failures = {"question": line, "error": str(exc)}, failures + 1
            emit(out, args.json, render_turn(out) if "error" not in out else f"error: {out['error']}")
        return 1 if failures else 0
    out = assistant.ask(args.question, facts=facts, k=args.k).to_dict()
    emit(out, args.json, render_turn(out))
    return 0


def chat_backend(s: Settings):
    """The optional LangChain chat model, only when NETLM_BACKEND=langchain (never the default)."""
    if s.answer.backend == "extractive":
        return None
    if s.answer.backend != "langchain":
        raise NetlmError(f"unknown NETLM_BACKEND {s.answer.backend!r}; valid: extractive, langchain")
    from .lc import chat_function

    return chat_function(s)


def cmd_check(args, s: Settings) -> int:
    from .rules import check

    if not (args.text or args.answer or args.facts):
        raise NetlmError("give --text VIGNETTE, --answer TEXT and/or --facts FILE.json")
    facts = json.loads(Path(args.facts).read_text(encoding="utf-8")) if args.facts else None
    report = check(text=args.text, answer=args.answer, facts=facts)
    emit(report.to_dict(), args.json, report.summary())
    return 0


def cmd_eval(args, s: Settings) -> int:
    from .evaluation import compare, run_eval

    if args.compare:
        text, regressed = compare(Path(args.compare[0]), Path(args.compare[1]))
        print(text)
        return 1 if regressed else 0
    if not (args.qa and args.out):
        raise NetlmError("give --qa FILE.jsonl --out DIR, or --compare OLD_DIR NEW_DIR")
    from .pipeline import Assistant

    assistant = Assistant.load(s.with_overrides(audit={"enabled": False}))
    kwargs = {"systems": tuple(args.systems)} if args.systems else {}
    metrics = run_eval(Path(args.qa), Path(args.out), assistant, k=args.k, progress=tqdm_progress("eval"), **kwargs)
    print(json.dumps(metrics, indent=1)[:4000] if args.json else f"wrote {args.out}/metrics.json, report.md")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="netlm-rag", description=__doc__)
    p.add_argument("--corpus", help="corpus folder (env NETLM_CORPUS_DIR)")
    p.add_argument("--index", help="index folder (env NETLM_INDEX_DIR)")
    p.add_argument("--data", help="feedback/scores/logs folder (env NETLM_DATA_DIR)")
    p.add_argument("-v", "--verbose", action="count", default=0)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build or refresh index/ from corpus/ (incremental)")
    b.add_argument("--force", action="store_true", help="re-embed everything")
    sub.add_parser("status", help="documents, chunks, freshness of the index")
    c = sub.add_parser("corpus", help="list, add or remove corpus documents")
    csub = c.add_subparsers(dest="corpus_cmd", required=True)
    csub.add_parser("list")
    add = csub.add_parser("add", help="add a .txt/.md/.pdf/.html article")
    add.add_argument("file")
    for opt in ("--id", "--title", "--year", "--journal", "--doi", "--licence", "--short-name", "--authors",
                "--replace"):
        add.add_argument(opt, help="authors: 'Surname A; Surname B'" if opt == "--authors" else None)
    rm = csub.add_parser("remove")
    rm.add_argument("doc_id")
    a = sub.add_parser("ask", help="answer a question with citations and the criteria check")
    a.add_argument("question", nargs="?")
    a.add_argument("--batch", help="file with one question per line, '-' for stdin (model loaded once)")
    a.add_argument("--conversation", action="store_true",
                   help="with --batch: the questions are one conversation; follow-ups ('And for TACE?') are "
                        "rewritten from the earlier ones, and each output shows the question searched")
    a.add_argument("--k", type=int, default=None)
    a.add_argument("--facts", help="JSON file of patient facts that override the parsed ones")
    e = sub.add_parser("eval", help="score the pipeline and baselines on a QA set")
    e.add_argument("--qa")
    e.add_argument("--out")
    e.add_argument("--k", type=int, default=None, help="hits given to the composer (default: the app's, 10)")
    e.add_argument("--systems", nargs="+")
    e.add_argument("--compare", nargs=2, metavar=("OLD_DIR", "NEW_DIR"))
    k = sub.add_parser("check", help="the rule report alone (no model needed)")
    k.add_argument("--text")
    k.add_argument("--answer")
    k.add_argument("--facts")
    for sp in (b, c, a, e, k, sub.choices["status"]):
        sp.add_argument("--json", action="store_true", help="one JSON object on stdout")
    for sp in csub.choices.values():
        sp.add_argument("--json", action="store_true")
    return p


COMMANDS = {"build": cmd_build, "status": cmd_status, "corpus": cmd_corpus, "ask": cmd_ask,
            "eval": cmd_eval, "check": cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s",
                        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    logging.getLogger("bm25s").setLevel(logging.WARNING if args.verbose < 2 else logging.DEBUG)
    try:
        return COMMANDS[args.cmd](args, settings_from_args(args))
    except NetlmError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:      # a file given on the command line
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
