"""Points a learner painted on the plane (the data set kind ``"points"``), stored in the design.

Each point is a row ``(x1, x2, label)``: a class index for classification, a target value for
regression; painted in the x/y plane of a 1D regression (``"line_points"``), a row
``(x1, target)``. Which points train and which test follows the training share, decided for each
point by a hash of its position and the seed: painting or removing one point never moves
another between the splits, so the picture stays put while a learner paints.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.data.catalog import LINE_EXTENT, PLAYGROUND_EXTENT
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.split import class_names

#: Most points a design may hold (they are saved inline, three numbers each).
MAX_POINTS = 10_000
#: Most classes one can paint (one colour each).
MAX_CLASSES = 10
RAW_NAMES = ("x1", "x2")
#: The data set kinds made of painted rows.
PAINTED_KINDS = ("points", "line_points")


def point_shares(points: np.ndarray, seed: int) -> np.ndarray:
    """A number in [0, 1) for each point, the same whenever the point and seed are.

    SplitMix64 of the coordinates' bits: cheap, and the same on every machine.
    """
    bits = np.ascontiguousarray(points[:, :2], np.float64).view(np.uint64)
    with np.errstate(over="ignore"):
        h = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + bits[:, 0]
        h = _mix(h) ^ bits[:, 1]
        h = _mix(h)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _mix(h: np.ndarray) -> np.ndarray:
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def split_mask(points: np.ndarray, train_fraction: float, seed: int) -> np.ndarray:
    """True for the training points: those whose share lies below ``train_fraction``, with at
    least one point on each side once there are two."""
    shares = point_shares(points, seed)
    train = shares < train_fraction
    if len(points) >= 2:
        if train.all():
            train[shares.argmax()] = False
        elif not train.any():
            train[shares.argmin()] = True
    return train


def n_classes(labels: np.ndarray) -> int:
    """Classes of painted labels: at least two, else one more than the highest label."""
    return max(2, int(labels.max()) + 1) if len(labels) else 2


def _enough(points: np.ndarray) -> None:
    if len(points) < 2:
        have = "no points yet" if not len(points) else "one point"
        raise DatasetError(
            f"painted data has {have}: paint at least two (one to train on, one to test)"
        )


def painted_dataset(rows, task: str, train_fraction: float, seed: int) -> Dataset:
    """The :class:`Dataset` of painted ``rows`` ``(x1, x2, label)``."""
    points = np.asarray(rows, np.float64).reshape(-1, 3)
    _enough(points)
    train = split_mask(points, train_fraction, seed)
    x = points[:, :2].astype(np.float32)
    if task == "regression":
        y = points[:, 2].astype(np.float32)
        names: tuple[str, ...] = ()
    else:
        y = points[:, 2].astype(np.int64)
        names = class_names(n_classes(y))
    return Dataset(
        name="points",
        task=task,
        x_train=x[train],
        y_train=y[train],
        x_test=x[~train],
        y_test=y[~train],
        raw_names=RAW_NAMES,
        class_names=names,
        extent=PLAYGROUND_EXTENT,
    )


def painted_line_dataset(rows, train_fraction: float, seed: int) -> Dataset:
    """The 1D regression :class:`Dataset` of painted ``rows`` ``(x1, target)``."""
    points = np.asarray(rows, np.float64).reshape(-1, 2)
    _enough(points)
    train = split_mask(points, train_fraction, seed)
    x, y = points[:, :1].astype(np.float32), points[:, 1].astype(np.float32)
    return Dataset(
        name="line_points",
        task="regression",
        x_train=x[train],
        y_train=y[train],
        x_test=x[~train],
        y_test=y[~train],
        raw_names=RAW_NAMES[:1],
        class_names=(),
        extent=LINE_EXTENT,
    )


def rows_of(dataset: Dataset) -> tuple[tuple[float, ...], ...]:
    """A 2D data set's points as painted rows, training points first ("edit these points");
    a 1D regression's as rows (x1, target)."""
    x = np.concatenate([dataset.x_train, dataset.x_test]).astype(np.float64)
    y = np.concatenate([dataset.y_train, dataset.y_test]).astype(np.float64)
    if x.shape[1] == 1 and dataset.task == "regression":
        return tuple((round(a, 4), round(float(b), 4)) for a, b in zip(x[:, 0], y, strict=True))
    if x.shape[1] != 2:
        raise DatasetError("only data with two inputs (x1, x2) can be edited as points")
    return tuple((round(a, 4), round(b, 4), float(c)) for (a, b), c in zip(x, y, strict=True))


def takes_on(old, new) -> bool:
    """Whether a run on DatasetSpec ``old`` can go on with ``new``: both painted, with the same
    task, classes and split settings, only the points differ (the network takes them on from
    its next epoch instead of starting again)."""
    if old.name not in PAINTED_KINDS or new.name != old.name or old.painted == new.painted:
        return False
    if (old.task, old.train_fraction, old.seed) != (new.task, new.train_fraction, new.seed):
        return False
    if len(old.painted) < 2 or len(new.painted) < 2:
        return False  # a run needs two points: one of them has none
    if old.name == "line_points" or (old.task or "classification") == "regression":
        return True
    labels = (np.asarray(spec.painted, np.float64)[:, 2] for spec in (old, new))
    return len({n_classes(y) for y in labels}) == 1
