"""The window's views of what the network sees: the Hidden space and Loss landscape docks and
Train → Find Learning Rate…, each computed off the GUI thread from the weights the training
session receives (:mod:`nnviz.core.insight` does the maths)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from nnviz.core.run.frames import Frame, RunInfo
from nnviz.ui.insight.hidden_space_panel import HiddenSpacePanel
from nnviz.ui.insight.landscape_panel import LandscapePanel
from nnviz.ui.insight.lr_finder_dialog import LRFinderDialog
from nnviz.ui.panels.draw_queue import DrawQueue

__all__ = ["InsightViews", "install_insight"]


class InsightViews(QObject):
    """The two docks and the finder of one window, fed by its training session."""

    def __init__(self, window, session) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.hidden_space = HiddenSpacePanel(session)
        self.landscape = LandscapePanel(session)
        self.panels = (self.hidden_space, self.landscape)
        self.lr_finder: LRFinderDialog | None = None
        self.generation: int | None = None
        self.draws = DrawQueue.of(window)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.docks = {
            "hidden_space": window.add_panel(
                self.hidden_space, "Hidden space", "hiddenSpaceDock", bottom
            ),
            "landscape": window.add_panel(
                self.landscape, "Loss landscape", "landscapeDock", bottom
            ),
        }
        self.actionFindLearningRate = QAction("Find &Learning Rate…", window)
        self.actionFindLearningRate.setObjectName("actionFindLearningRate")
        tip = "Try learning rates from 10⁻⁶ to 10 on a copy of the network and suggest one"
        self.actionFindLearningRate.setToolTip(tip)
        self.actionFindLearningRate.setStatusTip(tip)
        self.actionFindLearningRate.triggered.connect(lambda _=False: self.find_learning_rate())
        train_menu = window.menuBar().findChild(QMenu, "menuTrain")
        if train_menu is not None:
            train_menu.addSeparator()
            train_menu.addAction(self.actionFindLearningRate)

        session.sigRunStarted.connect(self._on_run_started)
        session.sigFrame.connect(self._on_frame)
        if session.run_info is not None:
            self._on_run_started(session.run_info)

    def _on_run_started(self, info: RunInfo) -> None:
        self.generation = info.generation
        for panel in self.panels:
            panel.set_run(info)

    def _on_frame(self, frame: Frame) -> None:
        if frame.generation != self.generation:
            return
        for panel in self.panels:
            if panel.take_frame(frame):
                self.draws.request(panel.draw_if_stale, panel.pace)

    def find_learning_rate(self) -> LRFinderDialog:
        """Open the finder and run it on the current weights."""
        if self.lr_finder is None:
            self.lr_finder = LRFinderDialog(self.window)
        self.lr_finder.show()
        self.lr_finder.raise_()
        self.lr_finder.run()
        return self.lr_finder

    def shutdown(self) -> None:
        """Stop every background computation (the window is closing)."""
        for panel in self.panels:
            panel.shutdown()
        if self.lr_finder is not None:
            self.lr_finder.shutdown()


def install_insight(window, session) -> InsightViews:
    """Add the docks to ``window`` (via ``window.add_panel``) and the finder to its Train menu."""
    return InsightViews(window, session)
