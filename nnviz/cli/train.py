"""``nnviz train DESIGN.json``: train a design without a window.

Progress goes to stderr about once a second; the result goes to stdout, as one line of text or,
with ``--json``, as one JSON object. Bad input (a missing or broken design, unusable data, an
engine that cannot run here, bad arguments) exits with status 2 and one line on stderr.
Exit status 1 means training diverged, 130 that it was interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from nnviz.cli.common import BadInput, Parser, fail, one_line, parse, plain, whole_number
from nnviz.core.data.dataset import DatasetError
from nnviz.core.design import MAX_SEED
from nnviz.core.files.design_file import DesignFileError, load_design
from nnviz.core.files.run_file import SUFFIX as RUN_SUFFIX
from nnviz.core.files.run_file import save_run
from nnviz.core.files.weights_io import EXPORT_FORMATS, save_weights
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.metrics import ClassReport
from nnviz.core.nn.network import CLASSIFICATION, DesignMismatch
from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES
from nnviz.core.run.snapshot import DIVERGED, FINISHED, EpochMetrics
from nnviz.core.run.trainer import Trainer

PROGRESS_INTERVAL = 1.0  # seconds between progress lines
DIVERGED_EXIT = 1
INTERRUPTED_EXIT = 130


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nnviz train",
        description="Train a network design without a window.",
    )
    parser.add_argument("design", type=Path, help="the design file (.json)")
    parser.add_argument(
        "--engine",
        choices=("numpy", "torch"),
        help="train with this engine instead of the design's",
    )
    parser.add_argument("--epochs", type=whole_number(1), help="train this many epochs (at most)")
    parser.add_argument(
        "--seed",
        type=whole_number(0, MAX_SEED),
        help=(
            f"seed of the initial weights, shuffling and dropout, 0 to {MAX_SEED} "
            "(the data set keeps its own seed)"
        ),
    )
    parser.add_argument(
        "--export",
        type=Path,
        metavar="PATH",
        help=(
            "save the trained weights as .npz, .safetensors, .pt or .onnx, "
            "or as a PyTorch script (.py) with its .pt weights beside it"
        ),
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="RUN",
        help="record the run with its timeline of checkpoints to a run file (.nnvizrun)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON object on stdout"
    )
    return parser


def main(argv: list[str]) -> int:
    """Run ``nnviz train`` with ``argv`` (the arguments after ``train``); return the exit status."""
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        trainer = _make_trainer(args)
    except BadInput as error:
        return fail("train", str(error))

    started = time.perf_counter()
    interrupted = _train(trainer)
    seconds = time.perf_counter() - started

    export_error = None
    if args.export is not None:
        try:
            save_weights(
                args.export,
                trainer.design,
                trainer.spec,
                trainer.engine.get_params(),
                trainer.pipeline,
                trainer.dataset.class_names,
            )
        except OSError as error:
            export_error = f"cannot export the weights to {args.export}: {error.strerror or error}"
        except (ValueError, ImportError) as error:  # WeightsFileError is a ValueError
            export_error = f"cannot export the weights: {one_line(error)}"

    if args.record is not None and export_error is None:
        try:
            save_run(
                args.record,
                trainer.design,
                trainer.history,
                trainer.checkpoints.checkpoints,
                trainer.spec.layer_names,
            )
        except OSError as error:
            export_error = f"cannot record the run to {args.record}: {error.strerror or error}"

    result = _result(trainer, seconds, args.export if export_error is None else None)
    if args.json:
        print(json.dumps(result))
    else:
        print(_summary(result))
    if export_error is not None:
        return fail("train", export_error)
    if interrupted:
        return INTERRUPTED_EXIT
    return DIVERGED_EXIT if trainer.status == DIVERGED else 0


def _make_trainer(args: argparse.Namespace) -> Trainer:
    """Load the design, apply the command's overrides, and build the run."""
    if args.export is not None:
        _check_export(args.export)
    if args.record is not None and args.record.suffix.lower() != RUN_SUFFIX:
        raise BadInput(f"--record {args.record}: a run file ends in {RUN_SUFFIX}")
    if args.record is not None and not args.record.resolve().parent.is_dir():
        raise BadInput(f"--record {args.record}: no such folder {args.record.parent}")
    try:
        design = load_design(args.design)
    except DesignFileError as error:
        problems = "; ".join(error.problems)
        raise BadInput(f"{args.design}: {problems}") from None
    training = design.training
    if args.epochs is not None:
        training = dataclasses.replace(training, epochs=args.epochs)
    if args.seed is not None:
        training = dataclasses.replace(training, seed=args.seed)
    design = dataclasses.replace(design, training=training)
    try:
        return Trainer(
            design,
            base_dir=args.design.resolve().parent,
            engine=args.engine,
            record_bytes=None if args.record is None else DEFAULT_BUDGET_BYTES,
        )
    except (DatasetError, DesignMismatch) as error:
        raise BadInput(f"{args.design}: {one_line(error)}") from None
    except EngineUnavailable as error:
        raise BadInput(one_line(error)) from None


def _check_export(path: Path) -> None:
    """Refuse an export that cannot be written before training, not after the whole run."""
    if path.suffix.lower() not in EXPORT_FORMATS:
        raise BadInput(
            f"--export {path}: unknown weights format; use a file ending in "
            f"{', '.join(EXPORT_FORMATS)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise BadInput(f"--export {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise BadInput(f"--export {path} is a folder; name a file in it")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput(f"--export {path}: the folder {folder} is not writable")


def _train(trainer: Trainer) -> bool:
    """Train to the end, with a progress line now and then; return whether Ctrl+C stopped it."""
    epochs = trainer.training.epochs
    next_report = time.monotonic() + PROGRESS_INTERVAL
    run = trainer.run()
    try:
        for snapshot in run:
            now = time.monotonic()
            if now >= next_report:
                next_report = now + PROGRESS_INTERVAL
                print(_progress(snapshot.metrics, epochs, trainer.spec.task), file=sys.stderr)
    except KeyboardInterrupt:
        run.close()
        return True
    return False


def _progress(metrics: EpochMetrics, epochs: int, task: str) -> str:
    line = (
        f"epoch {metrics.epoch}/{epochs}  train loss {metrics.train_loss:.4g}  "
        f"test loss {metrics.test_loss:.4g}"
    )
    if task == CLASSIFICATION:
        return f"{line}  test accuracy {metrics.test_metric:.1%}"
    return f"{line}  test R² {metrics.test_metric:.4f}"


def _result(trainer: Trainer, seconds: float, export: Path | None) -> dict:
    """What the run achieved, as plain JSON values (NaN becomes null)."""
    metrics = trainer.snapshot().metrics
    result = {
        "design": trainer.design.name,
        "dataset": trainer.dataset.name,
        "task": trainer.spec.task,
        "engine": trainer.engine.name,
        "device": trainer.engine.device,
        "status": trainer.status,
        "message": trainer.message,
        "epochs": trainer.epoch,
        "steps": trainer.step,
        "train_loss": metrics.train_loss,
        "test_loss": metrics.test_loss,
    }
    if trainer.spec.task == CLASSIFICATION:
        result["train_accuracy"] = metrics.train_metric
        result["test_accuracy"] = metrics.test_metric
        result.update(_mistakes(trainer))
    else:
        result["train_r2"] = metrics.train_metric
        result["test_r2"] = metrics.test_metric
        result["train_rmse"] = metrics.train_rmse
        result["test_rmse"] = metrics.test_rmse
    result["seconds"] = round(seconds, 3)
    result["export"] = None if export is None else str(export)
    return {key: plain(value) for key, value in result.items()}


def _mistakes(trainer: Trainer) -> dict:
    """The test split's confusion matrix (rows true, columns predicted) and per-class figures."""
    names = trainer.dataset.class_names
    report = ClassReport.of(trainer.dataset.y_test, trainer.predictions[1], len(names))
    precision, recall, f1 = report.precision, report.recall, report.f1
    macro = report.macro()
    return {
        "classes": list(names),
        "confusion": report.counts.tolist(),
        "per_class": [
            {
                "class": name,
                "precision": float(precision[k]),
                "recall": float(recall[k]),
                "f1": float(f1[k]),
                "support": int(report.support[k]),
            }
            for k, name in enumerate(names)
        ],
        "macro": dict(zip(("precision", "recall", "f1"), macro, strict=True)),
    }


def _summary(result: dict) -> str:
    if "test_accuracy" in result:
        metric = f"test accuracy {_percent(result['test_accuracy'])}"
    else:
        metric = f"test R² {_number(result['test_r2'])}"
    epochs = f"{result['epochs']} epoch{'' if result['epochs'] == 1 else 's'}"
    line = (
        f"{result['status']} after {epochs} in {result['seconds']:.1f} s "
        f"({result['engine']}): train loss {_number(result['train_loss'])}, "
        f"test loss {_number(result['test_loss'])}, {metric}"
    )
    if result["status"] != FINISHED:  # then the message says why it stopped early
        line += f"\n{result['message']}"
    if result["export"]:
        line += f"\nweights saved to {result['export']}"
    return line


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
