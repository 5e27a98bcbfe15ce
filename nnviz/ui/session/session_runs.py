"""The timeline's side of a window's training: the runs it keeps, Fork from Here, a kept run
made current again, a run file's timeline taken on, checkpoints asked for.

A mixin of :class:`~nnviz.ui.session.training_session.TrainingSession`, apart from the
process's lifetime and the frame relay: these only choose which run is current and what
the training process is asked about its past (``core/run/service_timeline.py`` answers).
"""

from __future__ import annotations

from dataclasses import dataclass

from nnviz.core.design import Design
from nnviz.core.run.frames import RunInfo
from nnviz.core.run.history import MetricsHistory
from nnviz.core.run.protocol import (
    Adopt,
    CheckpointShown,
    CheckpointsSent,
    Fork,
    RunRestored,
    SendCheckpoints,
    ShowCheckpoint,
    SwitchRun,
)


@dataclass(eq=False)
class SessionRun:
    """One run the window keeps: the current one, and those a fork left behind (or made).

    ``history`` is the run's every row (a fork's starts with its parent's, up to the fork);
    ``parent`` and ``fork_epoch`` say where a fork came from (None for a run of its own).
    """

    generation: int
    info: RunInfo
    history: MetricsHistory
    design: Design
    number: int = 1  # its place in the window's list of runs, from 1
    parent: int | None = None
    fork_epoch: int | None = None
    parent_number: int | None = None

    @property
    def label(self) -> str:
        if self.parent is None:
            return f"Run {self.number}"
        return f"Run {self.number}: fork of run {self.parent_number} at epoch {self.fork_epoch:,}"


class SessionRuns:
    """The runs of the current design kept for the timeline, and the commands about them.

    ``runs`` lists the current one (``generation``) and its forks and origins, each with its
    history; while the timeline looks at the past, live setting changes wait
    (:meth:`hold_updates`) for a fork or the live run.
    """

    def _init_runs(self) -> None:
        self.runs: list[SessionRun] = []
        self._forking: int | None = None  # the generation of a fork asked for
        self._holding = False  # live settings wait while the timeline shows the past
        self._held: Design | None = None  # the design whose live settings wait
        self._adopting = None  # a run file's history, until its timeline is taken on

    def hold_updates(self, hold: bool) -> None:
        """Hold live setting changes back from the current run (the timeline looks at its
        past, where a change is meant for a fork); releasing sends what was held."""
        self._holding = hold
        if not hold and self._held is not None:
            held, self._held = self._held, None
            self._send_update(held)

    @property
    def holds_changes(self) -> bool:
        """Whether a change of the settings waits for a fork or the live run."""
        return self._held is not None

    @property
    def adopting(self) -> bool:
        """Whether a run file's timeline was sent and the run has not taken it on yet."""
        return self._adopting is not None

    def show_checkpoint(self, epoch: int) -> None:
        """Ask for the pictures of the current run's checkpoint at or before ``epoch``
        (answered by ``sigCheckpoint``); the run itself is left as it is."""
        if self._worker.is_alive() and self.run_info is not None:
            self._worker.send(ShowCheckpoint(int(epoch)))

    def fork(self, epoch: int) -> None:
        """Continue from the checkpoint at or before ``epoch`` as a new run, with the current
        settings; the run forked stays in ``runs``."""
        if self._closed or not self._worker.is_alive() or self.run_info is None:
            return
        self._forking = self._new_generation()
        self._held = None  # the fork trains with them; the run forked keeps its own
        self._worker.send(Fork(int(epoch), self._forking, self.design))

    def switch_run(self, generation: int) -> None:
        """Make a kept run current again, paused where it was left (with its own settings:
        ``run_entry(generation).design``, for the window to show)."""
        entry = self.run_entry(generation)
        if entry is None or generation == self.generation or not self._worker.is_alive():
            return
        self._held = None
        self.generation = generation
        self._worker.send(SwitchRun(generation))
        self._show_entry(entry)

    def adopt(self, history, checkpoints) -> None:
        """The current run takes on a run file's ``history`` and timeline (after the run of
        its design was asked for) and goes on from its last checkpoint."""
        if self._closed or self.design is None:
            return
        self._adopting = tuple(history)
        self._worker.send(Adopt(tuple(checkpoints)))

    def request_checkpoints(self, purpose: str) -> None:
        """Ask for every checkpoint of the current run (``sigCheckpoints(purpose, ...)``)."""
        if self._worker.is_alive() and self.run_info is not None:
            self._worker.send(SendCheckpoints(purpose))

    def run_entry(self, generation: int) -> SessionRun | None:
        return next((entry for entry in self.runs if entry.generation == generation), None)

    # --- the training process's answers ---------------------------------------------------------

    def _on_checkpoint(self, message: CheckpointShown) -> None:
        if message.generation == self.generation:
            self.sigCheckpoint.emit(message)

    def _on_checkpoints(self, message: CheckpointsSent) -> None:
        if message.generation == self.generation:
            self.sigCheckpoints.emit(message.purpose, message.checkpoints)

    def _on_restored(self, message: RunRestored) -> None:
        """A fork began, or the current run took on a run file's timeline."""
        info, parent = message.info, message.parent
        if parent is None:
            if info.generation != self.generation or self._adopting is None:
                return
            rows, self._adopting = self._adopting, None
            entry = self.run_entry(info.generation)
            if entry is None:
                return
            entry.info = info
            entry.history = MetricsHistory(r for r in rows if r.step <= message.step)
        else:
            if info.generation != self._forking or parent != self.generation:
                return
            self._forking = None
            origin = self.run_entry(parent)
            rows = [r for r in origin.history if r.step <= message.step]
            entry = SessionRun(
                info.generation,
                info,
                MetricsHistory(rows),
                self.design,
                len(self.runs) + 1,
                parent,
                message.epoch,
                origin.number,
            )
            self.runs.append(entry)
            self.generation = info.generation
        self._show_entry(entry)

    def _show_entry(self, entry: SessionRun) -> None:
        """Panels start again on ``entry``'s run; its next frame brings its whole history."""
        self.run_info, self.history, self.latest = entry.info, entry.history, None
        self._rates.clear()
        self._replay_rows = True
        self.sigRunStarted.emit(entry.info)
        self.sigRunsChanged.emit()
