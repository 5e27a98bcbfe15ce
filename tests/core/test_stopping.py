"""The stopping rules on their own: what they say, and when early stopping is due."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

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
PARAMS = [(np.ones((2, 2), np.float32), np.zeros(2, np.float32))]


def row(epoch: int, test_loss: float) -> EpochMetrics:
    return replace(ROW, epoch=epoch, test_loss=test_loss)


def test_non_finite_names_the_weights_before_the_losses():
    assert non_finite(ROW, PARAMS) is None
    bad = [(PARAMS[0][0], np.array([0.0, np.inf], np.float32))]
    assert non_finite(replace(ROW, train_loss=math.nan), bad) == ("weights", math.nan)
    what, value = non_finite(replace(ROW, test_loss=math.inf), PARAMS)
    assert (what, value) == ("loss", math.inf)
    what, value = non_finite(replace(ROW, train_loss=math.nan), PARAMS)
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


def test_huge_finite_weights_are_finite_and_one_nan_or_infinity_is_not():
    huge = np.full((3, 3), np.finfo(np.float64).max, np.float64)  # their squares overflow
    big32 = np.full((2, 2), np.finfo(np.float32).max, np.float32)
    with np.errstate(all="ignore"):  # as the trainer asks
        assert non_finite(ROW, [(huge, np.zeros(3))]) is None
        assert non_finite(ROW, [(big32, np.zeros(2, np.float32))]) is None
        for bad in (np.nan, np.inf, -np.inf):
            w = np.ones((2, 2), np.float32)
            w[1, 0] = bad
            assert non_finite(ROW, [(w, np.zeros(2, np.float32))])[0] == "weights"
            assert non_finite(ROW, [(np.ones((2, 2)), w[1])])[0] == "weights"  # a bias
