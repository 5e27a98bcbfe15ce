"""The timeline's behaviour: the slider follows the live run until dragged, then the panels
show the checkpoint under it; replay, fork from here and bringing back a run kept.

The checkpoints live in the training process: the slider asks for the pictures of one
(:meth:`TrainingSession.show_checkpoint`) and waits for them before asking for the next, so
a fast drag never queues up requests: the latest position wins.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer

from nnviz.core.run.frames import Frame
from nnviz.core.run.snapshot import Snapshot
from nnviz.core.runs import FORK
from nnviz.ui.timeline.bar import TimelineBar, epoch_text

#: A request unanswered for this long (a run replaced meanwhile) no longer holds the next.
REQUEST_PATIENCE = 1.0


class Timeline(QObject):
    """Drives ``bar`` for the window's ``session`` and ``panels`` (a LivePanels)."""

    def __init__(self, window, session, panels, bar: TimelineBar) -> None:
        super().__init__(window)
        self.window, self.session, self.panels, self.bar = window, session, panels, bar
        self.slider = bar.slider
        self.live = True
        self.shown_epoch: int | None = None  # the checkpoint the panels show, when not live
        self.checkpoints: tuple[int, ...] = ()  # epochs of the run's checkpoints, as last told
        self._asked_at: float | None = None  # when the request in flight went out
        self._wanted: int | None = None  # the epoch to ask for once it is answered
        self._programmatic = False
        self._replay = QTimer(self)
        self._replay.timeout.connect(self._replay_step)

        self.slider.valueChanged.connect(self._on_value)
        self.slider.sliderReleased.connect(self._on_released)
        self.slider.sigStep.connect(self.step)
        bar.live.clicked.connect(self.go_live)
        bar.fork.clicked.connect(self.fork)
        bar.replay.toggled.connect(self._on_replay_toggled)
        bar.speed.currentIndexChanged.connect(self._set_replay_interval)
        bar.runs.activated.connect(self._on_run_chosen)
        session.sigRunStarted.connect(self._on_run_started)
        session.sigFrame.connect(self._on_frame)
        session.sigCheckpoint.connect(self._on_checkpoint)
        session.sigRunsChanged.connect(self._fill_runs)
        self._set_replay_interval()
        self._fill_runs()
        self._show_state()

    # --- what the user does -----------------------------------------------------------------

    def show_epoch(self, epoch: int) -> None:
        """Show the checkpoint at or before ``epoch`` (the end of the slider: live)."""
        epoch = max(0, int(epoch))
        self._set_slider(min(epoch, self.slider.maximum()))
        if epoch >= self.slider.maximum() and not self.slider.isSliderDown():
            self.go_live()
        else:
            self._ask(epoch)

    def step(self, direction: int) -> None:
        """To the checkpoint before (-1) or after (+1) the one shown; after the last: live."""
        current = self.slider.maximum() if self.live else self.shown_epoch or 0
        if direction < 0:
            earlier = [e for e in self.checkpoints if e < current]
            self.show_epoch(earlier[-1] if earlier else max(current - 1, 0))
        else:
            later = [e for e in self.checkpoints if e > current]
            if later and later[0] < self.slider.maximum():
                self.show_epoch(later[0])
            else:
                self.go_live()

    def go_live(self) -> None:
        if self._replay.isActive():
            self.bar.replay.setChecked(False)
        held = self.session.holds_changes
        self.session.hold_updates(False)
        if held:
            self.window.statusBar().showMessage(
                "Back to the live run: the settings changed meanwhile apply to it now.", 6000
            )
        self.live = True
        self.shown_epoch = None
        self._wanted = None
        self.panels.show_live()
        self._set_slider(self.slider.maximum())
        self._show_state()

    def fork(self) -> None:
        """Train on from the checkpoint shown, as a new run beside this one."""
        if self.live or self.shown_epoch is None:
            return
        epoch = self.shown_epoch
        self.bar.replay.setChecked(False)
        self.window.runs.recorder.next_run_from(FORK, f"fork at epoch {epoch:,}")
        self.session.fork(epoch)
        self.window.statusBar().showMessage(
            f"Forked at epoch {epoch:,}. Play trains the fork; the original stays in the run list.",
            8000,
        )

    def stop(self) -> None:
        """The window closes: no more replay steps."""
        self._replay.stop()

    # --- the slider ----------------------------------------------------------------------------

    def _on_value(self, value: int) -> None:
        if self._programmatic:
            return
        if value >= self.slider.maximum() and not self.slider.isSliderDown():
            self.go_live()
        else:
            self._ask(value)

    def _on_released(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.go_live()

    def _set_slider(self, value: int) -> None:
        self._programmatic = True
        try:
            self.slider.setValue(value)
        finally:
            self._programmatic = False

    def _ask(self, epoch: int) -> None:
        """Ask for a checkpoint's pictures, or remember the epoch until the last request is
        answered (so the newest position wins and nothing queues up)."""
        self.live = False
        self.session.hold_updates(True)  # a change now is meant for a fork
        self._show_state()
        waiting = self._asked_at is not None
        if waiting and time.monotonic() - self._asked_at < REQUEST_PATIENCE:
            self._wanted = epoch
            return
        self._wanted = None
        self._asked_at = time.monotonic()
        self.session.show_checkpoint(epoch)

    def _on_checkpoint(self, shown) -> None:
        self._asked_at = None
        self.checkpoints = shown.epochs
        if self._wanted is not None:
            self._ask(self._wanted)
            return
        if self.live:
            return  # the user went back to live meanwhile
        self.shown_epoch = shown.epoch
        frame = Frame(shown.generation, (), Snapshot(self._metrics_at(shown.step), shown.params),
                      shown.views)  # fmt: skip
        self.panels.show_past(frame, shown.epoch)
        self._show_state()

    def _metrics_at(self, step: int):
        """The history's row of the checkpoint's step (the first row for the start)."""
        history = self.session.history
        if not len(history):
            return self.session.latest.metrics
        index = int(np.searchsorted(history.column("step"), step, side="right")) - 1
        return history[max(index, 0)]

    # --- the run --------------------------------------------------------------------------------

    def _on_run_started(self, info) -> None:
        self.session.hold_updates(False)  # a new run, a fork or a run brought back: live
        self.bar.replay.setChecked(False)
        self.live, self.shown_epoch, self.checkpoints = True, None, ()
        self._asked_at = self._wanted = None
        self._programmatic = True
        try:
            self.slider.setRange(0, 0)
        finally:
            self._programmatic = False
        self.slider.set_curve(np.empty(0), np.empty(0))
        self._show_state()

    def _on_frame(self, frame) -> None:
        latest = self.session.epoch
        self._programmatic = True
        try:
            self.slider.setMaximum(latest)
            if self.live:
                self.slider.setValue(latest)
        finally:
            self._programmatic = False
        history = self.session.history
        if len(history):
            self.slider.set_curve(history.column("epoch"), history.column("train_loss"))
        self._show_state()

    def _show_state(self) -> None:
        live = self.live or self.shown_epoch is None
        epoch = self.session.epoch if live else self.shown_epoch
        self.bar.epoch.setText(epoch_text(epoch, live))
        self.bar.live.setEnabled(not self.live)
        self.bar.fork.setEnabled(not self.live and self.shown_epoch is not None)

    # --- replay -----------------------------------------------------------------------------------

    def _set_replay_interval(self) -> None:
        per_second = self.bar.speed.currentData() or 5
        self._replay.setInterval(round(1000 / per_second))

    def _on_replay_toggled(self, on: bool) -> None:
        if not on:
            self._replay.stop()
            return
        if self.slider.maximum() <= 0:
            self.bar.replay.setChecked(False)
            return
        if self.live:
            self.show_epoch(0)  # from the start
        self._replay.start()

    def _replay_step(self) -> None:
        """The next checkpoint, once the last one is in; after the last: live, and stop."""
        if self._asked_at is not None:
            return
        self.step(+1)

    # --- the runs kept ----------------------------------------------------------------------------

    def _fill_runs(self) -> None:
        box, session = self.bar.runs, self.session
        box.clear()
        for entry in session.runs:
            box.addItem(entry.label, entry.generation)
        index = box.findData(session.generation)
        box.setCurrentIndex(max(index, 0))
        box.setEnabled(len(session.runs) > 1)
        box.setVisible(len(session.runs) > 1)

    def _on_run_chosen(self, index: int) -> None:
        """Bring a kept run back, and its settings into the window (one undo step)."""
        session = self.session
        generation = self.bar.runs.itemData(index)
        entry = session.run_entry(generation) if generation is not None else None
        if entry is None or generation == session.generation:
            return
        session.switch_run(generation)
        design = self.window.design
        theirs = replace(design, training=entry.design.training)
        if theirs != design:
            self.window.push_design(theirs, f"Bring back {entry.label.split(':')[0].lower()}")
