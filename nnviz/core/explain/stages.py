"""The stages a learner steps through, and what each stage says about a neuron or an edge.

Stages run forward one dense layer at a time, then the loss, then backward from the output,
then the update (the perceptron has no backward pass: its rule uses the error directly).
Here layers are counted as the diagram draws them, in *columns*: column 0 holds the network
inputs and column ``c >= 1`` dense layer ``c - 1`` of the trace; an edge is named by the
column it enters, its unit there, and the unit it comes from in the column before.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnviz.core.explain import formulas
from nnviz.core.explain.numbers import number, units
from nnviz.core.explain.trace import Trace
from nnviz.core.explain.update_formulas import update_lines, update_title

FORWARD, LOSS, BACKWARD, UPDATE = "forward", "loss", "backward", "update"


@dataclass(frozen=True)
class Stage:
    """One step of the walk; ``column`` is the diagram column being computed (forward or
    backward), None for the loss and the update."""

    kind: str
    column: int | None = None

    def has_forward(self, column: int) -> bool:
        """Whether ``z`` and ``a`` of ``column`` are known at this stage."""
        return self.kind != FORWARD or column <= self.column

    def has_backward(self, column: int) -> bool:
        """Whether ``δ`` of ``column`` (and ``∂L/∂W`` of its incoming edges) is known."""
        return self.kind == UPDATE or (self.kind == BACKWARD and column >= self.column)


def stages(trace: Trace) -> list[Stage]:
    """Every stage of ``trace``, in order."""
    n = len(trace.layers)
    backward = [] if trace.spec.is_perceptron else [Stage(BACKWARD, c) for c in range(n, 0, -1)]
    return [*(Stage(FORWARD, c) for c in range(1, n + 1)), Stage(LOSS), *backward, Stage(UPDATE)]


def stage_lines(trace: Trace, stage: Stage) -> list[str]:
    """A title for the stage and what it computes, first line the title."""
    n = len(trace.layers)
    if stage.kind in (FORWARD, BACKWARD):
        layer = trace.layers[stage.column - 1]
        role = "output layer" if stage.column == n else f"hidden layer {stage.column}"
        where = f"{role} ({layer.activation}, {units(len(layer.z))})"
        if stage.kind == FORWARD:
            rule = "y = step(z)" if layer.activation == "step" else f"a = {layer.activation}(z)"
            return [f"Forward: {where}", f"z = W·a_in + b, then {rule}"]
        return [f"Backward: {where}", "δ = ∂L/∂z by the chain rule; ∂L/∂W = δ·a_in, ∂L/∂b = δ"]
    if stage.kind == LOSS:
        name = formulas.LOSS_NAMES[trace.spec.loss]
        return [f"Loss: {name} = {number(trace.loss)}", *formulas.loss_lines(trace)]
    return [f"Update: {update_title(trace)}", "each weight: old value → new value"]


def neuron_lines(trace: Trace, stage: Stage, column: int, unit: int, input_names=()) -> list[str]:
    """What the neuron at ``(column, unit)`` shows at ``stage``."""
    if column == 0:
        name = input_names[unit] if unit < len(input_names) else f"input {unit + 1}"
        return [f"x = {number(trace.x[unit])} ({name}, as the network sees it)"]
    if not stage.has_forward(column):
        return ["not computed yet: the forward pass has not reached this layer"]
    layer = column - 1
    if stage.kind == UPDATE:
        return ["bias:", *update_lines(trace, layer, unit)]
    if stage.kind == BACKWARD and stage.has_backward(column):
        return [
            *formulas.backward_lines(trace, layer, unit),
            *formulas.bias_backward_lines(trace, layer, unit),
        ]
    return formulas.forward_lines(trace, layer, unit)


def edge_lines(trace: Trace, stage: Stage, column: int, unit: int, source: int) -> list[str]:
    """What the edge into ``(column, unit)`` from unit ``source`` of the column before shows."""
    layer = column - 1
    if stage.kind == UPDATE:
        return update_lines(trace, layer, unit, source)
    if stage.kind == BACKWARD and stage.has_backward(column):
        return formulas.edge_backward_lines(trace, layer, unit, source)
    if stage.has_forward(column):
        return formulas.edge_forward_lines(trace, layer, unit, source)
    return ["not computed yet: the forward pass has not reached this layer"]
