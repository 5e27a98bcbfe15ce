"""``nnviz explain DESIGN.json``: every number of one training step for one sample.

The forward pass (each layer's z and a), the loss, the backward pass (δ = ∂L/∂z and the
gradients, L1/L2 penalty included) and the weights after one optimizer step from a fresh state,
with dropout off. The weights are the design's initial ones, or those of ``--weights``. With
``--json`` the trace is one JSON object on stdout; bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from nnviz.cli.common import BadInput, Parser, fail, one_line, parse, whole_number
from nnviz.core.data.dataset import DatasetError
from nnviz.core.explain.formulas import (
    LOSS_NAMES,
    ROUNDING_NOTE,
    backward_lines,
    forward_lines,
    loss_lines,
)
from nnviz.core.explain.numbers import units, values
from nnviz.core.explain.sample import SPLITS, Explained, explain_design
from nnviz.core.explain.trace import Trace
from nnviz.core.explain.update_formulas import update_lines, update_title
from nnviz.core.files.design_file import DesignFileError, load_design
from nnviz.core.files.weights_io import WeightsFileError, load_weights
from nnviz.core.nn.network import DesignMismatch

#: Rows of a matrix printed in the text form; the JSON form always has them all.
MAX_ROWS = 8


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nnviz explain",
        description="Show every number of one training step (forward, loss, backward, "
        "update) for one sample.",
    )
    parser.add_argument("design", type=Path, help="the design file (.json)")
    parser.add_argument(
        "--weights",
        type=Path,
        metavar="FILE",
        help="use these trained weights (.npz, .safetensors, .pt, .onnx) instead of the "
        "design's initial ones",
    )
    parser.add_argument(
        "--sample", type=whole_number(0), default=0, metavar="N", help="index of the sample (0)"
    )
    parser.add_argument("--split", choices=SPLITS, default="train", help="which split (train)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return parser


def main(argv: list[str]) -> int:
    """Run ``nnviz explain`` with ``argv``; return the exit status."""
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        explained = _explain(args)
    except BadInput as error:
        return fail("explain", str(error))
    if args.json:
        print(json.dumps(trace_json(explained.trace, explained.index)))
    else:
        print(trace_text(explained))
    return 0


def _explain(args: argparse.Namespace) -> Explained:
    try:
        design = load_design(args.design)
    except DesignFileError as error:
        raise BadInput(f"{args.design}: {'; '.join(error.problems)}") from None
    weights = None
    if args.weights is not None:
        try:
            weights = load_weights(args.weights)
        except WeightsFileError as error:
            raise BadInput(one_line(error)) from None
    try:
        return explain_design(
            design,
            base_dir=args.design.resolve().parent,
            weights=weights,
            index=args.sample,
            split=args.split,
        )
    except WeightsFileError as error:
        raise BadInput(f"{args.weights}: {one_line(error)}") from None
    except (DatasetError, DesignMismatch, IndexError) as error:
        raise BadInput(f"{args.design}: {one_line(error)}") from None


def trace_json(trace: Trace, index: int) -> dict:
    """The trace as the issue's JSON object: weight matrices (out, in), plain lists."""
    update = trace.update
    return {
        "sample": index,
        "input": trace.x.tolist(),
        "target": trace.target.tolist(),
        "loss": trace.loss,
        "layers": [
            {
                "z": layer.z.tolist(),
                "a": layer.a.tolist(),
                "delta": layer.delta.tolist(),
                "grad_weight": layer.grad_weight.tolist(),
                "grad_bias": layer.grad_bias.tolist(),
            }
            for layer in trace.layers
        ],
        "update": {
            "optimizer": update.rule,
            "learning_rate": update.learning_rate,
            "layers": [{"weight": w.tolist(), "bias": b.tolist()} for w, b in update.params],
        },
    }


def trace_text(explained: Explained) -> str:
    """The trace layer by layer, with the worked formulas of each layer's first unit."""
    trace = explained.trace
    n = len(trace.layers)
    inputs = ", ".join(explained.pipeline.features)
    lines = [
        f"sample {explained.index} of the {explained.split} split of {explained.dataset.name}",
        f"input x = {values(trace.x)}  ({inputs}, as the network sees them)",
        f"target t = {values(trace.target)}",
        ROUNDING_NOTE,
        "",
        "FORWARD",
    ]
    for k, layer in enumerate(trace.layers):
        lines += [
            f"layer {k + 1} of {n} ({layer.activation}, {units(len(layer.z))})",
            f"  z = {values(layer.z)}",
            f"  a = {values(layer.a)}",
            *(f"  unit 1: {line}" for line in forward_lines(trace, k, 0)),
        ]
    lines += ["", f"LOSS ({LOSS_NAMES[trace.spec.loss]})", *(f"  {x}" for x in loss_lines(trace))]
    if not trace.spec.is_perceptron:
        lines += ["", "BACKWARD"]
        for k in range(n - 1, -1, -1):
            layer = trace.layers[k]
            lines += [
                f"layer {k + 1} of {n}",
                f"  δ = ∂L/∂z = {values(layer.delta)}",
                f"  ∂L/∂b = {values(layer.grad_bias)}",
                *_matrix("∂L/∂W", layer.grad_weight),
                *(f"  unit 1: {line}" for line in backward_lines(trace, k, 0)),
            ]
    lines += ["", f"UPDATE ({update_title(trace)})"]
    for k, (w, b) in enumerate(trace.update.params):
        lines += [f"layer {k + 1} of {n}", *_matrix("new W", w), f"  new b = {values(b)}"]
    lines += [f"  first weight: {line}" for line in update_lines(trace, 0, 0, 0)]
    return "\n".join(lines)


def _matrix(name: str, matrix: np.ndarray) -> list[str]:
    rows = [f"  {name}[{j + 1}] = {values(row)}" for j, row in enumerate(matrix[:MAX_ROWS])]
    if len(matrix) > MAX_ROWS:
        rows.append(f"  … {len(matrix) - MAX_ROWS} more rows")
    return rows
