"""What the Sweep dialog and its views compute without Qt: the axes of a setting, the
suggested ranges, and each setting's importance."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.sweep.axes import metric_axis, setting_axis
from nnviz.core.sweep.spec import make_setting, parse_setting
from nnviz.core.sweep.suggest import suggested_spec, sweepable_paths

BASE = Design(
    dataset=DatasetSpec("xor", points=100),
    layers=(LayerSpec(4, "tanh"), LayerSpec(2, "relu", dropout=0.1)),
    training=TrainingSpec(optimizer=OptimizerSpec("sgd", 0.03), epochs=10),
)


def test_a_log_range_is_an_axis_in_decades():
    axis = setting_axis(parse_setting("training.optimizer.learning_rate=log:1e-4:1", BASE))
    assert axis.log and axis.position(1e-4) == 0 and axis.position(1.0) == 1
    assert axis.position(1e-2) == pytest.approx(0.5)
    assert [text for _pos, text in axis.ticks()] == ["0.0001", "0.01", "1"]


def test_a_list_is_an_axis_of_its_values_in_order():
    axis = setting_axis(parse_setting("layers[0].units=8,2,4", BASE))
    assert axis.categories == (2, 4, 8)
    assert [axis.position(v) for v in (2, 4, 8)] == [0.0, 0.5, 1.0]
    names = setting_axis(parse_setting("training.optimizer.name=sgd,adam", BASE))
    assert names.ticks() == [(0.0, "sgd"), (1.0, "adam")]
    flags = setting_axis(parse_setting("training.early_stopping=true,false", BASE))
    assert flags.ticks() == [(0.0, "true"), (1.0, "false")]


def test_the_metric_axis_spans_the_finite_values():
    axis = metric_axis("test_loss", [0.5, None, 0.1, float("nan"), 0.3])
    assert (axis.low, axis.high) == (0.1, 0.5)
    assert axis.position(0.3) == pytest.approx(0.5)
    assert metric_axis("test_loss", [None]).position(0.2) == pytest.approx(0.2)


def test_every_suggestion_is_a_spec_the_design_accepts():
    paths = sweepable_paths(BASE)
    assert paths[0] == "layers" and "layers[1].dropout" in paths and "name" not in paths
    for path in paths:
        make_setting(path, suggested_spec(path, BASE), BASE)  # raises SpecError if not
    assert suggested_spec("training.optimizer.learning_rate", BASE) == "log:0.003:0.3"
    assert suggested_spec("layers[0].units", BASE) == "int:2:8"
    assert suggested_spec("training.optimizer.name", BASE).startswith("sgd,")
    assert suggested_spec("training.early_stopping", BASE) == "true,false"
    assert suggested_spec("training.seed", BASE) == "0,1,2"
    assert suggested_spec("layers[1].dropout", BASE) == "0,0.1,0.3,0.5"


def test_importance_gives_the_setting_that_decides_the_metric_the_largest_share(tmp_path):
    optuna = pytest.importorskip("optuna")
    pytest.importorskip("sklearn")
    from nnviz.core.sweep.importance import importance_steps
    from nnviz.core.sweep.plan import SweepError

    storage = f"sqlite:///{tmp_path / 'importance.db'}"
    study = optuna.create_study(
        storage=storage, study_name="s", sampler=optuna.samplers.RandomSampler(seed=0)
    )
    # the metric is (log10 of) the learning rate plus a small wobble from the width
    study.optimize(
        lambda t: (
            math.log10(t.suggest_float("lr", 1e-4, 1, log=True))
            + 0.01 * t.suggest_int("units", 1, 8)
        ),
        n_trials=30,
    )
    steps = importance_steps(storage, "s")
    with pytest.raises(StopIteration) as done:
        while True:
            next(steps)
    shares = done.value.value
    assert list(shares) == ["lr", "units"]
    assert shares["lr"] > 0.9 and math.isclose(sum(shares.values()), 1.0, rel_tol=1e-6)

    optuna.create_study(storage=storage, study_name="empty")
    with pytest.raises(SweepError, match="at least two complete trials"):
        list(importance_steps(storage, "empty"))


def test_a_trial_is_a_run_with_its_design_and_final_figures():
    from nnviz.core.sweep.plan import SweepPlan, TrialResult
    from nnviz.core.sweep.trial_run import trial_run

    settings = (parse_setting("layers[0].units=2,5", BASE),)
    plan = SweepPlan(BASE, None, settings, "grid", "test_loss", "sqlite://", "study")
    attrs = {
        "status": "diverged",
        "message": "loss became NaN",
        "epochs": 7,
        "seconds": 1.5,
        "train_loss": None,
        "test_loss": 0.25,
        "train_accuracy": 0.5,
        "test_accuracy": 0.9,
    }
    run = trial_run(plan, TrialResult(3, {"layers[0].units": 5}, 0.25, "COMPLETE", attrs))
    assert run.design == replace(BASE, layers=(LayerSpec(5, "tanh"), BASE.layers[1]))
    assert (run.source, run.label, run.status) == ("sweep", "trial 3 of study", "diverged")
    assert (run.epochs, run.seconds, run.message) == (7, 1.5, "loss became NaN")
    assert run.task == "classification"
    assert math.isnan(run.final.pop("train_loss"))
    assert run.final == {"test_loss": 0.25, "train_accuracy": 0.5, "test_accuracy": 0.9}
