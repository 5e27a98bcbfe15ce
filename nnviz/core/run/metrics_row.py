"""A run's row of figures for one moment: the evaluation's losses and scores, per-class
recall, the gradient norms, and the classes the weights predict.

The trainer takes a row after every epoch (and every batch when stepping), and at TensorFlow
Playground's size an epoch is only 25 small steps, so the row must cost about one step: the
figures come from :class:`~nnviz.core.run.evaluation.Evaluation` (one forward pass over the
training and test points together, into buffers made once); the gradient norms are those of
the epoch's last batch, which the engine keeps from the gradients it computed anyway
(``train_batch(..., measure=True)``), not an extra pass. Only a row before any step (a run's
first, imported or restored weights) takes a gradient, on at most :data:`GRADIENT_PROBE`
training points. On large data the training figures come from a sample, and the classes of
every training point are worked out only when someone asks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from nnviz.core.run.evaluation import Evaluation
from nnviz.core.run.snapshot import EpochMetrics, read_only

#: Before any step, gradient norms are measured on at most this many training points (the
#: first ones; the data set is already shuffled), so their cost does not grow with the data.
GRADIENT_PROBE = 256

#: The classes predicted for the training and the test points (read-only), a function that
#: works them out when asked (a sampled evaluation), or None (regression).
Predictions = tuple[np.ndarray, np.ndarray] | Callable[[], tuple[np.ndarray, np.ndarray]] | None


class MetricsRow:
    """Measures weights of one run on its data: ``x_train`` and ``t_train`` are all of it,
    for the classes of every training point and gradients before any step."""

    def __init__(self, evaluation: Evaluation, x_train, t_train) -> None:
        self.evaluation = evaluation
        self.x_train, self.t_train = x_train, t_train

    def __call__(
        self, params, *, epoch: int, step: int, learning_rate: float, grad_norms: tuple
    ) -> tuple[EpochMetrics, Predictions]:
        """The row of ``params`` at ``epoch``/``step`` and the classes they predict."""
        evaluation = self.evaluation
        train, test, dead, classes, recall = evaluation(params)
        predictions = None
        if classes is not None:
            test_classes = read_only(classes[1])
            if evaluation.probe is None:
                predictions = (read_only(classes[0]), test_classes)
            else:  # measured on a sample: every training point's class only when asked for
                predictions = functools.partial(self._all_predictions, params, test_classes)
        metrics = EpochMetrics(
            epoch=epoch,
            step=step,
            train_loss=train[0],
            test_loss=test[0],
            train_metric=train[1],
            test_metric=test[1],
            train_rmse=train[2],
            test_rmse=test[2],
            learning_rate=learning_rate,
            grad_norms=grad_norms,
            dead_fraction=dead,
            train_recall=recall[0],
            test_recall=recall[1],
        )
        return metrics, predictions

    def _all_predictions(self, params, test_classes) -> tuple[np.ndarray, np.ndarray]:
        return read_only(self.evaluation.classes_of(params, self.x_train)), test_classes

    def probe_gradient_norms(self, engine) -> tuple[float, ...]:
        """L2 norm of each dense layer's weight gradient on the first training points, for a
        row before any batch has measured them."""
        probe = slice(0, GRADIENT_PROBE)
        _, grads = engine.gradients(self.x_train[probe], self.t_train[probe])
        return tuple(float(np.sqrt(np.vdot(w, w))) for w, _ in grads)
