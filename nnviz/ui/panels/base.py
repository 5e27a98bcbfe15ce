"""What the live panels share: drawing only when seen, at their own pace, and a legend.

(Their curves' pieces are in :mod:`nnviz.ui.panels.curves`.) A panel hidden behind another
dock tab skips drawing and catches up when it is shown. Each panel keeps the pace of its drawings
(:class:`~nnviz.core.run.pacing.DrawPace`), charged with what its data and its repaints cost.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QGraphicsItem, QLabel, QWidget

from nnviz.core.run.frames import Frame, RunInfo
from nnviz.core.run.pacing import DrawPace
from nnviz.ui.panels.colors import apply_theme, series_color


class LivePanel(QWidget):
    """A panel fed by ``set_run`` (a new run: reset) and ``add_frame`` (new data).

    Subclasses take in data in ``_start``/``_take`` and draw in ``refresh``; list their
    pyqtgraph widgets in ``self.plot_widgets`` so they follow the light or dark palette and
    their repaints count in ``self.pace`` (the window's :class:`DrawQueue` keeps to it).
    ``refreshes`` counts the drawings done.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_info: RunInfo | None = None
        self.plot_widgets: list[pg.GraphicsView] = []
        self.pace = DrawPace()
        self.refreshes = 0
        self._stale = False
        self._repaint_due = False  # drawn: the next repaint is part of the drawing's cost

    def set_run(self, info: RunInfo) -> None:
        self.run_info = info
        self._start(info)
        self._refresh_when_visible()

    def add_frame(self, frame: Frame) -> None:
        """Keep the frame's data and draw it now."""
        if self.take_frame(frame):
            self.draw_if_stale()

    def take_frame(self, frame: Frame) -> bool:
        """Keep the frame's data without drawing it (see :meth:`draw_if_stale`); False when
        there is no run to add it to."""
        if self.run_info is None:
            return False
        if self._take(frame) is not False:
            self._stale = True
        return True

    def draw_if_stale(self) -> None:
        """Draw data taken since the last drawing, if the panel is seen (else when shown)."""
        if self._stale:
            self._refresh_when_visible()

    def refresh(self) -> None:
        """Draw the latest data."""

    def _start(self, info: RunInfo) -> None:
        """Forget the last run; prepare for ``info``."""

    def _take(self, frame: Frame) -> bool | None:
        """Keep what the frame brings; return False when it brings nothing to draw."""

    def _refresh_when_visible(self) -> None:
        self._stale = not self._in_sight()
        if not self._stale:
            self._counted_refresh()

    def _counted_refresh(self) -> None:
        self.refreshes += 1
        self.refresh()
        self.repaint_follows()

    def repaint_follows(self) -> None:
        """The panel drew: its plots' next repaint is part of the drawing's cost."""
        self._repaint_due = True

    def _on_repainted(self, cost: float) -> None:
        if self._repaint_due:
            self._repaint_due = False
            self.pace.add(cost)

    def _in_sight(self) -> bool:
        """Shown and not out of sight: Qt may move a dock behind another dock's tab off the
        window instead of hiding it."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _style_plots(self) -> None:
        """Colour the plots after the palette; called again whenever plot items are added."""
        for view in self.plot_widgets:
            apply_theme(view)
            cache_axes(view)
            if isinstance(view, PanelPlots):
                view.repainted = self._on_repainted

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self._counted_refresh()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._stale:  # back in sight (its dock's tab chosen): draw after this paint
            QTimer.singleShot(0, self.draw_if_stale)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._style_plots()


class PanelPlots(pg.GraphicsLayoutWidget):
    """A panel's plots, telling ``repainted(cpu_seconds)`` what each repaint cost (the
    panel's pace counts the one after a drawing)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.repainted: Callable[[float], None] | None = None

    def paintEvent(self, event) -> None:
        start = time.thread_time()
        try:
            super().paintEvent(event)
            if self.repainted is not None:
                self.repainted(time.thread_time() - start)
        except Exception as error:  # never out of a Qt override
            print(f"nnviz: repainting {self.objectName()}: {error}")


def cache_axes(view: pg.GraphicsView) -> None:
    """Keep every axis of ``view`` as a pixmap, redrawn only when its range or style changes.

    An axis's ticks reach into its plot, so a curve redrawn there repaints the axes too: from
    a pixmap that costs a copy, not the text of every tick label (about 1 ms a frame in all).
    """
    for item in view.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def legend_label(names) -> QLabel:
    """A one-line legend, ``━ train  ━ test`` in the series' colours, for a panel's top row.

    Inside the short plots of a dock a pyqtgraph legend would hide the newest points, and a
    legend row beneath them would take the height the plots need.
    """
    label = QLabel()
    set_legend(label, names)
    return label


def set_legend(label: QLabel, names) -> None:
    """Show ``names`` in ``label``, the k-th in :func:`series_color` ``(k)``."""
    label.setText(
        "&nbsp;&nbsp;".join(
            f"<span style='color:{series_color(k).name()}'>━━</span>&nbsp;{html.escape(name)}"
            for k, name in enumerate(names)
        )
    )
