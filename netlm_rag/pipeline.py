"""The Assistant: loads index and model once; ask() runs condense → retrieve → compose → rules."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import numpy as np

from .adapt import resolve
from .audit import log_turn
from .answer import compose_answer, table_answer, with_conflict_note
from .config import Settings
from .conversation import condense
from .corpus import author_surnames, document_aliases, load_corpus, mentioned_documents
from .coverage import Stems, known, other_disease, prefixes, table_rows_naming, unknown_terms, vocabulary_of
from .embeddings import Embedder, load_embedder
from .errors import BadInput
from .grounded import grounded_answer
from .index import ensure_fresh, lexical_text
from .lexicon import default_lexicon
from .records import Answer, Chunk, Document, Hit
from .retrieval import Retriever
from .evidence import criterion_rows, guide_ranking, still_quoted
from .rules import RuleReport, check, patient_facts
from .store import load_build
from .terms import ChunkTokens

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and everything the assistant said about it."""

    question: str
    standalone_question: str
    answer: Answer
    rules: RuleReport | None
    latency_ms: float

    def to_dict(self) -> dict[str, Any]:
        a = self.answer.to_dict()
        return {
            "question": self.question, "standalone_question": self.standalone_question,
            "answer": a["answer"], "abstained": a["abstained"], "abstain_reason": a["abstain_reason"],
            "citations": a["citations"], "hits": a["hits"], "conflicts": a["conflicts"],
            "rules": self.rules.to_dict() if self.rules is not None else None,
            "dropped_sentences": a["dropped_sentences"], "latency_ms": round(self.latency_ms, 2),
        }


def clean_question(question: Any, limit: int) -> str:
    """Reject what cannot be a question, with the reason; strip control characters."""
    if not isinstance(question, str):
        raise BadInput("the question must be text")
    text = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
    if not text:
        raise BadInput("the question is empty — type a question about NET liver metastases")
    if len(text) > limit:
        raise BadInput(f"the question is {len(text):,} characters; the limit is {limit:,} — shorten it")
    return text


@dataclass
class Assistant:
    settings: Settings
    retriever: Retriever
    documents: dict[str, Document]
    index_info: dict[str, Any]
    vocabulary: frozenset[str] = field(default_factory=frozenset)
    rows: dict[str, int] = field(default_factory=dict)      # chunk id -> row in the build
    aliases: dict[str, str] = field(default_factory=dict)  # "dermine" -> "dermine-2019"
    stems: Stems = field(default_factory=dict)  # word prefix -> corpus words, to know inflected forms
    chat: Callable[[list[tuple[str, str]]], str] | None = None  # optional generative backend (lc.chat_function)
    criteria: dict[str, tuple[int, ...]] = field(default_factory=dict)  # criterion id -> chunk rows (evidence)
    # What the reviews' text (tables aside) says, and its stems: a term only a table lists is not discussed.
    prose: frozenset[str] = field(default_factory=frozenset)
    prose_stems: Stems = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None,
             check_fresh: bool = True, chat: Callable[[list[tuple[str, str]]], str] | None = None) -> "Assistant":
        """Verify the index against the corpus and settings, then load the model (the slow part) once."""
        settings = settings or Settings.from_env()
        docs = load_corpus(settings.paths.corpus)
        build = load_build(settings.paths.index, settings.vectors.pg_dsn)
        settings = resolve(settings, build.manifest.corpus_hash)     # the model this build was embedded with
        if not settings.model.adapted:      # the plain model's cosines sit higher: its own abstention threshold
            settings = settings.with_overrides(answer={"abstain_min_similarity":
                                                       settings.answer.abstain_min_similarity_plain})
        if check_fresh:
            ensure_fresh(build.manifest, docs, settings)
        embedder = embedder or load_embedder(settings.model)
        if embedder.dim != build.manifest.model["dim"]:
            raise BadInput(f"model gives {embedder.dim} dimensions, index has {build.manifest.model['dim']} — "
                           "run: netlm-rag build --force")
        if embedder.fingerprint != build.manifest.model.get("fingerprint", embedder.fingerprint):
            # Same dimensions, other weights (the plain model against an index of the corpus-adapted one): the
            # cosines would be meaningless, and nothing else would notice.
            raise BadInput(f"the loaded model ({embedder.name}) is not the one this index was embedded with "
                           f"({build.manifest.model.get('name')}) — run: netlm-rag build")
        retriever = Retriever.create(build, embedder, settings.retrieval)
        aliases = document_aliases(docs)
        # Review and author names are known words even though cleaning removed the author lines.
        names = {t for a in (*aliases, *author_surnames(docs)) for t in retriever.lexicon.tokenize(a)}
        vocab = frozenset(build.bm25.vocab_dict) | names
        rows = {c.id: i for i, c in enumerate(build.chunks)}
        documents = {d.id: d for d in docs}
        prose = vocabulary_of((lexical_text(c) for c in build.chunks if c.kind == "prose"), retriever.lexicon) | names
        return cls(settings, retriever, documents, build.manifest.to_dict(), vocab, rows, aliases, prefixes(vocab),
                   chat, criterion_rows(build.chunks, documents), prose, prefixes(prose))

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self.retriever.chunks

    @property
    def idf(self) -> dict[str, float]:
        return self.retriever.idf

    @property
    def tokens(self) -> dict[str, ChunkTokens]:
        return self.retriever.tokens

    @property
    def embedder(self) -> Embedder:
        return self.retriever.embedder

    def sentence_scorer(self, qvec: np.ndarray) -> Callable[[Hit], np.ndarray]:
        return lambda hit: self.retriever.unit_scores(qvec, self.rows[hit.chunk.id])

    def compose(self, question: str, hits: tuple[Hit, ...], qvec: np.ndarray | None = None,
                case: bool | None = None, named: frozenset[str] | None = None) -> Answer:
        """The extractive composer on any hits (the evaluation's single-retriever baselines share it). `case`:
        the question describes a patient; `named`: the reviews it names (both found here when not given)."""
        qvec = self.retriever.embed(question) if qvec is None else qvec
        lex = self.retriever.lexicon
        case = patient_facts(question).facts.is_case() if case is None else case
        unknown = unknown_terms(question, self.prose, lex, self.prose_stems, case)
        elsewhere = other_disease(question, lex)
        tabled = tuple(t for t in unknown if known(t, self.vocabulary, lex, self.stems))
        if tabled and len(tabled) == len(unknown) and not elsewhere:
            rows = [r for t in tabled for r in table_rows_naming(t, self.chunks, lex)]
            answer = table_answer(tabled, rows, self.documents, hits, question)
            if answer is not None:
                return answer
        # A name in the corpus but in no row (a table's caption): known, as it was before tables were set apart.
        unknown = tuple(t for t in unknown if t not in tabled)
        if self.chat is not None and not unknown and not elsewhere:
            # Same gate as the extractive path: every kept sentence needs a valid, supported citation.
            return grounded_answer(question, hits, self.chat, self.documents, lex)
        named = mentioned_documents(question, self.aliases) if named is None else named
        answer = compose_answer(question, hits, self.sentence_scorer(qvec), self.documents,
                                self.settings.answer, lex, unknown, self.idf, self.tokens, named, elsewhere)
        return with_conflict_note(answer)

    def ask(self, question: str, history: Sequence[Turn] = (), facts: Any = None,
            k: int | None = None) -> Turn:
        t0 = time.perf_counter()
        question = clean_question(question, self.settings.answer.max_question_chars)
        standalone = condense(question, [t.standalone_question for t in history], self.retriever.lexicon)
        qvec = self.retriever.embed(standalone)
        named = mentioned_documents(standalone, self.aliases)
        parsed = patient_facts(standalone, facts)         # once: it guides retrieval and feeds the rules
        guide = guide_ranking(standalone, parsed.facts, self.criteria)
        hits = self.retriever.hybrid(standalone, k or self.settings.retrieval.k, qvec, named, guide)
        answer = self.compose(standalone, hits, qvec, parsed.facts.is_case(), named)
        # An abstained question gets no criteria either: a trial the reviews never mention is not answered by
        # the thresholds of the option it names.
        rules = check(answer=None if answer.abstained else answer.text, facts=parsed,
                      question="" if answer.abstained else standalone)
        rules = replace(rules, asked=still_quoted(rules.asked, self.documents, named))
        turn = Turn(question, standalone, answer, rules, (time.perf_counter() - t0) * 1000)
        if self.settings.audit.enabled:
            log_turn(self.settings.paths.data, turn, self.index_info["build_id"], self.settings.audit)
        return turn
