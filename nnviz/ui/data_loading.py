"""Big data read off the GUI thread, with progress and Cancel, before a design that uses it
becomes current.

A design whose data must first be parsed from a file (a large CSV, an IDX folder, an .npz)
waits: :meth:`DataLoader.when_ready` reads it in a worker thread
(:class:`~nnviz.ui.insight.background.BackgroundTask`) through the window's kept data
(:data:`~nnviz.core.data.kept.KEPT`), shows a progress dialog with Cancel over the window
meanwhile (window-modal, so no edit is made to a design about to be replaced), and carries on
once the data is in memory. Cancel leaves everything as it was: the design only changes after
the data has been read. Small files (under ``SMALL_BYTES``) and data already read or cached are
ready at once: no dialog flashes for a few milliseconds' work.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from nnviz.core.data import cache
from nnviz.core.data.kept import KEPT, KeptData
from nnviz.core.design import DatasetSpec
from nnviz.ui.insight.background import BackgroundTask

#: Files smaller than this are read in the GUI thread (tens of milliseconds at most).
SMALL_BYTES = 2_000_000
#: The progress bar's steps (it shows whole per cents).
STEPS = 1000


class DataLoader(QObject):
    """Reads one data set at a time in the background for ``window``; see the module."""

    sigCancelled = Signal(str)  # a sentence for the status bar

    def __init__(self, window: QWidget, kept: KeptData = KEPT) -> None:
        super().__init__(window)
        self.setObjectName("dataLoader")
        self.kept = kept
        self._window = window
        self._then: Callable[[], None] | None = None
        self._task = BackgroundTask(self)
        self._task.setObjectName("dataLoad")
        self._task.sigProgress.connect(self._on_progress)
        self._task.sigDone.connect(self._on_done)
        self._task.sigFailed.connect(self._on_done)  # the kept data says why, when asked
        self.dialog: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        return self._task.busy

    def is_ready(self, spec: DatasetSpec, base_dir=None) -> bool:
        """Whether the data of ``spec`` can be had now without a wait worth showing."""
        if self.kept.is_ready(spec, base_dir):
            return True
        files = cache.source_files(spec, base_dir) or []
        return sum(_size(path) for path in files) < SMALL_BYTES

    def when_ready(self, spec: DatasetSpec, base_dir, then: Callable[[], None]) -> None:
        """Call ``then()`` once the data of ``spec`` is in memory (or known to be unreadable):
        at once if it is ready, else after a background read, never if cancelled."""
        if self.is_ready(spec, base_dir):
            then()
            return
        self._start(_name(spec.path), lambda progress: self.kept.get(spec, base_dir, progress))
        self._then = then

    def when_inspected(self, path: str, then: Callable[[], None]) -> None:
        """Call ``then()`` once the CSV file at ``path`` (absolute) is parsed and summarised
        (the Data tab's columns), as :meth:`when_ready`."""
        if _size(Path(path)) < SMALL_BYTES:
            then()
            return
        self._start(_name(path), lambda progress: self.kept.summary(path, None, progress))
        self._then = then

    def cancel(self) -> None:
        """Stop reading; nothing changes (the design stays as it was)."""
        if self._then is None:
            return
        self._then = None
        self._task.cancel()
        self._close_dialog()
        self.sigCancelled.emit("Reading the data was cancelled: the design is as it was.")

    def shutdown(self) -> None:
        """Stop reading and wait for the worker (the window is closing)."""
        self._then = None
        self._close_dialog()
        self._task.shutdown()

    def _start(self, what: str, work) -> None:
        self._task.start_call(work)
        dialog = self.dialog
        if dialog is None:
            dialog = QProgressDialog(self._window)
            dialog.setObjectName("dataLoadDialog")
            dialog.setWindowTitle("Reading data")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setRange(0, STEPS)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumWidth(360)
            dialog.canceled.connect(self.cancel)
            self.dialog = dialog
        dialog.setLabelText(f"Reading {what}…")
        dialog.setValue(0)
        dialog.show()

    def _on_progress(self, share: float) -> None:
        if self.dialog is not None:
            self.dialog.setValue(round(min(max(share, 0.0), 1.0) * STEPS))

    def _on_done(self, _result) -> None:
        then, self._then = self._then, None
        self._close_dialog()
        if then is not None:
            then()

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.blockSignals(True)  # closing is not cancelling
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.blockSignals(False)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _name(path) -> str:
    return Path(path or "").name or "the data"
