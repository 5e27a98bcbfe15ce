"""A sweep run from the window: worker processes driven from a thread, trials relayed as they
change.

:func:`nnviz.core.sweep.study.run_sweep` starts the worker processes and waits for them; it
runs here in a Python thread (it mostly sleeps in ``join``), never in the GUI thread. Every
half second the thread reads the study's trials from the storage and queues those whose state
or value changed; a timer in the GUI thread empties the queue and emits them, as
:class:`~nnviz.ui.insight.background.BackgroundTask` does. :meth:`SweepRunner.stop` sets the
workers' stop event: they end between two batches, and run_sweep terminates any still alive
half a second later.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from nnviz.core.sweep.plan import SweepError, SweepPlan
from nnviz.core.sweep.storage import open_study, trial_results
from nnviz.core.sweep.study import run_sweep

#: How often the thread reads the study's trials (seconds).
READ_INTERVAL = 0.5
#: How often the GUI thread looks for what the thread found (ms).
POLL_MS = 50
#: How long workers get to stop by themselves before they are terminated (seconds).
STOP_GRACE = 0.5
#: How long a closing window waits for the sweep's thread (seconds).
JOIN_TIMEOUT = 2.0


class SweepRunner(QObject):
    """One sweep at a time: ``sigTrials`` with the trials that changed, then ``sigFinished``
    with "" or a sentence saying why the sweep could not run."""

    sigTrials = Signal(list)  # TrialResult, those new or changed since the last
    sigFinished = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._stop = None
        self._workers: list = []  # the worker processes, once the thread has started them
        self._messages: queue.SimpleQueue = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._deliver)

    @property
    def busy(self) -> bool:
        """Whether a sweep is running (or stopping)."""
        return self._thread is not None

    def start(self, plan: SweepPlan, trials: int, jobs: int) -> None:
        """Run ``trials`` trials of ``plan`` in ``jobs`` worker processes."""
        if self.busy:
            raise RuntimeError("a sweep is already running")
        self._stop = multiprocessing.get_context("spawn").Event()
        self._workers = []
        self._thread = threading.Thread(
            target=_work,
            args=(plan, trials, jobs, self._stop, self._messages, self._set_workers),
            name="nnviz-sweep",
            daemon=True,
        )
        self._thread.start()
        self._timer.start()

    def stop(self) -> None:
        """Ask the workers to stop; ``sigFinished`` follows once they have."""
        if self._stop is not None:
            self._stop.set()

    def _set_workers(self, workers: list) -> None:
        self._workers = workers  # in the sweep's thread; read by shutdown

    @Slot()
    def shutdown(self) -> None:
        """Stop and wait for the workers (the window is closing); a worker the sweep's thread
        has not ended by then (a busy machine) is terminated here."""
        self.stop()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)
        for process in self._workers:
            if process.is_alive():
                process.terminate()
                process.join(JOIN_TIMEOUT)
        self._timer.stop()
        self._thread = None

    @Slot()
    def _deliver(self) -> None:
        while True:
            try:
                kind, payload = self._messages.get_nowait()
            except queue.Empty:
                return
            if kind == "trials":
                self.sigTrials.emit(payload)
            else:
                self._timer.stop()
                self._thread = None
                self._stop = None
                self.sigFinished.emit(payload)
                return


def _work(plan: SweepPlan, trials: int, jobs: int, stop, messages: queue.SimpleQueue,
          started) -> None:  # fmt: skip
    """In the sweep's thread: run the sweep, and say what changed in its study."""
    seen: dict[int, tuple] = {}
    study = None
    last = [0.0]

    def report(force: bool = False) -> None:
        now = time.monotonic()
        if study is None or (not force and now - last[0] < READ_INTERVAL):
            return
        last[0] = now
        changed = []
        for result in trial_results(study):
            key = (result.state, result.value, tuple(sorted(result.attrs.items())))
            if seen.get(result.number) != key:
                seen[result.number] = key
                changed.append(result)
        if changed:
            messages.put(("trials", changed))

    try:
        study = open_study(plan)
        report(force=True)
        run_sweep(
            plan, trials, jobs, stop=stop, poll=report, join_timeout=STOP_GRACE, started=started
        )
        report(force=True)
    except SweepError as error:
        messages.put(("finished", str(error)))
        return
    except Exception as error:  # the storage or a worker failed: said in the dialog
        text = str(error).strip().splitlines()
        messages.put(("finished", text[0] if text else type(error).__name__))
        return
    messages.put(("finished", ""))
