"""Backprop against finite differences (float64) and against torch autograd."""

import numpy as np
import pytest
from torch_reference import torch_function

from nnviz.core.design import HIDDEN_ACTIVATIONS, OptimizerSpec
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.numpy_engine import NumpyEngine

# Every output activation with the loss it can train with (the pairs resolve_network allows).
OUTPUT_PAIRS = [
    *((name, "mse") for name in HIDDEN_ACTIVATIONS),
    ("softmax", "mse"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "categorical_cross_entropy"),
]


def make_problem(hidden, output, loss, *, dropout=0.0, seed=0):
    """A 3-4-3-k network with random float64 weights, inputs and fitting targets."""
    rng = np.random.default_rng(seed)
    n_out = 3 if output == "softmax" else 1
    spec = NetworkSpec((3, 4, 3, n_out), (hidden, hidden, output), (dropout, dropout, 0.0), loss)
    params = [
        (rng.normal(size=(o, i)), rng.normal(scale=0.5, size=o))
        for i, o in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
    ]
    x = rng.normal(size=(6, 3))
    if loss == "categorical_cross_entropy":
        t = np.eye(n_out)[rng.integers(0, n_out, 6)]
    elif loss == "binary_cross_entropy":
        t = (rng.random((6, 1)) > 0.5).astype(float)
    else:
        t = rng.normal(size=(6, n_out))
    return spec, params, x, t


def engine(spec, params, *, l1=0.0, l2=0.0, seed=0):
    return NumpyEngine(spec, params, OptimizerSpec(), l1=l1, l2=l2, dtype="float64", seed=seed)


def finite_difference_gradients(objective, params, h=1e-6):
    """Central differences of ``objective(params)`` for every weight and bias."""
    grads = []
    for k, (w, b) in enumerate(params):
        layer = []
        for array_index, array in enumerate((w, b)):
            grad = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                values = []
                for step in (h, -h):
                    moved = [(wi.copy(), bi.copy()) for wi, bi in params]
                    moved[k][array_index][index] += step
                    values.append(objective(moved))
                grad[index] = (values[0] - values[1]) / (2 * h)
            layer.append(grad)
        grads.append(tuple(layer))
    return grads


def assert_gradients_close(actual, expected, rtol=1e-5, atol=1e-7):
    for (dw, db), (ew, eb) in zip(actual, expected, strict=True):
        np.testing.assert_allclose(dw, ew, rtol=rtol, atol=atol)
        np.testing.assert_allclose(db, eb, rtol=rtol, atol=atol)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS)
def test_gradients_match_finite_differences(hidden, output, loss):
    spec, params, x, t = make_problem(hidden, output, loss)
    loss_value, grads = engine(spec, params).gradients(x, t)
    assert loss_value == pytest.approx(engine(spec, params).loss(x, t), rel=1e-12)
    numeric = finite_difference_gradients(lambda p: engine(spec, p).loss(x, t), params)
    assert_gradients_close(grads, numeric)


@pytest.mark.parametrize(("l1", "l2"), [(0.03, 0.0), (0.0, 0.2), (0.01, 0.05)])
def test_penalty_gradients_match_finite_differences(l1, l2):
    spec, params, x, t = make_problem("tanh", "sigmoid", "binary_cross_entropy")

    def objective(p):
        weights = [w for w, _ in p]
        penalty = l1 * sum(np.abs(w).sum() for w in weights)
        penalty += l2 / 2 * sum((w * w).sum() for w in weights)
        return engine(spec, p).loss(x, t) + penalty

    loss_value, grads = engine(spec, params, l1=l1, l2=l2).gradients(x, t)
    assert loss_value == pytest.approx(engine(spec, params).loss(x, t), rel=1e-12)  # data loss only
    assert_gradients_close(grads, finite_difference_gradients(objective, params))


def test_dropout_gradients_match_finite_differences_with_the_same_mask():
    """A fresh engine with the same seed draws the same masks, so the training-mode loss is a
    fixed function of the weights whose gradient backprop must give."""
    spec, params, x, t = make_problem("relu", "linear", "mse", dropout=0.5)
    loss_value, grads = engine(spec, params, seed=11).gradients(x, t)
    assert loss_value != pytest.approx(engine(spec, params).loss(x, t))  # dropout was on
    numeric = finite_difference_gradients(
        lambda p: engine(spec, p, seed=11).gradients(x, t)[0], params
    )
    assert_gradients_close(grads, numeric)


def test_gradients_do_not_change_the_weights():
    spec, params, x, t = make_problem("tanh", "sigmoid", "binary_cross_entropy")
    eng = engine(spec, params, l2=0.1)
    eng.gradients(x, t)
    for (w, b), (w0, b0) in zip(eng.get_params(), params, strict=True):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)


def torch_loss_and_gradients(spec, params, x, t, l1=0.0, l2=0.0):
    """The same network, loss and penalty written directly in torch, differentiated by autograd."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    tensors = [
        (torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
        for w, b in params
    ]
    a, tt = torch.tensor(x), torch.tensor(t)
    for k, (w, b) in enumerate(tensors):
        z = functional.linear(a, w, b)
        a = torch_function(spec.activations[k])(z)
    if spec.loss == "binary_cross_entropy":
        loss = functional.binary_cross_entropy_with_logits(z, tt)
    elif spec.loss == "categorical_cross_entropy":
        loss = functional.cross_entropy(z, tt.argmax(dim=1))
    else:
        loss = functional.mse_loss(a, tt)
    penalty = sum(l1 * w.abs().sum() + l2 / 2 * (w * w).sum() for w, _ in tensors)
    (loss + penalty).backward()
    return loss.item(), [(w.grad.numpy(), b.grad.numpy()) for w, b in tensors]


@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS)
def test_losses_and_gradients_match_torch(output, loss):
    spec, params, x, t = make_problem("gelu", output, loss, seed=5)
    torch_loss, torch_grads = torch_loss_and_gradients(spec, params, x, t, l1=0.01, l2=0.02)
    loss_value, grads = engine(spec, params, l1=0.01, l2=0.02).gradients(x, t)
    assert loss_value == pytest.approx(torch_loss, rel=1e-10)
    assert_gradients_close(grads, torch_grads, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_every_hidden_activation_matches_torch(hidden):
    spec, params, x, t = make_problem(hidden, "softmax", "categorical_cross_entropy", seed=2)
    torch_loss, torch_grads = torch_loss_and_gradients(spec, params, x, t)
    loss_value, grads = engine(spec, params).gradients(x, t)
    assert loss_value == pytest.approx(torch_loss, rel=1e-10)
    assert_gradients_close(grads, torch_grads, rtol=1e-9, atol=1e-12)
