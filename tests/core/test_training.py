"""The training loop: determinism, learning, stopping rules, live settings, stepping."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest

from nnviz.core.data import CATALOG
from nnviz.core.data.painted import PAINTED_KINDS
from nnviz.core.design import (
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    ScheduleSpec,
    TrainingSpec,
)
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.network import DesignMismatch
from nnviz.core.run.snapshot import CANCELLED, DIVERGED, EARLY_STOPPED, FINISHED, RUNNING
from nnviz.core.run.trainer import Trainer

PLAYGROUND_LAYERS = (LayerSpec(4, "tanh"), LayerSpec(2, "tanh"))


def make_design(
    dataset: str = "xor",
    *,
    layers=PLAYGROUND_LAYERS,
    points: int = 200,
    noise: float = 0.0,
    **training,
) -> Design:
    return Design(
        dataset=DatasetSpec(dataset, noise=noise, points=points),
        layers=tuple(layers),
        training=TrainingSpec(**training),
    )


def train_epochs(trainer: Trainer, n: int) -> None:
    for _ in range(n):
        trainer.step_epoch()


def params_equal(a, b) -> bool:
    return all(
        np.array_equal(wa, wb) and np.array_equal(ba, bb)
        for (wa, ba), (wb, bb) in zip(a, b, strict=True)
    )


# --- determinism and learning -----------------------------------------------------------------


def test_same_seed_gives_the_same_run_and_another_seed_another():
    design = make_design(epochs=5, seed=3)
    first, second = Trainer(design), Trainer(design)
    train_epochs(first, 5)
    train_epochs(second, 5)
    assert first.history == second.history
    assert params_equal(first.snapshot().params, second.snapshot().params)

    other = Trainer(
        dataclasses.replace(design, training=dataclasses.replace(design.training, seed=4))
    )
    train_epochs(other, 5)
    assert other.history[-1].train_loss != first.history[-1].train_loss


@pytest.mark.parametrize("dataset", ["xor", "circle"])
def test_loss_decreases_on_a_playground_set(dataset):
    design = make_design(
        dataset,
        layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
        points=300,
        optimizer=OptimizerSpec("adam", learning_rate=0.02),
        epochs=60,
    )
    trainer = Trainer(design)
    start = trainer.snapshot().metrics
    snapshots = list(trainer.run())
    end = snapshots[-1].metrics
    assert len(snapshots) == 60
    assert trainer.status == FINISHED
    assert end.train_loss < 0.5 * start.train_loss
    assert end.test_loss < 0.5 * start.test_loss
    assert end.test_metric > 0.9  # accuracy
    assert math.isnan(end.test_rmse)


BUILT_IN_LOW_DIMENSIONAL = [
    name for name, info in CATALOG.items() if info.n_raw in (1, 2) and name not in PAINTED_KINDS
]


@pytest.mark.parametrize("dataset", BUILT_IN_LOW_DIMENSIONAL)
def test_loss_decreases_on_every_built_in_2d_and_1d_set(dataset):
    """A sensible design (two tanh layers of 8, Adam; sin inputs for spirals, as TensorFlow
    Playground's users learn) learns every generated data set."""
    n_raw = CATALOG[dataset].n_raw
    features = ("x1", "x2") if n_raw == 2 else ("x1",)
    if dataset in ("spiral", "spirals"):
        features += ("sin(x1)", "sin(x2)")
    design = dataclasses.replace(
        make_design(
            dataset,
            layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
            points=300,
            optimizer=OptimizerSpec("adam", learning_rate=0.02),
            epochs=40,
            batch_size=10,
        ),
        features=features,
    )
    trainer = Trainer(design)
    start = trainer.snapshot().metrics.train_loss
    list(trainer.run())
    end = trainer.history[-1].train_loss
    assert trainer.status == FINISHED
    assert end < 0.8 * start, (start, end)


def test_regression_reports_r2_and_rmse():
    design = make_design(
        "plane",
        layers=(LayerSpec(4, "tanh"),),
        points=300,
        optimizer=OptimizerSpec("adam", learning_rate=0.02),
        epochs=20,
    )
    trainer = Trainer(design)
    train_epochs(trainer, 20)
    metrics = trainer.snapshot().metrics
    predictions = trainer.engine.predict(trainer.x_test)[:, 0]
    rmse = np.sqrt(np.mean((predictions - trainer.y_test) ** 2))
    assert metrics.test_rmse == pytest.approx(rmse, rel=1e-4)
    assert 0.5 < metrics.test_metric <= 1.0  # R²


def test_metrics_have_one_gradient_norm_per_layer_and_count_dead_relus():
    design = make_design(layers=(LayerSpec(6, "relu"), LayerSpec(3, "tanh")), epochs=10)
    trainer = Trainer(design)
    metrics = trainer.step_batch().metrics
    assert len(metrics.grad_norms) == 3
    assert all(norm > 0 for norm in metrics.grad_norms)
    assert metrics.dead_fraction == (0.0, 0.0)

    (w, b), *rest = trainer.engine.get_params()
    b = b.copy()
    b[:3] = -1e3  # half the first layer's units now output 0 everywhere: dead
    trainer.engine.set_params([(w, b), *rest])
    assert trainer.step_batch().metrics.dead_fraction == (0.5, 0.0)


# --- snapshots, stepping, cancelling ----------------------------------------------------------


def test_snapshots_hold_read_only_copies():
    trainer = Trainer(make_design(epochs=5))
    snapshot = trainer.step_epoch()
    weight = snapshot.params[0][0]
    kept = weight.copy()
    assert not weight.flags.writeable
    train_epochs(trainer, 2)
    assert np.array_equal(weight, kept)
    assert not np.array_equal(trainer.snapshot().params[0][0], kept)


def test_step_batch_and_step_epoch_count_batches_and_epochs():
    # 200 points, half for training: 100 rows, batches of 30 -> 4 batches an epoch.
    design = make_design(points=200, batch_size=30, epochs=10)
    trainer = Trainer(design)
    assert (trainer.epoch, trainer.step) == (0, 0)
    for _ in range(3):
        snapshot = trainer.step_batch()
    assert (trainer.epoch, trainer.step) == (0, 3)
    assert (snapshot.metrics.epoch, snapshot.metrics.step) == (0, 3)
    snapshot = trainer.step_epoch()  # the rest of the epoch: one batch
    assert (trainer.epoch, trainer.step) == (1, 4)
    snapshot = trainer.step_epoch()
    assert (snapshot.metrics.epoch, snapshot.metrics.step) == (2, 8)
    assert [row.step for row in trainer.history] == [1, 2, 3, 4, 8]


def test_stepping_by_batch_trains_exactly_as_by_epoch():
    design = make_design(points=200, batch_size=30, epochs=10)
    by_batch, by_epoch = Trainer(design), Trainer(design)
    for _ in range(8):
        by_batch.step_batch()
    train_epochs(by_epoch, 2)
    assert by_batch.epoch == by_epoch.epoch == 2
    assert params_equal(by_batch.snapshot().params, by_epoch.snapshot().params)


class TickingClock:
    """A clock that moves ``tick`` seconds each time it is read: every step seems slow."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def test_training_to_deadlines_trains_exactly_as_by_epoch():
    """The service trains to a deadline at a time, stopping in the middle of epochs; the
    chunks of batches between two looks at the clock change nothing in the run."""
    design = make_design(points=400, batch_size=10, epochs=10)
    to_deadlines, by_epoch = Trainer(design), Trainer(design)
    clock = TickingClock(0.001)
    calls = 0
    while to_deadlines.epoch < 3:
        to_deadlines.train_until(clock() + 0.004, clock)
        calls += 1
    train_epochs(by_epoch, 3)
    assert calls > 3  # it did stop in the middle of epochs
    assert to_deadlines.step == by_epoch.step == 60
    assert params_equal(to_deadlines.snapshot().params, by_epoch.snapshot().params)
    assert to_deadlines.history == by_epoch.history


def test_a_slow_step_reads_the_clock_after_every_batch():
    """Where one batch takes longer than a chunk (MNIST's size), a deadline stops the epoch
    after the batch that reached it, not after a chunk of them."""
    trainer = Trainer(make_design(points=400, batch_size=10, epochs=10))
    clock = TickingClock(0.05)  # each batch seems to take 50 ms, 25 times a chunk
    trainer.train_until(clock() + 0.06, clock)  # the first batch shows the step's pace
    assert trainer.step == 1
    assert trainer.train_until(clock() + 0.12, clock) is None
    assert trainer.step == 3  # a batch a look: two looks before the deadline
    assert trainer.epoch == 0


def test_run_stops_at_the_epoch_limit():
    trainer = Trainer(make_design(epochs=4))
    snapshots = list(trainer.run())
    assert [s.metrics.epoch for s in snapshots] == [1, 2, 3, 4]
    assert [s.status for s in snapshots] == [RUNNING] * 3 + [FINISHED]
    assert trainer.done and trainer.message == "finished 4 epochs"
    before = trainer.step
    assert trainer.step_epoch().metrics.epoch == 4  # a finished run does not train on
    assert trainer.step == before


def test_closing_run_cancels():
    trainer = Trainer(make_design(epochs=100))
    run = trainer.run()
    for _ in range(3):
        next(run)
    run.close()
    assert trainer.status == CANCELLED
    assert trainer.done
    assert trainer.epoch == 3
    assert trainer.step_epoch().status == CANCELLED
    assert trainer.epoch == 3


# --- live settings ----------------------------------------------------------------------------


def test_set_training_changes_the_learning_rate_from_the_next_step(monkeypatch):
    design = make_design(epochs=10)
    trainer = Trainer(design)
    used = []
    train_batch = trainer.engine.train_batch

    def recording(x, t, learning_rate, measure=False):
        used.append(learning_rate)
        return train_batch(x, t, learning_rate, measure)

    monkeypatch.setattr(trainer.engine, "train_batch", recording)
    trainer.step_batch()
    faster = dataclasses.replace(design.training, optimizer=OptimizerSpec(learning_rate=0.25))
    trainer.set_training(faster)
    snapshot = trainer.step_batch()
    assert used == [0.03, 0.25]
    assert snapshot.metrics.learning_rate == 0.25


def test_set_training_changes_the_batch_size_and_the_epoch_limit():
    design = make_design(points=200, batch_size=10, epochs=2)
    trainer = Trainer(design)
    trainer.set_training(dataclasses.replace(design.training, batch_size=50))
    trainer.step_epoch()
    assert trainer.step == 2  # 100 training rows in batches of 50
    train_epochs(trainer, 1)
    assert trainer.status == FINISHED

    trainer.set_training(dataclasses.replace(design.training, batch_size=50, epochs=3))
    assert trainer.status == RUNNING and not trainer.done
    trainer.step_epoch()
    assert (trainer.epoch, trainer.status) == (3, FINISHED)


def test_learning_rate_follows_the_schedule():
    design = make_design(epochs=4, schedule=ScheduleSpec("step", step_size=2, gamma=0.5))
    trainer = Trainer(design)
    rates = [snapshot.metrics.learning_rate for snapshot in trainer.run()]
    assert rates == pytest.approx([0.03, 0.03, 0.015, 0.015])


# --- stopping rules ---------------------------------------------------------------------------


def test_early_stopping_restores_the_best_weights():
    # A wide network on few noisy points overfits quickly: the test loss turns up.
    design = make_design(
        layers=(LayerSpec(32, "relu"), LayerSpec(32, "relu")),
        points=60,
        noise=0.5,
        optimizer=OptimizerSpec("adam", learning_rate=0.05),
        epochs=2000,
        early_stopping=True,
        patience=10,
    )
    trainer = Trainer(design)
    snapshots = list(trainer.run())
    assert trainer.status == EARLY_STOPPED
    assert snapshots[-1].status == EARLY_STOPPED
    trained = trainer.history[:-1]
    best = min(trained, key=lambda row: row.test_loss)
    assert trainer.epoch == best.epoch + 10 < 2000
    assert f"from epoch {best.epoch} " in trainer.message
    # The engine holds the best weights again, and the last snapshot shows them.
    assert trainer.engine.loss(trainer.x_test, trainer.t_test) == pytest.approx(best.test_loss)
    assert snapshots[-1].metrics.test_loss == best.test_loss
    assert params_equal(snapshots[-1].params, trainer.engine.get_params())


def test_a_huge_learning_rate_diverges_and_keeps_finite_weights():
    design = make_design(
        "plane",
        layers=(LayerSpec(8, "relu"), LayerSpec(8, "relu")),
        points=300,
        optimizer=OptimizerSpec("sgd", learning_rate=100.0),
        epochs=50,
    )
    trainer = Trainer(design)
    snapshots = list(trainer.run())
    assert trainer.status == DIVERGED == snapshots[-1].status
    assert len(snapshots) < 50
    assert re.fullmatch(
        r"(loss|weights) became (NaN|infinite|non-finite) at epoch \d+; "
        r"try a learning rate below 10",
        trainer.message,
    ), trainer.message
    for w, b in [*snapshots[-1].params, *trainer.engine.get_params()]:
        assert np.isfinite(w).all() and np.isfinite(b).all()
    assert math.isfinite(snapshots[-1].metrics.train_loss)


def test_a_divergence_in_an_epochs_middle_stops_that_epoch():
    """The middle of an epoch trains without reading its losses (``train_batches``); a run
    that blows up there still stops in that epoch, with the weights it had before it."""
    design = make_design(
        "plane", points=300, optimizer=OptimizerSpec("sgd", learning_rate=1e6), epochs=5
    )
    trainer = Trainer(design)
    start = trainer.snapshot().params
    snapshot = trainer.step_epoch()
    assert snapshot.status == DIVERGED
    assert snapshot.message.endswith("at epoch 1; try a learning rate below 1e+05")
    assert params_equal(snapshot.params, start)
    assert params_equal(trainer.engine.get_params(), start)


def test_a_divergence_stops_training_to_a_deadline_at_the_next_look_at_the_clock():
    design = make_design(
        "plane", points=4000, optimizer=OptimizerSpec("sgd", learning_rate=1e6), epochs=5
    )
    trainer = Trainer(design)
    start = trainer.snapshot().params
    clock = TickingClock(0.001)
    snapshot = None
    while snapshot is None:
        snapshot = trainer.train_until(clock() + 0.003, clock)
    assert snapshot.status == DIVERGED
    assert trainer.epoch == 0 and trainer.step < 50  # long before the epoch's 200th batch
    assert params_equal(snapshot.params, start)


# --- construction errors ----------------------------------------------------------------------


def test_a_design_that_does_not_fit_the_data_is_refused():
    design = dataclasses.replace(make_design(), output=OutputSpec("softmax"))
    with pytest.raises(DesignMismatch, match="softmax"):
        Trainer(design)


def test_the_torch_engine_refuses_the_perceptron():
    design = Design(
        dataset=DatasetSpec("and"),
        layers=(),
        output=OutputSpec("step"),
        training=TrainingSpec(engine="torch", batch_size=1),
    )
    with pytest.raises(EngineUnavailable, match="perceptron"):
        Trainer(design)


def test_the_perceptron_trains_on_the_numpy_engine():
    design = Design(
        dataset=DatasetSpec("and"),
        layers=(),
        output=OutputSpec("step"),
        training=TrainingSpec(batch_size=1, epochs=30),
    )
    trainer = Trainer(design)
    list(trainer.run())
    metrics = trainer.snapshot().metrics
    assert metrics.train_metric == 1.0
    assert metrics.dead_fraction == ()


@pytest.mark.parametrize(
    ("dataset", "features", "output"),
    [
        ("circle", ("x1", "x2"), "auto"),  # sigmoid + binary cross-entropy, from the logits
        ("circle", ("x1", "x2"), "tanh"),  # MSE on -1/+1 targets
        ("iris", (), "auto"),  # softmax + categorical cross-entropy
        ("plane", ("x1", "x2"), "auto"),  # regression, MSE
    ],
)
def test_reported_losses_are_the_engines_losses(dataset, features, output):
    design = Design(
        dataset=DatasetSpec(dataset, points=200),
        features=features,
        layers=(LayerSpec(5, "relu"),),
        output=OutputSpec(output),
        training=TrainingSpec(epochs=3),
    )
    trainer = Trainer(design)
    metrics = trainer.step_epoch().metrics
    engine = trainer.engine
    assert metrics.train_loss == pytest.approx(engine.loss(trainer.x_train, trainer.t_train))
    assert metrics.test_loss == pytest.approx(engine.loss(trainer.x_test, trainer.t_test))


def test_epoch_figures_match_an_independent_forward_pass():
    from nnviz.core.nn.losses import get_loss
    from nnviz.core.nn.network import predict_classes
    from nnviz.core.nn.numpy_engine import forward_layers

    design = make_design(epochs=3)
    trainer = Trainer(design)
    metrics = trainer.step_epoch().metrics
    params = trainer.engine.get_params()
    loss = get_loss(trainer.spec.loss)
    for x, t, y, got_loss, got_accuracy in (
        (
            trainer.x_train,
            trainer.t_train,
            trainer.y_train,
            metrics.train_loss,
            metrics.train_metric,
        ),
        (trainer.x_test, trainer.t_test, trainer.y_test, metrics.test_loss, metrics.test_metric),
    ):
        outputs = forward_layers(trainer.spec, params, x)[-1].astype(np.float64)
        assert got_loss == pytest.approx(loss.value(outputs, t), rel=1e-4)
        assert got_accuracy == pytest.approx(np.mean(predict_classes(trainer.spec, outputs) == y))


def test_gradient_norms_are_the_last_batch_gradients_before_its_update():
    design = make_design(epochs=3)
    trainer = Trainer(design)
    engine = trainer.engine
    x, t = trainer.x_train[:10], trainer.t_train[:10]
    _, grads = engine.gradients(x, t)
    engine.train_batch(x, t, 0.5, measure=True)
    expected = [np.linalg.norm(w) for w, _ in grads]
    np.testing.assert_allclose(engine.gradient_norms(), expected, rtol=1e-5)
    snapshot = trainer.step_batch()
    assert snapshot.metrics.grad_norms == engine.gradient_norms()
    assert all(n > 0 for n in snapshot.metrics.grad_norms)


def test_large_training_sets_are_scored_on_a_sample_and_predicted_in_full(monkeypatch):
    from nnviz.core.nn.network import predict_classes
    from nnviz.core.nn.numpy_engine import forward_layers
    from nnviz.core.run import evaluation

    monkeypatch.setattr(evaluation, "TRAIN_PROBE", 40)
    trainer = Trainer(make_design(points=400, epochs=3))  # 200 training points
    snapshot = trainer.step_epoch()
    probe = trainer._measure.evaluation.probe
    assert len(probe) == 40 and len(set(probe.tolist())) == 40
    params = [(np.array(w), np.array(b)) for w, b in snapshot.params]
    outputs = forward_layers(trainer.spec, params, trainer.x_train)[-1]
    every = predict_classes(trainer.spec, outputs)
    sample_accuracy = np.mean(every[probe] == trainer.y_train[probe])
    assert snapshot.metrics.train_metric == pytest.approx(sample_accuracy)
    train_classes, test_classes = trainer.predictions
    np.testing.assert_array_equal(train_classes, every)
    assert len(test_classes) == len(trainer.y_test) and not train_classes.flags.writeable


def test_every_training_points_class_can_be_worked_out_a_slice_at_a_time(monkeypatch):
    """The training process works them out between frames: slices that meet, in order."""
    from nnviz.core.nn.network import predict_classes
    from nnviz.core.nn.numpy_engine import forward_layers
    from nnviz.core.run import evaluation, metrics_row

    monkeypatch.setattr(evaluation, "TRAIN_PROBE", 40)
    monkeypatch.setattr(metrics_row, "CHUNK", 16)
    trainer = Trainer(make_design(points=400, epochs=3))  # 200 training points
    snapshot = trainer.step_epoch()
    pending = trainer.pending_predictions
    clock = iter(range(1000)).__next__  # each reading a second later
    slices = 0
    while not pending.work(deadline=clock() + 2, clock=clock):  # two chunks a slice
        slices += 1
        assert trainer.pending_predictions is pending
    assert slices == 200 // 32 and trainer.pending_predictions is None
    params = [(np.array(w), np.array(b)) for w, b in snapshot.params]
    every = predict_classes(trainer.spec, forward_layers(trainer.spec, params, trainer.x_train)[-1])
    np.testing.assert_array_equal(trainer.predictions[0], every)


def test_big_data_gathers_each_batch_instead_of_a_shuffled_copy_and_trains_the_same(monkeypatch):
    """MNIST's shuffled copy (188 MB) held the training process up for a tenth of a second and
    more each epoch; gathered a batch at a time, the run is the same to the last bit."""
    from nnviz.core.run import trainer as trainer_module

    design = make_design(points=400, epochs=5, batch_size=16)
    copied = Trainer(design)
    train_epochs(copied, 3)
    monkeypatch.setattr(trainer_module, "SHUFFLED_COPY_BYTES", 0)
    gathered = Trainer(design)
    train_epochs(gathered, 2)
    gathered.step_batch()
    assert isinstance(gathered._x_epoch, trainer_module._Shuffled)
    while gathered.epoch < 3:
        gathered.step_batch()
    pairs = zip(copied.snapshot().params, gathered.snapshot().params, strict=True)
    for (w0, b0), (w1, b1) in pairs:
        np.testing.assert_array_equal(w0, w1)
        np.testing.assert_array_equal(b0, b1)
