"""Optimizers, update for update the same as ``torch.optim``.

An optimizer updates one flat parameter vector in place from one flat gradient vector (the
NumPy engine keeps every weight and bias as a view into a single vector, so an update is a
handful of NumPy calls whatever the number of layers). The learning rate comes with each call
because the training loop applies the schedule. Moments live in the optimizer, so a new one
starts from zero.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

from nnviz.core.design import OptimizerSpec


class Optimizer(ABC):
    """``step(params, grads, lr)`` changes ``params`` in place; ``grads`` may be overwritten.

    ``state_names`` are the attributes that carry its memory between steps (moments, step
    count): :meth:`state` copies them out and :meth:`load_state` puts them back, which is what
    lets a run be forked from a checkpoint and continue exactly as it would have.
    """

    state_names: tuple[str, ...] = ()

    def __init__(self, spec: OptimizerSpec, size: int, dtype) -> None:
        self.spec = spec
        self.size = size
        self.dtype = np.dtype(dtype)
        self._rate_of = (math.nan, None)

    def _rate(self, lr):
        """A Python float ``lr`` as a 0-d array of the parameters' dtype, made when it changes:
        the same numbers (NumPy casts such a float to the array's dtype), at half the cost of
        an operation on it. Anything else is returned as it is."""
        if type(lr) is not float:
            return lr
        if lr != self._rate_of[0]:
            self._rate_of = (lr, np.array(lr, self.dtype))
        return self._rate_of[1]

    @abstractmethod
    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        """One update of ``params``, in place."""

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the moments (flat vectors) and the step count (a 0-d int64 array)."""
        return {name: np.array(getattr(self, name), copy=True) for name in self.state_names}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Put back what :meth:`state` gave; a missing or misshapen entry is a ValueError."""
        for name in self.state_names:
            if name not in state:
                raise ValueError(f"the optimizer state has no {name!r}")
            current, value = getattr(self, name), np.asarray(state[name])
            if isinstance(current, np.ndarray):
                if value.shape != current.shape:
                    raise ValueError(
                        f"the optimizer's {name!r} has shape {value.shape}; expected "
                        f"{current.shape}"
                    )
                current[...] = value
            elif value.size == 1 and value.dtype.kind in "iu":
                setattr(self, name, int(value.reshape(-1)[0]))
            else:
                raise ValueError(f"the optimizer's {name!r} must be one whole number")


class SGD(Optimizer):
    """``w -= lr * g``."""

    def step(self, params, grads, lr):
        grads *= self._rate(lr)
        params -= grads


class Momentum(Optimizer):
    """torch's SGD with momentum: ``v = mu * v + g``, then ``w -= lr * v``.

    With ``nesterov`` (torch's ``nesterov=True``) the step looks ahead: ``w -= lr * (g + mu * v)``.
    """

    nesterov = False
    state_names = ("velocity",)

    def __init__(self, spec, size, dtype):
        super().__init__(spec, size, dtype)
        self.velocity = np.zeros(size, self.dtype)

    def step(self, params, grads, lr):
        mu = self.spec.momentum
        v = self.velocity
        v *= mu
        v += grads
        if self.nesterov:
            grads += mu * v
            grads *= lr
            params -= grads
        else:
            params -= self._rate(lr) * v


class Nesterov(Momentum):
    nesterov = True


class RMSprop(Optimizer):
    """torch's RMSprop: ``s = rho * s + (1 - rho) * g**2``, ``w -= lr * g / (sqrt(s) + eps)``."""

    state_names = ("square_avg",)

    def __init__(self, spec, size, dtype):
        super().__init__(spec, size, dtype)
        self.square_avg = np.zeros(size, self.dtype)

    def step(self, params, grads, lr):
        rho, s = self.spec.rho, self.square_avg
        s *= rho
        s += (1.0 - rho) * grads * grads
        denom = np.sqrt(s)
        denom += self.spec.epsilon
        grads *= lr
        grads /= denom
        params -= grads


class Adam(Optimizer):
    """torch's Adam with bias correction.

    ``m = b1 m + (1 - b1) g`` and ``v = b2 v + (1 - b2) g**2``; then
    ``w -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.
    """

    state_names = ("m", "v", "t")

    def __init__(self, spec, size, dtype):
        super().__init__(spec, size, dtype)
        self.m = np.zeros(size, self.dtype)
        self.v = np.zeros(size, self.dtype)
        self.t = 0
        self._work = np.empty(size, self.dtype)

    def step(self, params, grads, lr):
        b1, b2, eps = self.spec.beta1, self.spec.beta2, self.spec.epsilon
        self.t += 1
        m, v, work = self.m, self.v, self._work
        # m = b1 m + (1 - b1) g
        m *= b1
        np.multiply(grads, 1.0 - b1, out=work)
        m += work
        # v = b2 v + (1 - b2) g**2  (grads is scratch space from here on)
        v *= b2
        grads *= grads
        grads *= 1.0 - b2
        v += grads
        # w -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps), with c1 and c2 the bias corrections,
        # multiplied through by sqrt(c2) to save one pass over the whole vector.
        c1, root_c2 = 1.0 - b1**self.t, math.sqrt(1.0 - b2**self.t)
        np.sqrt(v, out=work)
        work += eps * root_c2
        np.divide(m, work, out=work)
        work *= lr * root_c2 / c1
        params -= work


class AdamW(Adam):
    """torch's AdamW: decoupled weight decay ``w *= 1 - lr * weight_decay``, then Adam.

    Like ``torch.optim.AdamW(model.parameters())`` it decays every parameter, biases included.
    """

    def step(self, params, grads, lr):
        params *= 1.0 - lr * self.spec.weight_decay
        super().step(params, grads, lr)


OPTIMIZER_CLASSES: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def make_optimizer(spec: OptimizerSpec, size: int, dtype="float32") -> Optimizer:
    """A fresh optimizer (zero moments) for ``size`` parameters."""
    try:
        kind = OPTIMIZER_CLASSES[spec.name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {spec.name!r}; choose one of {', '.join(OPTIMIZER_CLASSES)}"
        ) from None
    return kind(spec, size, dtype)
