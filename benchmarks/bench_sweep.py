"""Trials per minute of a sweep with 1 and 2 worker processes, side by side in one run.

    python benchmarks/bench_sweep.py [--trials 8] [--epochs 300]

A random sweep of TensorFlow Playground's network (2-8-8-1 tanh on 500 xor points, batch 10)
over the learning rate, each trial trained to the end, in a fresh SQLite study; the figure
includes starting the workers and Optuna's storage round trips, as ``nnviz sweep`` pays them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.sweep.plan import SweepPlan
from nnviz.core.sweep.spec import parse_setting
from nnviz.core.sweep.storage import trial_results
from nnviz.core.sweep.study import run_sweep

DESIGN = Design(
    dataset=DatasetSpec("xor", points=500),
    layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
    training=TrainingSpec(optimizer=OptimizerSpec("sgd", 0.03), batch_size=10),
)


def trials_per_minute(trials: int, jobs: int, epochs: int, folder: Path) -> float:
    design = replace(DESIGN, training=replace(DESIGN.training, epochs=epochs))
    plan = SweepPlan(
        design=design,
        base_dir=None,
        settings=(parse_setting("training.optimizer.learning_rate=log:0.001:0.3", design),),
        method="random",
        metric="test_loss",
        storage=f"sqlite:///{folder / f'bench-{jobs}.db'}",
        study="bench",
        seed=0,
    )
    started = time.perf_counter()
    run_sweep(plan, trials, jobs)
    minutes = (time.perf_counter() - started) / 60
    done = sum(r.state == "COMPLETE" for r in trial_results(plan))
    return done / minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        one = trials_per_minute(args.trials, 1, args.epochs, Path(folder))
        two = trials_per_minute(args.trials, 2, args.epochs, Path(folder))
    print(f"{args.trials} trials of {args.epochs} epochs (2-8-8-1 tanh, 250 training points)")
    print("| workers | trials per minute |")
    print("| --- | --- |")
    print(f"| 1 | {one:.1f} |")
    print(f"| 2 | {two:.1f} ({two / one:.2f}× one worker) |")


if __name__ == "__main__":
    main()
