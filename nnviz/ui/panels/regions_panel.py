"""The network's output over the input plane, with the data points on top.

Two classes: the playground's orange-blue by probability; several classes: each class's colour
shaded by confidence; regression: a heatmap (2D) or target points and prediction curve (1D).
Hovering a neuron in the diagram shows that neuron's picture here instead of the output.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.data.catalog import LINE_EXTENT, PLAYGROUND_EXTENT
from nnviz.core.design import DATASETS_1D, DATASETS_2D, PAINTED, PAINTED_LINE
from nnviz.core.nn.network import REGRESSION, predict_classes
from nnviz.core.run.frames import LINE, Frame, RunInfo, Views
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import REGION_STRENGTH, class_regions_rgb, diverging_map, series_color
from nnviz.ui.panels.curves import nice_ceiling
from nnviz.ui.panels.data_points import DataPoints
from nnviz.ui.panels.painting import Painter, PaintViewBox

# What the image shows, each with its own colouring.
BINARY, CLASSES, HEATMAP, NEURON = "binary", "classes", "heatmap", "neuron"

#: The targets an empty 1D plane shows, to paint on.
EMPTY_LINE_TARGETS = (-2.0, 2.0)
#: Regression output discretized into this many bands on each side of zero.
REGRESSION_BANDS = 4

BOUNDED_LEVELS = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0),
                  "step": (0.0, 1.0)}  # fmt: skip


def interpolation_matrix(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) weights of linear interpolation from n_in samples to n_out."""
    positions = np.linspace(0, n_in - 1, n_out)
    samples = np.arange(n_in)
    return np.stack([np.interp(positions, samples, e) for e in np.eye(n_in)], axis=1)


def upscale(picture: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear enlargement of a small (h, w) thumbnail to ``shape``, as float32."""
    rows = interpolation_matrix(shape[0], picture.shape[0])
    cols = interpolation_matrix(shape[1], picture.shape[1])
    return np.ascontiguousarray(rows @ picture @ cols.T, dtype=np.float32)


def symmetric_level(values: np.ndarray) -> float:
    """max|values| rounded up to a nice number (steady colours from frame to frame)."""
    finite = np.abs(values[np.isfinite(values)])
    return nice_ceiling(float(max(finite.max(initial=0.0), 1e-6)))


class RegionsPanel(LivePanel):
    """Decision regions (or output heatmap) of the current network, or one neuron's picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regionsPanel")
        self.setMinimumSize(280, 280)
        self.views_data: Views | None = None
        self.neuron: tuple[int, int] | None = None
        self.image_mode: str | None = None  # what the image shows now
        self.output_mode: str | None = None  # what it shows for the output of this run
        self.output_levels = (0.0, 1.0)
        self.output_label = ""
        self.colorbar_label = ""

        self.title = QLabel("Output")
        self.title.setObjectName("regionsTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setWordWrap(True)  # a long neuron name takes a second line, not a cut
        self.show_test = QCheckBox("Show test data")
        self.show_test.setObjectName("showTestToggle")
        self.show_test.setChecked(True)
        self.show_test.toggled.connect(self._on_show_test_toggled)
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setObjectName("discretizeToggle")
        self.discretize.setToolTip("Show only the predicted class (or bands of the output)")
        self.discretize.toggled.connect(self.refresh)

        self.plots = PanelPlots()
        self.plots.setObjectName("regionsPlots")
        self.plot_widgets.append(self.plots)
        view = PaintViewBox()
        self.plot = self.plots.addPlot(row=0, col=0, viewBox=view)
        self.plot.setMenuEnabled(False)
        self.painter = Painter(self.plot, view)
        self.painted = False  # the design's data are painted points (the painter draws them)
        self.paint_toggle = QToolButton(objectName="paintToggle")
        self.paint_toggle.setText("Paint")
        self.paint_toggle.setCheckable(True)
        self.paint_toggle.setToolTip(
            "Paint your own points: click adds one, drag sprays, right-click or Ctrl-click "
            "removes the nearest (each stroke can be undone)"
        )
        self.paint_toggle.toggled.connect(self.painter.set_active)
        self.colorbar = pg.ColorBarItem(
            values=(0, 1), width=12, colorMap=diverging_map(), interactive=False,
            colorMapMenu=False,
        )  # fmt: skip
        self.plots.addItem(self.colorbar, row=0, col=1)
        self.legend = pg.LegendItem(colCount=5, verSpacing=-5)
        self.plots.addItem(self.legend, row=1, col=0)
        self.points = DataPoints(self.plot, self.legend)

        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.prediction = self.plot.plot(pen=pg.mkPen(series_color(0), width=3), name="prediction")
        self.prediction.setZValue(3)
        self.neuron_curve = self.plot.plot(
            pen=pg.mkPen(series_color(2), width=2, style=Qt.DashLine), name="neuron"
        )
        self.neuron_curve.setZValue(3)
        # Points picked elsewhere (a cell of the confusion matrix), ringed on top of the rest.
        self.highlight = pg.ScatterPlotItem(
            size=18, symbol="o", brush=pg.mkBrush(255, 215, 0, 150), pen=pg.mkPen("#111", width=3)
        )
        self.highlight.setZValue(4)
        self.plot.addItem(self.highlight)
        self.region_lut = diverging_map(REGION_STRENGTH).getLookupTable(nPts=256)
        self.neuron_lut = diverging_map().getLookupTable(nPts=256)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.paint_toggle)
        top.addWidget(self.show_test)
        top.addWidget(self.discretize)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.painter.tools)
        layout.addWidget(self.plots, 1)
        self._style_plots()

    # --- a new run -----------------------------------------------------------------------

    def _start(self, info: RunInfo) -> None:
        self.views_data = None
        self.neuron = None
        self.image_mode = None
        self.image.clear()
        self.prediction.setData([], [])
        self.neuron_curve.setData([], [])
        self.set_highlight(None)

        x0, x1, y0, y1 = info.extent
        self.plot.setLabel("bottom", info.axis_labels[0])
        self.plot.setLabel("left", info.axis_labels[1])
        self.plot.setAspectLocked(info.kind != LINE)
        self.plot.disableAutoRange()
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

        spec = info.spec
        if info.kind == LINE:
            self.output_mode = None
        elif spec.task == REGRESSION:
            self.output_mode = HEATMAP
            level = symmetric_level(np.concatenate([info.train_labels, info.test_labels]))
            self.output_levels = (-level, level)
            self.output_label = "output"
        elif spec.sizes[-1] > 1:
            self.output_mode = CLASSES
        else:
            self.output_mode = BINARY
            self.output_levels = BOUNDED_LEVELS.get(spec.output_activation, (0.0, 1.0))
            positive = info.class_names[1] if len(info.class_names) > 1 else "class 1"
            self.output_label = f"P({positive})" if self.output_levels[0] == 0 else "output"
        self.colorbar.setVisible(self.output_mode in (BINARY, HEATMAP))
        self.prediction.setVisible(info.kind == LINE)
        self.discretize.setEnabled(info.kind != LINE)
        self._add_points(info)
        self._on_show_test_toggled(self.show_test.isChecked())
        self._set_title()
        self._style_plots()

    def set_points(self, info: RunInfo) -> None:
        """The same run with other points (painted ones taken on): redraw the points only."""
        self.run_info = info
        self._add_points(info)
        self._on_show_test_toggled(self.show_test.isChecked())

    def _add_points(self, info: RunInfo) -> None:
        extra = [(self.prediction, "prediction")] if info.kind == LINE else []
        self.points.show(info, self.output_levels, extra)

    # --- frames --------------------------------------------------------------------------

    def _take(self, frame: Frame) -> bool:
        if frame.views is None:  # most frames: the picture stays as it is
            return False
        self.views_data = frame.views
        return True

    def show_neuron(self, layer: int, unit: int) -> None:
        """Show neuron ``unit`` of dense layer ``layer`` (-1: the network inputs) large.

        A neuron this run's network does not have (a hover from before a change of the
        architecture) shows the output instead.
        """
        if self.run_info is None or not -1 <= layer < self.run_info.spec.n_layers:
            self.show_output()
            return
        self.neuron = (layer, unit)
        self._set_title()
        self.refresh()

    def show_output(self) -> None:
        """Back to the network's output after ``show_neuron``."""
        self.neuron = None
        self._set_title()
        self.refresh()

    def refresh(self) -> None:
        views, info = self.views_data, self.run_info
        if views is None or info is None:
            return
        picture = self._neuron_values(views)
        if info.kind == LINE:
            self.prediction.setData(views.xs, np.asarray(views.output[:, 0]))
            if picture is None:
                self.neuron_curve.setData([], [])
            else:
                self.neuron_curve.setData(views.xs, np.asarray(picture))
            return
        if picture is not None:
            levels = self._neuron_levels(picture)
            picture = upscale(picture, views.output.shape[:2])
            self._set_image(NEURON, picture, levels, self._neuron_scale())
        elif self.output_mode == CLASSES:
            self._set_image(CLASSES, class_regions_rgb(views.output, self.discretize.isChecked()))
        else:
            self._set_image(self.output_mode, self._output_values(views.output),
                            self.output_levels, self.output_label)  # fmt: skip

    def output_picture(self):
        """The output as this panel colours it, to keep with a run: ``(rgb, extent, curve)``,
        an RGB image (h, w, 3) uint8 over ``extent`` for plane data, or the (2, n) prediction
        curve (x, output) of 1D data; three Nones before the first picture."""
        views, info = self.views_data, self.run_info
        if views is None or info is None:
            return None, None, None
        if info.kind == LINE:
            curve = np.vstack([views.xs, np.asarray(views.output)[:, 0]]).astype(np.float32)
            return None, None, curve
        if self.output_mode == CLASSES:
            rgb = class_regions_rgb(views.output, self.discretize.isChecked())
        else:
            values = self._output_values(views.output)
            rgba, _ = pg.functions.makeRGBA(values, levels=self.output_levels, lut=self.region_lut)
            rgb = rgba[..., :3]
        return np.ascontiguousarray(rgb), tuple(info.extent), None

    def _output_values(self, output: np.ndarray) -> np.ndarray:
        values = output[..., 0]
        if self.discretize.isChecked():
            low, high = self.output_levels
            if self.output_mode == BINARY:
                classes = predict_classes(self.run_info.spec, output.reshape(-1, output.shape[-1]))
                values = np.where(classes.reshape(values.shape) == 1, high, low)
            else:
                step = high / REGRESSION_BANDS
                values = np.round(values / step) * step
        return np.ascontiguousarray(values, dtype=np.float32)

    def _set_image(self, mode: str, image: np.ndarray, levels=(0, 255), label: str = "") -> None:
        if mode != self.image_mode:
            self.image_mode = mode
            lut = {CLASSES: None, NEURON: self.neuron_lut}.get(mode, self.region_lut)
            self.image.setLookupTable(lut)
            self.colorbar.setColorMap(diverging_map(1.0 if mode == NEURON else REGION_STRENGTH))
            self.colorbar.setVisible(mode != CLASSES)
        scale = (tuple(levels), label)
        # Redrawing the colour bar every frame would cost more than the image: only on change.
        if mode != CLASSES and scale != (tuple(self.colorbar.levels()), self.colorbar_label):
            self.colorbar.setLevels(levels)
            self.colorbar.getAxis("left").setLabel(label)
            self.colorbar_label = label
        x0, x1, y0, y1 = self.run_info.extent
        self.image.setImage(image, autoLevels=False, levels=levels, rect=(x0, y0, x1 - x0, y1 - y0))

    # --- neurons -------------------------------------------------------------------------

    def _neuron_values(self, views: Views) -> np.ndarray | None:
        if self.neuron is None:
            return None
        layer, unit = self.neuron
        pictures = views.inputs if layer < 0 else (
            views.neurons[layer] if layer < len(views.neurons) else None
        )  # fmt: skip
        if pictures is None or not 0 <= unit < len(pictures):
            return None
        return pictures[unit]

    def _neuron_levels(self, picture: np.ndarray) -> tuple[float, float]:
        layer = self.neuron[0]
        activation = self.run_info.spec.activations[layer] if layer >= 0 else "linear"
        if activation in BOUNDED_LEVELS:
            return BOUNDED_LEVELS[activation]
        level = symmetric_level(picture)
        return (-level, level)

    def _neuron_name(self) -> str:
        layer, unit = self.neuron
        if layer < 0:
            names = self.run_info.input_names
            return names[unit] if unit < len(names) else f"input {unit + 1}"
        spec = self.run_info.spec
        name = self.run_info.layer_names[layer] if layer < len(self.run_info.layer_names) else ""
        return f"{name} · neuron {unit + 1} ({spec.activations[layer]})"

    def _neuron_scale(self) -> str:
        """The colour bar's word for a neuron's values (the title names the neuron): short,
        so it fits along the bar."""
        return "input" if self.neuron[0] < 0 else "activation"

    def _set_title(self) -> None:
        if self.neuron is not None and self.run_info is not None:
            self.title.setText(f"<b>{self._neuron_name()}</b>")
            self.title.setToolTip("The neuron under the mouse in the diagram")
        elif self.run_info is not None and self.run_info.kind == LINE:
            self.title.setText("<b>Prediction</b>")
            self.title.setToolTip("The network's prediction (line) and the targets (points)")
        else:
            self.title.setText("<b>Network output</b>")
            self.title.setToolTip("The network's output over the input plane, data on top")

    def set_highlight(self, points: np.ndarray | None) -> None:
        """Ring ``points`` ((n, 2) in view coordinates); None rings none."""
        if points is None or not len(points):
            self.highlight.setData([], [])
        else:
            self.highlight.setData(pos=np.asarray(points, np.float64))

    def _on_show_test_toggled(self, on: bool) -> None:
        self.points.set_visible(not self.painted, on and not self.painted)
        self.painter.items[True].setVisible(on)

    # --- painting --------------------------------------------------------------------------

    def set_data(self, dataset, task: str = "", source=None) -> None:
        """The design's data, for painting: 2D data can be painted on (``source()`` gives a
        built-in set's points to paint over); painted points are drawn from the design, and
        with fewer than two there is no run to show, only the plane to paint on."""
        paintable = (*DATASETS_2D, *DATASETS_1D, PAINTED, PAINTED_LINE)
        self.paint_toggle.setEnabled(dataset is not None and dataset.name in paintable)
        if not self.paint_toggle.isEnabled():
            self.paint_toggle.setChecked(False)
        self.painter.set_dataset(dataset, task, source)
        self.painted = self.painter.painted
        self._on_show_test_toggled(self.show_test.isChecked())
        if self.painted and len(dataset.painted) < 2:
            self.views_data = None
            self.image.clear()
            self.prediction.setData([], [])
            self.neuron_curve.setData([], [])
            self.set_highlight(None)
            line = self.painter.line
            x0, x1 = LINE_EXTENT if line else PLAYGROUND_EXTENT
            y0, y1 = EMPTY_LINE_TARGETS if line else PLAYGROUND_EXTENT
            self.plot.setAspectLocked(not line)
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
            self.plot.setLabel("bottom", "x1")
            self.plot.setLabel("left", "target" if line else "x2")
            self.title.setText("<b>Paint two points or more</b>")
            self.title.setToolTip("Training starts from two painted points (one trains, one tests)")
