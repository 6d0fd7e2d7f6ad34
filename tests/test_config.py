from pathlib import Path

import pytest

from netlm_rag.config import Settings
from netlm_rag.errors import BadInput


def test_env_overrides_paths_without_touching_os_environ():
    s = Settings.from_env({"NETLM_CORPUS_DIR": "/c", "NETLM_INDEX_DIR": "/i", "NETLM_DATA_DIR": "/d"})
    assert s.paths.corpus == Path("/c") and s.paths.index == Path("/i") and s.paths.data == Path("/d")


def test_defaults_and_privacy_switch():
    assert Settings.from_env({}).audit.store_question_text
    assert not Settings.from_env({"NETLM_STORE_QUESTIONS": "0"}).audit.store_question_text


def test_with_overrides_validates_names():
    assert Settings().with_overrides(retrieval={"k": 5}).retrieval.k == 5
    with pytest.raises(BadInput, match="valid"):
        Settings().with_overrides(retrieval={"kk": 5})
    with pytest.raises(BadInput):
        Settings().with_overrides(nope={})
