"""One sweep worker: it asks the study for trials and trains each one here, exactly as
``nnviz train`` trains a design; its value is the chosen metric at the end of the run.

Grid search numbers its points by the storage's trial numbers, so however many workers share a
study, each point is taken once. A stop event ends the worker between two epochs; the trial
then running is recorded as failed with ``status`` "stopped".
"""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import Any

from nnviz.core.sweep.plan import SweepError, SweepPlan, first_line
from nnviz.core.sweep.spec import Setting, SpecError, apply
from nnviz.core.sweep.storage import import_optuna, open_study

#: How long a trial trains between two looks at the stop event, in seconds.
STOP_CHECK_SECONDS = 0.2
#: The user attribute naming the process that runs a trial (host:pid).
WORKER_ATTR = "worker"


class GridIndexSampler:
    """Grid search across processes and machines: trial number ``n`` takes grid point ``n``.

    The storage numbers a study's trials uniquely, so however many workers share the study,
    each grid point is taken once. (Optuna's own GridSampler picks points by looking at the
    trials so far, which two workers starting together can both see the same.)
    """

    def __init__(self, grid: list[dict[str, Any]]) -> None:
        self.grid = grid

    def sampler(self):
        optuna = import_optuna()
        grid = self.grid

        class _Sampler(optuna.samplers.BaseSampler):
            def infer_relative_search_space(self, study, trial):
                return {}

            def sample_relative(self, study, trial, search_space):
                return {}

            def sample_independent(self, study, trial, name, distribution):
                return grid[trial.number][name]

        return _Sampler()


def _sampler(plan: SweepPlan, worker: int):
    optuna = import_optuna()
    if plan.method == "grid":
        return GridIndexSampler(plan.grid).sampler()
    seed = None if plan.seed is None else plan.seed + worker
    if plan.method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def _suggest(trial, setting: Setting, method: str) -> Any:
    if method == "grid" or setting.scale is None:
        values = setting.grid_values() if method == "grid" else setting.values
        return trial.suggest_categorical(setting.path, list(values))
    if setting.scale == "int":
        return trial.suggest_int(setting.path, int(setting.low), int(setting.high))
    low, high = setting.low, setting.high
    if setting.kind == "whole":
        return trial.suggest_int(setting.path, round(low), round(high), log=setting.scale == "log")
    return trial.suggest_float(setting.path, low, high, log=setting.scale == "log")


def run_worker(plan: SweepPlan, trials: int, worker: int = 0, stop=None) -> int:
    """Run up to ``trials`` trials of the plan's study here; return how many ran.

    A grid worker also stops once every grid point has a trial. ``stop`` is an event (a
    ``multiprocessing.Event``) that ends the worker between two epochs.
    """
    optuna = import_optuna()
    from optuna.trial import TrialState

    study = open_study(plan)
    study.sampler = _sampler(plan, worker)
    grid_size = len(plan.grid) if plan.method == "grid" else None
    done = 0
    while done < trials and not (stop is not None and stop.is_set()):
        if grid_size is not None and len(study.get_trials(deepcopy=False)) >= grid_size:
            break
        trial = study.ask()
        trial.set_user_attr(WORKER_ATTR, worker_name())
        if grid_size is not None and trial.number >= grid_size:
            trial.set_user_attr("status", "grid complete")
            study.tell(trial, state=TrialState.PRUNED)
            break
        try:
            params = {s.path: _suggest(trial, s, plan.method) for s in plan.settings}
        except ValueError as error:  # another sweep gave the same name another range
            study.tell(trial, state=TrialState.FAIL)
            raise SweepError(f"the study {plan.study!r}: {error}") from None
        value, attrs = train_trial(plan, params, stop)
        for key, item in attrs.items():
            trial.set_user_attr(key, item)
        if attrs["status"] == "stopped" or value is None:
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, value)
        done += 1
    del optuna
    return done


def train_trial(plan: SweepPlan, params: dict[str, Any], stop=None) -> tuple[float | None, dict]:
    """Train the plan's design with ``params``; the metric's value (None if it is not finite)
    and what the Runs table shows of the run."""
    from nnviz.core.nn.network import CLASSIFICATION
    from nnviz.core.run.trainer import Trainer

    started = time.perf_counter()
    try:
        design = apply(plan.design, params)
        base_dir = None if plan.base_dir is None else Path(plan.base_dir)
        trainer = Trainer(design, base_dir=base_dir)
    except (SpecError, ValueError, RuntimeError, OSError) as error:
        return None, {"status": "error", "message": first_line(error)}
    stopped = False
    while not trainer.done:
        if stop is not None and stop.is_set():
            stopped = True
            break
        # batches for a moment at a time, so a stop is seen mid-epoch (same run as step_epoch)
        trainer.train_until(time.monotonic() + STOP_CHECK_SECONDS, time.monotonic)
    metrics = trainer.snapshot().metrics
    task = "accuracy" if trainer.spec.task == CLASSIFICATION else "r2"
    figures = {
        "train_loss": metrics.train_loss,
        "test_loss": metrics.test_loss,
        f"train_{task}": metrics.train_metric,
        f"test_{task}": metrics.test_metric,
    }
    if trainer.spec.task != CLASSIFICATION:
        figures.update(train_rmse=metrics.train_rmse, test_rmse=metrics.test_rmse)
    attrs = {
        "status": "stopped" if stopped else str(trainer.status),
        "message": trainer.message,
        "epochs": trainer.epoch,
        "seconds": round(time.perf_counter() - started, 3),
        **{k: (v if math.isfinite(v) else None) for k, v in figures.items()},
    }
    value = figures.get(plan.metric)
    if value is None:
        attrs["message"] = f"{plan.metric} does not apply to a {trainer.spec.task} task"
        return None, attrs
    return (value if math.isfinite(value) else None), attrs


def worker_name(pid: int | None = None) -> str:
    """``host:pid`` of a worker process (this one by default), unique across machines."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"
