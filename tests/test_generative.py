"""The optional generative backend, protocol only (a LangChain fake chat model): citations are required
and verified exactly as for the extractive answerer."""
from __future__ import annotations

from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from netlm_rag.answer import verify_citation
from netlm_rag.lc import chat_from_model

pytestmark = pytest.mark.slow
Q = "What were the PRRT response rates in NETTER-1?"


def with_reply(assistant, reply: str):
    return replace(assistant, chat=chat_from_model(FakeListChatModel(responses=[reply])))


def test_supported_cited_sentences_are_kept_and_verified(assistant):
    hits = assistant.retriever.hybrid(Q, 10)
    n = next(i for i, h in enumerate([h for h in hits[:6] if h.chunk.kind == "prose"], start=1)
             if "18%" in h.chunk.text)
    reply = (f"In NETTER-1 the response rate was 18% with PRRT versus 3% in the control group [{n}]. "
             "PRRT also cures every patient within a week. "
             f"The response rate was 45% [{n}].")
    ans = with_reply(assistant, reply).compose(Q, hits)
    assert not ans.abstained and "18%" in ans.text
    assert "cures every patient" not in ans.text and "45%" not in ans.text
    assert ans.dropped_sentences == 2
    chunks = {h.chunk.id: h.chunk for h in hits}
    assert ans.citations and all(verify_citation(c, chunks, assistant.documents) for c in ans.citations)


def test_not_covered_reply_abstains(assistant):
    ans = with_reply(assistant, "NOT COVERED").compose(Q, assistant.retriever.hybrid(Q, 10))
    assert ans.abstained and not ans.citations


def test_a_question_about_another_disease_never_reaches_the_model(assistant):
    q = "Hepatocellular carcinoma: Milan criteria for transplant?"
    reply = "The Milan criteria require Ki-67 below 10% [1]."
    ans = with_reply(assistant, reply).compose(q, assistant.retriever.hybrid(q, 10))
    assert ans.abstained and not ans.citations and "hepatocellular carcinoma" in ans.abstain_reason


def test_reply_without_any_valid_citation_abstains_and_counts(assistant):
    ans = with_reply(assistant, "PRRT works well [99]. It is safe.").compose(Q, assistant.retriever.hybrid(Q, 10))
    assert ans.abstained and ans.dropped_sentences == 2


def test_prompt_carries_numbered_passages_and_the_rule(assistant):
    seen = {}

    class Spy(FakeListChatModel):
        def invoke(self, messages, *a, **k):
            seen["messages"] = messages
            return super().invoke(messages, *a, **k)

    replace(assistant, chat=chat_from_model(Spy(responses=["NOT COVERED"]))).compose(
        Q, assistant.retriever.hybrid(Q, 10))
    system, human = seen["messages"]
    assert "ONLY the numbered passages" in system.content and "[1]" in human.content and Q in human.content
