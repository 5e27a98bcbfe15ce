"""Activations: values and derivatives against torch and finite differences, and stability."""

import numpy as np
import pytest
from torch_reference import torch_function

from nnviz.core.design import ACTIVATIONS
from nnviz.core.nn.activations import ACTIVATION_FUNCTIONS, erf, get_activation

ELEMENTWISE = [name for name in ACTIVATIONS if name not in ("softmax", "step")]
# Points away from the kinks of relu, leaky_relu and elu, where finite differences straddle.
Z = np.array([[-6.0, -2.5, -1.1, -0.3, 0.2, 0.7, 1.9, 4.0, 9.0]])


def test_registry_covers_the_design_vocabulary():
    assert set(ACTIVATION_FUNCTIONS) == set(ACTIVATIONS)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="swish"):
        get_activation("swish")


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_match_torch(name):
    torch = pytest.importorskip("torch")
    z = np.linspace(-30, 30, 240).reshape(-1, 3)
    expected = torch_function(name)(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(get_activation(name).value(z), expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivatives_match_torch_autograd(name):
    torch = pytest.importorskip("torch")
    z = torch.tensor(np.linspace(-30, 30, 240).reshape(-1, 3) + 0.0123, requires_grad=True)
    torch_function(name)(z).sum().backward()
    activation = get_activation(name)
    zn = z.detach().numpy()
    derivative = activation.derivative(zn, activation.value(zn))
    np.testing.assert_allclose(derivative, z.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivatives_match_finite_differences(name):
    activation = get_activation(name)
    h = 1e-6
    numeric = (activation.value(Z + h) - activation.value(Z - h)) / (2 * h)
    analytic = activation.derivative(Z, activation.value(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_backward_is_the_jacobian_product():
    softmax = get_activation("softmax")
    rng = np.random.default_rng(1)
    z, g = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    a = softmax.value(z)
    jacobians = [np.diag(row) - np.outer(row, row) for row in a]
    expected = np.stack([jac.T @ gi for jac, gi in zip(jacobians, g, strict=True)])
    np.testing.assert_allclose(softmax.backward(z, a, g), expected, rtol=1e-12)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)


def test_relu_family_take_the_lower_slope_at_zero_like_torch():
    z = np.zeros((1, 1))
    assert get_activation("relu").derivative(z, z)[0, 0] == 0.0
    assert get_activation("leaky_relu").derivative(z, z)[0, 0] == pytest.approx(0.01)


def test_step_is_one_only_above_zero():
    np.testing.assert_array_equal(
        get_activation("step").value(np.array([-1.0, 0.0, 2.0])), [0, 0, 1]
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_no_overflow_or_invalid_values_at_large_inputs(name, dtype):
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)
    activation = get_activation(name)
    # Underflow to 0 (exp(-1000)) is the exact answer; NumPy ignores it by default, and so do we.
    with np.errstate(all="raise", under="ignore"):
        a = activation.value(z)
        d = activation.derivative(z, a)
        g = activation.backward(z, a, np.ones_like(z))
    for array in (a, d, g):
        assert np.all(np.isfinite(array))
        assert array.dtype == np.dtype(dtype)


def test_saturated_values_are_exact():
    z = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(get_activation("sigmoid").value(z), [0.0, 1.0])
    np.testing.assert_array_equal(get_activation("softplus").value(z), [0.0, 1000.0])
    np.testing.assert_array_equal(get_activation("elu").value(z), [-1.0, 1000.0])


def test_erf_is_accurate_and_keeps_shape_and_dtype():
    x = np.linspace(-5, 5, 12, dtype=np.float32).reshape(3, 4)
    y = erf(x)
    assert y.shape == (3, 4) and y.dtype == np.float32
    assert erf(np.array([0.5]))[0] == pytest.approx(0.5204998778130465, rel=1e-15)
    np.testing.assert_allclose(erf(-x), -y)
