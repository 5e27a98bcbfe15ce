"""Loss functions: a value to report and a gradient to start backprop from.

Each loss gives ``value(outputs, targets)`` (a float) and ``gradient(outputs, targets)``
(dLoss/doutputs). Cross-entropy after a sigmoid or a softmax also has a *fused* form that works
on the logits ``z`` instead: its value never takes the log of 0, and its gradient with respect
to ``z`` collapses to ``(p - t) / n``, which is both cheaper and exact (no ``1 / p`` blowing up
when the output saturates). The engine uses the fused form whenever the pair matches.

Reductions match torch's: MSE is the mean over every element (``nn.MSELoss``), the
cross-entropies are means over samples (one sigmoid output, or ``-sum t log p`` per row).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from nnviz.core.nn.activations import softplus

#: Smallest log torch's BCELoss allows; keeps the unfused value finite at p = 0 or 1.
LOG_FLOOR = -100.0


class Loss(ABC):
    name = ""
    #: The output activation this loss has a fused form for: such a loss also provides
    #: ``value_from_logits(z, t)`` and ``gradient_wrt_logits(outputs, t)`` (dLoss/dz).
    fused_activation: str | None = None

    @abstractmethod
    def value(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        """The loss, averaged as torch averages it."""

    @abstractmethod
    def gradient(self, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """dLoss/doutputs."""

    def value_and_gradient(self, outputs: np.ndarray, targets: np.ndarray):
        """Both at once (a loss may share work between them)."""
        return self.value(outputs, targets), self.gradient(outputs, targets)

    def value_and_gradient_into(self, out: np.ndarray):
        """``value_and_gradient`` for outputs shaped like ``out``, made once for a training
        step's buffer: the same numbers, the gradient written into ``out`` where the loss
        can (every allocation and Python-float operand shows on a playground network)."""
        return self.value_and_gradient

    def gradient_into(self, out: np.ndarray):
        """``gradient`` for outputs shaped like ``out``, written into ``out``: the steps
        whose loss nobody reads (see :meth:`nnviz.core.nn.engine.Engine.train_batches`)."""

        def gradient(outputs, targets):
            np.copyto(out, self.gradient(outputs, targets))
            return out

        return gradient

    def gradient_wrt_logits_into(self, out: np.ndarray):
        """A fused loss's ``gradient_wrt_logits`` written into ``out``, made once like
        :meth:`value_and_gradient_into`: every fused loss has dLoss/dz ``= (outputs -
        targets) / n``."""
        n = out.shape[0]

        def gradient(outputs, targets):
            np.subtract(outputs, targets, out)
            return np.divide(out, n, out)

        return gradient


class MeanSquaredError(Loss):
    name = "mse"

    def value(self, outputs, targets):
        diff = outputs - targets
        return float(np.vdot(diff, diff)) / diff.size

    def gradient(self, outputs, targets):
        return (outputs - targets) * (2.0 / outputs.size)

    def value_and_gradient(self, outputs, targets):
        return self.value_and_gradient_into(np.empty_like(outputs))(outputs, targets)

    def value_and_gradient_into(self, out):
        flat = out.reshape(-1)  # a view: ``out`` is a C-ordered buffer
        scale = np.array(2.0 / out.size, out.dtype)  # what NumPy makes of the Python float

        def value_and_gradient(outputs, targets):
            np.subtract(outputs, targets, out)
            value = float(flat.dot(flat)) / flat.size  # ndarray.dot: vdot's BLAS call
            return value, np.multiply(out, scale, out)

        return value_and_gradient

    def gradient_into(self, out):
        scale = np.array(2.0 / out.size, out.dtype)

        def gradient(outputs, targets):
            return np.multiply(np.subtract(outputs, targets, out), scale, out)

        return gradient


class BinaryCrossEntropy(Loss):
    """``-mean(t log p + (1 - t) log(1 - p))`` over samples, for one sigmoid output."""

    name = "binary_cross_entropy"
    fused_activation = "sigmoid"

    def value(self, outputs, targets):
        log_p = np.maximum(_log(outputs), LOG_FLOOR)
        log_q = np.maximum(_log(1.0 - outputs), LOG_FLOOR)
        return -float(np.mean(targets * log_p + (1.0 - targets) * log_q)) + 0.0  # never -0.0

    def gradient(self, outputs, targets):
        eps = np.finfo(outputs.dtype).tiny
        return (outputs - targets) / (np.maximum(outputs * (1.0 - outputs), eps) * outputs.size)

    def value_from_logits(self, z: np.ndarray, targets: np.ndarray) -> float:
        """The same loss computed from ``z``: ``softplus(z) - t z`` is ``-log`` of the right
        probability and never overflows."""
        z = np.asarray(z, np.float64)  # float32 rounds a confident point's loss to 0
        return float(np.mean(softplus(z) - targets * z)) + 0.0  # + 0.0: never -0.0

    def gradient_wrt_logits(self, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """dLoss/dz ``= (p - t) / n`` with ``p = sigmoid(z)`` the outputs."""
        return (outputs - targets) / outputs.shape[0]


class CategoricalCrossEntropy(Loss):
    """``mean over samples of -sum(t log p)``, for a softmax output and one-hot targets."""

    name = "categorical_cross_entropy"
    fused_activation = "softmax"

    def value(self, outputs, targets):
        log_p = np.maximum(_log(outputs), LOG_FLOOR)
        return -float(np.sum(targets * log_p)) / outputs.shape[0] + 0.0  # never -0.0

    def gradient(self, outputs, targets):
        eps = np.finfo(outputs.dtype).tiny
        return -targets / (np.maximum(outputs, eps) * outputs.shape[0])

    def value_from_logits(self, z, targets):
        """``log softmax(z) = z - max - log(sum(exp(z - max)))``: the largest term is exp(0)."""
        z = np.asarray(z, np.float64)  # float32 rounds a confident point's loss to 0
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        # - sum(t log p) is -0.0 when every p of a target is 1: adding 0.0 makes it 0.0
        return -float(np.sum(targets * log_p)) / z.shape[0] + 0.0

    def gradient_wrt_logits(self, outputs, targets):
        """dLoss/dz ``= (p - t) / n`` with ``p = softmax(z)`` the outputs."""
        return (outputs - targets) / outputs.shape[0]


class PerceptronLoss(Loss):
    """The share of misclassified samples: what the perceptron rule drives to zero.

    The step output has no useful derivative, so the "gradient" is the one of the perceptron
    criterion ``mean(-(t - y) z)`` with respect to the logits, ``(y - t) / n``: plain gradient
    descent with it is the batch form of the perceptron rule.
    """

    name = "perceptron"
    fused_activation = "step"

    def value(self, outputs, targets):
        return float(np.mean(np.any(outputs != targets, axis=1)))

    def gradient(self, outputs, targets):
        return (outputs - targets) / outputs.shape[0]

    def value_from_logits(self, z, targets):
        return self.value((z > 0).astype(z.dtype), targets)

    def gradient_wrt_logits(self, outputs, targets):
        return self.gradient(outputs, targets)


def _log(p: np.ndarray) -> np.ndarray:
    """``log p`` with ``log 0 = -inf`` and no divide-by-zero warning (the caller floors it)."""
    with np.errstate(divide="ignore"):
        return np.log(p)


LOSS_FUNCTIONS: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        MeanSquaredError(),
        BinaryCrossEntropy(),
        CategoricalCrossEntropy(),
        PerceptronLoss(),
    )
}


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (one of :data:`nnviz.core.design.LOSSES` except "auto")."""
    try:
        return LOSS_FUNCTIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown loss {name!r}; choose one of {', '.join(LOSS_FUNCTIONS)}"
        ) from None
