"""Pause and Stop do not wait for the end of a long epoch (issue 13 item 10)."""

import multiprocessing
import threading

import numpy as np

from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.run.frames import Frame
from nnviz.core.run.protocol import NewRun, Pause, Play, SessionState, StateChanged, Stop
from nnviz.core.run.service import COMMAND_LATENCY, TrainingService, serve
from nnviz.core.run.trainer import Trainer

#: The issue's case (XOR, batch 1, six tanh layers of 8) at 20,000 points: 10,000 steps an
#: epoch, each one reading the clock.
BIG_EPOCH = Design(
    dataset=DatasetSpec(name="xor", points=20_000, seed=1),
    layers=(LayerSpec(8, "tanh"),) * 6,
    training=TrainingSpec(batch_size=1, epochs=3, seed=2),
)


class StepClock:
    """Moves a millisecond each time it is read (the trainer reads it once a batch)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.001
        return self.now


def test_the_loop_looks_at_commands_within_an_epoch_and_the_run_is_unchanged():
    sent = []
    service = TrainingService(sent.append, clock=StepClock())
    service.handle(NewRun(BIG_EPOCH, None, 1))
    steps_per_epoch = len(service.trainer.x_train)
    service.handle(Play())
    service.advance()
    # back for commands after about COMMAND_LATENCY of clock: a few batches, not 50,000
    assert service.trainer.epoch == 0
    assert 0 < service.trainer.step <= COMMAND_LATENCY / 0.001
    service.handle(Pause())
    # the last frame first, then the state: whoever sees "paused" has every step's rows
    assert service.state == SessionState.PAUSED and sent[-1] == StateChanged(SessionState.PAUSED)
    assert isinstance(sent[-2], Frame) and sent[-2].snapshot.metrics.epoch == 0
    paused_at = service.trainer.step
    service.advance()  # paused: no training
    assert service.trainer.step == paused_at

    service.handle(Play())
    service.advance()
    assert paused_at < service.trainer.step  # on from where it paused
    ended = service.trainer.step_epoch()  # the rest of the epoch, in one go
    assert ended.metrics.step == steps_per_epoch  # the epoch went on where it paused
    straight = Trainer(BIG_EPOCH).step_epoch()
    for (w, b), (sw, sb) in zip(ended.params, straight.params, strict=True):
        np.testing.assert_array_equal(w, sw)
        np.testing.assert_array_equal(b, sb)


def test_pause_and_stop_over_the_pipe_take_effect_mid_epoch():
    command_out, command_in = multiprocessing.Pipe(duplex=False)
    message_out, message_in = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=serve, args=(command_out, message_in))
    thread.start()
    try:
        command_in.send(NewRun(BIG_EPOCH, None, 1))
        command_in.send(Play())
        received = []
        while StateChanged(SessionState.RUNNING) not in received:
            assert message_out.poll(30), "no message from the service"
            received.append(message_out.recv())
        command_in.send(Pause())
        while StateChanged(SessionState.PAUSED) not in received:
            assert message_out.poll(30), "no message from the service"
            received.append(message_out.recv())
        paused = received[-2]  # the frame the pause sends before its state: the first epoch
        assert isinstance(paused, Frame) and paused.snapshot.metrics.epoch == 0
        command_in.send(Stop())
        thread.join(30)
        assert not thread.is_alive()
    finally:
        command_in.close()
        thread.join(30)
    try:
        while message_out.poll(0):
            received.append(message_out.recv())
    except EOFError:  # the service closed its end when it stopped
        pass
    frames = [m for m in received if isinstance(m, Frame)]
    assert frames and all(frame.snapshot.metrics.epoch == 0 for frame in frames)
    message_out.close()
