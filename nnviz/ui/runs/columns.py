"""The Runs table's columns: how a run reads in each cell and how the column sorts it.

The settings columns are the schema paths whose values differ between the runs listed
(:func:`~nnviz.core.runs.differing_settings`); the rest are always there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nnviz.core.nn.network import CLASSIFICATION
from nnviz.core.runs import RunEntry, differing_settings, setting, setting_text
from nnviz.core.schema import UnknownPath, field
from nnviz.core.sweep.spec import LAYER_COUNT

STATUS_TEXT = {"early_stopped": "stopped early"}


@dataclass(frozen=True)
class Column:
    """A column: its header and tooltip, a run's text in it, and the key it sorts by."""

    header: str
    tooltip: str
    text: Callable[[RunEntry], str]
    key: Callable[[RunEntry], Any]


def columns(entries: Sequence[RunEntry]) -> list[Column]:
    """The columns for listing ``entries``: the run, its settings that differ, then its figures."""
    tasks = {entry.task for entry in entries}
    metric = "accuracy" if tasks <= {CLASSIFICATION} else "R²" if len(tasks) == 1 else "acc. / R²"
    settings = differing_settings([entry.design for entry in entries])
    return [
        Column("run", "The run's number (its colour in the plots)", lambda e: str(e.id),
               lambda e: e.id),
        Column("from", "Where the run came from: the window, a sweep's trial or a fork",
               _source, _source),
        *(_setting_column(path) for path in settings),
        Column("status", "How the run ended, or that it goes on", _status, _status),
        Column("epochs", "Epochs trained", lambda e: str(e.epochs), lambda e: e.epochs),
        Column("time", "Time spent training", lambda e: _duration(e.seconds),
               lambda e: e.seconds),
        _figure("test loss", "The test loss at the end", "final", "test_loss"),
        _figure("best test loss", "The lowest test loss of the run", "best", "test_loss"),
        _figure(f"test {metric}", f"The test {metric} at the end", "final", "test_metric"),
        _figure(f"best test {metric}", f"The best test {metric} of the run", "best",
                "test_metric"),
        _figure("train loss", "The training loss at the end", "final", "train_loss"),
        Column("started", "When the run started", lambda e: _when(e.started),
               lambda e: e.started),
    ]  # fmt: skip


def _setting_column(path: str) -> Column:
    if path == LAYER_COUNT:
        tooltip = "The number of hidden layers"
    else:
        try:
            tooltip = f"{path}: {field(path).help}"
        except UnknownPath:
            tooltip = path
    return Column(
        path,
        tooltip,
        lambda e: setting_text(setting(e.design, path)),
        lambda e: _sort_key(setting(e.design, path)),
    )


def _sort_key(value: Any) -> tuple:
    """Numbers before text, each in its own order (a missing layer sorts as text)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, setting_text(value))


def _figure(header: str, tooltip: str, which: str, name: str) -> Column:
    def value(entry: RunEntry) -> float:
        figures = entry.final if which == "final" else entry.best
        if name.endswith("_metric"):
            split = name.split("_")[0]
            metric = "accuracy" if entry.task == CLASSIFICATION else "r2"
            return figures.get(f"{split}_{metric}", math.nan)
        return figures.get(name, math.nan)

    def text(entry: RunEntry) -> str:
        number = value(entry)
        if not math.isfinite(number):
            return "—" if math.isnan(number) else "∞"
        if name.endswith("_metric") and entry.task == CLASSIFICATION:
            return f"{100 * number:.1f} %"
        return f"{number:.4g}" if name.endswith("_loss") else f"{number:.3f}"

    def key(entry: RunEntry) -> float:
        number = value(entry)
        return number if math.isfinite(number) else math.inf  # no figure: last

    return Column(header, tooltip, text, key)


def _source(entry: RunEntry) -> str:
    return entry.label or entry.source


def _status(entry: RunEntry) -> str:
    return STATUS_TEXT.get(entry.status, entry.status)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _when(started: float) -> str:
    moment = time.localtime(started)
    if time.strftime("%Y%m%d", moment) == time.strftime("%Y%m%d"):
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%d %b %Y %H:%M", moment)
