"""The training process and the thread that relays its messages to the window as signals.

Training runs in a child process (a thread would share the GIL with the window; the measurements
are in docs/architecture.md): :func:`nnviz.core.run.service.process_main` in a ``spawn`` child
at a lower priority. A relay object in a :class:`QThread` reads the child's pipe and hands the
messages of :mod:`nnviz.core.run.protocol` to the GUI thread; commands go the other way through
a second pipe. The child never waits for the window: when the GUI thread falls behind, the relay
merges consecutive frames of a run into one (:func:`~nnviz.core.run.pacing.merge_frames`), so
the window always draws the newest state and never works through a backlog.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from contextlib import contextmanager, suppress
from dataclasses import replace

from PySide6.QtCore import QObject, QThread, Signal, Slot
from threadpoolctl import threadpool_limits

from nnviz.core.run.frames import Frame
from nnviz.core.run.pacing import merge_frames
from nnviz.core.run.protocol import Command, Message, Stop
from nnviz.core.run.service import process_main

#: How often the relay looks up from the pipe to see whether it should end, in seconds.
POLL_INTERVAL = 0.05
#: How long the child has to end after the stop command before it is terminated.
STOP_TIMEOUT = 0.4


#: Thread-count settings of the math libraries (OpenBLAS, OpenMP, MKL; torch uses OpenMP's).
MATH_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def single_threaded_math():
    """Let a child started inside this block use one math thread, unless the user chose.

    The training process shares the machine with the window: with two BLAS threads each, on
    two cores, the threads spin waiting for each other and a 40,000-point forward pass takes
    14 times longer (5 ms instead of 0.36 ms, measured here). The variables must be set before
    the child imports NumPy, hence in the environment it inherits.
    """
    added = [name for name in MATH_THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            del os.environ[name]


def leave_a_core_to_training() -> None:
    """Let the window's own math (the hidden space, a loss landscape) use every core but one.

    NumPy's OpenBLAS starts a thread per core in the window's process too, and after each call
    its threads spin waiting for more: on two cores, with the hidden space mapped live at
    MNIST's size, the spinning thread took 0.6 of a core and training got 0.55 instead of 0.84
    (``benchmarks/bench_gui.py --mnist``). The variables of :func:`single_threaded_math` come
    too late here (NumPy is loaded), so the limit is set in the library (threadpoolctl).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threadpool_limits(max(1, (cores or 1) - 1), user_api="blas")


class MessageBox:
    """Messages waiting for the GUI thread, in order, with consecutive frames merged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: deque[Message] = deque()
        self._inputs: tuple[int, object] | None = None  # (generation, its input pictures)

    def put(self, message: Message) -> bool:
        """Queue ``message``; True if the box was empty (the GUI thread must be told)."""
        with self._lock:
            if isinstance(message, Frame):
                message = self._with_inputs(message)
            last = self._items[-1] if self._items else None
            if (
                isinstance(message, Frame)
                and isinstance(last, Frame)
                and last.generation == message.generation
            ):
                self._items[-1] = merge_frames(last, message)
                return False
            self._items.append(message)
            return len(self._items) == 1

    def _with_inputs(self, frame: Frame) -> Frame:
        """The frame with its run's input pictures, which only its first views carry."""
        views = frame.views
        if views is None:
            return frame
        if views.inputs is not None:
            self._inputs = (frame.generation, views.inputs)
            return frame
        if self._inputs is None or self._inputs[0] != frame.generation:
            return frame
        return replace(frame, views=replace(views, inputs=self._inputs[1]))

    def take_all(self) -> list[Message]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            return items


class _Relay(QObject):
    """Reads the child's pipe in its own thread until the child ends or it is told to stop."""

    sigReady = Signal()  # the box went from empty to not empty
    sigEnded = Signal(int)  # the child's end of the pipe closed (it exited or crashed): its pid

    def __init__(self, connection, box: MessageBox, pid: int) -> None:
        super().__init__()  # no parent: it is moved to a QThread
        self._connection = connection
        self._pid = pid
        self._box = box
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @Slot()
    def run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._connection.poll(POLL_INTERVAL):
                    continue
                if self._box.put(self._connection.recv()):
                    self.sigReady.emit()
        except (EOFError, OSError):
            self.sigEnded.emit(self._pid)
        finally:
            self.thread().quit()


class TrainingWorker(QObject):
    """One long-lived training process and its relay thread, started on first use.

    ``sigMessages`` tells the GUI thread that :meth:`take_messages` has something;
    ``sigExited(exitcode)`` that the process ended without being asked to (a crash).
    """

    sigMessages = Signal()
    sigExited = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._box = MessageBox()
        self._process = None
        self._commands = None
        self._messages = None
        self._thread: QThread | None = None
        self._relay: _Relay | None = None

    @property
    def process(self):
        """The child process (a ``multiprocessing.Process``), or None."""
        return self._process

    @property
    def thread(self) -> QThread | None:
        return self._thread

    def is_alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def send(self, command: Command) -> None:
        """Send a command, starting the process first if it is not running."""
        if not self.is_alive():
            self.start()
        try:
            self._commands.send(command)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self._on_relay_ended(self._process.pid)

    def take_messages(self) -> list[Message]:
        return self._box.take_all()

    def start(self) -> None:
        self.stop()
        context = multiprocessing.get_context("spawn")
        command_out, command_in = context.Pipe(duplex=False)
        message_out, message_in = context.Pipe(duplex=False)
        process = context.Process(
            target=process_main, args=(command_out, message_in), name="nnviz-training", daemon=True
        )
        with single_threaded_math():
            process.start()
        leave_a_core_to_training()
        command_out.close()  # the child's ends: closing ours lets a crash show as end of file
        message_in.close()
        self._process, self._commands, self._messages = process, command_in, message_out
        self._box.take_all()

        thread = QThread()
        thread.setObjectName("nnviz-relay")
        relay = _Relay(message_out, self._box, process.pid)
        relay.moveToThread(thread)
        thread.started.connect(relay.run)
        relay.sigReady.connect(self.sigMessages)
        relay.sigEnded.connect(self._on_relay_ended)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._relay = thread, relay
        thread.start()

    def stop(self) -> None:
        """End the process (stop command, join, terminate) and the relay thread; idempotent."""
        process, thread, relay = self._process, self._thread, self._relay
        self._process = None
        if process is not None:
            with suppress(BrokenPipeError, ConnectionResetError, OSError):
                self._commands.send(Stop())
            process.join(STOP_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join(STOP_TIMEOUT)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
        if relay is not None:
            relay.stop()
        if thread is not None:
            thread.wait()
        self._on_thread_finished()
        for connection in (self._commands, self._messages):
            if connection is not None:
                connection.close()
        self._commands = self._messages = None

    @Slot(int)
    def _on_relay_ended(self, pid: int) -> None:
        """The child ended by itself: reap it and report its exit code."""
        process = self._process
        if process is None or process.pid != pid:
            return  # a process this worker already stopped
        process.join(STOP_TIMEOUT)
        exitcode = process.exitcode
        self.stop()
        self.sigExited.emit(exitcode)

    @Slot()
    def _on_thread_finished(self) -> None:
        """Drop the relay thread and object once the thread has ended (never while running)."""
        thread = self._thread
        if thread is None or thread.isRunning():
            return
        self._thread = self._relay = None
