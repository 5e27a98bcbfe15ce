"""The selected runs side by side: their loss and accuracy curves on one plot each, in each
run's own colour, and their decision regions at the end in a row of small pictures."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from nnviz.core.nn.network import CLASSIFICATION
from nnviz.core.runs import RunEntry
from nnviz.ui.panels.colors import SERIES_COLORS, apply_theme
from nnviz.ui.panels.loss_panel import finite_or_nan

#: At most this many runs' regions are shown side by side (the curves take any number).
MAX_PICTURES = 6


def run_color(run_id: int | None) -> QColor:
    """A run's colour, the same in the table, the curves and the pictures' titles."""
    return QColor(SERIES_COLORS[(run_id or 0) % len(SERIES_COLORS)])


class CompareView(QWidget):
    """Curves of the runs given to :meth:`show_runs` and, below, their regions pictures.

    ``curves[run_id]`` holds that run's plotted items by name (``"test_loss"``,
    ``"train_loss"``, ``"test_metric"``, ``"train_metric"``), so a test can read what is drawn.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsCompare")
        self.curves: dict[int, dict[str, pg.PlotDataItem]] = {}
        self.pictures: dict[int, pg.ImageItem | pg.PlotDataItem] = {}

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setObjectName("runsCurves")
        self.loss_plot = self.plots.addPlot(title="Loss")
        self.metric_plot = self.plots.addPlot(title="Accuracy")
        self.metric_plot.setXLink(self.loss_plot)
        for plot, label in ((self.loss_plot, "loss"), (self.metric_plot, "accuracy")):
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", label)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.key = QLabel("solid: test · dashed: train", objectName="runsCurveKey")
        self.key.setToolTip("Each run's curves are drawn in its colour in the table")
        self.key.setAlignment(Qt.AlignmentFlag.AlignRight)

        self.regions = pg.GraphicsLayoutWidget()
        self.regions.setObjectName("runsRegions")
        self.hint = QLabel(objectName="runsCompareHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        curves = QWidget()
        column = QVBoxLayout(curves)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.plots, 1)
        column.addWidget(self.key)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(curves)
        split.addWidget(self.regions)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        self.show_runs([])

    def show_runs(self, entries: Sequence[RunEntry]) -> None:
        """Draw ``entries`` (the table's selection), replacing what was drawn."""
        for plot in (self.loss_plot, self.metric_plot):
            plot.clear()
        self.regions.clear()
        self.curves, self.pictures = {}, {}
        tasks = {entry.task for entry in entries}
        metric = "accuracy" if tasks <= {CLASSIFICATION} else ("R²" if len(tasks) == 1 else
                                                                "accuracy / R²")  # fmt: skip
        self.metric_plot.setTitle(metric.capitalize() if metric != "R²" else metric)
        self.metric_plot.setLabel("left", metric)
        for entry in entries:
            self._add_curves(entry)
        pictured = [e for e in entries if e.regions is not None or e.curve is not None]
        for column, entry in enumerate(pictured[:MAX_PICTURES]):
            self._add_picture(entry, column)
        if not entries:
            self.hint.setText("Select runs in the table to compare their curves and regions.")
        elif len(pictured) > MAX_PICTURES:
            self.hint.setText(f"Regions of the first {MAX_PICTURES} of {len(pictured)} runs.")
        elif not any(len(e.history.get("epoch", ())) for e in entries):
            self.hint.setText("These runs kept no curves (a sweep keeps only their figures).")
        else:
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))
        self._style()

    def _style(self) -> None:
        for view in (self.plots, self.regions):
            apply_theme(view)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style()

    def _add_curves(self, entry: RunEntry) -> None:
        history = entry.history
        epochs = history.get("epoch")
        if epochs is None or not len(epochs):
            return
        color = run_color(entry.id)
        solid = pg.mkPen(color, width=2)
        dashed = pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine)
        percent = 100.0 if entry.task == CLASSIFICATION else 1.0
        items = {}
        for name, plot, scale in (
            ("loss", self.loss_plot, 1.0),
            ("metric", self.metric_plot, percent),
        ):
            for split, pen in (("test", solid), ("train", dashed)):
                values = scale * finite_or_nan(history[f"{split}_{name}"])
                items[f"{split}_{name}"] = plot.plot(epochs, values, pen=pen)
        self.curves[entry.id] = items

    def _add_picture(self, entry: RunEntry, column: int) -> None:
        plot = self.regions.addPlot(row=0, col=column)
        plot.setTitle(f"run {entry.id}", color=run_color(entry.id), size="9pt")
        plot.setMenuEnabled(False)
        if entry.curve is not None:
            item = plot.plot(
                entry.curve[0], entry.curve[1], pen=pg.mkPen(run_color(entry.id), width=2)
            )
            plot.getAxis("left").setStyle(showValues=False)
        else:
            item = pg.ImageItem(entry.regions, axisOrder="row-major")
            x0, x1, y0, y1 = entry.extent or (0.0, 1.0, 0.0, 1.0)
            item.setRect(x0, y0, x1 - x0, y1 - y0)
            plot.addItem(item)
            plot.setAspectLocked(True)
            plot.hideAxis("left")
            plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        plot.hideAxis("bottom")
        plot.setMouseEnabled(False, False)
        self.pictures[entry.id] = item
