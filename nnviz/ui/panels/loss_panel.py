"""Loss and accuracy (or R²) over epochs, with a log-scale toggle and a hover readout."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnviz.core.nn.network import REGRESSION
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.core.run.snapshot import DIVERGED, EARLY_STOPPED
from nnviz.ui.panels.base import LivePanel, PanelPlots, legend_label
from nnviz.ui.panels.colors import series_color
from nnviz.ui.panels.curves import (
    DecimatedHistory,
    EpochAxis,
    EpochCurve,
    EpochMarker,
    SparseLogAxis,
    SteppedRange,
)

# Columns of the history this panel keeps.
EPOCH, TRAIN_LOSS, TEST_LOSS, TRAIN_METRIC, TEST_METRIC = range(5)

STOP_COLORS = {DIVERGED: "#d62728", EARLY_STOPPED: "#2ca02c"}


def finite_or_nan(values: np.ndarray) -> np.ndarray:
    """Infinite values as NaN, so curves break there instead of stretching the axes."""
    return np.where(np.isfinite(values), values, np.nan)


class LossPanel(LivePanel):
    """Train and test loss (left) and accuracy or R² (right) over epochs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPanel")
        self.setMinimumSize(320, 180)
        self.history = DecimatedHistory(5)
        self.shown = np.empty((0, 5))  # the columns drawn last, for the hover readout
        self.metric_name = "accuracy"
        self.metric_scale = 100.0  # accuracy in percent; R² as it is

        self.log_toggle = QCheckBox("Log scale")
        self.log_toggle.setObjectName("logScaleToggle")
        self.log_toggle.setToolTip("Show the loss on a logarithmic axis")
        self.log_toggle.toggled.connect(self._on_log_toggled)
        self.readout = QLabel()
        self.readout.setObjectName("lossReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.plots = PanelPlots()
        self.plots.setObjectName("lossPlots")
        self.plot_widgets.append(self.plots)
        self.loss_plot = self.plots.addPlot(
            title="Loss", axisItems={"left": SparseLogAxis("left"), "bottom": EpochAxis()}
        )
        self.metric_plot = self.plots.addPlot(title="Accuracy", axisItems={"bottom": EpochAxis()})
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(1, 2)
        self.metric_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.metric_plot):
            plot.setLabel("bottom", "epoch")
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.loss_plot.setLabel("left", "loss")
        self.loss_range = SteppedRange(self.loss_plot)
        self.metric_plot.disableAutoRange()

        self.train_loss = EpochCurve(self.loss_plot, 0, width=2)
        self.test_loss = EpochCurve(self.loss_plot, 1, width=2)
        self.train_metric = EpochCurve(self.metric_plot, 0, width=2)
        self.test_metric = EpochCurve(self.metric_plot, 1, width=2)

        # Where and why the run stopped: a line at that epoch, the message in a corner.
        self.stop_marker = pg.InfiniteLine(angle=90)
        self.stop_marker.setVisible(False)
        self.loss_plot.addItem(self.stop_marker, ignoreBounds=True)
        self.stop_text = pg.TextItem(anchor=(0, 0), fill=pg.mkBrush(255, 255, 255, 220))
        self.stop_text.setParentItem(self.loss_plot.vb)  # fixed in the corner, not in data
        self.stop_text.setPos(8, 4)
        self.stop_text.setVisible(False)
        self.loss_plot.vb.sigResized.connect(self._wrap_stop_text)

        self.marker = EpochMarker((self.loss_plot, self.metric_plot))  # the timeline's epoch
        # Other runs of the timeline (the run a fork came from, other forks): their losses
        # dashed (train) and dotted (test), one colour a run.
        self.compared: list[EpochCurve] = []
        self.compared_losses = np.empty(0)
        self.compared_legend = QLabel()
        self.compared_legend.setObjectName("lossComparedLegend")

        self.crosshairs = []
        for plot in (self.loss_plot, self.metric_plot):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen((128, 128, 128), style=Qt.DashLine))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.crosshairs.append(line)
        self._hover_proxy = pg.SignalProxy(
            self.plots.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )

        top = QHBoxLayout()
        top.addWidget(self.log_toggle)
        top.addWidget(self.readout, 1)
        top.addWidget(self.compared_legend)
        legend = legend_label(("train", "test"))  # one legend for both plots
        legend.setObjectName("lossLegend")
        top.addWidget(legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plots, 1)
        self._style_plots()

    def _start(self, info: RunInfo) -> None:
        self.history = DecimatedHistory(5)
        self.shown = np.empty((0, 5))
        self.stop_marker.setVisible(False)
        self.stop_text.setVisible(False)
        for line in self.crosshairs:
            line.setVisible(False)
        self.readout.clear()
        regression = info.spec.task == REGRESSION
        self.metric_name = "R²" if regression else "accuracy"
        self.metric_plot.setTitle(self.metric_name.capitalize() if not regression else "R²")
        self.metric_plot.setLabel("left", "R²" if regression else "accuracy (%)")
        self.metric_scale = 1.0 if regression else 100.0
        low, high = (-1.0, 1.0) if regression else (0.0, 100.0)
        self.metric_plot.setYRange(low, high, padding=0.03)
        self.loss_range.resume()

    def set_compared(self, runs) -> None:
        """Show other runs' losses beside this one's: ``runs`` is ``[(label, epochs,
        train_loss, test_loss), ...]`` (arrays), at most four drawn."""
        for curve in self.compared:
            self.loss_plot.removeItem(curve)
        self.compared.clear()
        names, losses = [], []
        for k, (label, epochs, train, test) in enumerate(runs[:4]):
            for values, style in ((train, Qt.PenStyle.DashLine), (test, Qt.PenStyle.DotLine)):
                curve = EpochCurve(self.loss_plot, 2 + k, width=1.5, style=style)
                curve.setZValue(-1)  # beneath the current run's own curves
                curve.set_points(np.asarray(epochs, float), finite_or_nan(np.asarray(values)))
                self.compared.append(curve)
            color = series_color(2 + k).name()
            names.append(f"<span style='color:{color}'>╌ ┈</span>&nbsp;{label}")
            losses.extend((np.asarray(train), np.asarray(test)))
        self.compared_losses = np.concatenate(losses) if losses else np.empty(0)
        self.compared_legend.setText("&nbsp;&nbsp;".join(names))
        self.compared_legend.setToolTip(
            "Other runs of this design: train loss dashed, test loss dotted"
        )
        self.compared_legend.setVisible(bool(names))
        self._follow_range()

    def _take(self, frame: Frame) -> None:
        rows = [
            (r.epoch, r.train_loss, r.test_loss, r.train_metric, r.test_metric) for r in frame.rows
        ]
        self.history.append(np.array(rows, dtype=np.float64).reshape(-1, 5))
        snapshot = frame.snapshot
        stopped = snapshot.status in STOP_COLORS
        self.stop_marker.setVisible(stopped)
        self.stop_text.setVisible(stopped)
        if stopped:
            color = STOP_COLORS[snapshot.status]
            self.stop_marker.setPen(pg.mkPen(color, width=2, style=Qt.DashLine))
            self.stop_marker.setValue(snapshot.metrics.epoch)
            self.stop_text.setColor(color)
            self.stop_text.setText(snapshot.message or snapshot.status.replace("_", " "))

    def _style_plots(self) -> None:
        super()._style_plots()
        background = self.plots.palette().color(QPalette.ColorRole.Base)
        background.setAlpha(220)
        self.stop_text.fill = pg.mkBrush(background)
        self.stop_text.update()

    def _wrap_stop_text(self) -> None:
        """Wrap the stop message to a width that leaves the newest epochs visible."""
        self.stop_text.setTextWidth(max(120.0, 0.62 * self.loss_plot.vb.width()))

    def refresh(self) -> None:
        self.shown = data = self.history.columns()
        epochs = data[:, EPOCH]
        self.train_loss.set_points(epochs, finite_or_nan(data[:, TRAIN_LOSS]))
        self.test_loss.set_points(epochs, finite_or_nan(data[:, TEST_LOSS]))
        scale = self.metric_scale
        self.train_metric.set_points(epochs, finite_or_nan(data[:, TRAIN_METRIC]) * scale)
        self.test_metric.set_points(epochs, finite_or_nan(data[:, TEST_METRIC]) * scale)
        self._follow_range()

    def _follow_range(self) -> None:
        last = self.shown[-1, EPOCH] if len(self.shown) else 0.0
        for curve in self.compared:
            if len(curve.epochs):
                last = max(last, float(curve.epochs[-1]))
        losses = self.shown[:, TRAIN_LOSS : TEST_LOSS + 1].ravel()
        losses = np.concatenate((losses, finite_or_nan(self.compared_losses)))
        self.loss_range.update(last, losses, log_y=self.log_toggle.isChecked())

    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_range.resume()
        self._follow_range()

    def _on_mouse_moved(self, event) -> None:
        position = event[0]
        for plot in (self.loss_plot, self.metric_plot):
            if plot.sceneBoundingRect().contains(position) and len(self.shown):
                epoch = plot.vb.mapSceneToView(position).x()
                self.show_epoch(epoch)
                return
        for line in self.crosshairs:
            line.setVisible(False)

    def show_epoch(self, epoch: float) -> None:
        """Put the crosshair on the row nearest ``epoch`` and write its values."""
        row = self.shown[np.argmin(np.abs(self.shown[:, EPOCH] - epoch))]
        for line in self.crosshairs:
            line.setValue(row[EPOCH])
            line.setVisible(True)
        scale, unit = (self.metric_scale, " %") if self.metric_scale != 1 else (1.0, "")
        self.readout.setText(
            f"epoch {row[EPOCH]:.0f}   loss: train {row[TRAIN_LOSS]:.4g}, test {row[TEST_LOSS]:.4g}"
            f"   {self.metric_name}: train {row[TRAIN_METRIC] * scale:.3g}{unit}, "
            f"test {row[TEST_METRIC] * scale:.3g}{unit}"
        )
