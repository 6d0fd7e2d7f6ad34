"""Human reports of a run: report.md and report.html (tables + inline SVG), from metrics.json's object and
the per-question rows alone, so a report can be re-drawn from a run folder."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .svg import bar_chart, line_chart

FAILURES_SHOWN = 15
SECTIONS = (("by_type", "By question type"), ("by_document", "By document (the gold passages' review)"))


def fmt(v: Any, digits: int = 3) -> str:
    return "–" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))


def cell(m: Mapping[str, Any]) -> str:
    """"0.812 [0.770, 0.851]"; latency in whole milliseconds."""
    lo, hi = m.get("ci") or (None, None)
    d = 1 if m.get("_ms") else 3
    return fmt(m.get("value"), d) if lo is None else f"{fmt(m.get('value'), d)} [{fmt(lo, d)}, {fmt(hi, d)}]"


def headline_rows(metrics: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    systems = list(metrics["systems"])
    names = list(next(iter(metrics["systems"].values()))["metrics"]) if systems else []
    rows = []
    for name in names:
        row = [name]
        for s in systems:
            m = dict(metrics["systems"][s]["metrics"].get(name) or {})
            m["_ms"] = name.endswith("_ms")
            row.append(cell(m))
        rows.append(row)
    return ["metric", *systems], rows


GROUP_COLUMNS = (("recall@{k}", "Retrieval recall@{k}"), ("key_fact_recall", "Key-fact recall"),
                 ("answered_rate", "Answered rate (answerable items)"),
                 ("abstention_recall", "Abstention recall (unanswerable items)"))


def group_tables(metrics: Mapping[str, Any], section: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) per column of GROUP_COLUMNS: one row per group (type or document), one column
    per system; groups where a column does not apply are left out of that table."""
    k = metrics["k"]
    systems = list(metrics["systems"])
    groups = sorted({g for s in systems for g in metrics["systems"][s][section]})
    out = []
    for col, title in GROUP_COLUMNS:
        col, title = col.format(k=k), title.format(k=k)
        rows = []
        for g in groups:
            cells = [metrics["systems"][s][section].get(g, {}) for s in systems]
            if all(c.get(col) is None for c in cells):
                continue
            rows.append([g, str(next((c["n"] for c in cells if "n" in c), ""))] + [fmt(c.get(col)) for c in cells])
        if rows:
            out.append((title, ["group", "n", *systems], rows))
    return out


def failures(rows: Iterable[Mapping[str, Any]], system: str = "full") -> list[Mapping[str, Any]]:
    """Answerable items where the system found no key fact: the first ones to read."""
    out = [r for r in rows if r["system"] == system and r["answerable"] and r["key_facts"]
           and not r["key_facts_found"]]
    return out[:FAILURES_SHOWN]


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    esc = (lambda t: escape(str(t), quote=False).replace("|", "\\|").replace("\n", " "))
    lines = ["| " + " | ".join(map(esc, header)) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(esc, r)) + " |" for r in rows])


def run_line(metrics: Mapping[str, Any]) -> str:
    qa, idx = metrics["qa"], metrics.get("index", {})
    return (f"QA set `{qa['path']}` ({qa['n_items']} items, {qa['n_answerable']} answerable), k = {metrics['k']}, "
            f"index build `{idx.get('build_id', '?')}`, run {metrics['created_at']}. "
            f"95 % CIs: percentile bootstrap, {metrics['bootstrap']['resamples']} resamples, "
            f"seed {metrics['bootstrap']['seed']}.")


def render_md(metrics: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    parts = ["# Evaluation report", "", run_line(metrics), "", "## Headline metrics", "",
             md_table(*headline_rows(metrics)), ""]
    for section, heading in SECTIONS:
        parts += [f"## {heading}", ""]
        for title, header, table in group_tables(metrics, section):
            parts += [f"**{title}**", "", md_table(header, table), ""]
    parts += ["## Definitions", ""]
    parts += [f"- **{k}**: {v}" for k, v in metrics.get("definitions", {}).items()]
    fails = failures(rows)
    if fails:
        parts += ["", "## Answerable items where `full` found no key fact (first %d)" % FAILURES_SHOWN, ""]
        parts += [f"- `{r['id']}` ({r['type']}): {r['question']} — gold ranks {r['gold_ranks']}; "
                  f"{'abstained: ' + r['abstain_reason'] if r['abstained'] else 'answered'}" for r in fails]
    return "\n".join(parts) + "\n"


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def charts(metrics: Mapping[str, Any]) -> list[str]:
    systems, k = metrics["systems"], metrics["k"]
    ks = [n for n in (1, 3, 5, 10) if all(f"recall@{n}" in s["metrics"] for s in systems.values())]
    out = [line_chart("Retrieval recall@k", [f"k={n}" for n in ks],
                      {s: [v["metrics"][f"recall@{n}"]["value"] for n in ks] for s, v in systems.items()})]
    for section, label in (("by_type", "question type"), ("by_document", "document")):
        groups = sorted({g for v in systems.values() for g in v[section]})
        for col, name in ((f"recall@{k}", f"Recall@{k}"), ("key_fact_recall", "Key-fact recall")):
            out.append(bar_chart(f"{name} by {label}", groups,
                                 {s: [v[section].get(g, {}).get(col) for g in groups] for s, v in systems.items()}))
    return out


CSS = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
       "th{background:#f3f3f3}figure{margin:1em 0}")


def render_html(metrics: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title>"
             f"<style>{CSS}</style></head><body><h1>Evaluation report</h1><p>{escape(run_line(metrics))}</p>",
             "<h2>Headline metrics</h2>", html_table(*headline_rows(metrics)), "<h2>Charts</h2>"]
    parts += [f"<figure>{svg}</figure>" for svg in charts(metrics)]
    for section, heading in SECTIONS:
        parts.append(f"<h2>{escape(heading)}</h2>")
        parts += [f"<h3>{escape(title)}</h3>{html_table(header, table)}"
                  for title, header, table in group_tables(metrics, section)]
    parts.append("<h2>Definitions</h2><ul>")
    parts += [f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in metrics.get("definitions", {}).items()]
    parts.append("</ul>")
    fails = failures(rows)
    if fails:
        parts.append("<h2>Answerable items where full found no key fact</h2><ul>")
        parts += [f"<li><code>{escape(r['id'])}</code> {escape(r['question'])} — gold ranks "
                  f"{escape(str(r['gold_ranks']))}</li>" for r in fails]
        parts.append("</ul>")
    return "".join(parts) + "</body></html>\n"


def write_reports(out_dir: Path, metrics: Mapping[str, Any], results: Mapping[str, Sequence[Any]]) -> None:
    rows = [r.to_dict() if hasattr(r, "to_dict") else r for rs in results.values() for r in rs]
    (Path(out_dir) / "report.md").write_text(render_md(metrics, rows), encoding="utf-8")
    (Path(out_dir) / "report.html").write_text(render_html(metrics, rows), encoding="utf-8")
