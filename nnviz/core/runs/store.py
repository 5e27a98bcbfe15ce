"""The kept runs in a SQLite database (stdlib :mod:`sqlite3`): ``runs.db`` in the data folder.

One row a run: its figures in columns, the design as a design file's JSON, the arrays (curves,
regions picture) as an ``.npz`` blob read with ``allow_pickle=False``. Nothing is pickled, so a
tampered database can say it is broken but never run code. Each write is its own transaction:
a crash loses at most the run being written.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sqlite3
import time
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from nnviz.core.files.design_file import design_from_dict, dumps_design
from nnviz.core.files.user_data import user_data_dir
from nnviz.core.runs.entry import HISTORY_COLUMNS, RunEntry

FILE_NAME = "runs.db"
#: ``PRAGMA user_version`` of the table layout below; a newer one is refused, not guessed at.
SCHEMA_VERSION = 1
#: Seconds a write waits for another nnviz (a second window, a sweep) holding the file.
BUSY_TIMEOUT = 2.0
_COLUMNS = (
    "started", "source", "label", "status", "message", "epochs", "seconds", "task",
    "design", "final", "best", "arrays",
)  # fmt: skip
_CREATE = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL, source TEXT NOT NULL, label TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL, epochs INTEGER NOT NULL, seconds REAL NOT NULL, task TEXT NOT NULL,
    design TEXT NOT NULL, final TEXT NOT NULL, best TEXT NOT NULL, arrays BLOB NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


class RunStoreError(RuntimeError):
    """The runs database cannot be opened, read or written; the message says which and why."""


def default_path() -> Path:
    return user_data_dir() / FILE_NAME


class RunStore:
    """Add, update, list and delete runs in one SQLite file (``None``: in memory only)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        #: Rows that could not be read by the latest :meth:`runs`, each a sentence.
        self.problems: list[str] = []
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                ":memory:" if self.path is None else self.path, timeout=BUSY_TIMEOUT
            )
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._db.close()
                raise RunStoreError(
                    f"{self.path} was written by a newer nnviz (layout {version}); "
                    "update nnviz to see those runs"
                )
            if self.path is not None:
                # A write-ahead log, synced at its checkpoints rather than at every commit:
                # the window writes a run at its first frame and now and then while it
                # trains, in the GUI thread (a commit 1.3 ms instead of 2.4, at most 2.7
                # instead of 16 on an idle disk). The file stays consistent if power fails;
                # the last commits may be lost.
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_CREATE)
        except (sqlite3.Error, OSError) as error:
            raise RunStoreError(f"{self.where} cannot be opened: {error}") from None

    @property
    def where(self) -> str:
        return "the runs database (in memory)" if self.path is None else str(self.path)

    def close(self) -> None:
        self._db.close()

    # --- writing ------------------------------------------------------------------------------

    def add(self, entry: RunEntry) -> RunEntry:
        """Store a new run; the entry back with its ``id`` (a new one, unless it had one)."""
        names, values = ("id", *_COLUMNS), (entry.id, *_row(entry))
        marks = ", ".join("?" * len(names))
        with self._writing("store the run"):
            cursor = self._db.execute(
                f"INSERT INTO runs ({', '.join(names)}) VALUES ({marks})", values
            )
        return replace(entry, id=cursor.lastrowid)

    def update(self, entry: RunEntry) -> None:
        """Write ``entry`` over the stored run with its ``id``."""
        if entry.id is None:
            raise ValueError("only a stored run (one with an id) can be updated")
        sets = ", ".join(f"{name} = ?" for name in _COLUMNS)
        with self._writing(f"save run {entry.id}"):
            self._db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*_row(entry), entry.id))

    def delete(self, ids: Iterable[int]) -> None:
        ids = [(int(i),) for i in ids]
        with self._writing("delete the runs"):
            self._db.executemany("DELETE FROM runs WHERE id = ?", ids)

    def _writing(self, what: str):
        return _Transaction(self._db, f"Cannot {what} in {self.where}")

    # --- reading ------------------------------------------------------------------------------

    def runs(self) -> list[RunEntry]:
        """Every readable run, oldest first; rows that cannot be read are named in
        :attr:`problems` (and left in the file, in case a newer nnviz reads them)."""
        self.problems = []
        entries = []
        for row in self._select("ORDER BY id"):
            try:
                entries.append(_entry(row))
            except _UNREADABLE as error:
                self.problems.append(f"run {row[0]} cannot be read: {error}")
        return entries

    def get(self, run_id: int) -> RunEntry | None:
        """The stored run ``run_id``; None if there is none (``RunStoreError`` if unreadable)."""
        rows = self._select("WHERE id = ?", (int(run_id),))
        try:
            return _entry(rows[0]) if rows else None
        except _UNREADABLE as error:
            raise RunStoreError(f"run {run_id} cannot be read: {error}") from None

    def _select(self, clause: str, parameters: tuple = ()) -> list[tuple]:
        query = f"SELECT id, {', '.join(_COLUMNS)} FROM runs {clause}"
        try:
            return self._db.execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            raise RunStoreError(f"{self.where} cannot be read: {error}") from None


#: What a hand-edited or damaged row raises while it is read.
_UNREADABLE = (ValueError, TypeError, KeyError, EOFError, OSError, zipfile.BadZipFile)


class _Transaction:
    """``with``: commit, or roll back and raise :class:`RunStoreError` with ``message``."""

    def __init__(self, db: sqlite3.Connection, message: str) -> None:
        self.db, self.message = db, message

    def __enter__(self):
        return self.db

    def __exit__(self, kind, error, trace) -> bool:
        if error is None:
            try:
                self.db.commit()
                return False
            except sqlite3.Error as commit_error:
                error = commit_error
        if isinstance(error, sqlite3.Error):
            with contextlib.suppress(sqlite3.Error):
                self.db.rollback()
            raise RunStoreError(f"{self.message}: {error}") from None
        return False


def open_store(path: str | Path | None = None) -> tuple[RunStore, str]:
    """The runs database at ``path`` (default: in the user's data folder), and what the user
    should hear about it ("" when all is well).

    A file that is not a database is moved aside (renamed, never deleted) and a new one made;
    one that cannot be opened (locked, unreadable, from a newer nnviz) leaves the runs of this
    session in memory. Either way the app goes on.
    """
    path = default_path() if path is None else Path(path)
    try:
        store = RunStore(path)
        store.runs()  # a damaged file shows itself on the first read
        return store, ""
    except RunStoreError as error:
        problem = str(error)
    if path.is_file() and ("not a database" in problem or "malformed" in problem):
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.rename(aside)
            return RunStore(path), f"{problem}; it was renamed {aside.name} and a new one made"
        except (OSError, RunStoreError):
            pass
    return RunStore(None), f"{problem}; the runs of this session will not be saved"


# --- rows -------------------------------------------------------------------------------------


def _row(entry: RunEntry) -> tuple:
    return (
        float(entry.started),
        entry.source,
        entry.label,
        entry.status,
        entry.message,
        int(entry.epochs),
        float(entry.seconds),
        entry.task,
        dumps_design(entry.design),
        _figures_json(entry.final),
        _figures_json(entry.best),
        _arrays_blob(entry),
    )


def _entry(row: tuple) -> RunEntry:
    run_id, started, source, label, status, message, epochs, seconds, task = row[:9]
    design_text, final, best, blob = row[9:]
    arrays = _arrays(blob)
    extent = arrays.get("extent")
    return RunEntry(
        id=int(run_id),
        design=design_from_dict(json.loads(design_text)),
        started=float(started),
        source=str(source),
        label=str(label),
        status=str(status),
        message=str(message),
        epochs=int(epochs),
        seconds=float(seconds),
        task=str(task),
        final=_figures(final),
        best=_figures(best),
        history={name: arrays[name] for name in HISTORY_COLUMNS if name in arrays},
        regions=arrays.get("regions"),
        extent=None if extent is None else tuple(float(v) for v in extent),
        curve=arrays.get("curve"),
    )


def _figures_json(figures) -> str:
    """JSON has no NaN: a figure that is not finite is stored as null."""
    return json.dumps({k: (v if math.isfinite(v) else None) for k, v in figures.items()})


def _figures(text: str) -> dict[str, float]:
    figures = json.loads(text)
    if not isinstance(figures, dict):
        raise ValueError("its figures are not a JSON object")
    return {str(k): math.nan if v is None else float(v) for k, v in figures.items()}


def _arrays_blob(entry: RunEntry) -> bytes:
    arrays = {name: np.asarray(values, np.float64) for name, values in entry.history.items()}
    if entry.regions is not None:
        arrays["regions"] = np.asarray(entry.regions, np.uint8)
    if entry.extent is not None:
        arrays["extent"] = np.asarray(entry.extent, np.float64)
    if entry.curve is not None:
        arrays["curve"] = np.asarray(entry.curve, np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of a row, checked for the shapes a run's arrays have."""
    with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    lengths = {len(arrays[name]) for name in HISTORY_COLUMNS if name in arrays}
    if len(lengths) > 1 or any(arrays[n].ndim != 1 for n in HISTORY_COLUMNS if n in arrays):
        raise ValueError("its curves are not columns of one length")
    regions = arrays.get("regions")
    if regions is not None and (regions.ndim != 3 or regions.shape[2] != 3):
        raise ValueError("its regions picture is not an RGB image")
    if "extent" in arrays and arrays["extent"].shape != (4,):
        raise ValueError("its regions extent is not four numbers")
    curve = arrays.get("curve")
    if curve is not None and (curve.ndim != 2 or curve.shape[0] != 2):
        raise ValueError("its prediction curve is not two rows")
    return arrays
