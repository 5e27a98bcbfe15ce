"""What the network diagram says in words: a layer's title line and the tooltips of its
neurons and edges, from the design, its data and the weights shown (None before the first
frame). Read when a tooltip shows, so they always tell the weights drawn."""

from __future__ import annotations

import numpy as np

from nnviz.core.design import Design
from nnviz.ui.concepts import ACTIVATION_TIPS, FEATURE_TIPS
from nnviz.ui.data_facts import DataFacts

INPUT = -1  # layer index of the input column in keys (layer_index, unit)


def layer_detail(design: Design, facts: DataFacts, layer: int) -> str:
    """``"8 · tanh"`` under a layer's title (the output's activation as its task makes it)."""
    if layer == len(design.layers):
        return f"{facts.n_outputs} · {facts.output_activation(design.output.activation)}"
    spec = design.layers[layer]
    dropout = f" · drop {spec.dropout:g}" if spec.dropout > 0 else ""
    return f"{spec.units} · {spec.activation}{dropout}"


def edge_tip(params, layer: int, row: int, col: int) -> str:
    """The weight an edge shows: row ``row``, column ``col`` of dense layer ``layer``."""
    if params is None:
        return ""
    weight = float(params[layer][0][row, col])
    return f"weight {weight:+.4f}" if np.isfinite(weight) else ""


def neuron_tip(
    design: Design, facts: DataFacts, inputs: tuple[str, ...], params, layer: int, unit: int
) -> str:
    """An input's meaning, or a neuron's place, activation, bias and what the activation
    does."""
    if layer == INPUT:
        feature = inputs[unit]
        return FEATURE_TIPS.get(feature, f"Input {feature}") + "\nClick to switch it off."
    if layer == len(design.layers):
        activation = facts.output_activation(design.output.activation)
        title = f"Output {unit + 1}"
    else:
        activation = design.layers[layer].activation
        title = f"Hidden {layer + 1}, neuron {unit + 1}"
    lines = [title, f"activation: {activation}"]
    if params is not None:
        lines.append(f"bias: {float(params[layer][1][unit]):+.4f}")
    summary = ACTIVATION_TIPS.get(activation, "")
    return "\n".join(lines) + (f"\n\n{summary}" if summary else "")
