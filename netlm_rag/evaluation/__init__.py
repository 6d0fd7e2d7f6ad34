"""The evaluation harness: QA set, stage-wise metrics with bootstrap CIs, baselines, reports, run comparison,
human scores. The CLI calls run_eval and compare."""
from __future__ import annotations

from .compare import compare
from .gate import gate_failures, gate_subset
from .metrics import MetricValue, Passage
from .qaset import GoldSpan, QAItem, Source, gold_spans, is_holdout, load_qa, validate
from .runner import run_eval
from .scores import LABELS, Agreement, Score, ScoreStore, cohen_kappa
from .systems import SYSTEMS

__all__ = [
    "run_eval", "compare", "SYSTEMS",
    "QAItem", "Source", "GoldSpan", "load_qa", "validate", "gold_spans", "is_holdout",
    "MetricValue", "Passage", "gate_subset", "gate_failures",
    "ScoreStore", "Score", "Agreement", "LABELS", "cohen_kappa",
]
