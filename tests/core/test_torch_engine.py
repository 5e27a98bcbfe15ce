"""The torch engine computes what the NumPy engine computes, from the same start.

Both engines get the same NumPy initial weights and the same batches; in float64 their
gradients agree to 1e-6 and their losses to 1e-5 relative, after one step and over a run, for
every activation, loss and optimizer the NumPy engine offers.
"""

import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

from nnviz.core.design import (
    HIDDEN_ACTIVATIONS,
    OPTIMIZERS,
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    TrainingSpec,
)
from nnviz.core.nn import torch_engine
from nnviz.core.nn.engine import EngineUnavailable, create_engine
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.network import REGRESSION, NetworkSpec, encode_targets
from nnviz.core.nn.numpy_engine import NumpyEngine
from nnviz.core.nn.torch_engine import TorchEngine, torch_status
from nnviz.core.run.trainer import Trainer

# (output activation, loss, number of classes): the fused pairs and MSE after every output.
OUTPUTS = [
    ("sigmoid", "binary_cross_entropy", 2),
    ("softmax", "categorical_cross_entropy", 3),
    ("linear", "mse", 2),
    ("tanh", "mse", 2),
    ("sigmoid", "mse", 2),
    ("softmax", "mse", 3),
]
LOSS_RTOL = 1e-5
GRAD_RTOL = 1e-6


def _spec(hidden: str, output: str, loss: str, n_classes: int, dropout: float = 0.0):
    n_out = n_classes if output == "softmax" else 1
    return NetworkSpec(
        (3, 5, 4, n_out),
        (hidden, hidden, output),
        (dropout, dropout, 0.0),
        loss,
        "classification",
        n_classes,
    )


def _data(spec: NetworkSpec, dtype="float64", n=24, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, spec.sizes[0])).astype(dtype)
    t = encode_targets(spec, rng.integers(0, spec.n_classes, n), dtype)
    return x, t


def _pair(spec, optimizer=None, dtype="float64", **kwargs):
    """A NumPy and a torch engine starting from the same NumPy initial weights."""
    optimizer = optimizer or OptimizerSpec(learning_rate=0.05)
    params = init_params(spec, "xavier", np.random.default_rng(0), dtype)
    numpy_engine = NumpyEngine(spec, params, optimizer, dtype=dtype, **kwargs)
    torch_engine = TorchEngine(spec, params, optimizer, dtype=dtype, device="cpu", **kwargs)
    return numpy_engine, torch_engine


def _assert_params_close(a, b, rtol, atol):
    assert len(a) == len(b)
    for (wa, ba), (wb, bb) in zip(a, b, strict=True):
        np.testing.assert_allclose(wa, wb, rtol=rtol, atol=atol)
        np.testing.assert_allclose(ba, bb, rtol=rtol, atol=atol)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize(("output", "loss", "n_classes"), OUTPUTS)
def test_gradients_match_numpy(hidden, output, loss, n_classes):
    spec = _spec(hidden, output, loss, n_classes)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec)
    numpy_loss, numpy_grads = numpy_engine.gradients(x, t)
    torch_loss, torch_grads = torch_engine.gradients(x, t)
    assert torch_loss == pytest.approx(numpy_loss, rel=GRAD_RTOL)
    _assert_params_close(torch_grads, numpy_grads, GRAD_RTOL, 1e-12)
    assert torch_engine.predict(x) == pytest.approx(numpy_engine.predict(x), rel=1e-9, abs=1e-12)
    assert torch_engine.loss(x, t) == pytest.approx(numpy_engine.loss(x, t), rel=1e-9)


def test_penalty_gradients_match_numpy():
    spec = _spec("tanh", "sigmoid", "binary_cross_entropy", 2)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec, l1=0.01, l2=0.1)
    numpy_loss, numpy_grads = numpy_engine.gradients(x, t)
    torch_loss, torch_grads = torch_engine.gradients(x, t)
    _assert_params_close(torch_grads, numpy_grads, GRAD_RTOL, 1e-12)
    # The reported loss is the data loss only, so train and test losses compare.
    assert torch_loss == pytest.approx(numpy_loss, rel=GRAD_RTOL)
    assert torch_loss == pytest.approx(torch_engine.loss(x, t), rel=1e-12)


def _run(engine, x, t, steps, learning_rate=0.05, batch=8):
    """Losses of ``steps`` mini-batch steps over the same fixed order of batches."""
    losses = []
    for step in range(steps):
        start = (step * batch) % len(x)
        losses.append(
            engine.train_batch(x[start : start + batch], t[start : start + batch], learning_rate)
        )
    return np.array([*losses, engine.loss(x, t)])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize(
    ("hidden", "output", "loss", "n_classes"),
    [
        ("tanh", "sigmoid", "binary_cross_entropy", 2),
        ("relu", "softmax", "categorical_cross_entropy", 3),
        ("gelu", "linear", "mse", 2),
    ],
)
def test_training_matches_numpy(optimizer, hidden, output, loss, n_classes):
    spec = _spec(hidden, output, loss, n_classes)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec, OptimizerSpec(name=optimizer), l2=0.01)
    # One step: the loss after it agrees to 1e-5 relative.
    numpy_engine.train_batch(x, t, 0.05)
    torch_engine.train_batch(x, t, 0.05)
    assert torch_engine.loss(x, t) == pytest.approx(numpy_engine.loss(x, t), rel=LOSS_RTOL)
    # And it stays close over a run of 50 mini-batch steps.
    numpy_losses = _run(numpy_engine, x, t, 50)
    torch_losses = _run(torch_engine, x, t, 50)
    np.testing.assert_allclose(torch_losses, numpy_losses, rtol=LOSS_RTOL)
    assert numpy_losses[-1] < numpy_losses[0]  # it learned something, so the check has teeth
    _assert_params_close(torch_engine.get_params(), numpy_engine.get_params(), 1e-6, 1e-9)


def test_apply_gradients_matches_numpy():
    spec = _spec("elu", "sigmoid", "binary_cross_entropy", 2)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec, OptimizerSpec(name="adam"))
    for _ in range(3):
        _, grads = numpy_engine.gradients(x, t)
        numpy_engine.apply_gradients(grads, 0.01)
        torch_engine.apply_gradients(grads, 0.01)
    _assert_params_close(torch_engine.get_params(), numpy_engine.get_params(), 1e-9, 1e-12)


def test_changing_settings_mid_run_matches_numpy():
    """Same optimizer kind keeps its moments; another kind starts fresh; L1/L2 change live."""
    spec = _spec("tanh", "sigmoid", "binary_cross_entropy", 2)
    x, t = _data(spec)
    engines = _pair(spec, OptimizerSpec(name="momentum", momentum=0.9))
    changes = [
        lambda e: e.set_optimizer(OptimizerSpec(name="momentum", momentum=0.5)),
        lambda e: e.set_regularization(0.001, 0.05),
        lambda e: e.set_optimizer(OptimizerSpec(name="rmsprop", rho=0.8)),
        lambda e: e.set_optimizer(OptimizerSpec(name="rmsprop", rho=0.99, epsilon=1e-6)),
    ]
    losses = {engine.name: [] for engine in engines}
    for change in changes:
        for engine in engines:
            change(engine)
            losses[engine.name].extend(_run(engine, x, t, 5))
    np.testing.assert_allclose(losses["torch"], losses["numpy"], rtol=LOSS_RTOL)


def test_float32_matches_numpy_closely():
    spec = _spec("relu", "softmax", "categorical_cross_entropy", 3)
    x, t = _data(spec, "float32")
    numpy_engine, torch_engine = _pair(spec, OptimizerSpec(name="adam"), dtype="float32")
    assert torch_engine.predict(x).dtype == np.float32
    assert all(w.dtype == np.float32 for w, _ in torch_engine.get_params())
    np.testing.assert_allclose(
        _run(torch_engine, x, t, 20), _run(numpy_engine, x, t, 20), rtol=1e-4
    )


def test_trainer_runs_the_same_on_both_engines():
    """A whole design, seed and data pipeline: the histories of the two engines agree."""
    design = Design(
        dataset=DatasetSpec("circle", points=120, noise=0.1),
        features=("x1", "x2", "x1^2", "x2^2"),
        layers=(LayerSpec(6, "tanh"), LayerSpec(3, "silu")),
        training=TrainingSpec(
            optimizer=OptimizerSpec(name="adam", learning_rate=0.01),
            dtype="float64",
            seed=4,
            epochs=5,
        ),
    )
    runs = {}
    for engine in ("numpy", "torch"):
        trainer = Trainer(design, engine=engine)
        for _ in range(5):
            trainer.step_epoch()
        runs[engine] = [(m.train_loss, m.test_loss) for m in trainer.history]
    assert runs["torch"][-1][0] < runs["torch"][0][0]
    np.testing.assert_allclose(runs["torch"], runs["numpy"], rtol=LOSS_RTOL)


def test_gradients_leave_weights_unchanged_and_params_are_copies():
    spec = _spec("tanh", "sigmoid", "binary_cross_entropy", 2)
    x, t = _data(spec)
    _, engine = _pair(spec)
    before = engine.get_params()
    engine.gradients(x, t)
    _assert_params_close(engine.get_params(), before, 0, 0)
    before[0][0][...] = 99.0
    assert engine.get_params()[0][0].max() < 99.0


def test_set_params_replaces_weights_and_checks_shapes():
    spec = _spec("tanh", "sigmoid", "binary_cross_entropy", 2)
    _, engine = _pair(spec)
    new = init_params(spec, "he", np.random.default_rng(9), "float64")
    engine.set_params(new)
    _assert_params_close(engine.get_params(), new, 0, 0)
    wrong = [(w.T, b) for w, b in new]
    with pytest.raises(ValueError, match="layer 1: expected shape"):
        engine.set_params(wrong)


def test_dropout_is_seeded_and_only_in_training():
    spec = _spec("relu", "sigmoid", "binary_cross_entropy", 2, dropout=0.5)
    x, t = _data(spec)
    params = init_params(spec, "he", np.random.default_rng(0), "float64")
    optimizer = OptimizerSpec()

    def engine(seed):
        return TorchEngine(spec, params, optimizer, dtype="float64", seed=seed, device="cpu")

    first, again, other = engine(1), engine(1), engine(2)
    _, grads = first.gradients(x, t)
    _assert_params_close(again.gradients(x, t)[1], grads, 0, 0)
    assert not np.allclose(other.gradients(x, t)[1][0][0], grads[0][0])
    # Evaluation has no dropout: it matches the NumPy engine's deterministic forward pass.
    reference = NumpyEngine(spec, params, optimizer, dtype="float64")
    np.testing.assert_allclose(first.predict(x), reference.predict(x), rtol=1e-12)


def test_dropout_has_the_numpy_engines_expected_gradient():
    """The two engines draw different masks, but averaged over many draws their gradients
    agree, and differ clearly from the gradients without dropout: same inverted dropout."""
    spec = _spec("tanh", "sigmoid", "binary_cross_entropy", 2, dropout=0.3)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec, seed=1)
    without = _pair(_spec("tanh", "sigmoid", "binary_cross_entropy", 2))[0].gradients(x, t)[1]
    numpy_draws = [numpy_engine.gradients(x, t)[1] for _ in range(1000)]
    torch_draws = [torch_engine.gradients(x, t)[1] for _ in range(1000)]
    for k in range(spec.n_layers):
        numpy_mean = np.mean([grads[k][0] for grads in numpy_draws], axis=0)
        torch_mean = np.mean([grads[k][0] for grads in torch_draws], axis=0)
        scale = np.linalg.norm(numpy_mean)
        assert np.linalg.norm(torch_mean - numpy_mean) < 0.15 * scale
        assert np.linalg.norm(without[k][0] - numpy_mean) > 0.25 * scale


def test_perceptron_is_refused_with_a_reason():
    spec = NetworkSpec((2, 1), ("step",), (0.0,), "perceptron")
    params = init_params(spec, "uniform", np.random.default_rng(0))
    with pytest.raises(EngineUnavailable, match="perceptron rule has no gradient"):
        TorchEngine(spec, params, OptimizerSpec())


def test_device_choice():
    import torch

    spec = _spec("tanh", "linear", "mse", 2)
    params = init_params(spec, "uniform", np.random.default_rng(0))
    engine = create_engine("torch", spec, params, OptimizerSpec(), device="auto")
    assert engine.name == "torch"
    assert engine.device == ("cuda:0" if torch.cuda.is_available() else "cpu")
    assert create_engine("torch", spec, params, OptimizerSpec(), device="cpu").device == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(EngineUnavailable, match="no CUDA GPU"):
            create_engine("torch", spec, params, OptimizerSpec(), device="cuda")
    with pytest.raises(EngineUnavailable, match="unknown device 'tpu'"):
        create_engine("torch", spec, params, OptimizerSpec(), device="tpu")


def test_regression_spec_runs():
    spec = dataclasses.replace(_spec("softplus", "linear", "mse", 2), task=REGRESSION)
    x, _ = _data(spec)
    t = np.sin(x[:, :1])
    numpy_engine, torch_engine = _pair(spec, OptimizerSpec(name="nesterov"))
    np.testing.assert_allclose(
        _run(torch_engine, x, t, 30), _run(numpy_engine, x, t, 30), rtol=LOSS_RTOL
    )


def test_torch_status(monkeypatch):
    assert torch_status() == (True, "")
    monkeypatch.setattr(torch_engine.importlib.util, "find_spec", lambda name: None)
    usable, message = torch_status()
    assert not usable
    assert 'pip install "nnviz[torch]"' in message
    assert "torch==2.13.0" in message
    # Choosing the engine anyway says the same, instead of an ImportError's traceback.
    spec = _spec("tanh", "linear", "mse", 2)
    params = init_params(spec, "uniform", np.random.default_rng(0))
    with pytest.raises(EngineUnavailable, match=re.escape('pip install "nnviz[torch]"')):
        create_engine("torch", spec, params, OptimizerSpec())


def test_importing_nnviz_does_not_import_torch():
    code = (
        "import sys, nnviz, nnviz.core.nn.engine, nnviz.core.nn.torch_engine\n"
        "import nnviz.core.files.torch_export\n"
        "from nnviz.core.nn.torch_engine import torch_status\n"
        "torch_status()\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _wide_design(device: str, epochs: int = 2):
    return Design(
        dataset=DatasetSpec("digits", train_fraction=0.5),
        features=(),
        layers=(LayerSpec(32, "relu"),),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adam", 0.01), batch_size=64, epochs=epochs, device=device
        ),
    )


def test_both_engines_measure_the_same_gradient_norms_on_the_last_batch():
    design = _wide_design("cpu")
    numpy_run, torch_run = Trainer(design, engine="numpy"), Trainer(design, engine="torch")
    for trainer in (numpy_run, torch_run):
        trainer.step_epoch()
    np.testing.assert_allclose(
        torch_run.snapshot().metrics.grad_norms,
        numpy_run.snapshot().metrics.grad_norms,
        rtol=1e-3,
    )
    assert torch_run.engine.to_device(torch_run.x_train) is torch_run.x_train  # CPU: no copy


@pytest.mark.skipif(
    not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU (none here)"
)
def test_on_cuda_the_run_keeps_its_data_on_the_gpu_and_only_snapshots_come_back():
    import torch

    trainer = Trainer(_wide_design("cuda", epochs=3), engine="torch")
    assert trainer.engine.device.startswith("cuda")
    assert isinstance(trainer._x_device, torch.Tensor) and trainer._x_device.is_cuda
    cpu = Trainer(_wide_design("cpu", epochs=3), engine="torch")
    for snapshot_gpu, snapshot_cpu in zip(trainer.run(), cpu.run(), strict=True):
        assert isinstance(snapshot_gpu.params[0][0], np.ndarray)
        assert snapshot_gpu.metrics.test_loss == pytest.approx(
            snapshot_cpu.metrics.test_loss, rel=1e-2
        )


def test_both_engines_tell_non_finite_weights():
    spec = NetworkSpec((2, 3, 1), ("tanh", "tanh"), (0.0, 0.0), "mse")
    for engine in _pair(spec, dtype="float32"):
        params = engine.get_params()
        assert engine.finite()
        params[1][1][0] = np.inf  # the output's bias: tanh keeps the loss finite
        engine.set_params(params)
        assert not engine.finite()


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "rmsprop"])
def test_both_engines_lay_out_the_optimizer_state_alike(optimizer):
    """Checkpoints carry the moments flat in the order W0, b0, W1, b1, ...: the NumPy engine,
    which keeps each layer as one block ``[W | b]``, gives and takes them in that order."""
    spec = _spec("tanh", "softmax", "categorical_cross_entropy", 3)
    x, t = _data(spec)
    numpy_engine, torch_engine = _pair(spec, OptimizerSpec(name=optimizer))
    for engine in (numpy_engine, torch_engine):
        for _ in range(3):
            engine.train_batch(x, t, 0.05)
    numpy_state, torch_state = numpy_engine.get_state(), torch_engine.get_state()
    moments = [key for key in torch_state if key.startswith("optimizer.")]
    assert moments and sorted(moments) == sorted(k for k in numpy_state if k != "dropout_rng")
    for key in moments:
        np.testing.assert_allclose(numpy_state[key], torch_state[key], rtol=1e-6, atol=1e-12)
    # The torch engine's moments, put into a fresh NumPy engine, train on as the torch one.
    fresh, _ = _pair(spec, OptimizerSpec(name=optimizer))
    fresh.set_params(torch_engine.get_params())
    fresh.set_state({**torch_state, "dropout_rng": numpy_state["dropout_rng"]})
    fresh.train_batch(x, t, 0.05)
    torch_engine.train_batch(x, t, 0.05)
    _assert_params_close(fresh.get_params(), torch_engine.get_params(), 1e-6, 1e-9)


@pytest.mark.parametrize("engine_index", [0, 1], ids=["numpy", "torch"])
def test_train_batches_is_train_batch_on_each_slice(engine_index):
    """The epoch's middle without its losses gives the very weights of one ``train_batch``
    after another, dropout draws included."""
    spec = _spec("relu", "sigmoid", "binary_cross_entropy", 2, dropout=0.3)
    x, t = _data(spec, n=40)
    one_by_one, batches = _pair(spec)[engine_index], _pair(spec)[engine_index]
    for start in range(0, 35, 7):
        one_by_one.train_batch(x[start : start + 7], t[start : start + 7], 0.05)
    batches.train_batches(x, t, range(0, 35, 7), 7, 0.05)
    for (wa, ba), (wb, bb) in zip(one_by_one.get_params(), batches.get_params(), strict=True):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)
    assert not np.array_equal(one_by_one.get_params()[0][0], _pair(spec)[0].get_params()[0][0])
