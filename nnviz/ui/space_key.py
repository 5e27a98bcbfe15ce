"""Space plays and pauses from anywhere in the window but a text field.

A focused spin box or editable box would otherwise take the key (Qt lets the focused widget
claim a shortcut's key first), so once a learner has touched a setting, Space stops working.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from nnviz.ui.settings.form import NumberField


def is_text_field(widget: QWidget | None) -> bool:
    """Where a space is text: an editable line (not a number box's) or text editor."""
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    if not isinstance(widget, QLineEdit) or widget.isReadOnly():
        return False
    # a number box's line edit: a space is never part of a number
    return not isinstance(widget.parentWidget(), QAbstractSpinBox | NumberField)


class SpacePlays(QObject):
    """Lets ``action``'s Space shortcut through whatever widget of ``window`` has the focus,
    unless it is a text field."""

    def __init__(self, window: QWidget, action: QAction) -> None:
        super().__init__(window)
        self._window = window
        self._action = action
        QApplication.instance().installEventFilter(self)
        window.destroyed.connect(self._uninstall)

    def _uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        try:
            if (
                event.type() == QEvent.Type.ShortcutOverride
                and event.key() == Qt.Key.Key_Space
                and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and isinstance(watched, QWidget)
                and watched.window() is self._window
                and not is_text_field(watched)
            ):
                return True  # not claimed by the widget: the shortcut (Play) gets the key
        except RuntimeError:  # the window is going: let the event be
            return False
        return False
