"""What the training process tells the window about a run: the messages' data, no maths.

A :class:`RunInfo` is sent once per run (what does not change: the data points, the axes);
a :class:`Frame` at most ~30 times a second (new history rows, the latest snapshot, the
network's :class:`Views` over the input plane and, for classification, its
:class:`Confusion`). They are built in the training process, not in the GUI: RunInfo and
Confusion by :mod:`nnviz.core.run.run_facts`, Views by :mod:`nnviz.core.run.views`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.nn.metrics import ClassReport
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.run.distributions import Distributions
from nnviz.core.run.snapshot import EpochMetrics, Snapshot

PLANE = "plane"  # 2D data, or the plane of the first two principal components
LINE = "line"  # 1D regression: output as a curve over x


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
