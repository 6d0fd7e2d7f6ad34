"""run_eval end to end on a fake Assistant (same contract as netlm_rag.pipeline, no model): files, metric
values on a hand-checkable toy set, all four systems, escaping in the reports, compare() and the gate check."""
from __future__ import annotations

import json
import re
import shutil
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from netlm_rag.errors import BadInput
from netlm_rag.evaluation import SYSTEMS, compare, gate_failures, gate_subset, load_qa, run_eval
from netlm_rag.records import Answer, Chunk, Citation, Document, Hit, Span

RAW1 = ("Liver review\n\nLiver transplantation is an option when Ki-67 is below 5%. Patients must be younger "
        "than 55 years. Stable disease for six months is required.\n\nResection\n\nSurgical resection is the "
        "only curative treatment. Hepatic failure is the main cause of death.\n")
RAW2 = "PRRT review\n\nLutetium PRRT improved progression-free survival in NETTER-1. Response rates were 18 percent.\n"
DOCS = {"d1": Document("d1", "One 2020", "t", (), "j", 2020, "", "", "one.txt", "x", RAW1),
        "d2": Document("d2", "Two 2021", "t", (), "j", 2021, "", "", "two.txt", "y", RAW2)}


def chunks_of(doc: Document) -> list[Chunk]:
    out = []
    for m in re.finditer(r"[^\n]+", doc.raw_text):
        if "." not in m.group():
            continue          # headings
        spans = [Span(s.start(), s.end(), m.start() + s.start()) for s in re.finditer(r"[^.]+\.", m.group())
                 if s.group().strip()]
        spans = [Span(sp.start + 1 if m.group()[sp.start] == " " else sp.start, sp.end,
                      sp.raw_start + (1 if m.group()[sp.start] == " " else 0)) for sp in spans]
        out.append(Chunk(f"{doc.id}#{len(out)}", doc.id, ("S",), "prose", m.group(), m.start(), m.end(), tuple(spans)))
    return out


CHUNKS = tuple(c for d in DOCS.values() for c in chunks_of(d))


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9-]+", text.lower()) if len(w) > 3}


def overlap(q: str, text: str) -> float:
    return len(words(q) & words(text)) / 4


class FakeRetriever:
    def ranking(self, q: str, k: int, dense: bool) -> tuple[Hit, ...]:
        scored = sorted(((overlap(q, c.text), i) for i, c in enumerate(CHUNKS)), key=lambda t: (-t[0], t[1]))
        return tuple(Hit(CHUNKS[i], s, dense_score=s if dense else None) for s, i in scored[:k] if s > 0)

    def hybrid(self, q, k=10, qvec=None, docs=frozenset()):
        return self.ranking(q, k, True)

    def dense(self, q, k=10, qvec=None, docs=frozenset()):
        return self.ranking(q, k, True)

    def lexical(self, q, k=10, docs=frozenset()):
        return self.ranking(q, k, False)

    def embed(self, q):
        return q

    def unit_scores(self, q, row):
        return np.array([overlap(q, CHUNKS[row].text)])


class HashEncoder:
    """Deterministic bag-of-words vectors, L2-normalised: good enough for FAISS to find word overlap."""

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in words(t) or {"empty"}:
                out[i, zlib.crc32(w.encode()) % 64] += 1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@dataclass
class FakeRules:
    verdicts: dict

    def to_dict(self):
        return {"option_verdicts": {o: {"verdict": v} for o, v in self.verdicts.items()}}


@dataclass(frozen=True)
class FakeTurn:
    question: str
    standalone_question: str
    answer: Answer
    rules: FakeRules | None
    latency_ms: float


class FakeAssistant:
    def __init__(self):
        self.retriever, self.documents, self.embedder = FakeRetriever(), DOCS, HashEncoder()
        self.chunks, self.index_info = CHUNKS, {"build_id": "fake-build"}
        self.rows = {c.id: i for i, c in enumerate(CHUNKS)}

    def compose(self, question, hits):
        if not hits or (hits[0].dense_score or 0) < 0.25:
            return Answer("The reviews in this corpus do not cover this question.", (), True, "too far", (), hits, question)
        top = hits[0].chunk
        i = max(range(len(top.sentences)), key=lambda j: overlap(question, top.sentence_texts()[j]))
        s = top.sentences[i]
        cit = Citation(top.id, top.doc_id, DOCS[top.doc_id].short_name, top.section, s.start, s.end, top.text[s.start:s.end])
        return Answer(f"{cit.text} [1]", (cit,), False, "", (), hits, question)

    def ask(self, question, history=(), facts=None, k=None):
        hits = self.retriever.hybrid(question, k)
        rules = FakeRules({"liver_transplant": "contraindicated"}) if "transplant" in question.lower() else None
        return FakeTurn(question, question, self.compose(question, hits), rules, 12.5)


def qa_row(i, question, answer, facts, quotes, typ="factual", answerable=True, **extra):
    return {"id": f"t-{i}", "question": question, "answer": answer, "key_facts": facts,
            "sources": [{"file": f, "quote": q} for f, q in quotes], "answerable": answerable, "type": typ,
            "difficulty": "easy", **extra}


QA = [
    qa_row(1, "Which Ki-67 limit applies to liver transplantation?", "Ki-67 below 5%.", ["below 5%"],
           [("d1", "Liver transplantation is an option when Ki-67 is below 5%.")], "threshold"),
    qa_row(2, "What is the main cause of death?", "Hepatic failure.", ["hepatic failure"],
           [("two.txt" if False else "one.txt", "Hepatic failure is the main cause of death.")]),
    qa_row(3, "What did NETTER-1 show for lutetium PRRT?", "Better progression-free survival; 18 percent respond.",
           ["progression-free survival", "18 percent"],
           [("d2", "Lutetium PRRT improved progression-free survival in NETTER-1."),
            ("d2", "Response rates were 18 percent.")], "trial & <new>"),
    qa_row(4, "Does pembrolizumab cure zebras?", "Not covered.", [], [], "unanswerable", False),
    qa_row(5, "Transplant for a 50-year-old with 70% liver involvement and Ki-67 below 5%?", "No: below 5% is met "
           "but involvement is too high.", ["below 5%"], [("d1", "Patients must be younger than 55 years.")],
           "vignette", expected_verdicts={"liver_transplant": "contraindicated", "resection": "caution"}),
]


@pytest.fixture
def qa_file(tmp_path) -> Path:
    p = tmp_path / "qa.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in QA), encoding="utf-8")
    return p


@pytest.fixture
def run_dir(tmp_path, qa_file) -> Path:
    calls = []
    run_eval(qa_file, tmp_path / "run", FakeAssistant(), k=5, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (20, 20) and len(calls) == 20
    return tmp_path / "run"


def test_outputs_and_metric_shapes(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["systems"]) == set(SYSTEMS) and metrics["qa"]["n_items"] == 5
    assert metrics["index"] == {"build_id": "fake-build"} and metrics["bootstrap"]["resamples"] == 1000
    for sysm in metrics["systems"].values():
        assert {"recall@1", "recall@3", "recall@5", "recall@10", "mrr", "ndcg@10", "key_fact_recall",
                "citation_validity", "citation_precision", "abstention_precision", "abstention_recall",
                "answered_rate", "rule_agreement", "latency_p50_ms", "latency_p95_ms"} <= set(sysm["metrics"])
        assert all(set(m) == {"value", "ci", "n"} for m in sysm["metrics"].values())
    rows = [json.loads(line) for line in (run_dir / "per_question.jsonl").read_text().splitlines()]
    assert len(rows) == 20
    for key in ("id", "question", "answer", "abstained", "hits", "citations", "key_facts_found", "latency_ms", "gold_ranks"):
        assert all(key in r for r in rows)
    assert {"chunk_id", "document", "text", "score"} <= set(rows[0]["hits"][0])


def test_full_system_values_by_hand(run_dir):
    m = json.loads((run_dir / "metrics.json").read_text())["systems"]["full"]["metrics"]
    v = {k: x["value"] for k, x in m.items()}
    # Four answerable items; gold found at rank 1 for t-1, t-2; t-3's two quotes are one chunk (rank 1);
    # t-5's gold ("younger than 55") shares the t-1 chunk, retrieved first for the transplant question.
    assert v["recall@1"] == 1.0 and v["mrr"] == 1.0 and v["ndcg@10"] == pytest.approx(
        np.mean([1, 1, (1) / (1 + 1 / np.log2(3)), 1]))
    assert v["abstention_recall"] == 1.0 and v["abstention_precision"] == 1.0 and v["answered_rate"] == 1.0
    assert v["citation_validity"] == 1.0 and v["latency_p50_ms"] == 12.5
    assert v["rule_agreement"] == pytest.approx(1 / 2) and m["rule_agreement"]["n"] == 1   # resection missing
    rows = {r["id"]: r for r in map(json.loads, (run_dir / "per_question.jsonl").read_text().splitlines())
            if r["system"] == "full"}
    assert rows["t-3"]["key_facts_found"] == ["progression-free survival"] and rows["t-3"]["gold_ranks"] == [1, 1]
    assert v["key_fact_recall"] == pytest.approx(np.mean([1, 1, 0.5, 1]))
    assert rows["t-4"]["abstained"] and rows["t-4"]["hits"] == []


def test_follow_up_items_are_asked_after_their_conversation(tmp_path):
    """The full system asks the earlier questions first, in one conversation; baselines search the
    standalone question the conversation module writes, so a follow-up reaches every system complete."""
    from netlm_rag.evaluation.systems import standalone_question
    from netlm_rag.lexicon import default_lexicon

    asked = []

    class Recording(FakeAssistant):
        def ask(self, question, history=(), facts=None, k=None):
            asked.append((question, tuple(t.question for t in history)))
            return super().ask(question, history, facts, k)

    row = qa_row(9, "And for resection?", "Resection is the only curative treatment.", ["only curative"],
                 [("d1", "Surgical resection is the only curative treatment.")],
                 history=["What contraindicates liver transplant?", "And PRRT?"])
    p = tmp_path / "fu.jsonl"
    p.write_text(json.dumps(row) + "\n", encoding="utf-8")
    run_eval(p, tmp_path / "run", Recording(), k=5, systems=("full",))
    assert asked == [("What contraindicates liver transplant?", ()),
                     ("And PRRT?", ("What contraindicates liver transplant?",)),
                     ("And for resection?", ("What contraindicates liver transplant?", "And PRRT?"))]
    out = json.loads((tmp_path / "run" / "per_question.jsonl").read_text())
    assert out["history"] == row["history"]

    class WithLexicon(FakeAssistant):
        def __init__(self):
            super().__init__()
            self.retriever.lexicon = default_lexicon()

    assert standalone_question(WithLexicon(), "And for TACE?", ["What contraindicates liver transplant?"]) \
        == "What contraindicates TACE?"
    assert standalone_question(FakeAssistant(), "And for TACE?", ["x"]) == "And for TACE?"   # no lexicon: as asked
    assert standalone_question(WithLexicon(), "And for TACE?", []) == "And for TACE?"


def test_baselines_share_the_composer_and_langchain_never_abstains(run_dir):
    systems = json.loads((run_dir / "metrics.json").read_text())["systems"]
    assert systems["bm25"]["metrics"]["answered_rate"]["value"] == 1.0          # dense scores filled in
    lc = systems["langchain_default"]
    assert lc["metrics"]["abstention_recall"]["value"] == 0.0 and lc["metrics"]["citation_validity"]["value"] == 1.0
    assert lc["metrics"]["rule_agreement"]["value"] is None and lc["config"]["n_chunks"] >= 2
    rows = [json.loads(line) for line in (run_dir / "per_question.jsonl").read_text().splitlines()]
    for r in rows:
        if r["system"] == "langchain_default":
            for h in r["hits"]:
                assert DOCS[h["document"]].raw_text[h["start"]:h["end"]] == h["text"]
            assert r["answer"] == r["hits"][0]["text"]


def test_reports_escape_text_and_hold_wellformed_svg(run_dir):
    html = (run_dir / "report.html").read_text()
    assert "trial &amp; &lt;new&gt;" in html and "<new>" not in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 5
    for s in svgs:
        ElementTree.fromstring(s)
    md = (run_dir / "report.md").read_text()
    assert "| recall@5 |" in md and "langchain_default" in md and "## By document" in md


def test_unknown_system_is_refused(tmp_path, qa_file):
    with pytest.raises(BadInput, match="valid: full, bm25"):
        run_eval(qa_file, tmp_path / "x", FakeAssistant(), systems=("full", "gpt"))


def test_compare_same_run_is_not_a_regression(run_dir, tmp_path):
    text, regressed = compare(run_dir, run_dir)
    assert not regressed and "no regression" in text and "recall@5" in text


def test_compare_flags_a_drop_beyond_the_ci(run_dir, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(run_dir, new)
    m = json.loads((new / "metrics.json").read_text())
    full = m["systems"]["full"]["metrics"]
    full["key_fact_recall"] = {"value": 0.5, "ci": [0.3, 0.6], "n": 4}        # old 0.875 > new upper bound 0.6
    full["recall@5"] = {"value": 0.8, "ci": [0.6, 1.0], "n": 4}               # lower, but inside the new CI
    full["latency_p50_ms"] = {"value": 110.0, "ci": [100.0, 120.0], "n": 5}   # slower: informational only
    (new / "metrics.json").write_text(json.dumps(m))
    text, regressed = compare(run_dir, new)
    assert regressed
    line = next(x for x in text.splitlines() if x.startswith("full") and "key_fact_recall" in x)
    assert line.endswith("REGRESSED") and "-0.375" in line
    assert not next(x for x in text.splitlines() if x.startswith("full") and "recall@5" in x).endswith("REGRESSED")
    assert "slower" in next(x for x in text.splitlines() if x.startswith("full") and "latency_p50_ms" in x)


def test_compare_lists_flipped_items(run_dir, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(run_dir, new)
    rows = [json.loads(line) for line in (new / "per_question.jsonl").read_text().splitlines()]
    for r in rows:
        if r["system"] == "full" and r["id"] == "t-1":
            r["scores"]["all_key_facts"] = 0.0
    (new / "per_question.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    text, _ = compare(run_dir, new)
    assert "lost: full:t-1" in text


def test_missing_run_is_a_clear_error(tmp_path):
    with pytest.raises(BadInput, match="no metrics.json"):
        compare(tmp_path, tmp_path)


def test_gate_subset_and_failures(qa_file):
    items = load_qa(qa_file)
    sub = gate_subset(items, 3)
    assert len(sub) == 3 and [i.id for i in sub] == sorted(i.id for i in sub)           # file order kept
    assert {i.id for i in sub} == {i.id for i in gate_subset(tuple(reversed(items)), 3)}  # order-independent pick
    metrics = {"systems": {"full": {"metrics": {"recall@5": {"value": 0.70}, "latency_p95_ms": {"value": 900.0}}}}}
    accepted = {"system": "full", "metrics": {"recall@5": {"accepted": 0.80, "margin": 0.05},
                                              "latency_p95_ms": {"accepted": 500, "margin": 500, "direction": "lower"},
                                              "mrr": {"accepted": 0.5, "margin": 0.1}}}
    fails = gate_failures(metrics, accepted)
    assert len(fails) == 2 and fails[0].startswith("recall@5 = 0.700") and fails[1] == "mrr: missing from the run"
