"""The window's training session with its real child process: play, pause, step, reset, crash."""

import multiprocessing
import os
import signal
import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication
from threadpoolctl import threadpool_info, threadpool_limits

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.live import needs_new_run
from nnviz.core.run.pacing import GUI_SHARE
from nnviz.ui.data_facts import window_dataset
from nnviz.ui.session.training_session import TrainingSession

WAIT = 30_000  # ms; only a guard against hanging, the conditions are what is tested


def xor_design(learning_rate=0.1, epochs=100_000, activation="tanh") -> Design:
    return Design(
        dataset=DatasetSpec(name="xor", points=200, seed=1),
        layers=(LayerSpec(4, activation), LayerSpec(2, activation)),
        training=TrainingSpec(
            optimizer=OptimizerSpec(learning_rate=learning_rate), epochs=epochs, seed=2
        ),
    )


def with_learning_rate(design, learning_rate):
    optimizer = replace(design.training.optimizer, learning_rate=learning_rate)
    return replace(design, training=replace(design.training, optimizer=optimizer))


def assert_all_ended(session):
    assert multiprocessing.active_children() == []
    assert session.process is None
    assert session.relay_thread is None


@pytest.fixture
def session(qtbot):
    session = TrainingSession()
    session.frames = []
    session.messages = []
    session.errors = []
    session.sigFrame.connect(session.frames.append)
    session.sigMessage.connect(session.messages.append)
    session.sigError.connect(session.errors.append)
    yield session
    thread = session.relay_thread
    session.shutdown()
    assert_all_ended(session)
    assert thread is None or not thread.isRunning()


def start(qtbot, session, design):
    with qtbot.waitSignal(session.sigRunStarted, timeout=WAIT):
        session.set_design(design, restart=True)
    qtbot.waitUntil(lambda: session.latest is not None, timeout=WAIT)


def play_until_epoch(qtbot, session, epoch):
    session.play()
    qtbot.waitUntil(lambda: session.epoch >= epoch, timeout=WAIT)


def pause(qtbot, session):
    session.pause()
    qtbot.waitUntil(lambda: session.state == "paused", timeout=WAIT)


def test_xor_learns_and_its_decision_output_changes(qtbot, session):
    start(qtbot, session, xor_design())
    first_output = session.frames[0].views.output
    assert session.run_info.kind == "plane" and session.engine_name == "numpy"
    assert session.run_info.dataset_name == "xor" and session.pipeline.features == ("x1", "x2")
    play_until_epoch(qtbot, session, 150)
    assert session.state == "running"
    assert session.steps_per_second > 0
    pause(qtbot, session)
    epochs = [row.epoch for row in session.history]
    assert epochs == list(range(1, len(epochs) + 1))  # every row, none lost or repeated
    assert session.history[-1].train_loss < 0.7 * session.history[0].train_loss
    last_output = next(f.views for f in reversed(session.frames) if f.views is not None).output
    assert np.abs(last_output - first_output).max() > 0.1
    assert 0 < session.progress < 0.01


def test_the_training_process_runs_below_the_window_on_one_math_thread(qtbot, session, monkeypatch):
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    start(qtbot, session, xor_design())
    pid = session.process.pid
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    with open(f"/proc/{pid}/environ", "rb") as environ:
        variables = environ.read().split(b"\0")
    assert b"OPENBLAS_NUM_THREADS=1" in variables and b"OMP_NUM_THREADS=1" in variables
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # the window's own setting is unchanged


def test_the_windows_own_math_leaves_a_core_to_training(qtbot, session):
    """NumPy's BLAS threads in the window's process (the hidden space, a landscape) spun a
    core's worth against the training process on two cores."""
    threadpool_limits(os.cpu_count() + 1, user_api="blas")  # more than are left to the window
    start(qtbot, session, xor_design())
    cores = len(os.sched_getaffinity(0))
    threads = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert threads and set(threads) == {max(1, cores - 1)}


def test_pause_holds_and_play_resumes(qtbot, session):
    start(qtbot, session, xor_design())
    play_until_epoch(qtbot, session, 20)
    pause(qtbot, session)
    held = session.epoch
    qtbot.wait(300)
    assert session.epoch == held and session.steps_per_second == 0.0
    play_until_epoch(qtbot, session, held + 20)
    session.toggle_play()
    qtbot.waitUntil(lambda: session.state == "paused", timeout=WAIT)


def test_step_trains_one_epoch_or_one_batch(qtbot, session):
    start(qtbot, session, xor_design())
    session.step_epoch()
    qtbot.waitUntil(lambda: session.epoch == 1, timeout=WAIT)
    assert session.state == "paused"
    steps = session.latest.metrics.step
    assert steps == 10  # 100 training points in batches of 10
    session.step_batch()
    qtbot.waitUntil(lambda: session.latest.metrics.step == steps + 1, timeout=WAIT)
    assert session.epoch == 1


def test_speed_one_epoch_per_frame(qtbot, session):
    start(qtbot, session, xor_design())
    session.set_speed(1)
    play_until_epoch(qtbot, session, 15)
    pause(qtbot, session)
    running = [f for f in session.frames[1:] if f.rows]
    assert max(len(f.rows) for f in running) <= 2  # one per frame (two if the window lagged)


def test_frames_slow_down_when_drawing_them_is_slow_and_lose_no_rows(qtbot, session):
    def slow_panels(frame):  # 40 ms of CPU per frame: frames come at most every 40 / share ms
        end = time.thread_time() + 0.04
        while time.thread_time() < end:
            pass

    start(qtbot, session, xor_design())
    session.sigFrame.connect(slow_panels)
    play_until_epoch(qtbot, session, 10)
    delivered, began = len(session.frames), time.monotonic()
    qtbot.wait(1000)
    elapsed = time.monotonic() - began
    assert len(session.frames) - delivered <= elapsed / (0.04 / GUI_SHARE) + 1
    pause(qtbot, session)
    assert [row.epoch for row in session.history] == list(range(1, session.epoch + 1))


def test_reset_clears_the_history_and_starts_a_new_run(qtbot, session):
    start(qtbot, session, xor_design())
    old = session.run_info
    play_until_epoch(qtbot, session, 30)
    with qtbot.waitSignal(session.sigRunStarted, timeout=WAIT) as new_run:
        session.reset()
    assert new_run.args[0] is session.run_info and session.run_info.generation > old.generation
    qtbot.waitUntil(lambda: session.state == "idle", timeout=WAIT)
    qtbot.wait(100)
    assert len(session.history) == 0 and session.epoch == 0
    assert any("Reset" in text for text in session.messages)


def test_the_window_reads_the_data_once_and_the_run_gets_its_arrays(qtbot, session):
    design = xor_design()
    start(qtbot, session, design)
    assert session.dataset is window_dataset(design.dataset)
    assert session.run_info.class_names == session.dataset.class_names
    np.testing.assert_allclose(session.run_info.train_points, session.dataset.x_train, rtol=1e-6)


def test_learning_rate_changes_mid_run_without_reset(qtbot, session):
    design = xor_design(learning_rate=0.03)
    start(qtbot, session, design)
    generation = session.run_info.generation
    play_until_epoch(qtbot, session, 10)
    session.set_design(with_learning_rate(design, 0.2))
    qtbot.waitUntil(lambda: session.history[-1].learning_rate == pytest.approx(0.2), timeout=WAIT)
    assert session.run_info.generation == generation
    assert session.history[0].learning_rate == pytest.approx(0.03)


def test_a_diverging_run_pauses_itself_with_finite_weights(qtbot, session):
    start(qtbot, session, xor_design(learning_rate=100.0, activation="linear"))
    session.play()
    qtbot.waitUntil(lambda: session.state == "diverged", timeout=WAIT)
    assert session.latest.status == "diverged"
    assert all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in session.latest.params)
    assert any("learning rate" in text for text in session.messages)


def test_a_design_that_cannot_be_built_is_reported_and_the_session_recovers(qtbot, session):
    broken = replace(
        xor_design(), dataset=DatasetSpec(name="csv", path="/nonexistent/x.csv", label_column="y")
    )
    session.set_design(broken, restart=True)
    qtbot.waitUntil(lambda: session.state == "error", timeout=WAIT)
    assert "x.csv" in session.errors[-1]
    start(qtbot, session, xor_design())
    play_until_epoch(qtbot, session, 5)


def test_a_killed_training_process_is_reported_and_play_restarts_it(qtbot, session):
    start(qtbot, session, xor_design())
    play_until_epoch(qtbot, session, 5)
    killed = session.process.pid
    os.kill(killed, signal.SIGKILL)
    qtbot.waitUntil(lambda: session.state == "error", timeout=WAIT)
    assert "stopped unexpectedly" in session.errors[-1]
    assert session.process is None
    with qtbot.waitSignal(session.sigRunStarted, timeout=WAIT):
        session.play()
    qtbot.waitUntil(lambda: session.state == "running" and session.epoch >= 5, timeout=WAIT)
    assert session.process.pid != killed


def test_shutdown_mid_run_leaves_no_process_or_thread(qtbot, session):
    start(qtbot, session, xor_design())
    play_until_epoch(qtbot, session, 5)
    thread = session.relay_thread
    assert thread.isRunning()
    session.shutdown()
    assert_all_ended(session)
    assert not thread.isRunning()
    session.play()  # a closed session ignores commands instead of starting a process
    assert multiprocessing.active_children() == []


def test_the_session_ends_with_the_application(qtbot, session):
    start(qtbot, session, xor_design())
    session.play()
    QCoreApplication.instance().aboutToQuit.emit()
    assert_all_ended(session)


def test_200_play_pause_cycles_and_resets_use_one_process(qtbot, session):
    start(qtbot, session, xor_design())
    pid = session.process.pid
    for _ in range(200):
        session.play()
        session.pause()
        QCoreApplication.processEvents()
    for _ in range(20):
        session.reset()
        session.set_design(xor_design(), restart=True)
    generation = session.generation
    qtbot.waitUntil(lambda: session.run_info.generation == generation, timeout=WAIT)
    play_until_epoch(qtbot, session, 3)
    pause(qtbot, session)
    assert session.process.pid == pid
    assert multiprocessing.active_children() == [session.process]
    assert [row.epoch for row in session.history] == list(range(1, session.epoch + 1))


def test_a_new_network_resets_and_says_so(qtbot, session):
    start(qtbot, session, xor_design())
    play_until_epoch(qtbot, session, 5)
    wider = replace(xor_design(), layers=(LayerSpec(6, "tanh"),))
    with qtbot.waitSignal(session.sigRunStarted, timeout=WAIT):
        session.set_design(wider)
    assert session.run_info.spec.sizes == (2, 6, 1)
    assert "The network changed" in session.messages[-1]
    qtbot.waitUntil(lambda: session.state == "idle", timeout=WAIT)


def test_only_data_network_or_engine_changes_need_a_new_run():
    design = xor_design()
    assert needs_new_run(None, design)
    assert not needs_new_run(design, with_learning_rate(design, 0.5))
    assert not needs_new_run(design, replace(design, name="renamed"))
    assert needs_new_run(design, replace(design, layers=(LayerSpec(3),)))
    assert needs_new_run(design, replace(design, training=replace(design.training, seed=9)))


def test_what_a_finished_run_said_goes_stale_with_the_next_run(qtbot, session):
    """ "finished 3 epochs" describes that run only (issue 14 item 13)."""
    stale = []
    session.sigMessagesStale.connect(stale.append)
    start(qtbot, session, xor_design(epochs=3))
    session.play()
    qtbot.waitUntil(lambda: session.state == "finished", timeout=WAIT)
    qtbot.waitUntil(lambda: "finished 3 epochs" in session.messages, timeout=WAIT)
    assert stale == []
    start(qtbot, session, replace(xor_design(), layers=(LayerSpec(3, "tanh"),)))
    assert stale == [("finished 3 epochs",)]
