"""Per-layer gradient norms (log scale: vanishing gradients show as falling curves) and the
share of dead units of each ReLU layer, over epochs."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.panels.base import LivePanel, PanelPlots, legend_label, set_legend
from nnviz.ui.panels.curves import (
    DecimatedHistory,
    EpochAxis,
    EpochCurve,
    EpochMarker,
    SparseLogAxis,
    SteppedRange,
)


class GradientsPanel(LivePanel):
    """Gradient norm of each dense layer (left) and, for networks with ReLU layers, the dead
    units of each of them (right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientsPanel")
        self.setToolTip(
            "Gradient norm: the size of each layer's weight gradient; curves falling towards "
            "zero for the first layers mean vanishing gradients.\nDead ReLU units (networks with "
            "ReLU layers): the share of each ReLU layer's units whose output is 0 on every "
            "training point."
        )
        self.setMinimumSize(320, 180)
        self.plots = PanelPlots()
        self.plots.setObjectName("gradientsPlots")
        self.plot_widgets.append(self.plots)
        self.norm_plot = self.plots.addPlot(
            title="Gradient norm per layer",
            axisItems={"left": SparseLogAxis("left"), "bottom": EpochAxis()},
        )
        # In the layout only for networks with ReLU layers (see _show_dead_plot).
        self.dead_plot = pg.PlotItem(title="Dead ReLU units", axisItems={"bottom": EpochAxis()})
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.norm_plot.setLogMode(y=True)
        self.norm_plot.setLabel("left", "‖∇W‖")
        self.dead_plot.setLabel("left", "dead units (%)")
        self.dead_plot.setXLink(self.norm_plot)
        self.dead_plot.disableAutoRange()
        self.dead_plot.setYRange(0, 100, padding=0.03)
        self.norm_range = SteppedRange(self.norm_plot)
        self.marker = EpochMarker((self.norm_plot, self.dead_plot))  # the timeline's epoch
        for plot in (self.norm_plot, self.dead_plot):
            plot.setLabel("bottom", "epoch")
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = legend_label(())  # one for both plots: a layer has one colour in each
        self.legend.setObjectName("gradientsLegend")
        self.legend.setAlignment(Qt.AlignmentFlag.AlignRight)  # as the loss panel's
        self.norm_curves: list[EpochCurve] = []
        self.dead_curves: list[EpochCurve] = []
        self.dead_layers: list[int] = []  # the ReLU hidden layers, one dead-units curve each
        self.history = DecimatedHistory(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.legend)
        layout.addWidget(self.plots)
        self._style_plots()

    def _start(self, info: RunInfo) -> None:
        for plot, curves in (
            (self.norm_plot, self.norm_curves),
            (self.dead_plot, self.dead_curves),
        ):
            for curve in curves:
                plot.removeItem(curve)
            curves.clear()
        names = info.layer_names
        self.norm_curves.extend(EpochCurve(self.norm_plot, k, width=1) for k in range(len(names)))
        activations = info.spec.activations[:-1]
        self.dead_layers = [k for k, name in enumerate(activations) if name == "relu"]
        self.dead_curves.extend(EpochCurve(self.dead_plot, k, width=1) for k in self.dead_layers)
        self._show_dead_plot(bool(self.dead_layers))
        set_legend(self.legend, names)
        self.history = DecimatedHistory(1 + len(self.norm_curves) + len(self.dead_curves))
        self.norm_range.resume()
        self._style_plots()

    def _show_dead_plot(self, show: bool) -> None:
        """Dead units only mean something for ReLU: other networks give the norms the room."""
        shown = self.dead_plot in self.plots.ci.items
        if show and not shown:
            self.plots.addItem(self.dead_plot, row=0, col=1)
        elif shown and not show:
            self.plots.removeItem(self.dead_plot)
        self.plots.ci.layout.setColumnStretchFactor(1, 2 if show else 0)

    def _take(self, frame: Frame) -> None:
        n_norms, n_dead = len(self.norm_curves), len(self.dead_curves)
        rows = np.full((len(frame.rows), 1 + n_norms + n_dead), np.nan)
        for i, r in enumerate(frame.rows):
            rows[i, 0] = r.epoch
            norms = r.grad_norms[:n_norms]
            rows[i, 1 : 1 + len(norms)] = norms
            rows[i, 1 + n_norms :] = [r.dead_fraction[k] for k in self.dead_layers]
        self.history.append(rows)

    def refresh(self) -> None:
        data = self.history.columns()
        epochs = data[:, 0]
        norms = data[:, 1 : 1 + len(self.norm_curves)]
        norms = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)  # log axis: > 0 only
        for k, curve in enumerate(self.norm_curves):
            curve.set_points(epochs, norms[:, k])
        self.norm_range.update(epochs[-1] if len(epochs) else 0.0, norms.ravel(), log_y=True)
        dead = data[:, 1 + len(self.norm_curves) :] * 100.0
        for k, curve in enumerate(self.dead_curves):
            curve.set_points(epochs, dead[:, k])
