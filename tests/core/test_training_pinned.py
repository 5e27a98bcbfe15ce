"""Seeded runs pinned: the figures main gave before the engine's step and the trainer's
bookkeeping were made faster (issue 15), so a speed-up cannot change a run. They agree to
the last few bits of rounding (:data:`ROUNDING`): since the NumPy engine adds each bias inside
its layer's product, the sums are taken in another order.

Each case covers other code paths: tanh with the squared loss and SGD (TensorFlow
Playground's network), ReLU and leaky ReLU with dropout, softmax, Adam and L2, a fused
sigmoid with Nesterov, L1 and float64, a regression with ELU, dropout and RMSprop (batches
that do not divide the data).
"""

from __future__ import annotations

import pytest

from nnviz.core.design import (
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    TrainingSpec,
)
from nnviz.core.run.trainer import Trainer

CASES = {
    "playground": (
        Design(
            dataset=DatasetSpec(name="circle", points=500, train_fraction=0.5, seed=0),
            layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
            output=OutputSpec("tanh", "mse"),
            training=TrainingSpec(
                optimizer=OptimizerSpec("sgd", 0.03), batch_size=10, epochs=4, seed=0
            ),
        ),
        [(0.9234866943359376, 0.9536746826171875), (0.8123364868164062, 0.8603594970703125)],
        (0.26636182744677356, 0.4114633712782044, 0.4669588199119498),
        24.7426994155976,
    ),
    "softmax_adam_dropout": (
        Design(
            dataset=DatasetSpec(name="blobs_multi", points=203),
            layers=(LayerSpec(6, "relu", 0.2), LayerSpec(5, "leaky_relu")),
            training=TrainingSpec(
                optimizer=OptimizerSpec("adam", 0.01), batch_size=16, epochs=4, l2=0.001, seed=5
            ),
        ),
        [(0.7952604685251586, 0.8339800602222774), (0.4348693813359334, 0.4761769337255878)],
        (0.2675493183083459, 0.34282331837333685, 0.48625493552147375),
        21.003871539607644,
    ),
    "sigmoid_nesterov_l1_float64": (
        Design(
            dataset=DatasetSpec(name="xor", points=150, noise=0.1),
            layers=(LayerSpec(5, "sigmoid"),),
            output=OutputSpec("sigmoid", "binary_cross_entropy"),
            training=TrainingSpec(
                optimizer=OptimizerSpec("nesterov", 0.1),
                batch_size=7,
                epochs=4,
                l1=0.001,
                seed=2,
                dtype="float64",
            ),
        ),
        [(0.6793635669498609, 0.715504720965501), (0.6661731929264488, 0.7295593042989632)],
        (0.09223040578293736, 0.12839092897056295),
        4.990832140122411,
    ),
    "regression_rmsprop": (
        Design(
            dataset=DatasetSpec(name="sine", points=120),
            features=("x1",),
            layers=(LayerSpec(7, "elu"), LayerSpec(4, "tanh", 0.1)),
            training=TrainingSpec(
                optimizer=OptimizerSpec("rmsprop", 0.01), batch_size=32, epochs=4, seed=1
            ),
        ),
        [(0.20452537536621093, 0.15877361297607423), (0.1489530404408773, 0.11900723775227864)],
        (0.11538658757465285, 0.1830977985047122, 0.2583208995693013),
        12.035359144210815,
    ),
}


#: How far a pinned figure may move by rounding alone, relative to it, per dtype: a few
#: units in the last place of each step's sums, over a few hundred steps.
ROUNDING = {"float32": 1e-6, "float64": 1e-12}


@pytest.mark.parametrize("name", CASES)
def test_a_seeded_run_gives_the_pinned_figures(name):
    design, losses, grad_norms, weight_sum = CASES[name]
    trainer = Trainer(design)
    while not trainer.done:
        trainer.step_epoch()
    history = trainer.history
    rel = ROUNDING[design.training.dtype]
    figures = [(row.train_loss, row.test_loss) for row in history[1::2]]
    assert figures == [pytest.approx(pair, rel=rel) for pair in losses]
    assert history[-1].grad_norms == pytest.approx(grad_norms, rel=rel)
    params = trainer.snapshot().params
    total = sum(abs(w).sum(dtype="float64") + abs(b).sum(dtype="float64") for w, b in params)
    assert float(total) == pytest.approx(weight_sum, rel=rel)
