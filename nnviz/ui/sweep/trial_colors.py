"""One colour rule for every sweep view: the better a trial's metric, the brighter (viridis);
a trial without a value (failed, diverged to NaN, stopped) is grey."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor

from nnviz.core.sweep.plan import METRICS, TrialResult

COLORMAP = pg.colormap.get("viridis")
NO_VALUE = QColor(150, 150, 150, 160)


def trial_colors(results: Sequence[TrialResult], metric: str) -> dict[int, QColor]:
    """Each trial's colour by its number."""
    values = [r.value for r in results if r.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    colors = {}
    for result in results:
        if result.value is None:
            colors[result.number] = NO_VALUE
            continue
        share = 0.5 if high == low else (result.value - low) / (high - low)
        if METRICS.get(metric) == "minimize":
            share = 1.0 - share
        colors[result.number] = COLORMAP.map(0.1 + 0.85 * share, mode="qcolor")
    return colors
