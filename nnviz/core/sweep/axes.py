"""Where a trial's value of a setting sits on a plot axis, for the sweep views.

A parallel-coordinates plot needs every setting on a common 0-to-1 scale, and a scatter needs
a position and tick labels for settings that are names (``adam``) or a short list of numbers.
An axis is made from the :class:`~nnviz.core.sweep.spec.Setting` itself, so it spans the range
the user asked for, not just the values tried so far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nnviz.core.sweep.spec import Setting


@dataclass(frozen=True)
class Axis:
    """One setting (or the metric) on a plot: ``categories`` for a list of values, else a
    numeric range from ``low`` to ``high``, logarithmic when ``log``."""

    label: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    categories: tuple[Any, ...] = ()

    def coordinate(self, value: Any) -> float:
        """``value`` on the plot's own scale: an index, a number, or log10 of one."""
        if self.categories:
            return float(self.categories.index(value))
        return math.log10(value) if self.log else float(value)

    def position(self, value: Any) -> float:
        """``value`` from 0 (the axis's low end) to 1 (its high end)."""
        low, high = self._span()
        if high == low:
            return 0.5
        return (self.coordinate(value) - low) / (high - low)

    def ticks(self) -> list[tuple[float, str]]:
        """Labelled positions (0 to 1) along the axis: every category, or its two ends and
        its middle."""
        if self.categories:
            count = len(self.categories)
            if count == 1:
                return [(0.5, _label(self.categories[0]))]
            return [(i / (count - 1), _label(c)) for i, c in enumerate(self.categories)]
        low, high = self._span()
        if high == low:
            return [(0.5, _label(self.low))]
        middle = (low + high) / 2
        values = [self.low, 10**middle if self.log else middle, self.high]
        return [(0.0, _label(values[0])), (0.5, _label(values[1])), (1.0, _label(values[2]))]

    def _span(self) -> tuple[float, float]:
        if self.categories:
            return 0.0, float(len(self.categories) - 1)
        return self.coordinate(self.low), self.coordinate(self.high)


def setting_axis(setting: Setting) -> Axis:
    """The axis of a swept setting: its list's values in order, or its range."""
    if setting.scale is None:
        values = setting.values
        if all(_is_number(v) for v in values):
            values = tuple(sorted(values))
        return Axis(setting.path, categories=values)
    return Axis(setting.path, setting.low, setting.high, log=setting.scale == "log")


def metric_axis(metric: str, values: Sequence[float | None]) -> Axis:
    """The metric's axis over the finite values so far (0 to 1 when there are none)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return Axis(metric)
    return Axis(metric, min(finite), max(finite))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).lower() if isinstance(value, bool) else str(value)
