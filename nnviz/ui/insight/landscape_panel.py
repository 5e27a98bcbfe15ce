"""The Loss landscape dock: the training loss on a plane through the current weights.

Computed on demand (Compute) or every N epochs while training, always in a background task
with a progress bar and a Cancel button; drawn as a heatmap of the loss with contour lines,
the current weights at the centre and the optimizer's path projected onto the plane. The path
is made of the weights this window received during the run (one per frame, thinned to at most
:data:`PATH_LIMIT` as the run grows), not of every step. Beside it, the 1D slice from the
run's first weights to the current ones.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.insight.landscape import (
    DEFAULT_GRID,
    DEFAULT_SPAN,
    PATH,
    RANDOM,
    interpolation,
    landscape_steps,
)
from nnviz.core.insight.problem import Problem
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import series_color

#: Weights kept for the path: every frame's at first, every second one's once full, and so on.
PATH_LIMIT = 200
#: Training points the window's landscape is evaluated on at most: 41² forward passes over
#: 60,000 MNIST images would take hours; over 5,000 points a few seconds to minutes.
POINTS_LIMIT = 5000
CONTOURS = 10


class LandscapePanel(LivePanel):
    """Loss around the weights (Li et al. 2018) and the slice from the first weights."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePanel")
        self.setMinimumSize(360, 260)
        self.session = session
        self.result = None  # (Landscape, (ts, slice losses), epoch)
        self._latest = None  # latest Snapshot
        self._first = None  # the run's first weights
        self._path: list = []  # weights received during the run, oldest first
        self._stride, self._seen = 1, 0
        self._computed_epoch: int | None = None
        self._points_note = ""
        self.task = BackgroundTask(self)
        self.task.setObjectName("landscapeTask")
        self.task.sigProgress.connect(self._on_progress)
        self.task.sigDone.connect(self._on_done)
        self.task.sigFailed.connect(self._on_failed)

        self.compute = QPushButton("Compute", objectName="landscapeComputeButton")
        self.compute.setToolTip("Compute the loss around the current weights")
        self.compute.clicked.connect(self.start)
        self.cancel = QPushButton("Cancel", objectName="landscapeCancelButton")
        self.cancel.clicked.connect(self._on_cancel)
        self.plane = QComboBox(objectName="landscapePlaneCombo")
        self.plane.addItem("Random directions", RANDOM)
        self.plane.addItem("Path of the run", PATH)
        self.plane.setToolTip(
            "Random directions: two random directions, each neuron's weights scaled to the norm "
            "of its own weights (filter normalisation, Li et al. 2018), the same for a given "
            "seed. Path of the run: the plane of the first two principal components of the "
            "weights this window received during the run, where the path shows best."
        )
        self.grid = QSpinBox(objectName="landscapeGridSpin", minimum=11, maximum=101)
        self.grid.setSingleStep(2)
        self.grid.setValue(DEFAULT_GRID)
        self.grid.setPrefix("grid ")
        self.grid.setToolTip("Points along each axis (odd, so the weights sit at the centre)")
        self.grid.editingFinished.connect(self._make_grid_odd)
        self.span = QDoubleSpinBox(objectName="landscapeSpanSpin", minimum=0.05, maximum=20)
        self.span.setValue(DEFAULT_SPAN)
        self.span.setSingleStep(0.25)
        self.span.setPrefix("± ")
        self.span.setToolTip("How far the plane reaches, in units of the normalised directions")
        self.seed = QSpinBox(objectName="landscapeSeedSpin", minimum=0, maximum=999_999)
        self.seed.setPrefix("seed ")
        self.seed.setToolTip("Seed of the two random directions")
        self.auto = QCheckBox("every", objectName="landscapeAutoToggle")
        self.auto.setToolTip("Recompute while training, every so many epochs")
        self.every = QSpinBox(objectName="landscapeEverySpin", minimum=1, maximum=100_000)
        self.every.setValue(50)
        self.every.setSuffix(" epochs")
        self.progress = QProgressBar(objectName="landscapeProgress", maximum=1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(120)
        self.status = QLabel(objectName="landscapeStatus", wordWrap=True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.plots = PanelPlots()
        self.plots.setObjectName("landscapePlots")
        self.plot_widgets.append(self.plots)
        self.plot = self.plots.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "α (direction 1)")
        self.plot.setLabel("left", "β (direction 2)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colormap = pg.colormap.get("viridis")
        self.colorbar = pg.ColorBarItem(
            values=(0, 1), width=12, colorMap=self.colormap, interactive=False,
            colorMapMenu=False, label="log₁₀ loss",
        )  # fmt: skip
        self.plots.addItem(self.colorbar, row=0, col=1)
        self.contours = []
        self.path_curve = pg.PlotDataItem(
            pen=pg.mkPen("w", width=1.5), symbol="o", symbolSize=3, symbolBrush="w"
        )
        self.path_curve.setZValue(3)
        self.plot.addItem(self.path_curve)
        self.marker = pg.ScatterPlotItem(
            size=14, symbol="+", pen=pg.mkPen("#ff3030", width=3), brush=None
        )
        self.marker.setZValue(4)
        self.plot.addItem(self.marker)
        self.slice_plot = self.plots.addPlot(row=0, col=2)
        self.slice_plot.setMenuEnabled(False)
        self.slice_plot.setLabel("bottom", "first (0) → current (1) weights")
        self.slice_plot.setLabel("left", "training loss")
        self.slice_plot.getAxis("left").enableAutoSIPrefix(False)
        self.slice_curve = self.slice_plot.plot(pen=pg.mkPen(series_color(0), width=2))
        self.slice_marks = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(series_color(3)))
        self.slice_plot.addItem(self.slice_marks)
        self.plots.ci.layout.setColumnStretchFactor(0, 3)
        self.plots.ci.layout.setColumnStretchFactor(2, 2)

        top = QHBoxLayout()
        for widget in (self.compute, self.cancel, self.plane, self.grid, self.span, self.seed):
            top.addWidget(widget)
        top.addWidget(self.auto)
        top.addWidget(self.every)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress)
        bottom.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plots, 1)
        layout.addLayout(bottom)
        self._style_plots()
        self._set_busy(False)
        self._say("Press Compute to see the loss around the current weights.")

    # --- the run ------------------------------------------------------------------------------

    def _start(self, info: RunInfo) -> None:
        self.task.cancel()
        self._set_busy(False)
        self.result, self._latest, self._first = None, None, None
        self._path, self._stride, self._seen = [], 1, 0
        self._computed_epoch = None
        self._clear()
        perceptron = info.spec.is_perceptron
        self.compute.setEnabled(not perceptron)
        self._say(
            "The perceptron's step output has no smooth loss to look around."
            if perceptron
            else "Press Compute to see the loss around the current weights."
        )

    def _take(self, frame: Frame) -> bool | None:
        snapshot = frame.snapshot
        if self._first is None:
            self._first = snapshot.params
        self._latest = snapshot
        self._keep_on_path(snapshot.params)
        self._start_if_due()
        return False  # nothing to redraw until a landscape is computed

    def _start_if_due(self) -> None:
        """Every N epochs: start when N epochs have passed and nothing is being computed (a
        landscape due while one runs starts when that one is done)."""
        if not self.auto.isChecked() or self._latest is None or self.task.busy:
            return
        epoch = self._latest.metrics.epoch
        due = self._computed_epoch is None or epoch - self._computed_epoch >= self.every.value()
        if due and self.compute.isEnabled():
            self.start()

    def _keep_on_path(self, params) -> None:
        """Every ``stride``-th weights; when full, drop every second kept and double it."""
        if self._seen % self._stride == 0:
            if self._path and self._path[-1] is params:
                return
            self._path.append(params)
            if len(self._path) > PATH_LIMIT:
                self._path = self._path[::2]
                self._stride *= 2
        self._seen += 1

    # --- computing ----------------------------------------------------------------------------

    def start(self) -> None:
        """Compute the landscape around the latest weights (in the background)."""
        if self._latest is None or self.session.pipeline is None:
            self._say("No weights yet: press Play or Step first.")
            return
        info = self.run_info
        dtype = np.asarray(self._latest.params[0][0]).dtype
        dataset = self.session.dataset
        problem = Problem.from_run(info.spec, self.session.pipeline, dataset, dtype, POINTS_LIMIT)
        self._points_note = (
            f" (on {len(problem.x):,} of the {len(dataset.x_train):,} training points)"
            if len(problem.x) < len(dataset.x_train)
            else ""
        )
        params = [(np.asarray(w), np.asarray(b)) for w, b in self._latest.params]
        first = self._first
        path = list(self._path)
        if path and path[-1] is not self._latest.params:
            path.append(self._latest.params)
        plane = self.plane.currentData()
        if plane == PATH and len(path) < 3:
            self._say("The path's plane needs a few epochs of the run: train a little first.")
            return
        grid, span, seed = self._odd_grid(), self.span.value(), self.seed.value()
        epoch = self._latest.metrics.epoch

        def steps():
            landscape = yield from landscape_steps(
                problem, params, grid=grid, span=span, seed=seed, plane=plane, path=path
            )
            return landscape, interpolation(problem, first, params), epoch

        self._computed_epoch = epoch
        self._set_busy(True)
        self._say(
            f"Computing the loss on a {grid}×{grid} grid around the weights of epoch {epoch}…"
        )
        self.task.start(steps)

    def _on_progress(self, share: float) -> None:
        self.progress.setValue(round(share * self.progress.maximum()))

    def _on_done(self, result) -> None:
        self._set_busy(False)
        self.result = result
        self._stale = True
        self._refresh_when_visible()
        self._start_if_due()

    def _on_failed(self, text: str) -> None:
        self._set_busy(False)
        self._say(f"The landscape cannot be computed: {text}")

    def _on_cancel(self) -> None:
        self.task.cancel()
        self._set_busy(False)
        self._say("Cancelled.")

    # --- drawing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.result is None:
            return
        landscape, (ts, losses), epoch = self.result
        finite = np.isfinite(landscape.loss)
        if not finite.any():
            self._say("The loss is not finite anywhere on this plane: try a smaller span.")
            return
        floor = max(float(landscape.loss[finite].min()), 1e-12)
        logs = np.log10(np.clip(np.where(finite, landscape.loss, np.nan), floor, None))
        top = float(np.nanmax(logs))
        logs = np.nan_to_num(logs, nan=top).astype(np.float32)
        low = float(logs.min())
        levels = (low, top if top > low else low + 1e-6)
        step = landscape.alphas[1] - landscape.alphas[0]
        a0, b0 = landscape.alphas[0] - step / 2, landscape.betas[0] - step / 2
        extent = landscape.alphas[-1] - landscape.alphas[0] + step
        # loss[i, j] is at (alphas[i], betas[j]): rows are α, so α runs up the image's rows;
        # transposed, rows are β (up) and columns α (across).
        image = np.ascontiguousarray(logs.T)
        self.image.setImage(image, levels=levels, lut=self.colormap.getLookupTable(nPts=256))
        self.image.setRect(a0, b0, extent, extent)
        self.colorbar.setLevels(levels)
        self._draw_contours(image, levels)
        self.marker.setData([0.0], [0.0])
        if landscape.path is not None:
            self.path_curve.setData(landscape.path[:, 0], landscape.path[:, 1])
        else:
            self.path_curve.setData([], [])
        if landscape.plane == PATH:
            share = landscape.explained
            self.plot.setLabel("bottom", f"α (path component 1, {share[0]:.0%})")
            self.plot.setLabel("left", f"β (path component 2, {share[1]:.0%})")
        else:
            self.plot.setLabel("bottom", "α (direction 1)")
            self.plot.setLabel("left", "β (direction 2)")
        self.plot.setRange(xRange=(a0, a0 + extent), yRange=(b0, b0 + extent), padding=0)
        self.slice_curve.setData(ts, losses)
        ends = [list(ts).index(0.0), list(ts).index(1.0)]
        self.slice_marks.setData(ts[ends], losses[ends])
        where = (
            "random plane, seed " + str(landscape.seed)
            if landscape.plane == RANDOM
            else ("plane of the run's path")
        )
        path_note = (
            f"; path: {len(landscape.path)} of the weights received during the run"
            if landscape.path is not None
            else ""
        )
        self._say(
            f"Loss at the weights of epoch {epoch}: {landscape.centre:.4g} (red +), "
            f"from {float(landscape.loss[finite].min()):.4g} to "
            f"{float(landscape.loss[finite].max()):.4g} on the {where}{path_note}"
            f"{self._points_note}."
        )

    def _draw_contours(self, image, levels) -> None:
        self._remove_contours()
        pen = pg.mkPen(255, 255, 255, 110, width=1)
        for level in np.linspace(*levels, CONTOURS + 2)[1:-1]:
            item = pg.IsocurveItem(data=image.T, level=float(level), pen=pen)
            item.setParentItem(self.image)
            item.setPos(0.5, 0.5)  # data points sit at the pixels' centres
            item.setZValue(2)
            self.contours.append(item)

    def _remove_contours(self) -> None:
        for item in self.contours:
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.contours = []

    def _clear(self) -> None:
        self.image.clear()
        self._remove_contours()
        self.path_curve.setData([], [])
        self.marker.setData([], [])
        self.slice_curve.setData([], [])
        self.slice_marks.setData([], [])

    # --- controls -----------------------------------------------------------------------------

    def _odd_grid(self) -> int:
        value = self.grid.value()
        return value if value % 2 else value + 1

    def _make_grid_odd(self) -> None:
        self.grid.setValue(self._odd_grid())

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)

    def shutdown(self) -> None:
        self.task.shutdown()
