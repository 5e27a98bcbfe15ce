"""A lesson checked headlessly: its reference solution meets the goal, its start does not.

``nnviz lessons --check`` and the tests train each design with the same
:class:`~nnviz.core.run.trainer.Trainer` the window's training process runs, stopping as soon
as the goal is met or can no longer be (past the goal's epoch bound or the design's limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nnviz.core.design import Design
from nnviz.core.lessons.lesson import Lesson
from nnviz.core.run.snapshot import EpochMetrics
from nnviz.core.run.trainer import Trainer


@dataclass(frozen=True)
class Outcome:
    """What one training of a lesson's design showed: the epoch the goal was met, or None."""

    met_at: int | None
    epochs: int
    last: EpochMetrics


def train_for_goal(lesson: Lesson, design: Design) -> Outcome:
    """Train ``design`` until ``lesson``'s goal is met, or until it no longer can be."""
    base = Path(lesson.source) if lesson.source else None
    trainer = Trainer(design, base_dir=base)
    limit = lesson.goal.epoch_limit()
    row = trainer.snapshot().metrics  # before the first step
    if lesson.goal.first_met([row], design) is not None:
        return Outcome(row.epoch, row.epoch, row)
    for snapshot in trainer.run():
        row = snapshot.metrics
        if lesson.goal.met_by(row, design):
            return Outcome(row.epoch, row.epoch, row)
        if limit is not None and row.epoch >= limit:
            break
    return Outcome(None, row.epoch, row)


def check_lesson(lesson: Lesson) -> list[str]:
    """What is wrong with ``lesson`` as taught: empty when its solution (or its unchanged start,
    when it needs no change) meets the goal and, with a solution, its start does not."""
    problems = []
    if lesson.solved is None:
        outcome = train_for_goal(lesson, lesson.start)
        if outcome.met_at is None:
            problems.append(f"the starting design misses the goal ({_figures(outcome)})")
        return problems
    start = train_for_goal(lesson, lesson.start)
    if start.met_at is not None:
        problems.append(
            f"the goal is met without any change (at epoch {start.met_at}); "
            "the learner has nothing to do"
        )
    solved = train_for_goal(lesson, lesson.solved)
    if solved.met_at is None:
        problems.append(f"the reference solution misses the goal ({_figures(solved)})")
    return problems


def _figures(outcome: Outcome) -> str:
    m = outcome.last
    return (
        f"after {outcome.epochs} epochs: train loss {m.train_loss:.4g}, test loss "
        f"{m.test_loss:.4g}, test metric {m.test_metric:.4g}, gradient norms "
        f"{', '.join(f'{g:.3g}' for g in m.grad_norms)}, dead {m.dead_fraction}"
    )
