"""The data points over the decision regions, and their legend.

Train points filled, test points as rings, one scatter item per class and split, coloured by
class (or, for a regression, by target value). The items are kept from run to run and given
the new run's points: making pyqtgraph items is what a new run's set-up in the GUI thread
paid most for (ten classes: twenty items and eleven legend samples).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from nnviz.core.nn.network import REGRESSION
from nnviz.core.run.frames import LINE, RunInfo
from nnviz.ui.panels.colors import class_color, diverging_map, series_color


class DataPoints:
    """The points of a run in ``plot`` and their entries in ``legend``."""

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem) -> None:
        self.plot = plot
        self.legend = legend
        self.train_items: list[pg.ScatterPlotItem] = []
        self.test_items: list[pg.ScatterPlotItem] = []
        self._spare: list[pg.ScatterPlotItem] = []  # out of the plot, to be given points
        self._samples: list[pg.ScatterPlotItem] = []  # the legend's markers

    def clear(self) -> None:
        for item in self.train_items + self.test_items:
            self.plot.removeItem(item)
            self._spare.append(item)
        self.train_items, self.test_items = [], []
        self.legend.clear()

    def show(self, info: RunInfo, levels: tuple[float, float], extra=()) -> None:
        """Draw ``info``'s points (a regression's coloured within ``levels``); ``extra``
        (item, name) pairs end the legend's first row."""
        self.clear()
        by_class = info.kind != LINE and info.spec.task != REGRESSION
        labels = list(range(len(info.class_names))) if by_class else [None]
        for label in labels:
            for points, values, items, test in (
                (info.train_points, info.train_labels, self.train_items, False),
                (info.test_points, info.test_labels, self.test_items, True),
            ):
                chosen = slice(None) if label is None else values == label
                style = point_style(info, label, values[chosen], test, levels)
                item = self._spare.pop() if self._spare else self._new_item()
                item.setData(pos=points[chosen], size=9 if test else 7, **style)
                item.setZValue(2 if test else 1)
                self.plot.addItem(item)
                items.append(item)
        self._fill_legend(info, by_class, levels, extra)

    @staticmethod
    def _new_item() -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem()
        # The points stay put while the picture under them changes: draw them once.
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return item

    def _fill_legend(self, info: RunInfo, by_class: bool, levels, extra) -> None:
        samples = iter(self._samples)

        def sample(label, test):
            item = next(samples, None)
            if item is None:
                item = pg.ScatterPlotItem()
                self._samples.append(item)
            style = point_style(info, label, None, test, levels)
            item.setData([], size=8, **style)  # the legend draws the item's own pen and brush
            return item

        if by_class:
            entries = [(sample(k, False), name) for k, name in enumerate(info.class_names)]
        else:
            entries = [(sample(None, False), "train")]
        test = (sample(None, True), "test (rings)")
        if len(entries) < 6:  # one row
            entries.append(test)
            entries.extend(extra)
            self.legend.setColumnCount(len(entries))
        else:  # two rows, the wide "test" entry first so the class columns line up
            entries.insert(0, test)
            self.legend.setColumnCount(-(-len(entries) // 2))
        for item, name in entries:
            self.legend.addItem(item, name)

    def set_visible(self, train: bool, test: bool) -> None:
        for item in self.train_items:
            item.setVisible(train)
        for item in self.test_items:
            item.setVisible(test)


def point_style(info: RunInfo, label, values, test: bool, levels) -> dict:
    """Train points filled, test points as rings, coloured by class or target value (within
    ``levels``); ``values`` None: a legend sample."""
    if label is not None:
        color = class_color(label)
    elif info.kind == LINE:
        color = pg.mkColor(series_color(1 if test else 3))
    elif values is None:  # a legend sample: grey
        color = pg.mkColor(128, 128, 128)
    else:  # regression: the target's colour, with a dark edge to stand out from the map
        low, high = levels
        colors = diverging_map().map((values - low) / (high - low), mode="qcolor")
        if test:
            return {"brush": None, "pen": [pg.mkPen(c, width=2) for c in colors]}
        return {"brush": colors, "pen": pg.mkPen(40, 40, 40, 160, width=0.8)}
    if test:
        return {"brush": None, "pen": pg.mkPen(color, width=2)}
    return {"brush": pg.mkBrush(color), "pen": pg.mkPen("w", width=0.8)}
