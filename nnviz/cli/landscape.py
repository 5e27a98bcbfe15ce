"""``nnviz landscape DESIGN.json --weights FILE``: the training loss around trained weights.

On a plane through the weights along two random filter-normalised directions (Li et al.
2018), see :mod:`nnviz.core.insight.landscape`. With ``--json`` it prints
``{"grid", "span", "seed", "alphas", "betas", "loss"}``, ``loss[i][j]`` at ``alphas[i]``,
``betas[j]``; otherwise a short summary. Progress goes to stderr about once a second. Bad
input exits 2 with one line on stderr.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from nnviz.cli.common import BadInput, Parser, fail, whole_number
from nnviz.cli.design_run import positive_number, trainer_at
from nnviz.core.insight.landscape import DEFAULT_GRID, DEFAULT_SPAN, Landscape, landscape_steps
from nnviz.core.insight.problem import Problem

MAX_GRID = 201
PROGRESS_INTERVAL = 1.0


def _parser() -> Parser:
    parser = Parser(
        prog="nnviz landscape",
        description="The training loss on a plane through trained weights (Li et al. 2018).",
    )
    parser.add_argument("design", type=Path, help="the design file (.json)")
    parser.add_argument(
        "--weights",
        type=Path,
        required=True,
        metavar="FILE",
        help="the trained weights (.npz, .safetensors, .pt or .onnx)",
    )
    parser.add_argument(
        "--grid",
        type=whole_number(3, MAX_GRID),
        default=DEFAULT_GRID,
        metavar="N",
        help=f"points along each axis, an odd number (default {DEFAULT_GRID})",
    )
    parser.add_argument(
        "--span",
        type=positive_number,
        default=DEFAULT_SPAN,
        metavar="S",
        help=f"the plane reaches ±S along each normalised direction (default {DEFAULT_SPAN:g})",
    )
    parser.add_argument(
        "--seed",
        type=whole_number(0),
        default=0,
        metavar="N",
        help="seed of the two random directions (default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print the grid as one JSON object")
    return parser


def main(argv: list[str]) -> int:
    """Run ``nnviz landscape`` with ``argv``; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        if args.grid % 2 == 0:
            raise BadInput(f"--grid {args.grid}: the grid needs an odd number of points")
        trainer = trainer_at(args.design, args.weights)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except BadInput as error:
        return fail("landscape", str(error))
    steps = landscape_steps(
        Problem.from_trainer(trainer),
        trainer.engine.get_params(),
        grid=args.grid,
        span=args.span,
        seed=args.seed,
    )
    next_report = time.monotonic() + PROGRESS_INTERVAL
    while True:
        try:
            share = next(steps)
        except StopIteration as done:
            result: Landscape = done.value
            break
        if time.monotonic() >= next_report:
            next_report = time.monotonic() + PROGRESS_INTERVAL
            print(f"landscape {share:.0%}", file=sys.stderr)
    print(json.dumps(result.to_json()) if args.json else _summary(result))
    return 0


def _summary(result: Landscape) -> str:
    loss = np.where(np.isfinite(result.loss), result.loss, np.nan)
    i, j = np.unravel_index(np.nanargmin(loss), loss.shape)
    return (
        f"loss at the weights {result.centre:.4g}; on the {result.grid}×{result.grid} grid "
        f"(±{result.span:g}, seed {result.seed}) from {np.nanmin(loss):.4g} "
        f"(at α {result.alphas[i]:+.2f}, β {result.betas[j]:+.2f}) to {np.nanmax(loss):.4g}"
    )
