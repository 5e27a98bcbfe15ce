"""``nnviz lr-find DESIGN.json [--weights FILE]``: the learning-rate range test.

Trains briefly from the weights (the file's, or the design's initial weights) while the rate
grows from 1e-6 to 10, then suggests the rate where the smoothed loss fell fastest; see
:mod:`nnviz.core.insight.lr_finder`. With ``--json`` it prints
``{"learning_rates", "losses", "suggested"}`` (``suggested`` null when the loss never fell);
otherwise the suggestion and a few of the rates tried. Bad input exits 2 with one line.
"""

from __future__ import annotations

import json
from pathlib import Path

from nnviz.cli.common import BadInput, Parser, fail
from nnviz.cli.design_run import trainer_at
from nnviz.core.insight import run_to_end
from nnviz.core.insight.lr_finder import LRFinding, find_steps
from nnviz.core.nn.engine import create_engine

#: Rows of the text table (every few of the rates tried).
TABLE_ROWS = 12


def _parser() -> Parser:
    parser = Parser(
        prog="nnviz lr-find",
        description="Find a learning rate: train briefly while the rate grows (Smith 2017).",
    )
    parser.add_argument("design", type=Path, help="the design file (.json)")
    parser.add_argument(
        "--weights",
        type=Path,
        metavar="FILE",
        help="start from these weights (default: the design's initial weights)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def main(argv: list[str]) -> int:
    """Run ``nnviz lr-find`` with ``argv``; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        trainer = trainer_at(args.design, args.weights)
        if trainer.spec.is_perceptron:
            raise BadInput(
                f"{args.design}: the perceptron rule has no learning rate to find "
                "(it moves the weights by the same step whatever the rate's size)"
            )
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except BadInput as error:
        return fail("lr-find", str(error))
    training = trainer.training
    engine = create_engine(
        trainer.engine.name,
        trainer.spec,
        trainer.engine.get_params(),
        training.optimizer,
        l1=training.l1,
        l2=training.l2,
        dtype=training.dtype,
        seed=training.seed,
        device=training.device,
    )
    finding = run_to_end(
        find_steps(
            engine,
            trainer.x_train,
            trainer.t_train,
            batch_size=training.batch_size,
            seed=training.seed,
        )
    )
    print(json.dumps(finding.to_json()) if args.json else _summary(finding, training))
    return 0


def _summary(finding: LRFinding, training) -> str:
    if finding.suggested is None:
        head = f"no suggestion: {finding.note}"
    else:
        head = (
            f"suggested learning rate {finding.suggested:.3g} (steepest descent of the smoothed "
            f"loss; the design's is {training.optimizer.learning_rate:g})"
        )
    lines = [head, f"{len(finding.learning_rates)} steps; stopped: {finding.stopped}"]
    every = max(1, len(finding.learning_rates) // TABLE_ROWS)
    lines.append("learning rate   smoothed loss")
    for rate, loss in list(zip(finding.learning_rates, finding.losses, strict=True))[::every]:
        lines.append(f"{rate:13.3g}   {loss:.4g}")
    return "\n".join(lines)
