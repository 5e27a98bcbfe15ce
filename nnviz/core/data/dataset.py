"""A data set as the rest of nnviz sees it: raw inputs and labels, split into train and test.

"Raw" means what a user has (x1, x2, or a CSV's columns). The network's input is made from it
by an :class:`~nnviz.core.data.features.InputPipeline` (derived features such as x1², then
standardisation fitted on the training split), which travels with exports so a saved network
answers on raw inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DatasetError(ValueError):
    """The data cannot be made or read; the message names the problem (file, row, column)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Raw inputs of shape (n, n_raw) and targets, already split and shuffled.

    ``y`` holds class indices (int64) for classification and floats for regression.
    ``standardize`` says whether the input pipeline should standardise (real and CSV data do;
    the generated playground sets do not, so their pictures match TensorFlow Playground's).
    """

    name: str
    task: str  # "classification" or "regression"
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    raw_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    standardize: bool = False
    image_shape: tuple[int, int] | None = None  # (8, 8) for the digits: weights shown as images
    extent: tuple[float, float] | None = None  # axis range of generated 2D/1D sets, e.g. (-6, 6)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_raw(self) -> int:
        return self.x_train.shape[1]
