"""The training timeline in the real window, with its training process: drag back to the
start, step with the keys, fork, bring the original back, save and reopen a run, a damaged
run file, an animation exported from the window."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from test_transfer import XOR, use_settings_in, wait_for_run, wait_until

from nnviz.core.files.design_file import save_design
from nnviz.core.files.run_file import load_run
from nnviz.core.run.trainer import Trainer
from nnviz.ui.main_window import MainWindow
from nnviz.ui.timeline.run_files import budget_bytes

EPOCHS = 12


@pytest.fixture
def window(qapp, tmp_path):
    """A window that trained XOR for EPOCHS epochs, one at a time; ``window.initial_image``
    is the regions picture of its first frame (the initial weights)."""
    use_settings_in(tmp_path / "settings")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    path = tmp_path / "xor.json"
    save_design(XOR, path)
    assert window.open_design(path)
    wait_for_run(window)
    regions = window.live_panels.regions
    wait_until(lambda: regions.views_data is not None and regions.image.image is not None)
    window.initial_image = np.array(regions.image.image)
    for _ in range(EPOCHS):
        window.training.step_epoch()
    wait_for_run(window, epochs=EPOCHS)
    wait_until(lambda: window.timeline.timeline.slider.maximum() == EPOCHS)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def drag_to(slider, value: int) -> None:
    """Press the handle, move it to ``value``, release: what a drag does to a slider."""
    slider.setSliderDown(True)
    slider.setSliderPosition(value)
    QTest.qWait(20)
    slider.setSliderDown(False)


def shown(window):
    return window.timeline.timeline.shown_epoch


def test_dragging_to_the_start_shows_the_initial_network_and_the_end_returns_live(window):
    timeline, panels = window.timeline.timeline, window.live_panels
    live_params = window.training.latest.params
    slider = window.findChild(type(timeline.slider), "timelineSlider")
    drag_to(slider, 0)
    wait_until(lambda: shown(window) == 0)
    np.testing.assert_allclose(panels.regions.image.image, window.initial_image)
    initial = Trainer(XOR).snapshot().params  # the same seed: the same initial weights
    for (w, b), (w0, b0) in zip(panels.weights.params, initial, strict=True):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)
    assert panels.loss.marker.epoch == 0 and panels.gradients.marker.epoch == 0
    assert window.timeline.bar.epoch.text() == "epoch 0"
    assert window.timeline.bar.fork.isEnabled()

    drag_to(slider, EPOCHS)
    wait_until(lambda: timeline.live)
    assert panels.loss.marker.epoch is None
    for (w, _), (live, _) in zip(panels.weights.params, live_params, strict=True):
        np.testing.assert_array_equal(w, live)
    assert window.timeline.bar.epoch.text() == f"epoch {EPOCHS} · live"
    assert not window.timeline.bar.fork.isEnabled()


def test_left_and_right_step_between_checkpoints(window):
    slider = window.timeline.timeline.slider
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Left)
    wait_until(lambda: shown(window) == EPOCHS - 1)
    QTest.keyClick(slider, Qt.Key.Key_Left)
    wait_until(lambda: shown(window) == EPOCHS - 2)
    assert slider.value() == EPOCHS - 2
    QTest.keyClick(slider, Qt.Key.Key_Right)
    wait_until(lambda: shown(window) == EPOCHS - 1)
    QTest.keyClick(slider, Qt.Key.Key_Right)
    wait_until(lambda: window.timeline.timeline.live)


def test_replay_plays_the_run_back_and_ends_live(window):
    bar, timeline = window.timeline.bar, window.timeline.timeline
    bar.speed.setCurrentIndex(bar.speed.count() - 1)
    seen = []
    window.live_panels.sigShown.connect(lambda _frame: seen.append(timeline.shown_epoch))
    bar.replay.click()
    wait_until(lambda: not bar.replay.isChecked())
    assert timeline.live
    assert seen == [*range(EPOCHS), None]  # every checkpoint in order, then live


def test_fork_after_a_change_shows_two_loss_curves_and_the_original_comes_back(window):
    session, timeline, bar = window.training, window.timeline.timeline, window.timeline.bar
    original = [row.train_loss for row in session.history]
    drag_to(timeline.slider, 5)
    wait_until(lambda: shown(window) == 5)
    design = window.design
    faster = replace(design.training.optimizer, learning_rate=0.5)
    window.push_design(
        replace(design, training=replace(design.training, optimizer=faster)), "learning rate"
    )
    bar.fork.click()
    wait_until(lambda: len(session.runs) == 2 and session.latest is not None)
    assert session.epoch == 5 and session.state == "paused"
    assert bar.runs.isVisible() and bar.runs.count() == 2
    for _ in range(3):
        session.step_epoch()
    wait_until(lambda: session.epoch == 8)
    fork_rows = list(session.history)
    kept = window.runs.panel.entries.values()  # the fork is a run of its own in the Runs panel
    wait_until(lambda: any(e.source == "fork" and e.epochs == 8 for e in kept))
    assert [e.label for e in kept if e.source == "fork"] == ["fork at epoch 5"]
    assert [row.epoch for row in fork_rows] == list(range(1, 9))
    assert [row.train_loss for row in fork_rows[:5]] == original[:5]
    assert fork_rows[-1].learning_rate == pytest.approx(0.5)
    assert fork_rows[-1].train_loss != original[7]

    loss = window.live_panels.loss
    wait_until(lambda: len(loss.train_loss.epochs) == 8)
    dashed = [curve for curve in loss.compared if len(curve.epochs)]
    assert len(dashed) == 2  # the original's train and test loss beside the fork's own
    np.testing.assert_allclose(dashed[0].values, original)
    assert "run 1" in loss.compared_legend.text()

    bar.runs.setCurrentIndex(0)
    bar.runs.activated.emit(0)
    wait_until(lambda: session.latest is not None and session.epoch == EPOCHS)
    assert [row.train_loss for row in session.history] == original
    assert len(loss.compared) == 2 and len(loss.compared[0].epochs) == 8
    # The original comes back with its own settings, in the window and in its training.
    rate = XOR.training.optimizer.learning_rate
    assert window.design.training.optimizer.learning_rate == rate
    session.step_epoch()
    wait_until(lambda: session.epoch == EPOCHS + 1)
    assert session.history[-1].learning_rate == pytest.approx(rate)
    window.undo_stack.undo()  # bringing it back was one step: the fork's rate again
    assert window.design.training.optimizer.learning_rate == 0.5


def test_a_change_while_looking_back_waits_for_the_live_run(window):
    session, timeline = window.training, window.timeline.timeline
    drag_to(timeline.slider, 3)
    wait_until(lambda: shown(window) == 3)
    design = window.design
    faster = replace(design.training.optimizer, learning_rate=0.7)
    window.push_design(
        replace(design, training=replace(design.training, optimizer=faster)), "learning rate"
    )
    assert session.holds_changes
    session.step_epoch()  # the live run trains on with its own rate meanwhile
    wait_until(lambda: session.epoch == EPOCHS + 1)
    assert session.history[-1].learning_rate == pytest.approx(XOR.training.optimizer.learning_rate)
    window.timeline.bar.live.click()
    assert not session.holds_changes
    session.step_epoch()
    wait_until(lambda: session.epoch == EPOCHS + 2)
    assert session.history[-1].learning_rate == pytest.approx(0.7)


def reopen(window, path):
    """Start afresh, then open the run file at ``path``; its session once it holds the file's
    EPOCHS epochs."""
    window.training.reset()
    wait_until(lambda: window.training.latest is not None and window.training.epoch == 0)
    window.undo_stack.setClean()
    assert window.open_file(path)
    session = window.training
    wait_until(lambda: len(session.history) == EPOCHS and session.epoch == EPOCHS)
    return session


def test_save_run_then_open_it_restores_the_design_and_the_timeline(window, tmp_path):
    path = tmp_path / "xor run.nnvizrun"
    assert window.timeline.files.save_run(path)
    wait_until(path.exists)
    record = load_run(path)
    assert [c.epoch for c in record.checkpoints] == list(range(EPOCHS + 1))
    assert len(record.history) == EPOCHS

    session = reopen(window, path)
    assert window.design == XOR
    assert session.state == "paused"
    histograms = window.distributions.histograms  # measured from the file's checkpoints
    wait_until(lambda: histograms.recorded is not None)
    assert histograms.recorded_name == path.name
    assert histograms.recorded.last_epoch == EPOCHS
    wait_until(lambda: window.timeline.timeline.slider.maximum() == EPOCHS)
    drag_to(window.timeline.timeline.slider, 0)
    wait_until(lambda: shown(window) == 0)
    np.testing.assert_allclose(window.live_panels.regions.image.image, window.initial_image)
    session.step_epoch()  # training goes on from the file's last checkpoint
    wait_until(lambda: session.epoch == EPOCHS + 1)


def test_an_opened_runs_histograms_stay_when_measured_before_the_process_answers(
    window, tmp_path, monkeypatch
):
    """The training process may answer late (under load): histograms measured sooner were
    forgotten when the run was shown afresh with the file's timeline."""
    path = tmp_path / "run.nnvizrun"
    assert window.timeline.files.save_run(path)
    wait_until(path.exists)
    task = window.distributions.task

    def at_once(make_steps):  # measured at once, delivered at the event loop's next turn
        steps = make_steps()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                result = done.value
                QTimer.singleShot(0, lambda result=result: task.sigDone.emit(result))
                return

    monkeypatch.setattr(task, "start", at_once)
    reopen(window, path)
    QTest.qWait(20)  # whatever was delivered is in
    histograms = window.distributions.histograms
    assert histograms.recorded is not None and histograms.recorded.last_epoch == EPOCHS


def error_dialog(window):
    boxes = [b for b in window.findChildren(QMessageBox, "loadErrorDialog") if b.isVisible()]
    return boxes[0] if boxes else None


def test_a_tampered_or_truncated_run_file_gets_a_message_and_loses_nothing(window, tmp_path):
    path = tmp_path / "good.nnvizrun"
    window.timeline.files.save_run(path)
    wait_until(path.exists)
    truncated = tmp_path / "truncated.nnvizrun"
    truncated.write_bytes(path.read_bytes()[:-4000])
    tampered = tmp_path / "tampered.nnvizrun"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "index.json":
                data = data.replace(b'"nnviz-run"', b'"something-else"')
            target.writestr(name, data)
    design, epoch = window.design, window.training.epoch
    for bad, words in ((truncated, "zip"), (tampered, "not an nnviz run")):
        window.open_file(bad)
        wait_until(lambda: error_dialog(window) is not None)
        box = error_dialog(window)
        assert bad.name in box.text() and words in box.informativeText()
        box.close()
        QTest.qWait(20)
        assert window.design is design and window.training.epoch == epoch


def test_export_animation_renders_every_checkpoint_with_progress(window, tmp_path):
    path = tmp_path / "xor.gif"
    files = window.timeline.files
    assert files.export_animation(path, "regions")
    wait_until(lambda: files.progress is not None)
    assert files.progress.objectName() == "animationProgress"
    wait_until(lambda: files.job is None and path.exists())
    with Image.open(path) as gif:
        assert gif.n_frames == EPOCHS + 1


def test_the_timeline_memory_is_a_preference_used_from_the_next_run(window):
    files = window.timeline.files
    files.set_budget(1)
    assert window.training.record_bytes == 2**20 == budget_bytes()
