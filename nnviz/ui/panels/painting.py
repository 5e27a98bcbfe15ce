"""Painting points on the decision-regions plane: the tools, the mouse, the painted points.

With *Paint* on, a click adds a point of the chosen class (or value, for regression; on a 1D
regression the point's height is its target), a drag
sprays points with the brush, a right-click or Ctrl-click removes the nearest point. Each
stroke is one proposal of the design's new points (``sigEdit``), which the window makes one
undo step; painting on a built-in 2D set makes its points the learner's own. The points are
drawn from the design, so they show at once, before (and without) a run that trains on them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from nnviz.core.data.catalog import CATALOG, LINE_EXTENT, PLAYGROUND_EXTENT
from nnviz.core.data.painted import MAX_CLASSES, MAX_POINTS, n_classes, split_mask
from nnviz.core.design import DATASETS_1D, PAINTED_LINE, DatasetSpec
from nnviz.ui.panels.colors import class_color, diverging_map, series_color

#: Painted points are made of rounded coordinates (a file stays short and readable).
DECIMALS = 3
#: The targets one may paint on a 1D regression's plane.
TARGET_RANGE = (-10.0, 10.0)


def class_icon(index: int) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(class_color(index))
    return QIcon(pixmap)


class PaintViewBox(pg.ViewBox):
    """A view box that hands mouse clicks and drags to a :class:`Painter` while painting."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.painter: Painter | None = None

    def _painting(self) -> bool:
        return self.painter is not None and self.painter.active

    def mouseClickEvent(self, ev) -> None:
        if not self._painting():
            super().mouseClickEvent(ev)
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ev.button() == Qt.MouseButton.RightButton or ctrl:
            self.painter.remove_nearest(point.x(), point.y())
        elif ev.button() == Qt.MouseButton.LeftButton:
            self.painter.add_point(point.x(), point.y())

    def mouseDragEvent(self, ev, axis=None) -> None:
        if not self._painting() or ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        if ev.isStart():
            self.painter.begin_stroke()
        self.painter.spray(point.x(), point.y())
        if ev.isFinish():
            self.painter.end_stroke()


class Painter(QObject):
    """The paint tools of one regions panel and the points of the design they edit."""

    sigEdit = Signal(object, str)  # (the new painted rows, what the step did)

    def __init__(self, plot: pg.PlotItem, view: PaintViewBox) -> None:
        super().__init__()
        self.plot = plot
        view.painter = self
        self.active = False
        self.dataset: DatasetSpec | None = None  # the design's data
        self.source = None  # gives a built-in set's points, painted over on the first stroke
        self.regression = False
        self.line = False  # a 1D regression: points (x1, target) in its x/y plane
        self._stroke: list[tuple[float, ...]] = []
        self._rng = np.random.default_rng(0)

        self.tools = QWidget()
        self.tools.setObjectName("paintTools")
        self.class_picker = QComboBox(objectName="paintClassPicker")
        self.class_picker.setToolTip("The class of the points you paint")
        self.value = QDoubleSpinBox(objectName="paintValueSpin")
        self.value.setRange(-10.0, 10.0)
        self.value.setSingleStep(0.1)
        self.value.setValue(1.0)
        self.value.setToolTip("The value (target) of the points you paint")
        self.radius = QDoubleSpinBox(objectName="brushRadiusSpin")
        self.radius.setRange(0.1, 3.0)
        self.radius.setSingleStep(0.1)
        self.radius.setValue(0.6)
        self.radius.setToolTip("Drag to spray: the brush's radius, in units of the plane")
        self.density = QSpinBox(objectName="brushDensitySpin")
        self.density.setRange(1, 10)
        self.density.setValue(2)
        self.density.setToolTip("Drag to spray: points added each time the mouse moves")
        self.edit = QPushButton("Edit these points", objectName="editPointsButton")
        self.edit.setToolTip("Make this data set's points your own, to paint over and remove")
        self.edit.clicked.connect(self.edit_points)
        self.clear = QPushButton("Clear", objectName="clearPointsButton")
        self.clear.setToolTip("Remove every point: an empty plane to paint on")
        self.clear.clicked.connect(self.clear_points)
        row = QHBoxLayout(self.tools)
        row.setContentsMargins(0, 0, 0, 0)
        self.value_label = QLabel("value")
        for widget in (self.class_picker, self.value_label, self.value, QLabel("brush")):
            row.addWidget(widget)
        row.addWidget(self.radius)
        row.addWidget(QLabel("×"))
        row.addWidget(self.density)
        row.addStretch(1)
        row.addWidget(self.edit)
        row.addWidget(self.clear)
        self.tools.setToolTip(
            "Click: add a point · drag: spray · right-click or Ctrl-click: remove the nearest"
        )
        self.tools.setVisible(False)

        self.items = {  # painted training points (filled) and test points (rings)
            test: pg.ScatterPlotItem(size=9 if test else 7) for test in (False, True)
        }
        self.stroke_item = pg.ScatterPlotItem(size=7)
        for z, item in enumerate((*self.items.values(), self.stroke_item)):
            item.setZValue(1 + z)
            plot.addItem(item)

    # --- what the window tells it ---------------------------------------------------------

    def set_dataset(self, dataset: DatasetSpec | None, task: str = "", source=None) -> None:
        """The design's data: painted points are drawn; a built-in 2D set (``source()`` gives
        its points) becomes painted points on the first stroke; None: nothing to paint."""
        self.dataset = dataset
        self.source = source
        painted = self.painted
        self.line = dataset is not None and dataset.name in (*DATASETS_1D, PAINTED_LINE)
        self.regression = self.line or (dataset.task if painted else task) == "regression"
        self._fill_class_picker()
        self.value.setVisible(self.regression and not self.line)
        self.value_label.setVisible(self.regression and not self.line)
        self.class_picker.setVisible(not self.regression)
        self.edit.setVisible(not painted and source is not None)
        self._draw_points()

    def set_active(self, on: bool) -> None:
        self.active = on
        self.tools.setVisible(on)

    @property
    def painted(self) -> bool:
        """Whether the design's data are painted points."""
        return self.dataset is not None and self.dataset.name in ("points", PAINTED_LINE)

    @property
    def rows(self) -> tuple:
        """The points painting starts from: the design's, or the built-in set's."""
        if self.painted:
            return self.dataset.painted
        return tuple(self.source()) if self.source is not None else ()

    # --- painting --------------------------------------------------------------------------

    def label(self) -> float:
        if self.regression:
            return round(float(self.value.value()), DECIMALS)
        return float(max(0, self.class_picker.currentIndex()))

    def add_point(self, x: float, y: float) -> None:
        self._propose((*self.rows, self._row(x, y)), "Paint a point")

    def begin_stroke(self) -> None:
        self._stroke = []

    def spray(self, x: float, y: float) -> None:
        """Add the brush's points around (x, y): uniform in the disc of the brush radius."""
        r = self.radius.value() * np.sqrt(self._rng.random(self.density.value()))
        angle = self._rng.uniform(0, 2 * np.pi, self.density.value())
        for dx, dy in zip(r * np.cos(angle), r * np.sin(angle), strict=True):
            self._stroke.append(self._row(x + dx, y + dy))
        self._draw_stroke()

    def end_stroke(self) -> None:
        stroke, self._stroke = self._stroke, []
        self._draw_stroke()
        if stroke:
            self._propose((*self.rows, *stroke), f"Paint {len(stroke)} points")

    def remove_nearest(self, x: float, y: float) -> None:
        rows = self.rows
        if not rows:
            return
        points = np.asarray(rows, np.float64)[:, :2]
        nearest = int(np.argmin(np.hypot(points[:, 0] - x, points[:, 1] - y)))
        self._propose(rows[:nearest] + rows[nearest + 1 :], "Remove a point")

    def edit_points(self) -> None:
        """The built-in set's points become painted points, as they are: one undo step."""
        if self.source is not None and self.dataset is not None:
            info = CATALOG.get(self.dataset.name)
            title = info.title if info is not None else self.dataset.name
            self._propose(tuple(self.source()), f"Edit the points of {title}")

    def clear_points(self) -> None:
        self._propose((), "Clear the points")

    def _row(self, x: float, y: float) -> tuple[float, ...]:
        if self.line:  # the point's height is its target
            x = round(float(np.clip(x, *LINE_EXTENT)), DECIMALS)
            return (x, round(float(np.clip(y, *TARGET_RANGE)), DECIMALS))
        x, y = (round(float(np.clip(v, *PLAYGROUND_EXTENT)), DECIMALS) for v in (x, y))
        return (x, y, self.label())

    def _propose(self, rows: tuple, text: str) -> None:
        if len(rows) > MAX_POINTS:
            rows = rows[:MAX_POINTS]
            text += f" (at most {MAX_POINTS:,} points)"
        self.sigEdit.emit(tuple(rows), text)

    # --- drawing ---------------------------------------------------------------------------

    def _fill_class_picker(self) -> None:
        """The classes painted so far and one more (a new class), up to ten."""
        dataset = self.dataset
        if dataset is None or self.regression:
            k = 2
        elif dataset.name == "points":
            k = n_classes(np.asarray(dataset.painted, np.float64).reshape(-1, 3)[:, 2])
        else:  # a built-in set's classes
            info = CATALOG.get(dataset.name)
            k = dataset.classes if info is not None and "classes" in info.uses else 2
        offered = min(MAX_CLASSES, k + 1)
        if self.class_picker.count() == offered:
            return
        current = self.class_picker.currentIndex()
        self.class_picker.blockSignals(True)
        self.class_picker.clear()
        for i in range(offered):
            text = f"class {i}" if i < k else f"class {i} (new)"
            self.class_picker.addItem(class_icon(i), text)
        self.class_picker.setCurrentIndex(min(max(current, 0), offered - 1))
        self.class_picker.blockSignals(False)

    def _width(self) -> int:
        return 2 if self.line else 3

    def _draw_points(self) -> None:
        painted = self.painted
        rows = np.asarray(self.dataset.painted if painted else (), np.float64)
        rows = rows.reshape(-1, self._width())
        if not len(rows):
            for item in self.items.values():
                item.setData([], [])
            return
        train = split_mask(rows, self.dataset.train_fraction, self.dataset.seed)
        for test, item in self.items.items():
            chosen = rows[~train] if test else rows[train]
            item.setData(pos=chosen[:, :2], **self._style(chosen[:, -1], test))

    def _draw_stroke(self) -> None:
        rows = np.asarray(self._stroke, np.float64).reshape(-1, self._width())
        if not len(rows):
            self.stroke_item.setData([], [])
            return
        self.stroke_item.setData(pos=rows[:, :2], **self._style(rows[:, -1], False))

    def _style(self, labels: np.ndarray, test: bool) -> dict:
        """Train points filled, test points rings, in the class's colour (or the value's; on
        a 1D regression the colours of its plot's targets)."""
        if self.line:
            color = pg.mkColor(series_color(1 if test else 3))
            if test:
                return {"brush": None, "pen": pg.mkPen(color, width=2)}
            return {"brush": pg.mkBrush(color), "pen": pg.mkPen("w", width=0.8)}
        if self.regression:
            level = max(1e-6, float(np.abs(labels).max()))
            colors = diverging_map().map((labels / level + 1) / 2, mode="qcolor")
        else:
            colors = [class_color(int(k)) for k in labels]
        if test:
            return {"brush": None, "pen": [pg.mkPen(c, width=2) for c in colors]}
        return {"brush": [pg.mkBrush(c) for c in colors], "pen": pg.mkPen("w", width=0.8)}
