"""The Runs dock: every run kept, compared, restored or deleted (see :mod:`.panel`)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from nnviz.core.runs import open_store
from nnviz.ui.runs.panel import RunsPanel
from nnviz.ui.runs.recorder import RunRecorder

__all__ = ["Runs", "RunsPanel", "install_runs"]


class Runs(QObject):
    """A window's runs: the panel (``panel``, where sweeps and forks add theirs), the recorder
    of the window's own runs (``recorder``) and the database behind them."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        store, problem = open_store()
        self.panel = RunsPanel(store)
        self.dock = window.add_panel(
            self.panel, "Runs", "runsDock", Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.recorder = RunRecorder(window.training, self.panel, window.live_panels.regions)
        self.panel.sigRestore.connect(self._restore)
        self.panel.sigMessage.connect(lambda text: window.statusBar().showMessage(text, 8000))
        problems = [problem] if problem else []
        problems += self.panel.problems
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            window.statusBar().showMessage(f"Runs: {problems[0]}{more}", 15000)

    def _restore(self, entry) -> None:
        """The run's design into the editor, as one undo step."""
        if entry.design == self.window.design:
            self.window.statusBar().showMessage(f"The design is run {entry.id}'s already.", 5000)
            return
        self.window.push_design(entry.design, f"Restore the design of run {entry.id}")
        self.window.statusBar().showMessage(f"Restored the design of run {entry.id}.", 5000)

    def shutdown(self) -> None:
        """The window closes: the current run is written as it ended, the database closed."""
        self.recorder.close()
        self.panel.store.close()


def install_runs(window) -> Runs:
    """The Runs dock of ``window`` (below the diagram), recording the window's training."""
    return Runs(window)
