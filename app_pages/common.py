"""What every page shares: the cached model and Assistant, (re)building the index with a progress bar, and the
index gate (first run builds; stale, corrupt or broken corpus is explained with its fix)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from netlm_rag.config import ModelSettings, Settings
from netlm_rag.errors import NetlmError
from netlm_rag.status import index_status


@st.cache_resource(show_spinner="Loading the embedding model…")
def load_model(model: ModelSettings):
    from netlm_rag.embeddings import load_embedder

    return load_embedder(model)


# Keyed on the build id too: a rebuild from the CLI while the app runs is picked up at the next rerun.
@st.cache_resource(show_spinner="Loading the index…", max_entries=2)
def load_assistant(index_dir: str, corpus_dir: str, build_id: str, model: ModelSettings, check_fresh: bool = True):
    from netlm_rag.adapt import for_index
    from netlm_rag.pipeline import Assistant

    s = Settings.from_env()
    s = replace(s, model=model, paths=replace(s.paths, index=Path(index_dir), corpus=Path(corpus_dir)))
    s = for_index(s)      # the corpus-adapted model this build was embedded with
    return Assistant.load(s, embedder=load_model(s.model), check_fresh=check_fresh)


def rebuild(s: Settings, force: bool = False) -> bool:
    """Build or refresh the index with a progress bar; the summary of what changed goes to session state."""
    from netlm_rag.adapt import prepare_build, prune_models
    from netlm_rag.index import build_index

    bar = st.progress(0.0, text="Preparing: reading and chunking the reviews, loading the model…")

    def adapting(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Adapting the model to the reviews (once per corpus, a few "
                                                          f"minutes): step {done} of {total}")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Embedding passages: {done} of {total}")

    try:
        s = prepare_build(s, adapting)
        report = build_index(s, lambda: load_model(s.model), progress=progress, force=force)
        prune_models(s)
    except NetlmError as exc:
        bar.empty()
        st.error(f"The index could not be built: {exc}")
        return False
    bar.empty()
    load_assistant.clear()
    st.session_state["last_build"] = report.summary()
    return True


def rebuild_button(s: Settings, label: str, force: bool, key: str) -> None:
    if st.button(label, key=key, type="primary", icon=":material/build:"):
        if rebuild(s, force=force):
            st.rerun()


def get_assistant(s: Settings):
    """The Assistant, or None after explaining on the page why not (and offering the fix)."""
    status = index_status(s)
    state = status["state"]
    if state == "missing":
        st.info("No index yet: building it from the corpus now (first run only, a few minutes).")
        if not rebuild(s):
            return None
        status = index_status(s)
        state = status["state"]
    if state == "corpus error":
        st.error(f"The corpus cannot be read: {status.get('problem', '')}. Fix the file named above, "
                 "or restore corpus/manifest.json from git.")
        return None
    if state == "stale" and status.get("usable_while_stale"):
        st.warning(f"The corpus has changed since the index was built ({status.get('problem', '')}). Answers "
                   "still come from the previous index until it is rebuilt; only changed reviews are re-embedded.",
                   icon=":material/update:")
        rebuild_button(s, "Rebuild the index now", force=False, key="rebuild_pending")
    elif state == "stale":
        st.warning(f"The index does not match the corpus or settings ({status.get('problem', '')}). "
                   "Rebuild it before asking questions; only changed reviews are re-embedded.")
        rebuild_button(s, "Rebuild the index now", force=False, key="rebuild_stale")
        return None
    if state == "corrupt":
        st.error(f"The index cannot be read: {status.get('problem', '')}")
        st.caption("Fix: rebuild it from the corpus (button below), or run `netlm-rag build --force`.")
        rebuild_button(s, "Rebuild the index from scratch", force=True, key="rebuild_corrupt")
        return None
    try:
        return load_assistant(str(s.paths.index), str(s.paths.corpus), str(status.get("build_id", "")), s.model,
                              check_fresh=state == "fresh")
    except NetlmError as exc:
        st.error(f"The index cannot be loaded: {exc}")
        rebuild_button(s, "Rebuild the index from scratch", force=True, key="rebuild_failed")
        return None
