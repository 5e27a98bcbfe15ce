"""Lessons: every bundled one loads and checks out, broken files say what is wrong, goals and
locks evaluate as their documentation says."""

from __future__ import annotations

import json
import math

import pytest

from nnviz.__main__ import main
from nnviz.core.design import Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.lessons import LessonFileError, bundled_lessons, load_lesson, read_lesson, refusal
from nnviz.core.lessons.check import check_lesson
from nnviz.core.lessons.goals import Condition, Goal
from nnviz.core.lessons.settings import SettingsError, apply_settings
from nnviz.core.run.snapshot import EpochMetrics

NAN = float("nan")


def row(epoch=1, test_metric=0.5, rmse=NAN, grads=(1.0, 1.0), dead=(0.0,), **figures):
    values = dict(train_loss=1.0, test_loss=1.0, train_metric=test_metric, learning_rate=0.1)
    values.update(figures)
    return EpochMetrics(
        epoch=epoch,
        step=epoch,
        test_metric=test_metric,
        train_rmse=rmse,
        test_rmse=rmse,
        grad_norms=grads,
        dead_fraction=dead,
        **values,
    )


def minimal(**changes) -> dict:
    doc = {
        "format": "nnviz-lesson",
        "version": 1,
        "title": "A lesson",
        "text": "Some words.",
        "design": "xor-mlp",
        "allowed": ["training.optimizer.learning_rate"],
        "prediction": {
            "question": "Which?",
            "choices": ["this", "that"],
            "answer": 0,
            "why": "So.",
        },
        "goal": {"text": "Reach 90 %.", "all": [{"measure": "test_accuracy", "at_least": 0.9}]},
        "hints": ["Press Play."],
        "notice": "Look.",
    }
    doc.update(changes)
    return doc


def problems_of(doc) -> list[str]:
    with pytest.raises(LessonFileError) as caught:
        read_lesson(doc, "test")
    return caught.value.problems


# --- the bundled path -------------------------------------------------------------------------


def test_the_bundled_path_has_the_arc_of_at_least_twelve_lessons():
    lessons = [load_lesson(path) for path in bundled_lessons()]
    ids = [lesson.id for lesson in lessons]
    assert len(ids) >= 12 and len(set(ids)) == len(ids)
    assert ids[:4] == ["neuron", "perceptron-and", "perceptron-xor", "hidden-xor"]
    assert ids[-1] == "digits"
    stepped = {lesson.id for lesson in lessons if lesson.step_through}
    assert {"neuron", "backprop"} <= stepped  # where the maths is the point


def test_every_bundled_lesson_passes_its_check():
    """The reference solution meets the goal; the unchanged start does not, where a change is
    asked for (the same check as ``nnviz lessons --check``)."""
    for path in bundled_lessons():
        lesson = load_lesson(path)
        assert check_lesson(lesson) == [], lesson.id


# --- reading: every problem named with its path ---------------------------------------------


def test_a_minimal_lesson_reads_with_its_defaults():
    lesson = read_lesson(minimal(), "mine")
    assert lesson.start.name == "XOR with a hidden layer"
    assert lesson.solved is None and not lesson.step_through
    assert lesson.prediction.reveal_after == 1
    assert lesson.goal.conditions == (Condition(measure="test_accuracy", at_least=0.9),)


def test_each_problem_of_a_broken_lesson_is_named_with_its_path():
    doc = minimal(
        titel="typo",
        allowed=["training.optimizer.learning_rat", "layers"],
        goal={"text": "x", "all": [{"measure": "test_acuracy", "at_least": "high"}]},
        set={"layers[0].unit": 3},
    )
    del doc["notice"]
    problems = problems_of(doc)
    assert "titel: unknown key; did you mean 'title'?" in problems
    assert "notice: missing" in problems
    assert any(p.startswith("allowed[0]: ") and "did you mean" in p for p in problems)
    assert any(p.startswith("goal.all[0].measure: ") and "'test_accuracy'" in p for p in problems)
    assert "goal.all[0].at_least: expected a number, got 'high'" in problems
    assert any(p.startswith("set: ") and "layers[0].unit" in p for p in problems)
    assert len(problems) == 6


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"format": "nnviz-design"}, 'format: not an nnviz lesson (a lesson says "format"'),
        ({"version": 7}, "version: expected 1"),
        ({"design": "no-such-example"}, "design: no bundled example called 'no-such-example'"),
        ({"design": {"format": "nnviz-design", "version": 2, "layers": "x"}}, "design: layers"),
        (
            {"set": {"training.optimizer.learning_rate": -1}},
            "set: training.optimizer.learning_rate",
        ),
        ({"solution": {"training.optimizer.learning_rate": 0.5}}, "solution: changes nothing"),
        (
            {"prediction": {"question": "?", "choices": ["a"], "answer": 3, "why": "."}},
            "prediction.choices: expected a list of at least two",
        ),
        (
            {"prediction": {"question": "?", "choices": ["a", "b"], "answer": 3, "why": "."}},
            "prediction.answer: expected a choice's index, 0 to 1",
        ),
        ({"goal": {"text": "x", "all": [{"measure": "epoch"}]}}, "goal.all[0]: a condition needs"),
        ({"goal": {"text": "x", "all": []}}, "goal.all: expected a non-empty list"),
        ({"hints": []}, "hints: expected a non-empty list of strings"),
        ({"step_through": "yes"}, "step_through: expected true or false"),
    ],
)
def test_a_broken_lesson_says_what_is_wrong(changes, expected):
    problems = problems_of(minimal(**changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_lesson_file_that_is_not_json_names_line_and_column(tmp_path):
    path = tmp_path / "03-broken.json"
    path.write_text('{"format": "nnviz-lesson",\n  "version": 1,,}')
    with pytest.raises(LessonFileError) as caught:
        load_lesson(path)
    assert str(caught.value).startswith(f"{path}: line 2, column 16: not valid JSON")
    with pytest.raises(LessonFileError, match="file not found"):
        load_lesson(tmp_path / "missing.json")


def test_a_lesson_names_a_design_file_beside_it(tmp_path):
    from nnviz.core.files.design_file import save_design

    save_design(Design(name="mine"), tmp_path / "start.json")
    path = tmp_path / "07-my-lesson.json"
    path.write_text(json.dumps(minimal(design="start.json")))
    lesson = load_lesson(path)
    assert lesson.id == "my-lesson"  # the order number is not part of the id
    assert lesson.start.name == "mine"


# --- settings by path ---------------------------------------------------------------------------


def test_settings_by_path_set_fields_and_replace_the_layers():
    design = apply_settings(
        Design(),
        {"layers": [{"units": 3, "activation": "relu", "dropout": 0.0}], "layers[0].units": 5},
    )
    assert design.layers == (LayerSpec(5, "relu"),)
    design = apply_settings(design, {"features": ["x1", "x1*x2"]})
    assert design.features == ("x1", "x1*x2")
    with pytest.raises(SettingsError) as caught:
        apply_settings(Design(), {"layers[5].units": 2, "training.optimizr.name": "adam"})
    first, second = caught.value.problems
    assert first.startswith("layers[5].units: the design has 2 hidden layer")
    assert "did you mean 'training.optimizer.name'" in second
    with pytest.raises(SettingsError, match="did you mean 'adam'"):
        apply_settings(Design(), {"training.optimizer.name": "adamm"})


# --- the goal language ----------------------------------------------------------------------


def test_a_goal_is_met_at_the_first_epoch_that_meets_every_condition():
    goal = Goal(
        "90 % within 3 epochs, at most 4 units",
        (
            Condition(measure="test_accuracy", at_least=0.9),
            Condition(measure="epoch", at_most=3),
            Condition(measure="hidden_units", at_most=4),
        ),
    )
    small = Design(layers=(LayerSpec(3),))
    rows = [row(1, 0.5), row(2, 0.92), row(3, 0.95)]
    assert goal.first_met(rows, small).epoch == 2
    assert goal.first_met(rows, Design(layers=(LayerSpec(5),))) is None  # too many units
    assert goal.first_met([row(4, 0.99)], small) is None  # too late
    assert goal.epoch_limit() == 3


def test_measures_mean_what_they_say():
    design = Design(layers=(LayerSpec(2), LayerSpec(6)))
    holds = lambda condition, r: condition.holds(r, design)  # noqa: E731
    # accuracy exists for classification only; R² for regression only
    assert holds(Condition(measure="test_accuracy", at_least=0.5), row(test_metric=0.5))
    assert not holds(Condition(measure="test_accuracy", at_least=0.0), row(rmse=0.1))
    assert holds(Condition(measure="test_r2", at_least=0.9), row(test_metric=0.95, rmse=0.1))
    # the first layer's gradient over the last's
    vanishing = row(grads=(0.001, 0.5, 0.2))
    assert holds(Condition(measure="gradient_ratio", at_most=0.01), vanishing)
    assert not holds(Condition(measure="gradient_ratio", at_most=0.01), row(grads=(0.1, 0.2)))
    # dead units weighted by each layer's width: (1.0 * 2 + 0.5 * 6) / 8
    dead = row(dead=(1.0, 0.5))
    share = 5 / 8
    assert holds(Condition(measure="dead_share", at_least=share, at_most=share), dead)
    gap = row(test_metric=0.7, train_metric=0.95, train_loss=0.1, test_loss=0.9)
    assert holds(Condition(measure="accuracy_gap", at_least=0.25 - 1e-9), gap)
    assert holds(Condition(measure="loss_gap", at_least=0.8 - 1e-9), gap)
    assert not holds(Condition(measure="train_loss", at_most=1.0), row(train_loss=math.nan))


def test_field_conditions_read_the_design():
    adam = Design(training=TrainingSpec(optimizer=OptimizerSpec("adam"), l2=0.01))
    assert Condition(field="training.optimizer.name", equals="adam").holds(None, adam)
    assert not Condition(field="training.optimizer.name", equals="adam").holds(None, Design())
    assert Condition(field="training.l2", at_least=0.001).holds(None, adam)
    assert Condition(field="features", equals=["x1", "x2"]).holds(None, adam)
    assert not Condition(field="layers[5].units", at_least=1).holds(None, adam)  # no such layer


def test_a_prediction_judged_by_the_run_picks_the_choice_that_holds():
    doc = minimal(
        prediction={
            "question": "How far?",
            "choices": [
                {"text": "All the way", "holds": [{"measure": "test_accuracy", "at_least": 0.99}]},
                {"text": "Not far", "holds": [{"measure": "test_accuracy", "at_most": 0.99}]},
            ],
            "why": "Because.",
            "reveal_after": 20,
        }
    )
    prediction = read_lesson(doc, "p").prediction
    assert prediction.answer is None and prediction.reveal_after == 20
    assert prediction.held(row(test_metric=1.0), Design()) == 0
    assert prediction.held(row(test_metric=0.6), Design()) == 1


# --- locks ------------------------------------------------------------------------------------


def test_a_lesson_refuses_edits_of_locked_fields():
    design = Design()
    allowed = ("layers[].units", "training.optimizer")
    wider = apply_settings(design, {"layers[1].units": 5})
    assert refusal(design, wider, allowed) == ""
    adam = apply_settings(
        design, {"training.optimizer.name": "adam", "training.optimizer.beta1": 0.8}
    )
    assert refusal(design, adam, allowed) == ""
    relu = apply_settings(design, {"layers[0].activation": "relu"})
    assert (
        refusal(design, relu, allowed)
        == "This lesson keeps layers[0].activation as it is (it is locked)."
    )
    deeper = apply_settings(design, {"layers": [{"units": 2}] * 3})
    assert "number of hidden layers" in refusal(design, deeper, allowed)
    assert refusal(design, deeper, ("layers",)) == ""


# --- nnviz lessons ------------------------------------------------------------------------------


def test_nnviz_lessons_lists_one_a_line(capsys):
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(bundled_lessons())
    assert lines[0] == "neuron\tThe artificial neuron"


def test_nnviz_lessons_check_exits_2_with_one_line_for_a_broken_file(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(minimal(goal={"text": "x", "all": [{"measure": "speed"}]})))
    assert main(["lessons", "--check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"nnviz lessons: {path}: goal.all[0].measure: 'speed' is not a measure")


def test_nnviz_lessons_check_fails_a_lesson_with_nothing_to_do(tmp_path, capsys):
    doc = minimal(
        goal={"text": "Any loss", "all": [{"measure": "train_loss", "at_least": 0}]},
        solution={"training.optimizer.learning_rate": 0.1},
    )
    path = tmp_path / "idle.json"
    path.write_text(json.dumps(doc))
    assert main(["lessons", "--check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL idle: the goal is met without any change (at epoch 0)" in out


# --- the JSON Schema ------------------------------------------------------------------------


def test_the_lesson_schema_is_current_and_every_bundled_lesson_fits_it():
    from jsonschema import Draft202012Validator

    from nnviz.core.lessons.schema import SCHEMA_FILE, schema_text

    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/lesson.schema.json is stale: run python -m nnviz.core.lessons.schema"
    )
    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for path in bundled_lessons():
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], path.name
    assert list(validator.iter_errors(minimal(goal={"text": "x", "all": [{"measure": "speed"}]})))
