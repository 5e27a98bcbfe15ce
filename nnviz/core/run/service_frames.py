"""Frames out of the training process: the rows since the last frame, the latest snapshot,
and the network's pictures and figures as their paces allow.

A mixin of :class:`~nnviz.core.run.service.TrainingService`, so that what a frame carries
and when reads in one place, apart from the commands.
"""

from __future__ import annotations

from dataclasses import replace

from nnviz.core.run.distributions import DistributionMeter
from nnviz.core.run.frames import Frame
from nnviz.core.run.pacing import ViewsPace
from nnviz.core.run.protocol import PointsTaken, SessionState
from nnviz.core.run.run_facts import make_confusion, make_run_info
from nnviz.core.run.views import ViewGrid, evaluate_views, view_grid

#: While running, each frame works out the classes of every training point (for the
#: confusion matrix; on large data an epoch's figures come from a sample) for at most this
#: many seconds; frames carry no new confusion until they are known. All at once, they held
#: up the frames once an epoch (0.23 s for 60,000 MNIST images).
PREDICTIONS_SLICE = 0.008


class FrameSending:
    """What the frames of the current run need: its view grid, its meter, their paces."""

    def __init__(self) -> None:
        self._grid: ViewGrid | None = None
        self._views = ViewsPace()
        self._meter: DistributionMeter | None = None  # the explorer's and histograms' figures
        self._announced = None  # the data set the window was last told of
        self._inputs_sent = None  # the run whose views' input pictures the window has
        self._classes = None  # the classes of every training point being worked out

    def _start_frames(self, trainer, run_info, projection) -> None:
        """A new run's frames: its grid and meter, a fresh views pace; its data is told."""
        self._grid = view_grid(run_info, trainer.pipeline, projection)
        self._meter = DistributionMeter.of(trainer)
        self._views = ViewsPace()
        self._announced = trainer.dataset
        self._classes = None

    def _send_frame(self, with_views: bool = False) -> None:
        """Send the rows since the last frame, the latest snapshot and views: within budget
        while running, always otherwise or ``with_views`` (the run's last frame)."""
        trainer = self.trainer
        if trainer is None:
            return
        if trainer.dataset is not self._announced:  # painted points taken on
            self._announced = trainer.dataset
            self._meter = DistributionMeter.of(trainer)  # measured on the new points
            info = make_run_info(trainer, self.generation)
            self.send(PointsTaken(info, trainer.dataset))
        snap = trainer.snapshot()
        # The window's session keeps the run's record; this process hands the rows over and
        # keeps no copy, so its memory stays flat however long the run.
        rows = tuple(trainer.history)
        trainer.history.clear()
        running = self.state == SessionState.RUNNING and not with_views
        distributions = self._meter.measure_paced(
            snap.params, snap.metrics.epoch, self.clock, now=not running
        )
        views = None
        now = self.clock()
        if with_views or self._views.due(now) or self.state != SessionState.RUNNING:
            views = evaluate_views(self._grid, trainer.spec, snap.params)
            self._views.took(now, self.clock())
            if self._inputs_sent == self.generation:  # the inputs' pictures never change in a
                views = replace(views, inputs=None)  # run: sent once (MNIST's are 5 MB)
            self._inputs_sent = self.generation
        confusion = self._confusion(trainer, running)
        self.send(Frame(self.generation, rows, snap, views, confusion, distributions))

    def _confusion(self, trainer, running: bool):
        """The frame's confusion: while running, None until the classes of every training
        point are worked out, a slice each frame; at least one an epoch (when an epoch ends
        before its classes are done, the next epoch's are worked out whole)."""
        pending = trainer.pending_predictions if running else None
        dropped = self._classes is not None and not self._classes.finished
        dropped = dropped and self._classes is not pending
        self._classes = pending
        if pending is None or dropped:
            return make_confusion(trainer)  # works out what is left, all at once
        if pending.work(self.clock() + PREDICTIONS_SLICE, self.clock):
            return make_confusion(trainer)
        return None  # the window keeps the last one meanwhile
