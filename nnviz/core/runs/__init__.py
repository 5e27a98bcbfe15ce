"""The runs a user has trained, kept to compare: a record of each and a SQLite store of them."""

from nnviz.core.runs.compare import differing_settings, setting, setting_text
from nnviz.core.runs.entry import FORK, SWEEP, WINDOW, RunEntry, summarise, thin_history
from nnviz.core.runs.store import RunStore, RunStoreError, open_store

__all__ = [
    "FORK",
    "SWEEP",
    "WINDOW",
    "RunEntry",
    "RunStore",
    "RunStoreError",
    "differing_settings",
    "open_store",
    "setting",
    "setting_text",
    "summarise",
    "thin_history",
]
