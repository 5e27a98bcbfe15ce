"""The training process's side of the timeline: a checkpoint's pictures, forks, switching
back, a run file's timeline taken on (no Qt)."""

from dataclasses import replace

import numpy as np
import pytest
from test_service import FakeClock, frames, of_kind, rows, xor_design

from nnviz.core.run.protocol import (
    Adopt,
    CheckpointShown,
    CheckpointsSent,
    Failure,
    Fork,
    NewRun,
    RunRestored,
    SendCheckpoints,
    SessionState,
    ShowCheckpoint,
    StepEpoch,
    SwitchRun,
    Update,
)
from nnviz.core.run.service import TrainingService
from nnviz.core.run.trainer import Trainer
from nnviz.core.run.views import evaluate_views


def make_service():
    sent = []
    service = TrainingService(sent.append, clock=FakeClock())
    service.sent = sent
    return service


@pytest.fixture
def service():
    service = make_service()
    service.handle(NewRun(xor_design(), None, 1))
    for _ in range(10):
        service.handle(StepEpoch())
    return service


def test_a_checkpoint_is_shown_from_its_weights_and_the_live_run_stays(service):
    live = service.trainer.snapshot()
    service.handle(ShowCheckpoint(0))
    [shown] = of_kind(service, CheckpointShown)
    initial = Trainer(xor_design())  # the same seed: the same initial weights
    for (w, b), (w0, b0) in zip(shown.params, initial.snapshot().params, strict=True):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)
    expected = evaluate_views(service._grid, initial.spec, initial.snapshot().params)
    np.testing.assert_allclose(shown.views.output, expected.output)
    assert (shown.epoch, shown.step, shown.generation) == (0, 0, 1)
    assert shown.epochs == tuple(range(11))
    assert service.trainer.epoch == 10
    assert service.trainer.snapshot().params[0][0] is live.params[0][0]


def test_a_fork_with_unchanged_settings_repeats_the_runs_next_epochs(service):
    original = rows(service)
    service.handle(Fork(5, 2))
    [restored] = of_kind(service, RunRestored)
    assert (restored.parent, restored.epoch, restored.info.generation) == (1, 5, 2)
    assert service.state == SessionState.PAUSED
    for _ in range(3):
        service.handle(StepEpoch())
    fork_rows = [row for frame in frames(service) if frame.generation == 2 for row in frame.rows]
    assert [row.epoch for row in fork_rows] == [6, 7, 8]
    for mine, theirs in zip(fork_rows, original[5:8], strict=True):
        assert mine.train_loss == theirs.train_loss
        assert mine.step == theirs.step
    # The fork's timeline starts with the parent's checkpoints up to the fork.
    assert [c.epoch for c in service.trainer.checkpoints.checkpoints] == list(range(9))


def test_a_fork_takes_the_settings_sent_last_and_the_original_can_be_brought_back(service):
    service.handle(Update(replace(service.design, training=replace(
        service.design.training, optimizer=replace(service.design.training.optimizer,
                                                   learning_rate=0.3)))))  # fmt: skip
    service.handle(Fork(4, 2))
    service.handle(StepEpoch())
    assert service.trainer.snapshot().metrics.learning_rate == pytest.approx(0.3)
    assert service.trainer.epoch == 5
    service.handle(SwitchRun(1))
    assert service.generation == 1 and service.trainer.epoch == 10
    assert frames(service)[-1].generation == 1
    service.handle(SwitchRun(2))
    assert service.trainer.epoch == 5


def test_a_run_files_timeline_is_taken_on_and_training_goes_on_from_its_end(service):
    service.handle(SendCheckpoints("save"))
    [sent] = of_kind(service, CheckpointsSent)
    assert [c.epoch for c in sent.checkpoints] == list(range(11))
    other = make_service()
    other.handle(NewRun(xor_design(), None, 4))
    other.handle(Adopt(sent.checkpoints))
    [restored] = of_kind(other, RunRestored)
    assert (restored.parent, restored.epoch) == (None, 10)
    other.handle(StepEpoch())
    service.handle(StepEpoch())
    assert frames(other)[-1].rows[-1].train_loss == frames(service)[-1].rows[-1].train_loss


def test_checkpoints_of_another_network_are_refused_with_a_message(service):
    service.handle(SendCheckpoints("save"))
    [sent] = of_kind(service, CheckpointsSent)
    other = make_service()
    wider = replace(xor_design(), layers=(xor_design().layers[0], replace(
        xor_design().layers[1], units=3)))  # fmt: skip
    other.handle(NewRun(wider, None, 1))
    other.handle(Adopt(sent.checkpoints))
    [failure] = of_kind(other, Failure)
    assert "does not fit the run's network" in failure.text
