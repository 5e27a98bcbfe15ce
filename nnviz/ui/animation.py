"""A recorded run drawn frame by frame by the real panels, for ``nnviz animate`` and the
window's *Export → Animation*.

The panels are the window's own, shown off to the side (offscreen when there is no display),
fed the frames of :mod:`nnviz.core.run.replay` one at a time and grabbed as pictures. Drawing
widgets is the GUI thread's work; :class:`AnimationJob` does it a frame per turn of the event
loop, so a window stays responsive and can show progress and cancel.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QWidget

from nnviz.core.files.animation import AnimationWriter
from nnviz.core.run.replay import Replay, evenly
from nnviz.ui.panels.gradients_panel import GradientsPanel
from nnviz.ui.panels.loss_panel import LossPanel
from nnviz.ui.panels.regions_panel import RegionsPanel
from nnviz.ui.panels.weights_panel import WeightsPanel

#: What can be animated, and the picture's size for each.
PANELS = {"regions": (520, 520), "weights": (640, 520), "window": (1200, 860)}
#: Frames an animation has at most (the checkpoints are spread over them).
MAX_FRAMES = 240


def make_stage(kind: str) -> tuple[QWidget, QLabel, list]:
    """The widget to grab, its caption (epoch and losses) and its panels, for ``kind`` (a key
    of :data:`PANELS`)."""
    if kind == "regions":
        panels = [RegionsPanel()]
    elif kind == "weights":
        panels = [WeightsPanel()]
    elif kind == "window":
        panels = [RegionsPanel(), WeightsPanel(), LossPanel(), GradientsPanel()]
    else:
        raise ValueError(f"unknown panel {kind!r}; choose {', '.join(PANELS)}")
    stage = QWidget()
    stage.setObjectName("animationStage")
    grid = QGridLayout(stage)
    caption = QLabel()
    caption.setObjectName("animationCaption")
    font = caption.font()
    font.setPointSizeF(font.pointSizeF() * 1.2)
    font.setBold(True)
    caption.setFont(font)
    grid.addWidget(caption, 0, 0, 1, 2)
    for k, panel in enumerate(panels):
        grid.addWidget(panel, 1 + k // 2, k % 2)
    if len(panels) > 2:
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
    return stage, caption, panels


def caption_text(metrics) -> str:
    """What the caption says of a frame: the epoch and the losses."""
    return (
        f"epoch {metrics.epoch:,}   train loss {metrics.train_loss:.4g}   "
        f"test loss {metrics.test_loss:.4g}"
    )


def rgb_array(image: QImage) -> np.ndarray:
    """An (h, w, 3) uint8 copy of ``image``."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : w * 3].reshape(h, w, 3).copy()


class AnimationJob:
    """Draw ``replay`` with the panels of ``kind`` into ``writer``, one frame per :meth:`step`.

    ``max_frames`` caps the frames (checkpoints are picked evenly, first and last kept).
    """

    def __init__(
        self, replay: Replay, kind: str, writer: AnimationWriter, max_frames: int = MAX_FRAMES
    ) -> None:
        self.writer = writer
        self.indices = evenly(len(replay.checkpoints), max_frames)
        self.stage, self.caption, self.panels = make_stage(kind)
        self.stage.resize(*PANELS[kind])
        # Shown, or the panels put off drawing; at the edge of the screen, out of the way.
        self.stage.move(-10_000, -10_000)
        self.stage.show()
        for panel in self.panels:
            panel.set_run(replay.info)
        self._frames = replay.frames(self.indices)
        self.done = 0

    @property
    def total(self) -> int:
        return len(self.indices)

    def step(self) -> bool:
        """Draw and keep the next frame; False once every frame is written (then the file is)."""
        frame = next(self._frames, None)
        if frame is None:
            self.stage.close()
            self.writer.close()
            return False
        self.caption.setText(caption_text(frame.snapshot.metrics))
        for panel in self.panels:
            panel.add_frame(frame)
            panel.refresh()
        QApplication.processEvents()
        self.writer.add(rgb_array(self.stage.grab().toImage()))
        self.done += 1
        return True

    def cancel(self) -> None:
        self.stage.close()
        self.writer.discard()


def render(job: AnimationJob, progress: Callable[[int, int], None] | None = None) -> None:
    """Run ``job`` to the end at once (the command line has no window to keep responsive)."""
    while job.step():
        if progress is not None:
            progress(job.done, job.total)
