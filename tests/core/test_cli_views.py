"""``nnviz landscape`` and ``nnviz lr-find``: their JSON, their summaries, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.__main__ import main
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.files.weights_io import save_weights
from nnviz.core.run.trainer import Trainer


@pytest.fixture
def trained(tmp_path):
    """A design file and the weights of 10 epochs of it."""
    design = Design(
        dataset=DatasetSpec("circle", points=200),
        layers=(LayerSpec(5, "tanh"),),
        training=TrainingSpec(epochs=10, optimizer=OptimizerSpec("adam", 0.02)),
    )
    path = tmp_path / "design.json"
    save_design(design, path)
    trainer = Trainer(design)
    list(trainer.run())
    weights = tmp_path / "weights.safetensors"
    save_weights(weights, design, trainer.spec, trainer.engine.get_params(), trainer.pipeline)
    return path, weights, trainer


def run_json(capsys, argv) -> dict:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_landscape_json_has_the_grid_and_its_centre_is_the_weights_loss(trained, capsys):
    design, weights, trainer = trained
    argv = ["landscape", str(design), "--weights", str(weights), "--grid", "7", "--span", "0.5"]
    result = run_json(capsys, [*argv, "--seed", "3", "--json"])
    assert list(result) == ["grid", "span", "seed", "alphas", "betas", "loss"]
    assert (result["grid"], result["span"], result["seed"]) == (7, 0.5, 3)
    assert result["alphas"] == result["betas"] == pytest.approx(np.linspace(-0.5, 0.5, 7))
    loss = np.array(result["loss"])
    assert loss.shape == (7, 7)
    assert loss[3, 3] == pytest.approx(trainer.snapshot().metrics.train_loss, rel=1e-6)
    assert loss.max() > loss[3, 3]
    other = run_json(capsys, [*argv, "--seed", "4", "--json"])
    assert other["loss"][3][3] == result["loss"][3][3] and other["loss"] != result["loss"]


def test_landscape_defaults_and_summary(trained, capsys):
    design, weights, _ = trained
    result = run_json(capsys, ["landscape", str(design), "--weights", str(weights), "--json"])
    assert (result["grid"], result["span"], result["seed"]) == (41, 1.0, 0)
    assert main(["landscape", str(design), "--weights", str(weights), "--grid", "5"]) == 0
    assert capsys.readouterr().out.startswith("loss at the weights ")


def test_lr_find_json_and_text(trained, capsys):
    design, weights, _ = trained
    result = run_json(capsys, ["lr-find", str(design), "--json"])
    assert list(result) == ["learning_rates", "losses", "suggested"]
    assert result["learning_rates"][0] == pytest.approx(1e-6)
    assert len(result["learning_rates"]) == len(result["losses"]) > 20
    assert result["learning_rates"][0] < result["suggested"] < result["learning_rates"][-1]
    from_weights = run_json(capsys, ["lr-find", str(design), "--weights", str(weights), "--json"])
    assert from_weights["losses"][0] < result["losses"][0]  # trained weights start lower
    assert main(["lr-find", str(design)]) == 0
    assert capsys.readouterr().out.startswith("suggested learning rate ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["landscape", "{design}"], "--weights"),
        (["landscape", "{design}", "--weights", "{weights}", "--grid", "6"], "odd"),
        (["landscape", "{design}", "--weights", "{weights}", "--grid", "1"], "--grid"),
        (["landscape", "{design}", "--weights", "{weights}", "--span", "0"], "--span"),
        (["landscape", "{design}", "--weights", "{weights}", "--span", "nan"], "--span"),
        (["landscape", "{design}", "--weights", "{broken}"], "broken.npz"),
        (["landscape", "{design}", "--weights", "{other}"], "dense layers"),
        (["landscape", "{missing}", "--weights", "{weights}"], "missing.json"),
        (["lr-find", "{design}", "--weights", "{broken}"], "broken.npz"),
        (["lr-find", "{design}", "--seed", "1"], "unrecognized"),
    ],
)
def test_bad_input_exits_2_with_one_line(trained, tmp_path, capsys, argv, message):
    design, weights, _ = trained
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    wider = Design(dataset=DatasetSpec("circle", points=200), layers=(LayerSpec(3), LayerSpec(2)))
    other_trainer = Trainer(wider)
    other = tmp_path / "other.npz"
    save_weights(
        other, wider, other_trainer.spec, other_trainer.engine.get_params(), other_trainer.pipeline
    )
    paths = {
        "design": design,
        "weights": weights,
        "broken": tmp_path / "broken.npz",
        "other": other,
        "missing": tmp_path / "missing.json",
    }
    assert main([a.format(**paths) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
