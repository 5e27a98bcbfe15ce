"""When a run stops by itself, and what it then says: divergence, early stopping, the epoch limit.

Each rule is a question the trainer asks at the end of a step or an epoch, answered without
touching the run, so the trainer alone changes its state. Finite instability (a loss far
above its start, epoch after epoch) has its own module, :mod:`nnviz.core.run.instability`;
this one words what it found. Every message says what happened and what to try.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnviz.core.design import TrainingSpec
from nnviz.core.run.snapshot import EpochMetrics


def non_finite(metrics: EpochMetrics, weights_finite: bool) -> tuple[str, float] | None:
    """What became non-finite (``"weights"``, or ``"loss"`` and its value), if anything did;
    ``weights_finite`` is the engine's answer (:meth:`~nnviz.core.nn.engine.Engine.finite`)."""
    if not weights_finite:
        return "weights", math.nan
    for loss in (metrics.train_loss, metrics.test_loss):
        if not math.isfinite(loss):
            return "loss", loss
    return None


def diverged_message(what: str, value: float, epoch: int, learning_rate: float) -> str:
    """``what`` (weights or loss) became ``value`` (NaN or infinite) during ``epoch``."""
    became = "non-finite" if what == "weights" else "NaN" if math.isnan(value) else "infinite"
    return f"{what} became {became} at epoch {epoch}; {_lower_rate(learning_rate)}"


def unstable_message(reason: str, learning_rate: float) -> str:
    """A run paused by the instability watch for ``reason``."""
    return f"training is unstable: {reason}; {_lower_rate(learning_rate)}"


def finished_message(epochs: int) -> str:
    return f"finished {epochs} epochs"


def _lower_rate(learning_rate: float) -> str:
    return f"try a learning rate below {learning_rate / 10:.2g}"


@dataclass(frozen=True, eq=False)
class Best:
    """The epoch with the lowest test loss so far: its row, weights and predicted classes."""

    loss: float
    epoch: int
    metrics: EpochMetrics
    params: tuple
    predictions: object


class EarlyStopping:
    """Remembers the best epoch of a run and says when its patience has run out."""

    def __init__(self) -> None:
        self.best: Best | None = None

    def forget(self) -> None:
        """Start afresh (new weights or new data: earlier epochs say nothing of them)."""
        self.best = None

    def track(self, epoch: int, metrics: EpochMetrics, params, predictions) -> None:
        """Take in the row that ended ``epoch`` (a NaN test loss is never the best)."""
        loss = metrics.test_loss
        if math.isnan(loss):
            return
        if self.best is None or loss < self.best.loss:
            self.best = Best(loss, epoch, metrics, params, predictions)

    def due(self, epoch: int, training: TrainingSpec) -> Best | None:
        """The best epoch to go back to when the run should stop at ``epoch``, else None."""
        best = self.best
        if not training.early_stopping or best is None:
            return None
        return best if epoch - best.epoch >= training.patience else None


def early_stopped_message(patience: int, best: Best) -> str:
    return (
        f"test loss did not improve for {patience} epochs; restored the best "
        f"weights, from epoch {best.epoch} (test loss {best.loss:.4g})"
    )
