"""LangChain adapters: the only module that imports langchain. The core never sees LangChain types.

NetlmEmbeddings   LangChain `Embeddings` over any object with `.encode(list[str]) -> np.ndarray`
NetlmRetriever    LangChain `BaseRetriever` over the Assistant's hybrid retrieval
default_store     the "first thing a user writes" baseline: RecursiveCharacterTextSplitter(1000, 200) over the
                  raw texts + langchain_community FAISS with inner product, kept in memory (FAISS.save_local
                  pickles its docstore: never used here)
"""
from __future__ import annotations

import warnings
from typing import Any, Iterable

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from .records import Document

# What a user writes first, straight from the LangChain tutorials.
DEFAULT_CHUNK_SIZE = 1000
DEFAULT_CHUNK_OVERLAP = 200


class NetlmEmbeddings(Embeddings):
    """Wraps an encoder whose rows are already L2-normalised, so inner product = cosine."""

    def __init__(self, encoder: Any):
        self.encoder = encoder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self.encoder.encode(list(texts)), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class NetlmRetriever(BaseRetriever):
    """`retriever.invoke(question)` -> the Assistant's hybrid hits as LangChain Documents."""

    assistant: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=h.chunk.text, id=h.chunk.id, metadata={
                "chunk_id": h.chunk.id, "doc_id": h.chunk.doc_id, "section": h.chunk.section,
                "score": float(h.score), "start": h.chunk.start, "end": h.chunk.end,
            })
            for h in self.assistant.retriever.hybrid(query, self.k)
        ]


def _community():
    # langchain-community warns on import that it is being sunset; the baseline needs it anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_community.vectorstores import FAISS
        from langchain_community.vectorstores.utils import DistanceStrategy
    return FAISS, DistanceStrategy


def split_documents(documents: Iterable[Document]) -> list[LCDocument]:
    """Default splitter over the raw texts; `start_index` is each chunk's raw offset (page_content is
    raw_text[start:start + len(page_content)], checked by the tests)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=DEFAULT_CHUNK_SIZE, chunk_overlap=DEFAULT_CHUNK_OVERLAP,
                                              add_start_index=True)
    docs = list(documents)
    out = splitter.create_documents([d.raw_text for d in docs], metadatas=[{"doc_id": d.id} for d in docs])
    for c in out:
        c.metadata["chunk_id"] = f"lc:{c.metadata['doc_id']}@{c.metadata['start_index']}"
    return out


def default_store(documents: Iterable[Document], encoder: Any):
    """In-memory FAISS store (IndexFlatIP) over the default split."""
    FAISS, DistanceStrategy = _community()
    return FAISS.from_documents(split_documents(documents), NetlmEmbeddings(encoder),
                                distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)


def search(store: Any, question: str, k: int) -> list[dict[str, Any]]:
    """similarity_search with scores, as plain dicts with raw offsets (the evaluation's common shape)."""
    out = []
    for doc, score in store.similarity_search_with_score(question, k=k):
        start = int(doc.metadata["start_index"])
        out.append({"chunk_id": doc.metadata["chunk_id"], "doc_id": doc.metadata["doc_id"], "start": start,
                    "end": start + len(doc.page_content), "text": doc.page_content, "score": float(score)})
    return out


# --- optional generative backend ------------------------------------------------------------------------

def chat_from_model(model: Any):
    """Wrap any LangChain chat model as the plain function netlm_rag.grounded expects:
    [(role, text), ...] -> reply text. Verification of the reply happens in grounded.py, not here."""
    from langchain_core.messages import HumanMessage, SystemMessage

    def chat(messages: list[tuple[str, str]]) -> str:
        lc_messages = [SystemMessage(content=t) if role == "system" else HumanMessage(content=t)
                       for role, t in messages]
        reply = model.invoke(lc_messages)
        return reply.content if isinstance(reply.content, str) else str(reply.content)
    return chat


def chat_function(settings: Any):
    """The chat model named by the settings (NETLM_BACKEND=langchain, NETLM_LLM_MODEL, NETLM_LLM_BASE_URL):
    an OpenAI-compatible server when a base URL is given, else a local Ollama. Neither client ships with
    netlm-rag; the error says what to install."""
    from .errors import BadInput

    cfg = settings.answer
    if not cfg.llm_model:
        raise BadInput("NETLM_BACKEND=langchain needs NETLM_LLM_MODEL (e.g. llama3.1:8b)")
    try:
        if cfg.llm_base_url:
            from langchain_openai import ChatOpenAI
            return chat_from_model(ChatOpenAI(model=cfg.llm_model, base_url=cfg.llm_base_url, temperature=0))
        from langchain_ollama import ChatOllama
        return chat_from_model(ChatOllama(model=cfg.llm_model, temperature=0))
    except ImportError as exc:
        raise BadInput(f"the generative backend needs {exc.name}: pip install langchain-openai or "
                       "langchain-ollama") from exc
