"""The training process's command loop, driven directly and through a pipe (no Qt)."""

import math
import multiprocessing
import threading
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.frames import Frame
from nnviz.core.run.protocol import (
    Failure,
    LoadParams,
    NewRun,
    Notice,
    Pause,
    Play,
    Reset,
    RunStarted,
    SessionState,
    SetSpeed,
    StateChanged,
    StepBatch,
    StepEpoch,
    Stop,
    Update,
)
from nnviz.core.run.service import TrainingService, serve


def xor_design(learning_rate=0.03, epochs=1000, activation="tanh", **training) -> Design:
    return Design(
        dataset=DatasetSpec(name="xor", points=200, seed=1),
        layers=(LayerSpec(4, activation), LayerSpec(2, activation)),
        training=TrainingSpec(
            optimizer=OptimizerSpec(learning_rate=learning_rate), epochs=epochs, **training
        ),
    )


class FakeClock:
    """A clock that moves ``tick`` seconds each time it is read, so loops end without sleeping."""

    def __init__(self, tick=0.001):
        self.now = 0.0
        self.tick = tick

    def __call__(self):
        self.now += self.tick
        return self.now


@pytest.fixture
def service():
    sent = []
    service = TrainingService(sent.append, clock=FakeClock())
    service.sent = sent
    return service


def of_kind(service, kind):
    return [message for message in service.sent if isinstance(message, kind)]


def frames(service):
    return of_kind(service, Frame)


def rows(service):
    return [row for frame in frames(service) for row in frame.rows]


def run_until(service, condition, limit=2000):
    for _ in range(limit):
        if condition():
            return
        service.advance()
    raise AssertionError("condition not reached")


def test_a_new_design_sends_run_facts_state_and_a_first_frame(service):
    service.handle(NewRun(xor_design(), None, 7))
    kinds = [type(message) for message in service.sent]
    assert kinds == [RunStarted, StateChanged, Frame]
    run = of_kind(service, RunStarted)[0]
    assert run.info.generation == 7 and run.info.dataset_name == "xor"
    assert run.pipeline.features == ("x1", "x2")
    frame = frames(service)[0]
    assert frame.generation == 7 and frame.rows == ()
    assert frame.snapshot.metrics.epoch == 0
    assert frame.views.output.shape == (200, 200, 1)
    assert service.state == "idle"


def test_playing_sends_every_row_once_in_throttled_frames(service):
    service.handle(NewRun(xor_design(), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.trainer.epoch >= 60)
    service.handle(Pause())
    epochs = [row.epoch for row in rows(service)]
    assert epochs == list(range(1, service.trainer.epoch + 1))
    assert [m.state for m in of_kind(service, StateChanged)[-2:]] == ["running", "paused"]
    # The fake clock moves 1 ms per reading: frames are 1/30 s apart, not one per epoch.
    assert 2 < len(frames(service)) < service.trainer.epoch
    assert frames(service)[-1].snapshot.metrics.epoch == service.trainer.epoch


def test_loss_falls_while_playing(service):
    service.handle(NewRun(xor_design(learning_rate=0.1), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.trainer.epoch >= 150)
    losses = [row.train_loss for row in rows(service)]
    assert losses[-1] < 0.7 * losses[0]


def test_epochs_per_frame_sets_the_pace(service):
    service.handle(NewRun(xor_design(), None, 1))
    service.handle(SetSpeed(3))
    service.handle(Play())
    while service.trainer.epoch < 60:
        if service.wait_time():
            service.clock.now += service.wait_time()
        service.advance()
    counts = [len(frame.rows) for frame in frames(service)[1:]]
    assert len(counts) > 5 and set(counts) == {3}
    times = [frame.snapshot.metrics.epoch for frame in frames(service)[1:]]
    assert times == list(range(3, 3 * len(times) + 1, 3))


def test_waits_for_commands_only_when_not_running(service):
    assert service.wait_time() is None
    service.handle(NewRun(xor_design(), None, 1))
    assert service.wait_time() is None
    service.handle(Play())
    assert service.wait_time() == 0.0


def test_step_epoch_and_step_batch_train_once_and_pause(service):
    service.handle(NewRun(xor_design(), None, 1))
    service.handle(StepEpoch())
    assert [row.epoch for row in rows(service)] == [1]
    assert service.state == "paused"
    steps_per_epoch = math.ceil(100 / 10)
    assert rows(service)[-1].step == steps_per_epoch
    service.handle(StepBatch())
    assert rows(service)[-1].step == steps_per_epoch + 1
    assert frames(service)[-1].views is not None


def test_reset_starts_a_new_generation_from_the_same_weights(service):
    service.handle(NewRun(xor_design(), None, 1))
    first = frames(service)[0].snapshot.params
    service.handle(StepEpoch())
    service.handle(Reset(2))
    run_info = of_kind(service, RunStarted)[-1].info
    frame = frames(service)[-1]
    assert run_info.generation == 2 and frame.generation == 2
    assert frame.snapshot.metrics.epoch == 0 and frame.rows == ()
    for (w0, b0), (w1, b1) in zip(first, frame.snapshot.params, strict=True):
        np.testing.assert_array_equal(w0, w1)
        np.testing.assert_array_equal(b0, b1)
    assert service.state == "idle"
    assert "Reset" in of_kind(service, Notice)[-1].text


def test_new_learning_rate_applies_mid_run(service):
    design = xor_design(learning_rate=0.03)
    service.handle(NewRun(design, None, 1))
    service.handle(StepEpoch())
    faster = replace(
        design, training=replace(design.training, optimizer=OptimizerSpec(learning_rate=0.3))
    )
    service.handle(Update(faster))
    service.handle(StepEpoch())
    assert [row.learning_rate for row in rows(service)] == pytest.approx([0.03, 0.3])
    assert [row.epoch for row in rows(service)] == [1, 2]


def test_divergence_pauses_with_finite_weights_and_a_reason(service):
    service.handle(NewRun(xor_design(learning_rate=100.0, activation="linear"), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.state != "running")
    assert service.state == "diverged"
    snapshot = frames(service)[-1].snapshot
    assert snapshot.status == "diverged"
    assert all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in snapshot.params)
    assert "learning rate" in of_kind(service, Notice)[-1].text
    service.handle(Play())
    assert service.state == "diverged"
    assert "Reset" in of_kind(service, Notice)[-1].text


def test_reaching_the_epoch_limit_finishes(service):
    service.handle(NewRun(xor_design(epochs=5), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.state != "running")
    assert service.state == "finished"
    assert [row.epoch for row in rows(service)] == [1, 2, 3, 4, 5]
    assert "5 epochs" in of_kind(service, Notice)[-1].text
    design = xor_design(epochs=8)
    service.handle(Update(design))
    assert service.state == "paused"
    service.handle(Play())
    run_until(service, lambda: service.state != "running")
    assert rows(service)[-1].epoch == 8


def test_a_design_that_cannot_be_built_reports_why_and_the_service_recovers(service):
    missing = DatasetSpec(name="csv", path="/nonexistent/data.csv", label_column="y")
    broken = replace(xor_design(), dataset=missing)
    service.handle(NewRun(broken, None, 1))
    assert service.state == "error"
    text = of_kind(service, Failure)[-1].text
    assert "data.csv" in text
    service.handle(Play())
    assert "could not be built" in of_kind(service, Notice)[-1].text
    service.handle(NewRun(xor_design(), None, 2))
    assert service.state == "idle" and frames(service)[-1].generation == 2


def test_commands_before_any_design_only_explain(service):
    for command in (Play(), StepEpoch(), Reset(1), Pause()):
        service.handle(command)
    assert of_kind(service, Frame) == [] and of_kind(service, Failure) == []
    assert len(of_kind(service, Notice)) == 3


def test_views_are_skipped_while_running_when_they_cost_too_much(service):
    service.handle(NewRun(xor_design(), None, 1))
    service.handle(Play())
    service.clock.tick = 0.02  # every clock reading now looks like 20 ms of work
    run_until(service, lambda: len(frames(service)) >= 8)
    running = frames(service)[1:]
    assert any(frame.views is None for frame in running)
    assert any(frame.views is not None for frame in running)


def test_the_last_frame_of_a_run_always_has_views(service, monkeypatch):
    """The diagram and the decision regions end on the final weights, however costly."""
    import nnviz.core.run.service_frames as service_module

    def costly_views(*args):  # a second each: due again only after ten seconds of training
        service.clock.now += 1.0
        return evaluate_views(*args)

    evaluate_views = service_module.evaluate_views
    monkeypatch.setattr(service_module, "evaluate_views", costly_views)
    service.handle(NewRun(xor_design(epochs=40), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.state == "finished")
    last = frames(service)[-1]
    assert last.snapshot.metrics.epoch == 40 and last.views is not None
    assert all(frame.views is None for frame in frames(service)[1:-1])


def test_serve_runs_over_pipes_until_stopped():
    command_out, command_in = multiprocessing.Pipe(duplex=False)
    message_out, message_in = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=serve, args=(command_out, message_in), daemon=True)
    thread.start()
    received = []
    try:
        command_in.send(NewRun(xor_design(), None, 1))
        command_in.send(Play())
        while sum(isinstance(message, Frame) for message in received) < 4:
            assert message_out.poll(60), "no message from the service"
            received.append(message_out.recv())
        command_in.send(Stop())
        _read_until_ended(thread, message_out)
    finally:
        command_in.close()  # the service ends at the closed pipe too, once it can send
        _read_until_ended(thread, message_out)
        message_out.close()
    assert [type(message) for message in received][:3] == [RunStarted, StateChanged, Frame]
    assert StateChanged(SessionState.RUNNING) in received


def _read_until_ended(thread, messages) -> None:
    """Read (and drop) messages until the service's thread ends: a frame bigger than the
    pipe's buffer blocks its sender until it is read, and a service blocked there would never
    see the Stop (the window's relay thread always reads; a test must too)."""
    while thread.is_alive():
        try:
            if messages.poll(0.05):
                messages.recv()
        except (EOFError, OSError):
            thread.join()


def test_serve_ends_when_the_window_side_closes():
    command_out, command_in = multiprocessing.Pipe(duplex=False)
    message_out, message_in = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=serve, args=(command_out, message_in))
    thread.start()
    command_in.close()
    thread.join(5)
    assert not thread.is_alive()
    message_out.close()


def test_load_params_puts_imported_weights_into_the_run_and_sends_a_frame():
    sent = []
    service = TrainingService(sent.append)
    service.handle(NewRun(xor_design(), None, 1))
    params = [
        (np.full_like(w, 0.25), np.zeros_like(b)) for w, b in service.trainer.engine.get_params()
    ]
    sent.clear()
    service.handle(LoadParams(params))
    frames = [m for m in sent if isinstance(m, Frame)]
    assert frames, sent
    for (w, b), (fw, fb) in zip(params, frames[-1].snapshot.params, strict=True):
        np.testing.assert_array_equal(fw, w)
        np.testing.assert_array_equal(fb, b)
    np.testing.assert_array_equal(service.trainer.engine.get_params()[0][0], params[0][0])
    notices = [m.text for m in sent if isinstance(m, Notice)]
    assert notices == ["Imported weights loaded; training goes on from them."]
    sent.clear()
    service.handle(LoadParams(params, "Weights changed by hand."))
    assert [m.text for m in sent if isinstance(m, Notice)] == ["Weights changed by hand."]


def test_the_inputs_pictures_go_with_a_runs_first_views_only(service):
    """They never change during a run (784 of them for MNIST: 5 MB a frame)."""
    service.handle(NewRun(xor_design(), None, 1))
    service.handle(StepEpoch())
    service.handle(StepEpoch())
    views = [frame.views for frame in frames(service) if frame.views is not None]
    assert len(views) >= 2 and views[0].inputs is not None
    assert all(v.inputs is None for v in views[1:])
    service.handle(Reset(2))  # a new run sends them again
    assert frames(service)[-1].generation == 2 and frames(service)[-1].views.inputs is not None


def test_while_running_the_classes_of_every_point_are_worked_out_between_frames(
    service, monkeypatch
):
    """All at once they held the frames up once an epoch (0.23 s for 60,000 MNIST images):
    frames meanwhile carry no confusion (the window keeps the last one), and the next one
    counts every training point's class for the weights it came with."""
    from nnviz.core.nn.network import predict_classes
    from nnviz.core.nn.numpy_engine import forward_layers
    from nnviz.core.run import evaluation, metrics_row

    monkeypatch.setattr(evaluation, "TRAIN_PROBE", 20)  # a sample: the classes come later
    monkeypatch.setattr(metrics_row, "CHUNK", 2)  # a few chunks in a frame's slice
    service.handle(NewRun(xor_design(epochs=30), None, 1))
    service.handle(Play())
    run_until(service, lambda: service.state == "finished", limit=20_000)
    running = frames(service)[1:-1]
    assert any(frame.confusion is None for frame in running)
    with_confusion = [frame for frame in frames(service) if frame.confusion is not None]
    assert len(with_confusion) > 5
    x, spec = service.trainer.x_train, service.trainer.spec
    for frame in with_confusion:
        params = [(np.array(w), np.array(b)) for w, b in frame.snapshot.params]
        every = predict_classes(spec, forward_layers(spec, params, x)[-1])
        np.testing.assert_array_equal(frame.confusion.train_predicted, every)
    assert frames(service)[-1].confusion is not None  # the run's end: always
