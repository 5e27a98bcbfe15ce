"""The loss around the weights, after Li et al. (2018), "Visualizing the Loss Landscape of
Neural Nets".

The training loss is evaluated on a plane through the weights ``θ``: at ``θ + α δ + β η`` for
a grid of ``α`` and ``β``. The directions are random but *filter-normalised*: for an MLP every
row of every weight matrix of a direction (the incoming weights of one neuron) is scaled to the
norm of the same row of ``θ``, so a step of 1 moves each neuron as far as its own weights are
long, and pictures of different networks compare. As in Li et al.'s code the biases do not
move (their directions are zero). For the optimizer's path the plane may instead be the one of
the path's first two principal components, where a path shows best (Li et al., section 7).

Besides the plane, :func:`interpolation` gives the 1D slice from the initial to the current
weights (Goodfellow et al., 2015).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core.insight.problem import Problem, stack
from nnviz.core.nn.engine import Params

DEFAULT_GRID = 41
DEFAULT_SPAN = 1.0
#: The 1D slice from the initial (t = 0) to the current (t = 1) weights, with a margin each side.
SLICE_RANGE = (-0.5, 1.5)
SLICE_POINTS = 81
RANDOM = "random"
PATH = "path"


@dataclass(frozen=True, eq=False)
class Landscape:
    """``loss[i, j]`` is the training loss at ``θ + alphas[i] δ + betas[j] η``.

    ``path`` holds the coordinates (α, β) of the weights the caller passed as the optimizer's
    path, ``explained`` the share of the path's variance each axis holds (PATH planes only).
    """

    grid: int
    span: float
    seed: int
    plane: str  # RANDOM or PATH
    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    directions: tuple[Params, Params]
    path: np.ndarray | None = None
    explained: tuple[float, float] | None = None

    @property
    def centre(self) -> float:
        """The loss at the weights themselves (α = β = 0)."""
        return float(self.loss[self.grid // 2, self.grid // 2])

    def to_json(self) -> dict:
        """What ``nnviz landscape --json`` prints (non-finite losses as null)."""
        return {
            "grid": self.grid,
            "span": self.span,
            "seed": self.seed,
            "alphas": [float(a) for a in self.alphas],
            "betas": [float(b) for b in self.betas],
            "loss": [[_plain(v) for v in row] for row in self.loss],
        }


def grid_axis(grid: int, span: float) -> np.ndarray:
    """``grid`` (odd) values from ``-span`` to ``span``; the middle one is exactly 0."""
    if grid < 3 or grid % 2 == 0:
        raise ValueError(f"the grid needs an odd number of points, at least 3 (got {grid})")
    if not (span > 0 and math.isfinite(span)):
        raise ValueError(f"the span must be a positive number (got {span})")
    half = grid // 2
    return span * (np.arange(grid) - half) / half


def filter_normalized_direction(params: Params, rng: np.random.Generator) -> Params:
    """A Gaussian random direction with each weight row scaled to the norm of that row of
    ``params`` (a row of zeros stays zero); bias directions are zero."""
    direction = []
    for w, b in params:
        w = np.asarray(w)
        d = rng.standard_normal(w.shape)
        row_norms = np.linalg.norm(d, axis=1, keepdims=True)
        d *= np.linalg.norm(w, axis=1, keepdims=True) / np.where(row_norms > 0, row_norms, 1.0)
        direction.append((d.astype(w.dtype), np.zeros_like(np.asarray(b))))
    return direction


def random_plane(params: Params, seed: int) -> tuple[Params, Params]:
    """Two filter-normalised directions drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    return filter_normalized_direction(params, rng), filter_normalized_direction(params, rng)


def path_plane(params: Params, path: Sequence[Params]) -> tuple[tuple[Params, Params], tuple]:
    """The plane of the first two principal components of ``path - params`` (Li et al.):
    each direction is scaled so the path lies within ±1 along it. Returns the directions and
    the share of the path's variance along each."""
    centre = to_vector(params)
    offsets = np.array([to_vector(p) - centre for p in path], dtype=np.float64)
    if len(offsets) < 2 or not np.any(offsets):
        raise ValueError("the path needs at least two different weights besides the current")
    _, singular, vt = np.linalg.svd(offsets, full_matrices=False)
    if len(vt) < 2:
        vt = np.vstack([vt, np.zeros_like(vt)])
        singular = np.append(singular, 0.0)
    directions, explained = [], []
    total = float(np.sum(singular**2)) or 1.0
    for k in range(2):
        extent = float(np.max(np.abs(offsets @ vt[k]))) or 1.0
        directions.append(from_vector(vt[k] * extent, params))
        explained.append(float(singular[k] ** 2) / total)
    return (directions[0], directions[1]), (explained[0], explained[1])


def project(path: Sequence[Params], params: Params, directions) -> np.ndarray:
    """Coordinates (α, β) of each weights of ``path`` on the plane through ``params`` (least
    squares: the nearest point of the plane, as the directions need not be orthogonal)."""
    basis = np.column_stack([to_vector(d) for d in directions]).astype(np.float64)
    centre = to_vector(params)
    offsets = np.array([to_vector(p) - centre for p in path], dtype=np.float64)
    coords, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
    return coords.T


def landscape_steps(
    problem: Problem,
    params: Params,
    *,
    grid: int = DEFAULT_GRID,
    span: float = DEFAULT_SPAN,
    seed: int = 0,
    plane: str = RANDOM,
    path: Sequence[Params] | None = None,
) -> Generator[float, None, Landscape]:
    """Compute the landscape a row at a time, yielding the share done; returns it.

    ``plane`` PATH needs ``path`` (weights of the run, oldest first); with RANDOM a path, if
    given, is projected onto the random plane.
    """
    axis = grid_axis(grid, span)
    explained = None
    if plane == PATH:
        if not path:
            raise ValueError("the path's plane needs the weights of the run")
        directions, explained = path_plane(params, path)
    else:
        directions = random_plane(params, seed)
    loss = np.empty((grid, grid))
    yield 0.0
    for i, alpha in enumerate(axis):
        row = [
            (
                w[None] + alpha * dw[None] + axis[:, None, None] * ew[None],
                b[None] + alpha * db[None] + axis[:, None] * eb[None],
            )
            for (w, b), (dw, db), (ew, eb) in zip(params, *directions, strict=True)
        ]
        dtype = np.asarray(params[0][0]).dtype
        loss[i] = problem.losses([(w.astype(dtype), b.astype(dtype)) for w, b in row])
        yield (i + 1) / grid
    coords = project(path, params, directions) if path else None
    return Landscape(
        grid, span, seed, plane, axis, axis.copy(), loss, directions, coords, explained
    )


def interpolation(
    problem: Problem, start: Params, end: Params, points: int = SLICE_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """The loss along the straight line from ``start`` (t = 0) to ``end`` (t = 1) and a
    margin beyond both: ``(ts, losses)``."""
    ts = np.linspace(*SLICE_RANGE, points)
    stacked = stack(
        [
            [
                (w0 + t * (w1 - w0), b0 + t * (b1 - b0))
                for (w0, b0), (w1, b1) in zip(start, end, strict=True)
            ]
            for t in ts
        ]
    )
    return ts, problem.losses(stacked)


def to_vector(params: Params) -> np.ndarray:
    """All weights and biases as one float64 vector, layer after layer."""
    return np.concatenate([np.ravel(a).astype(np.float64) for wb in params for a in wb])


def from_vector(vector: np.ndarray, like: Params) -> Params:
    """The inverse of :func:`to_vector`, with ``like``'s shapes and dtype."""
    out, start = [], 0
    for w, b in like:
        parts = []
        for a in (np.asarray(w), np.asarray(b)):
            parts.append(vector[start : start + a.size].reshape(a.shape).astype(a.dtype))
            start += a.size
        out.append((parts[0], parts[1]))
    return out


def _plain(value: float):
    return float(value) if math.isfinite(value) else None
