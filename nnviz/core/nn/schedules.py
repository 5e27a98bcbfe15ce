"""Learning-rate schedules: the rate to use in a given epoch.

``epoch`` counts from 0. Step decay multiplies the rate by ``gamma`` every ``step_size`` epochs
(torch's ``StepLR``); cosine follows half a cosine from the base rate at epoch 0 down to
``min_learning_rate`` at the last epoch, ``total_epochs - 1`` (torch's ``CosineAnnealingLR``
with ``T_max = total_epochs - 1``), and stays there if training runs longer.
"""

from __future__ import annotations

import math

from nnviz.core.design import ScheduleSpec


def learning_rate_at(
    schedule: ScheduleSpec, base_lr: float, epoch: int, total_epochs: int
) -> float:
    """The learning rate of epoch ``epoch`` (0-based) of a run of ``total_epochs`` epochs."""
    if schedule.name == "constant":
        return base_lr
    if schedule.name == "step":
        return base_lr * schedule.gamma ** (epoch // max(schedule.step_size, 1))
    if schedule.name == "cosine":
        progress = min(epoch / max(total_epochs - 1, 1), 1.0)
        low = schedule.min_learning_rate
        return low + (base_lr - low) * 0.5 * (1.0 + math.cos(math.pi * progress))
    raise ValueError(f"unknown schedule {schedule.name!r}; choose constant, step or cosine")
