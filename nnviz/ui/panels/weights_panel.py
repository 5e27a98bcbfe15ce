"""A heatmap of every dense layer's weights, negative orange and positive blue.

Each layer has its own symmetric scale (about ±max|W|, shown by its colour bar), so small
layers stay readable next to large ones. For image data (the digits, MNIST) the first layer is
drawn as one small image per hidden unit, what each unit looks for in the picture, on a row of
its own across the panel: each tile on its own diverging scale centred on 0 (±its largest
|w|), so a unit with small weights shows its strokes as clearly as one with large weights.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.concepts import feature_label
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import diverging_map
from nnviz.ui.panels.curves import nice_ceiling

#: Where a heatmap's bias row sits: this far below the last row of weights.
BIAS_GAP = 0.25
#: Heights (pixels) under which a heatmap (title, cells, axis) or the first layer's images
#: are not squashed: the panel scrolls instead. And a colour bar's row.
HEATMAP_HEIGHT = 130
TILES_HEIGHT = 240
COLORBAR_HEIGHT = 44


class CellAxis(pg.AxisItem):
    """Names at the centres of a heatmap's rows or columns; when the cells are smaller than
    the names, every k-th one, so the labels never run together however small the dock.
    ``bias``: the rows also have a bias row below them, labelled "bias"."""

    def __init__(self, orientation: str, names: list[str], bias: bool = False) -> None:
        super().__init__(orientation)
        self.names = names
        self.bias = bias

    def set_names(self, names: list[str]) -> None:
        self.names = names
        self.picture = None  # pyqtgraph's drawing of the ticks, made again when painted
        self.update()

    def tickValues(self, minVal, maxVal, size):
        cells = abs(maxVal - minVal)  # an inverted axis (rows top down) gives max first
        if not self.names or size <= 0 or cells == 0:
            return []
        metrics = QFontMetrics(self.style["tickFont"] or self.font())
        if self.orientation in ("left", "right"):
            needed = metrics.height()
        else:
            needed = max(metrics.horizontalAdvance(name) for name in self.names) + 6
        step = max(1, math.ceil(needed / (size / cells)))
        values = [i + 0.5 for i in range(0, len(self.names), step)]
        bias_row = len(self.names) + BIAS_GAP + 0.5
        if self.bias and min(minVal, maxVal) <= bias_row <= max(minVal, maxVal):
            values.append(bias_row)
        return [(float(step), values)]

    def tickStrings(self, values, scale, spacing):
        return [self.names[int(v)] if v < len(self.names) else "bias" for v in values]


def mosaic_grid(n_tiles: int) -> tuple[int, int]:
    """Rows and columns of a near-square grid holding ``n_tiles``."""
    cols = max(1, math.ceil(math.sqrt(n_tiles)))
    return math.ceil(n_tiles / cols), cols


def weight_mosaic(
    weights: np.ndarray, image_shape: tuple[int, int], per_tile: bool = False
) -> np.ndarray:
    """Rows of ``weights`` (units, h*w) as h-by-w tiles in a grid, NaN (transparent) between.

    ``per_tile`` divides each tile by its own largest |w| (so every tile spans -1..1, 0 stays
    0): each unit's pattern readable whatever the size of its weights."""
    units = len(weights)
    if per_tile:
        peaks = np.abs(weights).max(axis=1, keepdims=True)
        weights = weights / np.where(peaks > 0, peaks, 1.0)
    rows, cols = mosaic_grid(units)
    h, w = image_shape
    tiles = np.full((rows * cols, h + 1, w + 1), np.nan, dtype=np.float32)
    tiles[:units, :h, :w] = weights.reshape(units, h, w)
    grid = tiles.reshape(rows, cols, h + 1, w + 1).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(grid.reshape(rows * (h + 1), cols * (w + 1))[:-1, :-1])


def symmetric_levels(weights: np.ndarray) -> tuple[float, float]:
    """±(max|W| rounded up to a nice number): symmetric, and steady from frame to frame, so
    the colours don't flicker and the colour bar is not redrawn every frame."""
    finite = np.abs(weights[np.isfinite(weights)])
    level = nice_ceiling(float(max(finite.max(initial=0.0), 1e-6)))
    return -level, level


class WeightsPanel(LivePanel):
    """One heatmap per dense layer, titled "from → to": a row per input of the layer (names
    fit on the left axis), a column per unit of the layer, the cell the weight between them;
    the units' biases in a row of their own below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsPanel")
        self.setMinimumSize(260, 180)
        self.params = None
        self.mosaic_shape: tuple[int, int] | None = None  # (h, w) of a tile, if layer 0 is tiled
        self.plots = PanelPlots()
        self.plots.setObjectName("weightsPlots")
        self.plot_widgets.append(self.plots)
        self.layers: list[tuple[pg.PlotItem, pg.ImageItem, pg.ColorBarItem]] = []
        #: Per layer, the row of its biases under its weights (None where tiles are shown).
        self.bias_images: list[pg.ImageItem | None] = []
        #: Per layer index, its plot, images and colour bar, made once and given to each run
        #: (making pyqtgraph plots is what a new run's set-up cost most: about 20 ms each).
        self._made: list[tuple[pg.PlotItem, pg.ImageItem, pg.ImageItem, pg.ColorBarItem]] = []
        self._per_row = 0  # layers per row of the current arrangement
        self.lut = diverging_map().getLookupTable(nPts=256)
        self.scroll = QScrollArea(objectName="weightsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.plots)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.scroll)

    def _start(self, info: RunInfo) -> None:
        self.params = None
        self.plots.clear()
        self.layers = []
        self.bias_images = []
        sizes = info.spec.sizes
        shape = info.image_shape
        tiled = shape is not None and shape[0] * shape[1] == sizes[0]
        self.mosaic_shape = shape if tiled else None
        for k, name in enumerate(info.layer_names):
            tiled_here = k == 0 and tiled
            plot, image, bias, colorbar = self._layer_items(k)
            image.clear()
            bias.clear()
            bias.setVisible(not tiled_here)
            plot.setAspectLocked(tiled_here)
            for side in ("left", "bottom"):
                plot.showAxis(side, not tiled_here)
            if tiled_here:
                plot.setTitle(
                    f"{name}: what each unit sees (each tile on its own ± scale)",
                    size="9pt",
                )
            else:
                self._name_cells(plot, info, k)
                previous = "inputs" if k == 0 else info.layer_names[k - 1]
                plot.setTitle(f"{previous} → {name}", size="9pt")
            self.bias_images.append(None if tiled_here else bias)
            self.layers.append((plot, image, colorbar))
        self._per_row = 0
        self._arrange()
        self._size_tiles()
        self._style_plots()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()
        self._size_tiles()

    def _size_tiles(self) -> None:
        """The images get most of the panel's height (stretch factors alone leave an
        aspect-locked plot its small preferred size next to the heatmaps' axes)."""
        if self.mosaic_shape is not None and self.layers:
            height = max(TILES_HEIGHT, 0.45 * self.scroll.viewport().height())
            self.layers[0][0].setMinimumHeight(height)

    def _least_height(self) -> int:
        """The height the plots need unsquashed: more than the panel has, and it scrolls."""
        heatmaps = len(self.layers) - (self.mosaic_shape is not None)
        rows = math.ceil(heatmaps / max(1, self._per_row))
        tiles = TILES_HEIGHT + COLORBAR_HEIGHT if self.mosaic_shape is not None else 0
        return rows * (HEATMAP_HEIGHT + COLORBAR_HEIGHT) + tiles

    def _arrange(self) -> None:
        """As many layers side by side as fit the panel's width; the others on further rows."""
        if not self.layers:
            return
        cell = max(p.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() for p, _, _ in self.layers)
        width = self.scroll.viewport().width()
        per_row = max(1, min(len(self.layers), int(width // (cell + 12))))
        if per_row == self._per_row:
            return
        if self._per_row:
            for plot, _image, colorbar in self.layers:
                self.plots.removeItem(plot)
                self.plots.removeItem(colorbar)
        self._per_row = per_row
        first = 0
        if self.mosaic_shape is not None:  # the images get a row of their own, the full width
            plot, _image, colorbar = self.layers[0]
            self.plots.addItem(plot, row=0, col=0, colspan=per_row)
            self.plots.addItem(colorbar, row=1, col=0, colspan=per_row)
            self.plots.ci.layout.setRowStretchFactor(0, 5)
            first = 1
        for k, (plot, _image, colorbar) in enumerate(self.layers[first:]):
            row, col = 2 * (first + k // per_row), k % per_row
            plot.setMinimumHeight(HEATMAP_HEIGHT)
            self.plots.addItem(plot, row=row, col=col)
            self.plots.addItem(colorbar, row=row + 1, col=col)
        self.plots.setMinimumHeight(self._least_height())

    def _layer_items(self, k: int):
        """Layer ``k``'s plot, weights and bias images, and colour bar (made on first use)."""
        while len(self._made) <= k:
            axes = {"left": CellAxis("left", [], bias=True), "bottom": CellAxis("bottom", [])}
            plot = pg.PlotItem(axisItems=axes)
            plot.setMenuEnabled(False)
            plot.invertY(True)
            image, bias = pg.ImageItem(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
            for item in (image, bias):
                item.setLookupTable(self.lut)
                plot.addItem(item)
            colorbar = pg.ColorBarItem(
                values=(-1, 1), width=10, colorMap=diverging_map(), interactive=False,
                orientation="horizontal", colorMapMenu=False,
            )  # fmt: skip
            self._made.append((plot, image, bias, colorbar))
        return self._made[k]

    @staticmethod
    def _name_cells(plot: pg.PlotItem, info: RunInfo, k: int) -> None:
        """Layer ``k``'s inputs down the left (by name for the first layer), units across."""
        n_in, n_out = info.spec.sizes[k], info.spec.sizes[k + 1]
        named = k == 0 and len(info.input_names) == n_in
        inputs = (
            [feature_label(name) for name in info.input_names]
            if named
            else [str(i + 1) for i in range(n_in)]
        )
        left, bottom = plot.getAxis("left"), plot.getAxis("bottom")
        left.set_names(inputs)
        # Wide enough for the longest name (pyqtgraph would hide the labels that don't fit).
        longest = max([*inputs, "bias"], key=len)
        left.setWidth(QFontMetrics(left.font()).horizontalAdvance(longest) + 16)
        bottom.set_names([str(i + 1) for i in range(n_out)])

    def _take(self, frame: Frame) -> None:
        self.params = frame.snapshot.params

    def refresh(self) -> None:
        if self.params is None:
            return
        for k, ((_plot, image, colorbar), bias_image, (weights, bias)) in enumerate(
            zip(self.layers, self.bias_images, self.params, strict=False)
        ):
            if k == 0 and self.mosaic_shape is not None:
                levels = (-1.0, 1.0)
                picture = weight_mosaic(weights, self.mosaic_shape, per_tile=True)
                rect = (0, 0, picture.shape[1], picture.shape[0])
            else:
                levels = symmetric_levels(weights)
                picture = np.ascontiguousarray(weights.T, dtype=np.float32)
                rect = (0, 0, weights.shape[0], weights.shape[1])
            image.setImage(picture, autoLevels=False, levels=levels, rect=rect)
            if bias_image is not None:
                row = np.ascontiguousarray(bias[None, :], dtype=np.float32)
                where = (0, weights.shape[1] + BIAS_GAP, weights.shape[0], 1)
                bias_image.setImage(row, autoLevels=False, levels=levels, rect=where)
            if colorbar.levels() != levels:
                colorbar.setLevels(levels)
