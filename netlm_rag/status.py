"""Index status for maintainers and the app sidebar: documents, chunks, build time, freshness."""
from __future__ import annotations

from typing import Any

from .adapt import resolve
from .config import Settings
from .corpus import load_corpus
from .errors import NetlmError
from .index import staleness
from .store import current_build_path, read_manifest


# While a maintainer adds or updates reviews and rebuilds, the previous build still answers correctly from
# the reviews it holds, so the app keeps using it (with a notice) until the new build is swapped in. A removed
# review (often a retraction) or changed settings stop answers until the rebuild.
USABLE_STALE = ("new document", "changed document")


def index_status(settings: Settings) -> dict[str, Any]:
    """Never raises: a broken corpus or index is reported in `problem`, with the fix."""
    out: dict[str, Any] = {"corpus": str(settings.paths.corpus), "index": str(settings.paths.index)}
    try:
        docs = load_corpus(settings.paths.corpus)
        out["documents_in_corpus"] = len(docs)
    except NetlmError as exc:
        return {**out, "state": "corpus error", "problem": str(exc)}
    try:
        manifest = read_manifest(current_build_path(settings.paths.index))
    except NetlmError as exc:
        return {**out, "state": "missing" if "no index" in str(exc) else "corrupt", "problem": str(exc)}
    # Judged with the model this build was embedded with: a changed corpus is "new document", not "model changed".
    reasons = staleness(manifest, docs, resolve(settings, manifest.corpus_hash))
    out.update({
        "state": "stale" if reasons else "fresh", "build_id": manifest.build_id, "built_at": manifest.built_at,
        "chunks": manifest.n_chunks, "units": manifest.n_units, "model": manifest.model,
        "documents": {k: v for k, v in manifest.documents.items()},
    })
    if reasons:
        out["problem"] = f"stale: {'; '.join(reasons)} — run: netlm-rag build"
        out["usable_while_stale"] = all(r.startswith(USABLE_STALE) for r in reasons)
    return out
