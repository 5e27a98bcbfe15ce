"""Hyperparameter sweeps on Optuna: trials in worker processes, a study in an RDB storage.

Each trial is one design (the base design with the trial's values at their schema paths)
trained to the end exactly as ``nnviz train`` trains it; its value is the chosen metric at the
end of the run. Optuna's parameters are named by the schema paths as given (``optuna.load_study``
and optuna-dashboard show ``training.optimizer.learning_rate``). The study lives in an RDB
storage: a SQLite file by default, or a PostgreSQL/MySQL URL that ``nnviz sweep`` workers on
several machines share (Optuna's distributed mode); trials are numbered by the storage, so
workers never take the same grid point twice.

Trials run in worker processes (``spawn``), never in the caller's thread: training holds the
GIL. A stop event ends every worker between two epochs; the trial then running is recorded
as failed with ``status`` "stopped".
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnviz.core.design import Design
from nnviz.core.files.user_data import user_data_dir
from nnviz.core.sweep.spec import Setting, SpecError, apply

METHODS = ("grid", "random", "tpe")
#: What a trial's value can be, and whether less is better.
METRICS = {
    "test_loss": "minimize",
    "train_loss": "minimize",
    "test_accuracy": "maximize",
    "train_accuracy": "maximize",
    "test_r2": "maximize",
    "train_r2": "maximize",
    "test_rmse": "minimize",
    "train_rmse": "minimize",
}
INSTALL_HINT = 'sweeps need Optuna: pip install "nnviz[sweep]"'
#: How long a worker waits on a busy SQLite file before giving up, in seconds.
SQLITE_TIMEOUT = 60
#: Tries to open a storage that another worker is creating at the same moment.
CREATE_ATTEMPTS = 5
#: How long a trial trains between two looks at the stop event, in seconds.
STOP_CHECK_SECONDS = 0.2
#: The name of the worker processes (then their number), as ``ps`` and the tests see them.
WORKER_PROCESS = "nnviz-sweep-worker"
#: The user attribute naming the process that runs a trial (host:pid).
WORKER_ATTR = "worker"


class SweepError(ValueError):
    """A sweep cannot run as asked (storage, study, metric); the message says why."""


@dataclass(frozen=True)
class SweepPlan:
    """Everything a worker needs: picklable, so it crosses into the worker processes."""

    design: Design
    base_dir: str | None
    settings: tuple[Setting, ...]
    method: str
    metric: str
    storage: str
    study: str
    seed: int | None = None

    @property
    def grid(self) -> list[dict[str, Any]]:
        """Every combination of the settings' grid values, in a fixed order."""
        names = [s.path for s in self.settings]
        combos = itertools.product(*(s.grid_values() for s in self.settings))
        return [dict(zip(names, combo, strict=True)) for combo in combos]


@dataclass
class TrialResult:
    """One finished trial, as the Runs table and ``--json`` show it."""

    number: int
    params: dict[str, Any]
    value: float | None
    state: str  # Optuna's: COMPLETE, FAIL, RUNNING, WAITING, PRUNED
    attrs: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "params": self.params,
            "value": self.value,
            "state": self.state,
        }


def default_storage() -> str:
    """The SQLite file of sweeps in the user's data folder."""
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'sweeps.db'}"


def import_optuna():
    try:
        import optuna
    except ImportError:
        raise SweepError(INSTALL_HINT) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def storage_of(url: str):
    """An Optuna RDB storage for ``url`` (a SQLite file waits for its lock, not fails)."""
    optuna = import_optuna()
    kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT}} if url.startswith("sqlite") else {}
    for attempt in range(CREATE_ATTEMPTS):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
        except Exception as error:  # SQLAlchemy raises many kinds; each means "cannot open"
            # Two workers opening a new storage together: one creates the tables while the
            # other finds them half made ("already exists", a unique constraint on the schema
            # version). An error of the database itself is worth a second look a moment later.
            if _database_error(error) and attempt + 1 < CREATE_ATTEMPTS:
                time.sleep(0.2 * (attempt + 1))
                continue
            message = f"cannot open the storage {safe_url(url)}: {_first_line(error)}"
            raise SweepError(message) from None
    raise AssertionError("unreachable")


def _database_error(error: BaseException) -> bool:
    """Whether ``error`` came from the database (worth trying again), directly or wrapped."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError) or isinstance(error.__cause__, DBAPIError)


def safe_url(url: str) -> str:
    """``url`` with any password hidden, for messages and output."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: say it as given
        return url


def open_study(plan: SweepPlan):
    """Create the plan's study, or load it to add trials; refuses a study that optimises the
    other way."""
    optuna = import_optuna()
    direction = METRICS[plan.metric]
    storage = storage_of(plan.storage)
    for attempt in range(CREATE_ATTEMPTS):
        try:
            study = optuna.create_study(
                storage=storage, study_name=plan.study, direction=direction, load_if_exists=True
            )
            break
        except Exception as error:
            # SQLite answers "database is locked" at once, whatever its timeout, when waiting
            # could deadlock two writers; Optuna wraps it in its StorageInternalError.
            if _database_error(error) and attempt + 1 < CREATE_ATTEMPTS:
                time.sleep(0.2 * (attempt + 1))
                continue
            message = f"cannot open the study {plan.study!r}: {_first_line(error)}"
            raise SweepError(message) from None
    if study.direction.name.lower() != direction:
        raise SweepError(
            f"the study {plan.study!r} {study.direction.name.lower()}s its value; "
            f"{plan.metric} needs to {direction}: use another --study"
        )
    return study


# --- one worker --------------------------------------------------------------------------------


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
        return None, {"status": "error", "message": _first_line(error)}
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


# --- several workers ----------------------------------------------------------------------------


def _worker_main(plan: SweepPlan, trials: int, worker: int, stop) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # the parent stops everyone by the event
        run_worker(plan, trials, worker, stop)


def run_sweep(
    plan: SweepPlan,
    trials: int,
    jobs: int = 1,
    *,
    stop=None,
    poll: Callable[[], None] | None = None,
    join_timeout: float = 1.0,
    started: Callable[[list], None] | None = None,
) -> None:
    """Run ``trials`` trials shared among ``jobs`` worker processes, and wait for them.

    ``stop`` (a ``multiprocessing`` event, made with the spawn context) ends every worker
    between two epochs; workers still alive ``join_timeout`` seconds after it is set are
    terminated. ``poll`` is called about every tenth of a second while the workers run;
    ``started`` once with the worker processes (for a caller that must be able to end them
    from another thread).
    """
    open_study(plan)  # create it (and its tables) once, before the workers race to
    context = multiprocessing.get_context("spawn")
    stop = stop if stop is not None else context.Event()
    shares = [trials // jobs + (k < trials % jobs) for k in range(jobs)]
    workers = [
        context.Process(
            target=_worker_main,
            args=(plan, share, k, stop),
            name=f"{WORKER_PROCESS}-{k}",
            daemon=True,
        )
        for k, share in enumerate(shares)
        if share
    ]
    for process in workers:
        process.start()
    if started is not None:
        started(list(workers))
    stopping_since = None
    try:
        while any(p.is_alive() for p in workers):
            if stop.is_set():
                stopping_since = stopping_since or time.monotonic()
                if time.monotonic() - stopping_since > join_timeout:
                    break
            if poll is not None:
                poll()
            for p in workers:
                p.join(timeout=0.1 / max(1, len(workers)))
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        stop.set()
        for p in workers:
            p.join(timeout=join_timeout)
            if p.is_alive():
                p.terminate()
                p.join()
        # ended by a signal: terminated here (or by whoever else stops the sweep)
        killed = [worker_name(p.pid) for p in workers if (p.exitcode or 0) < 0]
        if killed:
            record_stopped(plan, killed)
    failed = [p for p in workers if (p.exitcode or 0) > 0]
    if failed:
        record_stopped(plan, [worker_name(p.pid) for p in failed], status="error")
        codes = ", ".join(str(p.exitcode) for p in failed)
        raise SweepError(
            f"{len(failed)} of {len(workers)} worker processes failed (exit code {codes}); "
            "their error is on the standard error output"
        )


def worker_name(pid: int | None = None) -> str:
    """``host:pid`` of a worker process (this one by default), unique across machines."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def record_stopped(plan: SweepPlan, workers: list[str], status: str = "stopped") -> None:
    """Record the trials that ended workers were running as failed with ``status``, not left
    running."""
    from optuna.trial import TrialState

    storage = storage_of(plan.storage)
    study_id = storage.get_study_id_from_name(plan.study)
    for trial in storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
        if trial.user_attrs.get(WORKER_ATTR) in workers:
            trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
            storage.set_trial_user_attr(trial_id, "status", status)
            storage.set_trial_state_values(trial_id, TrialState.FAIL)


def trial_results(plan_or_study) -> list[TrialResult]:
    """Every trial of the study, oldest first."""
    study = plan_or_study if not isinstance(plan_or_study, SweepPlan) else open_study(plan_or_study)
    results = []
    for trial in study.get_trials(deepcopy=False):
        value = trial.value if trial.value is not None and math.isfinite(trial.value) else None
        results.append(
            TrialResult(
                trial.number, dict(trial.params), value, trial.state.name, dict(trial.user_attrs)
            )
        )
    return results


def best_of(results: Sequence[TrialResult], metric: str) -> TrialResult | None:
    complete = [r for r in results if r.state == "COMPLETE" and r.value is not None]
    if not complete:
        return None
    pick = min if METRICS[metric] == "minimize" else max
    return pick(complete, key=lambda r: r.value)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
