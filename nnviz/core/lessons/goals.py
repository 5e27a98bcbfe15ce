"""The goal language: conditions on a run's history and its design, checked epoch by epoch.

A lesson's goal (and a prediction's choices) are lists of conditions such as
``{"measure": "test_accuracy", "at_least": 0.95}`` or ``{"field": "training.l2", "at_least":
0.001}``. A goal is met at the first epoch whose figures meet every measured condition while
the design meets every field condition; "within 200 epochs" is ``{"measure": "epoch",
"at_most": 200}`` beside the others, so it is the same rule, not a special case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nnviz.core.design import Design
from nnviz.core.run.snapshot import EpochMetrics
from nnviz.core.schema import UnknownPath, field, value_at
from nnviz.core.schema.problems import Problems, close_match, join, kind_of, short

NAN = float("nan")


def _classification(row: EpochMetrics) -> bool:
    return math.isnan(row.train_rmse)


def _ratio(norms: tuple[float, ...]) -> float:
    if len(norms) < 2 or not norms[-1] > 0:
        return NAN
    return norms[0] / norms[-1]


def _dead_share(row: EpochMetrics, design: Design) -> float:
    units = [layer.units for layer in design.layers]
    if not units or len(row.dead_fraction) != len(units):
        return NAN
    return sum(f * n for f, n in zip(row.dead_fraction, units, strict=True)) / sum(units)


Measure = Callable[[EpochMetrics, Design], float]

#: What a condition may measure of an epoch, and what each one means (for the docs and errors).
MEASURES: dict[str, tuple[Measure, str]] = {
    "epoch": (lambda r, d: r.epoch, "epochs trained"),
    "train_loss": (lambda r, d: r.train_loss, "the loss on the training points"),
    "test_loss": (lambda r, d: r.test_loss, "the loss on the test points"),
    "train_accuracy": (
        lambda r, d: r.train_metric if _classification(r) else NAN,
        "share of training points classified right (0 to 1)",
    ),
    "test_accuracy": (
        lambda r, d: r.test_metric if _classification(r) else NAN,
        "share of test points classified right (0 to 1)",
    ),
    "train_r2": (lambda r, d: NAN if _classification(r) else r.train_metric, "training R²"),
    "test_r2": (lambda r, d: NAN if _classification(r) else r.test_metric, "test R²"),
    "train_rmse": (lambda r, d: r.train_rmse, "training root-mean-square error"),
    "test_rmse": (lambda r, d: r.test_rmse, "test root-mean-square error"),
    "accuracy_gap": (
        lambda r, d: r.train_metric - r.test_metric if _classification(r) else NAN,
        "training accuracy minus test accuracy (overfitting)",
    ),
    "loss_gap": (lambda r, d: r.test_loss - r.train_loss, "test loss minus training loss"),
    "gradient_ratio": (
        lambda r, d: _ratio(r.grad_norms),
        "the first layer's weight-gradient norm over the last layer's",
    ),
    "dead_share": (_dead_share, "share of hidden units that output 0 on every training point"),
    "learning_rate": (lambda r, d: r.learning_rate, "the learning rate of the epoch"),
    "hidden_units": (lambda r, d: sum(layer.units for layer in d.layers), "hidden units in all"),
    "hidden_layers": (lambda r, d: len(d.layers), "hidden layers"),
}
BOUNDS = ("at_least", "at_most")
CONDITION_KEYS = ("measure", "field", *BOUNDS, "equals")


@dataclass(frozen=True)
class Condition:
    """One condition: a measure or a design field, within bounds or equal to a value."""

    measure: str | None = None
    field: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    equals: Any = None

    @property
    def on_design(self) -> bool:
        """Whether it depends on the design alone (then any epoch, or none, will do)."""
        return self.field is not None or self.measure in ("hidden_units", "hidden_layers")

    def holds(self, row: EpochMetrics | None, design: Design) -> bool:
        if self.field is not None:
            try:
                value = value_at(design, self.field)
            except UnknownPath:  # a layer the learner removed
                return False
        elif row is None and not self.on_design:
            return False
        else:
            value = MEASURES[self.measure][0](row, design)  # type: ignore[arg-type]
        if self.equals is not None:
            return _same(value, self.equals)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return False
        return (self.at_least is None or value >= self.at_least) and (
            self.at_most is None or value <= self.at_most
        )


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, tuple):
        value = list(value)
    return value == wanted


@dataclass(frozen=True)
class Goal:
    """Conditions that must hold together, with the sentence that states them to a learner."""

    text: str
    conditions: tuple[Condition, ...]

    def met_by(self, row: EpochMetrics | None, design: Design) -> bool:
        return all(c.holds(row, design) for c in self.conditions)

    def first_met(self, rows: Iterable[EpochMetrics], design: Design) -> EpochMetrics | None:
        """The first of ``rows`` at which the goal is met, or None."""
        if not all(c.holds(None, design) for c in self.conditions if c.on_design):
            return None
        for row in rows:
            if self.met_by(row, design):
                return row
        return None

    def epoch_limit(self) -> int | None:
        """The latest epoch at which the goal can still be met, if a condition bounds it."""
        limits = [c.at_most for c in self.conditions if c.measure == "epoch" and c.at_most]
        return int(min(limits)) if limits else None


# --- reading ------------------------------------------------------------------------------


def read_conditions(value: Any, path: str, problems: Problems) -> tuple[Condition, ...]:
    """A list of condition objects at ``path`` of a lesson file; each problem is reported."""
    if not isinstance(value, list) or not value:
        problems.add(path, f"expected a non-empty list of conditions, got {kind_of(value)}")
        return ()
    found = (read_condition(item, f"{path}[{i}]", problems) for i, item in enumerate(value))
    return tuple(c for c in found if c is not None)


def read_condition(doc: Any, path: str, problems: Problems) -> Condition | None:
    if not isinstance(doc, dict):
        problems.add(path, f"expected a condition object {{...}}, got {kind_of(doc)}")
        return None
    before = problems.found
    for key in doc:
        if key not in CONDITION_KEYS:
            close = close_match(key, CONDITION_KEYS)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(join(path, key), f"unknown key{hint}; a condition has {_listed()}")
    has_measure, has_field = "measure" in doc, "field" in doc
    if has_measure == has_field:
        problems.add(path, "a condition names either a 'measure' or a 'field'")
    measure, name = doc.get("measure"), doc.get("field")
    if has_measure and measure not in MEASURES:
        close = close_match(str(measure), MEASURES)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.add(join(path, "measure"), f"{short(measure)} is not a measure{hint}")
    if has_field:
        try:
            field(str(name)) if isinstance(name, str) else None
        except UnknownPath as error:
            problems.add(join(path, "field"), str(error))
        if not isinstance(name, str):
            problems.add(join(path, "field"), f"expected a field path, got {kind_of(name)}")
    bounds = {key: doc[key] for key in BOUNDS if key in doc}
    for key, bound in bounds.items():
        if isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound):
            problems.add(join(path, key), f"expected a number, got {short(bound)}")
    if "equals" in doc:
        if bounds:
            problems.add(path, "'equals' cannot go with 'at_least' or 'at_most'")
        if has_measure:
            problems.add(path, "'equals' compares a design field; a measure takes bounds")
        if doc["equals"] is None:
            problems.add(join(path, "equals"), "expected a value, got null")
    elif not bounds:
        problems.add(path, "a condition needs 'at_least', 'at_most' or 'equals'")
    if problems.found > before:
        return None
    return Condition(
        measure=measure,
        field=name,
        at_least=bounds.get("at_least"),
        at_most=bounds.get("at_most"),
        equals=doc.get("equals"),
    )


def read_goal(doc: Any, path: str, problems: Problems) -> Goal | None:
    if not isinstance(doc, dict):
        problems.add(path, f"expected a goal object {{...}}, got {kind_of(doc)}")
        return None
    for key in doc:
        if key not in ("text", "all"):
            problems.add(join(path, key), "unknown key; a goal has 'text' and 'all'")
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.add(join(path, "text"), "expected the goal in words, a non-empty string")
    before = problems.found
    conditions = read_conditions(doc.get("all"), join(path, "all"), problems)
    if problems.found > before or not isinstance(text, str):
        return None
    return Goal(text, conditions)


def _listed() -> str:
    return ", ".join(repr(k) for k in CONDITION_KEYS)
