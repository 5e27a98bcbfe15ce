"""Weight and gradient histograms over time, as TensorBoard draws them: per layer, a heatmap
with epochs across and values up, each column the distribution at that moment.

Fed by the frames of the live run (one column per epoch a frame brought histograms for: every
epoch when stepping, about a dozen a second while training), or by the checkpoints of a
recorded run (:meth:`HistogramsPanel.show_recorded`). Each column is scaled to its own peak,
so the shape of a narrow distribution shows as clearly as a wide one's; the value axis is the
layer's current range (a power of two that only doubles, see
:mod:`nnviz.core.run.distributions`), older columns mapped onto it exactly.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.run.distributions import BINS, Distributions, rebin
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.panels.base import LivePanel, PanelPlots
from nnviz.ui.panels.colors import BLUE
from nnviz.ui.panels.curves import DecimatedHistory, EpochAxis

#: Columns of a heatmap at most (a longer run is resampled onto this many).
MAX_COLUMNS = 600
#: Columns kept per run (older ones thinned, every second dropped, when it fills).
CAPACITY = 2048
KINDS = ("weights", "gradients")
TITLES = {"weights": "Weights W of {}", "gradients": "Gradients ∂L/∂W of {}"}


class ColumnStore:
    """Every kept column of one run's histograms: a row per epoch of ``[epoch, limits of each
    kind and layer, counts of each kind and layer]`` in a :class:`DecimatedHistory`."""

    def __init__(self, n_layers: int) -> None:
        self.n_layers = n_layers
        self.rows = DecimatedHistory(1 + len(KINDS) * n_layers * (1 + BINS), CAPACITY)
        self.last_epoch: int | None = None

    def add(self, d: Distributions) -> bool:
        """Keep ``d`` as the column of its epoch; False when that epoch has one (a later step
        within it, or a checkpoint shown from the timeline)."""
        if self.last_epoch is not None and d.epoch <= self.last_epoch:
            return False
        if len(d.weights.limits) != self.n_layers:
            return False
        self.last_epoch = d.epoch
        parts = [np.array([d.epoch], np.float64)]
        for kind in KINDS:
            parts.append(getattr(d, kind).limits)
        for kind in KINDS:
            parts.append(getattr(d, kind).counts.ravel())
        self.rows.append(np.concatenate(parts)[None, :])
        return True

    def heatmap(self, kind: str, layer: int) -> tuple[np.ndarray, np.ndarray, float]:
        """(epochs, columns normalised to their peak on the latest range, that range)."""
        data = self.rows.columns()
        epochs = data[:, 0]
        n, i = self.n_layers, KINDS.index(kind)
        limits = data[:, 1 + i * n + layer]
        start = 1 + len(KINDS) * n + (i * n + layer) * BINS
        counts = data[:, start : start + BINS]
        limit = float(limits.max()) if len(limits) else 1.0
        columns = np.empty_like(counts)
        for old in np.unique(limits):
            rows = limits == old
            columns[rows] = counts[rows] if old == limit else rebin(counts[rows], old, limit)
        peaks = columns.max(axis=1, keepdims=True)
        return epochs, columns / np.where(peaks > 0, peaks, 1.0), limit


def epoch_columns(epochs: np.ndarray, most: int = MAX_COLUMNS) -> tuple[np.ndarray, float]:
    """For a heatmap from ``epochs[0]`` to past ``epochs[-1]`` in at most ``most`` equal
    columns: the index of the sample each column shows (the latest at or before it), and the
    width of a column in epochs (1 while the run is short)."""
    span = epochs[-1] - epochs[0] + 1
    count = int(min(span, most))
    width = span / count
    starts = epochs[0] + np.arange(count) * width
    return np.searchsorted(epochs, starts + 1e-9, side="right") - 1, width


class HistogramsPanel(LivePanel):
    """The chosen layer's weight heatmap above its gradient heatmap."""

    sigOpenRun = Signal()  # the user asked for a run file's histograms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogramsPanel")
        self.setMinimumSize(320, 220)
        self.setToolTip(
            "How the chosen layer's weights and gradients are spread, epoch by epoch: each "
            "column is one moment of training,\ndarker where more values lie (each column "
            "scaled to its own peak). A spreading band of weights is learning; a gradient "
            "band shrinking to 0 is a layer that stopped."
        )
        self.live: ColumnStore | None = None
        self.recorded: ColumnStore | None = None
        self.recorded_name = ""
        self._generation: int | None = None  # the live run's
        self.layer_names: tuple[str, ...] = ()

        self.layer_box = QComboBox(objectName="histogramsLayer")
        self.layer_box.setToolTip("The layer whose weights and gradients are shown")
        self.layer_box.currentIndexChanged.connect(lambda _: self._refresh_when_visible())
        self.source = QLabel(objectName="histogramsSource")
        self.open_button = QPushButton("From Run File…", objectName="histogramsOpenRun")
        self.open_button.setToolTip(
            "Show the histograms of a recorded run (.nnvizrun), measured at its checkpoints"
        )
        self.open_button.clicked.connect(self.sigOpenRun)
        self.live_button = QPushButton("Back to Live", objectName="histogramsLive")
        self.live_button.clicked.connect(self.show_live)
        self.live_button.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.layer_box)
        top.addWidget(self.source, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.live_button)

        self.plots = PanelPlots()
        self.plots.setObjectName("histogramsPlots")
        self.plot_widgets.append(self.plots)
        self.lut = pg.ColorMap([0.0, 1.0], ["#ffffff", BLUE]).getLookupTable(nPts=256)
        self.heatmaps: dict[str, tuple[pg.PlotItem, pg.ImageItem]] = {}
        for row, kind in enumerate(KINDS):
            plot = self.plots.addPlot(row=row, col=0, axisItems={"bottom": EpochAxis()})
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", "W" if kind == "weights" else "∂L/∂W")
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            image = pg.ImageItem(axisOrder="col-major")
            image.setLookupTable(self.lut)
            image.setLevels((0.0, 1.0))
            plot.addItem(image)
            self.heatmaps[kind] = (plot, image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plots, 1)
        self._style_plots()
        self._show_source()

    # --- where the columns come from ---------------------------------------------------------

    @property
    def store(self) -> ColumnStore | None:
        """The columns on show: the recorded run's while one is shown, else the live run's."""
        return self.recorded if self.recorded is not None else self.live

    def show_recorded(self, name: str, distributions, layer_names) -> None:
        """Show a recorded run's histograms (one :class:`Distributions` per checkpoint)
        instead of the live run's, until :meth:`show_live` or the next run (another
        generation: the run a file's design starts may take on its timeline after this)."""
        store = ColumnStore(len(layer_names))
        for d in distributions:
            store.add(d)
        self.recorded, self.recorded_name = store, name
        self._set_layers(tuple(layer_names))
        self._show_source()
        self._refresh_when_visible()

    def show_live(self) -> None:
        self.recorded = None
        if self.run_info is not None:
            self._set_layers(self.run_info.layer_names)
        self._show_source()
        self._refresh_when_visible()

    def set_progress(self, text: str) -> None:
        self.source.setText(text)

    def _show_source(self) -> None:
        recorded = self.recorded is not None
        self.live_button.setVisible(recorded)
        if recorded:
            self.source.setText(f"{self.recorded_name}: its checkpoints")
        elif self.live is None or self.live.last_epoch is None:
            self.source.setText("Press Play or Step: a column per epoch")
        else:
            self.source.setText("this run, live")

    def _set_layers(self, names: tuple[str, ...]) -> None:
        if names == self.layer_names:
            return
        index = self.layer_box.currentIndex()
        self.layer_names = names
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(list(names))
        self.layer_box.setCurrentIndex(min(max(index, 0), len(names) - 1))
        self.layer_box.blockSignals(False)

    def select(self, layer: int) -> None:
        """Show dense layer ``layer`` (the diagram's selection)."""
        if 0 <= layer < self.layer_box.count():
            self.layer_box.setCurrentIndex(layer)

    # --- the live panel ----------------------------------------------------------------------

    def _start(self, info: RunInfo) -> None:
        self.live = ColumnStore(len(info.layer_names))
        if info.generation != self._generation:  # the same run starting again (taking on a
            self.recorded = None  # run file's timeline) keeps the recorded run on show
        self._generation = info.generation
        self._set_layers(info.layer_names)
        self._show_source()

    def _take(self, frame: Frame) -> bool:
        if frame.distributions is None or self.live is None:
            return False
        if not self.live.add(frame.distributions):
            return False
        if self.recorded is None and self.live.last_epoch == frame.distributions.epoch:
            self._show_source()
        return self.recorded is None

    def columns_shown(self) -> int:
        """How many columns the heatmaps have now (0 before any)."""
        image = self.heatmaps["weights"][1].image
        return 0 if image is None else image.shape[0]

    def refresh(self) -> None:
        try:  # called from showEvent too: nothing may escape a Qt override
            self._draw()
        except Exception as error:
            self.source.setText(f"Cannot draw the histograms: {error}")

    def _draw(self) -> None:
        store, layer = self.store, self.layer_box.currentIndex()
        if store is None or store.last_epoch is None or layer < 0:
            for _, image in self.heatmaps.values():
                image.clear()
            return
        name = self.layer_names[layer]
        for kind, (plot, image) in self.heatmaps.items():
            epochs, columns, limit = store.heatmap(kind, layer)
            picked, width = epoch_columns(epochs)
            image.setImage(np.ascontiguousarray(columns[picked], np.float32), autoLevels=False)
            image.setRect(float(epochs[0]), -limit, width * len(picked), 2 * limit)
            title = TITLES[kind].format(name)
            if plot.titleLabel.text != title:  # setting it lays the title out again
                plot.setTitle(title, size="9pt")
            plot.setXRange(float(epochs[0]), float(epochs[0]) + width * len(picked), padding=0)
            plot.setYRange(-limit, limit, padding=0)
