"""The metric against each swept setting: a small scatter plot per setting, a point per trial
with a value, the best one ringed; click a point to open its trial."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Signal

from nnviz.core.sweep.axes import Axis, setting_axis
from nnviz.core.sweep.plan import TrialResult, best_of
from nnviz.core.sweep.spec import Setting
from nnviz.ui.panels.colors import apply_theme, theme_colors
from nnviz.ui.panels.curves import SparseLogAxis
from nnviz.ui.sweep.trial_colors import trial_colors

#: Plots side by side before the next row starts.
COLUMNS = 3


class MetricScatter(pg.GraphicsLayoutWidget):
    """``set_sweep`` once, then ``set_trials`` with every trial so far."""

    sigTrialClicked = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepScatterPlot")
        self.metric_name = ""
        self.axes: list[Axis] = []
        self.paths: list[str] = []
        self.plots: list[pg.PlotItem] = []
        self.scatters: list[pg.ScatterPlotItem] = []
        apply_theme(self)

    def set_sweep(self, settings: Sequence[Setting], metric: str) -> None:
        """A plot for each setting, ``metric`` up the side."""
        self.clear()
        self.metric_name = metric
        self.paths = [s.path for s in settings]
        self.axes = [setting_axis(s) for s in settings]
        self.plots, self.scatters = [], []
        for i, (setting, axis) in enumerate(zip(settings, self.axes, strict=True)):
            if i and i % COLUMNS == 0:
                self.nextRow()
            bottom = SparseLogAxis("bottom") if axis.log else pg.AxisItem("bottom")
            plot = self.addPlot(axisItems={"bottom": bottom})
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setLabel("bottom", setting.path)
            plot.setLabel("left", metric)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").enableAutoSIPrefix(False)
            if axis.log:
                plot.setLogMode(x=True)
                bottom.enableAutoSIPrefix(False)
            if axis.categories:
                ticks = [(float(i), text) for i, (_p, text) in enumerate(axis.ticks())]
                bottom.setTicks([ticks])
                plot.setXRange(-0.5, len(axis.categories) - 0.5)
            scatter = pg.ScatterPlotItem(size=10, hoverable=True, tip=None)
            scatter.sigClicked.connect(self._clicked)
            plot.addItem(scatter)
            self.plots.append(plot)
            self.scatters.append(scatter)
        apply_theme(self)

    def set_trials(self, results: Sequence[TrialResult]) -> None:
        """One point per trial with a value, in each plot."""
        scored = [
            r for r in results if r.value is not None and all(p in r.params for p in self.paths)
        ]
        colors = trial_colors(scored, self.metric_name)
        best = best_of(scored, self.metric_name)
        _background, foreground = theme_colors(self.palette())
        for path, axis, scatter in zip(self.paths, self.axes, self.scatters, strict=True):
            spots = []
            for result in scored:
                value = result.params[path]
                x = axis.coordinate(value)  # log10 on a log axis, as pyqtgraph's log mode
                ring = best is not None and result.number == best.number
                spots.append(
                    {
                        "pos": (x, result.value),
                        "data": result.number,
                        "brush": pg.mkBrush(colors[result.number]),
                        "pen": pg.mkPen(foreground, width=2.5 if ring else 0.5),
                        "size": 14 if ring else 10,
                    }
                )
            scatter.setData(spots)

    def _clicked(self, _scatter, points, _event=None) -> None:
        if len(points):
            self.sigTrialClicked.emit(int(points[0].data()))
