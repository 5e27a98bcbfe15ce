"""A window's run as a file and as an animation: File → Save Run…, opening a ``.nnvizrun``
(File → Open, drag and drop, ``nnviz RUN.nnvizrun``), Export → Animation…, and the memory
budget of the timeline (Train → Timeline Memory…, a preference kept in QSettings).

The checkpoints are the training process's: each of these asks the session for them first.
Reading and writing a run file runs in a worker thread (:class:`BackgroundTask`); drawing an
animation is widget work, so it runs in the GUI thread one frame per turn of the event loop,
with a progress dialog that can cancel it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog, QProgressDialog

from nnviz.core.data.dataset import DatasetError
from nnviz.core.files.animation import AnimationError, AnimationWriter
from nnviz.core.files.run_file import SUFFIX, RunFileError, RunRecord, load_run, save_run
from nnviz.core.nn.network import DesignMismatch
from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES
from nnviz.ui.document import csv_path_from, show_problems
from nnviz.ui.insight.background import BackgroundTask

RUN_FILTER = f"nnviz runs (*{SUFFIX})"
ANIMATION_FILTER = "Animated GIF (*.gif);;MP4 video (*.mp4)"
#: What Export → Animation can draw (the keys of nnviz.ui.animation.PANELS).
ANIMATION_PANELS = (
    ("Decision regions", "regions"),
    ("Weights", "weights"),
    ("Every panel", "window"),
)
ANIMATION_FPS = 12
BUDGET_KEY = "timeline/budgetMB"


def budget_bytes() -> int:
    """The timeline's memory budget per run, as the user set it (64 MB by default)."""
    megabytes = QSettings().value(BUDGET_KEY, DEFAULT_BUDGET_BYTES >> 20, type=int)
    return max(1, min(int(megabytes), 16_384)) << 20


class RunFiles(QObject):
    """Saving, opening and animating the runs of ``window``'s training session."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.training
        self.session.record_bytes = budget_bytes()
        self._wanted: dict[str, Path] = {}  # purpose -> file, while the checkpoints come
        self._task = BackgroundTask(self)
        self._task.setObjectName("runFile")
        self._task.sigDone.connect(self._on_task_done)
        self._task.sigFailed.connect(lambda text: self._problem("Cannot use the run", text))
        self.job = None  # the animation being drawn
        self.progress: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._draw_next)
        self.session.sigCheckpoints.connect(self._on_checkpoints)
        self._histograms_of: tuple[Path, RunRecord] | None = None  # a file being taken on
        self.session.sigRunStarted.connect(self._on_run_started)

    # --- saving -------------------------------------------------------------------------------

    def save_run(self, path=None) -> bool:
        """Ask where, then write the current run, its timeline included, as a run file."""
        if self.session.run_info is None:
            self._say("No run to save yet.")
            return False
        if path is None:
            start = Path.home() / f"{self.window.design.name or 'run'}{SUFFIX}"
            path, _ = QFileDialog.getSaveFileName(self.window, "Save run", str(start), RUN_FILTER)
            if not path:
                return False
        path = Path(path)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        self._wanted["save"] = path
        self._say(f"Saving the run to {path}…")
        self.session.request_checkpoints("save")
        return True

    def _save(self, path: Path, checkpoints) -> None:
        session = self.session
        design, history = session.design, tuple(session.history)
        names = session.run_info.layer_names

        def steps():
            yield 0.0
            try:
                save_run(path, design, history, checkpoints, names)
            except OSError as error:
                return ("unsaved", path, error.strerror or str(error))
            return ("saved", path, len(checkpoints))

        self._task.start(steps)

    # --- opening ------------------------------------------------------------------------------

    def open_run(self, path) -> None:
        """Read the run file at ``path`` (in a worker thread), then show it: its design as a
        new document and its whole timeline; a damaged file gets a message, nothing lost."""
        path = Path(path).absolute()
        self._say(f"Opening {path.name}…")

        def steps():
            yield 0.0
            try:
                return ("opened", path, load_run(path))
            except RunFileError as error:
                return ("unreadable", path, error)

        self._task.start(steps)

    def _adopt(self, path: Path, record: RunRecord) -> None:
        design = csv_path_from(record.design, path.parent)

        def adopt() -> None:  # once the document (and the run of its design) is there
            self._histograms_of = (path, record)
            self.session.adopt(record.history, record.checkpoints)
            last = record.checkpoints[-1]
            self._say(
                f"Opened the run {path.name}: {len(record.checkpoints)} checkpoints up to epoch "
                f"{last.epoch:,}; drag the timeline to look back."
            )

        self.window.open_document(design, then=adopt)

    def _on_run_started(self, _info) -> None:
        """Measure an opened file's histograms once the run has taken its timeline on: the
        histograms panel forgets a recorded run whenever a run is shown afresh, so measured
        sooner (the training process answering late, under load) they were lost."""
        if self._histograms_of is not None and not self.session.adopting:
            (path, record), self._histograms_of = self._histograms_of, None
            self.window.distributions.show_record(path.name, record, path.parent)

    # --- animation ----------------------------------------------------------------------------

    def export_animation(self, path=None, panel: str | None = None) -> bool:
        """Ask where and what to draw, then render the run's timeline as a GIF or MP4."""
        if self.session.run_info is None:
            self._say("No run to animate yet.")
            return False
        if self.job is not None:
            self._say("An animation is being rendered already.")
            return False
        if path is None:
            start = Path.home() / f"{self.window.design.name or 'run'}.gif"
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export animation", str(start), ANIMATION_FILTER
            )
            if not path:
                return False
        if panel is None:
            names = [name for name, _ in ANIMATION_PANELS]
            name, ok = QInputDialog.getItem(
                self.window, "Export animation", "Draw:", names, 0, False
            )
            if not ok:
                return False
            panel = dict(ANIMATION_PANELS)[name]
        path = Path(path)
        try:
            AnimationWriter(path, ANIMATION_FPS).discard()  # the format and library, at once
        except AnimationError as error:
            self._problem("Cannot export the animation", str(error))
            return False
        self._wanted["animate"] = path
        self._panel = panel
        self.session.request_checkpoints("animate")
        return True

    def _animate(self, path: Path, checkpoints) -> None:
        from nnviz.core.run.replay import replay
        from nnviz.ui.animation import AnimationJob

        session = self.session
        record = RunRecord(session.design, tuple(session.history), tuple(checkpoints))
        try:
            prepared = replay(record, base_dir=session.base_dir)
            job = AnimationJob(prepared, self._panel, AnimationWriter(path, ANIMATION_FPS))
        except (DatasetError, DesignMismatch, AnimationError, OSError) as error:
            self._problem("Cannot export the animation", str(error))
            return
        self.job, self._path = job, path
        progress = QProgressDialog("Rendering the animation…", "Cancel", 0, job.total, self.window)
        progress.setObjectName("animationProgress")
        progress.setWindowTitle("Export animation")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(self.cancel_animation)
        self.progress = progress
        progress.show()
        self._timer.start()

    def _draw_next(self) -> None:
        job = self.job
        if job is None:
            self._timer.stop()
            return
        try:
            more = job.step()
        except (OSError, AnimationError) as error:
            self._end_animation()
            job.cancel()
            self._problem("Cannot export the animation", str(error))
            return
        if self.progress is not None:
            self.progress.setValue(job.done)
        if not more:
            self._end_animation()
            self._say(f"Wrote {job.total} frames to {self._path}")

    def cancel_animation(self) -> None:
        job = self.job
        if job is None:
            return
        self._end_animation()
        job.cancel()
        self._say("Animation cancelled; nothing was written.")

    def _end_animation(self) -> None:
        self._timer.stop()
        self.job = None
        progress, self.progress = self.progress, None
        if progress is not None:
            progress.canceled.disconnect(self.cancel_animation)
            progress.close()
            progress.deleteLater()

    # --- the budget ---------------------------------------------------------------------------

    def ask_budget(self) -> None:
        """Train → Timeline Memory…: the budget of each run's checkpoints, from the next run."""
        current = self.session.record_bytes >> 20
        megabytes, ok = QInputDialog.getInt(
            self.window,
            "Timeline memory",
            "Memory for each run's checkpoints (MB); from the next run or reset on:",
            current,
            1,
            16_384,
        )
        if ok:
            self.set_budget(megabytes)

    def set_budget(self, megabytes: int) -> None:
        QSettings().setValue(BUDGET_KEY, int(megabytes))
        self.session.record_bytes = budget_bytes()
        self._say(f"Each run keeps its checkpoints within {megabytes:,} MB from the next run.")

    # --- shared -------------------------------------------------------------------------------

    def _on_checkpoints(self, purpose: str, checkpoints) -> None:
        path = self._wanted.pop(purpose, None)
        if path is None:
            return
        if purpose == "save":
            self._save(path, checkpoints)
        else:
            self._animate(path, checkpoints)

    def _on_task_done(self, result) -> None:
        kind, path, value = result
        if kind == "saved":
            self._say(f"Saved the run to {path} ({value} checkpoints).")
        elif kind == "opened":
            self._adopt(path, value)
        elif kind == "unsaved":
            self._problem("Cannot save the run", f"{path} cannot be written: {value}")
        else:
            show_problems(
                self.window,
                "loadErrorDialog",
                "Cannot open the run",
                f"{path.name} cannot be opened:",
                [str(value)],
            )
            self._say(f"{path.name} cannot be opened.")

    def _problem(self, title: str, text: str) -> None:
        show_problems(self.window, "runFileErrorDialog", title, f"{title}:", [text])

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def shutdown(self) -> None:
        """The window closes: stop drawing, let a save finish its file, end the worker."""
        self.cancel_animation()
        self._task.shutdown()
