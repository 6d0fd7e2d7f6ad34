"""One error family. Every message is one line that names the fix."""
from __future__ import annotations


class NetlmError(Exception):
    """Base class: the CLI prints the message and exits 1 without a traceback."""


class BadInput(NetlmError):
    """A question, vignette value or setting that cannot be used as given."""


class CorpusError(NetlmError):
    """A corpus file or manifest entry that cannot be ingested; nothing was changed."""


class IndexMissing(NetlmError):
    """No index has been built at the configured location."""


class IndexStale(NetlmError):
    """The index was built from another corpus, model or chunking configuration."""


class IndexCorrupt(NetlmError):
    """An index file is truncated, swapped or inconsistent with its manifest."""
