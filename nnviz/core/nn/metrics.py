"""Where a classifier goes wrong: the confusion matrix and per-class precision, recall and F1.

Accuracy says how often a network is right; the confusion matrix says which classes it takes
for which. Row ``i``, column ``j`` counts the points of true class ``i`` predicted as class
``j`` (scikit-learn's convention), so the diagonal holds the correct answers. A share or a
figure with nothing to divide by (a class with no points, a class never predicted) is 0, as
scikit-learn reports it (``zero_division=0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 counts: rows are true classes, columns predicted ones."""
    y_true = np.asarray(y_true, np.int64)
    y_pred = np.asarray(y_pred, np.int64)
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(numerator, denominator).shape, np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


@dataclass(frozen=True, eq=False)
class ClassReport:
    """The confusion matrix of one split and the per-class figures that follow from it."""

    counts: np.ndarray  # (k, k) int64, rows true, columns predicted

    @classmethod
    def of(cls, y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> ClassReport:
        return cls(confusion_counts(y_true, y_pred, n_classes))

    @property
    def n_classes(self) -> int:
        return len(self.counts)

    @property
    def support(self) -> np.ndarray:
        """Points of each true class."""
        return self.counts.sum(axis=1)

    @property
    def shares(self) -> np.ndarray:
        """Row-normalised counts: of each true class, the share given each prediction."""
        return _ratio(self.counts, self.support[:, None])

    @property
    def precision(self) -> np.ndarray:
        """Of the points predicted as each class, the share that truly are."""
        return _ratio(np.diag(self.counts), self.counts.sum(axis=0))

    @property
    def recall(self) -> np.ndarray:
        """Of the points of each class, the share predicted as it."""
        return _ratio(np.diag(self.counts), self.support)

    @property
    def f1(self) -> np.ndarray:
        """Harmonic mean of precision and recall (0 where both are 0)."""
        p, r = self.precision, self.recall
        return _ratio(2 * p * r, p + r)

    @property
    def accuracy(self) -> float:
        total = self.counts.sum()
        return float(np.trace(self.counts) / total) if total else 0.0

    def macro(self) -> tuple[float, float, float]:
        """Unweighted means over the classes of precision, recall and F1."""
        return float(self.precision.mean()), float(self.recall.mean()), float(self.f1.mean())
