"""From a design (and optionally a weights file) to the trace of one of its samples.

This is what ``nnviz explain`` runs; the window has the data and the weights already and calls
:func:`trace_of` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.data import load_dataset
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.features import InputPipeline
from nnviz.core.design import Design
from nnviz.core.explain.trace import Trace, trace_sample
from nnviz.core.files.weights_io import NetworkFile, check_compatible
from nnviz.core.nn.engine import Params
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.network import NetworkSpec, encode_targets, resolve_network

SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class Explained:
    """A trace and where its sample came from."""

    trace: Trace
    dataset: Dataset
    pipeline: InputPipeline
    split: str
    index: int


def explain_design(
    design: Design,
    *,
    base_dir: Path | None = None,
    weights: NetworkFile | None = None,
    index: int = 0,
    split: str = "train",
) -> Explained:
    """Trace sample ``index`` of ``split`` through ``design``'s initial weights (or
    ``weights``'s). Raises ``DatasetError``, ``DesignMismatch`` or ``WeightsFileError`` (or
    ``IndexError`` for a sample that does not exist) with a message that says what is wrong."""
    dataset = load_dataset(design.dataset, base_dir=base_dir)
    pipeline = InputPipeline.fit(dataset, design.features)
    spec = resolve_network(design, len(pipeline.features), dataset.task, dataset.n_classes)
    if weights is None:
        training = design.training
        rng = np.random.default_rng(training.seed)
        params = init_params(spec, training.initializer, rng, training.dtype)
    else:
        params = weights.params
        check_compatible(spec, params)
        pipeline = _file_pipeline(pipeline, weights)
    raw = dataset.x_train if split == "train" else dataset.x_test
    labels = dataset.y_train if split == "train" else dataset.y_test
    if not 0 <= index < len(raw):
        raise IndexError(
            f"sample {index} does not exist: the {split} split has {len(raw)} samples "
            f"(0 to {len(raw) - 1})"
        )
    x = pipeline.transform(raw[index : index + 1])[0]
    trace = trace_of(design, spec, params, x, labels[index : index + 1])
    return Explained(trace, dataset, pipeline, split, index)


def trace_of(
    design: Design,
    spec: NetworkSpec,
    params: Params,
    x,
    label,
    *,
    learning_rate: float | None = None,
    keep=None,
) -> Trace:
    """The trace of network input ``x`` with raw label ``label`` under ``design``'s training
    settings (optimizer, L1/L2); the optimizer's learning rate unless ``learning_rate`` is
    given (the window passes the scheduled one), dropout off unless ``keep`` is given."""
    training = design.training
    target = encode_targets(spec, np.asarray(label).reshape(1), np.float64)[0]
    optimizer, l1, l2 = training.optimizer, training.l1, training.l2
    return trace_sample(
        spec, params, x, target, optimizer, learning_rate=learning_rate, l1=l1, l2=l2, keep=keep
    )


def _file_pipeline(fitted: InputPipeline, weights: NetworkFile) -> InputPipeline:
    """The standardisation the weights were trained with, on the design's features."""
    if tuple(weights.input_names) != tuple(fitted.features):
        raise DatasetError(
            f"the weights file expects the inputs {', '.join(weights.input_names)}; "
            f"the design gives {', '.join(fitted.features)}"
        )
    return InputPipeline(fitted.raw_names, fitted.features, weights.input_mean, weights.input_std)
