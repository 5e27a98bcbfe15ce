"""The update of one weight or bias, written with the chosen optimizer's real formula.

The optimizer starts from a fresh state (every moment 0, step t = 1), as
:func:`nnviz.core.explain.trace.trace_sample` runs it, so each line shows ``0`` where an older
moment would be; the result of the last line is the engine's own new value.
"""

from __future__ import annotations

import math

from nnviz.core.explain.numbers import factor, number
from nnviz.core.explain.trace import Trace

OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "nesterov": "Nesterov momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "perceptron": "Rosenblatt's perceptron rule",
}


def update_lines(trace: Trace, layer: int, unit: int, source: int | None = None) -> list[str]:
    """How the weight ``W[unit, source]`` of ``layer`` (or its bias, ``source=None``) moves."""
    update = trace.update
    step = trace.layers[layer]
    index = (unit,) if source is None else (unit, source)
    part = 1 if source is None else 0
    old = float((step.bias if source is None else step.weight)[index])
    new = float(update.params[layer][part][index])
    grad = float((step.grad_bias if source is None else step.grad_weight)[index])
    symbol = "b" if source is None else "w"
    state = {name: float(moment[layer][part][index]) for name, moment in update.state.items()}
    spec, lr = update.optimizer, update.learning_rate
    eta, g = number(lr), factor(grad)
    end = f" = {number(new)}"

    if update.rule == "perceptron":
        error = float(trace.target[unit] - trace.output[unit])
        x = "" if source is None else f"·{factor(step.inputs[source])}"
        formula = "η·error" + ("" if source is None else "·x")
        return [
            f"error = t − y = {number(error)}",
            f"{symbol} ← {symbol} + {formula} = {number(old)} + {eta}·{factor(error)}{x}{end}",
        ]
    if update.rule == "sgd":
        return [f"{symbol} ← {symbol} − η·∂L/∂{symbol} = {number(old)} − {eta}·{g}{end}"]
    if update.rule in ("momentum", "nesterov"):
        mu, v = number(spec.momentum), state["velocity"]
        lines = [f"v = μ·v + g = {mu}·0 + {g} = {number(v)}"]
        if update.rule == "momentum":
            return [*lines, f"{symbol} ← {symbol} − η·v = {number(old)} − {eta}·{factor(v)}{end}"]
        look_ahead = f"({g} + {mu}·{factor(v)})"
        return [
            *lines,
            f"{symbol} ← {symbol} − η·(g + μ·v) = {number(old)} − {eta}·{look_ahead}{end}",
        ]
    if update.rule == "rmsprop":
        s = state["square_avg"]
        rho = spec.rho
        return [
            f"s = ρ·s + (1 − ρ)·g² = {number(rho)}·0 + {number(1 - rho)}·{g}² = {number(s)}",
            f"{symbol} ← {symbol} − η·g / (√s + ε) = "
            f"{number(old)} − {eta}·{g} / (√{number(s)} + {number(spec.epsilon)}){end}",
        ]
    # adam and adamw
    b1, b2, t = spec.beta1, spec.beta2, update.step
    m, v = state["m"], state["v"]
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    lines = []
    if update.rule == "adamw":
        decay = spec.weight_decay
        decayed = old * (1 - lr * decay)
        lines.append(
            f"{symbol} ← {symbol}·(1 − η·λ) = {number(old)}·(1 − {eta}·{number(decay)}) = "
            f"{number(decayed)} (decoupled weight decay)"
        )
        old = decayed
    return [
        *lines,
        f"m = β₁·m + (1 − β₁)·g = {number(b1)}·0 + {number(1 - b1)}·{g} = {number(m)}",
        f"v = β₂·v + (1 − β₂)·g² = {number(b2)}·0 + {number(1 - b2)}·{g}² = {number(v)}",
        f"m̂ = m / (1 − β₁^t) = {number(m)} / (1 − {number(b1)}^{t}) = {number(m_hat)}",
        f"v̂ = v / (1 − β₂^t) = {number(v)} / (1 − {number(b2)}^{t}) = {number(v_hat)}",
        f"{symbol} ← {symbol} − η·m̂ / (√v̂ + ε) = {number(old)} − {eta}·{factor(m_hat)} / "
        f"({number(math.sqrt(v_hat))} + {number(spec.epsilon)}){end}",
    ]


def update_title(trace: Trace) -> str:
    """``Adam, η = 0.03, from a fresh state`` — what the update stage runs."""
    update = trace.update
    name = OPTIMIZER_NAMES[update.rule]
    if update.rule in ("perceptron", "sgd"):  # nothing to remember between steps
        return f"{name}, η = {number(update.learning_rate)}"
    return f"{name}, η = {number(update.learning_rate)}, from a fresh state (moments 0)"
