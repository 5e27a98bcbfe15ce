"""Telling a run that blows up but stays finite from one that is only noisy.

At a learning rate of 10 the loss rarely becomes NaN: the weights grow until the units
saturate, and the loss jumps about, far above where it started, epoch after epoch. The
trainer shows each epoch's training loss and weights to an :class:`InstabilityWatch`, which
names the problem once it has lasted: in :data:`UNSTABLE_EPOCHS` of the latest
:data:`WINDOW` epochs the loss was

- more than :data:`FAR_ABOVE_START` times its starting value, or
- above its start and more than :data:`FAR_ABOVE_BEST` times its best, or
- above its start with the weights :data:`WEIGHT_GROWTH` times their starting size
  (saturated units: the weights grow, the loss does not fall).

A healthy run's loss falls below its start within a few epochs and stays there, so none of
these holds for it. The perceptron criterion is left out: it grows with the weights
whatever the learning rate, which the perceptron's updates do not care about.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

FAR_ABOVE_START = 2.0
FAR_ABOVE_BEST = 10.0
WEIGHT_GROWTH = 100.0
UNSTABLE_EPOCHS = 4
WINDOW = 8
#: Losses whose size says nothing about stability.
SCALE_FREE_LOSSES = ("perceptron",)


def weight_norm(params) -> float:
    """The L2 norm of all the weight matrices together (biases left out)."""
    return math.sqrt(sum(float(np.vdot(w, w)) for w, _ in params))


class InstabilityWatch:
    """Follows one run's training loss and weights, epoch by epoch."""

    def __init__(self, start_loss: float, params, loss: str) -> None:
        self.start_loss = start_loss
        self.best_loss = start_loss
        self.start_norm = weight_norm(params) or 1.0
        self.enabled = loss not in SCALE_FREE_LOSSES and math.isfinite(start_loss)
        self._recent: deque[str | None] = deque(maxlen=WINDOW)

    def epoch(self, train_loss: float, params) -> str | None:
        """Take in an epoch; the reason the run is unstable, once it has lasted, else None."""
        if not self.enabled:
            return None
        self._recent.append(self._problem(train_loss, params))
        self.best_loss = min(self.best_loss, train_loss)
        problems = [p for p in self._recent if p is not None]
        if len(problems) < UNSTABLE_EPOCHS:
            return None
        return f"{problems[-1]} in {len(problems)} of the last {len(self._recent)} epochs"

    def forget(self) -> None:
        """Start counting afresh (the run went back to an earlier epoch)."""
        self._recent.clear()

    def _problem(self, loss: float, params) -> str | None:
        start = self.start_loss
        if loss > FAR_ABOVE_START * start:
            return f"the loss ({loss:.3g}) was far above its start ({start:.3g})"
        if loss <= start:
            return None
        if loss > FAR_ABOVE_BEST * self.best_loss:
            return f"the loss ({loss:.3g}) was far above its best ({self.best_loss:.3g})"
        growth = weight_norm(params) / self.start_norm
        if growth > WEIGHT_GROWTH:
            return (
                f"the weights grew {growth:.0f}-fold while the loss ({loss:.3g}) stayed above "
                f"its start ({start:.3g})"
            )
        return None
