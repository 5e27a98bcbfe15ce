"""Every number one training step makes for one sample: forward, loss, backward, update.

:func:`trace_sample` walks the four stages the way a textbook writes them, with the engine's
own pieces (:mod:`nnviz.core.nn.activations`, :mod:`~nnviz.core.nn.losses`,
:mod:`~nnviz.core.nn.optimizers`), and keeps every intermediate value so the window and
``nnviz explain`` can show how each one was made:

1. **forward**, layer by layer: ``z = W a_in + b`` and ``a = f(z)`` (then dropout, if a mask
   is given: the window shows dropped units; ``nnviz explain`` runs with dropout off);
2. **loss** of the output against the target;
3. **backward** from the output: ``δ = ∂L/∂z``, ``∂L/∂W = δ a_inᵀ (+ L1/L2 penalty)``,
   ``∂L/∂b = δ``, and ``∂L/∂a_in = Wᵀ δ`` for the layer below;
4. **update**: one step of the design's optimizer from a fresh state (zero moments), or
   Rosenblatt's rule for the perceptron.

Shapes are those of the weights files: ``W`` is (out, in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.core.design import OptimizerSpec
from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.engine import Params
from nnviz.core.nn.losses import get_loss
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.optimizers import make_optimizer


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """One dense layer for one sample: what came in, what it made, what the loss says of it.

    ``keep`` is the dropout factor of each unit (0 for a dropped unit, ``1 / (1 - rate)`` for
    a kept one) or None without dropout; ``out`` is what the next layer receives,
    ``a * keep``. ``grad_out`` is ``∂L/∂out``, the backward pass arriving from above.
    """

    activation: str
    inputs: np.ndarray  # a_in, shape (in,)
    weight: np.ndarray  # (out, in)
    bias: np.ndarray  # (out,)
    z: np.ndarray  # (out,)
    a: np.ndarray  # f(z), (out,)
    keep: np.ndarray | None
    grad_out: np.ndarray  # ∂L/∂out, (out,)
    delta: np.ndarray  # ∂L/∂z, (out,)
    grad_weight: np.ndarray  # ∂L/∂W with the L1/L2 penalty, (out, in)
    grad_bias: np.ndarray  # ∂L/∂b, (out,)

    @property
    def out(self) -> np.ndarray:
        return self.a if self.keep is None else self.a * self.keep


@dataclass(frozen=True, eq=False)
class UpdateTrace:
    """One optimizer step: the new weights and the optimizer's state after it.

    ``state`` maps a moment's name ("velocity", "square_avg", "m", "v") to its value for
    every layer, ``[(W-shaped, b-shaped), ...]``; ``step`` counts the optimizer's steps (1).
    """

    optimizer: OptimizerSpec
    learning_rate: float
    params: Params
    state: dict[str, Params] = field(default_factory=dict)
    step: int = 1

    @property
    def rule(self) -> str:
        """The optimizer's name, or "perceptron" for Rosenblatt's rule."""
        return self.optimizer.name


@dataclass(frozen=True, eq=False)
class Trace:
    """The whole step for one sample (see the module docstring)."""

    spec: NetworkSpec
    x: np.ndarray  # what the network sees: derived, standardised features
    target: np.ndarray  # encoded target, (n_outputs,)
    layers: tuple[LayerTrace, ...]
    loss: float
    fused: bool  # backprop started from the logits: δ_out = output − target
    l1: float
    l2: float
    update: UpdateTrace

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a


PERCEPTRON = OptimizerSpec(name="perceptron")


def trace_sample(
    spec: NetworkSpec,
    params: Params,
    x: np.ndarray,
    target: np.ndarray,
    optimizer: OptimizerSpec,
    *,
    learning_rate: float | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
    keep: list[np.ndarray | None] | None = None,
) -> Trace:
    """Trace one training step of ``spec`` with ``params`` on the sample ``x`` (1-D).

    ``target`` is the encoded target (:func:`nnviz.core.nn.network.encode_targets`);
    ``learning_rate`` defaults to the optimizer's; ``keep`` optionally gives each layer's
    dropout factors (see :func:`dropout_factors`). Computed in float64.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    t = np.asarray(target, dtype=np.float64).ravel()
    params = [(np.asarray(w, np.float64), np.asarray(b, np.float64)) for w, b in params]
    keep = keep or [None] * spec.n_layers
    lr = optimizer.learning_rate if learning_rate is None else float(learning_rate)

    # 1. forward
    forward = []
    a_in = x
    for (w, b), name, factors in zip(params, spec.activations, keep, strict=True):
        z = w @ a_in + b
        a = _row(get_activation(name).value, z)
        forward.append((a_in, z, a, factors))
        a_in = a if factors is None else a * factors

    # 2. loss (the engine's fused form after its own activation: no log of 0, exact δ)
    loss_function = get_loss(spec.loss)
    fused = loss_function.fused_activation == spec.output_activation
    z_out, output = forward[-1][1], forward[-1][2]
    grad_out = loss_function.gradient(output[None], t[None])[0]  # ∂L/∂a, shown even when fused
    if fused:
        loss = loss_function.value_from_logits(z_out[None], t[None])
        delta = loss_function.gradient_wrt_logits(output[None], t[None])[0]
    else:
        loss = loss_function.value(output[None], t[None])
        delta = _backward(spec.output_activation, z_out, output, grad_out)

    # 3. backward, from the output down
    layers: list[LayerTrace] = []
    for k in range(spec.n_layers - 1, -1, -1):
        (w, b), (a_in, z, a, factors) = params[k], forward[k]
        if k < spec.n_layers - 1:
            below = layers[0]
            grad_out = below.weight.T @ below.delta
            delta = _backward(spec.activations[k], z, a, grad_out * _ones(factors, z))
        grad_weight = np.outer(delta, a_in) + l2 * w + l1 * np.sign(w)
        layer = LayerTrace(
            spec.activations[k], a_in, w, b, z, a, factors, grad_out, delta, grad_weight, delta
        )
        layers.insert(0, layer)

    # 4. update
    if spec.is_perceptron:
        update = _perceptron_update(layers[0], t, lr)
    else:
        update = optimizer_step(
            optimizer, params, [(g.grad_weight, g.grad_bias) for g in layers], lr
        )
    return Trace(spec, x, t, tuple(layers), float(loss), fused, l1, l2, update)


def optimizer_step(optimizer: OptimizerSpec, params: Params, grads: Params, lr: float):
    """One step of the engine's own optimizer from a fresh state; keeps its moments."""
    flat_params = _flatten(params)
    step = make_optimizer(optimizer, flat_params.size, np.float64)
    step.step(flat_params, _flatten(grads), lr)
    moments = {
        name: _unflatten(getattr(step, name), params)
        for name in ("velocity", "square_avg", "m", "v")
        if hasattr(step, name)
    }
    return UpdateTrace(optimizer, lr, _unflatten(flat_params, params), moments)


def dropout_factors(spec: NetworkSpec, rng: np.random.Generator) -> list[np.ndarray | None]:
    """Inverted-dropout factors per layer, as the engine draws them in training mode."""
    factors = []
    for size, rate in zip(spec.sizes[1:], spec.dropouts, strict=True):
        if rate <= 0:
            factors.append(None)
            continue
        scale = 1.0 / (1.0 - rate) if rate < 1.0 else 0.0
        factors.append((rng.random(size) >= rate) * scale)
    return factors


def _perceptron_update(layer: LayerTrace, t: np.ndarray, lr: float) -> UpdateTrace:
    """Rosenblatt: ``error = t − y``; ``W += lr · error · x``, ``b += lr · error``."""
    error = t - layer.a
    weight = layer.weight + lr * np.outer(error, layer.inputs)
    bias = layer.bias + lr * error
    return UpdateTrace(PERCEPTRON, lr, [(weight, bias)])


def _backward(name: str, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    """δ = ∂L/∂z from ∂L/∂a through the activation (the Jacobian for softmax)."""
    return get_activation(name).backward(z[None], a[None], grad_a[None])[0]


def _row(function, z: np.ndarray) -> np.ndarray:
    """An activation of one sample (activations work on rows: softmax needs the batch axis)."""
    return function(z[None])[0]


def _ones(factors, z):
    return np.ones_like(z) if factors is None else factors


def _flatten(params: Params) -> np.ndarray:
    return np.concatenate([np.concatenate([w.ravel(), b.ravel()]) for w, b in params])


def _unflatten(flat: np.ndarray, like: Params) -> Params:
    layers, start = [], 0
    for w, b in like:
        weight = flat[start : start + w.size].reshape(w.shape).copy()
        start += w.size
        layers.append((weight, flat[start : start + b.size].copy()))
        start += b.size
    return layers
