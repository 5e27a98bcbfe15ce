"""The live panels of the main window (loss, decision regions, weights, gradients, confusion
matrix) and the training status in its status bar, all fed by the window's training session."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGraphicsOpacityEffect, QGraphicsView

from nnviz.core.data import CATALOG, load_dataset
from nnviz.core.data.painted import rows_of
from nnviz.core.design import PAINTED, PAINTED_LINE, Design
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.core.run.pacing import DrawPace
from nnviz.ui.panels.confusion_panel import ConfusionPanel
from nnviz.ui.panels.draw_queue import DrawQueue
from nnviz.ui.panels.gradients_panel import GradientsPanel
from nnviz.ui.panels.loss_panel import LossPanel
from nnviz.ui.panels.regions_panel import RegionsPanel
from nnviz.ui.panels.status_widgets import TrainingStatus
from nnviz.ui.panels.weights_panel import WeightsPanel

__all__ = ["LivePanels", "install_panels"]

#: How much of a panel shows while it waits for a new run's first frame.
GREYED_OPACITY = 0.3


class LivePanels(QObject):
    """The panels of one window; relays the session's runs and frames to them and the editor.

    A frame of an older run (its generation differs from the current run's) is ignored.
    Every panel takes a frame's data at once (no row is lost), and they draw the latest data
    one after the other, a turn of the event loop each, each at its own pace (the window's
    :class:`~nnviz.ui.panels.draw_queue.DrawQueue`).

    The diagram is redrawn with the frames that bring the network's pictures (every frame
    when paused or stepping; while training, as often as the training process can afford to
    make them, about 12 times a second): its edges and thumbnails then show the same weights,
    and the window does not pay 30 times a second for the diagram's most costly drawing (the
    antialiased edges, about 3 ms).

    The timeline can show the past: :meth:`show_past` draws a checkpoint's frame in the
    regions, weights and diagram (and marks its epoch on the loss and gradient plots) while
    the curves go on live; :meth:`show_live` brings back the latest state. ``sigShown``
    tells the step-through which weights the panels show.
    """

    sigShown = Signal(object)  # the Frame of the past (or live again) the panels now show

    def __init__(self, window, session) -> None:
        super().__init__(window)
        self.window = window
        self.regions = RegionsPanel()
        self.weights = WeightsPanel()
        self.loss = LossPanel()
        self.gradients = GradientsPanel()
        self.confusion = ConfusionPanel()
        self.panels = (self.regions, self.weights, self.loss, self.gradients, self.confusion)
        self.session = session
        self.status = TrainingStatus(epoch_limit=self._epoch_limit, patience=self._patience)
        self.editor = window.findChild(QGraphicsView, "networkEditor")
        self.generation: int | None = None
        self._greyed_until: int | None = None  # the new run whose first frame ends the fade
        self.draws = DrawQueue.of(window)
        self.diagram_pace = DrawPace()
        self._diagram_state = None  # (params, views) not yet shown in the diagram
        self.past_epoch: int | None = None  # the checkpoint's epoch shown, None when live
        self._live_views = None  # the latest views of the run, for coming back to live

        right, bottom = (
            Qt.DockWidgetArea.RightDockWidgetArea,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.docks = {
            "regions": window.add_panel(self.regions, "Decision regions", "regionsDock", right),
            "weights": window.add_panel(self.weights, "Weights", "weightsDock", right),
            "loss": window.add_panel(self.loss, "Loss", "lossDock", bottom),
            "gradients": window.add_panel(self.gradients, "Gradients", "gradientsDock", bottom),
            "confusion": window.add_panel(
                self.confusion, "Confusion matrix", "confusionDock", bottom
            ),
        }
        self.confusion.sigHighlight.connect(self.regions.set_highlight)
        self.regions.painter.sigEdit.connect(self._on_painted)
        window.statusBar().addPermanentWidget(self.status)

        session.sigRunRequested.connect(self._grey)
        session.sigError.connect(self._ungrey)  # no first frame will come: say so, not fade
        session.sigRunStarted.connect(self._on_run_started)
        session.sigFrame.connect(self._on_frame)
        session.sigDataChanged.connect(self._on_data_changed)
        session.sigStateChanged.connect(self.status.set_state)
        if self.editor is not None:
            self.editor.sigNeuronHovered.connect(self._on_neuron_hovered)
        if session.run_info is not None:
            self._on_run_started(session.run_info)

    def set_design(self, design: Design) -> None:
        """The window's design changed: the regions panel paints on its data."""
        data = design.dataset
        info = CATALOG.get(data.name)
        task = data.task or (info.task if info is not None else "")
        self.regions.set_data(data, task, lambda: rows_of(load_dataset(data)))

    def _on_painted(self, rows, text: str) -> None:
        """A stroke of the painter: the design's data become these painted points."""
        design = self.window.design
        data = design.dataset
        painter = self.regions.painter
        if painter.line:
            painted = replace(data, name=PAINTED_LINE, painted=rows, task=None)
        else:
            task = "regression" if painter.regression else None
            painted = replace(data, name=PAINTED, painted=rows, task=task)
        self.window.push_design(replace(design, dataset=painted), text)

    def _epoch_limit(self) -> int:
        return self.window.design.training.epochs

    def _patience(self) -> int | None:
        training = self.window.design.training
        return training.patience if training.early_stopping else None

    # --- the timeline ---------------------------------------------------------------------

    @property
    def following_past(self) -> bool:
        return self.past_epoch is not None

    def show_past(self, frame: Frame, epoch: int) -> None:
        """Show ``frame`` (a checkpoint's weights and pictures) in the panels that draw the
        network, and ``epoch`` marked on the curves."""
        if frame.generation != self.generation:
            return
        self.past_epoch = epoch
        self._show_network(frame)
        for panel in (self.loss, self.gradients):
            panel.marker.set(epoch)

    def show_live(self) -> None:
        """Back to the run's latest state."""
        if self.past_epoch is None:
            return
        self.past_epoch = None
        for panel in (self.loss, self.gradients):
            panel.marker.set(None)
        latest = self.session.latest
        if latest is not None and self.generation is not None:
            self._show_network(Frame(self.generation, (), latest, self._live_views))

    def _show_network(self, frame: Frame) -> None:
        for panel in (self.regions, self.weights):
            panel.add_frame(frame)
        if self.editor is not None:
            self._diagram_state = None
            self.editor.set_params(frame.snapshot.params)
            if frame.views is not None:
                self.editor.set_neuron_maps(frame.views)
        self.sigShown.emit(frame)

    def _compared_runs(self) -> list:
        """The other runs the session keeps, for the loss panel."""
        runs = []
        for entry in self.session.runs:
            if entry.generation != self.generation and len(entry.history):
                history = entry.history
                runs.append(
                    (
                        f"run {entry.number}",
                        history.column("epoch"),
                        history.column("train_loss"),
                        history.column("test_loss"),
                    )
                )
        return runs

    def _on_run_started(self, info: RunInfo) -> None:
        self.generation = info.generation
        self._diagram_state = None
        self.past_epoch = None
        self._live_views = None
        self.confusion.set_images(self.session.dataset)
        for panel in self.panels:
            panel.set_run(info)
        for panel in (self.loss, self.gradients):
            panel.marker.set(None)
        self.loss.set_compared(self._compared_runs())
        self.status.set_run(info)
        if self.editor is not None:
            self.editor.set_params(None)
            self.editor.set_neuron_maps(None)

    def _on_data_changed(self, info: RunInfo) -> None:
        """The run took on painted points: the same run, new points (its history stays)."""
        if info.generation != self.generation:
            return
        self.confusion.set_images(self.session.dataset)
        for panel in (self.regions, self.confusion):
            panel.set_points(info)

    def _grey(self, generation: int) -> None:
        """A new run was asked for: what the panels show is the old run's until its first
        frame (classes and inputs may not even be the new data's), so they fade meanwhile.
        Before any run they show nothing, so nothing fades."""
        if self.generation is None:
            return
        self._greyed_until = generation
        for panel in self.panels:
            if panel.graphicsEffect() is None:
                panel.setGraphicsEffect(QGraphicsOpacityEffect(panel, opacity=GREYED_OPACITY))

    def _ungrey(self) -> None:
        self._greyed_until = None
        for panel in self.panels:
            panel.setGraphicsEffect(None)

    @property
    def greyed(self) -> bool:
        """Whether the panels wait for the first frame of a new run."""
        return self._greyed_until is not None

    def _on_frame(self, frame: Frame) -> None:
        if frame.generation != self.generation:
            return
        if self._greyed_until is not None and frame.generation >= self._greyed_until:
            self._ungrey()
        if frame.views is not None:
            self._live_views = frame.views
        past = self.past_epoch is not None  # the network's panels show a checkpoint
        panels = [p for p in self.panels if not past or p not in (self.regions, self.weights)]
        for panel in panels:
            panel.take_frame(frame)
        self.status.add_frame(frame)
        for panel in panels:
            self.draws.request(panel.draw_if_stale, panel.pace)
        if frame.views is not None and self.editor is not None and not past:
            self._diagram_state = (frame.snapshot.params, frame.views)
            self.draws.request(self._draw_diagram, self.diagram_pace)

    def _draw_diagram(self) -> None:
        if self._diagram_state is not None:
            params, views = self._diagram_state
            self._diagram_state = None
            self.editor.set_params(params)
            self.editor.set_neuron_maps(views)

    def _on_neuron_hovered(self, neuron) -> None:
        if neuron is None:
            self.regions.show_output()
        else:
            self.regions.show_neuron(*neuron)


def install_panels(window, session) -> LivePanels:
    """Create the live panels as docks of ``window`` (via ``window.add_panel``), put the
    training status in its status bar, and feed them all from ``session``."""
    return LivePanels(window, session)
