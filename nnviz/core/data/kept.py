"""The data sets a process has read, kept so that no file is parsed twice.

The window's process keeps the latest few data sets in memory (going back with Undo finds
them there), the last CSV table it parsed (a change of label or columns then needs no new
parse) and each CSV file's summary (the Data tab's columns and bad cells, also kept as a
note in the disk cache: a design opened again parses nothing). Every data set read
from a file is also written to the disk cache (:mod:`nnviz.core.data.cache`) and used from
there, memory-mapped: the training process opens the same entry instead of receiving the
arrays or parsing the file again, and the next time the design is opened nothing is parsed.

It knows nothing of Qt and is safe to use from a worker thread: reading happens outside the
lock, only the bookkeeping inside it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from nnviz.core.data import cache
from nnviz.core.data.csv_files import CsvSummary, summarize
from nnviz.core.data.csv_table import Table, csv_path, read_table
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.loader import load_dataset
from nnviz.core.design import DatasetSpec

Progress = Callable[[float], None]
#: How many data sets stay in memory (the current one and a few to go back to with Undo).
KEPT_DATASETS = 4
#: Of a load's progress, the share that parsing stands for (writing the cache is the rest).
PARSE_SHARE = 0.85


class KeptData:
    """Data sets by (spec, base folder): read once, kept, and cached on disk."""

    def __init__(self, keep: int = KEPT_DATASETS) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._datasets: OrderedDict[tuple, tuple[Dataset | str, cache.CachedData | None]] = (
            OrderedDict()
        )
        self._table: tuple[tuple, Table] | None = None  # (file identity, the last CSV parsed)
        self._summaries: dict[tuple, CsvSummary | str] = {}  # by file identity; str: why not
        self.parses = 0  # files this process began to parse (what the cache spares shows here)

    # --- without reading ----------------------------------------------------------------------

    def is_ready(self, spec: DatasetSpec, base_dir=None) -> bool:
        """Whether :meth:`get` answers without parsing a file (kept, cached on disk, generated
        data, or a file that is not there: that says so at once)."""
        if cache.source_files(spec, base_dir) is None:
            return True
        with self._lock:
            if (spec, base_dir) in self._datasets:
                return True
        return cache.find(cache.data_key(spec, base_dir)) is not None

    def peek(self, spec: DatasetSpec, base_dir=None) -> Dataset | None:
        """The data set if it is in memory, else None (never reads)."""
        with self._lock:
            found = self._datasets.get((spec, base_dir))
        return found[0] if found is not None and not isinstance(found[0], str) else None

    def entry(self, spec: DatasetSpec, base_dir=None) -> cache.CachedData | None:
        """The disk cache entry the data set in memory comes from (what the training process
        opens), or None."""
        with self._lock:
            found = self._datasets.get((spec, base_dir))
        return found[1] if found is not None else None

    # --- reading ------------------------------------------------------------------------------

    def get(self, spec: DatasetSpec, base_dir=None, progress: Progress | None = None) -> Dataset:
        """The data ``spec`` names, read if need be; DatasetError says why it cannot be.

        ``progress`` hears the share done while a file is read; it may raise to cancel.
        """
        key = (spec, base_dir)
        with self._lock:
            found = self._datasets.get(key)
            if found is not None:
                self._datasets.move_to_end(key)
        if found is None:
            try:
                found = self._read(spec, base_dir, progress)
            except (DatasetError, OSError) as error:
                found = (str(error), None)
            with self._lock:
                self._datasets[key] = found
                while len(self._datasets) > self._keep:
                    self._datasets.popitem(last=False)
        if isinstance(found[0], str):
            raise DatasetError(found[0])
        return found[0]

    def summary(self, path, base_dir=None, progress: Progress | None = None) -> CsvSummary:
        """The Data tab's view of a CSV file: kept, cached, or parsed now (and kept)."""
        file = csv_path(path, base_dir)
        identity = _identity(file)
        with self._lock:
            found = self._summaries.get(identity)
        if found is None:
            note = cache.read_note(identity)
            if note is not None and "csv" in note:
                found = CsvSummary.from_json(note["csv"])
            else:
                try:
                    found = summarize(self._parsed(file, progress))
                    cache.write_note(identity, {"csv": found.to_json()})
                except DatasetError as error:
                    found = str(error)  # kept too: asking again answers at once
            with self._lock:
                self._summaries[identity] = found
        if isinstance(found, str):
            raise DatasetError(found)
        return found

    def _read(self, spec: DatasetSpec, base_dir, progress: Progress | None):
        """(data set, cache entry): from the disk cache, else parsed and then cached."""
        key = cache.data_key(spec, base_dir)
        entry = cache.find(key)
        if entry is not None:
            try:
                return entry.open(), entry
            except DatasetError:
                pass  # a damaged entry: parse the file again
        parse = None if progress is None else (lambda share: progress(share * PARSE_SHARE))
        if key is not None and spec.name != "csv":
            with self._lock:
                self.parses += 1
        dataset = load_dataset(
            spec,
            base_dir=base_dir,
            progress=parse,
            read_csv=lambda file: self._parsed(file, parse),
        )
        if key is None:
            return dataset, None
        if spec.name == "csv":
            self.summary(spec.path, base_dir)  # of the table just parsed: the Data tab's view
        try:
            entry = cache.store(key, dataset)
            dataset = entry.open()  # the pages both processes share, not a private copy
        except (OSError, DatasetError):
            return dataset, None  # no room for the cache: the arrays travel to training
        if progress is not None:
            progress(1.0)
        return dataset, entry

    def _parsed(self, file: Path, progress: Progress | None) -> Table:
        """The table in the CSV ``file``: the last one parsed if it is the same file."""
        identity = _identity(file)
        with self._lock:
            if self._table is not None and self._table[0] == identity:
                return self._table[1]
        with self._lock:
            self.parses += 1
        table = read_table(file, progress)
        with self._lock:
            self._table = (identity, table)
        return table


def _identity(file: Path) -> tuple:
    """A file as the kept tables and summaries know it: a changed file is another one."""
    try:
        stat = file.stat()
    except OSError as error:
        if isinstance(error, FileNotFoundError):
            raise DatasetError(f"{file}: no such file") from None
        raise DatasetError(f"cannot read {file}: {error.strerror or error}") from None
    return (str(file.resolve()), stat.st_size, stat.st_mtime_ns)


#: The window's kept data (the training process has its own, for data the window did not send).
KEPT = KeptData()
