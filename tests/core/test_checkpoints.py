"""A run's timeline: the thinning rule, the budget, and checkpoints that continue runs exactly."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.run.checkpoints import Checkpoint, CheckpointRecorder, kept
from nnviz.core.run.trainer import Trainer


def fake_checkpoint(epoch: int, floats: int = 256) -> Checkpoint:
    w = np.zeros((1, floats), np.float32)
    return Checkpoint(epoch, epoch * 10, ((w, np.zeros(1, np.float32)),), {})


def design(optimizer="adam", dropout=0.0, engine="numpy", epochs=12) -> Design:
    return Design(
        dataset=DatasetSpec("spiral", points=120, noise=0.1),
        layers=(LayerSpec(6, "tanh", dropout), LayerSpec(4, "relu")),
        training=TrainingSpec(
            optimizer=OptimizerSpec(optimizer, learning_rate=0.02),
            batch_size=16,
            epochs=epochs,
            seed=3,
            engine=engine,
        ),
    )


# --- the thinning rule and the budget ---------------------------------------------------------


def test_the_rule_keeps_every_epoch_below_the_resolution_then_thins_by_octave():
    assert all(kept(e, 8) for e in range(8))
    assert [e for e in range(8, 16) if kept(e, 8)] == list(range(8, 16))
    assert [e for e in range(16, 32) if kept(e, 8)] == list(range(16, 32, 2))
    assert [e for e in range(32, 64) if kept(e, 8)] == list(range(32, 64, 4))


def test_memory_stays_within_the_budget_over_100000_epochs():
    one = fake_checkpoint(0).nbytes
    recorder = CheckpointRecorder(budget_bytes=200 * one)
    worst = 0
    for epoch in range(100_001):
        recorder.add(fake_checkpoint(epoch))
        worst = max(worst, recorder.nbytes)
    epochs = [c.epoch for c in recorder.checkpoints]
    assert worst <= recorder.budget_bytes
    assert epochs[0] == 0 and epochs[-1] == 100_000  # the start and the current state
    assert epochs == sorted(set(epochs))
    # Dense at the start, thinner later: the gaps never shrink by more than the octave rule.
    gaps = np.diff(epochs)
    assert gaps[0] == 1 and gaps[-2] > 1000
    assert len(epochs) > 100  # the budget is used, not wasted


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_recorder_counts_the_memory_its_checkpoints_really_hold(optimizer):
    """The budget is of memory, not of array data alone (a third of it on a small network):
    the count agrees with what tracemalloc sees freed when the recorder goes."""
    tracemalloc.start()
    try:
        trainer = Trainer(design(optimizer, epochs=300), record_bytes=2**30)
        for _ in trainer.run():
            pass
        recorder, trainer.checkpoints = trainer.checkpoints, None
        counted = recorder.nbytes
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        del recorder
        gc.collect()
        freed = held - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert freed == pytest.approx(counted, rel=0.3)


def test_the_nearest_checkpoint_is_the_latest_at_or_before_an_epoch():
    recorder = CheckpointRecorder()
    for epoch in (0, 1, 2, 4, 8):
        recorder.add(fake_checkpoint(epoch))
    assert recorder.nearest(5).epoch == 4
    assert recorder.nearest(8).epoch == 8
    assert recorder.nearest(100).epoch == 8
    recorder.truncate(3)
    assert [c.epoch for c in recorder.checkpoints] == [0, 1, 2]


def test_checkpoints_come_in_order():
    recorder = CheckpointRecorder()
    recorder.add(fake_checkpoint(3))
    with pytest.raises(ValueError, match="epoch 2 after one of epoch 3"):
        recorder.add(fake_checkpoint(2))


# --- checkpoints of a real run ------------------------------------------------------------------


def test_the_last_checkpoint_holds_the_final_weights():
    trainer = Trainer(design(), record_bytes=2**20)
    for _ in trainer.run():
        pass
    last = trainer.checkpoints.checkpoints[-1]
    assert last.epoch == trainer.epoch == 12
    for (w, b), (fw, fb) in zip(last.params, trainer.engine.get_params(), strict=True):
        np.testing.assert_array_equal(w, fw)
        np.testing.assert_array_equal(b, fb)
    assert [c.epoch for c in trainer.checkpoints.checkpoints] == list(range(13))


def test_a_checkpoint_replayed_through_the_engine_gives_the_loss_recorded_for_its_epoch():
    trainer = Trainer(design(), record_bytes=2**20)
    for _ in trainer.run():
        pass
    by_epoch = {row.epoch: row for row in trainer.history}
    replay = Trainer(design())
    for checkpoint in trainer.checkpoints.checkpoints[1:]:
        replay.engine.set_params([(w.copy(), b.copy()) for w, b in checkpoint.params])
        loss = replay.engine.loss(replay.x_train, replay.t_train)
        assert loss == pytest.approx(by_epoch[checkpoint.epoch].train_loss, rel=1e-5)


@pytest.mark.parametrize(
    ("optimizer", "dropout", "engine"),
    [
        ("sgd", 0.0, "numpy"),
        ("momentum", 0.3, "numpy"),
        ("rmsprop", 0.0, "numpy"),
        ("adam", 0.3, "numpy"),
        ("adamw", 0.0, "numpy"),
        ("adam", 0.3, "torch"),
        ("momentum", 0.0, "torch"),
        ("rmsprop", 0.0, "torch"),
    ],
)
def test_forking_with_unchanged_settings_repeats_the_run_exactly(optimizer, dropout, engine):
    try:
        original = Trainer(design(optimizer, dropout, engine), record_bytes=2**20)
    except EngineUnavailable as error:
        pytest.skip(str(error))
    for _ in original.run():
        pass
    fork_at = original.checkpoints.nearest(5)
    fork = Trainer(design(optimizer, dropout, engine), record_bytes=2**20)
    fork.history = [row for row in original.history if row.step <= fork_at.step]
    fork.restore(fork_at)
    for _ in fork.run():
        pass
    assert fork.epoch == original.epoch
    assert fork.history == original.history  # every figure of every epoch, exactly
    for (w, b), (ow, ob) in zip(
        fork.engine.get_params(), original.engine.get_params(), strict=True
    ):
        np.testing.assert_array_equal(w, ow)
        np.testing.assert_array_equal(b, ob)


def test_restoring_rewinds_a_run_in_place_and_cuts_its_timeline():
    trainer = Trainer(design(epochs=10), record_bytes=2**20)
    for _ in trainer.run():
        pass
    final = trainer.history[-1]
    trainer.restore(trainer.checkpoints.nearest(4))
    assert trainer.epoch == 4 and not trainer.done
    assert [c.epoch for c in trainer.checkpoints.checkpoints] == [0, 1, 2, 3, 4]
    assert trainer.history[-1].epoch == 4
    for _ in trainer.run():
        pass
    assert trainer.history[-1] == final


def test_a_checkpoint_is_refused_in_the_middle_of_an_epoch():
    trainer = Trainer(design())
    trainer.step_batch()
    with pytest.raises(ValueError, match="between epochs"):
        trainer.checkpoint()
