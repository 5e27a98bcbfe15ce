"""The formula view: which sample, which stage, and the calculation under the mouse.

A plain widget; :class:`~nnviz.ui.step_through.mode.StepThroughMode` fills it and listens to
its buttons. Formulas are plain text in a fixed-width-friendly font, one equation a line.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator, QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.explain.formulas import ROUNDING_NOTE

#: Pixels an image sample (a digit) is shown at, about.
PICTURE_SIZE = 64


class StepThroughPanel(QWidget):
    """Sample picker, stage buttons, the formula view and the value editor."""

    sigSample = Signal(str, int)  # split ("train"/"test"), index
    sigBack = Signal()
    sigNext = Signal()
    sigApply = Signal()  # do the update: the network really changes
    sigLeave = Signal()
    sigValue = Signal(float)  # a value typed for the selected weight or bias

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepThroughView")
        self.split = QComboBox(objectName="stepSplitCombo")
        self.split.addItem("training sample", "train")
        self.split.addItem("test sample", "test")
        self.sample = QSpinBox(objectName="stepSampleSpin")
        self.sample.setToolTip(
            "Which sample to step through (or click a point in the decision-regions panel)"
        )
        self.split.currentIndexChanged.connect(self._emit_sample)
        self.sample.valueChanged.connect(self._emit_sample)
        self.sample_info = QLabel(objectName="stepSampleInfo")
        self.sample_info.setWordWrap(True)
        self.sample_image = QLabel(objectName="stepSampleImage")
        self.sample_image.setToolTip("The chosen sample as an image")
        self.sample_image.hide()

        self.back = QPushButton("◀ Back", objectName="stepBackButton")
        self.back.setToolTip("The previous stage (Left arrow)")
        self.next = QPushButton("Next ▶", objectName="stepNextButton")
        self.next.setToolTip("The next stage (Right arrow)")
        self.apply = QPushButton("Apply update", objectName="stepApplyButton")
        self.apply.setToolTip("Change the network by this update (one undoable step)")
        self.leave = QPushButton("Leave", objectName="stepLeaveButton")
        self.leave.setToolTip("Back to the normal view (Esc)")
        self.back.clicked.connect(self.sigBack)
        self.next.clicked.connect(self.sigNext)
        self.apply.clicked.connect(self.sigApply)
        self.leave.clicked.connect(self.sigLeave)

        self.stage = QLabel(objectName="stepStageLabel")
        self.stage.setWordWrap(True)
        bold = QFont(self.stage.font())
        bold.setBold(True)
        self.stage.setFont(bold)
        self.formulas = QPlainTextEdit(objectName="stepFormulaView")
        self.formulas.setReadOnly(True)
        self.formulas.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.note = QLabel(ROUNDING_NOTE + " Hover over a neuron or an edge; click one to edit it.")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)

        self.value_label = QLabel("Click a neuron (its bias) or an edge (its weight)")
        self.value = QLineEdit(objectName="stepValueEdit")
        self.value.setValidator(QDoubleValidator(-1e6, 1e6, 8))
        self.value.setEnabled(False)
        self.value.setToolTip("Type a new value and press Enter (one undoable step)")
        self.value.returnPressed.connect(self._emit_value)

        picker = QHBoxLayout()
        picker.addWidget(self.split)
        picker.addWidget(self.sample, 1)
        buttons = QHBoxLayout()
        for button in (self.back, self.next, self.apply, self.leave):
            buttons.addWidget(button)
        edit = QFormLayout()
        edit.addRow(self.value_label)
        edit.addRow(self.value)
        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        about = QHBoxLayout()
        about.addWidget(self.sample_image)
        about.addWidget(self.sample_info, 1)
        layout.addLayout(about)
        layout.addLayout(buttons)
        layout.addWidget(self.stage)
        layout.addWidget(self.formulas, 1)
        layout.addWidget(self.note)
        layout.addLayout(edit)

    def set_sample(self, split: str, index: int, count: int, info: str) -> None:
        """Show the chosen sample without echoing it back as a new choice."""
        for widget in (self.split, self.sample):
            widget.blockSignals(True)
        self.split.setCurrentIndex(self.split.findData(split))
        self.sample.setRange(0, max(count - 1, 0))
        self.sample.setValue(index)
        for widget in (self.split, self.sample):
            widget.blockSignals(False)
        self.sample_info.setText(info)

    def set_picture(self, pixels: np.ndarray | None) -> None:
        """Show an image sample (a digit) in grey, dark ink on white; None hides it."""
        if pixels is None:
            self.sample_image.hide()
            return
        pixels = np.asarray(pixels, float)
        span = float(pixels.max() - pixels.min()) or 1.0
        grey = np.ascontiguousarray(255 - (pixels - pixels.min()) / span * 255, np.uint8)
        height, width = grey.shape
        image = QImage(grey.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        scale = max(1, PICTURE_SIZE // max(width, height))
        self.sample_image.setPixmap(QPixmap.fromImage(image).scaled(width * scale, height * scale))
        self.sample_image.show()

    def set_stage(self, title: str, lines: list[str], first: bool, last: bool) -> None:
        self.stage.setText(title)
        self.stage_lines = lines
        self.back.setEnabled(not first)
        self.next.setEnabled(not last)
        self.apply.setEnabled(last)

    def show_lines(self, lines: list[str]) -> None:
        self.formulas.setPlainText("\n".join(lines))

    def set_editable(self, label: str | None, value: float | None = None) -> None:
        """What the value editor changes (None: nothing selected)."""
        self.value.setEnabled(label is not None)
        self.value_label.setText(label or "Click a neuron (its bias) or an edge (its weight)")
        self.value.setText("" if value is None else f"{value:.6g}")
        if label is not None:
            self.value.setFocus(Qt.FocusReason.OtherFocusReason)
            self.value.selectAll()

    def _emit_sample(self, *_):
        self.sigSample.emit(self.split.currentData(), self.sample.value())

    def _emit_value(self) -> None:
        text = self.value.text().strip().replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            return
        self.sigValue.emit(value)
