"""The Activation explorer and the Histograms dock in the real window, with its real training
process: the explorer shows the selected layer's z and changes its activation as one undo
step; the histograms grow a column per epoch and show a recorded run's checkpoints."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMessageBox
from test_transfer import use_settings_in

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.run_file import save_run
from nnviz.core.run.distributions import BINS
from nnviz.core.run.trainer import Trainer
from nnviz.ui.main_window import MainWindow

WAIT = 30_000  # ms; only a guard against hanging

DEEP_SIGMOID = Design(
    name="deep sigmoid",
    dataset=DatasetSpec("circle", points=200, seed=1),
    layers=(LayerSpec(6, "sigmoid"), LayerSpec(5, "sigmoid"), LayerSpec(4, "sigmoid")),
    training=TrainingSpec(seed=2, optimizer=OptimizerSpec("sgd", 0.1), epochs=100_000),
)


@pytest.fixture
def window(qtbot, tmp_path):
    use_settings_in(tmp_path)
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.open_document(DEEP_SIGMOID)
    qtbot.waitUntil(lambda: window.training.run_info is not None, timeout=WAIT)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()
    assert not [t for t in threading.enumerate() if t.name.startswith("nnviz-")]


def show_dock(qtbot, window, name):
    dock = window.findChild(QDockWidget, name)
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.widget().visibleRegion().isEmpty(), timeout=WAIT)
    return dock.widget()


def step_epochs(qtbot, window, epochs):
    for _ in range(epochs):
        target = window.training.epoch + 1
        window.training.step_epoch()
        qtbot.waitUntil(lambda target=target: window.training.epoch >= target, timeout=WAIT)


def click_tile(qtbot, explorer, name):
    plot = explorer.tiles[name]
    centre = explorer.plots.mapFromScene(plot.sceneBoundingRect().center())
    qtbot.mouseClick(explorer.plots.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(centre))


def test_the_explorer_shows_the_selected_layers_z_and_sets_its_activation(qtbot, window):
    explorer = show_dock(qtbot, window, "activationExplorerDock")
    assert explorer.objectName() == "activationExplorer"
    window.editor.sigLayerClicked.emit(2)  # the diagram's third hidden layer
    step_epochs(qtbot, window, 1)
    qtbot.waitUntil(lambda: explorer.distributions is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: explorer.distributions.epoch == 1, timeout=WAIT)

    # the histogram behind the curves is the third layer's z on the sample, from the process
    session = window.training
    params = session.latest.params
    x = session.pipeline.transform(session.dataset.x_train)[: explorer.distributions.points]
    a = np.asarray(x, np.float32)
    for k in range(3):
        z = a @ params[k][0].T + params[k][1]
        a = 1 / (1 + np.exp(-z))
    limit = explorer.distributions.z.limits[2]
    expected = np.histogram(z, bins=np.linspace(-limit, limit, BINS + 1))[0]
    np.testing.assert_array_equal(explorer.distributions.z.counts[2], expected)
    xs, heights = explorer.bars["sigmoid"].getData()
    assert len(xs) == BINS + 1 and heights.argmax() == expected.argmax()
    title = explorer.findChild(QLabel, "explorerLayer").text()
    assert title.startswith("Hidden layer 3 (sigmoid)")
    s = 1 / (1 + np.exp(-z))
    flat = np.abs(s * (1 - s)) < 0.01
    share = explorer.findChild(QLabel, "explorerShare").text()
    assert share.startswith(f"Saturated: {flat.mean():.0%} of z")

    # a click on the ReLU curve: the layer's activation, one undoable step
    count = window.undo_stack.count()
    click_tile(qtbot, explorer, "relu")
    assert window.design.layers[2].activation == "relu"
    assert [layer.activation for layer in window.design.layers[:2]] == ["sigmoid"] * 2
    assert window.undo_stack.count() == count + 1
    assert window.inspector.layer == 2 and window.inspector.activation.currentData() == "relu"
    window.undo_stack.undo()
    assert window.design.layers[2].activation == "sigmoid"

    # the step function is the output's only: said in the status bar, nothing changed
    click_tile(qtbot, explorer, "step")
    assert window.design == DEEP_SIGMOID
    assert "output layer only" in window.statusBar().currentMessage()


def test_the_histograms_grow_a_column_per_epoch_and_show_a_recorded_run(qtbot, window, tmp_path):
    panel = show_dock(qtbot, window, "histogramsDock")
    assert panel.objectName() == "histogramsPanel"
    step_epochs(qtbot, window, 1)
    qtbot.waitUntil(lambda: panel.columns_shown() == 2, timeout=WAIT)
    step_epochs(qtbot, window, 2)
    qtbot.waitUntil(lambda: panel.columns_shown() == 4, timeout=WAIT)
    window.editor.sigLayerClicked.emit(1)
    assert panel.layer_box.currentText() == "hidden 2"

    # the last column is the latest weights' histogram, scaled to its peak
    image = panel.heatmaps["weights"][1].image
    w = np.asarray(window.training.latest.params[1][0])
    limit = panel.live.heatmap("weights", 1)[2]
    counts = np.histogram(w, bins=np.linspace(-limit, limit, BINS + 1))[0]
    np.testing.assert_allclose(image[-1], counts / counts.max(), rtol=1e-6)

    # a recorded run's checkpoints, measured in the background
    short = replace(DEEP_SIGMOID, training=replace(DEEP_SIGMOID.training, epochs=6))
    trainer = Trainer(short, record_bytes=2**20)
    for _ in trainer.run():
        pass
    path = tmp_path / "deep.nnvizrun"
    save_run(
        path, trainer.design, trainer.history, trainer.checkpoints.checkpoints,
        trainer.spec.layer_names,
    )  # fmt: skip
    window.distributions.open_run(path)
    qtbot.waitUntil(lambda: panel.recorded is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.columns_shown() == 7, timeout=WAIT)  # epochs 0 to 6
    assert panel.findChild(QLabel, "histogramsSource").text().startswith("deep.nnvizrun")
    panel.live_button.click()
    assert panel.columns_shown() == 4

    # a broken file: a message naming it, the live histograms stay
    broken = tmp_path / "broken.nnvizrun"
    broken.write_bytes(b"not a zip")
    window.distributions.open_run(broken)
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "histogramsErrorDialog") is not None, timeout=WAIT
    )
    dialog = window.findChild(QMessageBox, "histogramsErrorDialog")
    assert "broken.nnvizrun" in dialog.text()
    assert panel.recorded is None and panel.columns_shown() == 4


def test_older_columns_are_mapped_onto_the_grown_range():
    from nnviz.core.nn.network import NetworkSpec
    from nnviz.core.run.distributions import DistributionMeter
    from nnviz.ui.panels.histograms_panel import ColumnStore, epoch_columns

    spec = NetworkSpec((2, 3, 1), ("tanh", "linear"), (0.0, 0.0), "mse", "regression")
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    small = [(rng.normal(scale=0.1, size=(3, 2)), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))]
    large = [(w * 20, b) for w, b in small]
    meter = DistributionMeter(spec, x, t, dtype="float64")
    store = ColumnStore(2)
    assert store.add(meter.measure(small, 0)) and store.add(meter.measure(large, 5))
    assert not store.add(meter.measure(large, 5))  # one column per epoch
    epochs, columns, limit = store.heatmap("weights", 0)
    assert limit == 4.0 and list(epochs) == [0, 5]
    w = small[0][0]
    expected = np.histogram(w, bins=np.linspace(-limit, limit, BINS + 1))[0]
    np.testing.assert_allclose(columns[0], expected / expected.max())
    picked, width = epoch_columns(epochs)
    assert list(picked) == [0, 0, 0, 0, 0, 1] and width == 1


def test_a_recorded_run_stays_shown_when_its_run_starts_again_and_goes_with_the_next(qtbot):
    """Opening a run file measures its histograms while the run of its design takes on the
    file's timeline (the same run starting again): whichever ends first, they stay."""
    from test_panels import make_info

    from nnviz.core.nn.network import NetworkSpec
    from nnviz.core.run.distributions import DistributionMeter
    from nnviz.ui.panels.histograms_panel import HistogramsPanel

    panel = HistogramsPanel()
    qtbot.addWidget(panel)
    info = make_info(sizes=(2, 3, 1), activations=("tanh", "sigmoid"))
    spec = NetworkSpec((2, 3, 1), ("tanh", "linear"), (0.0, 0.0), "mse", "regression")
    rng = np.random.default_rng(2)
    meter = DistributionMeter(spec, rng.normal(size=(20, 2)), rng.normal(size=(20, 1)))
    params = [(rng.normal(size=(3, 2)), np.zeros(3)), (rng.normal(size=(1, 3)), np.zeros(1))]
    panel.set_run(info)
    panel.show_recorded("file.nnvizrun", [meter.measure(params, 0)], info.layer_names)
    panel.set_run(info)  # the same run, now with the file's timeline
    assert panel.recorded is not None and panel.recorded_name == "file.nnvizrun"
    panel.set_run(replace(info, generation=info.generation + 1))  # another run
    assert panel.recorded is None
