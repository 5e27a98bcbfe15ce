"""A trained network as PyTorch code a user keeps: a standalone script next to its ``.pt``.

The script rebuilds the network as a plain ``nn.Module`` (an ``nn.ModuleList`` called
``layers``, the activations written out in ``forward``, the input standardisation as buffers),
loads the weights with ``torch.load(..., weights_only=True)`` and answers on *raw* inputs:
it derives x1², x1·x2, sin x1, ... itself, as nnviz did. The tensor names are those of every
nnviz weights file (:mod:`nnviz.core.files.weights_io`): ``layers.<k>.weight`` (out, in),
``layers.<k>.bias``, ``input.mean``, ``input.std``. Features are derived and standardised in
float64 (as the app does) and the dense layers run in the weights' own precision.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from pathlib import Path
from string import Template

from nnviz.core.data.features import feature_recipe
from nnviz.core.files.atomic import atomic_write_text
from nnviz.core.nn.network import CLASSIFICATION, NetworkSpec, decision_threshold

#: How the script computes each kind of feature recipe (``{0}``, ``{1}``: its raw columns).
_FEATURE_CODE = {
    "column": "{0}",
    "square": "{0}**2",
    "product": "{0} * {1}",
    "sin": "torch.sin({0})",
}

#: How ``forward`` applies each activation (``{}`` is the layer's output; step is two lines).
_ACTIVATION_CODE = {
    "linear": "{}",
    "sigmoid": "torch.sigmoid({})",
    "tanh": "torch.tanh({})",
    "relu": "F.relu({})",
    "leaky_relu": "F.leaky_relu({}, negative_slope=0.01)",
    "elu": "F.elu({}, alpha=1.0)",
    "gelu": "F.gelu({})",
    "silu": "F.silu({})",
    "softplus": "F.softplus({})",
    "softmax": "torch.softmax({}, dim=1)",
}

#: The exported script. ``$name`` marks what depends on the network; the rest is fixed.
_SCRIPT = Template(
    r'''"""A neural network trained in nnviz, rebuilt as a PyTorch nn.Module.

$summary

Usage:
    python $script $example    # one point (or several in a row)
    python $script points.csv    # a CSV file, one point per row, header optional

Prints one CSV row per point: the raw inputs, the network's outputs$and_class.
In your own code: ``model = load_model()``, then ``model(torch.tensor(points))``.
"""

import argparse
import csv
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

$constants


class Standardize(nn.Module):
    """(x - mean) / std with the training data's statistics, kept as buffers."""

    def __init__(self, size):
        super().__init__()
        self.register_buffer("mean", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("std", torch.ones(size, dtype=torch.float64))

    def forward(self, x):
        return (x - self.mean) / self.std


class Network(nn.Module):
    """The nnviz network: derived features, standardisation, dense layers."""

    def __init__(self, dtype=torch.float32):
        super().__init__()
        self.input = Standardize($n_inputs)
        self.layers = nn.ModuleList(
            [
$layers
            ]
        )

    def features(self, raw):
        """The network's inputs (FEATURES) computed from raw points (RAW_INPUTS)."""
$derive

    def forward(self, raw):
        x = self.input(self.features(raw.to(torch.float64)))
        x = x.to(self.layers[0].weight.dtype)
$forward
        return x


def load_model(weights=WEIGHTS):
    """The network with its trained weights, in evaluation mode."""
    state = torch.load(weights, weights_only=True, map_location="cpu")
    state.pop("_extra_state", None)  # nnviz's own .pt weights files also carry the design
    model = Network(dtype=state["layers.0.weight"].dtype)
    model.load_state_dict(state)
    return model.eval()


${predicted_class}def read_points(arguments, parser):
    """Raw points from numbers on the command line or from one CSV file."""
    if len(arguments) == 1 and not _is_number(arguments[0]):
        return read_csv(Path(arguments[0]), parser)
    bad = [a for a in arguments if not _is_number(a)]
    if bad:
        parser.error(f"{bad[0]!r} is not a number")
    n = len(RAW_INPUTS)
    if len(arguments) % n:
        parser.error(
            f"expected {n} numbers per point ({', '.join(RAW_INPUTS)}), got {len(arguments)}"
        )
    values = [float(a) for a in arguments]
    return [values[i : i + n] for i in range(0, len(values), n)]


def read_csv(path, parser):
    """Rows of a CSV file; with a header, the RAW_INPUTS columns are picked by name."""
    try:
        with path.open(newline="") as file:
            rows = [row for row in csv.reader(file) if row]
    except OSError as error:
        parser.error(f"cannot read {path}: {error.strerror or error}")
    if not rows:
        parser.error(f"{path} holds no points")
    columns, first_row = list(range(len(RAW_INPUTS))), 1  # no header
    if not all(_is_number(cell) for cell in rows[0]):
        header = [cell.strip() for cell in rows.pop(0)]
        missing = [name for name in RAW_INPUTS if name not in header]
        if missing:
            parser.error(f"{path}: no column {missing[0]!r} in the header")
        columns, first_row = [header.index(name) for name in RAW_INPUTS], 2
    points = []
    for number, row in enumerate(rows, start=first_row):
        try:
            points.append([float(row[c]) for c in columns])
        except (IndexError, ValueError):
            parser.error(
                f"{path}, row {number}: expected {len(RAW_INPUTS)} numbers "
                f"({', '.join(RAW_INPUTS)})"
            )
    return points


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "points", nargs="+", help=f"numbers ({' '.join(RAW_INPUTS)} per point) or a CSV file"
    )
    points = read_points(parser.parse_args().points, parser)
    if not WEIGHTS.is_file():
        parser.error(f"{WEIGHTS} is missing; keep it next to this script")
    model = load_model()
    with torch.no_grad():
        outputs = model(torch.tensor(points, dtype=torch.float64))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(RAW_INPUTS + OUTPUTS$class_column)
    for point, output in zip(points, outputs.tolist(), strict=True):
        writer.writerow([repr(v) for v in point + output]$class_cell)


if __name__ == "__main__":
    main()
'''
)


def write_script(
    path, spec: NetworkSpec, pipeline, weights_filename: str, class_names: tuple[str, ...] = ()
) -> None:
    """Write a standalone PyTorch script that rebuilds the network and evaluates raw points.

    ``weights_filename`` is the ``.pt`` file :func:`nnviz.core.files.weights_io.save_weights` wrote,
    expected next to the script. ``class_names`` label the outputs and the predicted class
    (indices otherwise).
    """
    name = Path(weights_filename).name
    if name != weights_filename or not name:
        raise ValueError(
            f"the weights file {weights_filename!r} must be a file name (it is read from the "
            "script's own folder)"
        )
    atomic_write_text(path, script_source(spec, pipeline, name, class_names, Path(path).name))


def script_source(
    spec: NetworkSpec,
    pipeline,
    weights_filename: str,
    class_names: tuple[str, ...] = (),
    script_name: str = "model.py",
) -> str:
    """The text of the script :func:`write_script` writes."""
    raw_names = tuple(pipeline.raw_names)
    features = tuple(pipeline.features)
    if len(features) != spec.sizes[0]:
        raise ValueError(
            f"the network has {spec.sizes[0]} inputs but the pipeline makes "
            f"{len(features)} features"
        )
    classification = spec.task == CLASSIFICATION
    names = tuple(class_names) or tuple(str(k) for k in range(max(spec.n_classes, 2)))
    example = " ".join(f"{v:g}" for v in (0.5, -1.2, 2.0, 0.1)[: len(raw_names)])
    chain = " -> ".join(
        [f"{spec.sizes[0]} inputs"]
        + [f"{size} {act}" for size, act in zip(spec.sizes[1:], spec.activations, strict=True)]
    )
    constants = [
        f"WEIGHTS = Path(__file__).with_name({json.dumps(weights_filename)})",
        _list_constant("RAW_INPUTS", raw_names),
        _list_constant("FEATURES", features),
        _list_constant("OUTPUTS", _output_names(spec, names)),
    ]
    if classification:
        constants.append(_list_constant("CLASSES", names))
    layers = [
        f"                nn.Linear({n_in}, {n_out}, dtype=dtype),"
        for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
    ]
    forward = [line for k, act in enumerate(spec.activations) for line in _layer_code(k, act)]
    summary = [
        f"Network: {chain} ({spec.loss} loss).",
        f"Raw inputs: {', '.join(raw_names)}.",
        f"Network inputs made from them: {', '.join(features)}.",
        f"Weights: {weights_filename} next to this file, a state_dict read with "
        "torch.load(weights_only=True).",
    ]
    return _SCRIPT.substitute(
        summary="\n".join(textwrap.fill(_plain(line), width=100) for line in summary),
        script=_plain(script_name),
        example=example + (" ..." if len(raw_names) > 4 else ""),
        and_class=" and the predicted class" if classification else "",
        constants="\n".join(constants),
        n_inputs=spec.sizes[0],
        layers="\n".join(layers),
        derive="\n".join(_features_code(raw_names, features)),
        forward="\n".join(forward),
        predicted_class=_class_code(spec),
        class_column=' + ["class"]' if classification else "",
        class_cell=" + [CLASSES[predicted_class(output)]]" if classification else "",
    )


def _list_constant(name: str, items: tuple[str, ...]) -> str:
    """``NAME = ["a", "b"]`` on one line if it fits in 100 characters, else one item a line."""
    line = f"{name} = {json.dumps(list(items))}"
    if len(line) <= 100:
        return line
    return "\n".join([f"{name} = [", *(f"    {json.dumps(item)}," for item in items), "]"])


def _output_names(spec: NetworkSpec, class_names: tuple[str, ...]) -> tuple[str, ...]:
    if spec.task != CLASSIFICATION:
        return ("prediction",)
    if spec.sizes[-1] > 1:
        return tuple(f"p({name})" for name in class_names)
    if spec.output_activation == "sigmoid":
        return (f"p({class_names[1]})",)
    return ("output",)


def _class_code(spec: NetworkSpec) -> str:
    """``predicted_class(output)``, with the same threshold the app uses."""
    if spec.task != CLASSIFICATION:
        return ""
    if spec.sizes[-1] > 1:
        rule = "max(range(len(output)), key=output.__getitem__)"
    else:
        rule = f"int(output[0] > {decision_threshold(spec)})"
    return (
        "def predicted_class(output):\n"
        '    """The class index an output row stands for, as nnviz decides it."""\n'
        f"    return {rule}\n\n\n"
    )


def _features_code(raw_names: tuple[str, ...], features: tuple[str, ...]) -> list[str]:
    """Body of ``Network.features``: each feature as an expression of the raw columns."""
    if features == raw_names:
        return ["        return raw"]
    if all(name in raw_names for name in features):
        return [f"        return raw[:, {[raw_names.index(name) for name in features]}]"]
    named = [n for n in raw_names if _usable_identifier(n)]
    column = {name: name if name in named else f"raw[:, {i}]" for i, name in enumerate(raw_names)}
    body = []
    if named:
        targets = ", ".join(named)
        sources = ", ".join(f"raw[:, {raw_names.index(n)}]" for n in named)
        body.append(f"        {targets} = {sources}")
    expressions = ", ".join(_feature_code(f, column) for f in features)
    body.append(f"        return torch.stack([{expressions}], dim=1)")
    return body


def _feature_code(name: str, column: dict[str, str]) -> str:
    """A network input as an expression of the raw columns, by its recipe."""
    op, sources = feature_recipe(name)
    if any(source not in column for source in sources):
        raise ValueError(f"the feature {name!r} cannot be computed from the raw inputs")
    return _FEATURE_CODE[op].format(*(column[source] for source in sources))


def _usable_identifier(name: str) -> bool:
    taken = ("raw", "self", "torch", "F", "nn")
    return name.isidentifier() and not keyword.iskeyword(name) and name not in taken


def _layer_code(k: int, activation: str) -> list[str]:
    """Lines of ``forward`` for dense layer ``k`` and its activation."""
    if activation == "step":
        return [f"        x = self.layers[{k}](x)", "        x = (x > 0).to(x.dtype)"]
    if activation not in _ACTIVATION_CODE:
        raise ValueError(f"the activation {activation!r} has no PyTorch form")
    return [f"        x = {_ACTIVATION_CODE[activation].format(f'self.layers[{k}](x)')}"]


def _plain(text: str) -> str:
    """Text safe inside the generated docstring (no quotes, backslashes or line breaks)."""
    return "".join(c if c.isprintable() and c not in '\\"' else "?" for c in text)
