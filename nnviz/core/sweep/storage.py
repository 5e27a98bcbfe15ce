"""Where a sweep's study lives: an Optuna RDB storage, a SQLite file by default or a
PostgreSQL/MySQL URL that ``nnviz sweep`` workers on several machines share (Optuna's
distributed mode). Opening one waits out another worker creating it at the same moment.
"""

from __future__ import annotations

import math
import time

from nnviz.core.files.user_data import user_data_dir
from nnviz.core.sweep.plan import METRICS, SweepError, SweepPlan, TrialResult, first_line

INSTALL_HINT = 'sweeps need Optuna: pip install "nnviz[sweep]"'
#: How long a worker waits on a busy SQLite file before giving up, in seconds.
SQLITE_TIMEOUT = 60
#: Tries to open a storage that another worker is creating at the same moment.
CREATE_ATTEMPTS = 5


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
            message = f"cannot open the storage {safe_url(url)}: {first_line(error)}"
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
            message = f"cannot open the study {plan.study!r}: {first_line(error)}"
            raise SweepError(message) from None
    if study.direction.name.lower() != direction:
        raise SweepError(
            f"the study {plan.study!r} {study.direction.name.lower()}s its value; "
            f"{plan.metric} needs to {direction}: use another --study"
        )
    return study


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
