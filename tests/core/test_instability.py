"""Runs that blow up but stay finite pause with a reason (issue 14 item 4); no -0.0 loss."""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.design import Design
from nnviz.core.files.design_file import load_design
from nnviz.core.nn.losses import get_loss
from nnviz.core.run.instability import InstabilityWatch
from nnviz.core.run.snapshot import DIVERGED, FINISHED
from nnviz.core.run.trainer import Trainer

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def with_learning_rate(design, learning_rate, epochs=60):
    optimizer = dataclasses.replace(design.training.optimizer, learning_rate=learning_rate)
    training = dataclasses.replace(design.training, optimizer=optimizer, epochs=epochs)
    return dataclasses.replace(design, training=training)


def run(design):
    trainer = Trainer(design)
    for _ in trainer.run():
        pass
    return trainer


@pytest.mark.parametrize("name", ["default", "xor-mlp", "spiral-deep", "digits"])
def test_a_learning_rate_of_10_pauses_with_a_reason_and_a_suggestion(name):
    design = Design() if name == "default" else load_design(EXAMPLES / f"{name}.json")
    trainer = run(with_learning_rate(design, 10.0))
    assert trainer.status == DIVERGED and trainer.epoch < 20
    assert "unstable" in trainer.message and "try a learning rate below 1" in trainer.message
    last = trainer.history[-1]
    assert math.isfinite(last.train_loss) and last.train_loss > 0


@pytest.mark.parametrize("name", ["default", "xor-mlp", "spiral-deep"])
def test_the_designs_own_learning_rate_trains_to_the_end(name):
    design = Design() if name == "default" else load_design(EXAMPLES / f"{name}.json")
    trainer = run(with_learning_rate(design, design.training.optimizer.learning_rate, 300))
    assert trainer.status == FINISHED and trainer.epoch == 300


def test_a_noisy_loss_below_its_start_is_not_instability():
    params = [(np.ones((2, 2)), np.zeros(2))]
    watch = InstabilityWatch(1.0, params, "mse")
    losses = [0.5, 0.9, 0.3, 0.95, 0.2, 0.8, 0.25, 0.9, 0.3, 0.7]
    assert all(watch.epoch(loss, params) is None for loss in losses)


def test_weights_that_grow_while_the_loss_stays_up_count_as_unstable():
    start = [(np.ones((2, 2)), np.zeros(2))]
    grown = [(np.full((2, 2), 200.0), np.zeros(2))]
    watch = InstabilityWatch(1.0, start, "mse")
    reasons = [watch.epoch(1.2, grown) for _ in range(4)]
    assert reasons[:3] == [None] * 3 and "weights grew 200-fold" in reasons[3]
    perceptron = InstabilityWatch(1.0, start, "perceptron")  # its loss scales with the weights
    assert all(perceptron.epoch(50.0, grown) is None for _ in range(10))


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "categorical_cross_entropy"])
def test_a_confident_right_answer_costs_plus_zero_never_minus_zero(loss):
    fn = get_loss(loss)
    if loss == "binary_cross_entropy":
        z, t = np.array([[40.0], [-40.0]], np.float32), np.array([[1.0], [0.0]], np.float32)
        outputs = np.array([[1.0], [0.0]], np.float32)
    else:
        z = np.array([[60.0, 0.0, 0.0]], np.float32)
        t = np.array([[1.0, 0.0, 0.0]], np.float32)
        outputs = np.array([[1.0, 0.0, 0.0]], np.float32)
    for value in (fn.value_from_logits(z, t), fn.value(outputs, t)):
        assert value >= 0.0 and math.copysign(1.0, value) == 1.0
    # small but not rounded away: float32 would make exp(-40) vanish
    assert fn.value_from_logits(z * 0.5, t) > 0.0
