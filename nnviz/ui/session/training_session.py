"""A window's training: what the main window drives (play, pause, designs) and what panels read.

The training itself runs in a child process (:mod:`nnviz.ui.session.worker`); this object sends it
commands and turns its messages into signals in the GUI thread, as often as
:mod:`nnviz.core.run.pacing` lets frames through. A generation number, raised
by every new run, lets it ignore frames of a run that was already replaced (as napari's views
ignore late results of an old worker).
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot

from nnviz.core.data.dataset import DatasetError
from nnviz.core.data.kept import KEPT
from nnviz.core.design import Design
from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES
from nnviz.core.run.frames import Frame
from nnviz.core.run.history import MetricsHistory
from nnviz.core.run.live import needs_new_run
from nnviz.core.run.pacing import DeliveryPace
from nnviz.core.run.protocol import (
    CheckpointShown,
    CheckpointsSent,
    Command,
    Failure,
    LoadParams,
    NewRun,
    Notice,
    Pause,
    Play,
    PointsTaken,
    Reset,
    RunRestored,
    RunStarted,
    SessionState,
    SetSpeed,
    StateChanged,
    StepBatch,
    StepEpoch,
    Update,
)
from nnviz.ui.session.session_runs import SessionRun, SessionRuns
from nnviz.ui.session.worker import TrainingWorker

#: Window over which steps per second are measured, in seconds.
RATE_WINDOW = 1.0


def changed(old: Design, new: Design) -> str:
    """What a structural change changed, for the status bar."""
    if old.dataset != new.dataset:
        return "The data"
    if old.features != new.features:
        return "The inputs"
    if old.layers != new.layers or old.output != new.output:
        return "The network"
    return "The training setup"


class TrainingSession(SessionRuns, QObject):
    """Runs training for one window in a child process and relays frames as signals.

    ``runs`` lists the runs of the current design kept for the timeline (see
    :class:`~nnviz.ui.session.session_runs.SessionRuns`).
    """

    sigRunRequested = Signal(int)  # the generation of a new run asked for (not started yet)
    sigRunStarted = Signal(object)  # RunInfo of a new run (after set_design/reset)
    sigFrame = Signal(object)  # Frame, at most ~30 per second, stale ones dropped
    sigDataChanged = Signal(object)  # RunInfo of the same run, with painted points taken on
    sigStateChanged = Signal(str)  # a SessionState ("idle", "running", "paused", ...)
    sigMessage = Signal(str)  # a sentence for the status bar (why it paused, what reset)
    sigMessagesStale = Signal(object)  # the sentences a run said, once another run has begun
    sigError = Signal(str)  # a design that cannot be built, a training failure, a crash
    sigCheckpoint = Signal(object)  # CheckpointShown of the current run (the timeline)
    sigCheckpoints = Signal(str, object)  # (purpose, every checkpoint of the current run)
    sigRunsChanged = Signal()  # a fork was made, a run brought back, or a new run began

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = SessionState.IDLE
        self.latest = None  # latest Snapshot
        self.history = MetricsHistory()  # every EpochMetrics of the current run (a Sequence)
        self.run_info = None  # RunInfo of the current run
        self.pipeline = None  # InputPipeline of the current run (for exports)
        self.dataset = None  # Dataset of the current run, as the window read it, or None
        self._next_dataset = None  # that of the run asked for, until it has started
        self.design: Design | None = None
        self.base_dir = None
        self.generation = 0
        self._generations = 0  # the highest generation handed out
        self._init_runs()
        self.record_bytes = DEFAULT_BUDGET_BYTES  # each run's timeline, from the next run on
        self._replay_rows = False  # the next frame brings the panels the whole history
        self.epochs_per_frame: int | None = None
        self._rates: deque[tuple[float, int]] = deque()
        self._run_said: list[str] = []  # what the training process said about this run
        self._closed = False
        self._worker = TrainingWorker(self)
        self._pace = DeliveryPace()
        self._delivery_timer = QTimer(self)
        self._delivery_timer.setSingleShot(True)
        self._delivery_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._delivery_timer.timeout.connect(self._on_messages)
        self._worker.sigMessages.connect(self._on_messages)
        self._worker.sigExited.connect(self._on_exited)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # --- what the status bar and exporters read ---------------------------------------------

    @property
    def spec(self):
        """NetworkSpec of the current run, or None."""
        return self.run_info.spec if self.run_info is not None else None

    @property
    def engine_name(self) -> str:
        return self.run_info.engine if self.run_info is not None else ""

    @property
    def device(self) -> str:
        return self.run_info.device if self.run_info is not None else ""

    @property
    def epoch(self) -> int:
        return self.latest.metrics.epoch if self.latest is not None else 0

    @property
    def progress(self) -> float | None:
        """Share of the epoch limit done (0 to 1), or None without a run."""
        if self.latest is None or self.design is None or self.design.training.epochs <= 0:
            return None
        return min(1.0, self.epoch / self.design.training.epochs)

    @property
    def steps_per_second(self) -> float:
        """Optimizer steps per second over the last second (0 unless running)."""
        if self.state != SessionState.RUNNING or len(self._rates) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._rates[0], self._rates[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def process(self):
        """The training process (multiprocessing.Process), or None before the first run."""
        return self._worker.process

    @property
    def relay_thread(self):
        """The QThread relaying the training process's messages, or None."""
        return self._worker.thread

    # --- what the window drives -------------------------------------------------------------

    def set_design(self, design: Design, *, restart: bool = False, base_dir=None) -> None:
        """New design: a new run when :func:`~nnviz.core.run.live.needs_new_run` says so
        (or ``restart``, for a new document), else its live settings apply from the next step.

        ``base_dir`` is the folder relative paths in the design (a CSV file) start from.
        While :meth:`hold_updates` holds them, live settings wait (for a fork, or the live
        run once released).
        """
        if self._closed:
            return
        if base_dir is not None:
            self.base_dir = base_dir
        new_run = needs_new_run(self.design, design)
        if new_run and not restart and self.run_info is not None:
            self.sigMessage.emit(f"{changed(self.design, design)} changed: training starts again.")
        self.design = design
        if restart or new_run or self.run_info is None or not self._worker.is_alive():
            self._held = None
            self._new_run()
        elif self._holding:
            self._held = design
            self.sigMessage.emit(
                "Looking back: the changed settings wait for Fork from Here, or apply to the "
                "live run when you go back to it."
            )
        else:
            self._send_update(design)

    def _send_update(self, design: Design) -> None:
        entry = self.run_entry(self.generation)
        if entry is not None:
            entry.design = design  # the settings this run now trains with
        self._worker.send(Update(design))

    def play(self) -> None:
        self._command(Play())

    def pause(self) -> None:
        if self._worker.is_alive():
            self._worker.send(Pause())

    def toggle_play(self) -> None:
        if self.state == SessionState.RUNNING:
            self.pause()
        else:
            self.play()

    def step_epoch(self) -> None:
        self._command(StepEpoch())

    def step_batch(self) -> None:
        self._command(StepBatch())

    def reset(self) -> None:
        if self._closed or self.design is None:
            return
        if not self._worker.is_alive():
            self._new_run()
            return
        self.generation = self._new_generation()
        self.sigRunRequested.emit(self.generation)
        self._worker.send(Reset(self.generation))

    def load_params(self, params, notice: str | None = None) -> None:
        """Put imported weights into the current run (shapes already checked); training
        goes on from them and the panels show them at once. ``notice`` replaces what the
        status bar then says."""
        if self._worker.is_alive() and self.run_info is not None:
            copies = [(w.copy(), b.copy()) for w, b in params]
            self._worker.send(LoadParams(copies) if notice is None else LoadParams(copies, notice))

    def set_speed(self, epochs_per_frame: int | None) -> None:
        """Epochs per frame; None means as fast as possible."""
        self.epochs_per_frame = epochs_per_frame
        if self._worker.is_alive():
            self._worker.send(SetSpeed(epochs_per_frame))

    @Slot()
    def shutdown(self) -> None:
        """End training and the training process (within a second)."""
        self._closed = True
        self._worker.stop()

    # --- internals ----------------------------------------------------------------------------

    def _command(self, command: Command) -> None:
        """Send ``command``, first restarting the run if the process is not there (a crash)."""
        if self._closed:
            return
        if self.design is None:
            self.sigMessage.emit("Nothing to train yet: build or open a design.")
            return
        if not self._worker.is_alive():
            self._new_run()
        self._worker.send(command)

    def _new_generation(self) -> int:
        self._generations = max(self._generations, self.generation) + 1
        return self._generations

    def _new_run(self) -> None:
        if self.design is None:
            return
        if not self._worker.is_alive():
            self._worker.start()
            self._worker.send(SetSpeed(self.epochs_per_frame))
        self.generation = self._new_generation()
        self.sigRunRequested.emit(self.generation)
        # The window has read big data before (never here: this may not wait for a file).
        # The training process opens the same cached copy, or gets small data itself; without
        # either it reads the data and says what is wrong.
        spec, base_dir = self.design.dataset, self.base_dir
        try:
            self._next_dataset = KEPT.get(spec, base_dir) if KEPT.is_ready(spec, base_dir) else None
        except DatasetError:
            self._next_dataset = None
        data = KEPT.entry(spec, base_dir) or self._next_dataset
        self._worker.send(
            NewRun(self.design, self.base_dir, self.generation, data, self.record_bytes)
        )

    @Slot()
    def _on_messages(self) -> None:
        """Deliver what the training process sent, no sooner than the frame pace allows
        (:class:`~nnviz.core.run.pacing.DeliveryPace`: it adapts to what frames cost)."""
        if self._delivery_timer.isActive():
            return
        start = time.monotonic()
        wait = self._pace.wait(start)
        if wait > 0:
            self._delivery_timer.start(max(1, round(wait * 1000)))
            return
        frames = 0
        for message in self._worker.take_messages():
            match message:
                case Frame():
                    frames += 1
                    self._on_frame(message)
                case RunStarted(info, pipeline):
                    self._on_run(info, pipeline)
                case PointsTaken(info, dataset):
                    self._on_points(info, dataset)
                case StateChanged(state):
                    self._on_state(state)
                case Notice(text):
                    self._run_said.append(text)
                    self.sigMessage.emit(text)
                case Failure(text):
                    self._run_said.append(text)
                    self._on_error(text)
                case CheckpointShown():
                    self._on_checkpoint(message)
                case RunRestored():
                    self._on_restored(message)
                case CheckpointsSent():
                    self._on_checkpoints(message)
        if frames:
            self._pace.delivered(start, time.thread_time())

    def _on_run(self, run_info, pipeline) -> None:
        if run_info.generation != self.generation:
            return
        self.run_info, self.pipeline, self.dataset = run_info, pipeline, self._next_dataset
        self.history = MetricsHistory()
        self.latest = None
        self._rates.clear()
        said, self._run_said = tuple(self._run_said), []
        if said:  # "finished 300 epochs" is no longer true of the run shown
            self.sigMessagesStale.emit(said)
        self._replay_rows = False
        self.runs = [SessionRun(run_info.generation, run_info, self.history, self.design)]
        self.sigRunStarted.emit(run_info)
        self.sigRunsChanged.emit()

    def _on_points(self, run_info, dataset) -> None:
        if run_info.generation != self.generation:
            return
        self.run_info, self.dataset = run_info, dataset
        self.sigDataChanged.emit(run_info)

    def _on_frame(self, frame) -> None:
        if frame.generation != self.generation:
            kept = self.run_entry(frame.generation)
            if kept is not None:  # the last rows of a run just left: they are its own
                kept.history.extend(frame.rows)
            return
        self.history.extend(frame.rows)
        if self._replay_rows:
            self._replay_rows = False
            frame = Frame(
                frame.generation, tuple(self.history), frame.snapshot, frame.views, frame.confusion
            )
        self.latest = frame.snapshot
        now = time.monotonic()
        self._rates.append((now, frame.snapshot.metrics.step))
        while len(self._rates) > 2 and now - self._rates[1][0] > RATE_WINDOW:
            self._rates.popleft()
        self.sigFrame.emit(frame)

    def _on_state(self, state: SessionState) -> None:
        if state != self.state:
            self.state = state
            self._rates.clear()
            self.sigStateChanged.emit(state)

    def _on_error(self, text: str) -> None:
        self.sigError.emit(text)
        self.sigMessage.emit(text)

    @Slot(object)
    def _on_exited(self, exitcode) -> None:
        if self._closed:
            return
        text = (
            f"The training process stopped unexpectedly (exit code {exitcode}); "
            "press Play or Reset to start again."
        )
        self._on_error(text)
        self._on_state(SessionState.ERROR)
