"""The Hidden space and Loss landscape docks and the learning-rate finder, in the real window
with its real training process: each opens, draws, and follows a run."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QDockWidget

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.nn.numpy_engine import forward_layers
from nnviz.core.run.trainer import Trainer
from nnviz.ui.insight.background import BackgroundTask
from nnviz.ui.main_window import MainWindow

WAIT = 30_000  # ms; only a guard against hanging

XOR = Design(
    name="xor net",
    dataset=DatasetSpec("xor", points=200, seed=1),
    layers=(LayerSpec(5, "tanh"), LayerSpec(2, "tanh")),
    training=TrainingSpec(seed=2, optimizer=OptimizerSpec("adam", 0.02), epochs=100_000),
)


@pytest.fixture
def window(qtbot, tmp_path):
    QCoreApplication.setOrganizationName("nnviz-tests")
    QCoreApplication.setApplicationName("nnviz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.open_document(XOR)
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
    """Step one epoch at a time, each frame in before the next step (frames sent together
    are merged, and the landscape's path keeps one set of weights a frame)."""
    for _ in range(epochs):
        target = window.training.epoch + 1
        window.training.step_epoch()
        qtbot.waitUntil(lambda target=target: window.training.epoch >= target, timeout=WAIT)


def test_the_hidden_space_follows_the_run_and_ends_at_the_layers_activations(qtbot, window):
    panel = show_dock(qtbot, window, "hiddenSpaceDock")
    assert panel.objectName() == "hiddenSpacePanel"
    step_epochs(qtbot, window, 3)
    session = window.training
    qtbot.waitUntil(lambda: panel.mapped_params is session.latest.params, timeout=WAIT)
    assert panel.layer.currentText() == "hidden 2 (2 units)"
    assert not panel.axes.isVisible()  # two units: shown as they are

    # the drawn points at the blend's end are the layer's activations of the latest weights
    inputs = session.pipeline.transform(session.dataset.x_train)
    actual = forward_layers(session.spec, session.latest.params, inputs)[1]
    x, y = panel.points.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), actual, rtol=1e-5, atol=1e-6)
    assert len(panel.boundary.getData()[0]) == 2  # the output's decision line

    panel.slider.setValue(0)  # back in the input plane: the raw points, no line
    x, y = panel.points.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), session.run_info.train_points, rtol=1e-6)
    assert panel.boundary.getData()[0] is None or len(panel.boundary.getData()[0]) == 0

    # training moves the picture
    before = np.column_stack(panel.points.getData())
    panel.slider.setValue(100)
    before = np.column_stack(panel.points.getData())
    step_epochs(qtbot, window, 5)
    qtbot.waitUntil(
        lambda: not np.allclose(np.column_stack(panel.points.getData()), before), timeout=WAIT
    )

    # the wide first layer on two chosen units
    panel.layer.setCurrentIndex(0)
    panel.axes.setCurrentIndex(panel.axes.findData("units"))
    panel.unit_x.setValue(4)
    panel.unit_y.setValue(2)
    qtbot.waitUntil(
        lambda: panel.space is not None and panel.space.plane.labels == ("unit 4", "unit 2"),
        timeout=WAIT,
    )
    first = forward_layers(session.spec, session.latest.params, inputs)[0]
    np.testing.assert_allclose(
        np.column_stack(panel.points.getData()), first[:, [3, 1]], rtol=1e-5, atol=1e-6
    )
    panel.grab().save("/tmp/nnviz-hidden-space.png")


def test_live_mappings_keep_to_a_tenth_of_a_core_and_a_choice_maps_at_once(qtbot, window):
    """Back to back, the mappings at MNIST's size took half of training's core."""
    panel = show_dock(qtbot, window, "hiddenSpaceDock")
    session = window.training
    step_epochs(qtbot, window, 1)
    qtbot.waitUntil(lambda: panel.mapped_params is session.latest.params, timeout=WAIT)
    now = time.monotonic()
    panel._mapping_pace.took(now - 0.5, now)  # as if that mapping had taken half a second
    step_epochs(qtbot, window, 2)
    qtbot.wait(200)
    assert panel.mapped_params is not session.latest.params  # waiting for its pace
    assert panel._later.isActive() and panel._later.remainingTime() > 0.5 / 0.1 * 1000 - 1500
    panel.layer.setCurrentIndex(0)  # the user's choice: at once
    qtbot.waitUntil(lambda: panel.mapped_params is session.latest.params, timeout=WAIT)
    assert panel.space.plane.labels[0].startswith("component 1")


def test_the_hidden_space_animates_and_explains_when_it_cannot_draw(qtbot, window):
    panel = show_dock(qtbot, window, "hiddenSpaceDock")
    panel.animate.setChecked(True)
    start = panel.slider.value()
    qtbot.waitUntil(lambda: panel.slider.value() != start, timeout=WAIT)
    panel.animate.setChecked(False)
    window.push_design(replace(XOR, layers=()), "no hidden layer")
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=WAIT)
    assert "no hidden layer" in panel.message.text()
    assert not panel.layer.isEnabled()


def test_the_landscape_is_computed_in_the_background_and_follows_the_run(qtbot, window):
    panel = show_dock(qtbot, window, "landscapeDock")
    assert panel.objectName() == "landscapePanel"
    assert "Press Compute" in panel.status.text()
    step_epochs(qtbot, window, 4)
    panel.grid.setValue(15)
    main_thread = threading.get_ident()
    threads = []
    from nnviz.core.insight import landscape as landscape_module

    original = landscape_module.Problem.losses

    def spy(self, stacked):
        threads.append(threading.get_ident())
        return original(self, stacked)

    landscape_module.Problem.losses = spy
    try:
        panel.compute.click()
        assert panel.progress.isVisible()
        qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT)
    finally:
        landscape_module.Problem.losses = original
    assert threads and main_thread not in threads  # never in the GUI thread
    landscape, (ts, losses), epoch = panel.result
    session = window.training
    assert landscape.grid == 15 and epoch == session.latest.metrics.epoch
    assert landscape.centre == pytest.approx(session.latest.metrics.train_loss, rel=1e-5)
    assert landscape.path is not None and len(landscape.path) >= 2
    assert panel.image.image is not None and panel.image.image.shape == (15, 15)
    assert len(panel.contours) > 0
    assert losses[list(ts).index(1.0)] == pytest.approx(landscape.centre, rel=1e-5)
    assert "Loss at the weights of epoch" in panel.status.text()
    assert not panel.progress.isVisible()

    # the path's own plane
    panel.plane.setCurrentIndex(panel.plane.findData("path"))
    panel.compute.click()
    qtbot.waitUntil(lambda: panel.result[0].plane == "path", timeout=WAIT)
    assert np.abs(panel.result[0].path).max() == pytest.approx(1.0, rel=1e-5)
    assert "path component 1" in panel.plot.getAxis("bottom").labelText
    panel.grab().save("/tmp/nnviz-landscape.png")

    # every N epochs while training
    panel.plane.setCurrentIndex(0)
    panel.every.setValue(3)
    panel.auto.setChecked(True)
    computed = panel.result[2]
    step_epochs(qtbot, window, 4)
    qtbot.waitUntil(lambda: panel.result[2] >= computed + 3, timeout=WAIT)


def test_cancel_and_close_stop_a_landscape(qtbot, window):
    panel = show_dock(qtbot, window, "landscapeDock")
    step_epochs(qtbot, window, 2)
    panel.grid.setValue(101)
    panel.compute.click()
    panel.cancel.click()
    assert "Cancelled" in panel.status.text() and not panel.progress.isVisible()
    panel.compute.click()  # left running: closing the window must stop it (fixture checks)


def test_the_lr_finder_suggests_and_applies_a_rate_as_one_undo_step(qtbot, window):
    action = window.findChild(type(window.actionPlay), "actionFindLearningRate")
    assert action in window.menuBar().findChild(type(window.view_menu), "menuTrain").actions()
    step_epochs(qtbot, window, 2)
    params = [(w.copy(), b.copy()) for w, b in window.training.latest.params]
    action.trigger()
    dialog = window.insight.lr_finder
    assert dialog.isVisible() and dialog.objectName() == "lrFinderDialog"
    qtbot.waitUntil(lambda: dialog.finding is not None, timeout=WAIT)
    finding = dialog.finding
    assert finding.suggested is not None
    x, _ = dialog.curve.getData()
    assert len(x) == len(finding.learning_rates) > 20
    assert dialog.apply_button.isEnabled()
    dialog.grab().save("/tmp/nnviz-lr-finder.png")
    # the run's own weights are untouched (the finder trains a copy)
    for (w0, b0), (w1, b1) in zip(params, window.training.latest.params, strict=True):
        assert np.array_equal(w0, w1) and np.array_equal(b0, b1)

    before = window.design.training.optimizer.learning_rate
    dialog.apply_button.click()
    rate = float(f"{finding.suggested:.2g}")
    assert window.design.training.optimizer.learning_rate == rate
    assert window.undo_stack.undoText() == f"Learning rate {rate:g} (from the finder)"
    window.undo_stack.undo()
    assert window.design.training.optimizer.learning_rate == before
    dialog.close()


def test_the_finder_starts_from_the_initial_weights_before_any_step(qtbot, window):
    dialog = window.insight.find_learning_rate()
    qtbot.waitUntil(lambda: dialog.finding is not None, timeout=WAIT)
    trainer = Trainer(window.design)
    from nnviz.core.insight import run_to_end
    from nnviz.core.insight.lr_finder import find_steps

    expected = run_to_end(
        find_steps(trainer.engine, trainer.x_train, trainer.t_train, batch_size=10, seed=2)
    )
    assert dialog.finding.losses[0] == pytest.approx(expected.losses[0], rel=1e-5)


def test_a_background_task_relays_progress_results_and_failures_and_drops_stale_ones(qtbot):
    task = BackgroundTask()
    seen = []
    task.sigProgress.connect(lambda share: seen.append(("progress", share)))
    task.sigDone.connect(lambda result: seen.append(("done", result)))
    task.sigFailed.connect(lambda text: seen.append(("failed", text)))

    def answer(value):
        yield 0.0
        return value

    task.start(lambda: answer(42))
    qtbot.waitUntil(lambda: ("done", 42) in seen, timeout=WAIT)
    assert ("progress", 0.0) in seen

    def failing():
        yield 0.0
        raise ValueError("the grid needs an odd number of points")

    task.start(failing)
    qtbot.waitUntil(lambda: ("failed", "the grid needs an odd number of points") in seen)

    gate = threading.Event()
    threads = []

    def slow():
        threads.append(threading.get_ident())
        yield 0.0
        gate.wait(5)
        yield 0.5
        return "old"

    task.start(slow)
    qtbot.waitUntil(lambda: bool(threads), timeout=WAIT)
    task.start(lambda: answer("new"))  # replaces the slow one
    gate.set()
    qtbot.waitUntil(lambda: ("done", "new") in seen, timeout=WAIT)
    qtbot.wait(100)
    assert ("done", "old") not in seen and threading.get_ident() not in threads
    task.shutdown()
    task.start(lambda: answer("after"))  # a closed task starts nothing
    qtbot.wait(50)
    assert ("done", "after") not in seen


def test_a_task_started_from_the_done_slot_still_delivers(qtbot):
    """The hidden space starts the next mapping from the slot of the last one's result."""
    task = BackgroundTask()
    results = []

    def answer(value):
        yield 0.0
        return value

    def on_done(value):
        results.append(value)
        if value < 3:
            task.start(lambda: answer(value + 1))

    task.sigDone.connect(on_done)
    task.start(lambda: answer(0))
    qtbot.waitUntil(lambda: results == [0, 1, 2, 3], timeout=WAIT)
    task.shutdown()
