"""What a sweep is: the plan every worker follows (a design, the settings it varies by schema
path, the method, the metric, where the study lives) and the trials it yields.

The plan is picklable, so it crosses into the worker processes; :mod:`.study` runs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nnviz.core.design import Design
from nnviz.core.sweep.spec import Setting

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


def best_of(results: Sequence[TrialResult], metric: str) -> TrialResult | None:
    """The complete trial with the best value of ``metric`` (None before there is one)."""
    complete = [r for r in results if r.state == "COMPLETE" and r.value is not None]
    if not complete:
        return None
    pick = min if METRICS[metric] == "minimize" else max
    return pick(complete, key=lambda r: r.value)


def first_line(error: BaseException) -> str:
    """The first line of ``error``'s message (its type's name when it has none)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
