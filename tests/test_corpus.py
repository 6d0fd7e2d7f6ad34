"""Maintainer operations on a copy of the corpus: bad files change nothing."""
import json

import pytest

from netlm_rag import corpus
from netlm_rag.errors import CorpusError

ARTICLE = ("Hepatic resection of neuroendocrine liver metastases is the only potentially curative option. "
           * 12).encode()


def manifest(c):
    return json.loads((c / "manifest.json").read_text())


def test_seed_corpus_is_verbatim_with_metadata(corpus_copy):
    docs = corpus.load_corpus(corpus_copy)
    assert [d.id for d in docs] == ["la-salvia-2016", "gangi-2020", "macedo-2013", "dermine-2019", "cloyd-2020"]
    for d in docs:
        assert d.sha256 == corpus.sha256_bytes((corpus_copy / "raw" / d.source_file).read_bytes())
        assert d.title and d.year and d.licence and d.doi
    outside = [d.id for d in docs if "outside the file" in d.metadata_source]
    assert outside == ["macedo-2013", "cloyd-2020"]


def test_add_list_remove(corpus_copy):
    entry = corpus.add_document(corpus_copy, "new.txt", ARTICLE, {"title": "T", "year": "2024", "id": "new-2024"})
    assert entry["id"] == "new-2024" and (corpus_copy / "raw" / "new.txt").read_bytes() == ARTICLE
    assert len(corpus.load_corpus(corpus_copy)) == 6
    corpus.remove_document(corpus_copy, "new-2024")
    assert len(corpus.load_corpus(corpus_copy)) == 5 and not (corpus_copy / "raw" / "new.txt").exists()


def blank_pdf() -> bytes:
    """A well-formed two-page PDF with no text layer, as a scanner without OCR writes it."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("latin1.txt", "Résection hépatique ".encode("latin-1") * 50, "not UTF-8"),
    ("blob.txt", b"\x00\x01\x02" * 400, "binary"),
    ("empty.txt", b"   \n", "empty"),
    ("short.txt", b"too short", "at least"),
    ("scan.pdf", None, "no text layer.*OCR"),             # a valid PDF whose page carries no text (a scan)
    ("cut.pdf", b"%PDF-1.4\n%%EOF\n", "not a readable PDF"),
    ("notpdf.pdf", b"hello" * 200, "no %PDF header"),
    ("doc.docx", ARTICLE, "unsupported"),
    ("huge.txt", ARTICLE * (20_000_000 // len(ARTICLE) + 1), "over the 20,000,000-byte limit"),
])
def test_bad_files_are_refused_and_change_nothing(corpus_copy, name, data, message):
    data = blank_pdf() if data is None else data
    before = (corpus_copy / "manifest.json").read_bytes(), sorted(p.name for p in (corpus_copy / "raw").iterdir())
    with pytest.raises(CorpusError, match=message) as err:
        corpus.add_document(corpus_copy, name, data, {"id": "x"})
    assert name in str(err.value)
    after = (corpus_copy / "manifest.json").read_bytes(), sorted(p.name for p in (corpus_copy / "raw").iterdir())
    assert before == after


def test_duplicate_content_and_id_refused(corpus_copy):
    raw = (corpus_copy / "raw" / "002_3bbd6a936a715321.txt").read_bytes()
    with pytest.raises(CorpusError, match="same content as macedo-2013"):
        corpus.add_document(corpus_copy, "copy.txt", raw, {"id": "copy"})
    with pytest.raises(CorpusError, match="exists"):
        corpus.add_document(corpus_copy, "other.txt", ARTICLE, {"id": "gangi-2020"})


def test_manifest_naming_a_missing_file_is_an_error_naming_it(corpus_copy):
    (corpus_copy / "raw" / "000_01dc37210d749153.txt").unlink()
    with pytest.raises(CorpusError, match="000_01dc37210d749153.txt"):
        corpus.load_corpus(corpus_copy)


def test_edited_file_is_detected_by_hash(corpus_copy):
    f = corpus_copy / "raw" / "000_01dc37210d749153.txt"
    f.write_bytes(f.read_bytes() + b"\nedited")
    with pytest.raises(CorpusError, match="sha256 differs"):
        corpus.load_corpus(corpus_copy)


def test_html_is_converted_to_text(corpus_copy):
    page = b"<html><script>var x=1;</script><body><h1>Title</h1><p>" + ARTICLE + b"</p></body></html>"
    entry = corpus.add_document(corpus_copy, "page.html", page, {"id": "page"})
    text = (corpus_copy / "raw" / entry["source_file"]).read_text()
    assert "var x" not in text and "Title" in text and "curative option" in text


def test_replace_keeps_id(corpus_copy):
    corpus.add_document(corpus_copy, "n.txt", ARTICLE, {"id": "n"})
    corpus.add_document(corpus_copy, "n.txt", ARTICLE + b" More.", {}, replace_id="n")
    assert [e["id"] for e in manifest(corpus_copy)["documents"]].count("n") == 1


def test_author_surnames_are_every_author_without_initials(corpus_copy):
    names = corpus.author_surnames(corpus.load_corpus(corpus_copy))
    assert {"Gangi", "Howe", "La Salvia", "Abou Ali", "Palmieri", "Cottereau", "Pawlik"} <= names
    assert not any("et al" in n or n.endswith((" A", " JR", " L-J")) for n in names)
    # Only first authors name a review for restricting the search.
    assert "howe" not in corpus.document_aliases(corpus.load_corpus(corpus_copy))
