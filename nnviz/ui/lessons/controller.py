"""A lesson in the window: loads its design, locks what it does not allow, asks the prediction
before Play, checks the goal as frames arrive, and remembers what is done.

The locks are one rule (:func:`nnviz.core.lessons.refusal`) the document applies to every
edit, whichever widget proposes it; the settings hide the rows of locked fields and the layer
inspector greys their controls, so a learner sees only what the lesson is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from nnviz.core.lessons import (
    Lesson,
    LessonFileError,
    bundled_lessons,
    is_allowed,
    load_lesson,
    refusal,
)
from nnviz.core.run.snapshot import Status
from nnviz.ui.document import show_problems
from nnviz.ui.lessons.panel import LessonView

DONE_KEY = "lessons/done"
LESSON_FILTER = "nnviz lessons (*.json);;All files (*)"


@dataclass
class Attempt:
    """Where the learner is in the open lesson."""

    lesson: Lesson
    index: int | None  # on the bundled path, or None for a lesson opened from a file
    answer: int | None = None
    revealed: bool = False
    met_at: int | None = None
    hints: int = 0
    step_through_due: bool = False


class LessonController(QObject):
    """The Lessons panel's logic for one window (see the module's docstring)."""

    def __init__(self, window, view: LessonView, dock) -> None:
        super().__init__(window)
        self.window = window
        self.view = view
        self.dock = dock
        self.entries: list[tuple[Path, Lesson | None, str]] = []
        for path in bundled_lessons():
            try:
                self.entries.append((path, load_lesson(path), ""))
            except LessonFileError as error:  # shown greyed, with the problem as tooltip
                self.entries.append((path, None, "; ".join(error.problems)))
        self.attempt: Attempt | None = None
        view.sigStart.connect(self.start)
        view.sigOpenFile.connect(self.open_dialog)
        view.sigAnswer.connect(self.answer)
        view.sigHint.connect(self.hint)
        view.sigRestart.connect(self.restart)
        view.sigLeave.connect(self.leave)
        view.sigNext.connect(self.next)
        window.document.sigChanged.connect(self._on_design_changed)
        window.training.sigFrame.connect(self._on_frame)
        self.show_path()

    # --- progress -------------------------------------------------------------------------------

    def done(self) -> set[str]:
        """The ids of the lessons the learner has met the goal of, remembered between launches."""
        return {str(i) for i in QSettings().value(DONE_KEY, [], type=list)}

    def _mark_done(self, lesson: Lesson) -> None:
        QSettings().setValue(DONE_KEY, sorted(self.done() | {lesson.id}))

    def show_path(self) -> None:
        done = self.done()
        entries = [
            (lesson.title if lesson else path.stem, problem, bool(lesson) and lesson.id in done)
            for path, lesson, problem in self.entries
        ]
        first_open = next((i for i, (_t, p, d) in enumerate(entries) if not d and not p), 0)
        self.view.show_path(entries, first_open)

    def show_panel(self) -> None:
        """Help → Lessons: the panel in front, on the path unless a lesson is open."""
        self._show_dock()
        if self.attempt is None:
            self.show_path()

    def _show_dock(self) -> None:
        """The dock in sight, with room to read: about half the window's height at first."""
        if not self.dock.isVisible():
            self.dock.show()
            window = self.window
            if window.dockWidgetArea(self.dock) == window.dockWidgetArea(window.settings_dock):
                window.resizeDocks(
                    [self.dock], [int(window.height() * 0.5)], Qt.Orientation.Vertical
                )
        self.dock.raise_()

    # --- opening a lesson -------------------------------------------------------------------------

    def start(self, index: int) -> bool:
        """Start the bundled lesson ``index`` (after the unsaved-changes prompt)."""
        lesson = self.entries[index][1]
        return lesson is not None and self._begin(lesson, index)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open lesson", str(Path.home()), LESSON_FILTER
        )
        if path:
            self.open_file(path)

    def open_file(self, path) -> bool:
        """Start the lesson in the file at ``path``; a broken file is reported, not shown."""
        try:
            lesson = load_lesson(path)
        except LessonFileError as error:
            show_problems(
                self.window,
                "lessonErrorDialog",
                "Cannot open the lesson",
                f"{Path(path).name} cannot be opened:",
                error.problems,
            )
            return False
        return self._begin(lesson, None)

    def restart(self) -> None:
        if self.attempt is not None:
            self._begin(self.attempt.lesson, self.attempt.index)

    def next(self) -> None:
        """The next lesson on the path (or back to the path after the last or a file's)."""
        attempt = self.attempt
        if attempt is None or attempt.index is None or attempt.index + 1 >= len(self.entries):
            self.leave()
        else:
            self.start(attempt.index + 1)

    def _begin(self, lesson: Lesson, index: int | None) -> bool:
        window = self.window
        if self.attempt is not None and window.path is None:
            window.undo_stack.setClean()  # the lesson's scratch design: nothing to save
        if not window.open_document(lesson.start):
            return False
        self.attempt = Attempt(lesson, index, step_through_due=lesson.step_through)
        window.document.guard = lambda old, new: refusal(old, new, lesson.allowed)
        allows = lambda path: is_allowed(path, lesson.allowed)  # noqa: E731
        settings = window.settings_panel
        rows = [*settings.data_tab.rows, *settings.training_tab.rows]
        settings.hide_fields(path for path in rows if not allows(path))
        if not any(allows(path) for path in settings.data_tab.rows):
            settings.setCurrentWidget(settings.training_tab)
        window.settings_dock.setVisible(any(allows(path) for path in rows))  # room to read
        window.inspector.set_allowed(allows)
        window.lesson.show_lesson(lesson.title, f"Goal: {lesson.goal.text} (Lessons panel)")
        self._set_play_allowed(False)
        number = f"{index + 1}. " if index is not None else ""
        has_next = index is not None and index + 1 < len(self.entries)
        self.view.show_lesson(lesson, number, has_next)
        self._show_dock()
        self._enter_step_through()
        return True

    def leave(self) -> None:
        """Back to the path: every field unlocked; the design stays as the learner left it."""
        if self.attempt is not None:
            self.attempt = None
            window = self.window
            window.document.guard = None
            window.settings_panel.hide_fields(())
            window.settings_dock.show()
            window.inspector.set_allowed(None)
            window.lesson.end_lesson()
            self._set_play_allowed(True)
        self.show_path()

    # --- the learner's moves ---------------------------------------------------------------------

    def answer(self, choice: int) -> None:
        attempt = self.attempt
        if attempt is None or attempt.answer is not None or choice < 0:
            return
        attempt.answer = choice
        self.view.show_answered(attempt.lesson.prediction.choices[choice].text)
        self._set_play_allowed(True)

    def hint(self) -> None:
        attempt = self.attempt
        if attempt is not None and attempt.hints < len(attempt.lesson.hints):
            attempt.hints += 1
            self.view.show_hints(attempt.lesson.hints, attempt.hints)

    # --- the run ---------------------------------------------------------------------------------

    def _on_frame(self, frame) -> None:
        attempt = self.attempt
        if attempt is None or frame.snapshot is None:
            return
        design = self.window.design
        self._enter_step_through()
        if attempt.met_at is None and attempt.answer is not None:
            row = attempt.lesson.goal.first_met(frame.rows, design)
            if row is not None:
                attempt.met_at = row.epoch
                self._mark_done(attempt.lesson)
                self.view.show_goal(row.epoch)
                lesson = attempt.lesson
                self.window.lesson.show_lesson(
                    lesson.title, f"✓ Goal met at epoch {row.epoch}: {lesson.goal.text}"
                )
                self.window.statusBar().showMessage(f"Goal met at epoch {row.epoch}.", 8000)
        latest = frame.snapshot.metrics
        prediction = attempt.lesson.prediction
        due = latest.epoch >= prediction.reveal_after or frame.snapshot.status != Status.RUNNING
        if attempt.answer is not None and not attempt.revealed and due:
            attempt.revealed = True
            held = prediction.held(latest, design)
            answer = "" if held is None else prediction.choices[held].text
            self.view.show_verdict(
                None if held is None else held == attempt.answer, answer, prediction.why
            )

    def _enter_step_through(self) -> None:
        """Open the step-through once the lesson's run has its first weights."""
        attempt = self.attempt
        mode = getattr(self.window, "step_through", None)
        if attempt is None or not attempt.step_through_due or mode is None:
            return
        if self.window.training.latest is not None and self.window.training.dataset is not None:
            attempt.step_through_due = False
            mode.enter()

    def _on_design_changed(self, _old, new, new_document: bool) -> None:
        """Another document (New, Open, an example) ends the lesson (its own start does not,
        even when its data arrive later, read in the background)."""
        attempt = self.attempt
        if new_document and attempt is not None and new != attempt.lesson.start:
            self.leave()

    def _set_play_allowed(self, allowed: bool) -> None:
        """Play and the steps wait for the prediction."""
        window = self.window
        for action in (window.actionPlay, window.actionStep, window.actionStepBatch):
            action.setEnabled(allowed)
        if not allowed:
            window.training.pause()
