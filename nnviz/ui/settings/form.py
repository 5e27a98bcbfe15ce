"""Controls made from the design schema: a field's path gives its range, steps and tooltip.

Every control here edits one field (:mod:`nnviz.core.schema`), shows its value with ``show``
and emits ``sigCommitted(value)`` once per finished change: spin boxes without keyboard
tracking, editable fields when editing finishes. A control accepts only what the design file
accepts, so its range is never written twice; what it cannot accept it refuses visibly.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QToolTip

from nnviz.core.schema import field
from nnviz.core.schema.fields import Number, Whole

#: The largest whole number a QSpinBox holds; wider fields (seeds) use a QDoubleSpinBox.
INT32_MAX = 2**31 - 1
#: Where a whole number without an upper limit stops in a spin box (exact in a double).
UNBOUNDED = 2**53


def number_text(value: float) -> str:
    """A number as people write it: 0.00001 rather than 1e-05."""
    return np.format_float_positional(float(value), trim="-")


def _tip(path: str) -> str:
    return field(path).help


class WholeSpin(QSpinBox):
    """A whole-number field as a spin box (up to 2³¹ − 1)."""

    sigCommitted = Signal(object)
    merges = True  # consecutive changes make one undo step

    def __init__(self, name: str, path: str, step: int = 1) -> None:
        rule = field(path).rule
        assert isinstance(rule, Whole) and rule.high is not None and rule.high <= INT32_MAX
        super().__init__(objectName=name, minimum=rule.low, maximum=rule.high)
        self.path = path
        self.setSingleStep(step)
        self.setKeyboardTracking(False)
        self.setToolTip(_tip(path))
        self.valueChanged.connect(lambda value: self.sigCommitted.emit(int(value)))

    def show_value(self, value: int) -> None:
        self.setValue(value)


class NumberSpin(QDoubleSpinBox):
    """A number (or a wide whole number) as a spin box, optionally scaled (a share as %).

    An open end of the field's range becomes the nearest value the box can show, so the box
    never offers a value the design file refuses (dropout stops at 0.99, not at 1).
    """

    sigCommitted = Signal(object)
    merges = True  # consecutive changes make one undo step

    def __init__(
        self,
        name: str,
        path: str,
        step: float,
        decimals: int = 0,
        scale: float = 1.0,
        suffix: str = "",
    ) -> None:
        rule = field(path).rule
        super().__init__(objectName=name, decimals=decimals)
        self.path, self._scale, self._whole = path, scale, isinstance(rule, Whole)
        tick = 10.0**-decimals
        low = rule.low * scale + (tick if getattr(rule, "open_low", False) else 0)
        high = UNBOUNDED if rule.high is None else rule.high * scale
        high -= tick if getattr(rule, "open_high", False) else 0
        self.setRange(low, high)
        self.setSingleStep(step)
        self.setSuffix(suffix)
        self.setKeyboardTracking(False)
        self.setToolTip(_tip(path))
        self.valueChanged.connect(self._commit)

    def show_value(self, value: float) -> None:
        self.setValue(value * self._scale)

    def _commit(self, shown: float) -> None:
        value = shown / self._scale
        self.sigCommitted.emit(round(value) if self._whole else round(value, 6))


class NumberField(QComboBox):
    """An editable combo of suggested numbers that accepts any number the field accepts.

    Typing is free (no validator that silently swallows Enter, no inline completion); a
    finished entry is either committed or refused: the box goes back to the value in use,
    turns red and says why (``problem()``, also its tooltip for a while).
    """

    sigCommitted = Signal(object)
    merges = True  # consecutive changes make one undo step
    sigRefused = Signal(str)

    def __init__(self, name: str, path: str, suggestions) -> None:
        super().__init__(objectName=name)
        self.path = path
        self._rule: Number = field(path).rule
        self._tip = _tip(path)
        self._problem = ""
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setCompleter(None)
        self.setToolTip(self._tip)
        self._value = float(suggestions[0])
        for value in suggestions:
            self.addItem(number_text(value), float(value))
        self.lineEdit().editingFinished.connect(self._commit_text)
        self.lineEdit().textEdited.connect(lambda _text: self._set_problem(""))
        self.activated.connect(lambda _index: self._commit_text())

    def value(self) -> float:
        return self._value

    def problem(self) -> str:
        """Why the last entry was refused ("" once a valid one is made)."""
        return self._problem

    def show_value(self, value: float) -> None:
        self._value = float(value)
        index = self.findData(self._value)
        if index >= 0:
            self.setCurrentIndex(index)
        self.setEditText(number_text(value))

    def _commit_text(self) -> None:
        text = self.currentText().strip()
        try:
            value: float | None = float(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value):
            self._refuse(f"{text!r} is not a number" if text else "enter a number")
            return
        if not self._rule.admits(value):
            self._refuse(f"{text} is out of range ({self._rule.limits()})")
            return
        if value != self._value:  # (picking the value in use again keeps a refusal shown)
            self._set_problem("")
            self._value = value
            self.sigCommitted.emit(value)
        self.setEditText(number_text(value))

    def _refuse(self, why: str) -> None:
        self.show_value(self._value)
        self._set_problem(f"{why}; kept {number_text(self._value)}")
        self.sigRefused.emit(self._problem)
        if self.isVisible():
            QToolTip.showText(self.mapToGlobal(self.rect().bottomLeft()), self._problem, self)

    def _set_problem(self, problem: str) -> None:
        if problem == self._problem:
            return
        self._problem = problem
        self.setStyleSheet("QComboBox { border: 2px solid #d0382b; }" if problem else "")
        self.setToolTip(f"{problem}\n\n{self._tip}" if problem else self._tip)


class ChoiceCombo(QComboBox):
    """One of a field's choices, each with its own tooltip."""

    sigCommitted = Signal(object)
    merges = False  # each choice is its own undo step

    def __init__(self, name: str, path: str, tips: dict[str, str] | None = None, choices=None):
        super().__init__(objectName=name)
        self.path = path
        self.setToolTip(_tip(path))
        self.fill(choices or field(path).rule.options, tips or {})
        self.activated.connect(lambda index: self.sigCommitted.emit(self.itemData(index)))

    def fill(self, choices, tips: dict[str, str]) -> None:
        self.clear()
        for i, value in enumerate(choices):
            self.addItem(value.replace("_", " "), value)
            self.setItemData(i, tips.get(value, ""), Qt.ItemDataRole.ToolTipRole)

    def show_value(self, value: str | None) -> None:
        self.setCurrentIndex(self.findData(value))


class FlagCheck(QCheckBox):
    """A true-or-false field as a check box."""

    sigCommitted = Signal(object)
    merges = False  # each choice is its own undo step

    def __init__(self, name: str, path: str, text: str) -> None:
        super().__init__(text, objectName=name)
        self.path = path
        self.setToolTip(_tip(path))
        self.toggled.connect(self.sigCommitted.emit)

    def show_value(self, value: bool) -> None:
        self.setChecked(value)


def whole_spin(name: str, path: str, step: int = 1):
    """The spin box for a whole-number field: a QSpinBox, or wider for seeds and open ends."""
    rule = field(path).rule
    if rule.high is not None and rule.high <= INT32_MAX:
        return WholeSpin(name, path, step)
    return NumberSpin(name, path, step)
