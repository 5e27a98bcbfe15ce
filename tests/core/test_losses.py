"""Losses: values and gradients against torch, fused forms against the unfused chain."""

import numpy as np
import pytest

from nnviz.core.design import LOSSES
from nnviz.core.nn.activations import get_activation
from nnviz.core.nn.losses import LOSS_FUNCTIONS, get_loss

RNG = np.random.default_rng(3)
Z_BINARY = RNG.normal(scale=3.0, size=(7, 1))
T_BINARY = (RNG.random((7, 1)) > 0.5).astype(float)
Z_MULTI = RNG.normal(scale=3.0, size=(7, 4))
T_MULTI = np.eye(4)[RNG.integers(0, 4, 7)]


def test_registry_covers_the_design_losses():
    assert set(LOSS_FUNCTIONS) == set(LOSSES) - {"auto"}
    with pytest.raises(ValueError, match="hinge"):
        get_loss("hinge")


def test_mse_matches_torch_mean_over_every_element():
    torch = pytest.importorskip("torch")
    outputs = torch.tensor(Z_MULTI, requires_grad=True)
    loss = torch.nn.functional.mse_loss(outputs, torch.tensor(T_MULTI))
    loss.backward()
    mse = get_loss("mse")
    assert mse.value(Z_MULTI, T_MULTI) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(mse.gradient(Z_MULTI, T_MULTI), outputs.grad.numpy(), rtol=1e-12)


def test_binary_cross_entropy_matches_torch_from_probabilities_and_logits():
    torch = pytest.importorskip("torch")
    z = torch.tensor(Z_BINARY, requires_grad=True)
    p = torch.sigmoid(z)
    p.retain_grad()
    loss = torch.nn.functional.binary_cross_entropy(p, torch.tensor(T_BINARY))
    loss.backward()
    bce = get_loss("binary_cross_entropy")
    pn = p.detach().numpy()
    assert bce.value(pn, T_BINARY) == pytest.approx(loss.item(), rel=1e-12)
    assert bce.value_from_logits(Z_BINARY, T_BINARY) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(bce.gradient(pn, T_BINARY), p.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(bce.gradient_wrt_logits(pn, T_BINARY), z.grad.numpy(), rtol=1e-10)


def test_categorical_cross_entropy_matches_torch_cross_entropy():
    torch = pytest.importorskip("torch")
    z = torch.tensor(Z_MULTI, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(T_MULTI.argmax(axis=1)))
    loss.backward()
    cce = get_loss("categorical_cross_entropy")
    p = get_activation("softmax").value(Z_MULTI)
    assert cce.value(p, T_MULTI) == pytest.approx(loss.item(), rel=1e-12)
    assert cce.value_from_logits(Z_MULTI, T_MULTI) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(cce.gradient_wrt_logits(p, T_MULTI), z.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    ("loss_name", "activation_name", "z", "t"),
    [
        ("binary_cross_entropy", "sigmoid", Z_BINARY, T_BINARY),
        ("categorical_cross_entropy", "softmax", Z_MULTI, T_MULTI),
    ],
)
def test_fused_gradient_equals_the_chain_rule(loss_name, activation_name, z, t):
    loss, activation = get_loss(loss_name), get_activation(activation_name)
    p = activation.value(z)
    chained = activation.backward(z, p, loss.gradient(p, t))
    np.testing.assert_allclose(loss.gradient_wrt_logits(p, t), chained, rtol=1e-8, atol=1e-14)


def test_losses_from_logits_stay_finite_and_exact_when_saturated():
    bce, cce = get_loss("binary_cross_entropy"), get_loss("categorical_cross_entropy")
    z = np.array([[1000.0], [-1000.0]])
    with np.errstate(all="raise", under="ignore"):
        assert bce.value_from_logits(z, np.array([[1.0], [0.0]])) == 0.0
        assert bce.value_from_logits(z, np.array([[0.0], [1.0]])) == pytest.approx(1000.0)
        zm = np.array([[1000.0, -1000.0, 0.0]])
        assert cce.value_from_logits(zm, np.array([[0.0, 1.0, 0.0]])) == pytest.approx(2000.0)
        # The unfused value clamps the log at -100, as torch's BCELoss does.
        assert bce.value(np.array([[0.0]]), np.array([[1.0]])) == pytest.approx(100.0)


def test_perceptron_loss_is_the_share_misclassified():
    perceptron = get_loss("perceptron")
    outputs = np.array([[1.0], [0.0], [1.0], [1.0]])
    targets = np.array([[1.0], [1.0], [0.0], [1.0]])
    assert perceptron.value(outputs, targets) == 0.5
    z = np.array([[2.0], [-1.0], [0.5], [3.0]])
    assert perceptron.value_from_logits(z, targets) == 0.5
    np.testing.assert_allclose(
        perceptron.gradient_wrt_logits(outputs, targets).ravel(), [0.0, -0.25, 0.25, 0.0]
    )
