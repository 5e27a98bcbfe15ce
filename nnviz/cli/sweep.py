"""``nnviz sweep DESIGN.json --set PATH=SPEC ...``: a hyperparameter sweep without a window.

Each ``--set`` names a design setting by its schema path and gives its values or range (see
:mod:`nnviz.core.sweep.spec`). Trials run in ``--jobs`` worker processes and are stored in an
Optuna study (``--storage``, a SQLite file in the user's data folder by default); running the
command again on the same study adds trials to it, and workers on several machines pointing at
one PostgreSQL or MySQL URL share it. Bad input exits 2 with one line on stderr; Ctrl+C stops
every worker and exits 130.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from nnviz.cli.common import BadInput, Parser, fail, one_line, parse, plain, whole_number
from nnviz.core.data.dataset import DatasetError
from nnviz.core.design import MAX_SEED
from nnviz.core.files.design_file import DesignFileError, load_design
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.network import CLASSIFICATION, DesignMismatch
from nnviz.core.sweep.plan import METHODS, METRICS, SweepError, SweepPlan, best_of
from nnviz.core.sweep.spec import SpecError, parse_setting
from nnviz.core.sweep.storage import default_storage, open_study, safe_url, trial_results
from nnviz.core.sweep.study import run_sweep

INTERRUPTED_EXIT = 130


def _parser() -> Parser:
    parser = Parser(
        prog="nnviz sweep",
        description="Train a design many times with settings varied by their schema paths, "
        "and find the best (Optuna).",
    )
    parser.add_argument("design", type=Path, help="the design file (.json)")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="a setting to vary: a list (0.01,0.1,1), log:LOW:HIGH[:POINTS], "
        "lin:LOW:HIGH[:POINTS] or int:LOW:HIGH; PATH like training.optimizer.learning_rate, "
        "layers[0].units, or layers (the number of hidden layers)",
    )
    parser.add_argument("--method", choices=METHODS, default="tpe", help="how to pick trials")
    parser.add_argument(
        "--trials",
        type=whole_number(1, 100_000),
        help="trials to run now (default: the whole grid, or 20)",
    )
    parser.add_argument(
        "--jobs",
        type=whole_number(1, 256),
        default=os.cpu_count() or 1,
        help="worker processes (default: the number of cores)",
    )
    parser.add_argument(
        "--metric", choices=tuple(METRICS), default="test_loss", help="what to optimise"
    )
    parser.add_argument(
        "--storage",
        metavar="URL",
        help="Optuna storage URL (default: a SQLite file in the user's data folder; "
        "postgresql://... shares a study between machines)",
    )
    parser.add_argument("--study", metavar="NAME", help="study name (default: the design's)")
    parser.add_argument(
        "--seed", type=whole_number(0, MAX_SEED), help="seed of the random and TPE samplers"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the study as one JSON object at the end"
    )
    return parser


def main(argv: list[str]) -> int:
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        plan, trials = _plan(args)
        open_study(plan)
    except (BadInput, SpecError, SweepError) as error:
        return fail("sweep", one_line(error))

    started = time.perf_counter()
    shown = set()

    def report() -> None:
        if args.json:
            return
        for result in trial_results(plan):
            if result.number not in shown and result.state not in ("RUNNING", "WAITING"):
                shown.add(result.number)
                print(_line(result), file=sys.stderr)

    try:
        run_sweep(plan, trials, args.jobs, poll=_every(1.0, report))
    except KeyboardInterrupt:
        return INTERRUPTED_EXIT
    except SweepError as error:
        return fail("sweep", one_line(error))
    report()
    results = trial_results(plan)
    best = best_of(results, plan.metric)
    if args.json:
        print(json.dumps(_as_json(plan, results, best)))
    else:
        print(_summary(plan, results, best, time.perf_counter() - started))
    return 0


def _plan(args) -> tuple[SweepPlan, int]:
    if not args.settings:
        raise BadInput("nothing to vary: give at least one --set PATH=SPEC")
    try:
        design = load_design(args.design)
    except DesignFileError as error:
        raise BadInput(f"{args.design}: {'; '.join(error.problems)}") from None
    settings = tuple(parse_setting(text, design) for text in args.settings)
    paths = [s.path for s in settings]
    if len(set(paths)) != len(paths):
        raise BadInput("a setting is given twice with --set")
    base_dir = args.design.resolve().parent
    _check_metric(design, base_dir, args.metric)
    plan = SweepPlan(
        design=design,
        base_dir=str(base_dir),
        settings=settings,
        method=args.method,
        metric=args.metric,
        storage=args.storage or default_storage(),
        study=args.study or args.design.stem,
        seed=args.seed,
    )
    trials = args.trials or (len(plan.grid) if args.method == "grid" else 20)
    return plan, trials


def _check_metric(design, base_dir: Path, metric: str) -> None:
    """The design must train here and the metric must suit its task; said before any trial."""
    from nnviz.core.run.trainer import Trainer

    try:
        trainer = Trainer(design, base_dir=base_dir)
    except (DatasetError, DesignMismatch) as error:
        raise BadInput(f"{one_line(error)}") from None
    except EngineUnavailable as error:
        raise BadInput(one_line(error)) from None
    classification = trainer.spec.task == CLASSIFICATION
    if metric.endswith(("_accuracy",)) and not classification:
        raise BadInput(f"--metric {metric}: this design is a regression; use test_loss or test_r2")
    if metric.endswith(("_r2", "_rmse")) and classification:
        raise BadInput(
            f"--metric {metric}: this design is a classification; use test_loss or test_accuracy"
        )


def _every(seconds: float, action):
    last = [0.0]

    def poll() -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            action()

    return poll


def _line(result) -> str:
    params = ", ".join(f"{k}={_short(v)}" for k, v in result.params.items())
    value = "n/a" if result.value is None else f"{result.value:.4g}"
    status = result.attrs.get("status", result.state.lower())
    return f"trial {result.number}: {value} ({status}) {params}"


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _as_json(plan: SweepPlan, results, best) -> dict:
    return {
        "study": plan.study,
        "storage": safe_url(plan.storage),
        "trials": [
            {**r.as_json(), "value": plain(r.value) if r.value is not None else None}
            for r in results
        ],
        "best": None
        if best is None
        else {"number": best.number, "params": best.params, "value": best.value},
    }


def _summary(plan: SweepPlan, results, best, seconds: float) -> str:
    done = sum(r.state == "COMPLETE" for r in results)
    failed = sum(r.state == "FAIL" for r in results)
    line = (
        f"study {plan.study!r} in {safe_url(plan.storage)}: {len(results)} trials "
        f"({done} complete, {failed} failed) after {seconds:.1f} s"
    )
    if best is not None:
        params = ", ".join(f"{k}={_short(v)}" for k, v in best.params.items())
        line += f"\nbest: trial {best.number}, {plan.metric} {best.value:.4g} with {params}"
    return line
