"""The pieces of the panels' curves over epochs: a bounded history, curves that keep their
spikes at any zoom, the timeline's marker, axes and ranges that do not jitter.

The session keeps every history row (exports need them); a panel only needs enough points to
draw a curve, so :class:`DecimatedHistory` halves its resolution whenever it fills up and its
memory stays flat over a run of any length.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from nnviz.ui.panels.colors import series_color


class DecimatedHistory:
    """Rows of numbers over a whole run, at most ``capacity`` of them kept.

    Row ``i`` of the run is kept while ``i`` is a multiple of the current stride; when the
    buffer is full, every second kept row is dropped and the stride doubles. The latest row
    is always shown, so a curve ends at the current epoch.
    """

    def __init__(self, n_columns: int, capacity: int = 2048) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self._data = np.empty((capacity, n_columns), dtype=np.float64)
        self._kept = 0
        self._stride = 1
        self._seen = 0
        self._latest: np.ndarray | None = None

    def __len__(self) -> int:
        """How many rows the run has had (not how many are kept)."""
        return self._seen

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def append(self, rows: np.ndarray) -> None:
        """Add rows of shape (m, n_columns)."""
        rows = np.asarray(rows, dtype=np.float64)
        for row in rows:
            if self._seen % self._stride == 0:
                self._data[self._kept] = row
                self._kept += 1
                if self._kept == len(self._data):
                    self._halve()
            self._seen += 1
        if len(rows):
            self._latest = rows[-1].copy()

    def _halve(self) -> None:
        half = self._data[::2].copy()
        self._data[: len(half)] = half
        self._kept = len(half)
        self._stride *= 2

    def columns(self) -> np.ndarray:
        """A fresh (k, n_columns) array of the kept rows plus the latest one, for drawing."""
        kept = self._data[: self._kept]
        latest_is_kept = self._kept > 0 and (self._kept - 1) * self._stride == self._seen - 1
        if self._latest is None or latest_is_kept:
            return kept.copy()
        return np.concatenate((kept, self._latest[None, :]))


def peak_points(x: np.ndarray, y: np.ndarray, per_pixel: float) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` with each run of ``per_pixel`` points replaced by its lowest and highest
    value (NaN ignored), so a curve draws two to four points a pixel and spikes stay visible."""
    k = int(per_pixel)
    if k < 2 or len(x) < 2 * k:
        return x, y
    m = len(x) // k * k
    blocks = y[:m].reshape(-1, k)
    peaks = np.empty((len(blocks), 2))
    peaks[:, 0] = np.fmin.reduce(blocks, axis=1)
    peaks[:, 1] = np.fmax.reduce(blocks, axis=1)
    return (
        np.concatenate((np.repeat(x[:m:k], 2), x[m:])),
        np.concatenate((peaks.ravel(), y[m:])),
    )


#: The timeline's colour: its marker on the plots, the handle's epoch.
TIMELINE_COLOR = "#e377c2"


class EpochMarker:
    """A line at the epoch the timeline shows, in each of ``plots`` (hidden while live)."""

    def __init__(self, plots) -> None:
        self.lines = []
        for plot in plots:
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(TIMELINE_COLOR, width=2))
            line.setVisible(False)
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.lines.append(line)

    @property
    def epoch(self) -> float | None:
        line = self.lines[0] if self.lines else None
        return line.value() if line is not None and line.isVisible() else None

    def set(self, epoch: float | None) -> None:
        for line in self.lines:
            line.setVisible(epoch is not None)
            if epoch is not None:
                line.setValue(epoch)


class EpochCurve(pg.PlotCurveItem):
    """A curve over epochs that draws two to four points a pixel, whatever the data's length
    (:func:`peak_points`), and follows its plot's log mode.

    pyqtgraph's PlotDataItem does the same with several times the Python work per frame,
    which the loss and gradient panels paid for every curve, 30 times a second.
    """

    def __init__(self, plot: pg.PlotItem, color: int, width: float, style=None) -> None:
        """A curve in ``plot`` in series colour ``color``, ``width`` pixels wide (a Qt pen
        ``style`` for dashed lines)."""
        pen = pg.mkPen(series_color(color), width=width)
        if style is not None:
            pen.setStyle(style)
        super().__init__(pen=pen, connect="finite")
        self.epochs = self.values = np.empty(0)  # all the data given, drawn or not
        self._log_y = False
        plot.addItem(self)  # after the above: the plot passes on its log mode at once

    def set_points(self, epochs: np.ndarray, values: np.ndarray) -> None:
        self.epochs, self.values = epochs, values
        self._draw()

    def setLogMode(self, x_mode: bool, y_mode: bool) -> None:
        """Called by the plot when its axes change scale (x stays linear: epochs)."""
        self._log_y = y_mode
        self._draw()

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self._draw()  # zoomed or resized: as many points as the pixels now need

    def _draw(self) -> None:
        x, y = self.epochs, self.values
        if self._log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(y), np.nan)
        self.setData(*peak_points(x, y, self._points_per_pixel()))

    def _points_per_pixel(self) -> float:
        view = self.getViewBox()
        if view is None or len(self.epochs) < 2 or view.width() <= 0:
            return 1.0
        (x0, x1), _ = view.viewRange()
        spacing = (self.epochs[-1] - self.epochs[0]) / (len(self.epochs) - 1)
        return (x1 - x0) / spacing / view.width() if spacing > 0 else 1.0


def short_number(value: float) -> str:
    """``1500`` as ``1.5k``, ``2000000`` as ``2M``: epoch labels that fit a narrow plot."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


class EpochAxis(pg.AxisItem):
    """An epoch axis labelled ``1k 2k 3k``: a narrow plot's ``1000 2000 3000`` run together."""

    def __init__(self) -> None:
        super().__init__("bottom")

    def tickStrings(self, values, scale, spacing):
        return [short_number(value * scale) for value in values]


class SparseLogAxis(pg.AxisItem):
    """An axis that, on a log scale, labels only 1, 2 and 5 times a power of ten.

    pyqtgraph labels every minor tick of a narrow log range (0.06, 0.07, 0.08, ...), which
    overlap; these three per decade never do.
    """

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        mantissas = 10.0 ** (np.asarray(values, dtype=float) % 1.0)
        keep = np.isclose(mantissas[:, None], [1.0, 2.0, 5.0, 10.0], rtol=1e-3).any(axis=1)
        return [s if k else "" for s, k in zip(strings, keep, strict=True)]


#: Mantissas of "nice" axis ends: the range grows in steps, so the axes rarely change.
NICE_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value: float) -> float:
    """The smallest ``m × 10^k`` (m in :data:`NICE_STEPS`) at or above a positive ``value``."""
    exponent = math.floor(math.log10(value))
    for mantissa in NICE_STEPS:
        if mantissa * 10.0**exponent >= value * (1 - 1e-9):
            return mantissa * 10.0**exponent
    return 10.0 ** (exponent + 1)


class SteppedRange:
    """Keeps a growing curve in view with axis ends that change in steps, not every frame.

    Re-ranging every frame (pyqtgraph's auto-range) repaints the axes of a plot whose data
    grows each frame, the largest cost of a live plot. Once the user pans or zooms, the plot
    stays where they put it until they press the plot's "A" button.
    """

    def __init__(self, plot: pg.PlotItem, fixed_y: tuple[float, float] | None = None) -> None:
        self.plot = plot
        self.fixed_y = fixed_y
        self.follow = True
        self._last: tuple | None = None
        plot.disableAutoRange()
        plot.vb.sigRangeChangedManually.connect(self._on_user_range)
        plot.autoBtn.clicked.connect(self.resume)

    def resume(self) -> None:
        self.follow = True
        self._last = None

    def _on_user_range(self, *_args) -> None:
        self.follow = False

    def update(self, x_last: float, y_values: np.ndarray, log_y: bool = False) -> None:
        """Show epochs 0 to past ``x_last`` and all of ``y_values`` (ignoring NaN)."""
        if not self.follow:
            return
        x_range = (0.0, nice_ceiling(max(float(x_last), 10.0)))
        y_range = self.fixed_y or self._y_range(y_values, log_y)
        if (x_range, y_range) != self._last:
            self._last = (x_range, y_range)
            self.plot.setRange(xRange=x_range, yRange=y_range, padding=0.02)

    @staticmethod
    def _y_range(values: np.ndarray, log_y: bool) -> tuple[float, float]:
        values = values[np.isfinite(values)]
        if log_y:
            values = values[values > 0]
            if not len(values):
                return (-1.0, 0.0)
            bottom = math.floor(math.log10(values.min()))
            return (bottom, max(math.ceil(math.log10(values.max())), bottom + 1))
        if not len(values):
            return (0.0, 1.0)
        low, high = float(values.min()), float(values.max())
        bottom = 0.0 if low >= 0 else -nice_ceiling(-low)
        top = nice_ceiling(high) if high > 0 else 0.0
        return (bottom, top if top > bottom else bottom + 1.0)
