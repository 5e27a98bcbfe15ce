"""The hidden-space warp: grid lines and points through a layer, and the blend's two ends."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA as SklearnPCA

from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.insight.hidden_space import (
    PCA,
    UNITS,
    blend,
    grid_lines,
    map_hidden_space,
)
from nnviz.core.nn.numpy_engine import forward_layers
from nnviz.core.run.trainer import Trainer

EXTENT = (-6.0, 6.0, -6.0, 6.0)


def mapped(layers, layer, **options):
    design = Design(
        dataset=DatasetSpec("circle", points=200),
        layers=layers,
        training=TrainingSpec(epochs=3, seed=1),
    )
    trainer = Trainer(design)
    list(trainer.run())
    params = trainer.engine.get_params()
    lines = grid_lines(EXTENT, lines=5, samples=7)
    space = map_hidden_space(
        trainer.spec,
        params,
        layer,
        line_inputs=trainer.pipeline.transform(lines.reshape(-1, 2)),
        lines_in=lines,
        point_inputs=trainer.x_train,
        points_in=trainer.dataset.x_train,
        **options,
    )
    return trainer, params, space


def test_grid_lines_cross_the_extent():
    lines = grid_lines((-1.0, 3.0, 0.0, 2.0), lines=3, samples=5)
    assert lines.shape == (6, 5, 2)
    np.testing.assert_allclose(lines[0, :, 0], -1.0)  # the first vertical line, at x0
    np.testing.assert_allclose(lines[0, :, 1], np.linspace(0, 2, 5))
    np.testing.assert_allclose(lines[5, :, 1], 2.0)  # the last horizontal line, at y1


def test_the_blend_ends_at_the_actual_activations_of_a_two_unit_layer():
    trainer, params, space = mapped((LayerSpec(4, "tanh"), LayerSpec(2, "tanh")), 1)
    actual = forward_layers(trainer.spec, params, trainer.x_train)[1]
    np.testing.assert_allclose(blend(space.points_in, space.points_out, 1.0), actual, rtol=1e-6)
    np.testing.assert_allclose(
        blend(space.points_in, space.points_out, 0.0), trainer.dataset.x_train
    )
    line_points = trainer.pipeline.transform(space.lines_in.reshape(-1, 2))
    line_actual = forward_layers(trainer.spec, params, line_points)[1]
    np.testing.assert_allclose(space.lines_out.reshape(-1, 2), line_actual, rtol=1e-6)
    halfway = blend(space.points_in, space.points_out, 0.5)
    np.testing.assert_allclose(halfway, (trainer.dataset.x_train + actual) / 2, rtol=1e-6)


def test_a_wide_layer_is_shown_on_its_principal_components():
    trainer, params, space = mapped((LayerSpec(6, "relu"),), 0, mode=PCA)
    actual = forward_layers(trainer.spec, params, trainer.x_train)[0].astype(np.float64)
    reference = SklearnPCA(n_components=2).fit_transform(actual)
    signs = np.sign(np.sum(reference * space.points_out, axis=0))
    np.testing.assert_allclose(space.points_out, reference * signs, atol=1e-6)
    assert space.plane.labels[0].startswith("component 1 (")


def test_two_picked_units_are_shown_as_they_are():
    trainer, params, space = mapped((LayerSpec(6, "tanh"),), 0, mode=UNITS, units=(4, 1))
    actual = forward_layers(trainer.spec, params, trainer.x_train)[0]
    np.testing.assert_allclose(space.points_out, actual[:, [4, 1]], rtol=1e-6)
    assert space.plane.labels == ("unit 5", "unit 2")
    with pytest.raises(ValueError):
        mapped((LayerSpec(6, "tanh"),), 0, mode=UNITS, units=(2, 2))


@pytest.mark.parametrize("mode", [UNITS, PCA])
def test_the_decision_line_is_where_the_output_crosses_one_half(mode):
    _, params, space = mapped((LayerSpec(5, "tanh"), LayerSpec(3, "tanh")), 1, mode=mode)
    a, d = space.decision
    # points on the line a · c + d = 0, back in the layer's space, through the output layer
    direction = np.array([-a[1], a[0]])
    on_line = -d * a / np.dot(a, a) + np.linspace(-2, 2, 9)[:, None] * direction
    w, b = params[-1]
    outputs = 1 / (1 + np.exp(-(space.plane.points(on_line) @ w.T + b)))
    np.testing.assert_allclose(outputs, 0.5, atol=1e-6)


def test_only_hidden_layers_can_be_shown_and_only_the_last_has_the_line():
    _, _, first = mapped((LayerSpec(4, "tanh"), LayerSpec(2, "tanh")), 0)
    assert first.decision is None
    with pytest.raises(ValueError):
        mapped((LayerSpec(4, "tanh"),), 1)


def test_the_output_over_the_last_hidden_plane_is_the_networks_own_on_two_units():
    _, params, space = mapped((LayerSpec(4, "tanh"), LayerSpec(2, "tanh")), 1)
    (x0, x1), (y0, y1) = space.region_bounds
    assert x0 < space.points_out[:, 0].min() and space.points_out[:, 1].max() < y1
    regions = space.regions
    assert regions.shape == (96, 96, 1)
    # pixel (row r, column c) is the output layer at the layer point at that pixel's centre
    r, c = 10, 70
    point = [x0 + (c + 0.5) / 96 * (x1 - x0), y0 + (r + 0.5) / 96 * (y1 - y0)]
    w, b = params[-1]
    expected = 1 / (1 + np.exp(-(np.array(point) @ w.T + b)))
    np.testing.assert_allclose(regions[r, c], expected, rtol=1e-6)
    assert first_layer_has_no_regions()


def first_layer_has_no_regions():
    _, _, first = mapped((LayerSpec(4, "tanh"), LayerSpec(2, "tanh")), 0)
    return first.regions is None and first.region_bounds is None
