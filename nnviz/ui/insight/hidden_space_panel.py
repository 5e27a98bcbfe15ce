"""The Hidden space dock: the input plane's grid and the data as a hidden layer sees them.

Follows the run live: each frame's weights go to a background task that maps the grid lines
and the training points through the chosen layer (:func:`nnviz.core.insight.hidden_space.
map_hidden_space`); the slider then blends between the input plane and the layer's plane in
the GUI thread (only arithmetic on a few thousand points). Nothing is computed while the dock
is out of sight; it catches up when shown. Drawing a mapping is heavy (thousands of points):
its cost counts in the panel's pace, so the next mapping waits for it; and the mapping itself
keeps within :data:`~nnviz.core.run.pacing.BACKGROUND_SHARE` of a core (at MNIST's size one
takes a tenth of a second or more, back to back they took half of training's core).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.insight.hidden_space import (
    PCA,
    UNITS,
    blend,
    grid_lines,
    map_hidden_space,
    padded_bounds,
)
from nnviz.core.nn.network import REGRESSION
from nnviz.core.run.frames import LINE, Frame, RunInfo
from nnviz.core.run.pacing import BACKGROUND_SHARE, ViewsPace
from nnviz.core.run.projection import plane_projection
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import class_color, class_regions_rgb, series_color

#: Blend slider steps, and the animation's step and frame interval (ms): about 2 s each way.
BLEND_STEPS = 100
ANIMATION_STEP = 2
ANIMATION_MS = 40
GRID_COLOR = QColor(128, 128, 128, 110)
#: The output's classes behind the points: pale, so the points' own colours stand out.
REGION_OPACITY = 0.45
#: Training points mapped and drawn at most (the first ones: the data is shuffled); beyond a
#: few thousand the picture says no more, and mapping 60,000 images every frame would not keep
#: up with training.
POINTS_LIMIT = 5000


class HiddenSpacePanel(LivePanel):
    """Grid lines and training points mapped through a hidden layer, blended with the input."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hiddenSpacePanel")
        self.setMinimumSize(280, 280)
        self.session = session
        self.space = None  # the latest HiddenSpace
        self.mapped_params = None  # the weights it was mapped from
        self._params = None  # the latest weights, waiting to be mapped
        self._inputs = None  # (line_inputs, lines_in, point_inputs, points_in) of the run
        self._pending = False  # newer weights came while a mapping was running
        self._mapping_pace = ViewsPace(BACKGROUND_SHARE)  # the mappings' share of a core
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(self._map_pending)
        self.task = BackgroundTask(self)
        self.task.setObjectName("hiddenSpaceTask")
        self.task.sigDone.connect(self._on_mapped)
        self.task.sigFailed.connect(self._on_failed)

        self.layer = QComboBox(objectName="hiddenLayerCombo")
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer.setToolTip("The hidden layer whose space is shown")
        self.axes = QComboBox(objectName="hiddenAxesCombo")
        self.axes.addItem("Principal components", PCA)
        self.axes.addItem("Two units", UNITS)
        self.axes.setToolTip(
            "A layer of two units is shown as it is; a wider one on the plane of its first two "
            "principal components (of the training points' activations) or on two of its units"
        )
        self.unit_x = QSpinBox(objectName="hiddenUnitX", minimum=1, value=1, prefix="unit ")
        self.unit_y = QSpinBox(objectName="hiddenUnitY", minimum=1, value=2, prefix="unit ")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="hiddenBlendSlider")
        self.slider.setRange(0, BLEND_STEPS)
        self.slider.setValue(BLEND_STEPS)
        self.slider.setToolTip(
            "Slide from the input plane (left) to the layer's space (right) to watch the layer "
            "bend the plane"
        )
        self.animate = QPushButton("Animate", objectName="hiddenAnimateButton", checkable=True)
        self.animate.setToolTip("Move back and forth between the input and the layer")
        self.blend_label = QLabel(objectName="hiddenBlendLabel")
        self.message = QLabel(objectName="hiddenSpaceMessage", wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.plots = PanelPlots()
        self.plots.setObjectName("hiddenSpacePlots")
        self.plot_widgets.append(self.plots)
        self.plot = self.plots.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.disableAutoRange()
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setZValue(-1)
        self.regions.setOpacity(REGION_OPACITY)
        self.plot.addItem(self.regions)
        self.lines = pg.PlotCurveItem(pen=pg.mkPen(GRID_COLOR, width=1), connect="finite")
        self.plot.addItem(self.lines)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen(255, 255, 255, 200, width=0.8))
        self.points.setZValue(2)
        self.plot.addItem(self.points)
        boundary_pen = pg.mkPen(series_color(3), width=2.5, style=Qt.PenStyle.DashLine)
        self.boundary = pg.PlotCurveItem(pen=boundary_pen)
        self.boundary.setZValue(3)
        self.plot.addItem(self.boundary)

        self._direction = -ANIMATION_STEP
        self._animation = QTimer(self, interval=ANIMATION_MS)
        self._animation.timeout.connect(self._animate_step)

        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.layer)
        top.addWidget(self.axes)
        top.addWidget(self.unit_x)
        top.addWidget(self.unit_y)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("input"))
        bottom.addWidget(self.slider, 1)
        bottom.addWidget(self.blend_label)
        bottom.addWidget(self.animate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.plots, 1)
        layout.addLayout(bottom)

        self.layer.currentIndexChanged.connect(self._on_choice)
        self.axes.currentIndexChanged.connect(self._on_choice)
        self.unit_x.valueChanged.connect(self._on_choice)
        self.unit_y.valueChanged.connect(self._on_choice)
        self.slider.valueChanged.connect(self._draw)
        self.animate.toggled.connect(self._on_animate)
        self._style_plots()
        self._set_enabled(False)

    # --- the run ------------------------------------------------------------------------------

    def _start(self, info: RunInfo) -> None:
        self.task.cancel()
        self._mapping_pace = ViewsPace(BACKGROUND_SHARE)
        self.space, self.mapped_params, self._params, self._inputs = None, None, None, None
        self._unprepared = None
        self.points.clear()
        self.regions.clear()
        self.lines.setData([], [])
        self.boundary.setData([], [])
        hidden = info.spec.n_layers - 1
        problem = None
        if hidden == 0:
            problem = "This network has no hidden layer: add one to see how it bends the plane."
        elif info.kind == LINE:
            problem = "The hidden space needs data with two inputs or more (this data has one)."
        elif self.session.pipeline is None or self.session.dataset is None:
            problem = "Waiting for the run's data."
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        self.plots.setVisible(problem is None)
        self._set_enabled(problem is None)
        self.layer.blockSignals(True)
        self.layer.clear()
        for k in range(hidden):
            self.layer.addItem(f"hidden {k + 1} ({info.spec.sizes[k + 1]} units)", k)
        self.layer.setCurrentIndex(hidden - 1)  # the last: where the classes should separate
        self.layer.blockSignals(False)
        if problem is None:
            # made with the first mapping, in the background: on wide data the plane alone is
            # a principal-component analysis of the training points
            self._unprepared = (info, self.session.dataset, self.session.pipeline)
            self._colours = self._point_brushes(info)
        self._update_unit_boxes()

    def _point_brushes(self, info: RunInfo):
        shown = min(len(info.train_points), POINTS_LIMIT)
        if info.spec.task == REGRESSION:
            return [pg.mkBrush(series_color(0))] * shown
        brushes = [pg.mkBrush(class_color(k)) for k in range(max(2, len(info.class_names)))]
        return [brushes[int(k)] for k in info.train_labels[:shown]]

    def _take(self, frame: Frame) -> bool | None:
        if self._inputs is None and self._unprepared is None:
            return False
        self._params = frame.snapshot.params
        return None

    def refresh(self) -> None:
        """Map the latest weights in the background; weights that come while a mapping runs
        wait for it, the newest only (a run outpaces the mapping, it never queues)."""
        wait = self._mapping_pace.wait(time.monotonic())
        if self.task.busy or wait > 0:
            self._pending = True
            if not self.task.busy and not self._later.isActive():
                self._later.start(math.ceil(wait * 1000))
            return
        self._map()

    def _map(self) -> None:
        self._pending = False
        inputs, unprepared = self._inputs, self._unprepared
        if (inputs is None and unprepared is None) or self._params is None:
            return
        spec, params = self.run_info.spec, self._params
        layer, mode = self.layer.currentData(), self.axes.currentData()
        units = (self.unit_x.value() - 1, self.unit_y.value() - 1)
        if mode == UNITS and units[0] == units[1]:
            units = (units[0], (units[0] + 1) % spec.sizes[layer + 1])

        def steps():
            yield 0.0
            prepared = inputs if inputs is not None else _prepare(*unprepared)
            yield 0.5
            line_inputs, lines_in, point_inputs, points_in = prepared
            began = time.monotonic()  # the mapping's time, not the run's one preparation
            space = map_hidden_space(
                spec, params, layer, line_inputs=line_inputs, lines_in=lines_in,
                point_inputs=point_inputs, points_in=points_in, mode=mode, units=units,
            )  # fmt: skip
            return params, prepared, space, (began, time.monotonic())

        self.task.start(steps)

    # --- drawing ------------------------------------------------------------------------------

    def _on_mapped(self, result) -> None:
        """A mapping came: draw it, charged to the panel's pace with its repaint (newer
        weights wait for the pace: a heavy panel, it draws less often than the curves)."""
        params, self._inputs, space, mapping_time = result
        self._mapping_pace.took(*mapping_time)
        self._unprepared = None
        self.mapped_params, self.space = params, space
        start = time.thread_time()
        self._draw()
        self.pace.add(time.thread_time() - start)
        self.repaint_follows()
        if self._pending:  # newer weights came meanwhile: map them when both paces allow
            now = time.monotonic()
            wait = max(self.pace.wait(now), self._mapping_pace.wait(now))
            self._later.start(math.ceil(wait * 1000))

    def _map_pending(self) -> None:
        if self._pending and not self.task.busy:
            self._map()

    def _on_failed(self, text: str) -> None:
        self.message.setText(f"The hidden space cannot be drawn: {text}")
        self.message.setVisible(True)

    def blend_share(self) -> float:
        return self.slider.value() / BLEND_STEPS

    def _draw(self) -> None:
        space = self.space
        t = self.blend_share()
        layer_name = self.layer.currentText().split(" (")[0] or "layer"
        self.blend_label.setText(f"{layer_name} {t:.0%}")
        if space is None:
            return
        lines = blend(space.lines_in, space.lines_out, t)
        padded = np.concatenate([lines, np.full((len(lines), 1, 2), np.nan)], axis=1)
        flat = padded.reshape(-1, 2)
        self.lines.setData(flat[:, 0], flat[:, 1])
        points = blend(space.points_in, space.points_out, t)
        self.points.setData(pos=points, brush=self._colours)
        labels = space.plane.labels if t >= 0.5 else self.run_info.axis_labels
        self.plot.setLabel("bottom", labels[0])
        self.plot.setLabel("left", labels[1])
        self._draw_regions(space, t)
        self._draw_boundary(space, t)
        self._fit(space, points, lines, t)

    def _draw_regions(self, space, t: float) -> None:
        """The output's classes over the last hidden layer's plane, shaded by confidence (as
        the decision regions are), at the blend's end only: before it, the points are not in
        the layer's space."""
        shown = space.regions is not None and t >= 1.0 and self.run_info.spec.task != REGRESSION
        self.regions.setVisible(shown)
        if not shown:
            return
        outputs = space.regions
        if outputs.shape[-1] == 1:  # one output: the positive class's share of [low, high]
            low = -1.0 if self.run_info.spec.output_activation == "tanh" else 0.0
            q = np.clip((outputs[..., 0] - low) / (1.0 - low), 0.0, 1.0)
            outputs = np.stack([1.0 - q, q], axis=-1)
        self.regions.setImage(class_regions_rgb(outputs, discretize=False))
        (x0, x1), (y0, y1) = space.region_bounds
        self.regions.setRect(x0, y0, x1 - x0, y1 - y0)

    def _draw_boundary(self, space, t: float) -> None:
        """The output's decision line, in the last hidden layer's own space (the blend's end)."""
        if space.decision is None or t < 1.0:
            self.boundary.setData([], [])
            return
        a, d = space.decision
        (x0, x1), (y0, y1) = padded_bounds(space.points_out, space.lines_out)
        if abs(a[1]) >= abs(a[0]):  # y = -(a0 x + d) / a1
            xs = np.array([x0, x1])
            ys = -(a[0] * xs + d) / a[1]
        else:
            ys = np.array([y0, y1])
            xs = -(a[1] * ys + d) / a[0]
        self.boundary.setData(xs, ys)

    def _fit(self, space, points, lines, t: float) -> None:
        """Frame what is drawn: the scale follows the blend, as the layer squeezes the plane."""
        if t >= 1.0 and space.region_bounds is not None:
            x, y = space.region_bounds
        else:
            x, y = padded_bounds(points, lines)
        self.plot.setRange(xRange=x, yRange=y, padding=0)

    # --- controls -----------------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.layer, self.axes, self.unit_x, self.unit_y, self.slider, self.animate):
            widget.setEnabled(enabled)

    def _update_unit_boxes(self) -> None:
        info = self.run_info
        layer = self.layer.currentData()
        width = info.spec.sizes[layer + 1] if info is not None and layer is not None else 2
        wide = width > 2
        self.axes.setVisible(wide)
        picking = wide and self.axes.currentData() == UNITS
        self.unit_x.setVisible(picking)
        self.unit_y.setVisible(picking)
        for box in (self.unit_x, self.unit_y):
            box.blockSignals(True)
            box.setMaximum(max(2, width))
            box.blockSignals(False)

    def _on_choice(self, *_args) -> None:
        self._update_unit_boxes()
        self.space = None
        self._map()  # at once: a mapping still running is for the old choice

    def _on_animate(self, on: bool) -> None:
        if on:
            self._direction = -ANIMATION_STEP if self.slider.value() > 0 else ANIMATION_STEP
            self._animation.start()
        else:
            self._animation.stop()

    def _animate_step(self) -> None:
        value = self.slider.value() + self._direction
        if not 0 <= value <= BLEND_STEPS:
            self._direction = -self._direction
            value = min(max(value, 0), BLEND_STEPS)
        self.slider.setValue(value)

    def shutdown(self) -> None:
        self._animation.stop()
        self.task.shutdown()


def _prepare(info: RunInfo, dataset, pipeline):
    """The grid lines and training points (the first POINTS_LIMIT: the data is shuffled),
    where they lie and as network inputs. Run in the background task."""
    lines = grid_lines(info.extent)
    flat = lines.reshape(-1, 2).astype(np.float32)
    x_train = dataset.x_train[:POINTS_LIMIT]
    raw = plane_projection(dataset.x_train).unproject(flat) if dataset.n_raw > 2 else flat
    line_inputs = pipeline.transform(raw).astype(np.float32)
    point_inputs = pipeline.transform(x_train, np.float32)
    return line_inputs, lines, point_inputs, info.train_points[:POINTS_LIMIT]
