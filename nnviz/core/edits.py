"""Edits of a design as pure functions, ``Design -> Design``: what the diagram's clicks do.

They know nothing of Qt, so the diagram, its right-click menu, the layer inspector, a lesson
or a script make the same change the same way. An edit the rules forbid (a 33rd layer, a layer
with no neuron, a network with no input) raises :class:`EditRefused`, whose message says why
in words a learner reads in the status bar.
"""

from __future__ import annotations

from dataclasses import replace

from nnviz.core.design import MAX_LAYERS, MAX_UNITS, Design, LayerSpec, OutputSpec

#: The hidden layers a network gets when it stops being a perceptron and nothing is known of
#: the layers it had before (the default design's).
DEFAULT_LAYERS = Design().layers
#: The layer added to a network that has none yet.
FIRST_LAYER = LayerSpec(4, "tanh")


class EditRefused(ValueError):
    """An edit the design's rules do not allow; ``str(error)`` says why."""


# --- layers -----------------------------------------------------------------------------------


def add_layer(design: Design) -> Design:
    """One more hidden layer at the end, like the last one; a perceptron becomes a network."""
    layers = design.layers
    if len(layers) >= MAX_LAYERS:
        raise EditRefused(f"A network has at most {MAX_LAYERS} hidden layers.")
    output = OutputSpec() if design.output.activation == "step" else design.output
    return replace(design, layers=(*layers, layers[-1] if layers else FIRST_LAYER), output=output)


def remove_layer(design: Design, k: int | None = None) -> Design:
    """Without hidden layer ``k`` (the last one when None); no hidden layer: unchanged."""
    layers = design.layers
    if not layers:
        return design
    k = len(layers) - 1 if k is None else _layer_index(design, k)
    return replace(design, layers=layers[:k] + layers[k + 1 :])


def set_layer(design: Design, k: int, **changes) -> Design:
    """Hidden layer ``k`` with ``changes`` (units, activation, dropout)."""
    k = _layer_index(design, k)
    layer = replace(design.layers[k], **changes)
    if not 1 <= layer.units <= MAX_UNITS:
        raise EditRefused(f"A layer has 1 to {MAX_UNITS} neurons, not {layer.units}.")
    layers = list(design.layers)
    layers[k] = layer
    return replace(design, layers=tuple(layers))


def set_output(design: Design, **changes) -> Design:
    """The output layer with ``changes`` (activation, loss)."""
    return replace(design, output=replace(design.output, **changes))


def add_unit(design: Design, k: int) -> Design:
    """One more neuron in hidden layer ``k``."""
    units = design.layers[_layer_index(design, k)].units
    if units >= MAX_UNITS:
        raise EditRefused(f"A layer has at most {MAX_UNITS} neurons.")
    return set_layer(design, k, units=units + 1)


def remove_unit(design: Design, k: int) -> Design:
    """One neuron fewer in hidden layer ``k``."""
    units = design.layers[_layer_index(design, k)].units
    if units <= 1:
        raise EditRefused("A layer needs at least one neuron; remove the layer instead.")
    return set_layer(design, k, units=units - 1)


def _layer_index(design: Design, k: int) -> int:
    if not 0 <= k < len(design.layers):
        raise EditRefused(f"There is no hidden layer {k + 1}.")
    return k


# --- inputs -----------------------------------------------------------------------------------


def inputs(design: Design, offered: tuple[str, ...]) -> tuple[str, ...]:
    """The network's inputs in order: the design's choice, or every column ``offered`` when
    it makes none (wide data)."""
    return design.features or offered


def offered_inputs(design: Design, offered: tuple[str, ...]) -> tuple[str, ...]:
    """Every input the diagram shows: what the data offers, then any the design names that
    the data does not (so nothing the design uses is hidden)."""
    shown = offered or design.features
    return tuple(shown) + tuple(f for f in design.features if f not in shown)


def toggle_input(
    design: Design, name: str, offered: tuple[str, ...], every_column_by_default: bool = False
) -> Design:
    """Input ``name`` switched off when on, on when off (kept in the order ``offered``).

    ``every_column_by_default``: the data has no default choice (wide data), so a network
    using every column offered writes no choice at all.
    """
    current = inputs(design, offered)
    if name in current:
        if len(current) == 1:
            raise EditRefused("The network needs at least one input.")
        new = tuple(f for f in current if f != name)
    else:
        order = offered_inputs(design, offered)
        new = tuple(f for f in order if f in current or f == name)
        new += tuple(f for f in current if f not in new)
    if every_column_by_default and new == tuple(offered):
        new = ()
    return replace(design, features=new)


def fit_inputs_to_data(
    design: Design, offered: tuple[str, ...], defaults: tuple[str, ...]
) -> Design:
    """``design`` after a change of data set: inputs the new data (``offered``, its
    ``defaults``) does not have give way to its default inputs."""
    if not offered:
        return design  # the data cannot be read: keep what the design says
    unknown = not set(design.features) <= set(offered)
    if unknown or (not design.features and defaults):
        return replace(design, features=defaults)
    return design


# --- the perceptron ---------------------------------------------------------------------------


def is_perceptron(design: Design) -> bool:
    """Rosenblatt's perceptron: no hidden layer and a step output."""
    return not design.layers and design.output.activation == "step"


def make_perceptron(design: Design) -> Design:
    """No hidden layer, a step output, and the loss the data's task calls for."""
    return replace(design, layers=(), output=OutputSpec("step", "auto"))


def back_to_network(design: Design, layers: tuple[LayerSpec, ...] = ()) -> Design:
    """From a perceptron back to a network with hidden ``layers`` (the default ones when
    none are given) and the automatic output."""
    return replace(design, layers=layers or DEFAULT_LAYERS, output=OutputSpec())
