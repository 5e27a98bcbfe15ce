"""What the live panels draw, computed next to training (in the training process), not in the GUI.

A :class:`RunInfo` is sent once per run (what does not change: the data points, the axes);
a :class:`Frame` at most ~30 times a second (new history rows, the latest snapshot, the
network's outputs over the input plane and, for classification, its :class:`Confusion`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from nnviz.core.nn.metrics import ClassReport
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.run.distributions import Distributions
from nnviz.core.run.snapshot import EpochMetrics, Snapshot

PLANE = "plane"  # 2D data, or the plane of the first two principal components
LINE = "line"  # 1D regression: output as a curve over x


#: Rows the principal-component plane of wide data is fitted on, at most.
PLANE_SAMPLE = 10_000


@dataclass(frozen=True, eq=False)
class RunInfo:
    """The unchanging facts of a run, for the panels' axes, points and legends.

    Points are in view coordinates: the raw (x1, x2) for 2D data, the projection on the first
    two principal components for wider data, (x, target) for 1D regression.
    """

    generation: int
    dataset_name: str  # the design's data set ("xor", "csv", ...)
    spec: NetworkSpec
    kind: str  # PLANE or LINE
    extent: tuple[float, float, float, float]  # x0, x1, y0, y1 of the view
    axis_labels: tuple[str, str]
    train_points: np.ndarray  # (n, 2) float32
    train_labels: np.ndarray  # class indices, or regression targets
    test_points: np.ndarray
    test_labels: np.ndarray
    class_names: tuple[str, ...]
    layer_names: tuple[str, ...]  # one per dense layer, e.g. ("hidden 1", "hidden 2", "output")
    input_names: tuple[str, ...]  # network inputs (derived features or columns)
    image_shape: tuple[int, int] | None  # first-layer weights as images (the digits: (8, 8))
    engine: str  # "numpy" or "torch"
    device: str  # "cpu", "cuda:0"


@dataclass(frozen=True, eq=False)
class Views:
    """The network evaluated over the view: the output and every neuron's own picture.

    PLANE: ``output`` has shape (h, w, n_outputs) over ``RunInfo.extent`` (row 0 at y0), and
    ``neurons[k]`` shape (units_k, th, tw), small thumbnails of each unit of dense layer k
    (``inputs`` likewise for the network inputs). LINE: ``output`` has shape (n, n_outputs) at
    the abscissae ``xs``, ``neurons[k]`` shape (units_k, n).

    ``inputs`` do not change during a run: the training process sends them with a run's first
    views only (None after), and the window's relay puts them back into the later ones.
    """

    output: np.ndarray
    neurons: tuple[np.ndarray, ...]
    inputs: np.ndarray | None
    xs: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Confusion:
    """Where a classifier goes wrong on each split, for the latest snapshot's weights.

    ``train_predicted``/``test_predicted`` hold the class predicted for each point, in the
    order of ``RunInfo.train_points``/``test_points`` (so a cell of the matrix can point at
    its points); the reports are their confusion matrices and per-class figures.
    """

    train: ClassReport
    test: ClassReport
    train_predicted: np.ndarray
    test_predicted: np.ndarray


@dataclass(frozen=True, eq=False)
class Frame:
    """One message to the window: history rows since the last frame, then the latest state.

    Rows are never dropped (the loss curves need every epoch); only frames are throttled.
    ``generation`` tells a frame of an old run (to be ignored) from one of the current run.
    """

    generation: int
    rows: tuple[EpochMetrics, ...]
    snapshot: Snapshot
    views: Views | None
    confusion: Confusion | None = None  # classification runs only
    distributions: Distributions | None = None  # z, weights, gradients: paced on their own


#: The fields of EpochMetrics that hold a figure per layer or per class.
_TUPLE_FIELDS = ("grad_norms", "dead_fraction", "train_recall", "test_recall")


class MetricsHistory(Sequence):
    """Every :class:`EpochMetrics` of a run, kept as rows of one float64 array.

    A list of dataclass instances costs about 800 bytes an epoch, 80 MB over a 100,000-epoch
    run; this costs 8 bytes a figure (about 120 bytes an epoch, plus 16 a class). It reads
    like a list: ``len``, indexing, slicing and iteration give back :class:`EpochMetrics`.
    """

    _TUPLES = _TUPLE_FIELDS
    _SCALARS = tuple(f.name for f in fields(EpochMetrics) if f.name not in _TUPLE_FIELDS)

    def __init__(self, rows: Iterable[EpochMetrics] = ()) -> None:
        self._table = np.empty((0, 0))
        self._size = 0
        self._lengths = (0,) * len(self._TUPLES)  # of each tuple field, the same every row
        self.extend(rows)

    def extend(self, rows: Iterable[EpochMetrics]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self._size == 0:
            self._lengths = tuple(len(getattr(rows[0], name)) for name in self._TUPLES)
            width = len(self._SCALARS) + sum(self._lengths)
            self._table = np.empty((max(64, len(rows)), width))
        needed = self._size + len(rows)
        if needed > len(self._table):
            grown = np.empty((max(needed, 2 * len(self._table)), self._table.shape[1]))
            grown[: self._size] = self._table[: self._size]
            self._table = grown
        self._table[self._size : needed] = [
            [
                *(getattr(row, name) for name in self._SCALARS),
                *(value for name in self._TUPLES for value in getattr(row, name)),
            ]
            for row in rows
        ]
        self._size = needed

    def append(self, row: EpochMetrics) -> None:
        self.extend((row,))

    def column(self, name: str) -> np.ndarray:
        """A copy of one figure (a scalar field of :class:`EpochMetrics`) over every row,
        for curves: no row objects made."""
        return self._table[: self._size, self._SCALARS.index(name)].copy()

    def columns(self, *names: str) -> np.ndarray:
        """A fresh (len, len(names)) float64 array of the named scalar figures (``"epoch"``,
        ``"test_loss"``...), without making a row object per epoch."""
        picked = [self._SCALARS.index(name) for name in names]
        if self._size == 0:
            return np.empty((0, len(names)))
        return self._table[: self._size, picked].copy()

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("history index out of range")
        return self._row(index)

    def _row(self, index: int) -> EpochMetrics:
        values = self._table[index].tolist()
        start = len(self._SCALARS)
        scalars = dict(zip(self._SCALARS, values[:start], strict=True))
        scalars["epoch"], scalars["step"] = int(scalars["epoch"]), int(scalars["step"])
        tuples = {}
        for name, length in zip(self._TUPLES, self._lengths, strict=True):
            tuples[name] = tuple(values[start : start + length])
            start += length
        return EpochMetrics(**scalars, **tuples)


# --- building them ------------------------------------------------------------------------------

#: Points of the 1D regression curve.
LINE_POINTS = 400
#: Share of the data's span added on each side when the data set gives no extent.
MARGIN = 0.05


@dataclass(frozen=True, eq=False)
class Projection:
    """The plane of the first two principal components of the network's training inputs.

    Of the inputs the network sees, standardised, not of the raw columns: raw, the widest
    column (breast cancer's areas, 0 to 3000) would be the whole first component and the
    points would lie in one strip. ``axes`` has shape (2, n_inputs); an input ``x`` maps to
    ``(x - mean) @ axes.T`` and a plane point ``p`` back to ``mean + p @ axes``.
    """

    mean: np.ndarray
    axes: np.ndarray

    def project(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, np.float64) - self.mean) @ self.axes.T).astype(np.float32)

    def unproject(self, p: np.ndarray) -> np.ndarray:
        return (self.mean + np.asarray(p, np.float64) @ self.axes).astype(np.float32)


def plane_projection(x_train: np.ndarray) -> Projection:
    """Principal-component plane of ``x_train`` (the network's inputs: a Trainer's
    ``x_train``); each axis's largest entry is made positive.

    Fitted on the first ``PLANE_SAMPLE`` rows (the data is shuffled, or in no particular
    order) and, with more rows than columns, from the covariance matrix's eigenvectors: on
    60,000 × 784 images a full singular value decomposition took tens of seconds at every
    new run, this about a tenth of a second.
    """
    x = np.asarray(x_train[:PLANE_SAMPLE], np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    if len(x) > x.shape[1]:
        _, vectors = np.linalg.eigh(centred.T @ centred)  # eigenvalues ascending
        axes = vectors[:, :-3:-1].T
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        axes = vt[:2]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return Projection(mean, axes * signs[:, None])


def _span(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = (hi - lo) * MARGIN or 1.0
    return lo - pad, hi + pad


def make_run_info(trainer, generation: int, projection: Projection | None = None) -> RunInfo:
    """The :class:`RunInfo` of ``trainer``'s run: the view's kind, extent and points.

    2D data is viewed on (x1, x2); wider data on the principal-component plane of the
    network's inputs, ``projection`` (computed here when not given: see
    :func:`plane_projection`); one raw input as a curve, points at (x, target).
    """
    data = trainer.dataset
    x_train, x_test = data.x_train, data.x_test
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    both = np.concatenate([x_train, x_test])
    if data.n_raw == 1:
        kind, labels = LINE, (data.raw_names[0], "target")
        train_points = np.column_stack([x_train[:, 0], y_train]).astype(np.float32)
        test_points = np.column_stack([x_test[:, 0], y_test]).astype(np.float32)
        x_span = data.extent or _span(both[:, 0])
        extent = (*x_span, *_span(np.concatenate([y_train, y_test]).astype(np.float64)))
    elif data.n_raw == 2:
        kind, labels = PLANE, (data.raw_names[0], data.raw_names[1])
        train_points = np.asarray(x_train, np.float32)
        test_points = np.asarray(x_test, np.float32)
        if data.extent:
            extent = (*data.extent, *data.extent)
        else:
            extent = (*_span(both[:, 0]), *_span(both[:, 1]))
    else:
        kind, labels = PLANE, ("principal component 1", "principal component 2")
        if projection is None:
            projection = plane_projection(trainer.x_train)
        train_points = projection.project(trainer.x_train)
        test_points = projection.project(trainer.x_test)
        both = np.concatenate([train_points, test_points])
        extent = (*_span(both[:, 0]), *_span(both[:, 1]))
    return RunInfo(
        generation=generation,
        dataset_name=data.name,
        spec=trainer.spec,
        kind=kind,
        extent=tuple(float(v) for v in extent),
        axis_labels=labels,
        train_points=np.ascontiguousarray(train_points),
        train_labels=y_train,
        test_points=np.ascontiguousarray(test_points),
        test_labels=y_test,
        class_names=tuple(data.class_names),
        layer_names=trainer.spec.layer_names,
        input_names=tuple(trainer.pipeline.features),
        image_shape=data.image_shape,
        engine=trainer.engine.name,
        device=trainer.engine.device,
    )


def make_confusion(trainer) -> Confusion | None:
    """The :class:`Confusion` of ``trainer``'s latest predictions; None for regression.

    Predictions travel as the smallest integers that hold a class (a byte a point for up to
    256 classes), so 60,000 training points add 60 kB to a frame.
    """
    predictions = trainer.predictions
    if predictions is None:
        return None
    k = trainer.dataset.n_classes
    dtype = np.uint8 if k <= 256 else np.uint16
    train, test = (np.asarray(p, dtype) for p in predictions)
    data = trainer.dataset
    return Confusion(
        train=ClassReport.of(data.y_train, train, k),
        test=ClassReport.of(data.y_test, test, k),
        train_predicted=train,
        test_predicted=test,
    )


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
