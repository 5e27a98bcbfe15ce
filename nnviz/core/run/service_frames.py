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


class FrameSending:
    """What the frames of the current run need: its view grid, its meter, their paces."""

    def __init__(self) -> None:
        self._grid: ViewGrid | None = None
        self._views = ViewsPace()
        self._meter: DistributionMeter | None = None  # the explorer's and histograms' figures
        self._announced = None  # the data set the window was last told of
        self._inputs_sent = None  # the run whose views' input pictures the window has

    def _start_frames(self, trainer, run_info, projection) -> None:
        """A new run's frames: its grid and meter, a fresh views pace; its data is told."""
        self._grid = view_grid(run_info, trainer.pipeline, projection)
        self._meter = DistributionMeter.of(trainer)
        self._views = ViewsPace()
        self._announced = trainer.dataset

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
        confusion = make_confusion(trainer)
        self.send(Frame(self.generation, rows, snap, views, confusion, distributions))
