"""Long computations off the GUI thread: a generator of progress run in a worker thread.

As superqt's ``thread_worker``: :meth:`BackgroundTask.start` runs a generator (from
:mod:`nnviz.core.insight`) in a Python thread; each yield is a share of the work done, relayed
as ``sigProgress``, and its return value arrives as ``sigDone``, both in the GUI thread (the
signals are queued across threads). Starting again or :meth:`cancel` sets a flag the worker
checks between yields, and a token tells a late result of an old task from the current one's
(napari's generation counter), so a stale result is dropped. :meth:`shutdown` cancels and
waits, for the window to call when it closes.

The worker gives the GIL away after every yield (``time.sleep(0)``), so the window keeps
answering while a landscape is computed (docs/architecture.md has the measurements of a
training thread that did not).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, Signal, Slot

#: Seconds a closing window waits for a worker to notice it was cancelled.
JOIN_TIMEOUT = 1.0
#: Progress is relayed at most this often (seconds).
PROGRESS_INTERVAL = 0.05


class BackgroundTask(QObject):
    """One computation at a time; starting a new one cancels the one running."""

    sigProgress = Signal(float)  # share done, 0 to 1
    sigDone = Signal(object)  # the generator's return value
    sigFailed = Signal(str)  # a sentence saying what went wrong
    _sigRelay = Signal(int, str, object)  # token, kind, payload: from the worker thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._token = 0
        self._thread: threading.Thread | None = None
        self._cancelled = threading.Event()
        self._closed = False
        self._sigRelay.connect(self._on_relay)

    @property
    def busy(self) -> bool:
        """Whether a computation is running (and not cancelled)."""
        return self._thread is not None and self._thread.is_alive() and not self._cancelled.is_set()

    def start(self, make_steps: Callable[[], Generator]) -> None:
        """Cancel what runs and run ``make_steps()`` in a new worker thread."""
        if self._closed:
            return
        self.cancel()
        self._token += 1
        self._cancelled = threading.Event()
        self._thread = threading.Thread(
            target=self._work,
            args=(self._token, make_steps, self._cancelled),
            name=f"nnviz-{self.objectName() or 'task'}",
        )
        self._thread.start()

    def cancel(self) -> None:
        """Stop at the next yield; its result, if any still comes, is dropped."""
        self._cancelled.set()
        self._token += 1

    @Slot()
    def shutdown(self) -> None:
        """Cancel and wait for the worker (the window is closing)."""
        self._closed = True
        self.cancel()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)

    def _work(self, token: int, make_steps, cancelled: threading.Event) -> None:
        """In the worker thread: run the steps, relay progress now and then, then the result."""
        last = 0.0
        try:
            steps = make_steps()
            while True:
                try:
                    share = next(steps)
                except StopIteration as done:
                    result = done.value
                    break
                if cancelled.is_set():
                    steps.close()
                    return
                now = time.monotonic()
                if now - last >= PROGRESS_INTERVAL:
                    last = now
                    self._sigRelay.emit(token, "progress", float(share))
                time.sleep(0)
        except Exception as error:  # reported in the window, never a traceback
            if not cancelled.is_set():
                self._sigRelay.emit(token, "failed", _describe(error))
            return
        if not cancelled.is_set():
            self._sigRelay.emit(token, "done", result)

    @Slot(int, str, object)
    def _on_relay(self, token: int, kind: str, payload) -> None:
        if token != self._token or self._closed:
            return  # a task that was cancelled or replaced
        if kind == "progress":
            self.sigProgress.emit(payload)
        elif kind == "done":
            self.sigDone.emit(payload)
        else:
            self.sigFailed.emit(payload)


def _describe(error: Exception) -> str:
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return text or type(error).__name__
