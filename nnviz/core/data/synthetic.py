"""More 2D classification sets, on the same [-6, 6] axes as TensorFlow Playground's.

Each generator returns ``(x, y)`` with class indices in ``y``; ``noise`` runs from 0 to 0.5
like the Playground's slider.
"""

from __future__ import annotations

import numpy as np

MOON_SCALE = 3.0  # the unit moons span [-1, 2] x [-0.5, 1]; scaled, they fill the axes


def _counts(n: int, k: int) -> list[int]:
    """``n`` points shared as evenly as possible among ``k`` classes."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half circles (scikit-learn's shape), with Gaussian jitter of sd
    ``noise`` in unit-moon lengths."""
    upper, lower = _counts(n, 2)
    t_upper = rng.uniform(0, np.pi, upper)
    t_lower = rng.uniform(0, np.pi, lower)
    x = np.concatenate(
        [
            np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
            np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
        ]
    )
    x += rng.normal(0.0, 1.0, x.shape) * noise
    return (x - [0.5, 0.25]) * MOON_SCALE, _labels([upper, lower])


BLOB_CENTRE = np.array([2.5, -1.5])  # class 1 here, class 0 at minus this
BLOB_GAP = 0.5  # at zero noise no point lies closer than this to the separating line


def blobs(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs of sd 1 + 3·noise; at zero noise a straight line separates them.

    The line passes through the origin, perpendicular to the line joining the centres.
    """
    first, second = _counts(n, 2)
    sd = 1.0 + 3.0 * noise
    gap = BLOB_GAP if noise == 0 else None
    x = np.concatenate(
        [_blob(-BLOB_CENTRE, sd, first, rng, gap), _blob(BLOB_CENTRE, sd, second, rng, gap)]
    )
    return x, _labels([first, second])


def _blob(
    centre: np.ndarray, sd: float, count: int, rng: np.random.Generator, gap: float | None
) -> np.ndarray:
    """Gaussian points around ``centre``; with a ``gap``, those closer than it to the line
    through the origin perpendicular to ``centre`` (or past it) are drawn again."""
    points = rng.normal(centre, sd, (count, 2))
    if gap is not None:
        towards = centre / np.linalg.norm(centre)
        while (bad := points @ towards < gap).any():
            points[bad] = rng.normal(centre, sd, (int(bad.sum()), 2))
    return points


SPIRAL_TURNS = 1.0
SPIRAL_RADIUS = 5.0


def spirals(
    n: int, noise: float, rng: np.random.Generator, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` arms of one turn out to radius 5, arm k turned by 2πk/K, one class each;
    jitter U(-1, 1)·noise per axis as in the Playground's spiral."""
    counts = _counts(n, classes)
    arms = []
    for k, count in enumerate(counts):
        i = np.arange(count) / count
        r = i * SPIRAL_RADIUS
        t = SPIRAL_TURNS * i * 2 * np.pi + 2 * np.pi * k / classes
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    x = np.concatenate(arms) + rng.uniform(-1, 1, (n, 2)) * noise
    return x, _labels(counts)


BLOB_RING = 3.5


def blobs_multi(
    n: int, noise: float, rng: np.random.Generator, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` Gaussian blobs of sd 0.6 + 2·noise, centred evenly on a circle of radius
    3.5 starting at the top, one class each."""
    counts = _counts(n, classes)
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    centres = BLOB_RING * np.column_stack([np.cos(angles), np.sin(angles)])
    sd = 0.6 + 2.0 * noise
    x = np.concatenate(
        [rng.normal(centre, sd, (count, 2)) for centre, count in zip(centres, counts, strict=True)]
    )
    return x, _labels(counts)


SQUARE = 3.0  # side of a checkerboard square: a 4 x 4 board on [-6, 6]


def checkerboard(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x ~ U(-6, 6)²; the class alternates between 3 × 3 squares. As in the Playground's xor,
    the label is taken at the point plus U(-2.5, 2.5)·noise per axis, so noise flips labels
    near the edges and the points stay."""
    x = rng.uniform(-6, 6, (n, 2))
    shifted = x + rng.uniform(-2.5, 2.5, (n, 2)) * noise
    cells = np.floor(shifted / SQUARE).astype(np.int64)
    return x, (cells.sum(axis=1) % 2).astype(np.int64)


GENERATORS = {"moons": moons, "blobs": blobs, "checkerboard": checkerboard}
MULTI_CLASS_GENERATORS = {"spirals": spirals, "blobs_multi": blobs_multi}
