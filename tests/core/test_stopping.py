"""The stopping rules on their own: what they say, and when early stopping is due."""

from __future__ import annotations

import math
from dataclasses import replace

from nnviz.core.design import TrainingSpec
from nnviz.core.run.snapshot import EpochMetrics
from nnviz.core.run.stopping import (
    EarlyStopping,
    diverged_message,
    early_stopped_message,
    non_finite,
    unstable_message,
)

ROW = EpochMetrics(0, 0, 0.5, 0.6, 0.9, 0.8, math.nan, math.nan, 0.03, (1.0,), (0.0,))


def row(epoch: int, test_loss: float) -> EpochMetrics:
    return replace(ROW, epoch=epoch, test_loss=test_loss)


def test_non_finite_names_the_weights_before_the_losses():
    assert non_finite(ROW, True) is None
    assert non_finite(replace(ROW, train_loss=math.nan), False) == ("weights", math.nan)
    what, value = non_finite(replace(ROW, test_loss=math.inf), True)
    assert (what, value) == ("loss", math.inf)
    what, value = non_finite(replace(ROW, train_loss=math.nan), True)
    assert what == "loss" and math.isnan(value)


def test_messages_say_what_happened_and_what_to_try():
    assert diverged_message("loss", math.nan, 3, 0.5) == (
        "loss became NaN at epoch 3; try a learning rate below 0.05"
    )
    assert "loss became infinite" in diverged_message("loss", math.inf, 1, 1.0)
    assert "weights became non-finite" in diverged_message("weights", math.nan, 1, 1.0)
    assert (
        unstable_message("why", 3.0) == "training is unstable: why; try a learning rate below 0.3"
    )


def test_early_stopping_is_due_once_patience_runs_out_and_keeps_the_best():
    rules = EarlyStopping()
    training = TrainingSpec(early_stopping=True, patience=2)
    for epoch, loss in enumerate([0.9, 0.5, math.nan, 0.7, 0.6], start=1):
        rules.track(epoch, row(epoch, loss), ("weights", epoch), ("classes", epoch))
        due = rules.due(epoch, training)
        assert (due is None) == (epoch < 4), epoch
    best = rules.due(5, training)
    assert (best.epoch, best.loss, best.params, best.predictions) == (
        2,
        0.5,
        ("weights", 2),
        ("classes", 2),
    )
    assert rules.due(5, replace(training, early_stopping=False)) is None
    assert early_stopped_message(2, best) == (
        "test loss did not improve for 2 epochs; restored the best weights, from epoch 2 "
        "(test loss 0.5)"
    )
    rules.forget()
    assert rules.due(5, training) is None
