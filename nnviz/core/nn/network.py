"""The concrete network a design describes once the data is known.

A :class:`Design` says "two hidden layers of tanh, output auto"; only with the data do we know
how many inputs and outputs there are and which output activation and loss "auto" means.
Both engines, the exporters and the views build from a :class:`NetworkSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.design import Design, default_output, output_mismatch

CLASSIFICATION = "classification"
REGRESSION = "regression"


class DesignMismatch(ValueError):
    """The design cannot be built for this data (e.g. a step output on a regression task)."""


@dataclass(frozen=True)
class NetworkSpec:
    """Layer sizes from input to output, one activation and dropout per dense layer, a loss.

    ``sizes[0]`` is the number of network inputs (derived features), ``sizes[-1]`` the number
    of outputs; dense layer ``k`` maps ``sizes[k]`` to ``sizes[k + 1]`` with a weight of shape
    ``(sizes[k + 1], sizes[k])``, as torch's ``nn.Linear`` does.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    dropouts: tuple[float, ...]
    loss: str
    task: str = CLASSIFICATION
    n_classes: int = 2

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def output_activation(self) -> str:
        return self.activations[-1]

    @property
    def layer_names(self) -> tuple[str, ...]:
        """What the window and the history files call each dense layer."""
        return (*(f"hidden {k + 1}" for k in range(self.n_layers - 1)), "output")

    @property
    def is_perceptron(self) -> bool:
        """A single step layer trained with the perceptron rule, not by gradients."""
        return self.activations[-1] == "step"


def resolve_network(design: Design, n_inputs: int, task: str, n_classes: int) -> NetworkSpec:
    """Build the concrete network of ``design`` for data with ``n_inputs`` features.

    The pairs of output and loss that never work are :func:`~nnviz.core.design.output_mismatch`
    (the design file refuses them too); this adds the rules that depend on the data.
    """
    auto_activation, auto_loss = default_output(task, n_classes)
    activation = design.output.activation
    if activation == "auto":
        activation = auto_activation
    loss = design.output.loss
    if loss == "auto":
        if activation == "step":
            loss = "perceptron"
        elif activation == auto_activation:
            loss = auto_loss
        else:
            loss = "mse"
    mismatch = output_mismatch(activation, loss)
    if mismatch:
        raise DesignMismatch(mismatch)
    if activation == "step":
        if design.layers:
            raise DesignMismatch(
                "a step output trains with the perceptron rule: remove the hidden layers"
            )
        if task != CLASSIFICATION or n_classes > 2:
            raise DesignMismatch(
                "the perceptron separates two classes; this data set has "
                f"{'a regression target' if task == REGRESSION else f'{n_classes} classes'}"
            )
    n_out = n_classes if task == CLASSIFICATION and n_classes > 2 else 1
    if activation == "softmax" and n_out < 2:
        raise DesignMismatch("softmax needs several classes; use sigmoid for two")
    if loss == "binary_cross_entropy" and n_out != 1:
        raise DesignMismatch("binary cross-entropy needs a single sigmoid output (two classes)")
    if task == REGRESSION and loss != "mse":
        raise DesignMismatch("regression trains with the MSE loss")
    sizes = (n_inputs, *(layer.units for layer in design.layers), n_out)
    activations = (*(layer.activation for layer in design.layers), activation)
    dropouts = (*(layer.dropout for layer in design.layers), 0.0)
    return NetworkSpec(sizes, activations, dropouts, loss, task, n_classes)


def encode_targets(spec: NetworkSpec, y: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Targets as the engines train on them: float, shape (n, n_outputs).

    Class indices become 0/1 for one sigmoid or step output, -1/+1 for one tanh output (as
    TensorFlow Playground does), one-hot for several outputs; regression targets a column.
    """
    y = np.asarray(y)
    if spec.task == REGRESSION:
        return y.astype(dtype).reshape(-1, 1)
    if spec.sizes[-1] == 1:
        t = (y == 1).astype(dtype).reshape(-1, 1)
        return 2 * t - 1 if spec.output_activation == "tanh" else t
    return np.eye(spec.sizes[-1], dtype=dtype)[y.astype(int)]


def predict_classes(spec: NetworkSpec, outputs: np.ndarray) -> np.ndarray:
    """Class indices from network outputs (the threshold depends on the output's range)."""
    if spec.sizes[-1] > 1:
        return outputs.argmax(axis=1)
    return (outputs[:, 0] > decision_threshold(spec)).astype(int)


def decision_threshold(spec: NetworkSpec) -> float:
    """Where a single output splits the two classes: 0 for tanh (it learns -1/+1 targets,
    see :func:`encode_targets`), 0.5 for outputs trained on 0/1."""
    return 0.0 if spec.output_activation == "tanh" else 0.5
