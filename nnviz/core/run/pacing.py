"""Frame pacing: how often the window is shown the training, all in one place.

The rule: **the panels show at most 30 frames a second, always the newest, and rendering
never slows training.** Three places apply it, each with its part here:

- The training process sends a frame when one is due, at most :data:`FRAME_RATE` a second
  on its own clock, whatever the window does with it (:class:`SendPace`); it never waits for
  the window. Each frame carries every history row since the previous one, so merging frames
  loses no row. The network's views in a frame (decision grid, thumbnails) take at most
  :data:`VIEWS_BUDGET` of the process's time (:class:`ViewsPace`); frames in between carry
  none. At a set speed (epochs per frame) the process trains that many epochs a frame and
  then waits for the next one.
- The relay thread in the window keeps what the GUI thread has not taken yet, consecutive
  frames of one run merged into one (:func:`merge_frames`): the newest snapshot wins, so the
  window never works through a backlog.
- The GUI thread takes frames no sooner than the last few cost it allows
  (:class:`DeliveryPace`): at most :data:`GUI_SHARE` of its time, between
  :data:`MIN_FRAME_INTERVAL` and :data:`MAX_FRAME_INTERVAL` apart. When the panels need
  40 ms to draw a frame, frames come every 50 ms, so the window keeps time for the user.
- Within a frame, each panel draws in a turn of the event loop of its own, no more often
  than its own cost allows (:class:`DrawPace`): at most :data:`PANEL_SHARE` of the GUI
  thread's time for its data and its repaints, and :data:`FRAME_RATE` a second. A cheap curve
  keeps up with every frame; a heavy panel (histograms, the hidden space) draws the latest
  data less often instead of holding up the others. A panel that computes in a background
  thread of the window (the hidden space) keeps that work within :data:`BACKGROUND_SHARE` of
  a core (a :class:`ViewsPace`), so the window never takes training's core.

Everything here is plain arithmetic on clocks handed in, so tests drive it with fake ones.
"""

from __future__ import annotations

import statistics
from collections import deque

from nnviz.core.run.frames import Frame

#: The most frames a second the training process sends.
FRAME_RATE = 30.0
#: Most of the training process's time the views may take; beyond it frames carry no views.
VIEWS_BUDGET = 0.1
#: The GUI thread takes frames at least this far apart and, however slow they are to draw,
#: at most this far apart, in seconds.
MIN_FRAME_INTERVAL = 1 / FRAME_RATE
MAX_FRAME_INTERVAL = 0.5
#: The most of the GUI thread's time drawing frames may take.
GUI_SHARE = 0.8
#: How many of the latest frames the cost of a frame is measured over.
COST_FRAMES = 5
#: The most of the GUI thread's time one panel's drawing (its data and repaints) may take.
PANEL_SHARE = 0.08
#: The most of a core a live panel's work in a background thread of the window may take (the
#: hidden space's mapping): the window's process shares the machine with training.
BACKGROUND_SHARE = 0.1


class SendPace:
    """When the training process sends its next frame, and at a set speed, whether this
    frame's epochs are done (``epochs_per_frame``; None: as fast as possible)."""

    def __init__(self) -> None:
        self.epochs_per_frame: int | None = None
        self._next = 0.0
        self._epochs = 0

    def set_speed(self, epochs_per_frame: int | None) -> None:
        self.epochs_per_frame = epochs_per_frame
        self._epochs = 0

    def start(self, now: float) -> None:
        """Training starts (Play): a frame is due now, and a frame's epochs begin."""
        self._next = now
        self._epochs = 0

    def epoch_done(self) -> None:
        self._epochs += 1

    @property
    def paced_out(self) -> bool:
        """Whether this frame's epochs are done at a set speed (never when unpaced)."""
        return self.epochs_per_frame is not None and self._epochs >= self.epochs_per_frame

    def frame_due(self, now: float) -> bool:
        """Whether to send a frame now: its time has come and, at a set speed, its epochs."""
        return now >= self._next and (self.epochs_per_frame is None or self.paced_out)

    def frame_sent(self, now: float) -> None:
        """Count the next frame from when this one was due (no drift), or from ``now`` when
        it is more than a frame late; its epochs begin."""
        self._next = max(self._next + 1.0 / FRAME_RATE, now)
        self._epochs = 0

    def wait(self, now: float) -> float:
        """How long training may wait before it goes on: until the next frame when this
        frame's epochs are done, else not at all."""
        return max(0.0, self._next - now) if self.paced_out else 0.0


class ViewsPace:
    """When a frame may carry the network's views again, from what the last ones cost (or
    anything else measured within a ``budget``, a share of the time)."""

    def __init__(self, budget: float = VIEWS_BUDGET) -> None:
        self.budget = budget
        self._next = 0.0

    def due(self, now: float) -> bool:
        return now >= self._next

    def wait(self, now: float) -> float:
        """Seconds until it is due (0: now)."""
        return max(0.0, self._next - now)

    def took(self, start: float, end: float) -> None:
        """Views computed from ``start`` to ``end``: the next ones wait so that views take
        at most the budget (:data:`VIEWS_BUDGET`) of the time."""
        self._next = start + (end - start) / self.budget


def merge_frames(older: Frame, newer: Frame) -> Frame:
    """One frame standing for both: every row, the newest snapshot, views, confusion and
    distributions."""
    views = newer.views if newer.views is not None else older.views
    confusion = newer.confusion if newer.confusion is not None else older.confusion
    distributions = newer.distributions or older.distributions
    rows = older.rows + newer.rows
    return Frame(newer.generation, rows, newer.snapshot, views, confusion, distributions)


def frame_interval(costs) -> float:
    """Seconds from one frame to the next when frames cost the GUI thread ``costs`` (CPU
    seconds, the latest few): the median over ``GUI_SHARE``, within the limits. The median,
    so that one slow frame (a garbage collection, say) does not slow the next ones."""
    cost = statistics.median(costs) if costs else 0.0
    return min(MAX_FRAME_INTERVAL, max(MIN_FRAME_INTERVAL, cost / GUI_SHARE))


def next_due(due: float, delivered: float, interval: float) -> float:
    """When the next frame is due, after one that was due at ``due`` came at ``delivered``.

    Counted from when it was due, not when it came: a timer a few milliseconds late would
    otherwise lower the frame rate by as much every frame. A frame more than an interval late
    (the window was busy, training was paused) starts the count afresh.
    """
    return (due if delivered - due < MIN_FRAME_INTERVAL else delivered) + interval


class DeliveryPace:
    """When the GUI thread takes the next frames, from the CPU time the last few cost it
    (its time from one delivery to the next: slots, repaints and whatever else it did)."""

    def __init__(self) -> None:
        self._next = 0.0
        self._last = 0.0
        self._cpu = 0.0
        self._costs: deque[float] = deque(maxlen=COST_FRAMES)

    def wait(self, now: float) -> float:
        """Seconds until frames may be taken (0: now)."""
        return max(0.0, self._next - now)

    def delivered(self, start: float, cpu: float) -> None:
        """Frames were taken at ``start`` (a monotonic clock) with the GUI thread's CPU clock
        at ``cpu`` afterwards; the first after a pause starts the measure afresh."""
        if start - self._last > MAX_FRAME_INTERVAL:
            self._costs.clear()
        else:
            self._costs.append(cpu - self._cpu)
        self._next = next_due(self._next, start, frame_interval(self._costs))
        self._last, self._cpu = start, cpu


class DrawPace:
    """When a panel may draw again, from what its last drawing cost the GUI thread (CPU
    seconds: its data, then its repaints, which come a turn later and are added with
    :meth:`add`): the next waits until the drawing took at most ``share`` of the time since
    it began, and comes at most :data:`FRAME_RATE` times a second."""

    def __init__(self, share: float = PANEL_SHARE) -> None:
        self.share = share
        self._start = -float("inf")
        self._cost = 0.0

    def wait(self, now: float) -> float:
        """Seconds until the panel may draw (0: now)."""
        interval = max(MIN_FRAME_INTERVAL, self._cost / self.share)
        return max(0.0, self._start + interval - now)

    def drew(self, start: float, cost: float) -> None:
        """A drawing began at ``start`` (a monotonic clock) and cost ``cost`` CPU seconds."""
        self._start, self._cost = start, cost

    def add(self, cost: float) -> None:
        """More of the last drawing's cost, paid later (its repaint)."""
        self._cost += cost
