"""Shared fixtures: the real bundled model once per session, isolated NETLM_* dirs, no network."""
from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Nothing a test does touches the repository's index/ or data/."""
    monkeypatch.setenv("NETLM_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("NETLM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    # Tests embed with the plain bundled model (one load per session); test_adapt and the eval gate cover the
    # corpus-adapted model that builds use by default.
    monkeypatch.setenv("NETLM_ADAPT", "0")


@pytest.fixture(autouse=True)
def no_network(monkeypatch, request):
    """Any connection to a non-loopback address fails the test (the product must run offline)."""
    if request.node.get_closest_marker("browser"):
        return
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "localhost", "::1") and not str(host).startswith("/"):
            raise RuntimeError(f"test tried to reach the network: {address}")
        return real(self, address)
    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def embedder():
    from netlm_rag.config import ModelSettings
    from netlm_rag.embeddings import load_embedder

    return load_embedder(ModelSettings())


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", dst)
    return dst


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embedder):
    """The real corpus indexed once per session with the real model (~30 s)."""
    from dataclasses import replace

    from netlm_rag.config import Settings
    from netlm_rag.index import build_index

    base = tmp_path_factory.mktemp("built")
    s = Settings().with_overrides(adapt={"enabled": False})
    s = replace(s, paths=replace(s.paths, corpus=ROOT / "corpus", index=base / "index", data=base / "data"))
    build_index(s, lambda: embedder)
    return s


@pytest.fixture(scope="session")
def assistant(built_index, embedder):
    from netlm_rag.pipeline import Assistant

    return Assistant.load(built_index, embedder=embedder)


@pytest.fixture(scope="session")
def adapted_assistant(tmp_path_factory):
    """The default system: the real corpus, the model adapted to it (trained once per session, 1-4 min on two
    cores), the index embedded with that model. The eval gate measures this."""
    from dataclasses import replace

    from netlm_rag.adapt import prepare_build
    from netlm_rag.config import Settings
    from netlm_rag.embeddings import load_embedder
    from netlm_rag.index import build_index
    from netlm_rag.pipeline import Assistant

    base = tmp_path_factory.mktemp("adapted")
    s = Settings()
    s = replace(s, paths=replace(s.paths, corpus=ROOT / "corpus", index=base / "index", data=base / "data"))
    s = prepare_build(s)
    assert s.model.adapted, "adaptation is on by default"
    embedder = load_embedder(s.model)
    build_index(s, lambda: embedder)
    return Assistant.load(s, embedder=embedder)
