"""What a question without a patient asks of the criteria, and what the criteria say to it.

"For LT, is the Ki-67 ceiling 5 % or 10 %?" names an option (transplant) and a criterion field (Ki-67) and asks
for a limit. The extractive answer depends on the retriever reading *ceiling* as *<*, which MiniLM does not;
the rules module holds the answer outright: every review's version of that criterion, with its verbatim quote
and line. `asked_criteria` returns those versions grouped by topic, so the app and the CLI can show them beside
the answer, and say when the reviews set different limits. A question describing a patient gets the full
verdict table instead (check() with facts), so this is for general questions only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .claims import asked_options
from .criteria import CRITERIA, Criterion
from .evaluation import SET_BY_ID, threshold_text
from .schema import SPEC

_SSTR = r"\bsstr\b|\bsomatostatin\s+receptor|\breceptor[\s-]+(?:positive|negative|status)"
# How a general question names a criterion's field ("What Ki-67 limit applies for transplantation?", "Max
# lesion size for RFA?"). Retrieval (evidence.py) reads the same words to rank the passages stating them.
FIELD_WORDS = {
    "ki67_pct": r"\bki[\s-]?67\b|\bmib[\s-]?1\b|\bproliferat\w*\s+index",
    "age": r"\bage\b|\bold(?:er)?\b|\byoung(?:er)?\b",
    "liver_involvement_pct": r"\b(?:liver|hepatic)\s+(?:involvement|replacement|invasion|burden|tumou?r\s+(?:burden|volume))|"
                             r"\btumou?r\s+burden\b|\bof\s+the\s+liver\b",
    "stable_disease_months": r"\bstable\s+disease\b|\bstability\b|\bstable\s+for\b",
    "lesion_size_cm": r"\bsize\b|\bdiameter\b|\bcm\b|\bhow\s+(?:large|big)\b|\blarger?\s+(?:lesion|tumou?r|met)",
    "lesion_count": r"\bnumber\s+of\s+(?:lesions|metastases|mets|tumou?rs|nodules)\b|\bhow\s+many\s+(?:lesions|metastases|mets)",
    "bilirubin_mg_dl": r"\bbilirubin\b",
    "flr_pct": r"\bflr\b|\b(?:future\s+)?liver\s+remnant\b|\bremnant\s+liver\b",
    "extrahepatic_disease": r"\bextra[\s-]?hepatic\b",
    "portal_vein_thrombosis": r"\bportal\s+vein\b|\bpvt\b",
    "grade": r"\bgrade\b|\bG[123]\b",
    "differentiation": r"\b(?:well|poorly)[\s-]+differentiated\b|\bdifferentiation\b",
    "sstr_positive": _SSTR + r"|\bdotatate\b|\boctreoscan\b",
    "primary_resected": r"\bprimary\s+(?:tumou?r\s+)?(?:resect\w*|remov\w*)|\b(?:resect\w*|remov\w*)\s+(?:of\s+)?the\s+primary\b",
    "debulkable_pct": r"\bdebulk\w*\s+threshold|\bthreshold\s+for\s+(?:debulk|cytoreduc)\w*|\bhow\s+much\b.*\b(?:debulk|cytoreduc|remov)",
    "bilioenteric_anastomosis": r"\bbilio[\s-]?enteric\b|\bwhipple\b|\bhepaticojejunostomy\b|\bpancreat\w*duodenectomy\b",
    "carcinoid_heart_disease": r"\bcarcinoid\s+heart\b|\bheart\s+(?:disease|failure)\b",
    "peritoneal_carcinomatosis": r"\bperitoneal\b|\bcarcinomatosis\b",
}
# A drug or a scan named ("Lu-177 DOTATATE schedule?") finds the receptor passages for retrieval, but a question
# about a trial of that drug does not ask for the receptor criterion.
_CRITERION_WORDS = {**FIELD_WORDS, "sstr_positive": _SSTR}
# The question asks for a limit or a criterion, not for results: "ceiling", "cut-off", "how many lesions",
# "reasonable for high-grade?", "5% or 10%?". Without one of these, "Lu-177 in G2 NETs: what did the trial show?"
# would be shown the grade criteria of PRRT.
_ASKS_CRITERION = re.compile(
    r"\b(?:limits?|cut-?offs?|ceilings?|thresholds?|max(?:imum)?|min(?:imum)?|upper|lower|criteri(?:a|on)|"
    r"eligib\w*|candidates?|contra-?indicat\w*|indicat\w*|selection|requir\w*|how\s+(?:many|much|large|big|old|high)|"
    r"reasonable|acceptable|allowed|permitted)\b|\d\s*%?\s*(?:or|vs\.?|versus)\s*[<>≤≥]?\s*\d", re.I)


def asked_fields(question: str, words: dict[str, str] = FIELD_WORDS) -> frozenset[str]:
    """The criterion fields a question names (not a patient's values: those are facts)."""
    return frozenset(f for f, rx in words.items() if re.search(rx, question, re.I))


@dataclass(frozen=True, slots=True)
class AskedTopic:
    """One requirement a question asks about ("transplant.ki67") and every version of it the reviews state."""

    topic: str
    fields: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    @property
    def thresholds(self) -> tuple[str, ...]:
        """The distinct limits, in declaration order ("Ki-67 < 5 %", "Ki-67 < 10 %")."""
        return tuple(dict.fromkeys(_threshold(cr) for cr in self.criteria))

    @property
    def differ(self) -> bool:
        return len(self.thresholds) > 1

    @property
    def label(self) -> str:
        options = dict.fromkeys(o.replace("_", " ") for cr in self.criteria for o in cr.options)
        fields = ", ".join(SPEC[f].label if f in SPEC else f.replace("_", " ") for f in self.fields)
        return f"{' / '.join(options)}: {fields}"

    def text(self) -> str:
        head = f"{self.label} — " + ("the reviews set different limits: " + " vs ".join(self.thresholds)
                                     if self.differ else "stated as " + self.thresholds[0])
        return "\n".join([head] + [f"  - {_criterion_line(cr)}" for cr in self.criteria])

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "label": self.label, "fields": list(self.fields), "differ": self.differ,
                "thresholds": list(self.thresholds),
                "criteria": [{"id": cr.id, "text": cr.text, "threshold": _threshold(cr),
                              "set": cr.set_id, "set_name": SET_BY_ID[cr.set_id].name, "effect": cr.effect,
                              "source": cr.source.to_dict(), "cite": cr.source.cite()} for cr in self.criteria]}


def _threshold(cr: Criterion) -> str:
    return threshold_text(cr).replace("<=", "≤").replace(">=", "≥")


def _criterion_line(cr: Criterion) -> str:
    return f"{cr.text} ({SET_BY_ID[cr.set_id].name}; {cr.source.cite()}): “{cr.source.quote}”"


def asked_criteria(question: str) -> tuple[AskedTopic, ...]:
    """The criteria of the options a general question names, on the fields it names, when it asks for a limit
    or a criterion; grouped by topic, topics in catalogue order. Empty otherwise."""
    if not _ASKS_CRITERION.search(question):
        return ()
    options = set(asked_options(question))
    fields = asked_fields(question, _CRITERION_WORDS)
    if not options or not fields:
        return ()
    groups: dict[str, list[Criterion]] = {}
    for cr in CRITERIA.values():
        if options & set(cr.options) and fields & set(cr.fields):
            groups.setdefault(cr.topic, []).append(cr)
    return tuple(AskedTopic(topic, tuple(f for f in dict.fromkeys(f for cr in crs for f in cr.fields) if f in fields),
                            tuple(crs)) for topic, crs in groups.items())
