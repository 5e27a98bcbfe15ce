"""A run's record in the window: every history row, kept compactly however long the run.

Frames bring rows; the session keeps them here for the curves, the Runs dock and exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields

import numpy as np

from nnviz.core.run.snapshot import EpochMetrics

#: The fields of EpochMetrics that hold a figure per layer or per class.
_TUPLE_FIELDS = ("grad_norms", "dead_fraction", "train_recall", "test_recall")


class MetricsHistory(Sequence):
    """Every :class:`EpochMetrics` of a run, kept as rows of one float64 array.

    A list of dataclass instances costs about 800 bytes an epoch, 80 MB over a 100,000-epoch
    run; this costs 8 bytes a figure (about 120 bytes an epoch, plus 16 a class). It reads
    like a list: ``len``, indexing, slicing and iteration give back :class:`EpochMetrics`.
    """

    _TUPLES = _TUPLE_FIELDS
    _SCALARS = tuple(f.name for f in fields(EpochMetrics) if f.name not in _TUPLE_FIELDS)

    def __init__(self, rows: Iterable[EpochMetrics] = ()) -> None:
        self._table = np.empty((0, 0))
        self._size = 0
        self._lengths = (0,) * len(self._TUPLES)  # of each tuple field, the same every row
        self.extend(rows)

    def extend(self, rows: Iterable[EpochMetrics]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self._size == 0:
            self._lengths = tuple(len(getattr(rows[0], name)) for name in self._TUPLES)
            width = len(self._SCALARS) + sum(self._lengths)
            self._table = np.empty((max(64, len(rows)), width))
        needed = self._size + len(rows)
        if needed > len(self._table):
            grown = np.empty((max(needed, 2 * len(self._table)), self._table.shape[1]))
            grown[: self._size] = self._table[: self._size]
            self._table = grown
        self._table[self._size : needed] = [
            [
                *(getattr(row, name) for name in self._SCALARS),
                *(value for name in self._TUPLES for value in getattr(row, name)),
            ]
            for row in rows
        ]
        self._size = needed

    def append(self, row: EpochMetrics) -> None:
        self.extend((row,))

    def column(self, name: str) -> np.ndarray:
        """A copy of one figure (a scalar field of :class:`EpochMetrics`) over every row,
        for curves: no row objects made."""
        return self._table[: self._size, self._SCALARS.index(name)].copy()

    def columns(self, *names: str) -> np.ndarray:
        """A fresh (len, len(names)) float64 array of the named scalar figures (``"epoch"``,
        ``"test_loss"``...), without making a row object per epoch."""
        picked = [self._SCALARS.index(name) for name in names]
        if self._size == 0:
            return np.empty((0, len(names)))
        return self._table[: self._size, picked].copy()

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("history index out of range")
        return self._row(index)

    def _row(self, index: int) -> EpochMetrics:
        values = self._table[index].tolist()
        start = len(self._SCALARS)
        scalars = dict(zip(self._SCALARS, values[:start], strict=True))
        scalars["epoch"], scalars["step"] = int(scalars["epoch"]), int(scalars["step"])
        tuples = {}
        for name, length in zip(self._TUPLES, self._lengths, strict=True):
            tuples[name] = tuple(values[start : start + length])
            start += length
        return EpochMetrics(**scalars, **tuples)
