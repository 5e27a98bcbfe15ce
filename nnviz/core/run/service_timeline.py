"""The training process's timeline commands: a checkpoint's pictures, Fork from Here, a kept
run made current again, a run file's timeline taken on, every checkpoint sent.

A mixin of :class:`~nnviz.core.run.service.TrainingService`, apart from the commands that
train because these only move between the runs it keeps (``runs``, by generation): a fork is
a run of its own beside the one it forks, which stays as it was.
"""

from __future__ import annotations

import dataclasses

from nnviz.core.run.checkpoints import CheckpointRecorder
from nnviz.core.run.distributions import DistributionMeter
from nnviz.core.run.protocol import (
    CheckpointShown,
    CheckpointsSent,
    RunRestored,
    SessionState,
    StateChanged,
)
from nnviz.core.run.run_facts import make_run_info
from nnviz.core.run.snapshot import DIVERGED
from nnviz.core.run.views import evaluate_views


class TimelineCommands:
    """ShowCheckpoint, Fork, SwitchRun, Adopt and SendCheckpoints, on the service's state."""

    def _show_checkpoint(self, epoch: int) -> None:
        """The pictures of a checkpoint, from its weights alone: the live run is untouched."""
        if self.trainer is None:
            return
        recorder = self.trainer.checkpoints
        checkpoint = recorder.nearest(epoch)
        views = evaluate_views(self._grid, self.trainer.spec, checkpoint.params)
        epochs = tuple(c.epoch for c in recorder.checkpoints)
        self.send(
            CheckpointShown(
                self.generation, checkpoint.epoch, checkpoint.step, checkpoint.params, views, epochs
            )
        )

    def _fork(self, epoch: int, generation: int, design=None) -> None:
        """A new run from the current run's checkpoint at or before ``epoch``, with the
        live settings of ``design`` (or those sent last); its timeline up to there is the
        parent's, and the parent keeps its own settings."""
        parent = self.trainer
        if parent is None:
            self._notice("Nothing to fork: no run yet.")
            return
        self._pause()  # the parent's last rows go out first, under its own generation
        if design is not None:
            self.design = design
        checkpoint = parent.checkpoints.nearest(epoch)
        trainer = self.make_trainer(self.design, self.base_dir, parent.dataset, self.record_bytes)
        earlier = [c for c in parent.checkpoints.checkpoints if c.epoch <= checkpoint.epoch]
        _continue_from(trainer, earlier)
        parent_generation = self.generation
        self.runs[generation] = self.trainer = trainer
        self.generation = generation
        info = make_run_info(trainer, generation, self._projection)
        self.send(RunRestored(info, parent_generation, checkpoint.epoch, checkpoint.step))
        self._settle()

    def _switch(self, generation: int) -> None:
        """Run ``generation`` current again, where it was left."""
        trainer = self.runs.get(generation)
        if trainer is None:
            self._notice("That run is no longer kept: a new run or a reset forgot it.")
            return
        self._pause()
        self.trainer, self.generation = trainer, generation
        self.design = dataclasses.replace(trainer.design, training=trainer.training)
        self._settle()

    def _adopt(self, checkpoints) -> None:
        """Give the current run a run file's timeline and go on from its last checkpoint."""
        trainer = self.trainer
        if trainer is None:
            return
        shapes = [(w.shape, b.shape) for w, b in trainer.snapshot().params]
        for checkpoint in checkpoints:
            if [(w.shape, b.shape) for w, b in checkpoint.params] != shapes:
                raise ValueError(
                    f"the checkpoint of epoch {checkpoint.epoch} does not fit the run's "
                    "network: its layers' shapes differ"
                )
        try:
            _continue_from(trainer, checkpoints)
        except (KeyError, TypeError) as error:
            raise ValueError(f"the checkpoints do not fit the run's optimizer: {error}") from None
        last = checkpoints[-1]
        info = make_run_info(trainer, self.generation, self._projection)
        self.send(RunRestored(info, None, last.epoch, last.step))
        self._settle()

    def _settle(self) -> None:
        """After a fork, a switch or a run file: the run paused (or ended), a frame out."""
        trainer = self.trainer
        self._meter = DistributionMeter.of(trainer)  # its own penalty, maybe another
        if trainer.done:
            diverged = trainer.status == DIVERGED
            state = SessionState.DIVERGED if diverged else SessionState.FINISHED
        else:
            state = SessionState.PAUSED
        self.state = state
        self.send(StateChanged(state))
        self._send_frame(with_views=True)

    def _send_checkpoints(self, purpose: str) -> None:
        if self.trainer is not None:
            checkpoints = tuple(self.trainer.checkpoints.checkpoints)
            self.send(CheckpointsSent(self.generation, purpose, checkpoints))


def _continue_from(trainer, checkpoints) -> None:
    """Make ``checkpoints`` (oldest first) ``trainer``'s timeline and go on from the last: a
    fork, or a run file's run. Its history is the window's: none is sent again."""
    recorder = CheckpointRecorder(trainer.checkpoints.budget_bytes)
    for checkpoint in checkpoints:
        recorder.add(checkpoint)
    trainer.checkpoints = recorder
    trainer.restore(checkpoints[-1])
    trainer.history.clear()
