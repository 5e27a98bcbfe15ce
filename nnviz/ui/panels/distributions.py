"""The window's two views of how a network's numbers are spread: the Activation explorer and
the Histograms dock, fed by the training session's frames, following the diagram's selected
layer; the explorer's clicks become undoable edits, and a recorded run's histograms are
measured off the GUI thread (:class:`~nnviz.ui.insight.background.BackgroundTask`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog

from nnviz.core.design import Design
from nnviz.core.files.run_file import RunRecord, load_run
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.core.run.replay import replay
from nnviz.ui.document import show_problems
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.panels.activation_explorer import ActivationExplorer, with_activation
from nnviz.ui.panels.draw_queue import DrawQueue
from nnviz.ui.panels.histograms_panel import HistogramsPanel

__all__ = ["DistributionViews", "install_distributions"]


def measured_record(record: RunRecord, base_dir: Path | None):
    """Steps (shares done) of measuring a recorded run; returns its layer names and one
    :class:`~nnviz.core.run.distributions.Distributions` per checkpoint."""
    yield 0.0
    played = replay(record, base_dir=base_dir)
    measured = yield from played.distributions()
    return played.info.layer_names, measured


def measured_file(path: Path):
    """:func:`measured_record` of the run file at ``path`` (read here, in the worker)."""
    record = load_run(path)
    return (yield from measured_record(record, path.parent))


class DistributionViews(QObject):
    """The explorer and histograms docks of one window."""

    def __init__(self, window, session) -> None:
        super().__init__(window)
        self.window = window
        self.explorer = ActivationExplorer()
        self.histograms = HistogramsPanel()
        self.panels = (self.explorer, self.histograms)
        self.generation: int | None = None
        self.draws = DrawQueue.of(window)
        self.task = BackgroundTask(self)
        self.task.setObjectName("histogramsTask")
        self._reading = ""  # the name of the run file being measured
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.docks = {
            "explorer": window.add_panel(
                self.explorer, "Activation explorer", "activationExplorerDock", bottom
            ),
            "histograms": window.add_panel(self.histograms, "Histograms", "histogramsDock", bottom),
        }
        self.explorer.sigChoose.connect(self._on_choose)
        self.histograms.sigOpenRun.connect(self.open_run)
        self.task.sigProgress.connect(self._on_progress)
        self.task.sigDone.connect(self._on_measured)
        self.task.sigFailed.connect(self._on_failed)
        editor = window.editor
        editor.sigLayerClicked.connect(self.select)
        session.sigRunStarted.connect(self._on_run_started)
        session.sigFrame.connect(self._on_frame)
        if session.run_info is not None:
            self._on_run_started(session.run_info)

    def set_design(self, design: Design) -> None:
        self.explorer.set_design(design)

    def select(self, layer: int) -> None:
        """The diagram's selected layer (as the layer inspector counts: the output last)."""
        self.explorer.select(layer)
        self.histograms.select(layer)

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

    def _on_choose(self, layer: int, name: str) -> None:
        """A click on a curve: the layer's activation, one undo step."""
        window = self.window
        design = with_activation(window.design, layer, name)
        if isinstance(design, str):
            window.statusBar().showMessage(design, 5000)
            return
        where = "output" if layer >= len(window.design.layers) else f"layer {layer + 1}"
        window.push_design(design, f"Activation of {where}")

    # --- a recorded run ------------------------------------------------------------------------

    def open_run(self, path=None) -> None:
        """Measure the histograms of the run file at ``path`` (asked for when None) in the
        background and show them."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Histograms of a recorded run", str(Path.home()),
                "nnviz runs (*.nnvizrun)",
            )  # fmt: skip
            if not path:
                return
        path = Path(path)
        self._measure(path.name, lambda: measured_file(path))

    def show_record(self, name: str, record: RunRecord, base_dir: Path | None = None) -> None:
        """Measure the histograms of a run already read (``name`` says which) and show them."""
        self._measure(name, lambda: measured_record(record, base_dir))

    def _measure(self, name: str, make_steps) -> None:
        self._reading = name
        self.histograms.set_progress(f"Measuring {name}…")
        self.task.start(make_steps)

    def _on_progress(self, share: float) -> None:
        self.histograms.set_progress(f"Measuring {self._reading}… {share:.0%}")

    def _on_measured(self, result) -> None:
        layer_names, measured = result
        self.histograms.show_recorded(self._reading, measured, layer_names)

    def _on_failed(self, problem: str) -> None:
        self.histograms.show_live()
        show_problems(
            self.window,
            "histogramsErrorDialog",
            "Cannot show the run's histograms",
            f"{self._reading} cannot be used:",
            [problem],
        )

    def shutdown(self) -> None:
        self.task.shutdown()


def install_distributions(window, session) -> DistributionViews:
    """Dock the activation explorer and the histograms in ``window``, fed from ``session``."""
    return DistributionViews(window, session)
