"""Ingest cleaning: raw review text → evidence blocks (headings, prose, tables) with raw offsets.

Lines are never edited: a prose block is exactly raw_text[start:end], so every sentence stays verbatim
in the delivered file. What is not evidence is dropped by small named rules, each saying what it targets."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from netlm_rag.records import Reference

BlockKind = Literal["heading", "prose", "table"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    text: str
    start: int
    end: int
    level: int = 0
    caption: str = ""
    row_starts: tuple[int, ...] = ()    # a table's rows: raw offset of each (rows are raw lines, never edited)


@dataclass(frozen=True, slots=True)
class CleanText:
    blocks: tuple[Block, ...]
    references: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class Line:
    text: str      # stripped
    start: int     # raw offset of the first non-space character
    end: int


def lines_of(raw: str) -> list[Line]:
    out, pos = [], 0
    for part in raw.splitlines(keepends=True):
        body = part.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            out.append(Line(stripped, pos + lead, pos + lead + len(stripped)))
        pos += len(part)
    return out


# --- what is not evidence -------------------------------------------------------------------------------

_CHROME = re.compile(
    r"^(next|previous) article in journal|^font (type|size)|^arial georgia|^aa aa|^line spacing|^column width"
    r"|^background:?$|^share and cite|^back to top|^article metrics|^(views|citations|downloads)$|^©|^copyright"
    r"|^mdpi and acs style|^ama style|^chicago/turabian|^export article|^order article reprints|^cite$"
    r"|^jcm \d+ \d+ g\d+|^(this article belongs to|academic editor|submission received|received:|accepted:"
    r"|published:|revised:)|^for reprints contact|^quick response code|^access this article online|^website:?$"
    r"|^www\.|^doi:?$|^10\.\d{4,}/|^how to cite|^hhs public access|^author manuscript|^published in final edited"
    r"|^ann surg oncol\. author manuscript|^\*+ ?authors? to whom|^correspondence( to)?:|^e-?mail:|^keywords?:"
    r"|^key words:|^synopsis:?$|^\W*$|open access article|creative commons|^how to cite|^terms of use"
    r"|to whom correspondences? should|publisher's disclaimer|@\w+\.\w+", re.IGNORECASE)

_DROP_SECTIONS = re.compile(
    r"^(financial support and sponsorship|conflicts? of interests?|acknowledge?ments?|funding:?.*|footnotes"
    r"|author contributions|ethical statement:?.*|open access statement:?.*|disclosures?|abbreviations)$",
    re.IGNORECASE)
_REFERENCES = re.compile(r"^(references|references and notes|bibliography)$", re.IGNORECASE)
_REF_ENTRY = re.compile(r"^[-–•]?\s*\[?(\d{1,3})[.)\]]\s*(\S.*)$")
_FIGURE = re.compile(r"^(figure|fig\.)\s*\d+[.:]?", re.IGNORECASE)
_TABLE = re.compile(r"^table\s*\d+[.:]?", re.IGNORECASE)


def is_chrome(text: str) -> bool:
    """Web-page menus, journal banners, licence and contact lines, single-token author/affiliation pieces."""
    if _CHROME.search(text):
        return True
    return bool(re.fullmatch(r"[\d,*\s]+(and)?|by|review|article|open access", text, re.IGNORECASE))


def body_start(lines: list[Line]) -> int:
    """Title, authors and affiliations precede the abstract in every seed review."""
    for i, ln in enumerate(lines):
        if re.fullmatch(r"abstract:?", ln.text, re.IGNORECASE):
            return i
    return 0


def parse_reference(ln: Line, doc_id: str) -> Reference | None:
    m = _REF_ENTRY.match(ln.text)
    return Reference(doc_id, int(m.group(1)), m.group(2)) if m else None


def references_from(lines: list[Line], doc_id: str) -> tuple[Reference, ...]:
    return tuple(r for r in (parse_reference(ln, doc_id) for ln in lines) if r)


def resolve_citation(marker: str, references: tuple[Reference, ...]) -> Reference | None:
    """"[23]", "(58)" or "23" → that reference entry, when the document lists one."""
    m = re.search(r"\d+", marker)
    if not m:
        return None
    return next((r for r in references if r.number == int(m.group(0))), None)


# --- headings ---------------------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+([A-Z].{1,110})$")


_MAJOR = re.compile(r"^(abstract|introduction|conclusions?|summary|discussion)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HeadingStyle:
    """How this document marks its outline: numbered ("3.2. Results"), ALL-CAPS, or short title-case lines."""

    numbered: bool
    allcaps: bool


def heading_style(lines: list[Line]) -> HeadingStyle:
    numbered = sum(1 for ln in lines if _NUMBERED.match(ln.text) and not ln.text.endswith(".")
                   and len(ln.text.split()) <= 16) >= 3
    allcaps = sum(1 for ln in lines if len(ln.text) < 80 and " " in ln.text and is_allcaps(ln.text)) >= 3
    return HeadingStyle(numbered, allcaps)


def is_allcaps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def heading_level(text: str, next_text: str | None, style: HeadingStyle, last_numbered: int) -> int:
    """0 when not a heading; else its depth in this document's outline."""
    if len(text) > 120:
        return 0
    m = _NUMBERED.match(text)
    if m and not text.endswith(".") and len(text.split()) <= 16:
        return m.group(1).count(".") + 1
    if text.endswith((".", ",", ";", ":")) or (next_text is not None and len(next_text) < len(text)
                                                and not _MAJOR.match(text) and not is_allcaps(text)
                                                and next_text[:1].islower()):
        return 0
    if _MAJOR.match(text):
        return 1
    short = len(text.split()) <= 10 and text[0].isupper()
    if is_allcaps(text):
        return 1 if style.allcaps else 2
    if not short or next_text is None:
        return 0
    followed_by_heading = len(next_text) < 90 and not next_text.endswith(".")
    if not followed_by_heading and len(next_text) <= len(text) + 40:
        return 0
    if style.numbered:
        return last_numbered + 1
    return 1 if followed_by_heading else 2


def heading_text(text: str) -> str:
    m = _NUMBERED.match(text)
    return m.group(2).strip() if m else text.strip()


# --- tables -----------------------------------------------------------------------------------------------

def looks_like_table_row(text: str, in_table: bool = False) -> bool:
    """Scraped table cells: pipe-separated, or concatenated cells ("Carrasco, 19862516-9TAESponge..."). Outside a
    table a long line is prose; inside one, a row whose first cell is a long trial title is still a row: Dermine's
    Table 3 lost its last seven trials (NEO-LEBE, EVACEL, COMPETE, ...) at a 242-character row, and the questions on
    them were told that the reviews never mention them."""
    if "|" in text:
        return True
    if (len(text) > 200 and not in_table) or text.endswith("."):
        return False
    glued = len(re.findall(r"[a-z][A-Z]|\d[A-Z][a-z]|[a-z]\d{3,}", text))
    return glued >= 2 or (len(re.findall(r"\d", text)) > len(text) * 0.3 and len(text) < 120)


# --- the cleaner ------------------------------------------------------------------------------------------

def clean(raw_text: str, doc_id: str) -> CleanText:
    lines = lines_of(raw_text)
    style = heading_style(lines)
    last_numbered = 0
    blocks: list[Block] = []
    refs: list[Reference] = []
    i = body_start(lines)
    dropping = in_refs = False
    seen_captions: set[str] = set()
    while i < len(lines):
        ln = lines[i]
        nxt = lines[i + 1].text if i + 1 < len(lines) else None
        if _REFERENCES.match(ln.text):
            in_refs, dropping = True, False
        elif in_refs and (r := parse_reference(ln, doc_id)):
            refs.append(r)
        elif _TABLE.match(ln.text):
            i, table = read_table(lines, i, seen_captions)
            if table:
                blocks.append(table)
            continue
        elif _FIGURE.match(ln.text) or is_chrome(ln.text):
            if _FIGURE.match(ln.text) and len(ln.text) < 15 and nxt:
                i += 1            # "Figure 1:" then its caption line
        elif _DROP_SECTIONS.match(ln.text) or re.match(r"^(funding|ethical statement|open access statement|"
                                                        r"conflicts of interest):", ln.text, re.I):
            dropping = not re.search(r":\s*\S", ln.text)
        elif not in_refs:
            level = heading_level(ln.text, nxt, style, last_numbered)
            if level:
                dropping = False
                if _NUMBERED.match(ln.text):
                    last_numbered = level
                blocks.append(Block("heading", heading_text(ln.text), ln.start, ln.end, level))
            elif not dropping and not looks_like_table_row(ln.text) and len(ln.text) >= 40:
                blocks.append(Block("prose", ln.text, ln.start, ln.end))
        i += 1
    return CleanText(join_broken_paragraphs(blocks, raw_text), tuple(refs))


# A paragraph that ends mid-sentence: no closing punctuation after its last word (citation markers aside).
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"”’)]*\s*(?:\^?\[[^\]]*\]|\([\d,\s–-]+\)|\^?\{[^}]*\}|[⁰¹²³⁴⁵⁶⁷⁸⁹,–-]+)?"
                            r"[\"”’)]*\s*$")


# Words a sentence does not end on ("... carefully evaluated pathologic specimens after" / "NETLM resection ...").
_OPEN_END = re.compile(r"(?:\b(?:a|an|the|of|in|on|at|to|for|with|by|from|after|before|than|as|and|or|between|"
                       r"among|into|per|via|versus|vs)|-)$", re.IGNORECASE)


def continues(first: str, second: str) -> bool:
    """The second paragraph finishes the first one's sentence: the first stops without closing punctuation and
    the second goes on in lower case or with a number, or the first stops on a hyphen or a word no sentence ends
    on. An upper-case start after a bare last word stays a new paragraph (a heading-like line, a missing stop)."""
    if _ENDS_SENTENCE.search(first):
        return False
    return second[:1].islower() or second[:1].isdigit() or bool(_OPEN_END.search(first.rstrip()))


def join_broken_paragraphs(blocks: list[Block], raw: str) -> tuple[Block, ...]:
    """Rejoin a sentence the delivered file broke across a page ("... as a bridge to subsequent surgical
    treatment" / "appears promising."): a prose block followed by one that `continues` its sentence, with only
    blank lines between them in the raw file, is one paragraph. Its text is the raw span, gap included, so every
    sentence stays verbatim in the delivered file; a gap holding anything else (a licence line the cleaner
    dropped) keeps them apart rather than cite text that is not there."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "prose" and b.kind == "prose" and continues(prev.text, b.text)
                and not raw[prev.end:b.start].strip()):
            out[-1] = Block("prose", raw[prev.start:b.end], prev.start, b.end)
        else:
            out.append(b)
    return tuple(out)


def read_table(lines: list[Line], i: int, seen: set[str]) -> tuple[int, Block | None]:
    """A caption line and the cell rows under it → one table block; a caption repeated by the page is skipped."""
    caption = lines[i].text
    j = i + 1
    while j < len(lines) and lines[j].text == caption:
        j += 1                                     # duplicated caption line
    if len(caption) < 12 and j < len(lines):       # "Table 1." then the title on its own line
        caption = f"{caption} {lines[j].text}"
        j += 1
    rows: list[Line] = []
    while j < len(lines) and (looks_like_table_row(lines[j].text, bool(rows)) or (rows and len(lines[j].text) < 60
                              and not _NUMBERED.match(lines[j].text))):
        if _TABLE.match(lines[j].text) or _FIGURE.match(lines[j].text) or is_chrome(lines[j].text):
            break         # the page's "Share and Cite" after a last table is no row of it
        rows.append(lines[j])
        j += 1
    if caption in seen or not rows:
        return j, None
    seen.add(caption)
    return j, Block("table", "\n".join(r.text for r in rows), lines[i].start, lines[j - 1].end, caption=caption,
                    row_starts=tuple(r.start for r in rows))
