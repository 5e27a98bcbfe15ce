"""Step-through mode: one sample through the forward pass, the loss, backprop and the update.

:func:`install_step_through` adds the ``actionStepThrough`` action (Train menu and toolbar)
and the ``stepThroughPanel`` dock to a main window; :mod:`~nnviz.ui.step_through.mode` drives
it, :mod:`~nnviz.ui.step_through.overlay` draws over the diagram,
:mod:`~nnviz.ui.step_through.panel` is the formula view.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from nnviz.ui.step_through.mode import StepThroughMode
from nnviz.ui.step_through.panel import StepThroughPanel

__all__ = ["StepThroughMode", "install_step_through"]


def install_step_through(window) -> StepThroughMode:
    """The action, the dock (hidden until the mode starts) and the mode of ``window``."""
    panel = StepThroughPanel()
    dock = window.add_panel(
        panel, "Step through", "stepThroughPanel", Qt.DockWidgetArea.RightDockWidgetArea
    )
    dock.hide()
    action = QAction("Step &Through One Sample", window)
    action.setObjectName("actionStepThrough")
    action.setIconText("Explain")
    action.setCheckable(True)
    action.setShortcut("Ctrl+E")
    action.setToolTip(
        "Step one sample through the forward pass, the loss, backpropagation and the update, "
        "with every number on the diagram (Ctrl+E)"
    )
    window.actionStepThrough = action
    regions = window.findChild(QWidget, "regionsPanel")
    mode = StepThroughMode(window, panel, dock, regions)
    action.triggered.connect(mode.toggle)
    panels = getattr(window, "live_panels", None)
    if panels is not None:  # the timeline shows a checkpoint: the trace follows its weights
        panels.sigShown.connect(mode._on_frame)
    menu = window.findChild(QMenu, "menuTrain")
    if menu is not None:
        menu.addSeparator()
        menu.addAction(action)
    toolbar = window.findChild(QToolBar, "mainToolBar")
    if toolbar is not None:
        toolbar.addAction(action)
    return mode
