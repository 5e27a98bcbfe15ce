"""1D regression sets for the universal-approximation lesson: one input, one target."""

from __future__ import annotations

import numpy as np

from nnviz.core.data.catalog import LINE_EXTENT


def _step(x: np.ndarray) -> np.ndarray:
    return (x >= 0).astype(np.float64)


def _polynomial(x: np.ndarray) -> np.ndarray:
    return x**3 / 10 - x / 2


CURVES = {"sine": np.sin, "abs": np.abs, "step": _step, "polynomial": _polynomial}


def line(
    name: str, n: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """x ~ U(-π, π) as a column; the curve's value plus Gaussian noise of sd ``noise``."""
    x = rng.uniform(*LINE_EXTENT, n)
    y = CURVES[name](x) + rng.normal(0.0, 1.0, n) * noise
    return x[:, None], y
