"""One kept run, as the Runs panel lists and compares it: its design, how it went, its curves.

A :class:`RunEntry` is made by whatever ran the training (the window, a sweep's trial, a fork)
and kept by :class:`~nnviz.core.runs.store.RunStore`. The figures are named as the sweeps name
their metrics (``test_loss``, ``test_accuracy``, ``test_r2``...), so a sweep's trial figures go
in as they are.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.design import Design
from nnviz.core.nn.network import CLASSIFICATION

#: Where a run came from.
WINDOW, SWEEP, FORK = "window", "sweep", "fork"
#: The history's columns, as :meth:`MetricsHistory.columns` names them.
HISTORY_COLUMNS = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")
#: A kept history has at most this many points (enough to draw its curves; every epoch of a
#: long run would cost megabytes a run in the database).
HISTORY_POINTS = 2000
#: Which way is better for each figure a run can have.
LOWER_IS_BETTER = {
    "train_loss": True,
    "test_loss": True,
    "train_accuracy": False,
    "test_accuracy": False,
    "train_r2": False,
    "test_r2": False,
    "train_rmse": True,
    "test_rmse": True,
}


@dataclass(frozen=True, eq=False)
class RunEntry:
    """A run: what was trained, how it went and what it looked like at the end.

    ``final``/``best`` map figure names (:data:`LOWER_IS_BETTER`'s) to values (NaN where a
    run diverged); ``history`` maps :data:`HISTORY_COLUMNS` to equally long float64 arrays
    (empty for a run that kept none, like a sweep's trial). ``regions`` is the decision regions
    at the end as an RGB image (h, w, 3) uint8 over ``extent`` (x0, x1, y0, y1), row 0 at y0;
    ``curve`` the prediction of a 1D regression instead, shape (2, n): x and output.
    ``id`` is the store's, None until stored.
    """

    design: Design
    started: float = field(default_factory=time.time)  # seconds since the epoch
    source: str = WINDOW
    label: str = ""  # what the source says of it: "trial 3 of lr-study", "fork of run 2 at 40"
    status: str = "running"  # a trainer Status, or "paused", "stopped", "error"
    message: str = ""
    epochs: int = 0
    seconds: float = 0.0  # time spent training
    task: str = CLASSIFICATION
    final: Mapping[str, float] = field(default_factory=dict)
    best: Mapping[str, float] = field(default_factory=dict)
    history: Mapping[str, np.ndarray] = field(default_factory=dict)
    regions: np.ndarray | None = None
    extent: tuple[float, float, float, float] | None = None
    curve: np.ndarray | None = None
    id: int | None = None


def metric_name(task: str) -> str:
    """What ``train_metric``/``test_metric`` are for ``task``: accuracy or R²."""
    return "accuracy" if task == CLASSIFICATION else "r2"


def summarise(table: np.ndarray, task: str) -> tuple[dict[str, float], dict[str, float]]:
    """The final and best figures of a history ``table`` with :data:`HISTORY_COLUMNS`.

    Best is over the epochs where the figure is finite (NaN when it never was)."""
    metric = metric_name(task)
    names = ("train_loss", "test_loss", f"train_{metric}", f"test_{metric}")
    final: dict[str, float] = {}
    best: dict[str, float] = {}
    if len(table) == 0:
        return final, best
    for column, name in enumerate(names, start=1):
        values = table[:, column]
        final[name] = float(values[-1])
        finite = values[np.isfinite(values)]
        pick = np.min if LOWER_IS_BETTER[name] else np.max
        best[name] = float(pick(finite)) if len(finite) else math.nan
    return final, best


def thin_history(table: np.ndarray, points: int = HISTORY_POINTS) -> dict[str, np.ndarray]:
    """At most ``points`` evenly spread rows of ``table`` (the first and last kept), by column."""
    if len(table) > points:
        table = table[np.unique(np.linspace(0, len(table) - 1, points).round().astype(int))]
    return {name: np.ascontiguousarray(table[:, i]) for i, name in enumerate(HISTORY_COLUMNS)}


def is_better(name: str, value: float, other: float) -> bool:
    """Whether ``value`` of figure ``name`` beats ``other`` (NaN beats nothing)."""
    if not math.isfinite(value):
        return False
    if not math.isfinite(other):
        return True
    return value < other if LOWER_IS_BETTER.get(name, True) else value > other
