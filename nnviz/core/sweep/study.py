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

This module starts the workers and waits for them; :mod:`.plan` says what a sweep is,
:mod:`.storage` opens its study, :mod:`.worker` is what each worker process runs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable

from nnviz.core.sweep.plan import SweepError, SweepPlan
from nnviz.core.sweep.storage import open_study, storage_of
from nnviz.core.sweep.worker import WORKER_ATTR, run_worker, worker_name

#: The name of the worker processes (then their number), as ``ps`` and the tests see them.
WORKER_PROCESS = "nnviz-sweep-worker"


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
