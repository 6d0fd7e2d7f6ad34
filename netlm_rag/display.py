"""Presentation helpers for the app: markdown escaping, highlighting, criteria rows. Pure; no Streamlit."""
from __future__ import annotations

import re
from typing import Any

# Characters that Streamlit markdown would interpret: emphasis, links, headings, LaTeX ($), HTML (<, >).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$~<>&])")


def escape_md(text: str) -> str:
    """Corpus and user text shown as text: markdown, LaTeX and HTML are neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def highlight(passage: str, sentence: str) -> str:
    """The passage escaped, with the cited sentence in bold (escaping first, then marking)."""
    i = passage.find(sentence)
    if i < 0 or not sentence:
        return escape_md(passage)
    return (escape_md(passage[:i]) + "**" + escape_md(sentence) + "**" + escape_md(passage[i + len(sentence):]))


def answer_markdown(answer: str) -> str:
    """The answer with its [n] citation markers kept readable after escaping."""
    return re.sub(r"\\\[(\d+)\\\]", r"**[\1]**", escape_md(answer))


# Words, not emoji: clinical workstations often lack an emoji font and would show empty boxes.
VERDICT_ICON = {"eligible": "ELIGIBLE", "caution": "CAUTION", "contraindicated": "CONTRAINDICATED",
                "insufficient_data": "insufficient data"}


def criteria_rows(rules: dict[str, Any]) -> list[dict[str, str]]:
    """One row per treatment option: verdict and the criteria met / not met / unknown with their sources."""
    rows = []
    for opt in rules.get("options", []):
        by = {"met": [], "not_met": [], "unknown": []}
        for c in opt.get("criteria", []):
            src = c.get("source") or {}
            where = f"{src.get('doc_id', '')}:{src.get('line', '')}" if isinstance(src, dict) else str(src)
            by.setdefault(c.get("verdict", "unknown"), []).append(f"{c.get('id')} ({where})")
        rows.append({
            "option": opt["option"].replace("_", " "),
            "verdict": VERDICT_ICON.get(opt["verdict"], opt["verdict"]),
            "not met": "; ".join(by["not_met"]), "met": "; ".join(by["met"]), "unknown": "; ".join(by["unknown"]),
        })
    return rows


def facts_override(form: dict[str, Any]) -> dict[str, Any]:
    """Sidebar form values that were filled in (empty fields do not override the text)."""
    return {k: v for k, v in form.items() if v not in (None, "", "unknown")}
