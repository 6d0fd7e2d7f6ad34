"""Pure helpers for the Streamlit app: escaping, highlighting, criteria rows, fact labels, run files.
No Streamlit import here, so everything is unit-testable (tests/test_app.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from .rules.facts import SPEC

# Characters that Streamlit markdown would interpret: emphasis, links, headings, lists, LaTeX ($), directives (:),
# HTML (<, >, &). Escaping every one is safe: CommonMark renders "\x" as "x" for any ASCII punctuation x.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>&:=^\"'])")

# Words, not emoji: clinical workstations often lack an emoji font and would show empty boxes.
VERDICT_LABEL = {"eligible": "ELIGIBLE", "caution": "CAUTION", "contraindicated": "CONTRAINDICATED",
                 "insufficient_data": "insufficient data"}
CRITERION_VERDICTS = (("met", "met"), ("not_met", "not met"), ("unknown", "unknown"))


def escape_md(text: Any) -> str:
    """Corpus and user text shown as text: markdown, LaTeX, directives and HTML are neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _bold(escaped: str) -> str:
    """Bold that survives leading/trailing spaces (CommonMark will not open `** x`)."""
    core = escaped.strip()
    if not core:
        return escaped
    lead = escaped[:len(escaped) - len(escaped.lstrip())]
    tail = escaped[len(escaped.rstrip()):]
    return f"{lead}**{core}**{tail}"


def highlight(passage: str, sentence: str, start: int | None = None, end: int | None = None) -> str:
    """The passage escaped, with the cited sentence in bold: escape first, then mark.
    Uses the citation offsets when they match, else the first occurrence; no match leaves it unmarked."""
    if start is not None and end is not None and 0 <= start < end <= len(passage) and passage[start:end] == sentence:
        i = start
    else:
        i = passage.find(sentence) if sentence else -1
    if i < 0:
        return escape_md(passage)
    j = i + len(sentence)
    # Paragraph breaks end a bold run in markdown: bold each paragraph of the sentence separately.
    marked = "\n\n".join(_bold(escape_md(part)) for part in passage[i:j].split("\n\n"))
    return escape_md(passage[:i]) + marked + escape_md(passage[j:])


def answer_markdown(answer: str) -> str:
    """The answer escaped, with its [n] citation markers in bold so they stand out."""
    return re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", escape_md(answer))


def doc_names(documents: Mapping[str, Any]) -> dict[str, str]:
    """doc id -> "Cloyd 2020" (short_name already carries the year in this corpus; add it when it does not)."""
    out = {}
    for doc_id, d in documents.items():
        name, year = getattr(d, "short_name", "") or doc_id, getattr(d, "year", "")
        out[doc_id] = name if not year or str(year) in name else f"{name} {year}"
    return out


def source_ref(src: Any, names: Mapping[str, str]) -> str:
    """A rule's corpus source as "Cloyd 2020, line 28"."""
    if not isinstance(src, Mapping):
        return str(src or "")
    doc = names.get(src.get("doc_id", ""), src.get("doc_id", ""))
    return f"{doc}, line {src['line']}" if src.get("line") else str(doc)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_shown(v)}" for k, v in value.items())
    return str(value)


def criterion_text(c: Mapping[str, Any]) -> str:
    """ "age < 55 years (patient: 62)" """
    shown = "" if c.get("value") is None else f" (patient: {_shown(c['value'])})"
    return f"{c.get('threshold') or c.get('id')}{shown}"


def criteria_rows(rules: Mapping[str, Any], names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """One row per treatment option: verdict, then the criteria met / not met / unknown, each with its sources.
    Reviews stating the same threshold are merged into one line: "age < 55 years (patient: 62) — La Salvia 2016,
    line 69; Cloyd 2020, line 42"; several criteria in a cell are separated by newlines."""
    names = names or {}
    labels = dict(CRITERION_VERDICTS)
    rows = []
    for opt in rules.get("options", []):
        cells: dict[str, dict[str, list[str]]] = {label: {} for _, label in CRITERION_VERDICTS}
        for c in opt.get("criteria", []):
            cell = cells.setdefault(labels.get(c.get("verdict"), str(c.get("verdict"))), {})
            refs = cell.setdefault(criterion_text(c), [])
            ref = source_ref(c.get("source"), names)
            if ref not in refs:
                refs.append(ref)
        rows.append({"option": str(opt.get("option", "")).replace("_", " "),
                     "verdict": VERDICT_LABEL.get(opt.get("verdict"), str(opt.get("verdict"))),
                     **{label: "\n".join(f"{text} — {'; '.join(refs)}" for text, refs in cell.items())
                        for label, cell in cells.items()}})
    return rows


def fact_label(name: str) -> str:
    spec = SPEC.get(name)
    return spec.label if spec else name.replace("_", " ")


def facts_line(facts: Mapping[str, Any]) -> str:
    """ "age 62 years; Ki-67 8 %; primary site small bowel" from RuleReport.to_dict()['facts']. """
    parts = []
    for name, f in facts.items():
        value = f.get("value") if isinstance(f, Mapping) else f
        spec = SPEC.get(name)
        unit = f" {spec.unit}" if spec and spec.unit else ""
        shown = _shown(value).replace("_", " ") if isinstance(value, (str, bool)) else f"{_shown(value)}{unit}"
        parts.append(f"{fact_label(name)}: {shown}")
    return "; ".join(parts)


def facts_override(form: Mapping[str, Any]) -> dict[str, Any]:
    """Sidebar form values that were filled in (empty fields do not override the question text)."""
    return {k: v for k, v in form.items() if v is not None and v != ""}


def status_line(status: Mapping[str, Any]) -> str:
    """One line for the sidebar from netlm_rag.status.index_status()."""
    state, docs = status.get("state", "?"), status.get("documents_in_corpus", "?")
    if "chunks" not in status:                       # missing, corrupt or corpus error: nothing more to say
        return f"Index {state} · {docs} reviews in the corpus"
    built = str(status.get("built_at") or "—").replace("T", " ")[:16]
    return f"Index {state} · {docs} reviews · {status['chunks']} passages · built {built}"


# ---- evaluation runs -----------------------------------------------------------------------------------------------
def run_dirs(roots: Iterable[Path]) -> list[Path]:
    """Folders holding a per_question.jsonl under any of the roots (the roots themselves included)."""
    found = {p.parent for r in roots if Path(r).is_dir() for p in Path(r).rglob("per_question.jsonl")}
    return sorted(found)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """JSON lines; blank or broken lines are skipped (a half-written run still opens)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line)) if line.strip() else None
        except json.JSONDecodeError:
            continue
    return [r for r in rows if isinstance(r, dict)]


def qa_items_for_run(run: Path, project_root: Path) -> dict[str, dict[str, Any]]:
    """The QA items (gold answers and passages) of a run, by id: the QA file named in metrics.json, plus the
    project's eval/qa*.jsonl files as a fallback. Missing or unreadable files give an empty mapping."""
    paths: list[Path] = []
    metrics = run / "metrics.json"
    if metrics.is_file():
        try:
            qa = json.loads(metrics.read_text(encoding="utf-8")).get("qa", {}).get("path")
        except (json.JSONDecodeError, AttributeError):
            qa = None
        if qa:
            paths.append(Path(qa) if Path(qa).is_absolute() else project_root / qa)
    paths += sorted((project_root / "eval").glob("qa*.jsonl"))
    items: dict[str, dict[str, Any]] = {}
    for p in paths:
        if p.is_file():
            for row in read_jsonl(p):
                items.setdefault(str(row.get("id")), row)
    return items
