"""What each data set is, for menus and tooltips, and the ranges its parameters may take."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Ranges of the DatasetSpec parameters (both ends included), as TensorFlow Playground has them.
NOISE_RANGE = (0.0, 0.5)
POINTS_RANGE = (4, 100_000)
TRAIN_FRACTION_RANGE = (0.1, 0.9)
CLASSES_RANGE = (3, 6)

PLAYGROUND_EXTENT = (-6.0, 6.0)
GATE_EXTENT = (-0.5, 1.5)
LINE_EXTENT = (-math.pi, math.pi)

_GENERATED = frozenset({"noise", "points", "train_fraction"})
_MULTI_CLASS = _GENERATED | {"classes"}
_SPLIT_ONLY = frozenset({"train_fraction"})


@dataclass(frozen=True)
class DatasetInfo:
    """One entry of the data set menu.

    ``uses`` names the DatasetSpec parameters that change this data set (the seed always
    does, except for the fixed logic gates); the editor disables the others.
    ``default_points`` is what a new design should start with; ``extent`` is the axis range
    of generated data (None for real and CSV data).
    """

    name: str
    title: str
    group: str
    task: str
    n_raw: int | None
    uses: frozenset[str]
    description: str
    default_points: int | None = None
    extent: tuple[float, float] | None = None


def _playground(name, title, task, description, uses=_GENERATED):
    points = 500 if task == "classification" else 1200
    return DatasetInfo(
        name, title, "Playground", task, 2, uses, description, points, PLAYGROUND_EXTENT
    )


def _gate(name, title, truth):
    description = (
        f"The logic gate {title}: the four points of {{0, 1}}², labelled {truth}. "
        "Train and test are the same four points."
    )
    return DatasetInfo(
        name, title, "Logic gates", "classification", 2, frozenset(), description, 4, GATE_EXTENT
    )


def _plane(name, title, description, uses=_GENERATED):
    return DatasetInfo(
        name, title, "2D", "classification", 2, uses, description, 500, PLAYGROUND_EXTENT
    )


def _line(name, title, description):
    return DatasetInfo(
        name, title, "1D regression", "regression", 1, _GENERATED, description, 200, LINE_EXTENT
    )


def _real(name, title, n_raw, description):
    return DatasetInfo(name, title, "Real data", "classification", n_raw, _SPLIT_ONLY, description)


_ENTRIES = (
    _playground(
        "circle",
        "Circle",
        "classification",
        "A disc of one class inside a ring of the other (radius 2.5 and 3.5 to 5). "
        "Noise flips labels near the edge; the points stay.",
    ),
    _playground(
        "xor",
        "Exclusive or",
        "classification",
        "Four quadrants, the class is the sign of x1·x2, with a 0.3 gap along the axes. "
        "Noise flips labels near the axes.",
    ),
    _playground(
        "gauss",
        "Gaussian",
        "classification",
        "Two Gaussian clouds centred at (2, 2) and (-2, -2); noise widens them until they overlap.",
    ),
    _playground(
        "spiral",
        "Spiral",
        "classification",
        "Two interleaved spiral arms of 1.75 turns out to radius 5; noise jitters the points.",
    ),
    _playground(
        "plane",
        "Plane",
        "regression",
        "Target (x1 + x2) / 10, a tilted plane; noise perturbs the inputs the target is "
        "computed from.",
    ),
    _playground(
        "multi_gauss",
        "Multi Gaussian",
        "regression",
        "Six bumps of alternating sign on a 3 × 2 grid; the target is the strongest bump at the "
        "point (between -1 and 1).",
    ),
    _gate("and", "AND", "1 only at (1, 1)"),
    _gate("or", "OR", "0 only at (0, 0)"),
    _gate("nand", "NAND", "0 only at (1, 1)"),
    _gate("xor_gate", "XOR", "1 where exactly one input is 1 (no single line separates them)"),
    _plane(
        "moons",
        "Two moons",
        "Two interlocking half circles; noise adds Gaussian jitter to the points.",
    ),
    _plane(
        "blobs",
        "Two blobs",
        "Two Gaussian blobs that a straight line separates with a gap when noise is zero; "
        "noise widens them until they overlap.",
    ),
    _plane(
        "spirals",
        "K spirals",
        "K interleaved spiral arms of one turn each, one class per arm (K = 3 to 6).",
        _MULTI_CLASS,
    ),
    _plane(
        "blobs_multi",
        "K blobs",
        "K Gaussian blobs evenly spaced on a circle of radius 3.5, one class per blob "
        "(K = 3 to 6); noise widens them.",
        _MULTI_CLASS,
    ),
    _plane(
        "checkerboard",
        "Checkerboard",
        "A 4 × 4 board of 3 × 3 squares of alternating class; noise flips labels near the edges.",
    ),
    _line("sine", "Sine", "y = sin(x) for x in [-π, π], plus Gaussian noise of the chosen size."),
    _line("abs", "Absolute value", "y = |x| for x in [-π, π], plus Gaussian noise."),
    _line("step", "Step", "y = 0 for x < 0 and 1 for x ≥ 0, x in [-π, π], plus Gaussian noise."),
    _line(
        "polynomial",
        "Polynomial",
        "y = x³/10 − x/2 for x in [-π, π] (two bends), plus Gaussian noise.",
    ),
    _real(
        "iris",
        "Iris",
        4,
        "Fisher's 150 iris flowers: four measurements in cm, three species.",
    ),
    _real(
        "breast_cancer",
        "Breast cancer",
        30,
        "569 tumour biopsies (Wisconsin diagnostic): 30 measurements of cell nuclei, "
        "benign or malignant.",
    ),
    _real(
        "digits",
        "Digits",
        64,
        "1,797 handwritten digits as 8 × 8 images of grey levels 0 to 16, ten classes.",
    ),
    DatasetInfo(
        "points",
        "Painted points",
        "Your data",
        "classification",
        2,
        _SPLIT_ONLY,
        "Points you paint on the plane (turn on Paint in Decision regions): a class each, or "
        "a value for regression. They are saved in the design.",
        None,
        PLAYGROUND_EXTENT,
    ),
    DatasetInfo(
        "line_points",
        "Painted curve (1D)",
        "Your data",
        "regression",
        1,
        _SPLIT_ONLY,
        "Points you paint in the x/y plane of a 1D regression (turn on Paint in Decision "
        "regions): the network learns the curve through them. They are saved in the design.",
        None,
        LINE_EXTENT,
    ),
    DatasetInfo(
        "csv",
        "CSV file",
        "Your data",
        "classification",
        None,
        _SPLIT_ONLY,
        "Your own table: pick the label column and the feature columns. Inputs are "
        "standardised with the training split's mean and spread.",
    ),
    DatasetInfo(
        "idx",
        "MNIST-format folder",
        "Your data",
        "classification",
        None,
        frozenset(),
        "A folder with the four IDX files of MNIST, Fashion-MNIST or KMNIST "
        "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        "t10k-labels-idx1-ubyte, each may be .gz), with their own train/test split. Pixels "
        "are scaled to [0, 1] and standardised on the training images.",
    ),
    DatasetInfo(
        "npz",
        "MNIST .npz file",
        "Your data",
        "classification",
        None,
        frozenset(),
        "A Keras-style mnist.npz holding x_train, y_train, x_test and y_test, with its own "
        "train/test split. Pixels are scaled to [0, 1] and standardised on the training images.",
    ),
)

#: Every data set a design may name, in menu order.
CATALOG: dict[str, DatasetInfo] = {info.name: info for info in _ENTRIES}
