"""Initial weights: where training starts, which decides a lot about how it goes.

All values are drawn in float64 from the caller's generator and then cast, so a float32 and a
float64 run of the same seed start from the same numbers (up to rounding), and so do the NumPy
and torch engines, which both start from these arrays.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.nn.engine import Params
from nnviz.core.nn.network import NetworkSpec


def _small_random(rng, fan_in, fan_out):
    """``randn * 0.01``, biases 0: the textbooks' choice (fine for shallow nets)."""
    return rng.standard_normal((fan_out, fan_in)) * 0.01, 0.0


def _uniform(rng, fan_in, fan_out):
    """U(-0.5, 0.5), biases 0.1: what TensorFlow Playground does."""
    return rng.uniform(-0.5, 0.5, (fan_out, fan_in)), 0.1


def _xavier(rng, fan_in, fan_out):
    """Glorot/Xavier uniform, U(-l, l) with ``l = sqrt(6 / (fan_in + fan_out))``, biases 0:
    keeps the variance of signals steady through tanh and sigmoid layers."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_out, fan_in)), 0.0


def _he(rng, fan_in, fan_out):
    """He/Kaiming normal, ``randn * sqrt(2 / fan_in)``, biases 0: the same for ReLU layers,
    which zero half their inputs."""
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in), 0.0


INITIALIZER_FUNCTIONS = {
    "small_random": _small_random,
    "uniform": _uniform,
    "xavier": _xavier,
    "he": _he,
}


def init_params(
    spec: NetworkSpec, initializer: str, rng: np.random.Generator, dtype="float32"
) -> Params:
    """Weights ``W`` of shape (out, in) and biases ``b`` of shape (out,) for every dense layer."""
    try:
        draw = INITIALIZER_FUNCTIONS[initializer]
    except KeyError:
        raise ValueError(
            f"unknown initializer {initializer!r}; choose one of {', '.join(INITIALIZER_FUNCTIONS)}"
        ) from None
    params = []
    for fan_in, fan_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True):
        w, bias = draw(rng, fan_in, fan_out)
        params.append((w.astype(dtype), np.full(fan_out, bias, dtype=dtype)))
    return params
