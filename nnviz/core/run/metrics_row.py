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
every training point are worked out only when someone asks (:class:`AllPredictions`: the
training process works them out a slice at a time between frames, 0.23 s for 60,000 MNIST
images that would otherwise hold up the frames).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnviz.core.run.evaluation import Evaluation
from nnviz.core.run.snapshot import EpochMetrics, read_only

#: Before any step, gradient norms are measured on at most this many training points (the
#: first ones; the data set is already shuffled), so their cost does not grow with the data.
GRADIENT_PROBE = 256

#: Rows of training points whose classes :meth:`AllPredictions.work` works out at a time.
CHUNK = 1024

#: The classes predicted for the training and the test points (read-only), a function that
#: works them out when asked (a sampled evaluation: :class:`AllPredictions`), or None
#: (regression).
Predictions = tuple[np.ndarray, np.ndarray] | Callable[[], tuple[np.ndarray, np.ndarray]] | None


class AllPredictions:
    """The classes that one snapshot's weights predict for every training point, worked out
    a chunk at a time (:meth:`work`) or all at once when called; ``test_classes`` are known."""

    def __init__(self, evaluation: Evaluation, params, x_train, test_classes) -> None:
        self._evaluation, self._params, self._x = evaluation, params, x_train
        self._test_classes = test_classes
        self._classes = np.empty(len(x_train), np.int64)
        self._done = 0

    @property
    def finished(self) -> bool:
        return self._done >= len(self._x)

    def work(self, deadline: float, clock: Callable[[], float]) -> bool:
        """Work out chunks until ``clock()`` reaches ``deadline`` or all are done (True)."""
        while not self.finished:
            stop = self._done + CHUNK
            part = self._x[self._done : stop]
            self._classes[self._done : stop] = self._evaluation.classes_of(self._params, part)
            self._done = min(stop, len(self._x))
            if clock() >= deadline:
                break
        return self.finished

    def __call__(self) -> tuple[np.ndarray, np.ndarray]:
        self.work(float("inf"), lambda: 0.0)
        return read_only(self._classes), self._test_classes


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
                predictions = AllPredictions(evaluation, params, self.x_train, test_classes)
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

    def probe_gradient_norms(self, engine) -> tuple[float, ...]:
        """L2 norm of each dense layer's weight gradient on the first training points, for a
        row before any batch has measured them."""
        probe = slice(0, GRADIENT_PROBE)
        _, grads = engine.gradients(self.x_train[probe], self.t_train[probe])
        return tuple(float(np.sqrt(np.vdot(w, w))) for w, _ in grads)
