"""The window's drawing turns: each panel (and the diagram) draws in a turn of the event loop
of its own, no sooner than its :class:`~nnviz.core.run.pacing.DrawPace` allows.

A frame's slots only take its data; the drawings wait here. So no turn keeps the window busy
for long (a timer, a click or a key press waits for one panel at most, not for all of them),
and a heavy panel draws the latest data less often instead of holding up the cheap ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from nnviz.core.run.pacing import DrawPace

#: Milliseconds between one drawing and the next, at the least.
DRAW_GAP_MS = 1


class DrawQueue(QObject):
    """Drawings due, in the order asked for; one asked for twice waits once."""

    def __init__(self, parent: QObject | None = None, clock=time.monotonic) -> None:
        super().__init__(parent)
        self.setObjectName("drawQueue")
        self._clock = clock
        self._waiting: list[tuple[Callable[[], None], DrawPace]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._draw_next)

    @staticmethod
    def of(window: QObject) -> DrawQueue:
        """The queue every panel of ``window`` shares (made on first use)."""
        found = window.findChild(DrawQueue, "drawQueue", Qt.FindChildOption.FindDirectChildrenOnly)
        return found if found is not None else DrawQueue(window)

    def __len__(self) -> int:
        return len(self._waiting)

    def request(self, draw: Callable[[], None], pace: DrawPace) -> None:
        """Call ``draw`` in a turn of its own once ``pace`` allows; its cost (CPU time) is
        given to ``pace``."""
        if all(waiting != draw for waiting, _ in self._waiting):
            self._waiting.append((draw, pace))
        if not self._timer.isActive():  # idle: the first drawing now, the others in turns
            self._draw_next()
            if not self._timer.isActive():
                self._timer.start(DRAW_GAP_MS)

    def _draw_next(self) -> None:
        now = self._clock()
        due = next((k for k, (_, pace) in enumerate(self._waiting) if pace.wait(now) <= 0), None)
        try:
            if due is not None:
                draw, pace = self._waiting.pop(due)
                cpu = time.thread_time()
                draw()
                pace.drew(now, time.thread_time() - cpu)
        finally:
            self._schedule(due is not None)

    def _schedule(self, drew: bool) -> None:
        if not self._waiting:
            return  # (a timer still running keeps the drawings asked for next in turns)
        now = self._clock()
        wait = min(pace.wait(now) for _, pace in self._waiting)
        self._timer.start(max(DRAW_GAP_MS if drew else 0, math.ceil(wait * 1000)))
