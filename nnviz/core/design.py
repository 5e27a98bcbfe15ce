"""A network design: everything needed to reproduce a run, as immutable dataclasses.

The editor changes a design by building a new one with :func:`dataclasses.replace`, which is
what makes undo/redo trivial. This module knows the vocabulary, each field's type and default,
and which outputs go with which losses; :mod:`nnviz.core.schema` gives every field its limits
and help text, and :mod:`nnviz.core.files.design_file` reads and writes design files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- the vocabulary every part of nnviz shares ------------------------------------------------

ACTIVATIONS = (
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "softplus",
    "softmax",
    "step",
)
#: Activations a hidden layer may use (softmax and step only make sense at the output).
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in ("softmax", "step"))
OUTPUT_ACTIVATIONS = ("auto", *ACTIVATIONS)
LOSSES = ("auto", "mse", "binary_cross_entropy", "categorical_cross_entropy", "perceptron")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
SCHEDULES = ("constant", "step", "cosine")
INITIALIZERS = ("small_random", "uniform", "xavier", "he")
ENGINES = ("numpy", "torch")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("float32", "float64")
TASKS = ("classification", "regression")
#: Derived input features of 2D datasets, as TensorFlow Playground offers them.
FEATURES_2D = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")

#: Data sets with two raw inputs (x1, x2), whose network inputs are chosen from FEATURES_2D.
DATASETS_2D = (
    # TensorFlow Playground's own
    "circle",
    "xor",
    "gauss",
    "spiral",
    "plane",
    "multi_gauss",
    # the textbooks' logic gates, four points each
    "and",
    "or",
    "nand",
    "xor_gate",
    # more 2D
    "moons",
    "blobs",
    "spirals",
    "blobs_multi",
    "checkerboard",
)
#: 1D regression sets (one input x1, a target): the universal-approximation lesson.
DATASETS_1D = ("sine", "abs", "step", "polynomial")
#: The learner's own points, painted on the plane (inputs x1, x2; saved in the design).
PAINTED = "points"
#: The learner's own points of a 1D regression, painted in its x/y plane (input x1, target).
PAINTED_LINE = "line_points"
#: Data sets read from a ``path`` on the user's disk: a CSV table, a folder of MNIST-format
#: IDX files, a Keras-style ``.npz`` of images.
FILE_DATASETS = ("csv", "idx", "npz")
#: Every data set a design may name (see nnviz.core.data for what each one is): the 2D sets,
#: 1D regression (universal approximation), bundled real data, and the user's own files.
DATASET_NAMES = (
    *DATASETS_2D,
    *DATASETS_1D,
    *("iris", "breast_cancer", "digits"),
    PAINTED,
    PAINTED_LINE,
    *FILE_DATASETS,
)

MAX_UNITS = 4096
MAX_LAYERS = 32
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000
MAX_TEXT_LENGTH = 4096  # a path, a column name
MAX_SEED = 2**32 - 1  # what NumPy's generators take

# --- the output rules: which output activation each loss trains ----------------------------

#: Losses that only work with one output activation ("auto" picks a matching pair).
LOSS_NEEDS_OUTPUT = {
    "perceptron": "step",
    "categorical_cross_entropy": "softmax",
    "binary_cross_entropy": "sigmoid",
}


def default_output(task: str, n_classes: int) -> tuple[str, str]:
    """Output activation and loss that "auto" means: linear with MSE for regression, sigmoid
    with binary cross-entropy for two classes, softmax with categorical cross-entropy for more.
    (A step output, the perceptron, always trains with the perceptron rule.)"""
    if task == "regression":
        return "linear", "mse"
    if n_classes <= 2:
        return "sigmoid", "binary_cross_entropy"
    return "softmax", "categorical_cross_entropy"


def output_mismatch(activation: str, loss: str) -> str | None:
    """Why an output activation and a loss cannot train together, whatever the data; or None."""
    if activation == "step":
        if loss not in ("auto", "perceptron"):
            return f"a 'step' output trains with 'perceptron', not {loss!r}"
        return None
    needed = LOSS_NEEDS_OUTPUT.get(loss)
    if needed == "step":
        return "'perceptron' needs a 'step' output activation"
    if needed and activation not in ("auto", needed):
        return f"{loss!r} needs a {needed!r} output, not {activation!r}"
    return None


@dataclass(frozen=True)
class LayerSpec:
    """One hidden layer: its width, its activation and its (inverted) dropout rate."""

    units: int = 4
    activation: str = "tanh"
    dropout: float = 0.0


@dataclass(frozen=True)
class OutputSpec:
    """The output layer. ``"auto"`` derives activation and loss from the task."""

    activation: str = "auto"
    loss: str = "auto"


@dataclass(frozen=True)
class DatasetSpec:
    """Which data to learn from and how to generate or read it.

    ``name`` is a built-in generator (``"xor"``, ``"circle"``, ...), a bundled real data set
    (``"iris"``, ``"breast_cancer"``, ``"digits"``), ``"csv"`` (then ``path``,
    ``label_column`` and ``feature_columns`` say what to read), ``"idx"`` (``path`` is a folder
    of MNIST-format IDX files), ``"npz"`` (``path`` is a Keras-style ``mnist.npz``) or
    ``"points"``: the rows ``(x1, x2, label)`` of ``painted`` (a class index, or with ``task``
    "regression" a value), or ``"line_points"``: the rows ``(x1, target)`` of a painted 1D
    regression.
    """

    name: str = "xor"
    noise: float = 0.0
    points: int = 500
    train_fraction: float = 0.5
    seed: int = 0
    classes: int = 3
    path: str | None = None
    label_column: str | None = None
    feature_columns: tuple[str, ...] | None = None
    task: str | None = None  # csv and points: "classification" or "regression"
    drop_bad_rows: bool = False  # only for csv: leave out rows with a bad cell
    painted: tuple[tuple[float, ...], ...] = ()  # points, line_points: the painted rows


@dataclass(frozen=True)
class OptimizerSpec:
    """Optimizer and its parameters; fields an optimizer does not use are ignored."""

    name: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9  # momentum, nesterov
    beta1: float = 0.9  # adam, adamw
    beta2: float = 0.999  # adam, adamw
    rho: float = 0.9  # rmsprop
    epsilon: float = 1e-8  # rmsprop, adam, adamw
    weight_decay: float = 0.01  # adamw (decoupled)


@dataclass(frozen=True)
class ScheduleSpec:
    """Learning-rate schedule over epochs: constant, step decay or cosine."""

    name: str = "constant"
    step_size: int = 100  # step: multiply by gamma every step_size epochs
    gamma: float = 0.5
    min_learning_rate: float = 0.0  # cosine: the rate reached at the last epoch


@dataclass(frozen=True)
class TrainingSpec:
    """How to train: optimizer, schedule, batches, regularisation, stopping, engine."""

    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    batch_size: int = 10
    epochs: int = 1000
    l1: float = 0.0
    l2: float = 0.0
    initializer: str = "uniform"
    seed: int = 0
    early_stopping: bool = False
    patience: int = 50
    engine: str = "numpy"
    device: str = "auto"
    dtype: str = "float32"


@dataclass(frozen=True)
class Design:
    """A whole design: data, inputs, hidden layers, output and training settings."""

    name: str = "Untitled"
    description: str = ""
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    features: tuple[str, ...] = ("x1", "x2")
    layers: tuple[LayerSpec, ...] = (LayerSpec(4), LayerSpec(2))
    output: OutputSpec = field(default_factory=OutputSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
