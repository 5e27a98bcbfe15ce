"""The perceptron: a step output trained by Rosenblatt's rule, sample by sample."""

import numpy as np
import pytest

from nnviz.core.design import OptimizerSpec
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.numpy_engine import NumpyEngine

SPEC = NetworkSpec((2, 1), ("step",), (0.0,), "perceptron")
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "and": np.array([[0.0], [0.0], [0.0], [1.0]]),
    "or": np.array([[0.0], [1.0], [1.0], [1.0]]),
    "xor": np.array([[0.0], [1.0], [1.0], [0.0]]),
}


def perceptron(dtype="float32"):
    params = [(np.zeros((1, 2)), np.zeros(1))]
    return NumpyEngine(SPEC, params, OptimizerSpec(name="adam"), dtype=dtype)


def accuracy(engine, t):
    return float(np.mean(engine.predict(CORNERS) == t))


@pytest.mark.parametrize("gate", ["and", "or"])
def test_converges_on_linearly_separable_gates(gate):
    engine = perceptron()
    t = GATES[gate]
    mistakes = [engine.train_batch(CORNERS, t, 0.1) for _ in range(30)]
    assert mistakes[0] > 0
    assert mistakes[-1] == 0.0
    assert accuracy(engine, t) == 1.0
    # Once every sample is right the rule never moves the weights again.
    settled = engine.get_params()
    engine.train_batch(CORNERS, t, 0.1)
    np.testing.assert_array_equal(engine.get_params()[0][0], settled[0][0])


def test_never_solves_xor():
    engine = perceptron()
    t = GATES["xor"]
    for _ in range(200):
        assert engine.train_batch(CORNERS, t, 0.1) > 0
        assert accuracy(engine, t) <= 0.75


def test_rule_updates_sample_by_sample_in_order():
    engine = perceptron(dtype="float64")
    # Sample 1 (target 1, predicted 0) moves w to (0, 0.5), b to 0.5; sample 2 (target 0) is
    # now predicted 1 and moves them back by (0.5, 0) and 0.5.
    x = np.array([[0.0, 1.0], [1.0, 0.0]])
    t = np.array([[1.0], [0.0]])
    assert engine.train_batch(x, t, 0.5) == 1.0
    ((w, b),) = engine.get_params()
    np.testing.assert_allclose(w, [[-0.5, 0.5]])
    np.testing.assert_allclose(b, [0.0])


def test_loss_is_the_share_misclassified():
    engine = perceptron()
    engine.set_params([(np.array([[1.0, 1.0]]), np.array([-1.5]))])  # exactly AND
    assert engine.loss(CORNERS, GATES["and"]) == 0.0
    assert engine.loss(CORNERS, GATES["xor"]) == 0.75


def test_gradients_are_the_perceptron_criterion():
    """``gradients`` gives dLoss/dW of ``mean(-(t - y) z)``: SGD with it is the batch rule."""
    engine = perceptron(dtype="float64")
    engine.set_params([(np.array([[1.0, 1.0]]), np.array([-0.5]))])  # OR, predicts 1 for (0,1)
    loss, [(dw, db)] = engine.gradients(CORNERS, GATES["and"])
    assert loss == 0.5  # (0, 1) and (1, 0) are wrong
    np.testing.assert_allclose(dw, [[0.25, 0.25]])
    np.testing.assert_allclose(db, [0.5])


def test_a_step_output_after_hidden_layers_is_refused():
    spec = NetworkSpec((2, 3, 1), ("tanh", "step"), (0.0, 0.0), "perceptron")
    params = [(np.zeros((3, 2)), np.zeros(3)), (np.zeros((1, 3)), np.zeros(1))]
    with pytest.raises(ValueError, match="remove the hidden layers"):
        NumpyEngine(spec, params, OptimizerSpec())
