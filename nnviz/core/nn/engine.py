"""What a training engine is: the one interface the NumPy and torch engines both implement.

Parameters cross this boundary as NumPy arrays, ``[(W, b), ...]`` with ``W`` of shape
``(out, in)``, so the training loop, the snapshots, the views and the exporters never care
which engine computed them. Both engines start from the same NumPy initial weights
(:func:`nnviz.core.nn.initializers.init_params`), which is what makes them comparable.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from nnviz.core.design import OptimizerSpec
from nnviz.core.nn.network import NetworkSpec

Params = list[tuple[np.ndarray, np.ndarray]]
#: What an engine remembers between steps besides its weights, as named arrays: the
#: optimizer's moments and step count (``optimizer.<name>``, flat vectors in the order
#: W0, b0, W1, b1, ...) and the dropout generator's state (``dropout_rng``).
EngineState = dict[str, np.ndarray]


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here (torch not installed, CUDA missing); says how to fix."""


class Engine(Protocol):
    """A trainable network.

    ``x`` is always the network input (derived, standardised features), ``t`` the encoded
    targets of :func:`nnviz.core.nn.network.encode_targets`. Losses are the *data* loss (the mean
    over the batch, without the L1/L2 penalty, so train and test losses compare); gradients
    include the penalty ``l1 * sum|W| + l2 / 2 * sum W**2`` on weights (not biases).
    """

    name: str  # "numpy" or "torch"
    device: str  # "cpu", "cuda:0", ...

    def get_params(self) -> Params:
        """Copies of the current weights and biases."""

    def set_params(self, params: Params) -> None:
        """Replace the weights and biases (shapes must match the spec)."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Output activations in evaluation mode (no dropout), shape (n, n_outputs)."""

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Data loss in evaluation mode."""

    def gradients(self, x: np.ndarray, t: np.ndarray) -> tuple[float, Params]:
        """Data loss and gradients of loss + penalty, in training mode (dropout on).

        Does not change the weights: the UI shows gradients and tests check them.
        """

    def apply_gradients(self, grads: Params, learning_rate: float) -> None:
        """One optimizer update with the given gradients."""

    def train_batch(
        self, x: np.ndarray, t: np.ndarray, learning_rate: float, measure: bool = False
    ) -> float:
        """``gradients`` then ``apply_gradients``, fused for speed; returns the batch loss.

        With ``measure``, also keep the L2 norm of each layer's weight gradient (penalty
        included, before the update) for :meth:`gradient_norms`: the training loop asks for
        it on an epoch's last batch, so the norms cost no extra pass over the data.
        For the perceptron (step output) this applies the perceptron rule sample by sample.
        """

    def train_batches(
        self, x: np.ndarray, t: np.ndarray, starts: range, size: int, learning_rate: float
    ) -> None:
        """``train_batch`` on ``x[s : s + size]`` for each ``s`` of ``starts`` in turn, without
        the losses: the training loop's middle of an epoch, whose losses nobody reads (a
        divergence there shows in the epoch's last batch and in the weights). On a GPU the
        steps queue up without waiting for a loss to cross to the host."""

    def finite(self) -> bool:
        """Whether every weight and bias is finite: saturated units can keep the loss finite
        while an infinity sits in the weights, and that run has diverged too."""

    def to_device(self, array: np.ndarray):
        """``array`` where this engine computes, for ``train_batch``: the array itself on the
        CPU, a tensor in GPU memory on CUDA (so a run's data crosses to the GPU once)."""

    def gradient_norms(self) -> tuple[float, ...]:
        """Per dense layer, the weight-gradient norm of the last batch trained with ``measure``
        (zeros before any)."""

    def get_state(self) -> EngineState:
        """Copies of the optimizer's memory and the dropout generator's state."""

    def set_state(self, state: EngineState) -> None:
        """Put back what :meth:`get_state` gave (same optimizer kind and network)."""

    def set_optimizer(self, optimizer: OptimizerSpec) -> None:
        """Change optimizer settings mid-run; state (moments) is kept when the kind is unchanged."""

    def set_regularization(self, l1: float, l2: float) -> None:
        """Change the L1/L2 penalty mid-run."""


def create_engine(
    kind: str,
    spec: NetworkSpec,
    params: Params,
    optimizer: OptimizerSpec,
    *,
    l1: float = 0.0,
    l2: float = 0.0,
    dtype: str = "float32",
    seed: int = 0,
    device: str = "auto",
) -> Engine:
    """Build the engine ``kind`` ("numpy" or "torch"); torch is imported only for "torch"."""
    if kind == "numpy":
        from nnviz.core.nn.numpy_engine import NumpyEngine

        return NumpyEngine(spec, params, optimizer, l1=l1, l2=l2, dtype=dtype, seed=seed)
    if kind == "torch":
        from nnviz.core.nn.torch_engine import TorchEngine

        return TorchEngine(
            spec, params, optimizer, l1=l1, l2=l2, dtype=dtype, seed=seed, device=device
        )
    raise ValueError(f"unknown engine {kind!r}; choose numpy or torch")
