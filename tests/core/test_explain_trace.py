"""The trace of one sample against torch autograd and torch.optim, in float64."""

import numpy as np
import pytest
from torch_reference import torch_function

from nnviz.core.design import HIDDEN_ACTIVATIONS, OPTIMIZERS, OptimizerSpec
from nnviz.core.explain.trace import dropout_factors, trace_sample
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.numpy_engine import NumpyEngine

torch = pytest.importorskip("torch")

OUTPUT_PAIRS = [
    *((name, "mse") for name in HIDDEN_ACTIVATIONS),
    ("softmax", "mse"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "categorical_cross_entropy"),
]
RTOL, ATOL = 1e-6, 1e-12


def make_problem(hidden, output, loss, *, seed=0, dropout=0.0):
    """A random 3-4-3-k network in float64, one sample and a target that fits the loss."""
    rng = np.random.default_rng(seed)
    n_out = 3 if output == "softmax" else 1
    spec = NetworkSpec((3, 4, 3, n_out), (hidden, hidden, output), (dropout, dropout, 0.0), loss)
    params = [
        (rng.normal(size=(o, i)), rng.normal(scale=0.5, size=o))
        for i, o in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
    ]
    x = rng.normal(size=3)
    if loss == "categorical_cross_entropy":
        t = np.eye(n_out)[rng.integers(0, n_out)]
    elif loss == "binary_cross_entropy":
        t = np.array([float(rng.random() > 0.5)])
    else:
        t = rng.normal(size=n_out)
    return spec, params, x, t


def torch_reference(spec, params, x, t, *, l1=0.0, l2=0.0, keep=None):
    """Forward, loss + penalty and backward in torch: z, a, ∂L/∂z, ∂L/∂W, ∂L/∂b, data loss."""
    functional = torch.nn.functional
    weights = [torch.tensor(w, requires_grad=True) for w, _ in params]
    biases = [torch.tensor(b, requires_grad=True) for _, b in params]
    a = torch.tensor(x)[None]
    zs, outs = [], []
    keep = keep or [None] * spec.n_layers
    for w, b, name, factors in zip(weights, biases, spec.activations, keep, strict=True):
        z = a @ w.T + b
        z.retain_grad()
        out = torch_function(name)(z)
        zs.append(z)
        outs.append(out)
        a = out if factors is None else out * torch.tensor(factors)
    target = torch.tensor(t)[None]
    if spec.loss == "mse":
        data_loss = functional.mse_loss(a, target)
    elif spec.loss == "binary_cross_entropy":
        data_loss = functional.binary_cross_entropy_with_logits(zs[-1], target)
    else:
        data_loss = -(target * torch.log_softmax(zs[-1], dim=1)).sum()
    penalty = sum(l1 * w.abs().sum() + l2 / 2 * (w * w).sum() for w in weights)
    (data_loss + penalty).backward()
    return {
        "z": [z.detach().numpy()[0] for z in zs],
        "a": [o.detach().numpy()[0] for o in outs],
        "delta": [z.grad.numpy()[0] for z in zs],
        "grad_weight": [w.grad.numpy() for w in weights],
        "grad_bias": [b.grad.numpy() for b in biases],
        "loss": data_loss.item(),
    }


def assert_trace_matches(trace, reference):
    assert trace.loss == pytest.approx(reference["loss"], rel=RTOL, abs=ATOL)
    for k, layer in enumerate(trace.layers):
        for name in ("z", "a", "delta", "grad_weight", "grad_bias"):
            np.testing.assert_allclose(
                getattr(layer, name), reference[name][k], rtol=RTOL, atol=ATOL, err_msg=name
            )


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS)
def test_trace_matches_torch_autograd(hidden, output, loss):
    spec, params, x, t = make_problem(hidden, output, loss, seed=len(hidden) + len(output))
    trace = trace_sample(spec, params, x, t, OptimizerSpec())
    assert_trace_matches(trace, torch_reference(spec, params, x, t))


@pytest.mark.parametrize(("l1", "l2"), [(0.03, 0.0), (0.0, 0.2), (0.01, 0.05)])
def test_penalty_is_in_the_weight_gradients_only(l1, l2):
    spec, params, x, t = make_problem("relu", "sigmoid", "binary_cross_entropy", seed=3)
    trace = trace_sample(spec, params, x, t, OptimizerSpec(), l1=l1, l2=l2)
    assert_trace_matches(trace, torch_reference(spec, params, x, t, l1=l1, l2=l2))


def test_dropped_units_pass_nothing_forward_or_back():
    spec, params, x, t = make_problem("tanh", "linear", "mse", seed=5, dropout=0.5)
    keep = dropout_factors(spec, np.random.default_rng(1))
    assert (keep[0] == 0).any() and (keep[0] == 2).any() and keep[2] is None
    trace = trace_sample(spec, params, x, t, OptimizerSpec(), keep=keep)
    assert_trace_matches(trace, torch_reference(spec, params, x, t, keep=keep))
    dropped = keep[0] == 0
    assert (trace.layers[0].out[dropped] == 0).all()
    assert (trace.layers[0].delta[dropped] == 0).all()


def test_gradients_are_the_engines():
    spec, params, x, t = make_problem("gelu", "softmax", "categorical_cross_entropy", seed=7)
    engine = NumpyEngine(spec, params, OptimizerSpec(), l1=0.01, l2=0.02, dtype="float64")
    loss, grads = engine.gradients(x[None], t[None])
    trace = trace_sample(spec, params, x, t, OptimizerSpec(), l1=0.01, l2=0.02)
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    for layer, (dw, db) in zip(trace.layers, grads, strict=True):
        np.testing.assert_allclose(layer.grad_weight, dw, rtol=1e-12)
        np.testing.assert_allclose(layer.grad_bias, db, rtol=1e-12)


def torch_optimizer(spec: OptimizerSpec, parameters):
    optim = torch.optim
    lr = spec.learning_rate
    return {
        "sgd": lambda: optim.SGD(parameters, lr=lr),
        "momentum": lambda: optim.SGD(parameters, lr=lr, momentum=spec.momentum),
        "nesterov": lambda: optim.SGD(parameters, lr=lr, momentum=spec.momentum, nesterov=True),
        "rmsprop": lambda: optim.RMSprop(parameters, lr=lr, alpha=spec.rho, eps=spec.epsilon),
        "adam": lambda: optim.Adam(
            parameters, lr=lr, betas=(spec.beta1, spec.beta2), eps=spec.epsilon
        ),
        "adamw": lambda: optim.AdamW(
            parameters,
            lr=lr,
            betas=(spec.beta1, spec.beta2),
            eps=spec.epsilon,
            weight_decay=spec.weight_decay,
        ),
    }[spec.name]()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_update_is_torch_optims_first_step(name):
    spec, params, x, t = make_problem("tanh", "sigmoid", "binary_cross_entropy", seed=11)
    optimizer = OptimizerSpec(name=name, learning_rate=0.1, weight_decay=0.05)
    trace = trace_sample(spec, params, x, t, optimizer, l2=0.01)
    tensors = [torch.tensor(array) for layer in params for array in layer]
    grads = [grad for layer in trace.layers for grad in (layer.grad_weight, layer.grad_bias)]
    for tensor, grad in zip(tensors, grads, strict=True):
        tensor.grad = torch.tensor(grad)
    torch_optimizer(optimizer, tensors).step()
    updated = [array for layer in trace.update.params for array in layer]
    for new, tensor in zip(updated, tensors, strict=True):
        np.testing.assert_allclose(new, tensor.numpy(), rtol=RTOL, atol=ATOL)
    assert trace.update.learning_rate == 0.1


def test_adam_keeps_its_first_moments():
    spec, params, x, t = make_problem("tanh", "linear", "mse", seed=2)
    trace = trace_sample(spec, params, x, t, OptimizerSpec(name="adam", beta1=0.8, beta2=0.99))
    m_weight = trace.update.state["m"][0][0]
    v_weight = trace.update.state["v"][0][0]
    np.testing.assert_allclose(m_weight, 0.2 * trace.layers[0].grad_weight, rtol=1e-12)
    np.testing.assert_allclose(v_weight, 0.01 * trace.layers[0].grad_weight ** 2, rtol=1e-12)


def test_perceptron_step_error_and_rosenblatts_update():
    spec = NetworkSpec((2, 1), ("step",), (0.0,), "perceptron")
    w, b = np.array([[0.5, -1.0]]), np.array([0.1])
    x = np.array([0.2, 0.8])  # z = 0.1 - 0.8 + 0.1 = -0.6: step 0, but the target is 1
    trace = trace_sample(
        spec, [(w, b)], x, np.array([1.0]), OptimizerSpec(name="adam"), learning_rate=0.5
    )
    layer = trace.layers[0]
    assert layer.z == pytest.approx([-0.6]) and layer.a.tolist() == [0.0]
    assert trace.loss == 1.0 and layer.delta.tolist() == [-1.0]
    assert trace.update.rule == "perceptron"
    new_w, new_b = trace.update.params[0]
    np.testing.assert_allclose(new_w, w + 0.5 * x)
    np.testing.assert_allclose(new_b, b + 0.5)
