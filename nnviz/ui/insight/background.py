"""Long computations off the GUI thread: a generator of progress run in a worker thread.

As superqt's ``thread_worker``: :meth:`BackgroundTask.start` runs a generator (from
:mod:`nnviz.core.insight`) in a Python thread; each yield is a share of the work done, relayed
as ``sigProgress`` (:meth:`BackgroundTask.start_call` runs a function that reports its
progress by a callback instead, as a file reader does), and its return value arrives as
``sigDone``, both in the GUI thread: the worker puts its messages in a thread-safe queue
that a timer in the GUI thread empties while a task runs. (Emitted as a signal from the plain
Python thread, a result now and then never reached the GUI thread in the tests; the cause was
not pinned down, the queue has no such gap.) Starting again or :meth:`cancel` sets a flag the
worker checks between yields (or progress calls), and a token tells a late result of an old
task from the current one's (napari's generation counter), so a stale result is dropped.
:meth:`shutdown` cancels and waits, for the window to call when it closes.

The worker gives the GIL away after every yield (``time.sleep(0)``), so the window keeps
answering while a landscape is computed (docs/architecture.md has the measurements of a
training thread that did not).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, QTimer, Signal, Slot

#: Seconds a closing window waits for a worker to notice it was cancelled.
JOIN_TIMEOUT = 1.0
#: Progress is relayed at most this often (seconds).
PROGRESS_INTERVAL = 0.05
#: How often the GUI thread looks for the worker's messages while a task runs (ms).
POLL_MS = 15


class BackgroundTask(QObject):
    """One computation at a time; starting a new one cancels the one running."""

    sigProgress = Signal(float)  # share done, 0 to 1
    sigDone = Signal(object)  # the generator's return value
    sigFailed = Signal(str)  # a sentence saying what went wrong

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._token = 0
        self._thread: threading.Thread | None = None
        self._cancelled = threading.Event()
        self._closed = False
        self._running = False  # started, and neither finished, failed nor cancelled
        self._messages: queue.SimpleQueue = queue.SimpleQueue()  # (token, kind, payload)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._deliver)

    @property
    def busy(self) -> bool:
        """Whether a computation is running (and not cancelled)."""
        return self._running

    def start(self, make_steps: Callable[[], Generator]) -> None:
        """Cancel what runs and run ``make_steps()`` in a new worker thread."""
        self._launch(self._steps, make_steps)

    def start_call(self, work: Callable[[Callable[[float], None]], object]) -> None:
        """Cancel what runs and run ``work(progress)`` in a new worker thread, for work that
        reports progress by a callback (reading a file): ``progress(share)`` is relayed as
        ``sigProgress`` and, once the task is cancelled, raises :class:`Cancelled` in it."""
        self._launch(self._call, work)

    def _launch(self, run, work) -> None:
        if self._closed:
            return
        self.cancel()
        self._token += 1
        self._cancelled = threading.Event()
        self._thread = threading.Thread(
            target=self._work,
            args=(self._token, run, work, self._cancelled),
            name=f"nnviz-{self.objectName() or 'task'}",
        )
        self._running = True
        self._thread.start()
        self._poll.start()

    def cancel(self) -> None:
        """Stop at the next yield; its result, if any still comes, is dropped."""
        self._cancelled.set()
        self._token += 1
        self._running = False

    @Slot()
    def shutdown(self) -> None:
        """Cancel and wait for the worker (the window is closing)."""
        self._closed = True
        self.cancel()
        self._poll.stop()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)

    def _work(self, token: int, run, work, cancelled: threading.Event) -> None:
        """In the worker thread: run the work, relay progress now and then, then the result."""
        last = 0.0

        def progress(share: float) -> None:
            nonlocal last
            if cancelled.is_set():
                raise Cancelled()
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                self._messages.put((token, "progress", float(share)))
            time.sleep(0)

        try:
            result = run(work, progress)
        except Cancelled:
            return
        except Exception as error:  # reported in the window, never a traceback
            if not cancelled.is_set():
                self._messages.put((token, "failed", _describe(error)))
            return
        if not cancelled.is_set():
            self._messages.put((token, "done", result))

    @staticmethod
    def _steps(make_steps, progress):
        """A generator's yields are its progress; its return value the result."""
        steps = make_steps()
        while True:
            try:
                share = next(steps)
            except StopIteration as done:
                return done.value
            try:
                progress(share)
            except Cancelled:
                steps.close()
                raise

    @staticmethod
    def _call(work, progress):
        return work(progress)

    @Slot()
    def _deliver(self) -> None:
        """In the GUI thread: pass on the worker's messages; stop looking once it has ended."""
        thread = self._thread
        ended = thread is None or not thread.is_alive()
        while True:
            try:
                token, kind, payload = self._messages.get_nowait()
            except queue.Empty:
                break
            if token != self._token or self._closed:
                continue  # a task that was cancelled or replaced
            if kind == "progress":
                self.sigProgress.emit(payload)
            elif kind == "done":
                self._running = False
                self.sigDone.emit(payload)
            else:
                self._running = False
                self.sigFailed.emit(payload)
        if ended and self._thread is thread:  # a slot may have started the next task
            self._poll.stop()


class Cancelled(Exception):
    """Raised by the progress callback of a task that was cancelled, to stop its work."""


def _describe(error: Exception) -> str:
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return text or type(error).__name__
