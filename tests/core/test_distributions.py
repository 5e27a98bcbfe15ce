"""Histograms of z, weights and gradients, and the flat shares, checked against references."""

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.run_file import load_run, save_run
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.run.distributions import (
    BINS,
    CURVES,
    DistributionMeter,
    histogram,
    power_of_two_limit,
    probe_points,
    rebin,
)
from nnviz.core.run.frames import Frame
from nnviz.core.run.protocol import NewRun, StepEpoch
from nnviz.core.run.replay import replay
from nnviz.core.run.service import TrainingService
from nnviz.core.run.trainer import Trainer
from tests.core.test_gradients import finite_difference_gradients


def random_params(spec, rng, scale=1.0):
    return [
        (rng.normal(scale=scale, size=(o, i)), rng.normal(scale=scale, size=o))
        for i, o in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
    ]


SPEC = NetworkSpec((3, 5, 4, 1), ("tanh", "relu", "linear"), (0.5, 0.0, 0.0), "mse", "regression")


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    return x, t, random_params(SPEC, rng)


def test_weight_histograms_are_numpys_over_a_power_of_two_range(problem):
    x, t, params = problem
    meter = DistributionMeter(SPEC, x, t, dtype="float64")
    found = meter.measure(params, epoch=3)
    assert found.epoch == 3 and found.points == 40
    for k, (w, _) in enumerate(params):
        limit = found.weights.limits[k]
        assert limit == 2.0 ** np.ceil(np.log2(np.abs(w).max()))
        expected, edges = np.histogram(w, bins=np.linspace(-limit, limit, BINS + 1))
        np.testing.assert_array_equal(found.weights.counts[k], expected)
        np.testing.assert_allclose(found.weights.edges(k), edges)
        assert found.weights.counts[k].sum() == w.size


def test_z_histograms_count_every_pre_activation_on_the_sample(problem):
    x, t, params = problem
    found = DistributionMeter(SPEC, x, t, dtype="float64").measure(params, 0)
    z1 = x @ params[0][0].T + params[0][1]
    z2 = np.tanh(z1) @ params[1][0].T + params[1][1]
    for k, z in enumerate((z1, z2)):
        limit = found.z.limits[k]
        expected = np.histogram(z, bins=np.linspace(-limit, limit, BINS + 1))[0]
        np.testing.assert_array_equal(found.z.counts[k], expected)


def test_gradient_histograms_are_of_the_finite_difference_gradient_without_dropout(problem):
    x, t, params = problem
    l2 = 0.1
    found = DistributionMeter(SPEC, x, t, l2=l2, dtype="float64").measure(params, 0)

    def objective(p):
        a = x
        for (w, b), name in zip(p, SPEC.activations, strict=True):
            z = a @ w.T + b
            a = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v}[name](
                z
            )
        penalty = l2 / 2 * sum((w**2).sum() for w, _ in p)
        return ((a - t) ** 2).mean() + penalty

    expected = finite_difference_gradients(objective, params)
    for k, (dw, _) in enumerate(expected):
        limit = found.gradients.limits[k]
        assert limit == power_of_two_limit(dw)
        counts = np.histogram(dw, bins=np.linspace(-limit, limit, BINS + 1))[0]
        np.testing.assert_array_equal(found.gradients.counts[k], counts)


def test_ranges_only_grow_within_a_run_and_old_columns_rebin_exactly(problem):
    x, t, params = problem
    meter = DistributionMeter(SPEC, x, t, dtype="float64")
    wide = meter.measure(params, 0)
    small = [(w / 16, b / 16) for w, b in params]
    narrow = meter.measure(small, 1)
    np.testing.assert_array_equal(narrow.weights.limits, wide.weights.limits)
    fresh = DistributionMeter(SPEC, x, t, dtype="float64").measure(small, 0)
    assert (fresh.weights.limits < wide.weights.limits).all()
    for k in range(SPEC.n_layers):
        moved = rebin(fresh.weights.counts[k], fresh.weights.limits[k], wide.weights.limits[k])
        np.testing.assert_allclose(moved, narrow.weights.counts[k])


def test_non_finite_values_are_not_counted():
    values = np.array([np.nan, np.inf, -0.7, 0.2, 3.0])
    limit = power_of_two_limit(values)
    assert limit == 4.0
    assert histogram(values, limit).sum() == 3
    assert power_of_two_limit(np.zeros(3)) > 0


def test_saturated_and_dead_shares_on_a_constructed_network():
    """z of the one hidden layer is ``x`` times (1, 10, -1): unit 0 in the sigmoid's bend,
    unit 1 saturated everywhere, unit 2 dead for ReLU wherever x > 0."""
    x = np.linspace(0.5, 2.0, 8)[:, None]  # all positive
    spec = NetworkSpec((1, 3, 1), ("sigmoid", "linear"), (0.0, 0.0), "mse", "regression")
    params = [(np.array([[1.0], [10.0], [-1.0]]), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))]
    found = DistributionMeter(spec, x, np.zeros((8, 1)), dtype="float64").measure(params, 0)
    z = x * np.array([1.0, 10.0, -1.0])
    s = 1 / (1 + np.exp(-z))
    sigmoid_flat = np.abs(s * (1 - s)) < 0.01
    assert found.flatness(0, "sigmoid") == pytest.approx(
        (sigmoid_flat.mean(), sigmoid_flat.all(axis=0).mean())
    )
    assert found.flatness(0, "sigmoid")[1] == pytest.approx(1 / 3)  # unit 1 saturated
    assert found.flatness(0, "relu") == pytest.approx((1 / 3, 1 / 3))  # unit 2 dead
    assert found.flatness(0, "tanh")[1] == pytest.approx(1 / 3)
    assert found.flatness(0, "linear") == (0.0, 0.0)
    assert found.flatness(0, "leaky_relu") == (0.0, 0.0)  # slope 0.01 is not below 0.01
    assert found.flatness(0, "step") == (1.0, 1.0)
    assert "softmax" not in CURVES


def test_the_sample_is_bounded_by_the_cost_of_the_network():
    playground = NetworkSpec((2, 8, 8, 1), ("tanh",) * 2 + ("sigmoid",), (0.0,) * 3, "mse")
    mnist = NetworkSpec((784, 256, 128, 10), ("relu",) * 2 + ("softmax",), (0.0,) * 3, "mse")
    assert probe_points(playground) == 512
    assert probe_points(mnist) == 64


DESIGN = Design(
    dataset=DatasetSpec("xor", points=80),
    layers=(LayerSpec(5, "tanh"),),
    training=TrainingSpec(optimizer=OptimizerSpec("adam", 0.05), epochs=4, seed=2),
)


def test_frames_with_views_carry_the_distributions_of_their_weights():
    sent = []
    service = TrainingService(sent.append)
    service.handle(NewRun(DESIGN, None, 1))
    service.handle(StepEpoch())
    frames = [m for m in sent if isinstance(m, Frame)]
    assert [f.distributions.epoch for f in frames] == [0, 1]
    last = frames[-1]
    w = np.asarray(last.snapshot.params[0][0])
    limit = last.distributions.weights.limits[0]
    expected = np.histogram(w, bins=np.linspace(-limit, limit, BINS + 1))[0]
    np.testing.assert_array_equal(last.distributions.weights.counts[0], expected)


def test_a_replayed_run_gives_the_live_runs_histograms(tmp_path):
    trainer = Trainer(DESIGN, record_bytes=2**20)
    meter = DistributionMeter.of(trainer)
    live = [meter.measure(trainer.snapshot().params, 0)]
    for snapshot in trainer.run():
        live.append(meter.measure(snapshot.params, snapshot.metrics.epoch))
    path = tmp_path / "run.nnvizrun"
    checkpoints = trainer.checkpoints.checkpoints
    save_run(path, trainer.design, trainer.history, checkpoints, trainer.spec.layer_names)
    steps = replay(load_run(path)).distributions()
    shares = []
    while True:
        try:
            shares.append(next(steps))
        except StopIteration as done:
            replayed = done.value
            break
    assert shares[-1] == 1.0 and len(replayed) == len(checkpoints) == 5
    for a, b in zip(live, replayed, strict=True):
        assert a.epoch == b.epoch
        for kind in ("z", "weights", "gradients"):
            np.testing.assert_array_equal(getattr(a, kind).counts, getattr(b, kind).counts)
            np.testing.assert_array_equal(getattr(a, kind).limits, getattr(b, kind).limits)


def test_rebin_keeps_every_count_and_works_on_rows():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 9, size=(3, BINS)).astype(float)
    wider = rebin(counts, 0.5, 2.0)
    assert wider.shape == counts.shape
    np.testing.assert_allclose(wider.sum(axis=1), counts.sum(axis=1))
    np.testing.assert_allclose(wider[1], rebin(counts[1], 0.5, 2.0))
    # four old bins make each of the middle new bins
    np.testing.assert_allclose(wider[:, 24:40], counts.reshape(3, 16, 4).sum(axis=2))
    np.testing.assert_allclose(rebin(counts, 1.0, 1.0), counts)


def test_measuring_while_training_is_paced_by_its_cost_and_merged_frames_keep_it(problem):
    from nnviz.core.run.distributions import MEASURE_BUDGET
    from nnviz.core.run.pacing import merge_frames

    x, t, params = problem
    meter = DistributionMeter(SPEC, x, t, dtype="float64")
    times = iter([0.0, 0.01, 0.05, 0.19, 0.20, 0.38, 0.40, 0.41])  # each measured in 10 ms

    def clock():
        return next(times)

    assert meter.measure_paced(params, 0, clock) is not None  # 0 to 0.01: next at 0.2
    assert meter.measure_paced(params, 1, clock) is None  # at 0.05
    assert meter.measure_paced(params, 2, clock, now=True).epoch == 2  # paused: always
    assert meter.measure_paced(params, 3, clock) is None  # at 0.38, before 0.19 + 0.2
    assert meter.measure_paced(params, 4, clock).epoch == 4  # at 0.40
    assert MEASURE_BUDGET == 0.05
    measured = meter.measure(params, 4)
    older = Frame(1, (), None, None, None, measured)
    assert merge_frames(older, Frame(1, (), None, None)).distributions is measured
