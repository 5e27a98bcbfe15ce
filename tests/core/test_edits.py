"""Design edits as pure functions: each returns a new design and leaves the old one alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nnviz.core import edits
from nnviz.core.design import FEATURES_2D, MAX_LAYERS, MAX_UNITS, Design, LayerSpec, OutputSpec
from nnviz.core.edits import EditRefused

IRIS_COLUMNS = ("sepal length", "sepal width", "petal length", "petal width")


def test_add_layer_copies_the_last_one_and_turns_a_perceptron_into_a_network():
    design = Design(layers=(LayerSpec(3, "relu", 0.1),))
    assert edits.add_layer(design).layers == (LayerSpec(3, "relu", 0.1),) * 2
    assert design.layers == (LayerSpec(3, "relu", 0.1),)  # unchanged
    perceptron = edits.make_perceptron(Design())
    grown = edits.add_layer(perceptron)
    assert grown.layers == (LayerSpec(4, "tanh"),)
    assert grown.output == OutputSpec()


def test_layers_are_limited_and_removed_by_index():
    full = Design(layers=(LayerSpec(2),) * MAX_LAYERS)
    with pytest.raises(EditRefused, match=f"at most {MAX_LAYERS} hidden layers"):
        edits.add_layer(full)
    design = Design(layers=(LayerSpec(1), LayerSpec(2), LayerSpec(3)))
    assert edits.remove_layer(design).layers == (LayerSpec(1), LayerSpec(2))
    assert edits.remove_layer(design, 0).layers == (LayerSpec(2), LayerSpec(3))
    assert edits.remove_layer(Design(layers=())) == Design(layers=())
    with pytest.raises(EditRefused, match="no hidden layer 4"):
        edits.remove_layer(design, 3)


def test_neurons_are_added_and_removed_within_limits():
    design = Design(layers=(LayerSpec(1), LayerSpec(MAX_UNITS)))
    assert edits.add_unit(design, 0).layers[0].units == 2
    assert edits.remove_unit(edits.add_unit(design, 0), 0) == design
    with pytest.raises(EditRefused, match="at least one neuron"):
        edits.remove_unit(design, 0)
    with pytest.raises(EditRefused, match=f"at most {MAX_UNITS} neurons"):
        edits.add_unit(design, 1)
    with pytest.raises(EditRefused, match="no hidden layer 3"):
        edits.add_unit(design, 2)


def test_set_layer_and_output_change_only_what_they_name():
    design = Design()
    relu = edits.set_layer(design, 1, activation="relu", dropout=0.2)
    assert relu.layers == (design.layers[0], LayerSpec(2, "relu", 0.2))
    with pytest.raises(EditRefused, match="1 to"):
        edits.set_layer(design, 0, units=0)
    output = edits.set_output(design, loss="mse")
    assert output.output == OutputSpec("auto", "mse") and output.layers == design.layers


def test_inputs_toggle_in_the_order_the_data_offers():
    design = Design(features=("x1", "x2"))
    on = edits.toggle_input(design, "x1*x2", FEATURES_2D)
    assert on.features == ("x1", "x2", "x1*x2")
    first = edits.toggle_input(replace(design, features=("x2",)), "x1", FEATURES_2D)
    assert first.features == ("x1", "x2")  # x1 comes before x2, as offered
    assert edits.toggle_input(on, "x2", FEATURES_2D).features == ("x1", "x1*x2")
    with pytest.raises(EditRefused, match="at least one input"):
        edits.toggle_input(replace(design, features=("x1",)), "x1", FEATURES_2D)


def test_wide_data_writes_every_column_as_no_choice():
    design = Design(features=())
    off = edits.toggle_input(design, "sepal width", IRIS_COLUMNS, every_column_by_default=True)
    assert off.features == ("sepal length", "petal length", "petal width")
    back = edits.toggle_input(off, "sepal width", IRIS_COLUMNS, every_column_by_default=True)
    assert back.features == ()
    assert edits.inputs(back, IRIS_COLUMNS) == IRIS_COLUMNS


def test_inputs_the_design_names_but_the_data_lacks_are_still_offered():
    design = Design(features=("x1", "extra"))
    assert edits.offered_inputs(design, ("x1", "x2")) == ("x1", "x2", "extra")
    assert edits.offered_inputs(design, ()) == ("x1", "extra")


def test_a_new_data_set_brings_its_default_inputs_when_the_old_ones_do_not_fit():
    design = Design(features=("x1", "x1*x2"))
    assert edits.fit_inputs_to_data(design, FEATURES_2D, ("x1", "x2")) == design
    iris = edits.fit_inputs_to_data(design, IRIS_COLUMNS, ())
    assert iris.features == ()  # wide data: every column
    back = edits.fit_inputs_to_data(iris, FEATURES_2D, ("x1", "x2"))
    assert back.features == ("x1", "x2")
    assert edits.fit_inputs_to_data(design, (), ()) == design  # unreadable data: kept


def test_perceptron_and_back():
    design = Design(layers=(LayerSpec(5, "relu"),))
    perceptron = edits.make_perceptron(design)
    assert edits.is_perceptron(perceptron) and not edits.is_perceptron(design)
    assert perceptron.output == OutputSpec("step", "auto")
    assert edits.back_to_network(perceptron, design.layers) == design
    assert edits.back_to_network(perceptron).layers == Design().layers
    assert not edits.is_perceptron(Design(layers=()))  # no hidden layer is not enough
