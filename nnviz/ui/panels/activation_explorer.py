"""The activation explorer: every activation's curve and slope, over the selected layer's z.

A learner sees *why* a deep sigmoid network stops learning: the layer's pre-activations
(the grey histogram, measured in the training process on a sample of the training data) sit
where the curve is flat, its slope (dashed) is near zero there, and the share written beside
each curve says how much of ``z`` would be flat under that activation with the weights as they
are (``z`` does not depend on the layer's own activation). Clicking a curve sets that
activation on the layer, one undo step. The curves are the engine's own functions
(:mod:`nnviz.core.nn.activations`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnviz.core.design import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Design
from nnviz.core.edits import set_layer, set_output
from nnviz.core.nn.activations import get_activation
from nnviz.core.run.distributions import CURVES, FLAT_SLOPE, Distributions
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import series_color, theme_colors

#: Tiles per row of the grid.
COLUMNS = 5
#: The z range the curves span at least (the histogram's, when it is wider).
MIN_Z = 4.0
#: The y range of every tile: the same for all, so the curves compare.
Y_RANGE = (-1.2, 1.8)
CURVE_POINTS = 241
#: Words for a flat unit, by activation (others: "flat").
FLAT_WORDS = {"relu": "dead", "sigmoid": "saturated", "tanh": "saturated"}


def with_activation(design: Design, layer: int, name: str) -> Design | str:
    """``design`` with dense layer ``layer`` (``len(design.layers)``: the output) using
    ``name``; a sentence saying why not when that layer cannot take it."""
    if layer >= len(design.layers):
        if name not in OUTPUT_ACTIVATIONS:
            return f"The output layer cannot use {name}."
        return set_output(design, activation=name)
    if name not in HIDDEN_ACTIVATIONS:
        return f"{name} is for the output layer only (the perceptron's step)."
    return set_layer(design, layer, activation=name)


def flat_sentence(name: str, value_share: float, unit_share: float, units: int) -> str:
    """What the share of flat z means for ``name``, in words a learner reads."""
    word = FLAT_WORDS.get(name, "flat")
    stuck = round(unit_share * units)
    if name == "relu":
        return (
            f"Dead: {stuck} of {units} units (z ≤ 0 on every sample point); "
            f"{value_share:.0%} of z ≤ 0, where the slope is 0."
        )
    return (
        f"{word.capitalize()}: {value_share:.0%} of z where |f′(z)| < {FLAT_SLOPE:g}; "
        f"{stuck} of {units} units {word} on every sample point."
    )


class ActivationExplorer(LivePanel):
    """A grid of tiles, one per elementwise activation: ``f`` (solid), ``f′`` (dashed) and the
    selected layer's z histogram behind them; the layer's own activation is framed."""

    sigChoose = Signal(int, str)  # (dense layer, activation): the user clicked a tile

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activationExplorer")
        self.setMinimumSize(360, 220)
        self.setToolTip(
            "Every activation f (solid) and its slope f′ (dashed), over the selected layer's "
            "pre-activations z (grey).\nWhere z sits on a flat part the slope is near 0 and "
            "the layer barely learns. Click a curve to use it on the layer (Ctrl+Z undoes)."
        )
        self.layer = 0
        self.design = Design()
        self.distributions: Distributions | None = None
        self._z_span = MIN_Z
        self.title = QLabel(objectName="explorerLayer")
        self.title.setStyleSheet("font-weight: bold")
        self.share = QLabel(objectName="explorerShare")
        self.share.setWordWrap(True)
        self.plots = PanelPlots()
        self.plots.setObjectName("explorerPlots")
        self.plot_widgets.append(self.plots)
        self.tiles: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, tuple[pg.PlotCurveItem, pg.PlotCurveItem]] = {}
        self.bars: dict[str, pg.PlotCurveItem] = {}
        #: Each tile's title and whether it is framed, as last set: pyqtgraph lays a title
        #: out again whenever it is set, about 0.3 ms a tile, so only changes are set.
        self._shown: dict[str, tuple[str, QColor, bool]] = {}
        for i, name in enumerate(CURVES):
            self._add_tile(name, i // COLUMNS, i % COLUMNS)
        self.plots.scene().sigMouseClicked.connect(self._on_click)
        legend = QLabel(
            f"<span style='color:{series_color(0).name()}'>━━</span>&nbsp;f(z)&nbsp;&nbsp;"
            f"<span style='color:{series_color(1).name()}'>╍╍</span>&nbsp;f′(z)&nbsp;&nbsp;"
            "<span style='color:#9a9a9a'>▇</span>&nbsp;z of the layer&nbsp;&nbsp;"
            "· click a curve to use it",
            objectName="explorerLegend",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.share)
        layout.addWidget(legend)
        layout.addWidget(self.plots, 1)
        self._draw_curves()
        self._style_plots()
        self._show_layer()

    def _add_tile(self, name: str, row: int, col: int) -> None:
        plot = self.plots.addPlot(row=row, col=col)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.getAxis("left").setWidth(28)
        plot.getAxis("bottom").setHeight(20)
        plot.setYRange(*Y_RANGE, padding=0)
        grey = pg.mkBrush(150, 150, 150, 110)
        bars = pg.PlotCurveItem(fillLevel=Y_RANGE[0], brush=grey, pen=None)
        value = pg.PlotCurveItem(pen=pg.mkPen(series_color(0), width=2))
        dashed = pg.mkPen(series_color(1), width=1.5, style=Qt.PenStyle.DashLine)
        slope = pg.PlotCurveItem(pen=dashed)
        for item in (bars, value, slope):
            plot.addItem(item)
        self.tiles[name] = plot
        self.curves[name] = (value, slope)
        self.bars[name] = bars

    # --- what is shown ---------------------------------------------------------------------

    def set_design(self, design: Design) -> None:
        """The window's design: the selected layer's activation is framed."""
        self.design = design
        self.layer = min(self.layer, len(design.layers))
        self._show_layer()

    def select(self, layer: int) -> None:
        """Show dense layer ``layer`` (as the diagram and the layer inspector count it)."""
        self.layer = max(0, min(layer, len(self.design.layers)))
        self._show_layer()
        self._refresh_when_visible()

    def current_activation(self) -> str:
        design = self.design
        if self.layer >= len(design.layers):
            spec = self.run_info.spec if self.run_info is not None else None
            return spec.output_activation if spec is not None else design.output.activation
        return design.layers[self.layer].activation

    def _layer_name(self) -> str:
        if self.layer >= len(self.design.layers):
            return "Output layer"
        return f"Hidden layer {self.layer + 1}"

    def _show_layer(self) -> None:
        current = self.current_activation()
        points = self.distributions.points if self._measured() else 0
        where = f": z on {points} training points" if points else ""
        self.title.setText(f"{self._layer_name()} ({current}){where}")
        _, foreground = theme_colors(self.palette())
        for name, plot in self.tiles.items():
            chosen = name == current
            text = f"<b>{name}</b>" if chosen else name
            if self._measured():
                values, _ = self.distributions.flatness(self.layer, name)
                text += f"&nbsp;&nbsp;<span style='font-size:8pt'>{values:.0%} flat</span>"
            shown = (text, foreground, chosen)
            if self._shown.get(name) != shown:
                self._shown[name] = shown
                plot.getViewBox().setBorder(pg.mkPen(series_color(0), width=2) if chosen else None)
                plot.setTitle(text, color=foreground, size="9pt")

    def _measured(self) -> bool:
        """Whether the latest distributions have the selected layer."""
        d = self.distributions
        return d is not None and self.layer < len(d.z.limits)

    # --- the live panel --------------------------------------------------------------------

    def _start(self, info: RunInfo) -> None:
        self.distributions = None
        self._show_layer()

    def _take(self, frame: Frame) -> bool:
        if frame.distributions is None:
            return False
        self.distributions = frame.distributions
        return True

    def refresh(self) -> None:
        try:  # called from showEvent too: nothing may escape a Qt override
            self._draw()
        except Exception as error:
            self.share.setText(f"Cannot draw the explorer: {error}")

    def _draw(self) -> None:
        self._show_layer()
        if not self._measured():
            for bars in self.bars.values():
                bars.clear()
            self.share.setText("Press Play or Step to see where this layer's z lies.")
            return
        d, k = self.distributions, self.layer
        limit = float(d.z.limits[k])
        span = max(MIN_Z, limit)
        if span != self._z_span:
            self._z_span = span
            self._draw_curves()
        counts = d.z.counts[k].astype(np.float64)
        peak = counts.max()
        heights = Y_RANGE[0] + (Y_RANGE[1] - Y_RANGE[0]) * 0.95 * counts / (peak if peak else 1)
        edges = d.z.edges(k)
        for bars in self.bars.values():
            bars.setData(edges, heights, stepMode="center")
        current = self.current_activation()
        units = self.run_info.spec.sizes[k + 1]
        if current in CURVES:
            self.share.setText(flat_sentence(current, *d.flatness(k, current), units))
        else:
            self.share.setText(f"{current} couples the layer's units: no curve of one z.")

    def _draw_curves(self) -> None:
        span = self._z_span
        z = np.linspace(-span, span, CURVE_POINTS)
        for name, (value, slope) in self.curves.items():
            activation = get_activation(name)
            a = activation.value(z)
            value.setData(z, a)
            slope.setData(z, activation.derivative(z, a))
            self.tiles[name].setXRange(-span, span, padding=0)

    # --- choosing ----------------------------------------------------------------------------

    def tile_at(self, scene_pos) -> str | None:
        for name, plot in self.tiles.items():
            if plot.sceneBoundingRect().contains(scene_pos):
                return name
        return None

    def _on_click(self, event) -> None:
        try:
            if event.button() != Qt.MouseButton.LeftButton:
                return
            name = self.tile_at(event.scenePos())
            if name is not None and name != self.current_activation():
                self.sigChoose.emit(self.layer, name)
        except Exception as error:  # a slot of a scene event: never let it escape
            self.share.setText(f"Could not use that activation: {error}")
