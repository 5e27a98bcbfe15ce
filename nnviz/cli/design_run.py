"""What ``nnviz landscape`` and ``nnviz lr-find`` share: a design file and, optionally, the
weights of a weights file, made into a :class:`~nnviz.core.run.trainer.Trainer` at those
weights; anything unusable becomes one line of :class:`~nnviz.cli.common.BadInput`."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from nnviz.cli.common import BadInput, one_line
from nnviz.core.data.dataset import DatasetError
from nnviz.core.files.design_file import DesignFileError, load_design
from nnviz.core.files.weights_io import WeightsFileError, check_compatible, load_weights
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.network import DesignMismatch
from nnviz.core.run.trainer import Trainer


def trainer_at(design_path: Path, weights_path: Path | None = None) -> Trainer:
    """The design's run, at the file's weights (or at the initial weights of its seed)."""
    try:
        design = load_design(design_path)
    except DesignFileError as error:
        raise BadInput(f"{design_path}: {'; '.join(error.problems)}") from None
    try:
        trainer = Trainer(design, base_dir=design_path.resolve().parent)
    except (DatasetError, DesignMismatch) as error:
        raise BadInput(f"{design_path}: {one_line(error)}") from None
    except EngineUnavailable as error:
        raise BadInput(one_line(error)) from None
    if weights_path is None:
        return trainer
    try:
        network = load_weights(weights_path)
        check_compatible(trainer.spec, network.params)
    except WeightsFileError as error:
        raise BadInput(f"{weights_path}: {one_line(error)}") from None
    if tuple(network.input_names) != tuple(trainer.pipeline.features):
        raise BadInput(
            f"{weights_path}: the file's network takes the inputs "
            f"({', '.join(network.input_names)}), the design's takes "
            f"({', '.join(trainer.pipeline.features)})"
        )
    if not all(math.isfinite(float(abs(a).max(initial=0))) for wb in network.params for a in wb):
        raise BadInput(f"{weights_path}: the weights hold NaN or infinite values")
    trainer.load_params(network.params)
    return trainer


def positive_number(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value
