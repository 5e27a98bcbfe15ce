"""From raw inputs to the network's inputs: derived features, then standardisation.

As in TensorFlow Playground, 2D data offer x1, x2, x1², x2², x1·x2, sin x1 and sin x2 (and
1D data x1, x1², sin x1); wider data (real sets, CSV files) offer their columns. The fitted
pipeline is plain numbers (``to_dict``), so an exported network can answer on raw inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.design import FEATURES_2D

FEATURES_1D = ("x1", "x1^2", "sin(x1)")
RAW_2D = ("x1", "x2")
RAW_1D = ("x1",)

#: Each derived feature as an operation on raw columns. The NumPy pipeline, the ONNX graph and
#: the exported PyTorch script all compute features from this one table.
RECIPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "x1": ("column", ("x1",)),
    "x2": ("column", ("x2",)),
    "x1^2": ("square", ("x1",)),
    "x2^2": ("square", ("x2",)),
    "x1*x2": ("product", ("x1", "x2")),
    "sin(x1)": ("sin", ("x1",)),
    "sin(x2)": ("sin", ("x2",)),
}

_NUMPY_OPS: dict[str, Callable[..., np.ndarray]] = {
    "column": lambda column: column,
    "square": np.square,
    "product": np.multiply,
    "sin": np.sin,
}


def feature_recipe(name: str) -> tuple[str, tuple[str, ...]]:
    """``(operation, raw columns)`` for a feature; any other name is a raw column itself."""
    return RECIPES.get(name, ("column", (name,)))


def _available(raw_names: tuple[str, ...]) -> tuple[str, ...]:
    if raw_names == RAW_2D:
        return FEATURES_2D
    if raw_names == RAW_1D:
        return FEATURES_1D
    return raw_names


def available_features(dataset: Dataset) -> tuple[str, ...]:
    """The input features a design may choose for this data set."""
    return _available(dataset.raw_names)


def default_features(dataset: Dataset) -> tuple[str, ...]:
    """("x1", "x2") for 2D data, ("x1",) for 1D data, () (all columns) for wider data."""
    if dataset.raw_names in (RAW_2D, RAW_1D):
        return dataset.raw_names
    return ()


def _resolve(raw_names: tuple[str, ...], features: tuple[str, ...]) -> tuple[str, ...]:
    """Check ``features`` against what the raw columns offer; () means all columns of wide data."""
    choices = _available(raw_names)
    derived = raw_names in (RAW_2D, RAW_1D)
    if not features:
        if derived:
            raise DatasetError(f"choose at least one input feature ({', '.join(choices)})")
        return raw_names
    for name in features:
        if name not in choices:
            raise DatasetError(
                f"unknown input feature {name!r}; this data set offers {', '.join(choices)}"
            )
        if features.count(name) > 1:
            raise DatasetError(f"input feature {name!r} is chosen twice")
    return tuple(features)


def _mean_and_std(x: np.ndarray, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Column means and (population) spreads in float64, a chunk of rows at a time, so a
    float32 table of 60,000 × 784 needs no float64 copy of itself."""
    n = len(x)
    if n == 0:
        return np.zeros(x.shape[1]), np.ones(x.shape[1])
    mean = np.zeros(x.shape[1])
    for start in range(0, n, chunk):
        mean += x[start : start + chunk].sum(axis=0, dtype=np.float64)
    mean /= n
    squares = np.zeros(x.shape[1])
    for start in range(0, n, chunk):
        deviation = x[start : start + chunk] - mean
        squares += np.einsum("ij,ij->j", deviation, deviation)
    return mean, np.sqrt(squares / n)


class InputPipeline:
    """Derived features in a fixed order, then ``(value - mean) / std``.

    ``mean`` and ``std`` are fitted on the training split only (mean 0 and std 1 when the
    data set does not standardise), so nothing about the test set leaks into training.
    """

    def __init__(
        self,
        raw_names: tuple[str, ...],
        features: tuple[str, ...],
        mean: np.ndarray,
        std: np.ndarray,
    ) -> None:
        self.raw_names = tuple(raw_names)
        self.features = _resolve(self.raw_names, tuple(features))
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        shape = (len(self.features),)
        if self.mean.shape != shape or self.std.shape != shape:
            raise DatasetError(
                f"the input pipeline has {len(self.features)} features but "
                f"{self.mean.size} means and {self.std.size} spreads"
            )
        if not (np.isfinite(self.mean).all() and np.isfinite(self.std).all()):
            raise DatasetError("the input pipeline's means and spreads must be finite numbers")
        if (self.std <= 0).any():
            raise DatasetError("the input pipeline's spreads must be positive")
        derived = self.raw_names in (RAW_2D, RAW_1D)
        self._columns = None if derived else [self.raw_names.index(f) for f in self.features]
        # All columns in order (MNIST's 784 pixels): no copy to pick them.
        self._all_columns = self._columns == list(range(len(self.raw_names)))

    @classmethod
    def fit(cls, dataset: Dataset, features: tuple[str, ...]) -> InputPipeline:
        """The pipeline for ``features`` of ``dataset``, standardisation fitted on train only."""
        chosen = _resolve(dataset.raw_names, tuple(features))
        count = len(chosen)
        unfitted = cls(dataset.raw_names, chosen, np.zeros(count), np.ones(count))
        if not dataset.standardize:
            return unfitted
        raw = dataset.x_train
        dtype = np.float32 if raw.dtype == np.float32 else np.float64
        mean, std = _mean_and_std(unfitted.derive(raw, dtype))
        return cls(dataset.raw_names, chosen, mean, np.where(std > 1e-12, std, 1.0))

    def derive(self, raw: np.ndarray, dtype=np.float64) -> np.ndarray:
        """Derived features of raw rows (n, len(raw_names)), before standardisation."""
        raw = np.asarray(raw, dtype=dtype)
        if raw.ndim != 2 or raw.shape[1] != len(self.raw_names):
            raise DatasetError(
                f"expected rows of {len(self.raw_names)} raw values "
                f"({', '.join(self.raw_names)}), got an array of shape {raw.shape}"
            )
        if self._columns is not None:
            return raw if self._all_columns else raw[:, self._columns]
        index = {name: i for i, name in enumerate(self.raw_names)}
        columns = []
        for feature in self.features:
            op, sources = feature_recipe(feature)
            columns.append(_NUMPY_OPS[op](*(raw[:, index[c]] for c in sources)))
        return np.column_stack(columns)

    def transform(self, raw: np.ndarray, dtype=np.float64) -> np.ndarray:
        """The network's input for raw rows: derived features, standardised.

        float64 unless ``dtype`` says otherwise: the trainer asks for the engine's dtype, so
        60,000 MNIST images never pass through a float64 copy (376 MB) on their way to float32.
        """
        derived = self.derive(raw, dtype)
        inputs = derived - self.mean.astype(dtype)  # a new array: the raw data stays as it is
        inputs /= self.std.astype(dtype)
        return inputs

    def to_dict(self) -> dict:
        """Plain lists and strings, ready for JSON."""
        return {
            "raw_names": list(self.raw_names),
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> InputPipeline:
        """The inverse of :meth:`to_dict`; a malformed dict is a DatasetError."""
        try:
            raw_names = tuple(str(n) for n in d["raw_names"])
            features = tuple(str(f) for f in d["features"])
            mean = np.array(d["mean"], dtype=np.float64)
            std = np.array(d["std"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as error:
            raise DatasetError(f"the input pipeline record is malformed: {error}") from None
        return cls(raw_names, features, mean, std)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputPipeline):
            return NotImplemented
        return (
            self.raw_names == other.raw_names
            and self.features == other.features
            and np.array_equal(self.mean, other.mean)
            and np.array_equal(self.std, other.std)
        )

    def __repr__(self) -> str:
        return f"InputPipeline(features={self.features}, raw_names={self.raw_names})"
