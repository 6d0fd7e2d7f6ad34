"""Turning a maintainer's file (.txt, .md, .pdf with a text layer, .html) into corpus text, or a clear error."""
from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

from .corpus import decode_text
from .errors import CorpusError

SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm")
MAX_BYTES = 20_000_000        # a review is ~50-100 kB of text; 20 MB is a wrong file, not an article
MIN_CHARS = 500               # less text than a short abstract cannot be a review


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, one line per block element; scripts and styles dropped."""

    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "nav", "footer"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "nav", "footer"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    text = html.unescape("".join(parser.parts))
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip() + "\n"


def pdf_to_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(p.extract_text() or "") for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{name}: not a readable PDF ({exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if len(text) < MIN_CHARS:
        raise CorpusError(f"{name}: the PDF has no text layer (scanned?); run OCR first, then add the text")
    return text + "\n"


def file_to_text(data: bytes, name: str) -> str:
    """The text that will be stored verbatim and cited. Raises CorpusError naming the file."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise CorpusError(f"{name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}")
    if len(data) > MAX_BYTES:
        raise CorpusError(f"{name}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit for one article")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise CorpusError(f"{name}: not a PDF (no %PDF header)")
        text = pdf_to_text(data, name)
    else:
        text = decode_text(data, name)
        if suffix in (".html", ".htm"):
            text = html_to_text(text)
    if len(text.strip()) < MIN_CHARS:
        raise CorpusError(f"{name}: only {len(text.strip())} characters of text; an article needs at least {MIN_CHARS}")
    return text
