"""The training status in the window's status bar: epoch and progress, speed, engine, state."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from nnviz.core.run.frames import Frame, RunInfo

#: Steps per second are measured over the frames of about this many seconds.
SPEED_WINDOW = 2.0

STATE_COLORS = {"diverged": "#d62728", "error": "#d62728", "finished": "#2ca02c"}


class TrainingStatus(QWidget):
    """Epoch (with progress towards the epoch limit), steps per second, engine and state.

    ``epoch_limit`` and ``patience`` are asked each frame (the design may change mid-run);
    ``patience`` returns None when early stopping is off. ``clock`` is for tests.
    """

    def __init__(
        self,
        epoch_limit: Callable[[], int],
        patience: Callable[[], int | None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trainingStatus")
        self._epoch_limit = epoch_limit
        self._patience = patience
        self._clock = clock
        self._samples: deque[tuple[float, int, int]] = deque()  # (time, epoch, step)
        self._best_loss = float("inf")
        self._best_epoch = 0

        self.epoch_label = QLabel()
        self.epoch_label.setObjectName("epochLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("epochProgress")
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.speed_label = QLabel()
        self.speed_label.setObjectName("speedLabel")
        self.speed_label.setToolTip("Training speed, measured in the window")
        self.engine_label = QLabel()
        self.engine_label.setObjectName("engineLabel")
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for widget in (self.epoch_label, self.progress, self.speed_label, self.engine_label,
                       self.state_label):  # fmt: skip
            layout.addWidget(widget)
        self.set_state("idle")

    def set_run(self, info: RunInfo) -> None:
        self._samples.clear()
        self._best_loss, self._best_epoch = float("inf"), 0
        self.engine_label.setText(f"{info.engine} · {info.device}")
        self.speed_label.clear()
        self._show_epoch(0)

    def add_frame(self, frame: Frame) -> None:
        for row in frame.rows:
            if row.test_loss < self._best_loss:
                self._best_loss, self._best_epoch = row.test_loss, row.epoch
        metrics = frame.snapshot.metrics
        self._samples.append((self._clock(), metrics.epoch, metrics.step))
        while len(self._samples) > 2 and self._samples[-1][0] - self._samples[1][0] >= SPEED_WINDOW:
            self._samples.popleft()
        self._show_epoch(metrics.epoch)
        self._show_speed()

    def set_state(self, state: str) -> None:
        if state != "running":  # a speed measured before a pause would mislead
            self._samples.clear()
            self.speed_label.clear()
        color = STATE_COLORS.get(state)
        text = state.replace("_", " ")
        self.state_label.setText(f"<span style='color:{color}'>{text}</span>" if color else text)

    def steps_per_second(self) -> tuple[float, float] | None:
        """Epochs and steps per second over the last frames, or None before two frames."""
        if len(self._samples) < 2:
            return None
        (t0, e0, s0), (t1, e1, s1) = self._samples[0], self._samples[-1]
        if t1 <= t0:
            return None
        return (e1 - e0) / (t1 - t0), (s1 - s0) / (t1 - t0)

    def _show_epoch(self, epoch: int) -> None:
        limit = max(1, int(self._epoch_limit()))
        self.epoch_label.setText(f"Epoch {epoch:,} / {limit:,}")
        self.progress.setRange(0, limit)
        self.progress.setValue(min(epoch, limit))
        patience = self._patience()
        if patience and epoch > self._best_epoch:
            waited = epoch - self._best_epoch
            self.progress.setToolTip(
                f"Test loss best {waited:,} epochs ago; early stop after {patience:,}"
            )
        else:
            self.progress.setToolTip(f"{epoch:,} of {limit:,} epochs")

    def _show_speed(self) -> None:
        speed = self.steps_per_second()
        if speed is None:
            return
        epochs, steps = speed
        self.speed_label.setText(f"{steps:,.0f} steps/s · {epochs:,.1f} epochs/s")
