"""TensorFlow Playground's six data sets, generated as its ``dataset.ts`` does.

Same shapes, ranges and noise model, so a user who knows the Playground gets the same
pictures; the random numbers come from NumPy, so individual points differ. The Playground's
label -1 is class 0 here and +1 is class 1. Each generator takes the number of points, the
noise (0 to 0.5) and a NumPy generator, and returns ``(x, y)`` in generation order.
"""

from __future__ import annotations

import numpy as np

RADIUS = 5.0  # the Playground's data radius (its axes span [-6, 6])


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half the points at radius U(0, 2.5), half at U(3.5, 5); class 1 inside radius 2.5.

    The label is taken at the point plus per-axis noise U(-5, 5)·noise, so noise flips labels
    near the boundary while the points stay where they are.
    """
    inner, outer = _halves(n)
    r = np.concatenate(
        [rng.uniform(0, RADIUS * 0.5, inner), rng.uniform(RADIUS * 0.7, RADIUS, outer)]
    )
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = x + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    y = (np.hypot(shifted[:, 0], shifted[:, 1]) < RADIUS * 0.5).astype(np.int64)
    return x, y


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x1, x2 ~ U(-5, 5), each pushed 0.3 away from its axis; class 1 where x1·x2 >= 0."""
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, 0.3, -0.3)
    shifted = x + rng.uniform(-5, 5, (n, 2)) * noise
    y = (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)
    return x, y


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 around (2, 2), class 0 around (-2, -2), variance 0.5 + 7·noise per axis."""
    positive, negative = _halves(n)
    sd = np.sqrt(0.5 + 7 * noise)
    x = np.concatenate([rng.normal(2.0, sd, (positive, 2)), rng.normal(-2.0, sd, (negative, 2))])
    y = np.concatenate([np.ones(positive, np.int64), np.zeros(negative, np.int64)])
    return x, y


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two arms of 1.75 turns out to radius 5, the second turned by π; jitter U(-1, 1)·noise."""
    first, second = _halves(n)
    x = np.concatenate([_arm(first, 0.0, noise, rng), _arm(second, np.pi, noise, rng)])
    y = np.concatenate([np.ones(first, np.int64), np.zeros(second, np.int64)])
    return x, y


def _arm(count: int, delta: float, noise: float, rng: np.random.Generator) -> np.ndarray:
    i = np.arange(count) / count
    r = i * RADIUS
    t = 1.75 * i * 2 * np.pi + delta
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return points + rng.uniform(-1, 1, (count, 2)) * noise


def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x ~ U(-6, 6)²; target ((x1 + n1) + (x2 + n2)) / 10 with n ~ U(-6, 6)·noise."""
    x, shifted = _uniform_with_noise(n, noise, rng)
    return x, shifted.sum(axis=1) / 10


GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Six bumps sign·clamp(1 - d/2, 0, 1); the target is the one of largest magnitude."""
    x, shifted = _uniform_with_noise(n, noise, rng)
    d = np.hypot(
        shifted[:, :1] - GAUSSIANS[:, 0], shifted[:, 1:] - GAUSSIANS[:, 1]
    )  # (n, 6) distances to the centres
    values = GAUSSIANS[:, 2] * np.clip(1 - d / 2, 0, 1)
    strongest = np.abs(values).argmax(axis=1)
    return x, values[np.arange(n), strongest]


def _uniform_with_noise(
    n: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points ~ U(-6, 6)² and the noisy positions their regression target is computed at."""
    x = rng.uniform(-6, 6, (n, 2))
    return x, x + rng.uniform(-6, 6, (n, 2)) * noise


GENERATORS = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "plane": plane,
    "multi_gauss": multi_gauss,
}
