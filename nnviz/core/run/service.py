"""The training process's command loop: commands in, run facts and throttled frames out.

It knows nothing of Qt. :func:`process_main` runs in the child process that
:mod:`nnviz.ui.session.worker` starts (a child, not a thread, because of Python's GIL: see
docs/architecture.md); tests drive :class:`TrainingService` directly. Training never waits
for the window: frames go out as :mod:`nnviz.core.run.pacing` says, and the network's views
are computed at send time only.

Commands and messages are the classes of :mod:`nnviz.core.run.protocol`. The timeline's
commands (fork, switch, a run file's timeline) are in :mod:`nnviz.core.run.service_timeline`,
what a frame carries and when in :mod:`nnviz.core.run.service_frames`; here are the commands
that train and the loop.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable

from nnviz.core.data import load_dataset
from nnviz.core.data.cache import CachedData
from nnviz.core.data.dataset import DatasetError
from nnviz.core.data.kept import KEPT
from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES
from nnviz.core.run.pacing import SendPace
from nnviz.core.run.projection import plane_projection
from nnviz.core.run.protocol import (
    Adopt,
    Command,
    Failure,
    Fork,
    LoadParams,
    Message,
    NewRun,
    Notice,
    Pause,
    Play,
    Reset,
    RunStarted,
    SendCheckpoints,
    SessionState,
    SetSpeed,
    ShowCheckpoint,
    StateChanged,
    StepBatch,
    StepEpoch,
    Stop,
    SwitchRun,
    Update,
)
from nnviz.core.run.run_facts import make_run_info
from nnviz.core.run.service_frames import FrameSending
from nnviz.core.run.service_timeline import TimelineCommands
from nnviz.core.run.snapshot import DIVERGED

#: Longest stretch of training between two looks at the command pipe, in seconds.
COMMAND_LATENCY = 0.01

#: Errors a user can cause with a design; anything else is reported with its type.
USER_ERRORS = (ValueError, OSError, RuntimeError)


def _make_trainer(design, base_dir, dataset=None, record_bytes=None):
    from nnviz.core.run.trainer import Trainer

    if isinstance(dataset, CachedData):
        try:
            dataset = dataset.open()  # memory-mapped: the window parsed it, nobody again
        except DatasetError:
            dataset = None  # the cache was emptied meanwhile: read the data here
    if dataset is None:
        dataset = KEPT.get(design.dataset, base_dir)  # from the disk cache when it is there
    return Trainer(design, dataset, base_dir=base_dir, record_bytes=record_bytes)


class TrainingService(TimelineCommands, FrameSending):
    """One training process's state: the current run, play/pause, pacing, what was sent.

    ``send`` takes one :data:`~nnviz.core.run.protocol.Message`;
    ``make_trainer(design, base_dir, dataset, record_bytes)`` builds a run (``dataset`` may
    be None), recording its timeline within ``record_bytes``.

    A fork is a run of its own, beside the one it forks (``runs``, by generation): the run
    forked stays as it was, to be made current again. A new run or a reset forgets them all.
    """

    def __init__(
        self,
        send: Callable[[Message], None],
        make_trainer: Callable = _make_trainer,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.send = send
        self.make_trainer = make_trainer
        self.clock = clock
        self.trainer = None
        self.design = None
        self.base_dir = None
        self.dataset = None  # the current run's data, as the window sent it or as read here
        self.generation = 0
        self.record_bytes = DEFAULT_BUDGET_BYTES
        self.runs: dict = {}  # generation -> Trainer: the current run, its forks and origins
        self._projection = None  # the plane of wide data, the same for every fork of a run
        self.state = SessionState.IDLE
        self.stopped = False
        self._pace = SendPace()

    # --- commands ---------------------------------------------------------------------------

    def handle(self, command: Command) -> None:
        """Carry out one command; a failure becomes a Failure message, never an exception."""
        try:
            self._dispatch(command)
        except USER_ERRORS as exc:
            self._fail(str(exc))
        except Exception as exc:  # a bug must not kill the process: report it and go on
            self._fail(f"{type(exc).__name__}: {exc}")

    def _dispatch(self, command: Command) -> None:
        match command:
            case NewRun(design, base_dir, generation, dataset, record_bytes):
                self.design, self.base_dir, self.dataset = design, base_dir, dataset
                self.record_bytes = record_bytes
                self._start_run(generation)
            case Reset(generation):
                self._reset(generation)
            case Update(design):
                self._update(design)
            case Play():
                self._play()
            case Pause():
                self._pause()
            case StepEpoch():
                self._step(whole_epoch=True)
            case StepBatch():
                self._step(whole_epoch=False)
            case LoadParams(params, notice):
                self._load_params(params, notice)
            case SetSpeed(epochs_per_frame):
                self._pace.set_speed(epochs_per_frame)
            case ShowCheckpoint(epoch):
                self._show_checkpoint(epoch)
            case Fork(epoch, generation, design):
                self._fork(epoch, generation, design)
            case SwitchRun(generation):
                self._switch(generation)
            case Adopt(checkpoints):
                self._adopt(checkpoints)
            case SendCheckpoints(purpose):
                self._send_checkpoints(purpose)
            case Stop():
                self.stopped = True
            case _:
                raise TypeError(f"not a command: {command!r}")

    def _reset(self, generation: int) -> None:
        if self.design is None:
            self._notice("Nothing to reset: no design yet.")
            return
        self._start_run(generation)
        self._notice("Reset: training starts again from the initial weights.")

    def _update(self, design) -> None:
        old, self.design = self.design, design
        if self.trainer is not None:
            self.trainer.set_training(design.training)
            self._meter.set_penalty(design.training.l1, design.training.l2)
            if old is not None and design.dataset != old.dataset:
                # Painted points added or removed (live.needs_new_run lets only those
                # through): the run trains on them from its next epoch.
                self.dataset = load_dataset(design.dataset, base_dir=self.base_dir)
                self.trainer.set_dataset(self.dataset)
                if self.state != SessionState.RUNNING:
                    self._send_frame()
            if self.state == SessionState.FINISHED and not self.trainer.done:
                self._set_state(SessionState.PAUSED)

    def _play(self) -> None:
        if self._ready_to_train():
            self._pace.start(self.clock())
            self._set_state(SessionState.RUNNING)

    def _pause(self) -> None:
        """The run's last rows first, then the state: a window that sees "paused" already
        has every epoch trained (the other way round, the last frame came after it)."""
        if self.state == SessionState.RUNNING:
            self._send_frame(with_views=True)
            self._set_state(SessionState.PAUSED)

    def _load_params(self, params, notice: str) -> None:
        if self.trainer is None:
            self._notice("No run to load weights into: the design could not be built.")
            return
        self.trainer.load_params(params)
        self._notice(notice)
        self._send_frame()

    # --- running ----------------------------------------------------------------------------

    def wait_time(self) -> float | None:
        """How long the loop may wait for a command: None (until one comes), 0 or a delay."""
        if self.state != SessionState.RUNNING:
            return None
        return self._pace.wait(self.clock())

    def advance(self) -> None:
        """Train for a short stretch while running, sending a frame whenever one is due."""
        if self.state != SessionState.RUNNING:
            return
        try:
            self._advance()
        except Exception as exc:
            self._fail(f"training stopped: {type(exc).__name__}: {exc}")

    def _advance(self) -> None:
        """Train until COMMAND_LATENCY has passed (mid-epoch if need be, so Pause and Stop
        never wait for the end of a long epoch), or this frame's epochs are done."""
        pace = self._pace
        deadline = self.clock() + COMMAND_LATENCY
        while True:
            now = self.clock()
            if pace.frame_due(now):
                self._send_frame()
                pace.frame_sent(now)
            if pace.paced_out or now >= deadline:
                return
            if self.trainer.train_until(deadline, self.clock) is None:
                return  # the epoch goes on after a look at the commands
            pace.epoch_done()
            if self.trainer.done:
                self._end_run()
                return

    def _step(self, whole_epoch: bool) -> None:
        if not self._ready_to_train():
            return
        if whole_epoch:
            self.trainer.step_epoch()
        else:
            self.trainer.step_batch()
        if self.trainer.done:
            self._end_run()
            return
        self._set_state(SessionState.PAUSED)
        self._send_frame()

    def _ready_to_train(self) -> bool:
        if self.trainer is None:
            why = "the design could not be built" if self.design is not None else "no design yet"
            self._notice(f"Nothing to train: {why}.")
            return False
        if self.trainer.done:
            self._notice(self._end_message() + " Press Reset to train again.")
            return False
        return True

    def _end_run(self) -> None:
        self._send_frame(with_views=True)
        self._notice(self._end_message())
        diverged = self.trainer.status == DIVERGED
        self._set_state(SessionState.DIVERGED if diverged else SessionState.FINISHED)

    def _end_message(self) -> str:
        if self.trainer.message:
            return self.trainer.message
        if self.trainer.status == DIVERGED:
            return "Training diverged; the last finite weights are kept."
        return "Training finished."

    def _start_run(self, generation: int) -> None:
        self.trainer = None
        self._grid = None
        self.runs = {}
        self.generation = generation
        trainer = self.make_trainer(self.design, self.base_dir, self.dataset, self.record_bytes)
        self.dataset = trainer.dataset  # a reset trains on the same data, not read again
        data = trainer.dataset
        projection = plane_projection(trainer.x_train) if data.n_raw > 2 else None
        run_info = make_run_info(trainer, generation, projection)
        self._start_frames(trainer, run_info, projection)
        self._projection = projection
        self.runs[generation] = self.trainer = trainer
        self.send(RunStarted(run_info, trainer.pipeline))
        self.state = SessionState.IDLE
        self.send(StateChanged(SessionState.IDLE))
        self._send_frame()

    def _set_state(self, state: SessionState) -> None:
        if state != self.state:
            self.state = state
            self.send(StateChanged(state))

    def _notice(self, text: str) -> None:
        self.send(Notice(text))

    def _fail(self, text: str) -> None:
        self.send(Failure(text))  # first, so whoever sees the state can read why
        self._set_state(SessionState.ERROR)


def serve(commands, messages) -> None:
    """Carry out commands from ``commands`` and send messages to ``messages`` until stopped.

    ``commands``/``messages`` are pipe connections; the loop also ends when the window's end
    of the pipe closes.
    """
    service = TrainingService(messages.send)
    try:
        while not service.stopped:
            if commands.poll(service.wait_time()):
                service.handle(commands.recv())
            else:
                service.advance()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return
    finally:
        messages.close()
        commands.close()


def process_main(commands, messages) -> None:
    """The training process: :func:`serve` at a lower priority, deaf to Ctrl+C.

    The lower priority keeps the window smooth on a machine with few cores (measured in
    docs/architecture.md); the window, not the terminal, decides when training ends.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)
    serve(commands, messages)
