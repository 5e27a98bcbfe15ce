"""Where the window's docks go: the default layout, whole tab labels, the layout kept between
sessions.

A learner tells the tabbed panels apart by their labels, so the default layout keeps each tab
group short enough for its labels to fit whole at 1280 x 800: the network's insides (its
weights, their gradients and histograms, its activations) in tabs below the decision regions,
what it does (the loss, the confusion, the hidden space, the loss landscape, the runs) in tabs
below the diagram. Where a group still has more tabs than room (a layout saved by an older nnviz, a
narrow window) its tab bar scrolls rather than cut every label to "Lo…".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

#: The version of the saved dock layout; a layout saved by an older nnviz of the same version
#: still restores (docks it does not know keep their default place).
STATE_VERSION = 1

DIRECT = Qt.FindChildOption.FindDirectChildrenOnly
RIGHT, BOTTOM = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea

#: The tab groups of the default layout, by dock objectName, the front tab first.
RIGHT_TABS = ("weightsDock", "gradientsDock", "histogramsDock", "activationExplorerDock")
BOTTOM_TABS = ("lossDock", "confusionDock", "hiddenSpaceDock", "landscapeDock", "runsDock")


class WholeTabLabels(QObject):
    """Makes every tab bar ``window`` creates for tabbed docks show its labels whole and
    scroll when they do not fit (Qt's own elide them: "Confus…", "Hid…")."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        # the window's tab bars are its children, polished just before they are first shown
        if event.type() == QEvent.Type.ChildPolished:
            child = event.child()
            if isinstance(child, QTabBar):
                child.setElideMode(Qt.TextElideMode.ElideNone)
                child.setUsesScrollButtons(True)
        return False


def restore_layout(window: QMainWindow) -> None:
    """The geometry and docks the window had when it was last closed, else the default
    layout (1280 x 800)."""
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(1280, 800)
    state = settings.value("window/state")
    if state is not None and window.restoreState(state, STATE_VERSION):
        arrange_docks(window, [d for d in _all_docks(window) if not _saved_in(state, d)])
    else:
        arrange_docks(window, _all_docks(window))  # now, before side by side they widen it
        QTimer.singleShot(0, window, lambda: size_docks(window))  # once it has its size


def save_layout(window: QMainWindow) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(STATE_VERSION))


def arrange_docks(window: QMainWindow, docks: list[QDockWidget]) -> None:
    """Put ``docks`` in their default tab groups, the first of each in front; docks below the
    diagram that no group names join the bottom group. A group's first dock stays where it is
    (where it was added, or where the learner put it)."""
    below = tuple(d.objectName() for d in docks if window.dockWidgetArea(d) == BOTTOM)
    # every dock below the diagram in tabs first, the right group's too: side by side they
    # widen the window as soon as a dock moves (Qt then sizes it to the least they need)
    for names in (BOTTOM_TABS + below, RIGHT_TABS):
        group = list(_docks(window, names))
        if not group or group[0].isHidden() or group[0].isFloating():
            continue  # the learner closed or undocked it: the others stay as added
        for dock in group[1:]:
            if dock in docks:
                window.tabifyDockWidget(group[0], dock)
        if group[0] in docks:
            QTimer.singleShot(0, group[0], group[0].raise_)  # after the tabs exist


def size_docks(window: QMainWindow) -> None:
    """Settings a quarter of the width down the left; the decision regions, the picture that
    matters most, get the most room, above the right tab group; the bottom group under a
    third of the height."""
    width, height = window.width(), window.height()
    settings = window.findChild(QDockWidget, "settingsDock")
    if settings is not None:
        window.resizeDocks([settings], [min(max(300, width // 4), 380)], Qt.Orientation.Horizontal)
    right = list(_docks(window, ("regionsDock", RIGHT_TABS[0])))
    if right:
        window.resizeDocks(right[:1], [int(width * 0.36)], Qt.Orientation.Horizontal)
        shares = [3, 2][: len(right)]
        window.resizeDocks(right, [height * share for share in shares], Qt.Orientation.Vertical)
    bottom = list(_docks(window, BOTTOM_TABS[:1]))
    if bottom:
        window.resizeDocks(bottom, [int(height * 0.3)], Qt.Orientation.Vertical)


def _saved_in(state, dock: QDockWidget) -> bool:
    """Whether the saved ``state`` places ``dock`` (Qt writes each dock's objectName into it
    as UTF-16): a dock nnviz gained since it was saved is not in it."""
    return dock.objectName().encode("utf-16-be") in bytes(state)


def _all_docks(window: QMainWindow) -> list[QDockWidget]:
    return window.findChildren(QDockWidget, options=DIRECT)


def _docks(window: QMainWindow, names):
    """The window's docks of ``names`` that exist, in that order, each once."""
    for name in dict.fromkeys(names):
        dock = window.findChild(QDockWidget, name)
        if dock is not None:
            yield dock
