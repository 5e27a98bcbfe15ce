"""The design schema: each field declared once, looked up, read and changed by its path."""

import json
from dataclasses import fields

import pytest

from nnviz.core import schema
from nnviz.core.design import (
    HIDDEN_ACTIVATIONS,
    LOSS_NEEDS_OUTPUT,
    OPTIMIZERS,
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    ScheduleSpec,
    TrainingSpec,
    output_mismatch,
)
from nnviz.core.nn.network import DesignMismatch, resolve_network
from nnviz.core.schema import InvalidDesign, UnknownPath, field, paths, value_at, with_value
from nnviz.core.schema.fields import Choice, Number, Section, Whole

# --- every field once -------------------------------------------------------------------------


def test_every_dataclass_field_has_one_declaration_with_help():
    leaves = {
        LayerSpec: "layers[].",
        OutputSpec: "output.",
        DatasetSpec: "dataset.",
        OptimizerSpec: "training.optimizer.",
        ScheduleSpec: "training.schedule.",
    }
    for cls, prefix in leaves.items():
        for f in fields(cls):
            assert prefix + f.name in paths(), f"{cls.__name__}.{f.name}"
    assert len(paths()) == len(set(paths())) == 43
    for path in paths():
        assert len(field(path).help) > 20, path


def test_a_section_must_declare_exactly_its_dataclass_fields():
    with pytest.raises(TypeError, match="LayerSpec"):
        Section(LayerSpec, {"units": Whole(1)})


def test_defaults_come_from_the_dataclasses():
    assert field("training.optimizer.learning_rate").default == OptimizerSpec().learning_rate
    assert field("layers[0].units").default == LayerSpec().units
    assert field("features").default == Design().features


# --- looking fields up ------------------------------------------------------------------------


def test_a_field_tells_its_kind_bounds_choices_and_help():
    rate = field("training.optimizer.learning_rate")
    assert rate.kind == "number"
    assert (rate.rule.low, rate.rule.high, rate.rule.open_low, rate.rule.open_high) == (
        0,
        100,
        True,
        False,
    )
    assert "η" in rate.help
    dropout = field("layers[3].dropout")
    assert dropout.path == "layers[3].dropout"
    assert isinstance(dropout.rule, Number) and dropout.rule.open_high
    assert not dropout.rule.admits(1.0) and dropout.rule.admits(0.95)
    name = field("training.optimizer.name")
    assert isinstance(name.rule, Choice) and name.rule.options == OPTIMIZERS
    assert field("layers[0].activation").rule.options == HIDDEN_ACTIVATIONS
    assert field("dataset.seed").rule.high == 2**32 - 1
    assert field("dataset.noise").kind == "number" and field("dataset.noise").rule.high == 0.5
    assert field("training.early_stopping").kind == "flag"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "training.optimizer.learing_rate",
            "'training.optimizer.learing_rate': no such field; "
            "did you mean 'training.optimizer.learning_rate'?",
        ),
        ("layer[0].units", "'layer[0].units': no such field; did you mean 'layers[0].units'?"),
        ("dataset.nois", "'dataset.nois': no such field; did you mean 'dataset.noise'?"),
        ("colour", "'colour': no such field"),
        (
            "training.schedule",
            "'training.schedule' is a section, not a field "
            "(its fields: name, step_size, gamma, min_learning_rate)",
        ),
        ("layers..units", "'layers..units' is not a field path (like 'layers[0].units')"),
    ],
)
def test_a_wrong_path_says_what_was_meant(path, message):
    with pytest.raises(UnknownPath) as caught:
        field(path)
    assert str(caught.value) == message


def test_paths_of_a_design_number_its_layers_in_file_order():
    design = Design(layers=(LayerSpec(3), LayerSpec(5)))
    listed = paths(design)
    assert listed[:2] == ("name", "description")
    layer_paths = [p for p in listed if p.startswith("layers")]
    assert layer_paths == [
        "layers[0].units",
        "layers[0].activation",
        "layers[0].dropout",
        "layers[1].units",
        "layers[1].activation",
        "layers[1].dropout",
    ]
    assert listed[-1] == "training.dtype"
    assert not any("[" in p for p in paths(Design(layers=())))


# --- reading and setting by path --------------------------------------------------------------


def test_value_at_reads_every_path():
    design = Design(layers=(LayerSpec(7, "relu"),))
    assert value_at(design, "layers[0].units") == 7
    assert value_at(design, "training.optimizer.learning_rate") == 0.03
    assert value_at(design, "dataset.noise") == 0.0
    for path in paths(design):
        value_at(design, path)
    with pytest.raises(UnknownPath, match="1 hidden layer"):
        value_at(design, "layers[1].units")


def test_with_value_returns_a_new_checked_design():
    design = Design()
    changed = with_value(design, "training.optimizer.learning_rate", 0.3)
    assert changed.training.optimizer.learning_rate == 0.3
    assert design.training.optimizer.learning_rate == 0.03
    assert with_value(design, "layers[1].units", 9).layers[1] == LayerSpec(9)
    assert with_value(design, "features", ("x1",)).features == ("x1",)
    assert with_value(design, "dataset.noise", 0) == Design(dataset=DatasetSpec(noise=0.0))


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (
            "training.optimizer.learning_rate",
            0,
            "training.optimizer.learning_rate: 0 is out of range (above 0 and at most 100)",
        ),
        ("layers[0].dropout", 1, "layers[0].dropout: 1 is out of range (at least 0 and below 1)"),
        (
            "layers[0].activation",
            "relux",
            "layers[0].activation: 'relux' is not one of linear, sigmoid, tanh, relu, "
            "leaky_relu, elu, gelu, silu, softplus (did you mean 'relu'?)",
        ),
        (
            "output.activation",
            "step",
            "output.activation: a 'step' output (the perceptron) takes no hidden layers; "
            "remove the 2 hidden layer(s) or choose another output",
        ),
        ("dataset.name", "csv", "dataset.path: required when the data set is 'csv'"),
    ],
)
def test_with_value_refuses_with_the_design_files_messages(path, value, problem):
    with pytest.raises(InvalidDesign) as caught:
        with_value(Design(), path, value)
    assert caught.value.problems[0] == problem


def test_with_value_of_a_wrong_path():
    with pytest.raises(UnknownPath, match=r"did you mean 'dataset\.points'"):
        with_value(Design(), "dataset.point", 3)


# --- the output rules, stated once ------------------------------------------------------------


@pytest.mark.parametrize(
    ("activation", "loss", "problem"),
    [
        ("step", "mse", "a 'step' output trains with 'perceptron', not 'mse'"),
        ("sigmoid", "perceptron", "'perceptron' needs a 'step' output activation"),
        (
            "tanh",
            "categorical_cross_entropy",
            "'categorical_cross_entropy' needs a 'softmax' output, not 'tanh'",
        ),
        (
            "softmax",
            "binary_cross_entropy",
            "'binary_cross_entropy' needs a 'sigmoid' output, not 'softmax'",
        ),
        ("step", "perceptron", None),
        ("sigmoid", "binary_cross_entropy", None),
        ("auto", "categorical_cross_entropy", None),
        ("tanh", "mse", None),
    ],
)
def test_the_design_file_and_the_network_refuse_the_same_pairs(activation, loss, problem):
    assert output_mismatch(activation, loss) == problem
    design = Design(layers=(), output=OutputSpec(activation, loss))
    n_classes = 3 if LOSS_NEEDS_OUTPUT.get(loss) == "softmax" else 2
    if problem is None:
        resolve_network(design, 2, "classification", n_classes)
    else:
        with pytest.raises(DesignMismatch, match=problem.replace("(", r"\(").replace(")", r"\)")):
            resolve_network(design, 2, "classification", n_classes)


def test_the_schema_is_plain_json_and_every_path_is_described():
    document = schema.json_schema("nnviz-design", 1)
    json.dumps(document)
    rate = document["properties"]["training"]["properties"]["optimizer"]["properties"]
    assert rate["learning_rate"] == {
        "description": field("training.optimizer.learning_rate").help,
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 100,
        "default": 0.03,
    }
    dropout = document["properties"]["layers"]["items"]["properties"]["dropout"]
    assert dropout["exclusiveMaximum"] == 1 and dropout["minimum"] == 0
    assert (
        TrainingSpec().patience
        == document["properties"]["training"]["properties"]["patience"]["default"]
    )
    assert document["required"] == ["format", "version"]
