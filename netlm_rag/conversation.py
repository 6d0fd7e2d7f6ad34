"""Follow-up questions rewritten into standalone ones, using the conversation so far. Rule-based: the
rewritten question is returned so the user sees exactly what was searched."""
from __future__ import annotations

import re
from typing import Sequence

from .lexicon import Lexicon

TREATMENTS = ("embolization", "radioembolization", "prrt", "ssa", "transplant", "ablation", "resection",
              "debulking", "chemotherapy", "everolimus", "sunitinib")
_FOLLOW_UP_START = re.compile(
    r"^\s*(and|what about|how about|what if|and if|and for|same for|same question for|also|but|"
    r"or|then|in that case|if so|would that|would it|is it|does it|does that|what of|and with)\b",
    re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|this|that|these|those|they|them|such patients?|this patient|she|he)\b",
                      re.IGNORECASE)
_NUMBER_AFTER = r"(\s*(?:of|=|:|is|was|were|at)?\s*[<>≤≥~]?\s*)\d+(?:[.,]\d+)?\s*%?"


def is_follow_up(question: str, lexicon: Lexicon) -> bool:
    words = question.split()
    if _FOLLOW_UP_START.match(question):
        return True
    return len(words) <= 6 and (bool(_PRONOUN.search(question)) or not lexicon.concepts(question))


def substitute_treatment(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"And for TACE?" after a question on transplant: the same question about TACE."""
    new = [c for c in lexicon.concepts(follow_up) if c in TREATMENTS]
    if not new:
        return None
    norm_prev = lexicon.normalise(previous)
    for m in lexicon.pattern.finditer(norm_prev):
        if lexicon.form_to_group[m.group(1)] in TREATMENTS and lexicon.form_to_group[m.group(1)] != new[0]:
            surface = next(f for f in lexicon.pattern.finditer(lexicon.normalise(follow_up))
                           if lexicon.form_to_group[f.group(1)] == new[0])
            original = follow_up[surface.start():surface.end()] if len(follow_up) == len(
                lexicon.normalise(follow_up)) else surface.group(1)
            return previous[:m.start()] + original + previous[m.end():] if len(previous) == len(
                norm_prev) else norm_prev[:m.start()] + original + norm_prev[m.end():]
    return None


def substitute_value(previous: str, follow_up: str, lexicon: Lexicon) -> str | None:
    """"What if Ki-67 were 12 %?": the previous question with that value replaced."""
    for concept_match in lexicon.pattern.finditer(lexicon.normalise(follow_up)):
        group = lexicon.form_to_group[concept_match.group(1)]
        num = re.search(r"\d+(?:[.,]\d+)?\s*%?", follow_up[concept_match.end():])
        if not num:
            continue
        for m in lexicon.pattern.finditer(lexicon.normalise(previous)):
            if lexicon.form_to_group[m.group(1)] != group:
                continue
            tail = re.match(_NUMBER_AFTER, previous[m.end():])
            if tail:
                at = m.end() + len(tail.group(1))
                end = m.end() + tail.end()
                return previous[:at] + num.group(0).strip() + previous[end:]
    return None


def condense(question: str, history: Sequence[str], lexicon: Lexicon) -> str:
    """The standalone form of `question`, given the previous standalone questions (oldest first)."""
    question = question.strip()
    if not history or not is_follow_up(question, lexicon):
        return question
    previous = history[-1]
    for rewrite in (substitute_value, substitute_treatment):
        out = rewrite(previous, question, lexicon)
        if out:
            return out
    stripped = _FOLLOW_UP_START.sub("", question).strip(" ,?")
    return f"{previous.rstrip(' ?')} — {stripped}?" if stripped else previous
