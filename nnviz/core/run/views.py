"""The network evaluated over a run's view: the output and every unit's picture.

The grid of inputs is prepared once per run (:func:`view_grid`); each frame with views only
evaluates it (:func:`evaluate_views`), for any engine's weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.nn.network import NetworkSpec
from nnviz.core.run.frames import LINE, PLANE, RunInfo, Views
from nnviz.core.run.projection import Projection

#: Points of the 1D regression curve.
LINE_POINTS = 400


@dataclass(frozen=True, eq=False)
class ViewGrid:
    """The network inputs at every point of a run's view, prepared once per run.

    ``inputs`` has one row per pixel (PLANE, row-major, row 0 at y0) or per abscissa (LINE);
    ``thumbs`` indexes the rows that make the neurons' small pictures.
    """

    kind: str
    shape: tuple[int, ...]  # (h, w) for PLANE, (n,) for LINE
    inputs: np.ndarray
    thumbs: np.ndarray
    thumb_shape: tuple[int, ...]
    xs: np.ndarray | None


#: Multiply-adds one evaluation of the views should cost: 200² points for a playground or digits
#: network, fewer for a wide one (784-256-128-10: the floor of 48², a 17th of 200²'s cost), so
#: the pictures stay cheap.
VIEWS_MULTIPLY_ADDS = 100_000_000
VIEW_RESOLUTIONS = (48, 200)


def view_resolution(spec: NetworkSpec) -> int:
    """Points per side of the views' grid for ``spec``, within :data:`VIEW_RESOLUTIONS`."""
    per_point = sum(a * b for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
    low, high = VIEW_RESOLUTIONS
    return int(np.clip(np.sqrt(VIEWS_MULTIPLY_ADDS / per_point), low, high))


def view_grid(
    run_info: RunInfo,
    pipeline,
    projection: Projection | None = None,
    resolution: int | None = None,
    thumbnail: int = 40,
) -> ViewGrid:
    """Raw points over ``run_info``'s view, through ``pipeline`` into network inputs.

    ``projection`` is needed for data with more than two raw inputs: the plane's points map
    back to the network's inputs directly, the pipeline is not needed.
    ``resolution`` defaults to :func:`view_resolution` of the run's network.
    """
    resolution = resolution or view_resolution(run_info.spec)
    x0, x1, y0, y1 = run_info.extent
    if run_info.kind == LINE:
        xs = np.linspace(x0, x1, LINE_POINTS, dtype=np.float32)
        inputs = pipeline.transform(xs[:, None])
        return ViewGrid(
            LINE, (LINE_POINTS,), _float32(inputs), np.arange(LINE_POINTS), (LINE_POINTS,), xs
        )
    centres = (np.arange(resolution) + 0.5) / resolution
    gx, gy = np.meshgrid(x0 + centres * (x1 - x0), y0 + centres * (y1 - y0))
    plane = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)
    if projection is not None:
        inputs = projection.unproject(plane)
    elif len(pipeline.raw_names) > 2:
        raise ValueError("data with more than two inputs needs its principal-component projection")
    else:
        inputs = pipeline.transform(plane, np.float32)
    picked = ((np.arange(thumbnail) + 0.5) * resolution / thumbnail).astype(int)
    thumbs = (picked[:, None] * resolution + picked[None, :]).ravel()
    return ViewGrid(
        PLANE,
        (resolution, resolution),
        _float32(inputs),
        thumbs,
        (thumbnail, thumbnail),
        None,
    )


def _float32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def evaluate_views(grid: ViewGrid, spec: NetworkSpec, params) -> Views:
    """The network's output and each unit's picture over ``grid``, for any engine's weights."""
    from nnviz.core.nn.numpy_engine import forward_layers

    outputs = forward_layers(spec, params, grid.inputs)
    neurons = tuple(
        _float32(np.asarray(out)[grid.thumbs].T.reshape(-1, *grid.thumb_shape)) for out in outputs
    )
    inputs = _float32(grid.inputs[grid.thumbs].T.reshape(-1, *grid.thumb_shape))
    output = _float32(np.asarray(outputs[-1]).reshape(*grid.shape, -1))
    return Views(output=output, neurons=neurons, inputs=inputs, xs=grid.xs)


def compute_views(
    run_info: RunInfo,
    trainer_pipeline,
    spec: NetworkSpec,
    params,
    resolution: int = 200,
    thumbnail: int = 40,
    *,
    projection: Projection | None = None,
) -> Views:
    """The network over ``run_info``'s view (one-off; training keeps a :class:`ViewGrid`).

    PLANE: the output over a ``resolution``² grid and ``thumbnail``² pictures of every unit;
    LINE: everything at 400 abscissae. Wider data needs ``projection``
    (:func:`plane_projection` of the network's training inputs).
    """
    grid = view_grid(run_info, trainer_pipeline, projection, resolution, thumbnail)
    return evaluate_views(grid, spec, params)
