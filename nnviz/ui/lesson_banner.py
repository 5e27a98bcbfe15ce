"""The lesson above the diagram: an example's name and what to press and watch.

An example's description is its lesson; it stays in sight while the learner follows it,
instead of only in the Examples menu's tooltip. Designs without a description show none.
While a guided lesson runs (the Lessons panel), the banner shows that lesson and its goal
instead, so the two never compete.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

from nnviz.core.design import Design


class LessonBanner(QFrame):
    """The design's name and description; × hides it until another design is opened."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonBanner")
        self.setStyleSheet(
            "#lessonBanner { background: palette(alternate-base);"
            " border-bottom: 1px solid palette(mid); }"
        )
        self.title = QLabel(objectName="lessonTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel(objectName="lessonText", wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(objectName="lessonBannerClose", text="×", autoRaise=True)
        close.setToolTip("Hide the lesson (it comes back with the next example)")
        close.clicked.connect(self._dismiss)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.text)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 4, 6)
        row.addLayout(words, 1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._dismissed = False
        self._lesson: tuple[str, str] | None = None
        self._design = Design()
        self.setVisible(False)

    def show_lesson(self, title: str, text: str) -> None:
        """Show a guided lesson's title and goal until :meth:`end_lesson`."""
        self._lesson = (title, text)
        self._dismissed = False
        self.set_design(self._design)

    def end_lesson(self) -> None:
        self._lesson = None
        self.set_design(self._design)

    def set_design(self, design: Design, new_document: bool = False) -> None:
        """Show ``design``'s lesson (a new document brings a dismissed banner back)."""
        if new_document:
            self._dismissed = False
        self._design = design
        title, text = self._lesson or (design.name, design.description)
        self.title.setText(title)
        self.text.setText(text)
        self.setVisible(bool(text) and not self._dismissed)

    def _dismiss(self) -> None:
        self._dismissed = True
        self.setVisible(False)
