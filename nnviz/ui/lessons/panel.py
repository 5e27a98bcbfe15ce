"""The Lessons panel's widgets: the path of lessons, and one lesson's page.

A view only: it shows what :class:`~nnviz.ui.lessons.controller.LessonController` tells it and
emits what the learner asks for. The page reads top to bottom in the order a learner works:
the text, the prediction to make before Play, the goal and its state, hints, what to notice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.lessons import Lesson

MET = "#2e7d32"
MISSED = "#c62828"


def _label(name: str, rich: bool = False) -> QLabel:
    label = QLabel(objectName=name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.MarkdownText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LessonView(QStackedWidget):
    """Page 0: the path (which lessons there are, which are done). Page 1: the open lesson."""

    sigStart = Signal(int)  # the index of the lesson on the path
    sigOpenFile = Signal()
    sigAnswer = Signal(int)  # the choice predicted
    sigHint = Signal()
    sigRestart = Signal()
    sigLeave = Signal()
    sigNext = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonView")
        self.addWidget(self._path_page())
        self.addWidget(self._lesson_page())

    # --- the path -------------------------------------------------------------------------------

    def _path_page(self) -> QWidget:
        page = QWidget()
        self.progress = QLabel(objectName="lessonProgress")
        self.path_list = QListWidget(objectName="lessonList")
        self.path_list.setAlternatingRowColors(True)
        self.path_list.itemActivated.connect(lambda item: self._start_item(item))
        self.start_button = QPushButton("Start Lesson", objectName="lessonStartButton")
        self.start_button.clicked.connect(lambda: self._start_item(self.path_list.currentItem()))
        self.open_button = QPushButton("Open Lesson File…", objectName="lessonOpenButton")
        self.open_button.setToolTip("A lesson a teacher wrote (docs/lesson-format.md)")
        self.open_button.clicked.connect(self.sigOpenFile)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        column = QVBoxLayout(page)
        column.addWidget(self.progress)
        column.addWidget(self.path_list, 1)
        column.addLayout(buttons)
        return page

    def show_path(self, entries: list[tuple[str, str, bool]], current: int = 0) -> None:
        """``entries``: (title, problem or "", done) of each lesson on the path."""
        self.path_list.clear()
        done = sum(1 for _title, problem, finished in entries if finished and not problem)
        self.progress.setText(f"{done} of {len(entries)} lessons done")
        for i, (title, problem, finished) in enumerate(entries):
            mark = "✓" if finished else "  "
            item = QListWidgetItem(f"{mark}  {i + 1}. {title}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            if problem:
                item.setText(f"    {i + 1}. {title} (cannot be read)")
                item.setToolTip(problem)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setToolTip("Done: start it again any time" if finished else "Not done yet")
            self.path_list.addItem(item)
        self.path_list.setCurrentRow(min(max(current, 0), max(len(entries) - 1, 0)))
        self.setCurrentIndex(0)

    def _start_item(self, item) -> None:
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.sigStart.emit(item.data(Qt.ItemDataRole.UserRole))

    # --- one lesson -----------------------------------------------------------------------------

    def _lesson_page(self) -> QWidget:
        back = QPushButton("← All Lessons", objectName="lessonBackButton")
        back.clicked.connect(self.sigLeave)
        back.setToolTip("Leave the lesson: every field is unlocked again")
        restart = QPushButton("Restart", objectName="lessonRestartButton")
        restart.setToolTip("Load the lesson's design again and make a new prediction")
        restart.clicked.connect(self.sigRestart)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addStretch(1)
        top.addWidget(restart)

        self.title = _label("lessonTitleLabel")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.text = _label("lessonTextLabel", rich=True)

        self.prediction_box = QGroupBox("Predict, then press Play", objectName="lessonPrediction")
        self.question = _label("lessonQuestion")
        self.choices = QButtonGroup(self)
        self.choices_column = QVBoxLayout()
        self.answer_button = QPushButton("Lock In My Prediction", objectName="lessonAnswerButton")
        self.answer_button.setEnabled(False)
        self.answer_button.clicked.connect(lambda: self.sigAnswer.emit(self.choices.checkedId()))
        self.choices.idToggled.connect(lambda _id, _on: self.answer_button.setEnabled(True))
        self.verdict = _label("lessonVerdict")
        box = QVBoxLayout(self.prediction_box)
        box.addWidget(self.question)
        box.addLayout(self.choices_column)
        box.addWidget(self.answer_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addWidget(self.verdict)

        goal_box = QGroupBox("Goal", objectName="lessonGoal")
        self.goal = _label("lessonGoalText")
        self.goal_status = _label("lessonGoalStatus")
        box = QVBoxLayout(goal_box)
        box.addWidget(self.goal)
        box.addWidget(self.goal_status)

        hints_box = QGroupBox("Hints", objectName="lessonHintsBox")
        self.hints = _label("lessonHints", rich=True)
        self.hint_button = QPushButton("Show a Hint", objectName="lessonHintButton")
        self.hint_button.clicked.connect(self.sigHint)
        box = QVBoxLayout(hints_box)
        box.addWidget(self.hints)
        box.addWidget(self.hint_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.notice_box = QGroupBox("What to notice", objectName="lessonNoticeBox")
        self.notice = _label("lessonNotice", rich=True)
        self.next_button = QPushButton("Next Lesson →", objectName="lessonNextButton")
        self.next_button.clicked.connect(self.sigNext)
        box = QVBoxLayout(self.notice_box)
        box.addWidget(self.notice)
        box.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignRight)

        body = QWidget()
        column = QVBoxLayout(body)
        for widget in (self.title, self.text, self.prediction_box, goal_box, hints_box):
            column.addWidget(widget)
        column.addWidget(self.notice_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self._scroll = scroll
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addWidget(scroll, 1)
        return page

    def show_lesson(self, lesson: Lesson, number: str, has_next: bool) -> None:
        """Open ``lesson``'s page afresh: no prediction made, no hint shown, goal not met."""
        self.title.setText(f"{number}{lesson.title}")
        self.text.setText(lesson.text)
        self.question.setText(lesson.prediction.question)
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            button.deleteLater()
        for i, choice in enumerate(lesson.prediction.choices):
            button = QRadioButton(choice.text, objectName=f"lessonChoice{i}")
            self.choices.addButton(button, i)
            self.choices_column.addWidget(button)
        self.answer_button.setEnabled(False)
        self.answer_button.show()
        self.verdict.setText("Play is off until you have made your prediction.")
        self.verdict.setStyleSheet("color: palette(placeholder-text)")
        self.goal.setText(lesson.goal.text)
        self.show_goal(None)
        self.hints.setText("")
        self.hints.hide()
        self.show_hints(lesson.hints, 0)
        self.notice.setText(lesson.notice)
        self.notice_box.hide()
        self.next_button.setVisible(has_next)
        self.setCurrentIndex(1)

    def show_answered(self, choice: str) -> None:
        for button in self.choices.buttons():
            button.setEnabled(button.isChecked())  # the prediction stays legible
            button.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.answer_button.hide()
        self.verdict.setStyleSheet("")
        self.verdict.setText(f"You predicted: {choice}\nNow press Play and see.")

    def show_verdict(self, held: bool | None, answer: str, why: str) -> None:
        """Whether the prediction held (None: no choice held on this run); ``answer`` is the
        choice that did."""
        if held is None:
            text, colour = f"None of the choices held on this run. {why}", MISSED
        elif held:
            text, colour = f"✓ Your prediction held. {why}", MET
        else:
            text, colour = f"✗ It did not hold. What happened: {answer}. {why}", MISSED
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour}")

    def show_goal(self, epoch: int | None) -> None:
        if epoch is None:
            self.goal_status.setText("Not met yet.")
            self.goal_status.setStyleSheet("color: palette(placeholder-text)")
        else:
            self.goal_status.setText(f"✓ Goal met at epoch {epoch}.")
            self.goal_status.setStyleSheet(f"color: {MET}; font-weight: bold")
            self.notice_box.show()
            QTimer.singleShot(0, lambda: self._scroll.ensureWidgetVisible(self.notice_box))

    def show_hints(self, hints: tuple[str, ...], shown: int) -> None:
        self.hints.setText("\n\n".join(f"{i + 1}. {hint}" for i, hint in enumerate(hints[:shown])))
        self.hints.setVisible(shown > 0)
        left = len(hints) - shown
        self.hint_button.setEnabled(left > 0)
        self.hint_button.setText(
            f"Show a Hint ({shown + 1} of {len(hints)})" if left else "No More Hints"
        )
