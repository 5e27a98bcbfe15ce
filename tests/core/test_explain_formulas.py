"""The written-out calculations: the right numbers, rounded, short for wide layers."""

import re

import numpy as np
import pytest

from nnviz.core.design import HIDDEN_ACTIVATIONS, OPTIMIZERS, OptimizerSpec
from nnviz.core.explain.formulas import edge_forward_lines, forward_lines
from nnviz.core.explain.numbers import number, products
from nnviz.core.explain.stages import (
    BACKWARD,
    FORWARD,
    LOSS,
    UPDATE,
    edge_lines,
    neuron_lines,
    stage_lines,
    stages,
)
from nnviz.core.explain.trace import dropout_factors, trace_sample
from nnviz.core.nn.network import NetworkSpec


def final_number(line: str) -> str:
    """The value a line ends with: what follows its last ``=``."""
    return line.rsplit("= ", 1)[1].split(" ")[0]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.42, "0.42"),
        (-1.3, "−1.3"),
        (0.2139, "0.214"),
        (1.0, "1"),
        (0.0, "0"),
        (1234.4, "1234"),
        (12345.0, "1.23e4"),
        (-3.3e-4, "−3.3e−4"),
        (999.7, "1000"),
    ],
)
def test_numbers_are_rounded_for_reading(value, text):
    assert number(value) == text


def test_the_issues_example_neuron():
    spec = NetworkSpec((2, 1, 1), ("tanh", "linear"), (0.0, 0.0), "mse")
    params = [(np.array([[0.42, -1.30]]), np.array([0.05])), (np.ones((1, 1)), np.zeros(1))]
    trace = trace_sample(spec, params, np.array([0.70, 0.10]), np.array([0.0]), OptimizerSpec())
    assert forward_lines(trace, 0, 0) == [
        "z = 0.42·0.7 + (−1.3)·0.1 + 0.05 = 0.214",
        "a = tanh(z) = tanh(0.214) = 0.211",
    ]
    assert edge_forward_lines(trace, 0, 0, 1)[0] == "w·a = (−1.3)·0.1 = −0.13"


def test_wide_layers_show_the_largest_terms_and_how_many_are_left_out():
    rng = np.random.default_rng(0)
    w, a = rng.normal(size=784) * 0.01, rng.random(784)
    w[[5, 700]] = [3.0, -2.0]
    text = products(w, a)
    assert text.count("·") == 6 and "[778 more: " in text
    assert f"3·{number(a[5])}" in text and f"(−2)·{number(a[700])}" in text
    shown = float(text.split("[778 more: ")[1].rstrip("]").replace("−", "-"))
    largest = np.sort(np.argsort(-np.abs(w * a))[:6])
    assert shown == pytest.approx(float((w * a).sum() - (w * a)[largest].sum()), rel=5e-3)


def random_trace(hidden, optimizer="sgd", *, dropout=0.0, seed=0):
    rng = np.random.default_rng(seed)
    spec = NetworkSpec(
        (3, 4, 3, 3),
        (hidden, hidden, "softmax"),
        (dropout, dropout, 0.0),
        "categorical_cross_entropy",
    )
    params = [
        (rng.normal(size=(o, i)), rng.normal(size=o))
        for i, o in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
    ]
    keep = dropout_factors(spec, rng) if dropout else None
    return trace_sample(
        spec,
        params,
        rng.normal(size=3),
        np.eye(3)[1],
        OptimizerSpec(name=optimizer),
        l1=0.01,
        l2=0.02,
        keep=keep,
    )


def test_stages_run_forward_loss_backward_update():
    trace = random_trace("tanh")
    assert [(s.kind, s.column) for s in stages(trace)] == [
        (FORWARD, 1),
        (FORWARD, 2),
        (FORWARD, 3),
        (LOSS, None),
        (BACKWARD, 3),
        (BACKWARD, 2),
        (BACKWARD, 1),
        (UPDATE, None),
    ]


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_every_neuron_ends_with_its_own_value(hidden):
    trace = random_trace(hidden, seed=len(hidden))
    for stage in stages(trace):
        for column in (1, 2, 3):
            layer = trace.layers[column - 1]
            for unit in range(len(layer.z)):
                lines = neuron_lines(trace, stage, column, unit)
                if stage.kind == FORWARD and stage.column < column:
                    assert lines[0].startswith("not computed yet")
                elif stage.kind == UPDATE:
                    new_bias = trace.update.params[column - 1][1][unit]
                    assert final_number(lines[-1]) == number(new_bias)
                elif stage.kind == BACKWARD and stage.column <= column:
                    delta_line = next(line for line in lines if line.startswith("δ = "))
                    assert final_number(delta_line) == number(layer.delta[unit])
                else:
                    assert final_number(lines[0]) == number(layer.z[unit])
                    assert final_number(lines[1]) == number(layer.a[unit])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_update_line_ends_with_the_new_weight(optimizer):
    trace = random_trace("relu", optimizer, seed=3)
    update = stages(trace)[-1]
    assert stage_lines(trace, update)[0].startswith("Update: ")
    for column, (w, _) in enumerate(trace.update.params, start=1):
        for unit, source in np.ndindex(w.shape):
            lines = edge_lines(trace, update, column, unit, source)
            assert final_number(lines[-1]) == number(w[unit, source])
    text = " ".join(edge_lines(trace, update, 1, 0, 0))
    expected_symbols = {
        "sgd": ["η·∂L/∂w"],
        "momentum": ["v = μ·v + g"],
        "nesterov": ["η·(g + μ·v)"],
        "rmsprop": ["s = ρ·s"],
        "adam": ["m̂", "v̂"],
        "adamw": ["(1 − η·λ)", "m̂"],
    }[optimizer]
    assert all(symbol in text for symbol in expected_symbols)


def test_edge_gradients_include_the_penalty():
    trace = random_trace("tanh", seed=4)
    line = edge_lines(trace, stages(trace)[-2], 1, 2, 1)[0]
    assert "λ₂·w" in line and "λ₁·sign(w)" in line
    assert final_number(line) == number(trace.layers[0].grad_weight[2, 1])


def test_dropped_units_say_so():
    trace = random_trace("tanh", dropout=0.5, seed=2)
    assert trace.layers[0].keep.tolist() == [0, 2, 0, 2]
    dropped = neuron_lines(trace, stages(trace)[0], 1, 0)
    assert dropped[-1].startswith("dropped by dropout")
    kept = neuron_lines(trace, stages(trace)[0], 1, 1)
    assert kept[-1] == f"kept by dropout, scaled by 2: passes {number(2 * trace.layers[0].a[1])} on"


def test_loss_stage_shows_the_target_class():
    trace = random_trace("tanh")
    lines = stage_lines(trace, stages(trace)[3])
    assert lines[0] == f"Loss: categorical cross-entropy = {number(trace.loss)}"
    assert any(re.search(r"−ln a\[1\]", line) for line in lines)


def test_perceptron_stages_skip_backward_and_use_rosenblatt():
    spec = NetworkSpec((2, 1), ("step",), (0.0,), "perceptron")
    params = [(np.array([[0.5, -1.0]]), np.array([0.1]))]
    trace = trace_sample(
        spec, params, np.array([0.2, 0.8]), np.array([1.0]), OptimizerSpec(), learning_rate=0.5
    )
    assert [s.kind for s in stages(trace)] == [FORWARD, LOSS, UPDATE]
    assert "error = t − y = 1 − 0 = 1" in stage_lines(trace, stages(trace)[1])
    update = edge_lines(trace, stages(trace)[2], 1, 0, 1)
    assert update[-1] == "w ← w + η·error·x = −1 + 0.5·1·0.8 = −0.6"
