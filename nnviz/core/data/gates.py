"""The textbooks' logic gates: four points, for the perceptron lessons."""

from __future__ import annotations

import numpy as np

from nnviz.core.data.catalog import GATE_EXTENT
from nnviz.core.data.dataset import Dataset
from nnviz.core.data.split import class_names

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH_TABLES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor_gate": (0, 1, 1, 0),
}


def gate(name: str) -> Dataset:
    """The gate's truth table; train and test are the same four points, since there is
    nothing else to test on."""
    y = np.array(TRUTH_TABLES[name], dtype=np.int64)
    return Dataset(
        name=name,
        task="classification",
        x_train=INPUTS.copy(),
        y_train=y,
        x_test=INPUTS.copy(),
        y_test=y.copy(),
        raw_names=("x1", "x2"),
        class_names=class_names(2),
        extent=GATE_EXTENT,
    )
