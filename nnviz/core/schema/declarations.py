"""The declarations: each field of a design once, with its rule and the sentence that explains it.

The dataclasses of :mod:`nnviz.core.design` give each field its type and default; here each
gets its kind and limits (:mod:`nnviz.core.schema.fields`) and its help text, and the rules
between fields are stated. ``DESIGN`` is the whole design.
"""

from __future__ import annotations

from typing import Any

from nnviz.core.data.catalog import CLASSES_RANGE, NOISE_RANGE, POINTS_RANGE, TRAIN_FRACTION_RANGE
from nnviz.core.data.painted import MAX_CLASSES as MAX_PAINTED_CLASSES
from nnviz.core.data.painted import MAX_POINTS
from nnviz.core.design import (
    DATASET_NAMES,
    DATASETS_2D,
    DEVICES,
    DTYPES,
    ENGINES,
    FEATURES_2D,
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    MAX_DESCRIPTION_LENGTH,
    MAX_LAYERS,
    MAX_NAME_LENGTH,
    MAX_SEED,
    MAX_TEXT_LENGTH,
    MAX_UNITS,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    PAINTED,
    PAINTED_LINE,
    SCHEDULES,
    TASKS,
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    ScheduleSpec,
    TrainingSpec,
    output_mismatch,
)
from nnviz.core.schema.fields import Choice, Flag, ListOf, Names, Number, Rows, Section, Text, Whole
from nnviz.core.schema.problems import INVALID, Problems, not_one_of, short

# --- rules between fields -----------------------------------------------------------------


def _check_dataset(parts: dict[str, Any], path: str, problems: Problems) -> None:
    """A CSV data set must say which file to read and which column holds the labels; an IDX
    or npz data set which folder or file holds its images; painted points of a classification
    are labelled with a class from 0 to 9."""
    required = {"csv": ("path", "label_column"), "idx": ("path",), "npz": ("path",)}
    for key in required.get(parts["name"], ()):
        if parts[key] is None:
            problems.add(f"{path}.{key}", f"required when the data set is {parts['name']!r}")
    painted = parts["painted"]
    if painted is INVALID:
        return
    line = parts["name"] == PAINTED_LINE
    if painted and len(painted[0]) != (2 if line else 3):  # the rows are all as wide
        row, kind = ("[x1, target]", "line_points") if line else ("[x1, x2, label]", "points")
        problems.add(f"{path}.painted", f"the rows of {kind} are {row}")
        return
    if parts["name"] == PAINTED_LINE:
        if parts["task"] not in (None, "regression"):
            problems.add(f"{path}.task", "painted 1D points are a regression")
        return
    if parts["task"] == "regression":
        return
    for i, (_, _, label) in enumerate(painted):
        if label != int(label) or not 0 <= label < MAX_PAINTED_CLASSES:
            problems.add(
                f"{path}.painted[{i}][2]",
                f"{short(label)} is not a class (a whole number from 0 to "
                f"{MAX_PAINTED_CLASSES - 1}; or set task to 'regression' for values)",
            )


def _check_design(parts: dict[str, Any], path: str, problems: Problems) -> None:
    """2D data sets offer FEATURES_2D; a step output (the perceptron) has no hidden layer."""
    dataset, features = parts["dataset"], parts["features"]
    if INVALID not in (dataset, features) and dataset.name in (*DATASETS_2D, PAINTED):
        if not features:
            problems.add("features", f"choose at least one of {', '.join(FEATURES_2D)}")
        for i, feature in enumerate(features):
            if feature not in FEATURES_2D:
                problems.add(
                    f"features[{i}]",
                    lambda feature=feature: (
                        f"{not_one_of(feature, FEATURES_2D)} "
                        f"(the inputs of the 2D data set {dataset.name!r})"
                    ),
                )
    output, layers = parts["output"], parts["layers"]
    if output is INVALID:
        return
    if output.activation == "step" and layers is not INVALID and layers:
        problems.add(
            "output.activation",
            "a 'step' output (the perceptron) takes no hidden layers; "
            f"remove the {len(layers)} hidden layer(s) or choose another output",
        )
    mismatch = output_mismatch(output.activation, output.loss)
    if mismatch:
        problems.add("output.loss", mismatch)


# --- the declarations ---------------------------------------------------------------------

LAYER = Section(
    LayerSpec,
    {
        "units": Whole(
            1,
            MAX_UNITS,
            help="Neurons in this layer: more can draw more complex boundaries, but overfit "
            "sooner.",
        ),
        "activation": Choice(
            HIDDEN_ACTIVATIONS,
            help="The function each neuron applies to its weighted sum z = w·x + b.",
        ),
        "dropout": Number(
            0,
            1,
            open_high=True,
            help="Dropout: during training each unit of this layer is switched off with this "
            "probability (the others are scaled up by 1 / (1 − p)), so no unit can rely on "
            "another.",
        ),
    },
    help="One hidden layer.",
)

OUTPUT = Section(
    OutputSpec,
    {
        "activation": Choice(OUTPUT_ACTIVATIONS, help="The activation of the output layer."),
        "loss": Choice(
            LOSSES, help="What training minimises: how far the outputs are from the targets."
        ),
    },
    help="The output layer; auto derives activation and loss from the task.",
)

DATASET = Section(
    DatasetSpec,
    {
        "name": Choice(
            DATASET_NAMES,
            help="The data the network learns from: points with a label (classification) or "
            "a value (regression).",
        ),
        "noise": Number(
            *NOISE_RANGE,
            help="Noise: how much the points are blurred or their labels flipped. More noise "
            "makes a perfect fit impossible and overfitting visible.",
        ),
        "points": Whole(
            *POINTS_RANGE,
            help="Number of points generated. Fewer points make it easier to overfit.",
        ),
        "train_fraction": Number(
            *TRAIN_FRACTION_RANGE,
            help="Share of the points used for training; the rest is the test set, which shows "
            "how well the network generalises to data it never saw.",
        ),
        "seed": Whole(
            0, MAX_SEED, help="Seed of the data generator: the same seed gives the same points."
        ),
        "classes": Whole(*CLASSES_RANGE, help="Number of classes the generator makes."),
        "path": Text(
            MAX_TEXT_LENGTH,
            optional=True,
            allow_empty=False,
            help="A CSV file with a header row: one column is the label, the others can be inputs "
            "(for MNIST-format data: the folder of IDX files, or the .npz file).",
        ),
        "label_column": Text(
            MAX_TEXT_LENGTH,
            optional=True,
            allow_empty=False,
            help="The column the network should predict.",
        ),
        "feature_columns": Names(
            MAX_TEXT_LENGTH,
            optional=True,
            help="The columns the network gets as inputs (null: every other column).",
        ),
        "task": Choice(
            TASKS,
            optional=True,
            help="Classification predicts a class; regression predicts a number.",
        ),
        "drop_bad_rows": Flag(
            help="Leave out the rows where a chosen column holds something that is not a "
            "number (an empty cell, text); otherwise the first such cell is reported.",
        ),
        "painted": Rows(
            MAX_POINTS,
            help="Points you painted, each [x1, x2, label]: a class from 0 to 9, or a value "
            "for regression; for line_points each [x1, target].",
        ),
    },
    check=_check_dataset,
    help="Which data to learn from and how to generate or read it.",
)

OPTIMIZER = Section(
    OptimizerSpec,
    {
        "name": Choice(
            OPTIMIZERS, help="How the weights move downhill on the loss after each batch."
        ),
        "learning_rate": Number(
            0,
            100,
            open_low=True,
            help="Learning rate η: the size of each step, w ← w − η·∇L. Too small and training "
            "crawls; too large and the loss oscillates or diverges.",
        ),
        "momentum": Number(
            0,
            1,
            open_high=True,
            help="Momentum μ: the share of the previous step carried into the next (0.9 is usual).",
        ),
        "beta1": Number(
            0,
            1,
            open_high=True,
            help="β₁: how slowly Adam's running mean of gradients forgets (0.9 is usual).",
        ),
        "beta2": Number(
            0,
            1,
            open_high=True,
            help="β₂: how slowly Adam's running mean of squared gradients forgets (0.999 is "
            "usual).",
        ),
        "rho": Number(
            0,
            1,
            open_high=True,
            help="ρ: how slowly RMSprop's running mean of squared gradients forgets (0.9 is "
            "usual).",
        ),
        "epsilon": Number(
            0,
            1,
            open_low=True,
            help="ε: a tiny number added to the denominator so no step divides by zero.",
        ),
        "weight_decay": Number(
            0, help="Weight decay λ: AdamW shrinks every weight by η·λ·w each step."
        ),
    },
    help="The optimizer and its parameters; parameters it does not use are ignored.",
)

SCHEDULE = Section(
    ScheduleSpec,
    {
        "name": Choice(SCHEDULES, help="How the learning rate changes over the epochs."),
        "step_size": Whole(
            1, help="Step decay: epochs between two reductions of the learning rate."
        ),
        "gamma": Number(
            0,
            1,
            open_low=True,
            help="Step decay: factor the learning rate is multiplied by at each reduction.",
        ),
        "min_learning_rate": Number(
            0, 100, help="Cosine: the learning rate reached at the last epoch."
        ),
    },
    help="The learning-rate schedule over the epochs.",
)

TRAINING = Section(
    TrainingSpec,
    {
        "optimizer": OPTIMIZER,
        "schedule": SCHEDULE,
        "batch_size": Whole(
            1,
            100_000,
            help="Batch size: points per weight update. Small batches give many noisy steps "
            "(which can escape poor minima); large ones give few smooth, costlier steps.",
        ),
        "epochs": Whole(
            1, 10_000_000, help="Epochs: passes over the training set before training stops."
        ),
        "l1": Number(
            0,
            help="L1 regularisation adds λ·Σ|w| to the loss: it pushes weights to exactly zero, "
            "so the network uses fewer inputs.",
        ),
        "l2": Number(
            0,
            help="L2 regularisation adds λ·Σw² to the loss: it penalises large weights, which "
            "gives smoother boundaries and less overfitting.",
        ),
        "initializer": Choice(
            INITIALIZERS,
            help="How the weights are chosen before training; a good start keeps the signal's "
            "scale through deep networks.",
        ),
        "seed": Whole(
            0,
            MAX_SEED,
            help="Seed of the weights and of the batch order: the same seed replays the same run.",
        ),
        "early_stopping": Flag(
            help="Early stopping: stop when the test loss has not improved for a number of "
            "epochs, and keep the best weights."
        ),
        "patience": Whole(
            1,
            help="Epochs without improvement of the test loss before early stopping ends the run.",
        ),
        "engine": Choice(
            ENGINES,
            help="NumPy: nnviz's own engine, fastest for small networks. Torch: PyTorch, for "
            "big networks or a GPU.",
        ),
        "device": Choice(
            DEVICES, help="Where torch computes: the CPU, or a CUDA GPU when there is one."
        ),
        "dtype": Choice(
            DTYPES,
            help="Number precision: float32 is faster; float64 is exact enough to compare "
            "gradients.",
        ),
    },
    help="How to train: optimizer, schedule, batches, regularisation, stopping, engine.",
)

DESIGN = Section(
    Design,
    {
        "name": Text(MAX_NAME_LENGTH, help="The design's name, shown in the title bar."),
        "description": Text(
            MAX_DESCRIPTION_LENGTH, help="What the design shows; displayed next to it."
        ),
        "dataset": DATASET,
        "features": Names(
            MAX_TEXT_LENGTH,
            help="The network's inputs: derived features of a 2D data set (x1, x2, x1^2, ...) "
            "or the columns of other data.",
        ),
        "layers": ListOf(LAYER, MAX_LAYERS, help="The hidden layers, from input to output."),
        "output": OUTPUT,
        "training": TRAINING,
    },
    check=_check_design,
    also_allowed=("format", "version"),
    quiet=("$schema",),
    help="An nnviz design: data, inputs, hidden layers, output and training settings.",
)
