"""``nnviz train``: the result it prints, its overrides, and how it refuses bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.__main__ import main
from nnviz.cli.train import main as train_main
from nnviz.core.design import (
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    TrainingSpec,
)
from nnviz.core.files.design_file import save_design
from nnviz.core.files.weights_io import load_weights


def write_design(tmp_path, **training) -> str:
    design = Design(
        name="cli test",
        dataset=DatasetSpec("circle", points=200),
        layers=(LayerSpec(6, "tanh"),),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", learning_rate=0.02), **training),
    )
    path = tmp_path / "design.json"
    save_design(design, path)
    return str(path)


def run_json(capsys, argv) -> dict:
    assert train_main([*argv, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object, on one line
    return json.loads(out)


def test_json_reports_the_run(tmp_path, capsys):
    result = run_json(capsys, [write_design(tmp_path, epochs=500), "--epochs", "30"])
    assert result["design"] == "cli test"
    assert result["dataset"] == "circle"
    assert result["engine"] == "numpy"
    assert result["status"] == "finished"
    assert result["message"] == "finished 30 epochs"
    assert result["epochs"] == 30
    assert result["steps"] == 30 * 10  # 100 training points in batches of 10
    assert 0 < result["train_loss"] < 0.3
    assert 0 < result["test_loss"] < 0.4
    assert result["test_accuracy"] > 0.8
    assert 0 <= result["train_accuracy"] <= 1
    assert result["seconds"] >= 0
    assert result["export"] is None


def test_the_seed_decides_the_run(tmp_path, capsys):
    path = write_design(tmp_path, epochs=3)
    first = run_json(capsys, [path, "--seed", "7"])
    again = run_json(capsys, [path, "--seed", "7"])
    other = run_json(capsys, [path, "--seed", "8"])
    assert first["train_loss"] == again["train_loss"]
    assert other["train_loss"] != first["train_loss"]


def test_regression_reports_r2_and_rmse(tmp_path, capsys):
    design = Design(
        dataset=DatasetSpec("plane", points=200),
        layers=(LayerSpec(3, "tanh"),),
        training=TrainingSpec(epochs=5),
    )
    path = tmp_path / "plane.json"
    save_design(design, path)
    result = run_json(capsys, [str(path)])
    assert {"train_r2", "test_r2", "train_rmse", "test_rmse"} <= result.keys()
    assert "test_accuracy" not in result
    assert result["test_rmse"] > 0


def test_torch_engine(tmp_path, capsys):
    pytest.importorskip("torch")
    result = run_json(capsys, [write_design(tmp_path, epochs=2), "--engine", "torch"])
    assert result["engine"] == "torch"
    assert result["device"] == "cpu"
    assert result["epochs"] == 2


def test_text_summary_and_progress(tmp_path, capsys):
    assert main(["train", write_design(tmp_path, epochs=2)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("finished after 2 epochs in ")
    assert "test accuracy" in captured.out


def test_export_writes_the_trained_weights(tmp_path, capsys):
    target = tmp_path / "net.npz"
    result = run_json(capsys, [write_design(tmp_path, epochs=2), "--export", str(target)])
    assert result["export"] == str(target)
    saved = load_weights(target)
    assert saved.design.name == "cli test"
    assert [w.shape for w, _ in saved.params] == [(6, 2), (1, 6)]
    assert all(np.isfinite(w).all() for w, _ in saved.params)


def test_divergence_exits_with_1_and_says_why(tmp_path, capsys):
    design = Design(
        dataset=DatasetSpec("plane", points=200),
        layers=(LayerSpec(8, "relu"), LayerSpec(8, "relu")),
        training=TrainingSpec(optimizer=OptimizerSpec(learning_rate=100.0), epochs=20),
    )
    path = tmp_path / "wild.json"
    save_design(design, path)
    assert train_main([str(path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "diverged"
    assert "try a learning rate below 10" in result["message"]
    assert result["train_loss"] is not None  # the last finite weights' loss


def assert_refused(capsys, argv, *fragments):
    assert train_main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("nnviz train: ")
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_design_file(tmp_path, capsys):
    assert_refused(capsys, [str(tmp_path / "nowhere.json")], "nowhere.json", "file not found")


def test_corrupt_design_file(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 1, "layers": [', encoding="utf-8")
    assert_refused(capsys, [str(path), "--json"], "broken.json", "not valid JSON")


def test_design_with_several_problems_still_fits_one_line(tmp_path, capsys):
    path = tmp_path / "wrong.json"
    path.write_text(
        json.dumps(
            {
                "format": "nnviz-design",
                "version": 1,
                "training": {"epochs": -1, "batch_size": "ten"},
            }
        )
    )
    assert_refused(capsys, [str(path)], "wrong.json")


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--bogus"], "--bogus"),
        (["--epochs", "0"], "--epochs"),
        (["--epochs", "many"], "--epochs"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(2**32)], "from 0 to 4294967295, got 4294967296"),
        (["--engine", "torch", "--seed", str(2**64)], "from 0 to 4294967295"),
        (["--engine", "jax"], "--engine"),
        (["--export", "net.txt"], "unknown weights format"),
    ],
)
def test_bad_arguments(tmp_path, capsys, flags, fragment):
    assert_refused(capsys, [write_design(tmp_path, epochs=1), *flags], fragment)


def test_no_design_given(capsys):
    assert_refused(capsys, [], "design")


def test_data_that_cannot_be_read(tmp_path, capsys):
    design = Design(
        dataset=DatasetSpec("csv", path="missing.csv", label_column="y", task="classification"),
        features=(),
    )
    path = tmp_path / "csv.json"
    save_design(design, path)
    assert_refused(capsys, [str(path)], "missing.csv")


def test_an_engine_that_cannot_run_the_design(tmp_path, capsys):
    design = Design(
        dataset=DatasetSpec("and"),
        layers=(),
        output=OutputSpec("step"),
        training=TrainingSpec(batch_size=1),
    )
    path = tmp_path / "perceptron.json"
    save_design(design, path)
    assert_refused(capsys, [str(path), "--engine", "torch"], "perceptron")


def test_an_export_that_fails_still_reports_the_run(tmp_path, capsys, monkeypatch):
    target = tmp_path / "net.npz"

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("nnviz.cli.train.save_weights", full_disk)
    assert train_main([write_design(tmp_path, epochs=1), "--json", "--export", str(target)]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["export"] is None
    assert captured.err == (
        f"nnviz train: cannot export the weights to {target}: No space left on device\n"
    )


@pytest.mark.parametrize(
    ("where", "fragment"),
    [
        ("no such folder/net.npz", "the folder {tmp}/no such folder does not exist"),
        ("design.json/net.npz", "the folder {tmp}/design.json does not exist"),
        ("a folder.npz", "{tmp}/a folder.npz is a folder; name a file in it"),
    ],
)
def test_an_export_that_cannot_be_written_is_refused_before_training(
    tmp_path, capsys, monkeypatch, where, fragment
):
    (tmp_path / "a folder.npz").mkdir()
    design = write_design(tmp_path, epochs=1)
    monkeypatch.setattr("nnviz.cli.train._train", lambda trainer: pytest.fail("it trained"))
    assert_refused(
        capsys, [design, "--export", str(tmp_path / where)], fragment.format(tmp=tmp_path)
    )


def test_help_lists_every_export_format_and_the_seed_range(capsys):
    assert train_main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for suffix in (".npz", ".safetensors", ".pt", ".onnx", ".py"):
        assert suffix in text
    assert "0 to 4294967295" in text


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("data\u0000.csv", "it contains a null character"),
        ("~nosuchuser/x.csv", "there is no user 'nosuchuser'"),
    ],
)
def test_impossible_csv_paths_exit_2_with_one_line(tmp_path, capsys, path, fragment):
    design = Design(
        dataset=DatasetSpec("csv", path=path, label_column="y", task="classification"),
        features=(),
    )
    file = tmp_path / "csv.json"
    save_design(design, file)
    assert_refused(capsys, [str(file)], fragment)
