"""The Lessons dock and Help → Lessons: the path of guided lessons and the open one.

:func:`install_lessons` adds the ``lessonPanel`` dock (the view in
:mod:`~nnviz.ui.lessons.panel`) and the ``actionLessons`` action to a main window; the
:class:`~nnviz.ui.lessons.controller.LessonController` it returns runs a lesson there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar

from nnviz.ui.lessons.controller import LessonController
from nnviz.ui.lessons.panel import LessonView

__all__ = ["LessonController", "install_lessons"]


def install_lessons(window) -> LessonController:
    """The dock (on the left, above the settings a lesson leaves open; hidden until asked
    for), Help → Lessons and its toolbar button, and their controller."""
    view = LessonView()
    dock = window.add_panel(view, "Lessons", "lessonPanel", Qt.DockWidgetArea.LeftDockWidgetArea)
    window.splitDockWidget(dock, window.settings_dock, Qt.Orientation.Vertical)
    window.splitDockWidget(window.settings_dock, window.inspector_dock, Qt.Orientation.Vertical)
    dock.hide()
    controller = LessonController(window, view, dock)
    action = QAction("&Lessons", window)
    action.setObjectName("actionLessons")
    action.setShortcut("Ctrl+L")
    action.setToolTip("Guided lessons, from the perceptron to deep networks (Ctrl+L)")
    action.triggered.connect(lambda _=False: controller.show_panel())
    window.actionLessons = action
    menu = window.findChild(QMenu, "menuHelp")
    if menu is not None:
        menu.insertAction(menu.actions()[0] if menu.actions() else None, action)
    toolbar = window.findChild(QToolBar, "mainToolBar")
    if toolbar is not None:
        toolbar.addAction(action)
    return controller
