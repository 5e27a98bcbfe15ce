"""Design files: fixtures of every version keep opening, round trips, clear errors, safe saves."""

import json
import os
import pickle
import re
import stat
from dataclasses import fields, replace
from pathlib import Path

import pytest

from nnviz.core.data.catalog import POINTS_RANGE
from nnviz.core.design import (
    DATASET_NAMES,
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    ScheduleSpec,
    TrainingSpec,
)
from nnviz.core.files import atomic, design_file
from nnviz.core.files.atomic import atomic_write_bytes, atomic_write_text
from nnviz.core.files.design_file import (
    CURRENT_VERSION,
    FORMAT,
    DesignFileError,
    design_from_dict,
    design_to_dict,
    dumps_design,
    load_design,
    save_design,
)

DATA = Path(__file__).parents[1] / "data"
DOC = Path(__file__).parents[2] / "docs" / "design-format.md"

FULL = Design(
    name="Spiral, deep and regularised",
    description="Every key of version 1 with a value other than its default.",
    dataset=DatasetSpec(
        name="spiral", noise=0.25, points=800, train_fraction=0.7, seed=42, classes=4
    ),
    features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
    layers=(
        LayerSpec(8, "relu", 0.1),
        LayerSpec(8, "leaky_relu", 0.0),
        LayerSpec(6, "elu", 0.25),
        LayerSpec(4, "gelu", 0.0),
    ),
    output=OutputSpec("sigmoid", "binary_cross_entropy"),
    training=TrainingSpec(
        optimizer=OptimizerSpec("adamw", 0.005, 0.8, 0.85, 0.99, 0.95, 1e-7, 0.001),
        schedule=ScheduleSpec("cosine", 50, 0.8, 0.0001),
        batch_size=32,
        epochs=2500,
        l1=0.0001,
        l2=0.001,
        initializer="he",
        seed=7,
        early_stopping=True,
        patience=100,
        engine="torch",
        device="cpu",
        dtype="float64",
    ),
)

#: What each fixture in tests/data must load as. A fixture never changes once committed.
EXPECTED = {
    "design-v1-minimal.json": Design(layers=(LayerSpec(4),)),
    "design-v1-full.json": FULL,
    "design-v1-perceptron.json": Design(
        name="Perceptron learns AND",
        dataset=DatasetSpec(name="and"),
        layers=(),
        output=OutputSpec("step", "perceptron"),
        training=TrainingSpec(
            optimizer=OptimizerSpec(name="sgd", learning_rate=1.0),
            batch_size=1,
            epochs=20,
            initializer="small_random",
        ),
    ),
    "design-v1-csv.json": Design(
        name="My measurements",
        dataset=DatasetSpec(
            name="csv",
            train_fraction=0.8,
            path="data/measurements.csv",
            label_column="species",
            feature_columns=("length", "width"),
            task="classification",
        ),
        features=("length", "width"),
        layers=(LayerSpec(6, "relu"),),
        training=TrainingSpec(optimizer=OptimizerSpec(name="adam", learning_rate=0.01), epochs=200),
    ),
    "design-v1-regression.json": Design(
        name="Sine",
        dataset=DatasetSpec(name="sine", noise=0.1, points=200, seed=3),
        features=("x1", "sin(x1)"),
        layers=(LayerSpec(16, "tanh"), LayerSpec(16, "tanh")),
        output=OutputSpec("linear", "mse"),
        training=TrainingSpec(
            optimizer=OptimizerSpec(name="momentum", learning_rate=0.05, momentum=0.9),
            schedule=ScheduleSpec(name="step", step_size=200, gamma=0.5),
            batch_size=20,
            epochs=600,
        ),
    ),
    "design-v2-points.json": Design(
        name="Painted clusters",
        description="Ten points painted by hand, two classes.",
        dataset=DatasetSpec(
            "points",
            train_fraction=0.6,
            painted=(
                (-3.1, -2.8, 0.0),
                (-2.5, -3.4, 0.0),
                (-3.6, -3.0, 0.0),
                (-2.9, -2.2, 0.0),
                (-3.3, -3.9, 0.0),
                (2.9, 3.2, 1.0),
                (3.4, 2.6, 1.0),
                (2.4, 3.1, 1.0),
                (3.0, 3.8, 1.0),
                (3.7, 3.3, 1.0),
            ),
        ),
        layers=(LayerSpec(3, "tanh"),),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", learning_rate=0.05)),
    ),
    "design-v2-points-regression.json": Design(
        dataset=DatasetSpec(
            "points",
            task="regression",
            painted=(
                (-4.0, -4.0, -1.5),
                (-2.0, 1.0, 0.25),
                (0.0, 0.0, 0.0),
                (3.0, -1.0, 0.75),
                (4.0, 4.0, 1.5),
            ),
        ),
        layers=(LayerSpec(6, "tanh"),),
    ),
}

FIXTURES = sorted(p.name for p in DATA.glob("design-v*.json"))


def doc(**changes):
    """A valid version 1 document of the default design, with top-level keys changed."""
    return {**design_to_dict(Design()), **changes}


def problems_of(document) -> list[str]:
    with pytest.raises(DesignFileError) as caught:
        design_from_dict(document)
    return caught.value.problems


# --- fixtures of every version ----------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_loads_as_expected(name):
    assert load_design(DATA / name) == EXPECTED[name]


def test_every_fixture_has_an_expectation_and_every_version_a_fixture():
    assert set(FIXTURES) == set(EXPECTED)
    versions = {int(re.match(r"design-v(\d+)-", name).group(1)) for name in FIXTURES}
    assert versions == set(range(1, CURRENT_VERSION + 1))


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("design", [Design(), FULL, *EXPECTED.values()], ids=repr)
def test_save_then_load_gives_an_equal_design(tmp_path, design):
    path = tmp_path / "design.json"
    save_design(design, path)
    assert load_design(path) == design


def test_the_file_is_readable_indented_json_with_format_first():
    text = dumps_design(FULL)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "nnviz-design",\n  "version": 2,\n  "name": ')
    assert '\n  "dataset": {\n    "name": "spiral",\n' in text
    assert '\n  "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"],\n' in text
    assert (
        '\n  "layers": [\n    {"units": 8, "activation": "relu", "dropout": 0.1},\n'
        '    {"units": 8, "activation": "leaky_relu", "dropout": 0.0},\n' in text
    )
    assert '\n    "optimizer": {\n      "name": "adamw",\n' in text
    assert all(len(line) <= 100 for line in text.splitlines() if '"description"' not in line)
    assert json.loads(text) == design_to_dict(FULL)


def test_design_to_dict_writes_every_field_as_plain_json():
    d = design_to_dict(FULL)
    assert list(d) == ["format", "version", *(f.name for f in fields(Design))]
    assert d["format"] == FORMAT and d["version"] == 2
    assert d["layers"][2] == {"units": 6, "activation": "elu", "dropout": 0.25}
    assert d["features"] == list(FULL.features)
    assert d["training"]["optimizer"]["name"] == "adamw"
    assert d["dataset"]["feature_columns"] is None


def test_unicode_names_survive(tmp_path):
    design = replace(Design(), name="Kreis → Spirale ✓", description="naïve «test»")
    save_design(design, tmp_path / "d.json")
    assert "Kreis → Spirale ✓" in (tmp_path / "d.json").read_text(encoding="utf-8")
    assert load_design(tmp_path / "d.json") == design


def test_loading_does_not_change_the_document():
    document = doc(layers=[{"units": 3}])
    before = json.dumps(document)
    design_from_dict(document)
    assert json.dumps(document) == before


# --- what a hand-written design may leave out or must get right -------------------------------


def test_absent_keys_take_the_defaults():
    design = design_from_dict(
        {"format": FORMAT, "version": 1, "training": {"optimizer": {"learning_rate": 0.1}}}
    )
    assert design == Design(training=TrainingSpec(optimizer=OptimizerSpec(learning_rate=0.1)))


def test_integers_are_accepted_for_numbers_and_read_as_floats():
    design = design_from_dict(doc(training={"optimizer": {"learning_rate": 2}, "l2": 0}))
    assert design.training.optimizer.learning_rate == 2.0
    assert isinstance(design.training.optimizer.learning_rate, float)
    assert isinstance(design.training.l2, float)


def test_limits_themselves_are_accepted():
    design = design_from_dict(
        doc(
            dataset={
                "name": "circle",
                "noise": 0.5,
                "points": POINTS_RANGE[0],
                "train_fraction": 0.9,
                "seed": 2**32 - 1,
                "classes": 6,
            },
            layers=[{"units": 4096, "dropout": 0.99}] * 32,
            training={
                "optimizer": {"learning_rate": 100, "momentum": 0, "epsilon": 1},
                "schedule": {"gamma": 1, "step_size": 1},
                "batch_size": 100_000,
                "epochs": 10_000_000,
                "patience": 1,
            },
        )
    )
    assert len(design.layers) == 32
    assert design.training.optimizer.learning_rate == 100.0


def test_features_of_other_data_sets_are_any_names():
    design = design_from_dict(doc(dataset={"name": "iris"}, features=["petal length", "x"]))
    assert design.features == ("petal length", "x")


def test_csv_settings_of_another_data_set_are_kept():
    # The editor may keep a CSV path while the user tries a built-in data set.
    design = design_from_dict(doc(dataset={"name": "xor", "path": "mine.csv"}))
    assert design.dataset.path == "mine.csv"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"layers": [{}, {}, {"activation": "relux"}]},
            "layers[2].activation: 'relux' is not one of linear, sigmoid, tanh, relu, "
            "leaky_relu, elu, gelu, silu, softplus (did you mean 'relu'?)",
        ),
        ({"layers": [{"units": 0}]}, "layers[0].units: 0 is out of range (1 to 4096)"),
        ({"layers": [{"units": 100_000}]}, "layers[0].units: 100000 is out of range (1 to 4096)"),
        (
            {"layers": [{"units": True}]},
            "layers[0].units: expected a whole number, got true (a boolean)",
        ),
        (
            {"layers": [{"units": 4.0}]},
            "layers[0].units: expected a whole number, got 4.0 (a number)",
        ),
        (
            {"layers": [{"units": "4"}]},
            "layers[0].units: expected a whole number, got '4' (a string)",
        ),
        (
            {"layers": [{"activation": "softmax"}]},
            "layers[0].activation: 'softmax' is not one of linear, sigmoid, tanh, relu, "
            "leaky_relu, elu, gelu, silu, softplus",
        ),
        (
            {"layers": [{"dropout": 1}]},
            "layers[0].dropout: 1 is out of range (at least 0 and below 1)",
        ),
        (
            {"layers": [{"dropout": -0.1}]},
            "layers[0].dropout: -0.1 is out of range (at least 0 and below 1)",
        ),
        (
            {"layers": [{"units": 4, "unitz": 3}]},
            "layers[0].unitz: unknown key; did you mean 'units'?",
        ),
        ({"layers": [{}] * 33}, "layers: 33 items; at most 32"),
        ({"layers": {"units": 4}}, "layers: expected a list, got an object"),
        ({"layers": ["4"]}, "layers[0]: expected an object {...}, got '4' (a string)"),
        ({"layer": []}, "layer: unknown key; did you mean 'layers'?"),
        (
            {"colour": "red"},
            "colour: unknown key (expected format, version, name, description, dataset, features, "
            "layers, output, training)",
        ),
        ({"name": 3}, "name: expected a string, got 3 (an integer)"),
        (
            {"name": 10**5000},
            "name: expected a string, got a number with thousands of digits (an integer)",
        ),
        ({"name": "n" * 101}, "name: too long (101 characters; at most 100)"),
        ({"description": None}, "description: expected a string, got null"),
        ({"dataset": "xor"}, "dataset: expected an object {...}, got 'xor' (a string)"),
        (
            {"dataset": {"name": "xorr"}},
            "dataset.name: 'xorr' is not one of "
            + ", ".join(DATASET_NAMES)
            + " (did you mean 'xor'?)",
        ),
        (
            {"dataset": {"noise": 0.6}},
            "dataset.noise: 0.6 is out of range (at least 0 and at most 0.5)",
        ),
        (
            {"dataset": {"points": POINTS_RANGE[0] - 1}},
            f"dataset.points: {POINTS_RANGE[0] - 1} is out of range "
            f"({POINTS_RANGE[0]} to {POINTS_RANGE[1]})",
        ),
        (
            {"dataset": {"train_fraction": 0.95}},
            "dataset.train_fraction: 0.95 is out of range (at least 0.1 and at most 0.9)",
        ),
        ({"dataset": {"classes": 7}}, "dataset.classes: 7 is out of range (3 to 6)"),
        (
            {"dataset": {"seed": 2**32}},
            "dataset.seed: 4294967296 is out of range (0 to 4294967295)",
        ),
        ({"dataset": {"seed": -1}}, "dataset.seed: -1 is out of range (0 to 4294967295)"),
        (
            {"dataset": {"task": "clustering"}},
            "dataset.task: 'clustering' is not one of classification, regression",
        ),
        ({"dataset": {"path": ""}}, "dataset.path: must not be empty"),
        (
            {"features": ["x1", "x3"]},
            "features[1]: 'x3' is not one of x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2) "
            "(the inputs of the 2D data set 'xor')",
        ),
        (
            {"features": []},
            "features: choose at least one of x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)",
        ),
        ({"features": ["x1", "x1"]}, "features[1]: 'x1' is listed twice"),
        ({"features": "x1"}, "features: expected a list of names, got 'x1' (a string)"),
        (
            {"output": {"activation": "relu6"}},
            "output.activation: 'relu6' is not one of auto, linear, sigmoid, tanh, relu, "
            "leaky_relu, elu, gelu, silu, softplus, softmax, step (did you mean 'relu'?)",
        ),
        (
            {"output": {"loss": "hinge"}},
            "output.loss: 'hinge' is not one of auto, mse, binary_cross_entropy, "
            "categorical_cross_entropy, perceptron",
        ),
        (
            {"output": {"activation": "step"}},
            "output.activation: a 'step' output (the perceptron) takes no hidden layers; "
            "remove the 2 hidden layer(s) or choose another output",
        ),
        (
            {"output": {"loss": "perceptron"}},
            "output.loss: 'perceptron' needs a 'step' output activation",
        ),
        (
            {"layers": [], "output": {"activation": "step", "loss": "mse"}},
            "output.loss: a 'step' output trains with 'perceptron', not 'mse'",
        ),
        (
            {"output": {"activation": "tanh", "loss": "categorical_cross_entropy"}},
            "output.loss: 'categorical_cross_entropy' needs a 'softmax' output, not 'tanh'",
        ),
        (
            {"output": {"activation": "softmax", "loss": "binary_cross_entropy"}},
            "output.loss: 'binary_cross_entropy' needs a 'sigmoid' output, not 'softmax'",
        ),
        (
            {"training": {"optimizer": {"learning_rate": 0}}},
            "training.optimizer.learning_rate: 0 is out of range (above 0 and at most 100)",
        ),
        (
            {"training": {"optimizer": {"learning_rate": -0.1}}},
            "training.optimizer.learning_rate: -0.1 is out of range (above 0 and at most 100)",
        ),
        (
            {"training": {"optimizer": {"learning_rate": 101}}},
            "training.optimizer.learning_rate: 101 is out of range (above 0 and at most 100)",
        ),
        (
            {"training": {"optimizer": {"learning_rate": float("nan")}}},
            "training.optimizer.learning_rate: expected a finite number, got nan",
        ),
        (
            {"training": {"optimizer": {"beta2": 1.0}}},
            "training.optimizer.beta2: 1.0 is out of range (at least 0 and below 1)",
        ),
        (
            {"training": {"optimizer": {"epsilon": 0}}},
            "training.optimizer.epsilon: 0 is out of range (above 0 and at most 1)",
        ),
        (
            {"training": {"optimizer": {"weight_decay": -1}}},
            "training.optimizer.weight_decay: -1 is out of range (at least 0)",
        ),
        (
            {"training": {"optimizer": {"name": "Adam"}}},
            "training.optimizer.name: 'Adam' is not one of sgd, momentum, nesterov, rmsprop, adam, "
            "adamw (did you mean 'adam'?)",
        ),
        (
            {"training": {"schedule": {"gamma": 0}}},
            "training.schedule.gamma: 0 is out of range (above 0 and at most 1)",
        ),
        (
            {"training": {"schedule": {"step_size": 0}}},
            "training.schedule.step_size: 0 is out of range (at least 1)",
        ),
        ({"training": {"l1": 10**400}}, "training.l1: 1" + "0" * 56 + "... is too large"),
        ({"training": {"l2": -0.5}}, "training.l2: -0.5 is out of range (at least 0)"),
        ({"training": {"batch_size": 0}}, "training.batch_size: 0 is out of range (1 to 100000)"),
        (
            {"training": {"epochs": 10_000_001}},
            "training.epochs: 10000001 is out of range (1 to 10000000)",
        ),
        ({"training": {"patience": 0}}, "training.patience: 0 is out of range (at least 1)"),
        (
            {"training": {"early_stopping": "yes"}},
            "training.early_stopping: expected true or false, got 'yes' (a string)",
        ),
        (
            {"training": {"early_stopping": 1}},
            "training.early_stopping: expected true or false, got 1 (an integer)",
        ),
        ({"training": {"engine": "jax"}}, "training.engine: 'jax' is not one of numpy, torch"),
        (
            {"training": {"device": "gpu"}},
            "training.device: 'gpu' is not one of auto, cpu, cuda (did you mean 'cpu'?)",
        ),
        (
            {"training": {"dtype": "float16"}},
            "training.dtype: 'float16' is not one of float32, float64 (did you mean 'float64'?)",
        ),
    ],
)
def test_a_bad_field_is_reported_with_its_path(changes, problem):
    assert problems_of(doc(**changes)) == [problem]


def test_every_problem_is_reported_at_once():
    problems = problems_of(
        doc(
            layers=[{"units": 0, "activation": "relux"}, {"dropout": 2}],
            dataset={"name": "csv", "noise": 0.9},
            training={"optimizer": {"learning_rate": -1}, "epochs": 0},
            extra=1,
        )
    )
    assert [p.split(":")[0] for p in problems] == [
        "dataset.noise",
        "dataset.path",
        "dataset.label_column",
        "layers[0].units",
        "layers[0].activation",
        "layers[1].dropout",
        "training.optimizer.learning_rate",
        "training.epochs",
        "extra",
    ]


def test_the_message_lists_every_problem():
    with pytest.raises(DesignFileError) as caught:
        design_from_dict(doc(layers=[{"units": 0}], training={"epochs": 0}))
    assert str(caught.value) == (
        "design: 2 problems\n"
        "  layers[0].units: 0 is out of range (1 to 4096)\n"
        "  training.epochs: 0 is out of range (1 to 10000000)"
    )
    assert isinstance(caught.value, ValueError)


def test_csv_needs_a_path_and_a_label_column():
    assert problems_of(doc(dataset={"name": "csv"})) == [
        "dataset.path: required when the data set is 'csv'",
        "dataset.label_column: required when the data set is 'csv'",
    ]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "document: expected a JSON object {...}, got a list"),
        (
            {"version": 1},
            "format: not an nnviz design (no format name; a design file says "
            '"format": "nnviz-design")',
        ),
        (
            {"format": "nnviz-session", "version": 1},
            "format: not an nnviz design (format 'nnviz-session'; a design file says "
            '"format": "nnviz-design")',
        ),
        ({"format": FORMAT}, "version: missing (this nnviz writes version 2)"),
        ({"format": FORMAT, "version": "1"}, "version: expected a whole number from 1, got '1'"),
        ({"format": FORMAT, "version": 0}, "version: expected a whole number from 1, got 0"),
        (
            {"format": FORMAT, "version": 3},
            "version: 3 was made by a newer nnviz (this one reads versions up to 2); "
            "update nnviz to open it",
        ),
    ],
)
def test_format_and_version_are_checked_first(document, problem):
    assert problems_of(document) == [problem]


def test_the_error_survives_pickling():
    error = DesignFileError(["a: b", "c: d"], "x.json")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == ["a: b", "c: d"] and copy.file == "x.json"
    assert str(copy) == str(error)


# --- reading files ----------------------------------------------------------------------------


def load_problem(path) -> str:
    with pytest.raises(DesignFileError) as caught:
        load_design(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert caught.value.file == str(path)
    (problem,) = caught.value.problems
    return problem


def test_a_missing_file(tmp_path):
    assert load_problem(tmp_path / "nope.json") == "file not found"


def test_a_folder(tmp_path):
    assert load_problem(tmp_path) == "is a folder, not a design file"


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "d.json"
    path.write_bytes(b'{"name": "\xff"}')
    assert load_problem(path) == "byte 10: not UTF-8 text; is this really a design file?"


def test_a_json_syntax_error_says_where(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{\n  "format": "nnviz-design",\n  "version": 1\n  "layers": []\n}\n')
    assert load_problem(path) == "line 4, column 3: not valid JSON: Expecting ',' delimiter"


def test_a_file_of_a_newer_nnviz(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({**doc(), "version": 7}))
    assert load_problem(path) == (
        "version: 7 was made by a newer nnviz (this one reads versions up to 2); "
        "update nnviz to open it"
    )


def test_another_kind_of_json_file(tmp_path):
    path = tmp_path / "package.json"
    path.write_text('{"name": "left-pad"}')
    assert load_problem(path).startswith("format: not an nnviz design (no format name")


def test_validation_problems_name_the_file(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc(layers=[{"units": 0}], training={"epochs": 0})))
    with pytest.raises(DesignFileError) as caught:
        load_design(path)
    assert str(caught.value).startswith(f"{path}: 2 problems\n  layers[0].units: 0 is out")


def test_a_byte_order_mark_is_accepted(tmp_path):
    # Windows Notepad saves UTF-8 with a byte order mark.
    path = tmp_path / "d.json"
    path.write_bytes(b"\xef\xbb\xbf" + dumps_design(FULL).encode())
    assert load_design(path) == FULL


# --- migrations -------------------------------------------------------------------------------


def _hidden_to_layers(document: dict) -> dict:
    """A pretend change of format: version 1 called the hidden layers "hidden"."""
    document["layers"] = document.pop("hidden")
    return document


@pytest.fixture
def pretend_version_2(monkeypatch):
    monkeypatch.setattr(design_file, "CURRENT_VERSION", 2)
    monkeypatch.setattr(design_file, "MIGRATIONS", {1: _hidden_to_layers})


def test_an_older_document_is_migrated_before_it_is_checked(pretend_version_2):
    old = {"format": FORMAT, "version": 1, "hidden": [{"units": 3}]}
    assert design_from_dict(old) == Design(layers=(LayerSpec(3),))
    assert old == {"format": FORMAT, "version": 1, "hidden": [{"units": 3}]}


def test_a_current_document_is_not_migrated(pretend_version_2):
    current = {"format": FORMAT, "version": 2, "layers": [{"units": 5}]}
    assert design_from_dict(current) == Design(layers=(LayerSpec(5),))


def test_a_saved_design_has_the_current_version(pretend_version_2, tmp_path):
    save_design(FULL, tmp_path / "d.json")
    assert json.loads((tmp_path / "d.json").read_text())["version"] == 2
    assert load_design(tmp_path / "d.json") == FULL


def test_a_migration_that_cannot_apply_is_a_design_error(pretend_version_2):
    assert problems_of({"format": FORMAT, "version": 1}) == [
        "version: cannot upgrade from version 1: KeyError: 'hidden'"
    ]


def test_the_migrated_document_is_checked(pretend_version_2):
    old = {"format": FORMAT, "version": 1, "hidden": [{"units": 0}]}
    assert problems_of(old) == ["layers[0].units: 0 is out of range (1 to 4096)"]


def test_migrations_cover_every_older_version():
    assert set(design_file.MIGRATIONS) == set(range(1, CURRENT_VERSION))


# --- atomic saves -----------------------------------------------------------------------------


def test_save_replaces_the_file(tmp_path):
    path = tmp_path / "d.json"
    save_design(Design(), path)
    save_design(FULL, path)
    assert load_design(path) == FULL
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "d.json"
    save_design(Design(), path)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save_design(FULL, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "d.bin"
    atomic_write_bytes(path, b"old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["d.bin"]


def test_an_invalid_design_is_not_saved(tmp_path):
    path = tmp_path / "d.json"
    save_design(Design(), path)
    before = path.read_bytes()
    with pytest.raises(DesignFileError, match="layers"):
        save_design(replace(Design(), layers=(LayerSpec(0),)), path)
    assert path.read_bytes() == before


def test_atomic_write_text_is_utf8(tmp_path):
    atomic_write_text(tmp_path / "t.txt", "x² ✓")
    assert (tmp_path / "t.txt").read_bytes() == "x² ✓".encode()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "old.json"
    old.write_text("{}")
    old.chmod(0o640)
    atomic_write_text(old, "[]")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640

    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.json", "[]")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


# --- the documentation ------------------------------------------------------------------------


def test_the_documented_example_loads():
    text = DOC.read_text(encoding="utf-8")
    examples = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    assert examples, "docs/design-format.md shows no JSON example"
    for example in examples:
        assert isinstance(design_from_dict(json.loads(example)), Design)


def test_every_key_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for cls in (
        Design,
        DatasetSpec,
        LayerSpec,
        OutputSpec,
        TrainingSpec,
        OptimizerSpec,
        ScheduleSpec,
    ):
        for f in fields(cls):
            assert f"`{f.name}`" in text, f"{cls.__name__}.{f.name} is not documented"


# --- painted points (version 2) ---------------------------------------------------------------


def test_painted_points_save_and_reload_exactly(tmp_path):
    rows = tuple((round(0.37 * k - 5, 3), round(5 - 0.29 * k, 3), float(k % 3)) for k in range(30))
    design = Design(dataset=DatasetSpec("points", painted=rows, train_fraction=0.7, seed=4))
    save_design(design, tmp_path / "painted.json")
    assert load_design(tmp_path / "painted.json") == design
    assert json.loads((tmp_path / "painted.json").read_text())["dataset"]["painted"][1] == [
        -4.63,
        4.71,
        1.0,
    ]


def test_a_design_without_painted_points_writes_none():
    assert "painted" not in design_to_dict(Design())["dataset"]


def test_painted_points_with_mistakes_are_named():
    bad = doc(dataset={"name": "points", "painted": [[0, 0, 0], [1, 2, 1.5], [0, 1], "x"]})
    assert problems_of(bad) == [
        "dataset.painted[2]: expected [x1, x2, label], got [0, 1]",
        "dataset.painted[3]: expected [x1, x2, label], got 'x'",
    ]
    labels = doc(dataset={"name": "points", "painted": [[0, 0, 0], [1, 2, 1.5], [3, 3, 12]]})
    assert problems_of(labels) == [
        "dataset.painted[1][2]: 1.5 is not a class (a whole number from 0 to 9; or set task to "
        "'regression' for values)",
        "dataset.painted[2][2]: 12.0 is not a class (a whole number from 0 to 9; or set task to "
        "'regression' for values)",
    ]
    regression = doc(dataset={"name": "points", "task": "regression", "painted": [[0, 0, 1.5]]})
    assert design_from_dict(regression).dataset.painted == ((0.0, 0.0, 1.5),)


def test_a_version_1_file_reads_as_version_2_without_painted_points():
    assert design_file.MIGRATIONS[1]({"format": FORMAT, "version": 1}) == {
        "format": FORMAT,
        "version": 1,
    }
    assert load_design(DATA / "design-v1-full.json").dataset.painted == ()
