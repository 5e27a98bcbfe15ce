"""The loss landscape (Li et al. 2018): its centre, its directions, its symmetry, its path."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.insight import run_to_end
from nnviz.core.insight.landscape import (
    PATH,
    filter_normalized_direction,
    interpolation,
    landscape_steps,
    project,
    random_plane,
    to_vector,
)
from nnviz.core.insight.problem import Problem, stack
from nnviz.core.nn.network import REGRESSION, NetworkSpec
from nnviz.core.nn.numpy_engine import NumpyEngine
from nnviz.core.run.trainer import Trainer

PLAYGROUND = (LayerSpec(4, "tanh"), LayerSpec(2, "tanh"))


def trained(dataset="xor", layers=PLAYGROUND, epochs=5):
    design = Design(
        dataset=DatasetSpec(dataset, points=200),
        features=("x1",) if dataset == "sine" else ("x1", "x2"),
        layers=layers,
        training=TrainingSpec(epochs=epochs, seed=2),
    )
    trainer = Trainer(design)
    snapshots = list(trainer.run())
    return trainer, snapshots


def test_the_centre_is_the_training_loss_the_history_reports():
    trainer, _ = trained()
    params = trainer.engine.get_params()
    result = run_to_end(landscape_steps(Problem.from_trainer(trainer), params, grid=5))
    assert result.alphas[2] == result.betas[2] == 0.0
    assert result.centre == pytest.approx(trainer.snapshot().metrics.train_loss, rel=1e-6)
    assert result.centre == pytest.approx(trainer.engine.loss(trainer.x_train, trainer.t_train))
    assert result.to_json()["loss"][2][2] == result.centre


@pytest.mark.parametrize("dataset", ["xor", "spirals", "sine"])
def test_batched_losses_agree_with_the_engine_for_each_loss(dataset):
    """BCE (xor), softmax cross-entropy (3 spirals), MSE (sine), many weights at once."""
    trainer, _ = trained(dataset, epochs=2)
    problem = Problem.from_trainer(trainer)
    rng = np.random.default_rng(0)
    networks = [
        [(w + rng.normal(0, 0.3, w.shape), b) for w, b in trainer.engine.get_params()]
        for _ in range(4)
    ]
    expected = []
    for params in networks:
        trainer.engine.set_params(params)
        expected.append(trainer.engine.loss(trainer.x_train, trainer.t_train))
    stacked = [(w.astype(np.float32), b.astype(np.float32)) for w, b in stack(networks)]
    np.testing.assert_allclose(problem.losses(stacked), expected, rtol=1e-5)


def test_filter_normalised_directions_have_the_weights_row_norms():
    trainer, _ = trained()
    params = trainer.engine.get_params()
    direction = filter_normalized_direction(params, np.random.default_rng(0))
    for (w, _), (dw, db) in zip(params, direction, strict=True):
        np.testing.assert_allclose(np.linalg.norm(dw, axis=1), np.linalg.norm(w, axis=1), rtol=1e-5)
        assert not np.allclose(dw, w)  # a random direction, not the weights themselves
        assert not np.any(db)  # biases stay where they are, as in Li et al.'s code
    first, second = random_plane(params, 7)
    again, _ = random_plane(params, 7)
    assert np.array_equal(to_vector(first), to_vector(again))
    assert not np.allclose(to_vector(first), to_vector(second))


def least_squares_problem():
    """A linear network with MSE: its loss is a quadratic in the weights, minimal at the
    least-squares solution."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 3))
    t = (x @ np.array([1.5, -2.0, 0.5]) + 0.3 + rng.normal(0, 0.2, 60))[:, None]
    spec = NetworkSpec((3, 1), ("linear",), (0.0,), "mse", REGRESSION, 0)
    solution, *_ = np.linalg.lstsq(np.column_stack([x, np.ones(60)]), t, rcond=None)
    params = [(solution[:3].T.copy(), solution[3].copy())]
    return Problem(spec, x, t), params


def test_the_grid_is_symmetric_around_the_minimum_of_a_quadratic():
    problem, params = least_squares_problem()
    result = run_to_end(landscape_steps(problem, params, grid=9, span=2.0, seed=4))
    np.testing.assert_allclose(result.loss, result.loss[::-1, ::-1], rtol=1e-10)
    assert result.loss.min() == pytest.approx(result.centre)
    # one grid value against the loss written out by hand
    (dw, _), (ew, _) = result.directions[0][0], result.directions[1][0]
    w = params[0][0] + result.alphas[1] * dw + result.betas[7] * ew
    by_hand = np.mean((problem.x @ w.T + params[0][1] - problem.t) ** 2)
    assert result.loss[1, 7] == pytest.approx(by_hand, rel=1e-10)


def test_bad_grids_are_refused():
    problem, params = least_squares_problem()
    for grid, span in [(4, 1.0), (1, 1.0), (5, 0.0), (5, float("nan"))]:
        with pytest.raises(ValueError):
            run_to_end(landscape_steps(problem, params, grid=grid, span=span))


def test_a_path_on_the_plane_projects_to_its_coordinates():
    _, params = least_squares_problem()
    directions = random_plane(params, 1)
    coords = [(0.5, -0.25), (-1.0, 0.75), (0.0, 0.0)]
    path = [
        [
            (w + a * dw + b * ew, bias)
            for (w, bias), (dw, _), (ew, _) in zip(params, *directions, strict=True)
        ]
        for a, b in coords
    ]
    np.testing.assert_allclose(project(path, params, directions), coords, atol=1e-10)


def test_the_path_plane_holds_a_real_run_within_its_span():
    trainer, snapshots = trained(epochs=8)
    path = [s.params for s in snapshots]
    params = trainer.engine.get_params()
    result = run_to_end(
        landscape_steps(Problem.from_trainer(trainer), params, grid=5, plane=PATH, path=path)
    )
    assert result.path.shape == (8, 2)
    assert np.all(np.abs(result.path) <= 1 + 1e-6)  # float32 weights
    assert np.abs(result.path).max() == pytest.approx(1.0, rel=1e-6)
    assert 0.5 < sum(result.explained) <= 1 + 1e-9
    assert result.path[-1] == pytest.approx([0.0, 0.0], abs=1e-6)  # the last is the current


def test_the_slice_runs_from_the_initial_to_the_current_weights():
    trainer, _ = trained()
    problem = Problem.from_trainer(trainer)
    initial = Trainer(trainer.design).engine.get_params()
    current = trainer.engine.get_params()
    ts, losses = interpolation(problem, initial, current)
    assert losses[list(ts).index(0.0)] == pytest.approx(problem.loss(initial), rel=1e-6)
    assert losses[list(ts).index(1.0)] == pytest.approx(problem.loss(current), rel=1e-6)
    engine = NumpyEngine(trainer.spec, initial, trainer.training.optimizer)
    assert problem.loss(initial) == pytest.approx(engine.loss(problem.x, problem.t), rel=1e-6)


def test_progress_rises_to_one_and_closing_stops_it():
    problem, params = least_squares_problem()
    steps = landscape_steps(problem, params, grid=5)
    shares = [next(steps) for _ in range(6)]
    assert shares == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    steps.close()  # cancelling between rows is closing the generator
