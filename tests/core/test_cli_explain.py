"""``nnviz explain``: the JSON trace against the engine, weights files, text, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.__main__ import main
from nnviz.core.data import load_dataset
from nnviz.core.data.features import InputPipeline
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.files.weights_io import save_weights
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.network import encode_targets, resolve_network
from nnviz.core.nn.numpy_engine import NumpyEngine
from nnviz.core.run.trainer import Trainer

DESIGN = Design(
    name="explain test",
    dataset=DatasetSpec("circle", points=100),
    features=("x1", "x2", "x1^2"),
    layers=(LayerSpec(5, "tanh"), LayerSpec(3, "relu")),
    training=TrainingSpec(
        optimizer=OptimizerSpec("adam", learning_rate=0.05), l2=0.01, seed=4, epochs=3
    ),
)


@pytest.fixture
def design_path(tmp_path):
    path = tmp_path / "design.json"
    save_design(DESIGN, path)
    return path


def explain_json(capsys, argv) -> dict:
    assert main(["explain", *argv, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def engine_step(params, x, t):
    """What the NumPy engine computes for one sample: loss, gradients, weights after a step."""
    spec = resolve_network(DESIGN, 3, "classification", 2)
    engine = NumpyEngine(spec, params, DESIGN.training.optimizer, l2=0.01, dtype="float64")
    loss, grads = engine.gradients(x, t)
    engine.apply_gradients(grads, DESIGN.training.optimizer.learning_rate)
    return loss, grads, engine.get_params()


def test_json_trace_is_the_engines_step(design_path, capsys):
    result = explain_json(capsys, [str(design_path), "--sample", "7"])
    assert set(result) == {"sample", "input", "target", "loss", "layers", "update"}
    dataset = load_dataset(DESIGN.dataset)
    pipeline = InputPipeline.fit(dataset, DESIGN.features)
    x = pipeline.transform(dataset.x_train[7:8])
    spec = resolve_network(DESIGN, 3, dataset.task, dataset.n_classes)
    t = encode_targets(spec, dataset.y_train[7:8], np.float64)
    params = init_params(spec, "uniform", np.random.default_rng(4), "float32")
    loss, grads, updated = engine_step(params, x, t)

    assert result["sample"] == 7
    np.testing.assert_allclose(result["input"], x[0], rtol=1e-12)
    assert result["target"] == t[0].tolist()
    assert result["loss"] == pytest.approx(loss, rel=1e-9)
    assert [len(layer["z"]) for layer in result["layers"]] == [5, 3, 1]
    for layer, (dw, db) in zip(result["layers"], grads, strict=True):
        assert np.shape(layer["grad_weight"]) == dw.shape  # (out, in)
        np.testing.assert_allclose(layer["grad_weight"], dw, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(layer["grad_bias"], db, rtol=1e-9, atol=1e-15)
    assert result["update"]["optimizer"] == "adam"
    assert result["update"]["learning_rate"] == 0.05
    for layer, (w, b) in zip(result["update"]["layers"], updated, strict=True):
        np.testing.assert_allclose(layer["weight"], w, rtol=1e-9)
        np.testing.assert_allclose(layer["bias"], b, rtol=1e-9, atol=1e-15)


def test_weights_file_and_test_split(design_path, tmp_path, capsys):
    trainer = Trainer(DESIGN)
    for _ in trainer.run():
        pass
    weights = tmp_path / "trained.npz"
    params = trainer.engine.get_params()
    save_weights(weights, DESIGN, trainer.spec, params, trainer.pipeline)
    argv = [str(design_path), "--weights", str(weights), "--split", "test", "--sample", "2"]
    result = explain_json(capsys, argv)
    loss, _, _ = engine_step(params, trainer.x_test[2:3], trainer.t_test[2:3])
    assert result["loss"] == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(result["input"], trainer.x_test[2], rtol=1e-6)


def test_text_walks_through_every_stage(design_path, capsys):
    assert main(["explain", str(design_path)]) == 0
    out = capsys.readouterr().out
    for heading in ("FORWARD", "LOSS (binary cross-entropy)", "BACKWARD", "UPDATE (Adam"):
        assert heading in out
    assert "layer 1 of 3 (tanh, 5 units)" in out
    assert "unit 1: z = " in out and "m̂ = m / (1 − β₁^t)" in out
    assert "rounded" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.json"], "file not found"),
        (["{design}", "--sample", "500"], "sample 500 does not exist: the train split has 50"),
        (["{design}", "--sample", "-1"], "expected a number from 0"),
        (["{design}", "--split", "validation"], "invalid choice"),
        (["{design}", "--weights", "nothing.npz"], "nothing.npz: cannot be read"),
        (["{design}", "--weights", "{other}"], "the design has 3"),
    ],
)
def test_bad_input_exits_2_with_one_line(design_path, tmp_path, capsys, argv, message):
    other = tmp_path / "other.npz"
    small = Design(dataset=DESIGN.dataset, features=DESIGN.features, layers=(LayerSpec(2),))
    trainer = Trainer(small)
    save_weights(other, small, trainer.spec, trainer.engine.get_params(), trainer.pipeline)
    argv = [a.format(design=design_path, other=other) for a in argv]
    argv = [str(tmp_path / a) if a.endswith(("missing.json", "nothing.npz")) else a for a in argv]
    assert main(["explain", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("nnviz explain: ")
    assert message in captured.err
