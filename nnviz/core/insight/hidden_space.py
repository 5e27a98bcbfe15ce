"""How a layer bends the input plane, after Olah (2014), "Neural Networks, Manifolds, and
Topology", and ConvNetJS's 2D demo.

The input plane's grid lines and the data points are put through the network up to a hidden
layer; the layer's activations are shown on a plane of its own: the layer's two units when it
has two, otherwise two units the user picks or the layer's first two principal components.
:func:`blend` moves every point from where it lies in the input plane (t = 0) to where the
layer puts it (t = 1), so the bending can be watched. In the last hidden layer's space the
output layer is linear up to its activation, so its decision boundary is a straight line there
(on the shown plane: exact for two units, the plane's cut through the boundary otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.engine import Params
from nnviz.core.nn.network import CLASSIFICATION, NetworkSpec
from nnviz.core.nn.numpy_engine import forward_layers

UNITS = "units"
PCA = "pca"
#: Pixels along each side of the output's picture on the last hidden layer's plane.
REGION_RESOLUTION = 96
#: Share of the mapped points' span added around them in that picture.
REGION_MARGIN = 0.08
#: Grid lines across each axis of the input plane, and points along each line.
GRID_LINES = 15
LINE_SAMPLES = 80
#: The logit where a single output crosses its decision threshold (network.decision_threshold:
#: 0.5 for sigmoid and linear outputs, 0 for tanh).
_THRESHOLD_LOGITS = {"sigmoid": 0.0, "tanh": 0.0, "linear": 0.5}


@dataclass(frozen=True, eq=False)
class LayerPlane:
    """A plane in a layer's space: a point's coordinates are ``(h - origin) @ axes.T``.

    Picked units: ``axes`` selects them and ``origin`` is zero on them, so the coordinates are
    the units' own values; principal components: orthonormal ``axes`` through the mean.
    """

    origin: np.ndarray
    axes: np.ndarray  # (2, units)
    labels: tuple[str, str]

    def coords(self, h: np.ndarray) -> np.ndarray:
        return (np.asarray(h, np.float64) - self.origin) @ self.axes.T

    def points(self, coords: np.ndarray) -> np.ndarray:
        """Points of the layer's space on the plane, from coordinates."""
        return self.origin + np.asarray(coords, np.float64) @ self.axes


@dataclass(frozen=True, eq=False)
class HiddenSpace:
    """Everything at both ends of the blend: ``*_in`` in the input plane, ``*_out`` on the
    layer's plane. ``lines`` have shape (lines, samples, 2), points (n, 2).

    ``decision`` is ``(a, d)`` with the output's decision line ``a · c + d = 0`` in the
    layer plane's coordinates ``c`` (the last hidden layer of a two-class network only).
    ``regions`` is the output layer's activations (rows from y0, shape (h, w, n_outputs)) over
    ``region_bounds`` ((x0, x1), (y0, y1)) of the plane: the last hidden layer only.
    """

    layer: int
    plane: LayerPlane
    lines_in: np.ndarray
    lines_out: np.ndarray
    points_in: np.ndarray
    points_out: np.ndarray
    decision: tuple[np.ndarray, float] | None
    regions: np.ndarray | None = None
    region_bounds: tuple[tuple[float, float], tuple[float, float]] | None = None


def grid_lines(extent, lines: int = GRID_LINES, samples: int = LINE_SAMPLES) -> np.ndarray:
    """Vertical then horizontal lines across ``extent`` (x0, x1, y0, y1): (2·lines, samples, 2)."""
    x0, x1, y0, y1 = extent
    across = np.linspace(0.0, 1.0, lines)
    along = np.linspace(0.0, 1.0, samples)
    vertical = np.stack(
        np.broadcast_arrays(x0 + across[:, None] * (x1 - x0), y0 + along[None, :] * (y1 - y0)), -1
    )
    horizontal = np.stack(
        np.broadcast_arrays(x0 + along[None, :] * (x1 - x0), y0 + across[:, None] * (y1 - y0)), -1
    )
    return np.concatenate([vertical, horizontal])


def layer_plane(activations: np.ndarray, mode: str, units: tuple[int, int] = (0, 1)) -> LayerPlane:
    """The plane of a layer with ``activations`` (n, units) of the data points: its two units
    (``mode`` UNITS with ``units``; a two-unit layer always) or its first two principal
    components (PCA, each axis's largest entry made positive)."""
    h = np.asarray(activations, np.float64)
    width = h.shape[1]
    if width == 1:
        axes = np.array([[1.0], [0.0]])
        return LayerPlane(np.zeros(1), axes, ("unit 1", "(none)"))
    if mode == UNITS or width == 2:
        i, j = units if width > 2 else (0, 1)
        if not (0 <= i < width and 0 <= j < width) or i == j:
            raise ValueError(f"pick two different units from 1 to {width}")
        axes = np.zeros((2, width))
        axes[0, i] = axes[1, j] = 1.0
        return LayerPlane(np.zeros(width), axes, (f"unit {i + 1}", f"unit {j + 1}"))
    mean = h.mean(axis=0)
    _, singular, vt = np.linalg.svd(h - mean, full_matrices=False)
    axes = vt[:2]
    axes = axes * np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]
    share = singular[:2] ** 2 / max(float(np.sum(singular**2)), 1e-300)
    labels = (f"component 1 ({share[0]:.0%})", f"component 2 ({share[1]:.0%})")
    return LayerPlane(mean, axes, labels)


def map_hidden_space(
    spec: NetworkSpec,
    params: Params,
    layer: int,
    *,
    line_inputs: np.ndarray,
    lines_in: np.ndarray,
    point_inputs: np.ndarray,
    points_in: np.ndarray,
    mode: str = PCA,
    units: tuple[int, int] = (0, 1),
) -> HiddenSpace:
    """Map the grid lines and the points through hidden layer ``layer`` (0 is the first).

    ``lines_in`` and ``points_in`` are where they lie in the input plane, ``line_inputs`` and
    ``point_inputs`` the network inputs they stand for (the input pipeline's output). The
    layer's plane is fitted on the points (principal components), so the data decides the view.
    """
    if not 0 <= layer < spec.n_layers - 1:
        raise ValueError(f"layer {layer + 1} is not a hidden layer of this network")
    point_h = forward_layers(spec, params, point_inputs)[layer]
    line_h = forward_layers(spec, params, line_inputs)[layer]
    plane = layer_plane(point_h, mode, units)
    lines_out = plane.coords(line_h).reshape(lines_in.shape)
    points_out = plane.coords(point_h)
    decision = regions = bounds = None
    if layer == spec.n_layers - 2:
        decision = decision_line(spec, params[-1], plane)
        bounds = padded_bounds(points_out, lines_out)
        regions = output_on_plane(spec, params[-1], plane, bounds)
    return HiddenSpace(
        layer,
        plane,
        np.asarray(lines_in, np.float64),
        lines_out,
        np.asarray(points_in, np.float64),
        points_out,
        decision,
        regions,
        bounds,
    )


def padded_bounds(*arrays, margin: float = REGION_MARGIN):
    """((x0, x1), (y0, y1)) around every finite point of ``arrays`` (each (..., 2))."""
    both = np.concatenate([np.reshape(a, (-1, 2)) for a in arrays])
    lo, hi = np.nanmin(both, axis=0), np.nanmax(both, axis=0)
    pad = (hi - lo) * margin + 1e-9
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


def output_on_plane(spec, output, plane: LayerPlane, bounds, resolution=REGION_RESOLUTION):
    """The output layer's activations at the points of the layer's space on the plane, over
    ``bounds``: (resolution, resolution, n_outputs), row 0 at y0, pixel centres."""
    (x0, x1), (y0, y1) = bounds
    centres = (np.arange(resolution) + 0.5) / resolution
    gx, gy = np.meshgrid(x0 + centres * (x1 - x0), y0 + centres * (y1 - y0))
    h = plane.points(np.column_stack([gx.ravel(), gy.ravel()]))
    w, b = (np.asarray(v, np.float64) for v in output)
    with np.errstate(all="ignore"):
        outputs = get_activation(spec.output_activation).value(h @ w.T + b)
    return outputs.reshape(resolution, resolution, -1)


def decision_line(spec: NetworkSpec, output: tuple, plane: LayerPlane):
    """``(a, d)`` with ``a · c + d = 0`` where the single output crosses its decision
    threshold, for points ``plane.points(c)``; None for several outputs or regression."""
    logit = _THRESHOLD_LOGITS.get(spec.output_activation)
    if spec.task != CLASSIFICATION or spec.sizes[-1] != 1 or logit is None:
        return None
    w, b = (np.asarray(v, np.float64) for v in output)
    a = plane.axes @ w[0]
    if not np.any(a):
        return None
    return a, float(w[0] @ plane.origin + b[0] - logit)


def blend(start: np.ndarray, end: np.ndarray, t: float) -> np.ndarray:
    """Straight from ``start`` (t = 0) to ``end`` (t = 1)."""
    return (1.0 - t) * start + t * end
