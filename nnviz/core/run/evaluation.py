"""The per-epoch figures of a run (losses, accuracy or R², dead ReLUs), cheap enough to take
after every epoch even when an epoch is only 25 small steps.

One forward pass covers the training and the test points together (half the NumPy calls of
two), into layer buffers made once per run, so evaluating allocates only a few small arrays.
For a classifier one ``bincount`` of codes made once per run (true class, split) plus the
predicted class counts every split's hits per class: accuracy and per-class recall of both
splits from one NumPy call instead of a dozen.
On large data the training figures come from a fixed sample of :data:`TRAIN_PROBE` training
points (the test figures always from the whole test set): 60,000 MNIST images would otherwise
cost an epoch almost as much again as training on them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.losses import get_loss
from nnviz.core.nn.network import (
    CLASSIFICATION,
    NetworkSpec,
    decision_threshold,
    predict_classes,
)

#: Training figures are measured on at most this many training points.
TRAIN_PROBE = 10_000
#: Narrower layers have their bias added as a repeated row: NumPy adds a broadcast row one
#: row at a time, which for 500 points of 8 units costs 3x copying the row and adding.
NARROW = 16

#: Activations computed in place into their layer's buffer (others allocate their result).
_IN_PLACE = {
    "linear": lambda z: z,
    "tanh": lambda z: np.tanh(z, out=z),
    "relu": lambda z: np.maximum(z, 0, out=z),
}


def _activation(name: str):
    """The function a layer's outputs are computed with: in place when it can be."""
    return _IN_PLACE.get(name) or get_activation(name).value


class Figures(NamedTuple):
    """What one evaluation measures: ``train`` and ``test`` are each ``(loss, accuracy or R²,
    RMSE or NaN)``; ``dead`` the share of dead ReLU units per hidden layer (0 for other
    activations), judged on the training sample; ``classes`` the classes predicted for the
    training sample and the test set, and ``recall`` each class's recall on them (None and
    ``((), ())`` for regression)."""

    train: tuple[float, float, float]
    test: tuple[float, float, float]
    dead: tuple[float, ...]
    classes: tuple[np.ndarray, np.ndarray] | None
    recall: tuple[tuple[float, ...], tuple[float, ...]]


class Evaluation:
    """Evaluates ``[(W, b), ...]`` on a run's training sample and test set.

    Calling it returns the :class:`Figures`. ``probe`` holds the sample's indices into the
    training set, None when the sample is all of it.
    """

    def __init__(self, spec: NetworkSpec, train, test, seed: int = 0) -> None:
        (x_train, t_train, y_train), (x_test, t_test, y_test) = train, test
        self.probe = None
        if len(x_train) > TRAIN_PROBE:
            rng = np.random.default_rng((seed, 2))
            self.probe = probe = np.sort(rng.choice(len(x_train), TRAIN_PROBE, replace=False))
            x_train, t_train, y_train = x_train[probe], t_train[probe], y_train[probe]
        self.spec = spec
        self.n_train = n = len(x_train)
        self.x = np.ascontiguousarray(np.concatenate([x_train, x_test]))
        self.t = (t_train, t_test)
        self.y = (np.asarray(y_train), np.asarray(y_test))
        self.buffers = [np.empty((len(self.x), units), self.x.dtype) for units in spec.sizes[1:]]
        self.loss = get_loss(spec.loss)
        self.fused = self.loss.fused_activation == spec.output_activation
        self.activations = [_activation(name) for name in spec.activations]
        self.relu_layers = [k for k, a in enumerate(spec.activations[:-1]) if a == "relu"]
        self.regression = spec.task != CLASSIFICATION
        self.threshold = decision_threshold(spec)
        self.split = ((slice(0, n)), slice(n, None))
        if self.regression:
            self.spread = tuple(float(np.sum((y - y.mean()) ** 2)) for y in self.y)
        else:
            # Point i's code: (its split, its true class, its predicted class) in base ``k``
            # (at least 2: one output predicts 0 or 1 even for data of one class).
            self.k = k = max(spec.n_classes, 2)
            true = [y.astype(np.int64) for y in self.y]
            self.codes = np.concatenate(true) * k
            self.codes[n:] += k * k
            support = np.array([np.bincount(y, minlength=k)[:k] for y in true], np.float64)
            # A class without points has no hits either: its recall is 0 / 1 = 0.
            self.support = np.maximum(support, 1.0)[:, : spec.n_classes].tolist()
            self.sizes = (n, len(true[1]))

    def __call__(self, params) -> Figures:
        a = self._forward(params, self.x, self.buffers)
        dead = [0.0] * (len(params) - 1)
        for k in self.relu_layers:
            # ReLU outputs are >= 0: a unit is dead on the sample when its largest output is 0.
            dead[k] = float(np.mean(self.buffers[k][: self.n_train].max(axis=0) <= 0))
        if self.regression:
            train, test = (self._scores(a, i) for i in (0, 1))
            return Figures(train, test, tuple(dead), None, ((), ()))
        predicted = self._classes(a)
        k = self.k
        counts = np.bincount(self.codes + predicted, minlength=2 * k * k)
        # The diagonals (predicted = true), as Python ints: a few dozen at most.
        hits = counts.reshape(2, k * k)[:, :: k + 1].tolist()
        train = self._scores(a, 0, sum(hits[0]) / self.sizes[0])
        test = self._scores(a, 1, sum(hits[1]) / self.sizes[1])
        recall = (  # n_classes of the k
            tuple([h / s for h, s in zip(hits[0], self.support[0], strict=False)]),
            tuple([h / s for h, s in zip(hits[1], self.support[1], strict=False)]),
        )
        classes = (predicted[: self.n_train], predicted[self.n_train :])
        return Figures(train, test, tuple(dead), classes, recall)

    def classes_of(self, params, x: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """The predicted class of every row of ``x``, a chunk at a time (bounded memory)."""
        out = np.empty(len(x), np.int64)
        for start in range(0, len(x), chunk):
            part = x[start : start + chunk]
            buffers = [np.empty((len(part), units), x.dtype) for units in self.spec.sizes[1:]]
            out[start : start + chunk] = self._classes(self._forward(params, part, buffers))
        return out

    def _forward(self, params, a: np.ndarray, buffers) -> np.ndarray:
        """The output layer into its buffer: logits when the loss is fused, else outputs."""
        last = len(params) - 1
        layers = zip(params, buffers, self.activations, strict=True)
        for k, ((w, b), z, activate) in enumerate(layers):
            a.dot(w.T, z)
            z += b if len(b) >= NARROW else b[None].repeat(len(z), axis=0)  # the same sums
            # Fused, the output stays logits: the loss and the classes both come from them.
            a = z if k == last and self.fused else activate(z)
        return a

    def _classes(self, a: np.ndarray) -> np.ndarray:
        if self.fused:
            # One output: sigmoid > 0.5 and the step's 1 are both a positive logit.
            return a.argmax(axis=1) if a.shape[1] > 1 else (a[:, 0] > 0).astype(np.int64)
        if a.shape[1] == 1:
            return np.greater(a[:, 0], self.threshold).astype(np.int64)
        return predict_classes(self.spec, a).astype(np.int64)

    def _scores(self, a: np.ndarray, i: int, accuracy=None) -> tuple[float, float, float]:
        """Loss, then ``accuracy`` (classification) or R² (regression), then RMSE (or NaN)."""
        part = a[self.split[i]]
        t, y = self.t[i], self.y[i]
        loss = self.loss.value_from_logits(part, t) if self.fused else self.loss.value(part, t)
        if accuracy is not None:
            return loss, accuracy, math.nan
        errors = part[:, 0].astype(np.float64) - y
        squared = float(np.dot(errors, errors))
        spread = self.spread[i]
        r2 = 1.0 - squared / spread if spread > 0 else math.nan
        return loss, r2, math.sqrt(squared / len(y))
