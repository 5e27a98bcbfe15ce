"""What the panels draw: the run's facts and the network over the input plane or line."""

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec
from nnviz.core.run.frames import LINE, PLANE
from nnviz.core.run.history import MetricsHistory
from nnviz.core.run.projection import plane_projection
from nnviz.core.run.run_facts import make_run_info
from nnviz.core.run.snapshot import EpochMetrics
from nnviz.core.run.trainer import Trainer
from nnviz.core.run.views import compute_views

PLAYGROUND_LAYERS = (LayerSpec(4), LayerSpec(2))


def trainer_for(name, features=("x1", "x2"), layers=PLAYGROUND_LAYERS, **data):
    design = Design(
        dataset=DatasetSpec(name=name, seed=3, **data), features=features, layers=layers
    )
    return Trainer(design)


def views_of(trainer, run_info, **kwargs):
    projection = plane_projection(trainer.x_train) if trainer.dataset.n_raw > 2 else None
    return compute_views(
        run_info,
        trainer.pipeline,
        trainer.spec,
        trainer.engine.get_params(),
        projection=projection,
        **kwargs,
    )


def test_plane_of_2d_data_spans_the_playground_axes():
    trainer = trainer_for("xor", points=200)
    info = make_run_info(trainer, generation=4)
    assert info.kind == PLANE and info.generation == 4
    assert info.extent == (-6.0, 6.0, -6.0, 6.0)
    assert info.axis_labels == ("x1", "x2")
    assert info.layer_names == ("hidden 1", "hidden 2", "output")
    assert info.input_names == ("x1", "x2")
    assert info.engine == "numpy" and info.device == "cpu"
    np.testing.assert_allclose(info.train_points, trainer.dataset.x_train, rtol=1e-6)
    assert info.train_points.dtype == np.float32
    np.testing.assert_array_equal(info.test_labels, trainer.dataset.y_test)


def test_plane_views_have_the_documented_shapes_and_values():
    trainer = trainer_for("xor", points=200, features=("x1", "x2", "x1*x2"))
    info = make_run_info(trainer, 1)
    views = views_of(trainer, info, resolution=50, thumbnail=10)
    assert views.output.shape == (50, 50, 1) and views.output.dtype == np.float32
    assert [n.shape for n in views.neurons] == [(4, 10, 10), (2, 10, 10), (1, 10, 10)]
    assert views.inputs.shape == (3, 10, 10)
    assert views.xs is None
    # Pixel (row 7, column 31) is centred at x1 = -6 + 31.5 * 12/50, x2 = -6 + 7.5 * 12/50.
    point = np.array([[-6 + 31.5 * 12 / 50, -6 + 7.5 * 12 / 50]], np.float32)
    expected = trainer.engine.predict(trainer.pipeline.transform(point))[0, 0]
    assert views.output[7, 31, 0] == pytest.approx(expected, abs=1e-5)
    # Thumbnail pixel (i, j) is the full image's pixel (5i + 2, 5j + 2); its output unit matches.
    np.testing.assert_allclose(views.neurons[-1][0], views.output[2::5, 2::5, 0], atol=1e-6)
    # The x1*x2 input picture is the product of the x1 and x2 pictures.
    np.testing.assert_allclose(views.inputs[2], views.inputs[0] * views.inputs[1], rtol=1e-5)


def test_breast_cancers_plane_spreads_the_points_over_both_axes():
    """Raw, the areas (0 to 3000) made the first component alone and every point lay in one
    strip; on the standardised inputs both components spread the points."""
    trainer = trainer_for("breast_cancer", features=())
    info = make_run_info(trainer, 1)
    spread = info.train_points.std(axis=0)
    assert spread[0] < 10 and spread[1] > spread[0] / 3
    x0, x1, y0, y1 = info.extent
    assert (x1 - x0) < 40 and (y1 - y0) < 40


def test_wide_data_is_viewed_on_its_principal_component_plane():
    trainer = trainer_for("iris", features=())
    info = make_run_info(trainer, 1)
    assert info.kind == PLANE and info.axis_labels[0] == "principal component 1"
    x = trainer.x_train  # the standardised inputs the network sees (issue 14 item 8)
    _, vectors = np.linalg.eigh(np.cov(x, rowvar=False))  # eigenvalues ascending
    reference = (x - x.mean(axis=0)) @ vectors[:, [-1, -2]]
    for k in range(2):  # the same plane up to each axis's sign
        sign = np.sign(reference[0, k] * info.train_points[0, k])
        np.testing.assert_allclose(info.train_points[:, k], sign * reference[:, k], atol=1e-4)
    x0, x1, y0, y1 = info.extent
    both = np.concatenate([info.train_points, info.test_points])
    assert x0 < both[:, 0].min() and both[:, 0].max() < x1
    assert y0 < both[:, 1].min() and both[:, 1].max() < y1
    views = views_of(trainer, info, resolution=20, thumbnail=4)
    assert views.output.shape == (20, 20, 3)
    np.testing.assert_allclose(views.output.sum(axis=2), 1.0, atol=1e-5)  # softmax


def test_the_plane_maps_back_to_raw_space_through_the_mean():
    x = np.random.default_rng(0).normal(size=(100, 4)) * [5, 2, 0.1, 0.1] + [1, 2, 3, 4]
    projection = plane_projection(x)
    np.testing.assert_allclose(projection.axes @ projection.axes.T, np.eye(2), atol=1e-9)
    np.testing.assert_allclose(projection.unproject(np.zeros((1, 2)))[0], x.mean(axis=0), rtol=1e-5)
    assert abs(projection.axes[0, 0]) > 0.99  # the widest direction first
    p = projection.project(x[:3])
    np.testing.assert_allclose(projection.project(projection.unproject(p)), p, atol=1e-4)


def test_wide_data_without_its_projection_is_refused():
    trainer = trainer_for("iris", features=())
    info = make_run_info(trainer, 1)
    with pytest.raises(ValueError, match="principal-component"):
        compute_views(info, trainer.pipeline, trainer.spec, trainer.engine.get_params())


def test_1d_regression_is_a_line_of_400_points():
    trainer = trainer_for("sine", features=("x1",), layers=(LayerSpec(8),))
    info = make_run_info(trainer, 1)
    assert info.kind == LINE
    np.testing.assert_allclose(info.train_points[:, 1], trainer.dataset.y_train, rtol=1e-6)
    views = views_of(trainer, info)
    assert views.xs.shape == (400,)
    assert views.xs[0] == pytest.approx(info.extent[0]) and views.xs[-1] == pytest.approx(
        info.extent[1]
    )
    assert views.output.shape == (400, 1)
    assert [n.shape for n in views.neurons] == [(8, 400), (1, 400)]
    expected = trainer.engine.predict(trainer.pipeline.transform(views.xs[:, None]))
    np.testing.assert_allclose(views.output, expected, atol=1e-5)


def metrics(epoch, layers=3):
    return EpochMetrics(
        epoch=epoch,
        step=10 * epoch,
        train_loss=1 / (epoch + 1),
        test_loss=0.5,
        train_metric=0.9,
        test_metric=float("nan"),
        train_rmse=float("nan"),
        test_rmse=0.25,
        learning_rate=0.03,
        grad_norms=tuple(0.1 * k + epoch for k in range(layers)),
        dead_fraction=tuple(0.5 for _ in range(layers - 1)),
    )


def test_history_reads_back_every_row_as_it_was_given():
    rows = [metrics(epoch) for epoch in range(1, 301)]
    history = MetricsHistory(rows[:5])
    history.extend(rows[5:200])
    for row in rows[200:]:
        history.append(row)
    assert len(history) == 300
    assert repr(list(history)) == repr(rows)  # NaN != NaN, so compare the text
    assert history[-1].epoch == 300 and isinstance(history[0].step, int)
    assert [row.epoch for row in history[10:13]] == [11, 12, 13]
    with pytest.raises(IndexError):
        history[300]


def test_history_costs_a_few_bytes_a_row():
    history = MetricsHistory(metrics(epoch) for epoch in range(10_000))
    assert history._table.nbytes / len(history) < 8 * 14 * 2  # 14 figures, at most doubled
    assert len(MetricsHistory()) == 0 and list(MetricsHistory()) == []


def test_wide_networks_get_a_coarser_view_grid_and_small_ones_the_full_one():
    from nnviz.core.nn.network import NetworkSpec
    from nnviz.core.run.views import view_resolution

    def spec(*sizes):
        n = len(sizes) - 1
        return NetworkSpec(sizes, ("relu",) * n, (0.0,) * n, "mse")

    assert view_resolution(spec(2, 8, 8, 1)) == 200
    assert view_resolution(spec(64, 32, 10)) == 200  # the digits
    wide = view_resolution(spec(784, 256, 128, 10))
    assert wide == 48  # the floor: a 17th of the points of 200², so of the cost
