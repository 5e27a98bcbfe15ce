"""The installed Qt binding must not leak references to None (PySide6 6.12.0 does, see
docs/architecture.md).

On Python < 3.12 such a leak ends the process with "Fatal Python error: none_dealloc" after a
few thousand calls, which a live pyqtgraph plot makes within seconds.
"""

import gc
import sys

from PySide6 import QtWidgets


def _none_refs_lost_per_call(call, calls=200) -> float:
    """References to None lost per call; the collector is held off so that garbage left by
    earlier tests, freed mid-count, cannot pass for a leak."""
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None)
        for _ in range(calls):
            call()
        return (before - sys.getrefcount(None)) / calls
    finally:
        gc.enable()


def test_methods_returning_none_keep_none_alive(qapp):
    widget = QtWidgets.QWidget()
    item = QtWidgets.QGraphicsRectItem()
    assert widget.parent() is None and item.parentItem() is None
    assert _none_refs_lost_per_call(widget.parent) < 0.5
    assert _none_refs_lost_per_call(item.parentItem) < 0.5


def test_python_paint_override_keeps_none_alive(qapp):
    class Painted(QtWidgets.QGraphicsRectItem):
        def paint(self, painter, option, widget=None):
            super().paint(painter, option, widget)

    scene = QtWidgets.QGraphicsScene()
    scene.addItem(Painted(0, 0, 10, 10))
    view = QtWidgets.QGraphicsView(scene)
    view.resize(50, 50)
    assert _none_refs_lost_per_call(view.grab, calls=100) < 0.5
