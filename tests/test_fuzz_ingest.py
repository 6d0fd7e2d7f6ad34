"""Property tests: cleaning and chunking never raise and keep every sentence verbatim, whatever the text."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from netlm_rag.chunking import chunk_document, split_sentences
from netlm_rag.cleaning import clean
from netlm_rag.config import ChunkingSettings
from netlm_rag.records import Document

LINES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["Abstract", "1. Introduction", "2.1. Liver Transplantation", "REFERENCES", "Table 1. X",
                     "Figure 2:", "Share and Cite", "- 12. Smith J, et al. J Clin 2019;3:1-9.", "RESULTS",
                     "Short heading", "a | b | c", "Carrasco, 19862516-9TAESponge8794-1116",
                     "Trial Of Something Very Long " * 9 + "(ABC)NCT01234567Phase 2RecruitingSome Sponsor"]),
    st.lists(st.sampled_from(["Ki-67 <10% was required.", "Smith et al. reported 2.5 cm.", "See Fig. 2.",
                              "The OS was 52% [24].", "Resection is curative."]), min_size=1, max_size=6)
    .map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=40), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_chunking_never_raises_and_sentences_stay_verbatim(lines, sep):
    raw = sep.join(lines)
    doc = Document("fuzz", "Fuzz", "t", (), "j", 2020, "", "", "f.txt", "x", raw)
    clean(raw, "fuzz")
    for c in chunk_document(doc, ChunkingSettings(max_chars=300, overlap_sentences=1, min_chars=50)):
        assert c.start <= c.end
        for s in c.sentences:       # a table's rows too: they can be cited (answer.table_answer)
            assert c.text[s.start:s.end] == raw[s.raw_start:s.raw_start + s.end - s.start]


@given(st.text(max_size=500))
def test_sentence_spans_are_ordered_and_inside_the_text(text):
    spans = split_sentences(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))


# ---- what maintainers and users type: corpus files and questions -------------------------------------------------
PDF_PARTS = st.sampled_from([b"%PDF-1.4\n", b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n", b"xref\n0 3\n",
                             b"trailer << /Root 1 0 R /Size 3 >>\n", b"startxref\n9\n", b"%%EOF\n", b"stream\nBT (x) Tj ET\nendstream\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=3000),
                 st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.lists(PDF_PARTS, max_size=12).map(lambda parts: b"%PDF-1.7\n" + b"".join(parts))),
       st.sampled_from(["a.txt", "a.md", "a.html", "a.pdf", "a.docx", "noext"]))
def test_any_file_becomes_verbatim_text_or_an_error_naming_it(data, name):
    """Whatever bytes a maintainer uploads: UTF-8 text kept as is, or CorpusError with the file name (never
    another exception, which would lose the upload behind a traceback)."""
    from netlm_rag.errors import CorpusError
    from netlm_rag.ingest import file_to_text

    try:
        text = file_to_text(data, name)
    except CorpusError as exc:
        assert name in str(exc)
        return
    assert isinstance(text, str) and len(text.strip()) >= 1
    if name.endswith((".txt", ".md")):
        assert text == data.decode("utf-8").lstrip("\ufeff") or text == data.decode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=2500), st.integers(), st.none(), st.binary(max_size=10)))
def test_any_question_is_cleaned_or_refused_with_the_reason(question):
    from netlm_rag.errors import BadInput
    from netlm_rag.pipeline import clean_question

    try:
        out = clean_question(question, 2000)
    except BadInput as exc:
        assert any(w in str(exc) for w in ("empty", "limit is 2,000", "must be text"))
        return
    assert out and out == out.strip() and len(out) <= 2000
    assert all(ch.isprintable() or ch in "\n\t" for ch in out)
    visible = [ch for ch in question if ch.isprintable() and not ch.isspace()]
    assert visible == [ch for ch in out if not ch.isspace()]        # every visible character kept, in order
