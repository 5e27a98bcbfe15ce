"""Keeps every run the window trains: a :class:`RunEntry` from its first step on, in the Runs panel.

A run starts (a new design, Reset) and is kept once it has taken a step: a design only looked at
is not a run. Its entry follows it about once a second, from the session's history (the figures
and the curves) and the regions panel (the picture at the end); it is written to the database
when training pauses or ends, when another run replaces it, when the window closes, and every
:data:`SAVE_INTERVAL` seconds in between, so a crash loses little.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer

from nnviz.core.run.live import needs_new_run
from nnviz.core.run.protocol import SessionState
from nnviz.core.run.snapshot import Status
from nnviz.core.runs import WINDOW, RunEntry, summarise, thin_history
from nnviz.core.runs.entry import HISTORY_COLUMNS

#: Milliseconds between refreshes of the current run's row while it trains.
REFRESH_MS = 1000
#: Seconds between writes of a run that trains on.
SAVE_INTERVAL = 10.0
#: The status a run gets from the window's state while its trainer says it goes on.
_SESSION_STATUS = {
    SessionState.RUNNING: "running",
    SessionState.DIVERGED: "diverged",
    SessionState.ERROR: "error",
}


class RunRecorder(QObject):
    """Follows ``session`` and keeps each of its runs in ``panel``.

    The picture of the decision regions is taken as ``regions`` (the regions panel) shows
    it. The run's own history, latest snapshot and design are kept here: when a new run
    replaces it, the session already holds the new run's.
    """

    def __init__(self, session, panel, regions) -> None:
        super().__init__(panel)
        self.session, self.panel, self.regions = session, panel, regions
        self.entry: RunEntry | None = None  # the current run's, once it has trained
        self._info = None  # RunInfo of the current run
        self._history = None  # its MetricsHistory
        self._latest = None  # its latest Snapshot
        self._design = None  # its design (live changes included)
        self._origin = (WINDOW, "")  # source and label of the next run
        self._seconds = 0.0  # training time of the current run before _since
        self._since: float | None = None  # when it last started running
        self._saved_at = 0.0
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        session.sigRunStarted.connect(self._on_run_started)
        session.sigFrame.connect(self._on_frame)
        session.sigStateChanged.connect(self._on_state)
        panel.sigDeleted.connect(self._on_deleted)

    def next_run_from(self, source: str, label: str) -> None:
        """Say where the next run the session starts comes from (a fork: ``FORK``,
        ``"fork of run 3 at epoch 40"``); later runs are the window's again."""
        self._origin = (source, label)

    def close(self) -> None:
        """The window closes: the current run is written as it ended; later messages of
        the training process (it stops after the window) are not recorded."""
        self.finish()
        self._closed = True

    def finish(self) -> None:
        """The current run is over (replaced, or the window closes): write it as it ended."""
        self._timer.stop()
        if self.entry is not None:
            self._refresh(save=True, ended=True)
        self.entry = None
        self.panel.set_current(None)

    # --- the session's signals ----------------------------------------------------------------

    def _on_run_started(self, info) -> None:
        if self._closed:
            return
        self.finish()
        self._info, self._history = info, self.session.history
        self._design, self._latest = self.session.design, None
        self._seconds = 0.0
        self._since = time.monotonic() if self.session.state == SessionState.RUNNING else None

    def _on_frame(self, frame) -> None:
        if self._closed or self._info is None or frame.generation != self._info.generation:
            return
        self._latest = frame.snapshot
        design = self.session.design
        if design is not self._design and not needs_new_run(self._design, design):
            self._design = design  # a live change (learning rate, ...)
        if self.entry is None:
            if frame.snapshot.metrics.step == 0:
                return  # not trained yet
            source, label = self._origin
            self._origin = (WINDOW, "")
            first = RunEntry(
                design=self._design, source=source, label=label,
                task=self._info.spec.task,
            )  # fmt: skip
            self.entry = self.panel.add_run(first)
            self.panel.set_current(self.entry.id)
            self._refresh(save=True)
        if not self._timer.isActive():
            self._timer.start()

    def _on_state(self, state) -> None:
        if self._closed:
            return
        now = time.monotonic()
        if self._since is not None:
            self._seconds += now - self._since
        self._since = now if state == SessionState.RUNNING else None
        if self.entry is not None:
            self._refresh(save=True)

    def _on_deleted(self, ids) -> None:
        if self.entry is not None and self.entry.id in ids:
            self._timer.stop()
            self.entry = None  # deleted by the user: this run is no longer kept

    # --- the entry ----------------------------------------------------------------------------

    def _refresh(self, save: bool = False, ended: bool = False) -> None:
        """The entry as the run is now; written if ``save`` or it is time to."""
        if self.entry is None:
            return
        table = self._history.columns(*HISTORY_COLUMNS)
        final, best = summarise(table, self.entry.task)
        regions, extent, curve = self._regions_picture()
        seconds = self._seconds
        if self._since is not None:
            seconds += time.monotonic() - self._since
        self.entry = replace(
            self.entry,
            design=self._design,
            status=self._status(ended),
            message=self._latest.message if self._latest is not None else "",
            epochs=self._latest.metrics.epoch if self._latest is not None else 0,
            seconds=seconds,
            final=final,
            best=best,
            history=thin_history(table),
            regions=regions if regions is not None else self.entry.regions,
            extent=extent if extent is not None else self.entry.extent,
            curve=curve if curve is not None else self.entry.curve,
        )
        now = time.monotonic()
        save = save or now - self._saved_at >= SAVE_INTERVAL
        if save:
            self._saved_at = now
        self.panel.update_run(self.entry, save=save)
        if self.session.state != SessionState.RUNNING:
            self._timer.stop()

    def _regions_picture(self):
        """The regions panel's picture, if it shows this run (Nones otherwise)."""
        shown = self.regions.run_info
        if shown is None or shown.generation != self._info.generation:
            return None, None, None
        return self.regions.output_picture()

    def _status(self, ended: bool) -> str:
        latest = self._latest
        status = latest.status if latest is not None else Status.RUNNING
        if status != Status.RUNNING:
            return str(status)
        if ended:
            return "stopped"
        return _SESSION_STATUS.get(self.session.state, "paused")
