"""The colours every panel shares, so a class or a sign looks the same everywhere.

Two classes are TensorFlow Playground's orange (class 0, negative) and blue (class 1,
positive); more classes take a qualitative set of ten. Signed quantities (weights, regression
outputs, neuron activations) use the same orange-grey-blue diverging map with symmetric levels,
so negative is always orange and positive always blue.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette

ORANGE = "#f59322"
BLUE = "#0877bd"
NEUTRAL = "#e8eaeb"

#: One colour per class, for up to ten classes (the first two are the playground's).
CLASS_COLORS = (
    ORANGE, BLUE, "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip

#: One colour per curve (layers, train/test), readable on light and dark backgrounds.
SERIES_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")

#: How far region colours go from neutral towards the class colour, so points stay visible.
REGION_STRENGTH = 0.75


def _rgb(hex_color: str) -> np.ndarray:
    c = QColor(hex_color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float32)


def class_color(index: int) -> QColor:
    """The colour of class ``index`` (wraps after ten classes)."""
    return QColor(CLASS_COLORS[index % len(CLASS_COLORS)])


def series_color(index: int) -> QColor:
    return QColor(SERIES_COLORS[index % len(SERIES_COLORS)])


def diverging_map(strength: float = 1.0) -> pg.ColorMap:
    """Orange (low) through neutral grey to blue (high); ``strength`` < 1 pales the ends."""
    neutral = _rgb(NEUTRAL)
    ends = [neutral + strength * (_rgb(c) - neutral) for c in (ORANGE, BLUE)]
    colors = np.array([ends[0], neutral, ends[1]]).round().astype(np.uint8)
    return pg.ColorMap([0.0, 0.5, 1.0], colors)


def region_colors(n_classes: int) -> np.ndarray:
    """(n_classes, 3) uint8: each class's colour as the decision regions show it at full
    confidence (paled towards neutral so the points on top stand out)."""
    neutral = _rgb(NEUTRAL)
    full = np.array([_rgb(CLASS_COLORS[k % len(CLASS_COLORS)]) for k in range(n_classes)])
    return (neutral + REGION_STRENGTH * (full - neutral)).round().astype(np.uint8)


def class_regions_rgb(probabilities: np.ndarray, discretize: bool) -> np.ndarray:
    """RGB image (h, w, 3) uint8 of several classes: the winning class's colour, shaded from
    neutral (undecided, probability 1/n) to full (certain); discretized, full everywhere."""
    n = probabilities.shape[-1]
    probabilities = np.nan_to_num(probabilities, nan=0.0)  # a diverged network: undecided
    winner = probabilities.argmax(axis=-1)
    palette = region_colors(n)
    if discretize:
        return palette[winner]
    confidence = (probabilities.max(axis=-1) - 1.0 / n) / (1.0 - 1.0 / n)
    confidence = np.clip(confidence, 0.0, 1.0)[..., None].astype(np.float32)
    neutral = _rgb(NEUTRAL)
    rgb = neutral + confidence * (palette[winner].astype(np.float32) - neutral)
    return rgb.round().astype(np.uint8)


def theme_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """Background and foreground for plots, taken from the widget's (light or dark) palette."""
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def apply_theme(view: pg.GraphicsView) -> None:
    """Colour a plot widget's background, axes, titles and legends after its Qt palette."""
    background, foreground = theme_colors(view.palette())
    view.setBackground(background)
    grid = QColor(foreground)
    grid.setAlpha(110)
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setPen(grid)
            item.setTextPen(foreground)
        elif isinstance(item, pg.LegendItem):
            item.setLabelTextColor(foreground)
            item.setBrush(pg.mkBrush(background.red(), background.green(), background.blue(), 200))
        elif isinstance(item, pg.LabelItem):
            item.setText(item.text, color=foreground)
