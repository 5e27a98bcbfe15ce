"""The learning-rate range test of Smith (2017), "Cyclical Learning Rates for Training Neural
Networks", as fastai's ``lr_find`` runs it.

From the current weights, train one mini-batch per step while the learning rate grows
exponentially from ``start`` to ``end``; record an exponentially smoothed (and debiased) loss;
stop once it explodes (four times the best so far, or non-finite); then put the weights back
exactly. The suggestion is the rate where the smoothed loss falls fastest against log(rate),
the steepest descent, skipping the first tenth of the steps as fastai does (the average is
still settling there) and looking only up to the lowest loss (beyond it the curve is the
noise of a diverging run, whose drops are no descent).

Two choices differ from fastai's, for the small data sets nnviz trains: the loss recorded after
a step is the loss on (up to :data:`PROBE` of) the training points, not the batch's own loss,
which on a batch of ten points is mostly noise; with that cleaner signal the smoothing is
lighter (0.9 instead of 0.98, whose 50-step memory would drag the curve far to the right of
the rates that caused it), and the sweep takes 200 steps instead of 100. Measured on the
examples (tests/core/test_lr_finder.py): with fastai's choices the suggestion for xor was 10,
which does not train; with these it trains xor and both spirals better than their own rates.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

from nnviz.core.nn.engine import Engine

START = 1e-6
END = 10.0
STEPS = 200
SMOOTHING = 0.9  # weight of the past in the moving average
PROBE = 1024  # training points the loss after each step is measured on
EXPLOSION = 4.0  # stop when the smoothed loss exceeds this many times the best one


@dataclass(frozen=True)
class LRFinding:
    """The rates tried, the smoothed loss after each, the suggestion and why it stopped.

    ``suggested`` is None when the loss never fell (the weights sit at a minimum already or
    the network cannot learn more from these data); ``note`` then says so.
    """

    learning_rates: tuple[float, ...]
    losses: tuple[float, ...]
    suggested: float | None
    stopped: str
    note: str = ""

    def to_json(self) -> dict:
        """What ``nnviz lr-find --json`` prints."""
        return {
            "learning_rates": list(self.learning_rates),
            "losses": list(self.losses),
            "suggested": self.suggested,
        }


def rate_schedule(start: float = START, end: float = END, steps: int = STEPS) -> np.ndarray:
    """``steps`` rates growing exponentially from ``start`` to ``end``, both included."""
    return start * (end / start) ** (np.arange(steps) / (steps - 1))


def find_steps(
    engine: Engine,
    x: np.ndarray,
    t: np.ndarray,
    *,
    batch_size: int,
    start: float = START,
    end: float = END,
    steps: int = STEPS,
    seed: int = 0,
) -> Generator[float, None, LRFinding]:
    """Run the range test on ``engine`` (its optimizer's state is used up: give it a fresh
    engine), yielding the share of steps done; returns the finding. The weights are put back
    exactly, also when the caller closes the generator early."""
    saved = engine.get_params()
    rng = np.random.default_rng(seed)
    size = max(1, min(batch_size, len(x)))
    rates, smoothed = [], []
    average, best = 0.0, math.inf
    stopped = f"reached the largest rate, {end:g}"
    order, cursor = rng.permutation(len(x)), 0
    try:
        with np.errstate(all="ignore"):
            for i, rate in enumerate(rate_schedule(start, end, steps)):
                if cursor + size > len(x):
                    order, cursor = rng.permutation(len(x)), 0
                batch = order[cursor : cursor + size]
                cursor += size
                engine.train_batch(x[batch], t[batch], float(rate))
                loss = float(engine.loss(x[:PROBE], t[:PROBE]))
                if not math.isfinite(loss):
                    stopped = f"the loss became {'NaN' if math.isnan(loss) else 'infinite'}"
                    stopped += f" at the rate {rate:.2g}"
                    break
                average = SMOOTHING * average + (1 - SMOOTHING) * loss
                value = average / (1 - SMOOTHING ** (i + 1))
                rates.append(float(rate))
                smoothed.append(value)
                best = min(best, value)
                yield (i + 1) / steps
                if value > EXPLOSION * best:
                    stopped = f"the loss exploded at the rate {rate:.2g}"
                    break
    finally:
        engine.set_params(saved)
    suggested, note = suggest(np.array(rates), np.array(smoothed))
    return LRFinding(tuple(rates), tuple(smoothed), suggested, stopped, note)


def suggest(rates: np.ndarray, losses: np.ndarray) -> tuple[float | None, str]:
    """The rate of steepest descent of ``losses`` against log(rate), with a note when none."""
    skip = len(rates) // 10
    rates, losses = rates[skip:], losses[skip:]
    if len(rates) < 3:
        return None, "too few steps before the loss exploded to suggest a rate"
    lowest = int(np.argmin(losses))
    rates, losses = rates[: lowest + 1], losses[: lowest + 1]
    slopes = np.gradient(losses, np.log(rates)) if len(rates) > 1 else np.zeros(1)
    steepest = int(np.argmin(slopes))
    if not slopes[steepest] < 0:
        return None, "the loss did not fall at any rate: these weights are at a minimum already"
    return float(rates[steepest]), ""
