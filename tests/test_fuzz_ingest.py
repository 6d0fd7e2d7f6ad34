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
                     "Short heading", "a | b | c", "Carrasco, 19862516-9TAESponge8794-1116"]),
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
        if c.kind == "prose":
            for s in c.sentences:
                assert c.text[s.start:s.end] == raw[s.raw_start:s.raw_start + s.end - s.start]


@given(st.text(max_size=500))
def test_sentence_spans_are_ordered_and_inside_the_text(text):
    spans = split_sentences(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))
