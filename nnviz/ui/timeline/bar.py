"""The timeline's widgets: a slider over the run's epochs with its loss drawn faintly behind,
and the row of controls around it (epoch, replay and its speed, fork, the runs kept)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from nnviz.ui.panels.colors import series_color

#: Replay speeds: checkpoints a second (they are dense at the start, where most happens).
REPLAY_SPEEDS = (("2 / s", 2), ("5 / s", 5), ("10 / s", 10), ("25 / s", 25))
DEFAULT_REPLAY_SPEED = 2  # index in REPLAY_SPEEDS
#: Most points of the loss curve drawn behind the slider.
CURVE_POINTS = 400
#: The backdrop follows the run at most this often (ms): a faint picture of the whole run
#: changes little in a second, and redrawing it with every frame cost the window more than
#: some panels.
CURVE_INTERVAL_MS = 500


def backdrop_points(epochs: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """The loss curve behind the slider as (x, y) in [0, 1]² (x by epoch, y by log loss,
    1 at the top), at most :data:`CURVE_POINTS` of them; empty without two finite losses."""
    keep = np.isfinite(losses) & (losses > 0)
    epochs, losses = np.asarray(epochs, float)[keep], np.log10(np.asarray(losses)[keep])
    if len(epochs) < 2 or epochs[-1] <= epochs[0]:
        return np.empty((0, 2))
    if len(epochs) > CURVE_POINTS:
        index = np.linspace(0, len(epochs) - 1, CURVE_POINTS).round().astype(int)
        epochs, losses = epochs[index], losses[index]
    low, high = losses.min(), losses.max()
    y = (losses - low) / (high - low) if high > low else np.full(len(losses), 0.5)
    x = (epochs - epochs[0]) / (epochs[-1] - epochs[0])
    return np.column_stack((x, y))


class TimelineSlider(QSlider):
    """Epochs from 0 to the latest; left and right step between checkpoints (``sigStep``).

    The loss curve behind it is a path in the unit square, made when the curve changes (at
    most every :data:`CURVE_INTERVAL_MS`) and drawn into a pixmap the slider's size: a paint
    (the handle moves with every frame) copies it, where drawing the antialiased path cost
    three times the slider itself.
    """

    sigStep = Signal(int)  # -1 or +1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("timelineSlider")
        self.setRange(0, 0)
        self.setMinimumHeight(36)
        self.setMinimumWidth(200)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(
            "Drag to see the panels as they were at that epoch; release at the right end for "
            "the live run. Left and right step between checkpoints."
        )
        self._curve = np.empty((0, 2))
        self._path = QPainterPath()
        self._backdrop: QPixmap | None = None  # the path drawn at the slider's size
        self._waiting: tuple[np.ndarray, np.ndarray] | None = None  # not yet drawn
        self._throttle = QTimer(self, singleShot=True, interval=CURVE_INTERVAL_MS)
        self._throttle.timeout.connect(self._take_waiting)

    def set_curve(self, epochs: np.ndarray, losses: np.ndarray) -> None:
        """The run's loss so far; drawn now, or when the last drawing is old enough."""
        self._waiting = (epochs, losses)
        if not self._throttle.isActive():
            self._take_waiting()

    def _take_waiting(self) -> None:
        if self._waiting is None:
            return
        epochs, losses = self._waiting
        self._waiting = None
        self._curve = backdrop_points(epochs, losses)
        self._path = (
            pg.arrayToQPath(self._curve[:, 0], 1.0 - self._curve[:, 1])
            if len(self._curve) >= 2
            else QPainterPath()
        )
        self._backdrop = None
        self._throttle.start()
        self.update()

    def keyPressEvent(self, event) -> None:
        try:
            step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(event.key())
            if step is None:
                super().keyPressEvent(event)
                return
            event.accept()
            self.sigStep.emit(step)
        except Exception as error:  # never out of a Qt override
            print(f"nnviz: timeline key: {error}")

    def paintEvent(self, event) -> None:
        try:
            self._paint_curve()
        except Exception as error:  # never out of a Qt override
            print(f"nnviz: timeline backdrop: {error}")
        super().paintEvent(event)

    def _paint_curve(self) -> None:
        if len(self._curve) < 2:
            return
        ratio = self.devicePixelRatioF()
        backdrop = self._backdrop
        if backdrop is None or backdrop.deviceIndependentSize().toSize() != self.size():
            backdrop = self._backdrop = self._draw_backdrop(ratio)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, backdrop)
        painter.end()

    def _draw_backdrop(self, ratio: float) -> QPixmap:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        left, width = handle.width() / 2, self.width() - handle.width()
        top, height = 3.0, self.height() - 6.0
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        color = QColor(series_color(0))
        color.setAlpha(110)
        pen = QPen(color, 1.5)
        pen.setCosmetic(True)  # 1.5 pixels wide whatever the scale
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(QTransform(width, 0, 0, height, left, top))
        painter.setPen(pen)
        painter.drawPath(self._path)
        painter.end()
        return pixmap


class TimelineBar(QWidget):
    """The slider and its controls, in one row under the panels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineBar")
        self.replay = QPushButton("Replay")
        self.replay.setObjectName("replayButton")
        self.replay.setCheckable(True)
        self.replay.setToolTip("Play the run back from the slider's position (or the start)")
        self.speed = QComboBox(objectName="replaySpeed")
        self.speed.setToolTip("How fast the replay goes: checkpoints a second")
        for text, per_second in REPLAY_SPEEDS:
            self.speed.addItem(text, per_second)
        self.speed.setCurrentIndex(DEFAULT_REPLAY_SPEED)
        self.slider = TimelineSlider()
        self.epoch = QLabel(objectName="timelineEpoch")
        self.epoch.setMinimumWidth(
            self.epoch.fontMetrics().horizontalAdvance("epoch 000,000 · live")
        )
        self.live = QPushButton("Live")
        self.live.setObjectName("liveButton")
        self.live.setToolTip("Back to the run as it is now")
        self.fork = QPushButton("Fork from Here")
        self.fork.setObjectName("forkButton")
        self.fork.setToolTip(
            "Train on from the checkpoint under the slider, with the settings as they are now; "
            "the run it comes from stays and can be brought back"
        )
        self.runs = QComboBox(objectName="runSelector")
        self.runs.setToolTip("The runs kept: bring one back to look at it or train it on")
        self.runs.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(QLabel("Timeline"))
        layout.addWidget(self.replay)
        layout.addWidget(self.speed)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.epoch)
        layout.addWidget(self.live)
        layout.addWidget(self.fork)
        layout.addWidget(self.runs)


def epoch_text(epoch: int, live: bool) -> str:
    return f"epoch {epoch:,} · live" if live else f"epoch {epoch:,}"
