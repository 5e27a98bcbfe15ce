"""The live panels fed with synthetic runs and frames: what they draw, and that it stays bounded."""

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsView, QMainWindow

from nnviz.core.design import Design, TrainingSpec
from nnviz.core.nn.network import CLASSIFICATION, REGRESSION, NetworkSpec
from nnviz.core.run.frames import LINE, PLANE, Frame, RunInfo, Views
from nnviz.core.run.pacing import FRAME_RATE, PANEL_SHARE, DrawPace
from nnviz.core.run.snapshot import DIVERGED, RUNNING, EpochMetrics, Snapshot
from nnviz.ui.concepts import feature_label
from nnviz.ui.panels import install_panels, weights_panel
from nnviz.ui.panels.colors import class_regions_rgb, diverging_map, region_colors, series_color
from nnviz.ui.panels.curves import (
    DecimatedHistory,
    EpochCurve,
    nice_ceiling,
    peak_points,
    short_number,
)
from nnviz.ui.panels.draw_queue import DrawQueue
from nnviz.ui.panels.gradients_panel import GradientsPanel
from nnviz.ui.panels.loss_panel import LossPanel
from nnviz.ui.panels.regions_panel import RegionsPanel, upscale
from nnviz.ui.panels.status_widgets import TrainingStatus
from nnviz.ui.panels.weights_panel import WeightsPanel, mosaic_grid

RES = 200  # output image side
THUMB = 20  # neuron thumbnail side


def make_info(
    sizes=(2, 4, 2, 1),
    activations=("tanh", "tanh", "sigmoid"),
    task=CLASSIFICATION,
    kind=PLANE,
    image_shape=None,
    generation=1,
    seed=0,
) -> RunInfo:
    rng = np.random.default_rng(seed)
    n_out = sizes[-1]
    n_classes = max(2, n_out) if task == CLASSIFICATION else 0
    spec = NetworkSpec(sizes, activations, (0.0,) * len(activations), "mse", task, n_classes)

    def labels(n):
        if task == REGRESSION:
            return rng.uniform(-2, 3, n).astype(np.float32)
        return rng.integers(0, n_classes, n)

    return RunInfo(
        generation=generation,
        dataset_name="test",
        spec=spec,
        kind=kind,
        extent=(-6.0, 6.0, -6.0, 6.0),
        axis_labels=("x1", "x2"),
        train_points=rng.uniform(-6, 6, (50, 2)).astype(np.float32),
        train_labels=labels(50),
        test_points=rng.uniform(-6, 6, (30, 2)).astype(np.float32),
        test_labels=labels(30),
        class_names=tuple(str(k) for k in range(n_classes)),
        layer_names=(*(f"hidden {k + 1}" for k in range(len(sizes) - 2)), "output"),
        input_names=tuple(f"x{k + 1}" for k in range(sizes[0])),
        image_shape=image_shape,
        engine="numpy",
        device="cpu",
    )


def make_rows(info, start, n, dead=0.25):
    layers = len(info.spec.sizes) - 1
    return tuple(
        EpochMetrics(
            epoch=e, step=10 * e, train_loss=1.0 / (e + 1), test_loss=1.2 / (e + 1),
            train_metric=min(1.0, e / 100), test_metric=min(1.0, e / 120),
            train_rmse=np.nan, test_rmse=np.nan, learning_rate=0.03,
            grad_norms=tuple(10.0 ** -(k + 1) for k in range(layers)),
            dead_fraction=(dead,) * (layers - 1),
        )
        for e in range(start, start + n)
    )  # fmt: skip


def make_params(info, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    sizes = info.spec.sizes
    return tuple(
        (rng.normal(0, scale, (sizes[k + 1], sizes[k])).astype(np.float32),
         np.zeros(sizes[k + 1], np.float32))
        for k in range(len(sizes) - 1)
    )  # fmt: skip


def make_views(info, output=None):
    sizes = info.spec.sizes
    if info.kind == LINE:
        xs = np.linspace(-3, 3, 100, dtype=np.float32)
        out = np.sin(xs)[:, None] if output is None else output
        neurons = tuple(np.tanh(np.outer(np.arange(1, n + 1), xs)) for n in sizes[1:])
        return Views(out.astype(np.float32), neurons, xs[None, :].copy(), xs)
    if output is None:  # a sigmoid of x*y, or for several outputs a softmax of k*x*y
        y, x = np.mgrid[-1 : 1 : RES * 1j, -1 : 1 : RES * 1j]
        if sizes[-1] == 1:
            output = (1 / (1 + np.exp(-5 * x * y)))[..., None]
        else:
            logits = np.stack([k * x * y for k in range(sizes[-1])], axis=-1)
            output = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    t = np.linspace(-1, 1, THUMB, dtype=np.float32)
    neurons = tuple(
        np.stack([np.outer(t, t) * (u + 1) / n for u in range(n)]).astype(np.float32)
        for n in sizes[1:]
    )
    inputs = np.stack([np.tile(t, (THUMB, 1))] * sizes[0]).astype(np.float32)
    return Views(np.ascontiguousarray(output, np.float32), neurons, inputs)


def make_frame(info, start, n, status=RUNNING, message="", views=None, params=None, dead=0.25):
    rows = make_rows(info, start, n, dead)
    snapshot = Snapshot(rows[-1], params or make_params(info), status, message)
    return Frame(info.generation, rows, snapshot, views if views is not None else make_views(info))


def curve_data(curve):
    """All the data a curve was given (not what it draws, which is thinned to the pixels)."""
    if isinstance(curve, EpochCurve):
        return curve.epochs, curve.values
    return curve.xData, curve.yData


def n_points(curve):
    return len(curve.epochs)


@pytest.fixture
def show(qtbot):
    def shown(widget):
        qtbot.addWidget(widget)
        widget.resize(600, 400)
        widget.show()
        return widget

    return shown


# --- bounded history -------------------------------------------------------------------------


def test_decimated_history_stays_bounded_and_keeps_ends():
    history = DecimatedHistory(2, capacity=1024)
    size = history.nbytes
    epochs = np.arange(100_000, dtype=float)
    for chunk in np.array_split(np.column_stack([epochs, epochs * 2]), 3000):
        history.append(chunk)
    shown = history.columns()
    assert history.nbytes == size
    assert len(history) == 100_000
    assert 512 <= len(shown) <= 1025
    assert shown[0, 0] == 0 and shown[-1, 0] == 99_999
    assert np.all(np.diff(shown[:, 0]) > 0)
    np.testing.assert_array_equal(shown[:, 1], shown[:, 0] * 2)


def test_loss_panel_memory_is_flat_over_100k_epochs(show):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 10))
    size = panel.history.nbytes
    rows = make_rows(info, 0, 1000)
    snapshot = Snapshot(rows[-1], make_params(info))
    for start in range(0, 100_000, 1000):
        shifted = tuple(r.__class__(**{**r.__dict__, "epoch": r.epoch + start}) for r in rows)
        panel.add_frame(Frame(1, shifted, snapshot, None))
    x, _ = curve_data(panel.train_loss)
    assert panel.history.nbytes == size
    assert len(x) <= 2049
    assert x[-1] == 99_999 + 0  # the curve ends at the latest epoch


def test_peak_points_keep_each_pixels_lowest_and_highest_value():
    x = np.arange(1000.0)
    y = np.sin(x / 50)
    y[503], y[10] = 5.0, np.nan  # a spike, and a gap (NaN) that must not hide its block
    px, py = peak_points(x, y, per_pixel=10.0)
    assert len(px) == len(py) == 200
    assert py.max() == 5.0 and px[np.argmax(py)] == 500  # the spike's block starts at 500
    assert np.isfinite(py).all() and py.min() == pytest.approx(y[np.isfinite(y)].min())
    assert peak_points(x, y, per_pixel=1.5)[0] is x  # under two points a pixel: all of them


def test_epoch_curve_draws_two_to_four_points_a_pixel_and_follows_log_mode(show, qtbot):
    widget = show(pg.PlotWidget())
    curve = EpochCurve(widget.getPlotItem(), 0, width=1)
    widget.setXRange(0, 20_000, padding=0)
    epochs = np.arange(0, 20_000, 10.0)
    curve.set_points(epochs, np.full(len(epochs), 100.0))
    pixels = widget.getPlotItem().vb.width()
    assert len(curve.xData) <= 4 * pixels and len(curve.epochs) == 2000  # 2 to 4 a pixel
    widget.setXRange(0, 2000, padding=0)  # zoomed in: the curve draws every point there is
    qtbot.waitUntil(lambda: len(curve.xData) == 2000)
    widget.getPlotItem().setLogMode(y=True)
    assert curve.yData[0] == pytest.approx(2.0) and curve.values[0] == 100.0


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (250, "250"), (1000, "1k"), (1500, "1.5k"), (12_500, "12.5k"), (2e6, "2M")],
)
def test_epoch_axis_labels_are_short(value, text):
    assert short_number(value) == text


@pytest.mark.parametrize(
    ("value", "expected"), [(1.0, 1.0), (1.01, 1.5), (7.0, 8.0), (0.031, 0.04), (850, 1000)]
)
def test_nice_ceiling(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


def test_growing_curve_moves_its_axes_in_steps(show):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    ends = []
    for start in range(900, 1500, 20):
        panel.add_frame(make_frame(info, start, 20))
        ends.append(panel.loss_plot.vb.targetRange()[0][1])
    assert len(set(ends)) == 2  # 30 frames, the x axis moved once (at epoch 1000)
    assert all(end >= start + 19 for end, start in zip(ends, range(900, 1500, 20), strict=True))


# --- loss --------------------------------------------------------------------------------------


def test_loss_curves_hold_every_row_and_metric_in_percent(show):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    for start in (0, 10, 20):
        panel.add_frame(make_frame(info, start, 10))
    x, y = curve_data(panel.train_loss)
    np.testing.assert_array_equal(x, np.arange(30))
    np.testing.assert_allclose(y, 1.0 / (np.arange(30) + 1))
    _, test = curve_data(panel.test_loss)
    np.testing.assert_allclose(test, 1.2 / (np.arange(30) + 1))
    _, accuracy = curve_data(panel.train_metric)
    assert accuracy[-1] == pytest.approx(29.0)
    assert panel.metric_plot.titleLabel.text == "Accuracy"


def test_log_toggle_changes_the_loss_axis(show, qtbot):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 100))
    panel.log_toggle.setChecked(True)
    assert panel.loss_plot.getAxis("left").logMode
    qtbot.waitUntil(lambda: panel.loss_plot.vb.viewRange()[1][0] < -1.5)  # log10(0.01) = -2
    panel.log_toggle.setChecked(False)
    assert not panel.loss_plot.getAxis("left").logMode


def test_hover_readout_names_epoch_and_values(show):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 50))
    panel.show_epoch(9.3)
    assert panel.crosshairs[0].value() == 9
    assert "epoch 9" in panel.readout.text()
    assert "train 0.1," in panel.readout.text()


def test_divergence_is_marked_on_the_loss_plot(show):
    info = make_info()
    panel = show(LossPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 20, status=DIVERGED, message="the loss became NaN"))
    assert panel.stop_marker.isVisible() and panel.stop_marker.value() == 19
    assert panel.stop_text.isVisible()
    assert panel.stop_text.toPlainText() == "the loss became NaN"
    panel.set_run(make_info(generation=2))
    assert not panel.stop_marker.isVisible()


def test_regression_shows_r2_and_a_new_run_resets(show):
    panel = show(LossPanel())
    info = make_info(task=REGRESSION, activations=("tanh", "tanh", "linear"))
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 5))
    assert panel.metric_plot.titleLabel.text == "R²"
    panel.set_run(make_info(generation=2))
    assert n_points(panel.train_loss) == 0
    assert panel.metric_plot.titleLabel.text == "Accuracy"


# --- decision regions ---------------------------------------------------------------------------


def test_binary_regions_image_levels_and_discretize(show):
    info = make_info()
    panel = show(RegionsPanel())
    panel.set_run(info)
    frame = make_frame(info, 0, 1)
    panel.add_frame(frame)
    image = panel.image.image
    assert image.shape == (RES, RES) and image.dtype == np.float32
    assert panel.image.getLevels() == pytest.approx((0.0, 1.0))
    np.testing.assert_allclose(image, frame.views.output[..., 0])
    panel.discretize.setChecked(True)
    assert set(np.unique(panel.image.image)) == {0.0, 1.0}
    lut = panel.image.lut
    ends = {tuple(lut[0][:3]), tuple(lut[-1][:3])}
    assert ends == {tuple(c) for c in region_colors(2)}  # only the two class colours remain


def test_several_classes_one_colour_each_shaded_by_confidence(show):
    info = make_info(sizes=(2, 8, 3), activations=("relu", "softmax"))
    probabilities = np.zeros((RES, RES, 3), np.float32)
    probabilities[:, :100] = (0.9, 0.05, 0.05)  # sure of class 0
    probabilities[:, 100:150] = (0.1, 0.5, 0.4)  # hesitating, class 1
    probabilities[:, 150:] = (0.0, 0.0, 1.0)  # certain of class 2
    panel = show(RegionsPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 1, views=make_views(info, probabilities)))
    rgb = panel.image.image
    colors = region_colors(3)
    assert rgb.shape == (RES, RES, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[0, 199], colors[2])
    pale = rgb[0, 120].astype(int)
    assert np.abs(pale - colors[1]).sum() > 100  # less sure: nearer neutral
    assert not panel.colorbar.isVisible()
    panel.discretize.setChecked(True)
    found = {tuple(c) for c in panel.image.image.reshape(-1, 3)}
    assert found == {tuple(c) for c in colors}


def test_regions_panel_redraws_only_frames_that_bring_views(show):
    info = make_info()
    panel = show(RegionsPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 1))
    drawn = panel.image.image
    with_views = make_frame(info, 1, 1)
    panel.add_frame(Frame(info.generation, with_views.rows, with_views.snapshot, None))
    assert panel.image.image is drawn
    panel.add_frame(make_frame(info, 2, 1))
    assert panel.image.image is not drawn


def test_a_new_run_gives_its_points_to_the_scatter_items_made_before(show):
    panel = show(RegionsPanel())
    classes = make_info(sizes=(2, 4, 3), activations=("tanh", "softmax"))
    panel.set_run(classes)
    made = set(panel.points.train_items + panel.points.test_items)
    assert len(made) == 6  # three classes, train and test

    def in_plot():
        return sum(isinstance(item, pg.ScatterPlotItem) for item in panel.plot.items)

    before = in_plot()
    binary = make_info(seed=1)
    panel.set_run(binary)
    items = panel.points.train_items + panel.points.test_items
    assert len(items) == 4 and set(items) <= made
    assert in_plot() == before - 2  # one class fewer: its two items out of the plot
    drawn = np.concatenate([np.column_stack(i.getData()) for i in panel.points.train_items])
    assert sorted(map(tuple, drawn)) == sorted(map(tuple, binary.train_points.astype(float)))


def test_class_regions_rgb_neutral_when_undecided():
    rgb = class_regions_rgb(np.full((1, 1, 4), 0.25, np.float32), discretize=False)
    np.testing.assert_array_equal(rgb[0, 0], diverging_map().map(0.5, mode="byte")[:3])


def test_test_points_can_be_hidden(show):
    info = make_info()
    panel = show(RegionsPanel())
    panel.set_run(info)
    assert sum(item.data.size for item in panel.points.test_items) == 30
    assert sum(item.data.size for item in panel.points.train_items) == 50
    panel.show_test.setChecked(False)
    assert not any(item.isVisible() for item in panel.points.test_items)
    assert all(item.isVisible() for item in panel.points.train_items)


def test_regression_heatmap_has_symmetric_levels(show):
    info = make_info(task=REGRESSION, activations=("tanh", "tanh", "linear"))
    panel = show(RegionsPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 1))
    level = nice_ceiling(max(np.abs(info.train_labels).max(), np.abs(info.test_labels).max()))
    assert panel.image.getLevels() == pytest.approx((-level, level))
    assert panel.colorbar.levels() == pytest.approx((-level, level))


def test_line_regression_draws_the_prediction_curve(show):
    info = make_info(sizes=(1, 4, 1), activations=("tanh", "linear"), task=REGRESSION, kind=LINE)
    panel = show(RegionsPanel())
    panel.set_run(info)
    frame = make_frame(info, 0, 1)
    panel.add_frame(frame)
    x, y = curve_data(panel.prediction)
    np.testing.assert_allclose(x, frame.views.xs)
    np.testing.assert_allclose(y, np.sin(frame.views.xs), rtol=1e-6)
    panel.show_neuron(0, 2)
    _, neuron = curve_data(panel.neuron_curve)
    np.testing.assert_allclose(neuron, np.tanh(3 * frame.views.xs), rtol=1e-6)


def test_hovered_neuron_is_shown_large_until_output(show):
    info = make_info()
    panel = show(RegionsPanel())
    panel.set_run(info)
    frame = make_frame(info, 0, 1)
    panel.add_frame(frame)
    panel.show_neuron(0, 1)
    assert "neuron 2" in panel.title.text()
    np.testing.assert_allclose(panel.image.image, upscale(frame.views.neurons[0][1], (RES, RES)))
    assert panel.image.getLevels() == pytest.approx((-1.0, 1.0))  # tanh
    panel.show_neuron(-1, 0)
    assert "x1" in panel.title.text()
    panel.show_output()
    np.testing.assert_allclose(panel.image.image, frame.views.output[..., 0])
    panel.show_neuron(7, 0)  # no such layer: the output stays
    assert panel.neuron is None
    np.testing.assert_allclose(panel.image.image, frame.views.output[..., 0])


def test_a_hovered_neurons_title_and_scale_are_not_cut(qtbot, show):
    """Long names wrap instead of ending in "(t", and the colour bar's word fits along
    the bar (issue 14, item 14)."""
    info = replace(make_info(), layer_names=("hidden layer number one", "output"))
    panel = show(RegionsPanel())
    panel.resize(360, 300)
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 1))
    panel.show_neuron(0, 1)
    qtbot.wait(20)
    title = panel.title
    assert title.text().endswith("(tanh)</b>")
    assert title.heightForWidth(title.width()) <= title.height()  # every line shown
    label = panel.colorbar.getAxis("left").labelText
    assert label == "activation"
    bar_height = panel.colorbar.boundingRect().height()
    assert QFontMetrics(panel.colorbar.getAxis("left").font()).horizontalAdvance(label) < bar_height


def test_upscale_keeps_corners_and_interpolates():
    small = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    big = upscale(small, (3, 3))
    np.testing.assert_allclose(big, [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]])


# --- weights and gradients ------------------------------------------------------------------


def test_weights_heatmaps_have_symmetric_levels_per_layer(show):
    info = make_info(sizes=(3, 5, 4, 1))
    panel = show(WeightsPanel())
    panel.set_run(info)
    params = make_params(info, scale=2.0)
    panel.add_frame(make_frame(info, 0, 1, params=params))
    assert len(panel.layers) == 3
    for (_plot, image, colorbar), (w, _b) in zip(panel.layers, params, strict=True):
        level = nice_ceiling(np.abs(w).max())
        assert np.abs(w).max() <= level <= 1.5 * np.abs(w).max()
        assert image.getLevels() == pytest.approx((-level, level))
        assert colorbar.levels() == pytest.approx((-level, level))
        np.testing.assert_array_equal(image.image, w.T)  # a row per input, a column per unit


def test_heatmap_axes_name_every_cell_that_has_room_and_no_more(show):
    info = make_info(sizes=(2, 16, 1))
    panel = show(WeightsPanel())
    panel.set_run(info)
    rows = panel.layers[1][0].getAxis("left")  # hidden 1 -> output: 16 rows
    assert rows.names == [str(i + 1) for i in range(16)]
    assert rows.tickValues(16, 0, 400) == [(1.0, [i + 0.5 for i in range(16)])]  # top down
    step, values = rows.tickValues(0, 16, 80)[0]  # 5 px a row: a label every few rows
    assert step >= 3 and values[0] == 0.5 and len(values) <= 16 / step + 1
    inputs = panel.layers[0][0].getAxis("left")
    assert inputs.tickStrings([0.5, 1.5], 1, 1) == ["x₁", "x₂"]  # written as on the diagram


def test_heatmaps_show_the_biases_in_a_row_below_the_weights(show):
    """The weights panel shows the biases, which matter most for the perceptron, and names
    the inputs as the diagram does (issue 14, item 18)."""
    info = replace(make_info(sizes=(3, 4, 1)), input_names=("x1", "x1^2", "sin(x2)"))
    panel = show(WeightsPanel())
    panel.set_run(info)
    params = make_params(info)
    panel.add_frame(make_frame(info, 0, 1, params=params))
    for (_plot, image, _bar), bias_image, (w, b) in zip(
        panel.layers, panel.bias_images, params, strict=True
    ):
        np.testing.assert_array_equal(bias_image.image, b[None, :])
        assert bias_image.levels == pytest.approx(image.levels)
        below = bias_image.mapRectToParent(bias_image.boundingRect())
        assert below.top() > w.shape[1] and below.width() == w.shape[0]
    left = panel.layers[0][0].getAxis("left")
    assert left.names == ["x₁", "x₁²", "sin x₂"]
    step, values = left.tickValues(0, 4.5, 400)[0]
    assert left.tickStrings(values, 1, step) == ["x₁", "x₁²", "sin x₂", "bias"]


def test_digit_weights_are_drawn_as_one_tile_per_unit(show):
    info = make_info(sizes=(64, 10, 10), activations=("relu", "softmax"), image_shape=(8, 8))
    panel = show(WeightsPanel())
    panel.set_run(info)
    params = make_params(info)
    panel.add_frame(make_frame(info, 0, 1, params=params))
    mosaic = panel.layers[0][1].image
    rows, cols = mosaic_grid(10)
    assert (rows, cols) == (3, 4)
    assert mosaic.shape == (rows * 9 - 1, cols * 9 - 1)
    assert np.isfinite(mosaic).sum() == 10 * 64  # ten tiles of 8x8, NaN elsewhere
    unit = params[0][0][4].reshape(8, 8)  # each tile on its own scale, centred on 0
    np.testing.assert_allclose(mosaic[9:17, 0:8], unit / np.abs(unit).max(), rtol=1e-6)
    assert panel.layers[0][1].getLevels() == pytest.approx((-1, 1))
    assert panel.layers[1][1].image.shape == (10, 10)


def test_a_new_run_gives_the_weights_plots_made_before_their_new_cells(show):
    panel = show(WeightsPanel())
    digits = make_info(sizes=(64, 10, 10), activations=("relu", "softmax"), image_shape=(8, 8))
    panel.set_run(digits)
    panel.add_frame(make_frame(digits, 0, 1))
    made = [plot for plot, _, _ in panel.layers]
    info = make_info(sizes=(3, 5, 1), activations=("tanh", "sigmoid"))
    panel.set_run(info)  # tiles before, a heatmap now: the same plot, axes shown again
    assert [plot for plot, _, _ in panel.layers] == made
    first = panel.layers[0][0]
    assert first.getAxis("left").isVisible() and first.getAxis("bottom").isVisible()
    assert first.getAxis("left").names == [feature_label(name) for name in info.input_names]
    assert first.getAxis("bottom").names == ["1", "2", "3", "4", "5"]
    assert panel.layers[0][1].image is None  # the last run's weights are not shown
    assert panel.bias_images[0] is not None and panel.bias_images[0].isVisible()
    panel.add_frame(make_frame(info, 0, 1))
    assert panel.layers[0][1].image.shape == (3, 5)  # a row an input, a column a unit
    assert panel.layers[1][0].getAxis("left").names == [str(k) for k in range(1, 6)]


def test_digit_tiles_fill_a_row_of_their_own_and_keep_small_units_readable(show):
    info = make_info(sizes=(64, 16, 10), activations=("relu", "softmax"), image_shape=(8, 8))
    panel = show(WeightsPanel())
    panel.set_run(info)
    params = make_params(info)
    params[0][0][3] *= 1e-3  # a unit with tiny weights still spans the whole colour scale
    panel.add_frame(make_frame(info, 0, 1, params=params))
    panel.refresh()
    mosaic = panel.layers[0][1].image
    assert np.nanmax(np.abs(mosaic[0:8, 27:35])) == pytest.approx(1.0)
    tiles, heatmap = (panel.layers[k][0].sceneBoundingRect() for k in (0, 1))
    assert tiles.bottom() <= heatmap.top() + 1  # a row of its own, above the heatmaps
    assert tiles.height() > 1.3 * heatmap.height()  # and the larger share of the height


def test_many_layers_scroll_instead_of_squashing_the_heatmaps(qtbot, show):
    """Spiral-deep's five heatmaps in the default window were strips (issue 14 item 7)."""
    info = make_info(sizes=(2, 8, 8, 8, 8, 1), activations=("tanh",) * 4 + ("sigmoid",))
    panel = show(WeightsPanel())
    panel.resize(400, 330)
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 1))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.scroll.verticalScrollBar().maximum() > 0)
    heights = [plot.sceneBoundingRect().height() for plot, _, _ in panel.layers]
    assert min(heights) >= weights_panel.HEATMAP_HEIGHT - 1
    panel.resize(400, 1400)  # room enough: no scrolling, the heatmaps share the height
    qtbot.waitUntil(lambda: panel.scroll.verticalScrollBar().maximum() == 0)


def test_gradients_panel_norms_and_dead_units(show):
    info = make_info(sizes=(2, 4, 3, 1), activations=("relu", "relu", "sigmoid"))
    panel = show(GradientsPanel())
    panel.set_run(info)
    panel.add_frame(make_frame(info, 0, 10, dead=0.5))
    assert len(panel.norm_curves) == 3 and len(panel.dead_curves) == 2
    _, norms = curve_data(panel.norm_curves[1])
    np.testing.assert_allclose(norms, 0.01)
    x, dead = curve_data(panel.dead_curves[0])
    np.testing.assert_array_equal(x, np.arange(10))
    np.testing.assert_allclose(dead, 50.0)
    assert panel.dead_plot in panel.plots.ci.items
    panel.set_run(make_info(generation=2))  # tanh: no dead-units plot, the norms take the room
    assert len(panel.norm_curves) == 3 and n_points(panel.norm_curves[0]) == 0
    assert panel.dead_curves == [] and panel.dead_plot not in panel.plots.ci.items
    mixed = make_info(sizes=(2, 4, 3, 1), activations=("tanh", "relu", "sigmoid"), generation=3)
    panel.set_run(mixed)
    rows = [replace(row, dead_fraction=(0.0, 0.75)) for row in make_rows(mixed, 0, 5)]
    panel.add_frame(replace(make_frame(mixed, 0, 5), rows=tuple(rows)))
    assert panel.dead_layers == [1] and panel.dead_plot in panel.plots.ci.items
    np.testing.assert_allclose(curve_data(panel.dead_curves[0])[1], 75.0)
    assert panel.dead_curves[0].opts["pen"].color() == series_color(1)  # hidden 2's colour


def test_hidden_panel_draws_when_shown(qtbot):
    info = make_info()
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.set_run(info)
    for k in range(3):
        panel.add_frame(make_frame(info, 10 * k, 10))
    assert n_points(panel.train_loss) == 0 and panel.refreshes == 0  # no work while hidden
    panel.show()
    assert n_points(panel.train_loss) == 30 and panel.refreshes == 1  # once, the latest


def test_the_draw_queue_draws_a_heavy_panel_less_often_and_one_drawing_a_turn(qtbot):
    now = [10.0]
    queue = DrawQueue(clock=lambda: now[0])
    cheap, heavy = DrawPace(), DrawPace()
    drawn = []
    draw_cheap, draw_heavy = (lambda: drawn.append("cheap")), (lambda: drawn.append("heavy"))
    queue.request(draw_heavy, heavy)
    queue.request(draw_cheap, cheap)
    queue.request(draw_heavy, heavy)  # asked for twice: drawn once
    assert drawn == ["heavy"]  # the first at once, the next in a turn of its own
    qtbot.waitUntil(lambda: len(drawn) == 2)
    assert drawn == ["heavy", "cheap"]
    heavy.add(0.008)  # its repaint: the heavy panel may draw again in 0.008 / share seconds
    now[0] += 2 / FRAME_RATE  # two frames later, both asked for again
    queue.request(draw_heavy, heavy)
    queue.request(draw_cheap, cheap)
    qtbot.waitUntil(lambda: len(drawn) == 3)
    assert drawn[-1] == "cheap" and len(queue) == 1  # the heavy one waits for its pace
    now[0] += 0.008 / PANEL_SHARE
    qtbot.waitUntil(lambda: len(drawn) == 4)
    assert drawn[-1] == "heavy" and len(queue) == 0


# --- status -------------------------------------------------------------------------------------


def test_status_shows_epoch_progress_speed_and_engine(qtbot):
    now = [100.0]
    status = TrainingStatus(epoch_limit=lambda: 200, clock=lambda: now[0])
    qtbot.addWidget(status)
    info = make_info()
    status.set_run(info)
    assert status.engine_label.text() == "numpy · cpu"
    status.add_frame(make_frame(info, 0, 10))
    now[0] += 0.5
    status.add_frame(make_frame(info, 10, 10))  # 10 epochs, 100 steps in half a second
    assert status.steps_per_second() == pytest.approx((20.0, 200.0))
    assert "200 steps/s" in status.speed_label.text()
    assert status.epoch_label.text() == "Epoch 19 / 200"
    assert status.progress.maximum() == 200 and status.progress.value() == 19
    status.set_state("diverged")
    assert "diverged" in status.state_label.text()
    assert status.speed_label.text() == "" and status.steps_per_second() is None


# --- wiring into the window -----------------------------------------------------------------------


class FakeSession(QObject):
    sigRunStarted = Signal(object)
    sigFrame = Signal(object)
    sigRunRequested = Signal(int)
    sigDataChanged = Signal(object)
    sigStateChanged = Signal(str)
    sigMessage = Signal(str)
    sigError = Signal(str)
    run_info = None
    dataset = None
    runs = ()  # no other runs to compare


class FakeEditor(QGraphicsView):
    sigNeuronHovered = Signal(object)

    def __init__(self):
        super().__init__()
        self.setObjectName("networkEditor")
        self.params = "unset"
        self.maps = "unset"

    def set_params(self, params):
        self.params = params

    def set_neuron_maps(self, views):
        self.maps = views


class FakeWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.design = Design(training=TrainingSpec(epochs=500))
        self.setCentralWidget(FakeEditor())
        self.docks = []

    def add_panel(self, widget, title, object_name, area):
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        return dock


def test_install_panels_feeds_panels_and_editor(qtbot):
    window = FakeWindow()
    qtbot.addWidget(window)
    session = FakeSession()
    panels = install_panels(window, session)
    window.show()
    names = {dock.widget().objectName() for dock in window.docks}
    assert names == {
        "lossPanel", "regionsPanel", "weightsPanel", "gradientsPanel", "confusionPanel"
    }  # fmt: skip
    assert window.statusBar().findChild(TrainingStatus) is panels.status

    info = make_info()
    session.sigRunStarted.emit(info)
    editor = window.centralWidget()
    assert editor.params is None and editor.maps is None
    frame = make_frame(info, 0, 10)
    session.sigFrame.emit(frame)  # taken at once, drawn one panel per turn of the event loop
    assert panels.status.epoch_label.text() == "Epoch 9 / 500"
    assert n_points(panels.loss.train_loss) == 0 and editor.params is None  # not drawn yet
    qtbot.waitUntil(lambda: editor.params is frame.snapshot.params and editor.maps is frame.views)
    assert n_points(panels.loss.train_loss) == 10
    # The diagram shows weights and pictures of one moment: it waits for a frame with views.
    without_views = replace(make_frame(info, 10, 5), views=None)
    session.sigFrame.emit(without_views)
    qtbot.waitUntil(lambda: n_points(panels.loss.train_loss) == 15)
    qtbot.wait(20)
    assert editor.params is frame.snapshot.params
    with_views = make_frame(info, 15, 5)
    session.sigFrame.emit(with_views)
    qtbot.waitUntil(lambda: editor.params is with_views.snapshot.params)
    assert editor.maps is with_views.views
    qtbot.waitUntil(lambda: n_points(panels.loss.train_loss) == 20)  # at the loss panel's pace

    session.sigFrame.emit(make_frame(make_info(generation=0), 20, 10))  # an old run's frame
    qtbot.wait(20)
    assert n_points(panels.loss.train_loss) == 20

    editor.sigNeuronHovered.emit((0, 1))
    assert panels.regions.neuron == (0, 1)
    editor.sigNeuronHovered.emit(None)
    assert panels.regions.neuron is None
    session.sigStateChanged.emit("paused")
    assert panels.status.state_label.text() == "paused"


def test_a_panel_behind_another_dock_tab_draws_only_when_its_tab_is_chosen(qtbot):
    window = FakeWindow()
    qtbot.addWidget(window)
    session = FakeSession()
    panels = install_panels(window, session)
    window.resize(1200, 800)
    window.show()
    loss_dock, gradients_dock = panels.docks["loss"], panels.docks["gradients"]
    window.tabifyDockWidget(loss_dock, gradients_dock)
    loss_dock.raise_()
    qtbot.wait(20)
    info = make_info()
    session.sigRunStarted.emit(info)
    session.sigFrame.emit(make_frame(info, 0, 10))
    qtbot.waitUntil(lambda: n_points(panels.loss.train_loss) == 10)
    qtbot.wait(20)
    assert not any(n_points(curve) for curve in panels.gradients.norm_curves)
    assert panels.gradients.refreshes == 0  # taken, never drawn
    gradients_dock.raise_()
    qtbot.waitUntil(lambda: n_points(panels.gradients.norm_curves[0]) == 10)
