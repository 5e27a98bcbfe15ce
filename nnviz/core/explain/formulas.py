"""The calculation behind one number of a :class:`~nnviz.core.explain.trace.Trace`, written out
with its real values: ``z = 0.420·0.700 + (−1.30)·0.100 + 0.0500 = 0.214``.

Each function returns lines of text, one equation a line, for a neuron (its ``z`` and ``a``, or
its ``δ``), an edge (its contribution ``w·a``, or ``∂L/∂w``) or the loss. Layers are counted
from 0 (the first dense layer); a neuron is ``(layer, unit)``, an edge ``(layer, unit, input)``
with ``input`` the unit of the layer below (or the network input). Every number is rounded
(:func:`nnviz.core.explain.numbers.number`); the last one of a line is the trace's own value.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.explain.numbers import factor, number, products, values
from nnviz.core.explain.trace import Trace
from nnviz.core.nn.activations import get_activation

ROUNDING_NOTE = "Numbers are rounded to 3 significant figures for reading."

LOSS_NAMES = {
    "mse": "mean squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "categorical_cross_entropy": "categorical cross-entropy",
    "perceptron": "perceptron error",
}


def forward_lines(trace: Trace, layer: int, unit: int) -> list[str]:
    """How the neuron computes ``z`` from its inputs and bias, then ``a = f(z)``."""
    step = trace.layers[layer]
    z, a = step.z[unit], step.a[unit]
    lines = [
        f"z = {products(step.weight[unit], step.inputs)} + {factor(step.bias[unit])} = {number(z)}",
        activation_line(step.activation, step.z, step.a, unit),
    ]
    if step.keep is not None:
        lines.append(dropout_line(step.keep[unit], a))
    return lines


def activation_line(name: str, z_all: np.ndarray, a_all: np.ndarray, unit: int) -> str:
    """``a = f(z)`` with the numbers, for every activation nnviz has."""
    z, a = float(z_all[unit]), float(a_all[unit])
    zs, result = number(z), number(a)
    if name == "softmax":
        exps = np.exp(z_all - z_all.max())
        return (
            f"a = e^z / Σ e^z = e^{factor(z)} / ({_exp_sum(z_all)}) = {result}"
            if len(z_all) <= 4
            else f"a = e^z / Σ e^z over {len(z_all)} outputs = {number(exps[unit] / exps.sum())}"
        )
    if name == "step":
        return f"y = step(z) = 1 if z > 0, else 0: step({zs}) = {result}"
    if name in ("leaky_relu", "elu") and z <= 0:
        rule = "0.01·z" if name == "leaky_relu" else "e^z − 1"
        return f"a = {rule} (z ≤ 0) = {result}"
    if name in ("leaky_relu", "elu"):
        return f"a = z (z > 0) = {result}"
    shown = {
        "linear": "z",
        "sigmoid": f"σ(z) = 1 / (1 + e^−z) = σ({zs})",
        "tanh": f"tanh(z) = tanh({zs})",
        "relu": f"max(0, z) = max(0, {zs})",
        "gelu": f"z·Φ(z) = {factor(z)}·Φ({zs})",
        "silu": f"z·σ(z) = {factor(z)}·σ({zs})",
        "softplus": f"ln(1 + e^z) = ln(1 + e^{factor(z)})",
    }[name]
    return f"a = {shown} = {result}"


def dropout_line(keep: float, a: float) -> str:
    if keep == 0:
        return "dropped by dropout this step: passes 0 forward and no gradient back"
    return f"kept by dropout, scaled by {number(keep)}: passes {number(a * keep)} on"


def _exp_sum(z_all: np.ndarray) -> str:
    return " + ".join(f"e^{factor(z)}" for z in z_all)


def edge_forward_lines(trace: Trace, layer: int, unit: int, source: int) -> list[str]:
    """The edge's contribution to the neuron's ``z``: its weight times what it carries."""
    step = trace.layers[layer]
    w, a_in = step.weight[unit, source], step.inputs[source]
    return [
        f"w·a = {factor(w)}·{factor(a_in)} = {number(w * a_in)}",
        f"one of the {len(step.inputs)} terms of z = {number(step.z[unit])}",
    ]


def loss_lines(trace: Trace) -> list[str]:
    """The output against the target, and the loss with its formula."""
    t, p = trace.target, trace.output
    name = trace.spec.loss
    lines = [f"output a = {values(p)}", f"target t = {values(t)}"]
    if name == "mse":
        pairs = zip(p[:4], t[:4], strict=True)
        terms = " + ".join(f"({number(pi)} − {factor(ti)})²" for pi, ti in pairs)
        if len(p) > 4:
            terms += f" + … ({len(p)} in all)"
        lines.append(f"L = mean((a − t)²) = ({terms}) / {len(p)} = {number(trace.loss)}")
    elif name == "binary_cross_entropy":
        lines.append(
            f"L = −(t·ln a + (1 − t)·ln(1 − a)) = −({number(t[0])}·ln {number(p[0])} + "
            f"{number(1 - t[0])}·ln {number(1 - p[0])}) = {number(trace.loss)}"
        )
    elif name == "categorical_cross_entropy":
        c = int(np.argmax(t))
        lines.append(
            f"L = −Σ t·ln a = −ln a[{c}] (the target class) = −ln {number(p[c])} = "
            f"{number(trace.loss)}"
        )
    else:
        error = t - p
        lines.append(f"error = t − y = {number(t[0])} − {number(p[0])} = {number(error[0])}")
        lines.append(f"L = {number(trace.loss)} ({'wrong' if trace.loss else 'right'}: 1 or 0)")
    return lines


def backward_lines(trace: Trace, layer: int, unit: int) -> list[str]:
    """The chain rule for the neuron's ``δ = ∂L/∂z``, with its numbers."""
    step = trace.layers[layer]
    delta = number(step.delta[unit])
    last = layer == len(trace.layers) - 1
    if last and trace.spec.is_perceptron:
        return [
            f"δ = y − t = {number(trace.output[unit])} − {factor(trace.target[unit])} = {delta}"
        ]
    if last and trace.fused:
        return [
            f"δ = ∂L/∂z = a − t = {number(step.a[unit])} − {factor(trace.target[unit])} = {delta}",
            f"({LOSS_NAMES[trace.spec.loss]} after {step.activation}: ∂a/∂z cancels out)",
        ]
    if last:
        t = trace.target[unit]
        n = len(trace.target)
        grad = f"∂L/∂a = 2·(a − t) / {n} = 2·({number(step.a[unit])} − {factor(t)}) / {n}"
        lines = [f"{grad} = {number(step.grad_out[unit])}"]
    else:
        above = trace.layers[layer + 1]
        lines = [
            f"∂L/∂a = Σ w·δ over layer {layer + 2} = "
            f"{products(above.weight[:, unit], above.delta)} = {number(step.grad_out[unit])}"
        ]
        if step.keep is not None:
            lines.append(dropout_line(step.keep[unit], step.a[unit]))
    if step.activation == "softmax":
        lines.append(f"δ = a·(∂L/∂a − Σ a·∂L/∂a) (softmax's Jacobian) = {delta}")
        return lines
    lines.append(derivative_line(step.activation, step.z[unit], step.a[unit]))
    slope = get_activation(step.activation).derivative(step.z[None], step.a[None])[0][unit]
    grad_a = step.grad_out[unit] * (1.0 if step.keep is None else step.keep[unit])
    lines.append(f"δ = ∂L/∂z = ∂L/∂a · ∂a/∂z = {factor(grad_a)}·{factor(slope)} = {delta}")
    return lines


def derivative_line(name: str, z: float, a: float) -> str:
    """``∂a/∂z`` of the activation at this neuron."""
    if name in ("relu", "leaky_relu", "elu") and z > 0:
        return "∂a/∂z = 1 (z > 0)"
    if name == "relu":
        return "∂a/∂z = 0 (z ≤ 0: no gradient passes)"
    if name == "leaky_relu":
        return "∂a/∂z = 0.01 (z ≤ 0)"
    slope = number(get_activation(name).derivative(np.array([[z]]), np.array([[a]]))[0, 0])
    text = {
        "linear": "1",
        "sigmoid": f"a·(1 − a) = {number(a)}·(1 − {number(a)})",
        "tanh": f"1 − a² = 1 − {factor(a)}²",
        "elu": f"e^z = e^{factor(z)}",
        "gelu": f"Φ(z) + z·φ(z) at z = {number(z)}",
        "silu": f"σ(z)·(1 + z·(1 − σ(z))) at z = {number(z)}",
        "softplus": f"σ(z) = σ({number(z)})",
    }[name]
    return f"∂a/∂z = {text}" if name == "linear" else f"∂a/∂z = {text} = {slope}"


def edge_backward_lines(trace: Trace, layer: int, unit: int, source: int) -> list[str]:
    """``∂L/∂w = δ · a_in`` for the edge, plus the L1/L2 penalty on the weight."""
    step = trace.layers[layer]
    w, delta, a_in = step.weight[unit, source], step.delta[unit], step.inputs[source]
    text = f"∂L/∂w = δ·a_in = {factor(delta)}·{factor(a_in)}"
    if trace.l2:
        text += f" + λ₂·w ({number(trace.l2)}·{factor(w)})"
    if trace.l1:
        text += f" + λ₁·sign(w) ({number(trace.l1)}·{factor(np.sign(w))})"
    return [f"{text} = {number(step.grad_weight[unit, source])}"]


def bias_backward_lines(trace: Trace, layer: int, unit: int) -> list[str]:
    return [f"∂L/∂b = δ = {number(trace.layers[layer].grad_bias[unit])} (biases have no penalty)"]
