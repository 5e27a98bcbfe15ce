"""The learning-rate range test (Smith 2017, fastai's lr_find): schedule, stop, restore, advice."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.insight import run_to_end
from nnviz.core.insight.lr_finder import END, START, find_steps, rate_schedule, suggest
from nnviz.core.nn.engine import create_engine
from nnviz.core.run.trainer import Trainer
from tests.core.test_examples import load_example


def fresh_engine(trainer, params=None):
    training = trainer.training
    return create_engine(
        training.engine,
        trainer.spec,
        params or trainer.engine.get_params(),
        training.optimizer,
        l1=training.l1,
        l2=training.l2,
        dtype=training.dtype,
        seed=training.seed,
    )


def find(trainer, **options):
    engine = fresh_engine(trainer)
    steps = find_steps(
        engine, trainer.x_train, trainer.t_train, batch_size=trainer.training.batch_size, **options
    )
    return engine, run_to_end(steps)


def test_the_rates_grow_exponentially_from_start_to_end():
    rates = rate_schedule(1e-6, 10.0, 8)
    assert rates[0] == pytest.approx(START) and rates[-1] == pytest.approx(END)
    np.testing.assert_allclose(rates[1:] / rates[:-1], 10 ** (7 / 7))


def test_the_weights_come_back_exactly_also_when_cancelled():
    design = Design(
        dataset=DatasetSpec("spiral", points=200),
        layers=(LayerSpec(6, "relu"),),
        training=TrainingSpec(seed=3, optimizer=OptimizerSpec("adam", 0.01)),
    )
    trainer = Trainer(design)
    before = trainer.engine.get_params()
    engine, finding = find(trainer)
    after = engine.get_params()
    assert all(
        np.array_equal(w0, w1) and np.array_equal(b0, b1)
        for (w0, b0), (w1, b1) in zip(before, after, strict=True)
    )
    assert len(finding.learning_rates) == len(finding.losses) > 20

    engine = fresh_engine(trainer)
    steps = find_steps(engine, trainer.x_train, trainer.t_train, batch_size=10)
    for _ in range(30):
        next(steps)
    assert not np.array_equal(engine.get_params()[0][0], before[0][0])  # it did train
    steps.close()
    assert np.array_equal(engine.get_params()[0][0], before[0][0])


def test_it_stops_when_the_loss_explodes():
    design = Design(
        dataset=DatasetSpec("circle", points=200),
        layers=(LayerSpec(8, "relu"),),
        training=TrainingSpec(seed=0, optimizer=OptimizerSpec("sgd", 0.1)),
    )
    _, finding = find(Trainer(design))
    assert finding.learning_rates[-1] < END
    assert "exploded" in finding.stopped or "became" in finding.stopped
    assert finding.losses[-1] > 4 * min(finding.losses) or "became" in finding.stopped
    assert finding.suggested < finding.learning_rates[int(np.argmin(finding.losses))] * 1.0001


def test_the_suggestion_is_the_steepest_descent_before_the_lowest_loss():
    rates = np.logspace(-6, 1, 71)
    logs = np.log10(rates)
    losses = 1 / (1 + np.exp(3 * (logs + 2)))  # falls fastest at 1e-2
    losses[-5:] = [0.3, 0.01, 0.9, 0.02, 2.0]  # a diverging tail's drops are no descent
    suggested, note = suggest(rates, losses)
    assert suggested == pytest.approx(1e-2, rel=0.01) and note == ""
    flat, note = suggest(rates, np.linspace(1.0, 2.0, 71))
    assert flat is None and "did not fall" in note


@pytest.mark.parametrize(("name", "epochs"), [("xor-mlp", 100), ("spiral-deep", 60)])
def test_the_suggestion_trains_the_examples_at_least_as_well_as_their_own_rate(name, epochs):
    design, _ = load_example(name)
    _, finding = find(Trainer(design), seed=design.training.seed)
    final = {}
    for rate in (design.training.optimizer.learning_rate, finding.suggested):
        training = dataclasses.replace(
            design.training,
            epochs=epochs,
            optimizer=dataclasses.replace(design.training.optimizer, learning_rate=rate),
        )
        trainer = Trainer(dataclasses.replace(design, training=training))
        list(trainer.run())
        final[rate] = trainer.snapshot().metrics.train_loss
    own, suggested = final.values()
    assert suggested <= own, f"{name}: suggested {finding.suggested:.3g} {final}"
