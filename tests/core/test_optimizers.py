"""Optimizers follow torch.optim's trajectories; schedules follow torch's schedulers."""

import dataclasses

import numpy as np
import pytest

from nnviz.core.design import OPTIMIZERS, OptimizerSpec, ScheduleSpec
from nnviz.core.nn.network import NetworkSpec
from nnviz.core.nn.numpy_engine import NumpyEngine
from nnviz.core.nn.optimizers import make_optimizer
from nnviz.core.nn.schedules import learning_rate_at

SPEC = NetworkSpec((2, 5, 1), ("tanh", "linear"), (0.0, 0.0), "mse", task="regression")
RATES = [0.1, 0.05, 0.08, 0.02, 0.1, 0.07]


def problem():
    rng = np.random.default_rng(4)
    params = [
        (rng.normal(size=(5, 2)), rng.normal(size=5)),
        (rng.normal(size=(1, 5)), rng.normal(size=1)),
    ]
    x = rng.normal(size=(8, 2))
    t = rng.normal(size=(8, 1))
    return params, x, t


def torch_optimizer(torch, spec: OptimizerSpec, tensors):
    optim, lr = torch.optim, spec.learning_rate
    return {
        "sgd": lambda: optim.SGD(tensors, lr=lr),
        "momentum": lambda: optim.SGD(tensors, lr=lr, momentum=spec.momentum),
        "nesterov": lambda: optim.SGD(tensors, lr=lr, momentum=spec.momentum, nesterov=True),
        "rmsprop": lambda: optim.RMSprop(tensors, lr=lr, alpha=spec.rho, eps=spec.epsilon),
        "adam": lambda: optim.Adam(
            tensors, lr=lr, betas=(spec.beta1, spec.beta2), eps=spec.epsilon
        ),
        "adamw": lambda: optim.AdamW(
            tensors,
            lr=lr,
            betas=(spec.beta1, spec.beta2),
            eps=spec.epsilon,
            weight_decay=spec.weight_decay,
        ),
    }[spec.name]()


class TorchTwin:
    """The same tanh-linear network in torch, trained with a torch.optim optimizer."""

    def __init__(self, torch, params, spec: OptimizerSpec):
        self.torch = torch
        self.tensors = [torch.tensor(a, requires_grad=True) for layer in params for a in layer]
        self.optimizer = torch_optimizer(torch, spec, self.tensors)

    def step(self, x, t, lr):
        torch = self.torch
        w1, b1, w2, b2 = self.tensors
        hidden = torch.tanh(torch.tensor(x) @ w1.T + b1)
        loss = torch.nn.functional.mse_loss(hidden @ w2.T + b2, torch.tensor(t))
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def params(self):
        return [a.detach().numpy() for a in self.tensors]


def assert_same_params(engine, twin):
    ours = [a for layer in engine.get_params() for a in layer]
    for a, b in zip(ours, twin.params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_matches_torch(name):
    torch = pytest.importorskip("torch")
    spec = OptimizerSpec(
        name=name, learning_rate=RATES[0], momentum=0.8, rho=0.85, weight_decay=0.1
    )
    params, x, t = problem()
    engine = NumpyEngine(SPEC, params, spec, dtype="float64")
    twin = TorchTwin(torch, params, spec)
    for lr in RATES:
        assert engine.train_batch(x, t, lr) == pytest.approx(twin.step(x, t, lr), rel=1e-9)
    assert_same_params(engine, twin)


def test_apply_gradients_is_the_same_step_as_train_batch():
    params, x, t = problem()
    spec = OptimizerSpec(name="adam")
    fused = NumpyEngine(SPEC, params, spec, dtype="float64")
    split = NumpyEngine(SPEC, params, spec, dtype="float64")
    for lr in RATES:
        fused.train_batch(x, t, lr)
        split.apply_gradients(split.gradients(x, t)[1], lr)
    for (w, b), (w2, b2) in zip(fused.get_params(), split.get_params(), strict=True):
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)


def test_set_optimizer_keeps_moments_for_the_same_kind_and_resets_for_another():
    torch = pytest.importorskip("torch")
    params, x, t = problem()
    first = OptimizerSpec(name="momentum", momentum=0.9)
    engine = NumpyEngine(SPEC, params, first, dtype="float64")
    twin = TorchTwin(torch, params, first)
    for lr in RATES[:3]:
        engine.train_batch(x, t, lr)
        twin.step(x, t, lr)
    engine.set_optimizer(dataclasses.replace(first, momentum=0.5))
    twin.optimizer.param_groups[0]["momentum"] = 0.5  # torch keeps its buffers too
    for lr in RATES[3:]:
        engine.train_batch(x, t, lr)
        twin.step(x, t, lr)
    assert_same_params(engine, twin)

    adam = OptimizerSpec(name="adam")
    engine.set_optimizer(adam)
    twin = TorchTwin(torch, engine.get_params(), adam)  # a fresh Adam: zero moments
    for lr in RATES:
        engine.train_batch(x, t, lr)
        twin.step(x, t, lr)
    assert_same_params(engine, twin)


def test_unknown_optimizer_is_named():
    with pytest.raises(ValueError, match="lion"):
        make_optimizer(OptimizerSpec(name="lion"), 3)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_updates_stay_float32(name):
    optimizer = make_optimizer(OptimizerSpec(name=name), 4, "float32")
    params = np.ones(4, np.float32)
    optimizer.step(params, np.full(4, 0.5, np.float32), 0.1)
    assert params.dtype == np.float32
    assert np.all(params < 1.0)


def test_step_decay_matches_torch_step_lr():
    torch = pytest.importorskip("torch")
    schedule = ScheduleSpec(name="step", step_size=3, gamma=0.5)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    for epoch in range(10):
        assert learning_rate_at(schedule, 0.2, epoch, 10) == pytest.approx(
            scheduler.get_last_lr()[0]
        )
        optimizer.step()
        scheduler.step()


def test_cosine_runs_from_the_base_rate_to_the_minimum_at_the_last_epoch():
    torch = pytest.importorskip("torch")
    schedule = ScheduleSpec(name="cosine", min_learning_rate=0.01)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=9, eta_min=0.01)
    for epoch in range(10):
        assert learning_rate_at(schedule, 0.3, epoch, 10) == pytest.approx(
            scheduler.get_last_lr()[0]
        )
        optimizer.step()
        scheduler.step()
    assert learning_rate_at(schedule, 0.3, 0, 10) == 0.3
    assert learning_rate_at(schedule, 0.3, 9, 10) == pytest.approx(0.01)
    assert learning_rate_at(schedule, 0.3, 50, 10) == pytest.approx(0.01)


def test_constant_and_unknown_schedules():
    assert learning_rate_at(ScheduleSpec(), 0.03, 500, 1000) == 0.03
    with pytest.raises(ValueError, match="exponential"):
        learning_rate_at(ScheduleSpec(name="exponential"), 0.03, 1, 10)
