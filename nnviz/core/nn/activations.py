"""Activation functions, each with its derivative right next to it.

An activation maps a layer's pre-activation ``z`` to its output ``a = f(z)``. Backprop needs
``df/dz``; :meth:`Activation.derivative` receives both ``z`` and ``a`` because the derivative is
often cheapest from the output (``tanh' = 1 - a**2``, ``sigmoid' = a * (1 - a)``).

Every function is written to stay finite at ``|z| = 1000`` without overflow or invalid-value
warnings: exponentials only ever see ``-|z|`` (they may underflow to 0, which is the right
answer and which NumPy ignores by default).

The semantics match torch's: leaky ReLU slope 0.01, ELU alpha 1, GELU in its exact erf form,
softplus is linear above 20, ReLU and leaky ReLU take the lower slope at exactly 0.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Activation(ABC):
    """``value(z)`` is the forward pass, ``derivative(z, a)`` the elementwise ``df/dz``."""

    name = ""

    @abstractmethod
    def value(self, z: np.ndarray) -> np.ndarray:
        """``f(z)``, elementwise (row by row for softmax)."""

    @abstractmethod
    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """``df/dz`` elementwise, from ``z`` or from the output ``a = f(z)``."""

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """dLoss/dz from dLoss/da: the chain rule (elementwise; softmax overrides it)."""
        return grad_a * self.derivative(z, a)

    # The training step's forms: the same numbers, written into the buffers the engine made
    # once (a step on a playground network is dozens of NumPy calls on tiny arrays, and
    # every allocation shows). The common activations compute in place; the others copy.

    def value_into(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``value(z)`` written into ``out``; returns ``out``."""
        np.copyto(out, self.value(z))
        return out

    def backward_into(
        self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        """``backward(z, a, grad_a)`` written into ``out`` (``grad_a`` may be overwritten);
        returns ``out``."""
        np.copyto(out, self.backward(z, a, grad_a))
        return out


class Linear(Activation):
    name = "linear"

    def value(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, grad_a):
        return grad_a


class Sigmoid(Activation):
    name = "sigmoid"

    def value(self, z):
        return sigmoid(z)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def backward(self, z, a, grad_a):
        ga = grad_a * a
        return ga - ga * a  # = grad_a * a * (1 - a), see Tanh.backward

    def backward_into(self, z, a, grad_a, out):
        ga = np.multiply(grad_a, a, grad_a)
        np.multiply(ga, a, out)
        return np.subtract(ga, out, out)


class Tanh(Activation):
    name = "tanh"

    def value(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1.0 - a * a

    def backward(self, z, a, grad_a):
        # = grad_a * (1 - a * a) with array operations only: on the tiny arrays of a playground
        # network, NumPy spends longer on a Python-float operand than on the arithmetic.
        return grad_a - grad_a * a * a

    def value_into(self, z, out):
        return np.tanh(z, out)

    def backward_into(self, z, a, grad_a, out):
        np.multiply(grad_a, a, out)
        out *= a
        return np.subtract(grad_a, out, out)


class ReLU(Activation):
    name = "relu"

    def value(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)

    def value_into(self, z, out):
        return np.maximum(z, 0.0, out=out)

    def backward_into(self, z, a, grad_a, out):
        return np.multiply(grad_a, z > 0, out)


class LeakyReLU(Activation):
    name = "leaky_relu"
    slope = 0.01  # torch's default negative_slope

    def value(self, z):
        return np.where(z > 0, z, self.slope * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.slope).astype(z.dtype)


class ELU(Activation):
    name = "elu"
    alpha = 1.0

    def value(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)


class GELU(Activation):
    """Exact GELU, ``z * Phi(z)`` with ``Phi`` the standard normal CDF (torch's default).

    NumPy has no erf; :func:`erf` calls the C library's ``math.erf`` per element, exact to the
    last bit and about 70 ns per element: cheaper than a pure-NumPy series of equal accuracy on
    the small networks nnviz draws (~6 µs for 80 values), slower on wide ones (~1.7 ms for
    25,000 values).
    """

    name = "gelu"

    def value(self, z):
        return z * normal_cdf(z)

    def derivative(self, z, a):
        return normal_cdf(z) + z * INV_SQRT_2PI * np.exp(-0.5 * z * z)


class SiLU(Activation):
    name = "silu"

    def value(self, z):
        return z * sigmoid(z)

    def derivative(self, z, a):
        s = sigmoid(z)
        return s * (1.0 + z * (1.0 - s))


class Softplus(Activation):
    """``log(1 + exp(z))``; above ``threshold`` it is ``z`` itself, as in torch."""

    name = "softplus"
    threshold = 20.0

    def value(self, z):
        return np.where(z > self.threshold, z, softplus(z))

    def derivative(self, z, a):
        return np.where(z > self.threshold, 1.0, sigmoid(z)).astype(z.dtype)


class Softmax(Activation):
    """Softmax over each row; its derivative is a Jacobian, so it overrides ``backward``."""

    name = "softmax"

    def value(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def derivative(self, z, a):
        """The Jacobian's diagonal, ``a * (1 - a)`` (``backward`` uses the whole Jacobian)."""
        return a * (1.0 - a)

    def backward(self, z, a, grad_a):
        # J = diag(a) - a a^T per row, so J^T g = a * (g - <g, a>).
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))


class Step(Activation):
    """Heaviside step, 1 where ``z > 0``: the perceptron's output. Its derivative is 0 almost
    everywhere, which is why the perceptron trains with its own rule instead of gradients."""

    name = "step"

    def value(self, z):
        return (z > 0).astype(z.dtype)

    def derivative(self, z, a):
        return np.zeros_like(z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` without ever computing ``exp`` of a large positive number."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def softplus(z: np.ndarray) -> np.ndarray:
    """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: stable for any ``z``."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def erf(x: np.ndarray) -> np.ndarray:
    """The error function elementwise, through the C library's ``math.erf`` (see GELU)."""
    x = np.asarray(x)
    flat = np.fromiter(map(math.erf, x.ravel().tolist()), dtype=np.float64, count=x.size)
    return flat.reshape(x.shape).astype(x.dtype, copy=False)


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """``Phi(z)``, the standard normal cumulative distribution."""
    return 0.5 * (1.0 + erf(z * SQRT_HALF))


ACTIVATION_FUNCTIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Linear(),
        Sigmoid(),
        Tanh(),
        ReLU(),
        LeakyReLU(),
        ELU(),
        GELU(),
        SiLU(),
        Softplus(),
        Softmax(),
        Step(),
    )
}


def get_activation(name: str) -> Activation:
    """The activation called ``name`` (one of :data:`nnviz.core.design.ACTIVATIONS`)."""
    try:
        return ACTIVATION_FUNCTIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATION_FUNCTIONS)}"
        ) from None
