"""A confusion matrix drawn to fit its space: coloured cells, counts, shares where they fit.

A table widget would need two text lines a cell and scroll bars for the digits' ten classes
in a short dock; this widget scales its cells to the space it has, shows the count and the
row share when a cell is tall enough and the count alone when not (the share is always in
the colour and the tooltip), and tells which cell was clicked.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from nnviz.ui.panels.colors import BLUE, NEUTRAL, class_color

#: Cell colours at a share of 1: right answers, mistakes (shaded from neutral by the share).
RIGHT_COLOR = BLUE
WRONG_COLOR = "#d62728"
SWATCH = 8  # pixels a side of a class's colour beside its name
GAP = 4


def cell_color(share: float, right: bool) -> QColor:
    """Neutral grey for no points, to full blue (right) or red (wrong) for a whole row; the
    power lifts small shares, so a few mistakes already show."""
    low, high = QColor(NEUTRAL), QColor(RIGHT_COLOR if right else WRONG_COLOR)
    t = float(np.clip(share, 0.0, 1.0)) ** 0.7
    return QColor(
        round(low.red() + t * (high.red() - low.red())),
        round(low.green() + t * (high.green() - low.green())),
        round(low.blue() + t * (high.blue() - low.blue())),
    )


class MatrixView(QWidget):
    """Rows are true classes, columns predicted ones; ``sigCellClicked(true, predicted)``."""

    sigCellClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.names: tuple[str, ...] = ()
        self.counts = np.zeros((0, 0), np.int64)
        self.shares = np.zeros((0, 0))
        self.picked: tuple[int, int] | None = None

    def set_classes(self, names) -> None:
        self.names = tuple(names)
        k = len(self.names)
        self.counts, self.shares, self.picked = np.zeros((k, k), np.int64), np.zeros((k, k)), None
        self.update()

    def set_values(self, counts: np.ndarray, shares: np.ndarray, picked) -> None:
        self.counts, self.shares, self.picked = counts, shares, picked
        self.update()

    # --- geometry -----------------------------------------------------------------------

    def _margins(self) -> tuple[float, float]:
        """Width of the row labels (left) and height of the column labels (top)."""
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(name) for name in self.names), default=0)
        left = metrics.height() + GAP + SWATCH + GAP + widest + GAP
        top = metrics.height() * 2 + GAP * 2
        return float(left), float(top)

    def cell_rect(self, row: int, col: int) -> QRectF:
        """Where cell (``row``, ``col``) is drawn, in widget coordinates."""
        k = max(1, len(self.names))
        left, top = self._margins()
        w = max(1.0, (self.width() - left - 1) / k)
        h = max(1.0, (self.height() - top - 1) / k)
        return QRectF(left + col * w, top + row * h, w, h)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        k = len(self.names)
        if not k:
            return None
        first, last = self.cell_rect(0, 0), self.cell_rect(k - 1, k - 1)
        if not (
            first.left() <= point.x() < last.right() and first.top() <= point.y() < last.bottom()
        ):
            return None
        col = int((point.x() - first.left()) // first.width())
        row = int((point.y() - first.top()) // first.height())
        return min(row, k - 1), min(col, k - 1)

    def sizeHint(self) -> QSize:
        left, top = self._margins()
        k = len(self.names)
        return QSize(int(left + 46 * k), int(top + 34 * k))

    def minimumSizeHint(self) -> QSize:
        left, top = self._margins()
        k = len(self.names)
        return QSize(int(left + 22 * k), int(top + 16 * k))

    # --- Qt events (nothing here may raise: PySide aborts on an exception in an override) --

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text_color = self.palette().color(QPalette.ColorRole.Text)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        k = len(self.names)
        if k == 0 or self.counts.shape != (k, k):
            painter.end()
            return
        left, top = self._margins()
        first = self.cell_rect(0, 0)
        grid = QRectF(left, top, first.width() * k, first.height() * k)

        painter.setPen(text_color)
        painter.drawText(
            QRectF(left, 0, grid.width(), line), Qt.AlignmentFlag.AlignCenter, "predicted"
        )
        painter.save()
        painter.translate(0, top + grid.height() / 2)
        painter.rotate(-90)
        painter.drawText(
            QRectF(-grid.height() / 2, 0, grid.height(), line), Qt.AlignmentFlag.AlignCenter, "true"
        )
        painter.restore()
        for i, name in enumerate(self.names):
            column = self.cell_rect(0, i)
            label = QRectF(column.left(), line + GAP, column.width(), line)
            self._label(painter, label, i, name, text_color, centred=True)
            row = self.cell_rect(i, 0)
            label = QRectF(line + GAP, row.top(), left - line - 2 * GAP, row.height())
            self._label(painter, label, i, name, text_color, centred=False)

        for i in range(k):
            for j in range(k):
                self._cell(painter, i, j, metrics)
        if self.picked is not None and max(self.picked) < k:
            painter.setPen(QPen(text_color, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.cell_rect(*self.picked).adjusted(1.5, 1.5, -1.5, -1.5))
        painter.end()

    def _label(self, painter, rect: QRectF, index: int, name: str, color, centred: bool) -> None:
        metrics = QFontMetrics(self.font())
        text = metrics.elidedText(
            name, Qt.TextElideMode.ElideRight, int(rect.width() - SWATCH - GAP)
        )
        width = SWATCH + GAP + metrics.horizontalAdvance(text)
        x = rect.left() + (rect.width() - width) / 2 if centred else rect.right() - width
        y = rect.top() + (rect.height() - SWATCH) / 2
        painter.fillRect(QRectF(x, y, SWATCH, SWATCH), class_color(index))
        painter.setPen(color)
        text_rect = QRectF(x + SWATCH + GAP, rect.top(), width - SWATCH - GAP + 1, rect.height())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )

    def _cell(self, painter: QPainter, i: int, j: int, metrics: QFontMetrics) -> None:
        rect = self.cell_rect(i, j)
        count, share = int(self.counts[i, j]), float(self.shares[i, j])
        color = cell_color(share, i == j) if count else QColor(NEUTRAL)
        painter.fillRect(rect.adjusted(0, 0, -1, -1), color)
        ink = QColor("white" if color.lightnessF() < 0.55 else "#202020")
        if not count:
            ink.setAlpha(90)  # the zeros stay readable but step back
        painter.setPen(ink)
        line = metrics.height()
        count_text, share_text = str(count), f"{share:.0%}"
        fits_width = metrics.horizontalAdvance(max(count_text, share_text, key=len)) < rect.width()
        if rect.height() >= 2 * line + 2 and fits_width:
            half = rect.height() / 2
            upper = QRectF(rect.left(), rect.top() + half - line, rect.width(), line)
            lower = QRectF(rect.left(), rect.top() + half, rect.width(), line)
            painter.drawText(upper, Qt.AlignmentFlag.AlignCenter, count_text)
            painter.drawText(lower, Qt.AlignmentFlag.AlignCenter, share_text)
        elif rect.height() >= line - 2 and metrics.horizontalAdvance(count_text) < rect.width():
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, count_text)

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.sigCellClicked.emit(*cell)
        event.accept()

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            cell = self.cell_at(QPointF(event.pos()))
            if cell is None or self.counts.shape != (len(self.names),) * 2:
                QToolTip.hideText()
            else:
                i, j = cell
                names = self.names
                QToolTip.showText(
                    event.globalPos(),
                    f"{self.counts[i, j]} points of {names[i]} predicted as {names[j]} "
                    f"({self.shares[i, j]:.0%} of {names[i]}); click to ring them",
                    self,
                )
            return True
        return super().event(event)
