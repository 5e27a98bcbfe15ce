"""The parallel-coordinates plot of a sweep: one vertical axis a setting, the metric last, and
one line a trial through its values, coloured by its metric; click a line to open its trial."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from nnviz.core.sweep.axes import Axis, metric_axis, setting_axis
from nnviz.core.sweep.plan import TrialResult
from nnviz.core.sweep.spec import Setting
from nnviz.ui.panels.colors import apply_theme, theme_colors
from nnviz.ui.sweep.trial_colors import trial_colors

#: Room above and below the axes for their end labels.
MARGIN = 0.08


class ParallelCoordinates(pg.GraphicsLayoutWidget):
    """``set_sweep`` once, then ``set_trials`` with every trial so far."""

    sigTrialClicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepParallelPlot")
        self.plot = self.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.hideAxis("left")
        self.plot.getAxis("bottom").setStyle(tickLength=0)
        self.plot.setYRange(-MARGIN, 1 + MARGIN, padding=0)
        self.axes: list[Axis] = []
        self.paths: list[str] = []
        self.curves: dict[int, pg.PlotCurveItem] = {}
        self._decorations: list = []
        apply_theme(self)

    def set_sweep(self, settings: Sequence[Setting], metric: str) -> None:
        """Empty the plot and draw one axis per setting and one for ``metric``."""
        for item in [*self.curves.values(), *self._decorations]:
            self.plot.removeItem(item)
        self.curves, self._decorations = {}, []
        self.paths = [s.path for s in settings]
        self.axes = [setting_axis(s) for s in settings] + [metric_axis(metric, [])]
        self.plot.setXRange(-0.3, len(self.axes) - 0.7, padding=0)
        labels = [_short(a.label) for a in self.axes]
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self._draw_axes()

    def set_trials(self, results: Sequence[TrialResult]) -> None:
        """Draw every trial that has values for all settings (a line per trial)."""
        if not self.axes:
            return
        metric = self.axes[-1].label
        self.axes[-1] = metric_axis(metric, [r.value for r in results])
        self._draw_axes()
        colors = trial_colors(results, metric)
        for result in results:
            if any(path not in result.params for path in self.paths):
                continue  # a trial still choosing its values, or of another sweep
            settings = zip(self.axes[:-1], self.paths, strict=True)
            ys = [axis.position(result.params[path]) for axis, path in settings]
            if result.value is not None:
                ys.append(self.axes[-1].position(result.value))
            curve = self.curves.get(result.number)
            if curve is None:
                curve = pg.PlotCurveItem()
                curve.setClickable(True, width=8)
                curve.sigClicked.connect(lambda _c, _e, n=result.number: self._clicked(n))
                self.plot.addItem(curve)
                self.curves[result.number] = curve
            dashed = Qt.PenStyle.SolidLine if result.value is not None else Qt.PenStyle.DashLine
            curve.setData(list(range(len(ys))), ys)
            curve.setPen(pg.mkPen(colors[result.number], width=2, style=dashed))
            curve.setZValue(0 if result.value is None else 1 + self.axes[-1].position(result.value))

    def _clicked(self, number: int) -> None:
        self.sigTrialClicked.emit(number)

    def _draw_axes(self) -> None:
        """The vertical axes with their labels (redrawn as the metric's range grows)."""
        for item in self._decorations:
            self.plot.removeItem(item)
        self._decorations = []
        _background, foreground = theme_colors(self.palette())
        for x, axis in enumerate(self.axes):
            line = pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen(foreground, width=1))
            self._decorations.append(line)
            for y, text in axis.ticks():
                label = pg.TextItem(text, color=foreground, anchor=(-0.05, 0.5))
                label.setPos(x, y)
                self._decorations.append(label)
        for item in self._decorations:
            item.setZValue(-1)
            self.plot.addItem(item)


def _short(path: str) -> str:
    """``training.optimizer.learning_rate`` as ``learning_rate``; layers keep their index."""
    if path.startswith("layers["):
        return path
    return path.rsplit(".", 1)[-1]
