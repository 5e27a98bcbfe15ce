"""A panel's picture (File → Export → Panel picture…): the pyqtgraph view of one open dock,
as PNG (pyqtgraph's ImageExporter) or SVG (Qt's SVG generator)."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QDockWidget, QMainWindow

PICTURE_FORMATS = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}
PICTURE_FILTER = ";;".join(PICTURE_FORMATS.values())


def panel_view(dock: QDockWidget) -> pg.GraphicsView | None:
    """The pyqtgraph view a panel dock draws in (a GraphicsLayoutWidget holds all its plots)."""
    widget = dock.widget()
    if isinstance(widget, pg.GraphicsView):
        return widget
    return widget.findChild(pg.GraphicsView) if widget is not None else None


def panel_docks(window: QMainWindow) -> list[QDockWidget]:
    """The open docks of ``window`` that hold a pyqtgraph panel, in the order they were added."""
    return [
        dock
        for dock in window.findChildren(QDockWidget)
        if not dock.isHidden() and panel_view(dock) is not None
    ]


def save_picture(view: pg.GraphicsView, path) -> bool:
    """``view`` as the picture ``path``'s extension names (one of PICTURE_FORMATS)."""
    if Path(path).suffix.lower() == ".svg":
        return _save_svg(view, path)
    return ImageExporter(view.scene()).export(toBytes=True).save(str(path), "PNG")


def _save_svg(view: pg.GraphicsView, path) -> bool:
    """Qt's own SVG of the view: pyqtgraph 0.14's SVGExporter fails on the closed paths Qt
    6.11 writes ("... Z"; pyqtgraph issue #3495). At the generator's default 72 dpi, the
    axes' text and ticks would be laid out for another scale than the plotted data."""
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(view.size())
    generator.setViewBox(view.rect())
    generator.setResolution(view.logicalDpiX())
    painter = QPainter(generator)
    if not painter.isActive():
        return False
    view.render(painter)
    return painter.end()
