"""The exported state_dict and script rebuild the network and answer like the engine.

The script runs in a subprocess, as a user runs it, on raw points from the command line and
from a CSV file; its printed outputs must match the engine's predictions.
"""

import csv
import io
import runpy
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnviz.core.data.dataset import Dataset  # noqa: E402
from nnviz.core.design import (  # noqa: E402
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    TrainingSpec,
)
from nnviz.core.files.torch_export import script_source, write_script  # noqa: E402
from nnviz.core.files.weights_io import WeightsFileError, save_weights  # noqa: E402
from nnviz.core.run.trainer import Trainer  # noqa: E402


def _trained(design: Design, dataset: Dataset | None = None) -> Trainer:
    trainer = Trainer(design, dataset, engine="torch")
    for _ in range(3):
        trainer.step_epoch()
    return trainer


def _export(tmp_path, trainer: Trainer):
    weights = tmp_path / "model.pt"
    script = tmp_path / "model.py"
    params = trainer.engine.get_params()
    save_weights(
        script, trainer.design, trainer.spec, params, trainer.pipeline, trainer.dataset.class_names
    )
    assert weights.is_file()
    return script


def _run_script(script, *arguments):
    return subprocess.run(
        [sys.executable, str(script), *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=script.parent.parent,
    )


def _printed(result) -> tuple[list[str], list[list[str]]]:
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    return rows[0], rows[1:]


def _engine_outputs(trainer: Trainer, raw: np.ndarray) -> np.ndarray:
    x = trainer.pipeline.transform(raw).astype(trainer.training.dtype)
    return trainer.engine.predict(x)


def _wide_dataset() -> Dataset:
    """Four columns with names that are not Python identifiers, standardised, three classes."""
    rng = np.random.default_rng(5)
    x = rng.normal(loc=[5.0, 3.0, 4.0, 1.0], scale=[0.8, 0.4, 1.7, 0.7], size=(90, 4))
    x = np.column_stack([x, rng.normal(size=(90, 8))])  # unused columns: a long RAW_INPUTS
    y = (x[:, 2] > 3.5).astype(int) + (x[:, 3] > 1.5)
    return Dataset(
        name="flowers",
        task="classification",
        x_train=x[:60],
        y_train=y[:60],
        x_test=x[60:],
        y_test=y[60:],
        raw_names=(
            "sepal length",
            "sepal.width",
            "petal length (cm)",
            "petal width",
            *(f"measurement number {k}" for k in range(8)),
        ),
        class_names=("setosa", "versicolor", "virginica"),
        standardize=True,
    )


@pytest.fixture(scope="module")
def xor_trainer():
    """2D data with derived features, float64."""
    design = Design(
        dataset=DatasetSpec("xor", points=120, noise=0.1),
        features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
        layers=(LayerSpec(5, "gelu"), LayerSpec(4, "leaky_relu")),
        training=TrainingSpec(
            dtype="float64", seed=2, optimizer=OptimizerSpec(name="adam", learning_rate=0.01)
        ),
    )
    return _trained(design)


@pytest.fixture(scope="module")
def wide_trainer():
    """Standardised columns, a chosen subset in another order, softmax, float32."""
    design = Design(
        dataset=DatasetSpec("csv", path="flowers.csv"),
        features=("petal width", "sepal length", "petal length (cm)"),
        layers=(LayerSpec(6, "elu"),),
        training=TrainingSpec(seed=1, optimizer=OptimizerSpec(name="rmsprop", learning_rate=0.01)),
    )
    return _trained(design, _wide_dataset())


def test_state_dict_reads_with_weights_only(tmp_path, xor_trainer):
    path = tmp_path / "net.pt"
    params = xor_trainer.engine.get_params()
    save_weights(path, xor_trainer.design, xor_trainer.spec, params, xor_trainer.pipeline)
    state = torch.load(path, weights_only=True)
    assert "nnviz-design" in state.pop("_extra_state")
    assert list(state) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "layers.2.weight",
        "layers.2.bias",
        "input.mean",
        "input.std",
    ]
    for k, (w, b) in enumerate(params):
        assert state[f"layers.{k}.weight"].shape == w.shape  # (out, in), as nn.Linear
        np.testing.assert_array_equal(state[f"layers.{k}.weight"].numpy(), w)
        np.testing.assert_array_equal(state[f"layers.{k}.bias"].numpy(), b)
    np.testing.assert_array_equal(state["input.mean"].numpy(), xor_trainer.pipeline.mean)
    np.testing.assert_array_equal(state["input.std"].numpy(), xor_trainer.pipeline.std)


def test_script_module_loads_the_state_dict(tmp_path, wide_trainer):
    """The script's nn.Module has exactly the file's tensors, buffers included."""
    script = _export(tmp_path, wide_trainer)
    namespace = runpy.run_path(str(script))
    model = namespace["load_model"]()
    assert isinstance(model.layers, torch.nn.ModuleList)
    assert [name for name, _ in model.named_buffers()] == ["input.mean", "input.std"]
    np.testing.assert_allclose(model.input.std.numpy(), wide_trainer.pipeline.std)
    assert model.layers[0].weight.dtype == torch.float32
    raw = wide_trainer.dataset.x_test
    with torch.no_grad():
        outputs = model(torch.tensor(raw)).numpy()
    np.testing.assert_allclose(outputs, _engine_outputs(wide_trainer, raw), rtol=1e-5, atol=1e-6)


def test_perceptron_trained_by_numpy_exports_too(tmp_path):
    """The step output has no gradient, but a trained perceptron still exports and runs."""
    design = Design(dataset=DatasetSpec("and"), layers=(), output=OutputSpec("step"))
    trainer = Trainer(design, engine="numpy")
    for _ in range(20):
        trainer.step_epoch()
    script = _export(tmp_path, trainer)
    assert "x = (x > 0).to(x.dtype)" in script.read_text()
    model = runpy.run_path(str(script))["load_model"]()
    raw = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    with torch.no_grad():
        outputs = model(torch.tensor(raw)).numpy()
    np.testing.assert_array_equal(outputs, _engine_outputs(trainer, raw))
    assert outputs[:, 0].tolist() == [0.0, 0.0, 0.0, 1.0]  # it learned AND


def test_script_predicts_like_the_engine_from_the_command_line(tmp_path, xor_trainer):
    script = _export(tmp_path, xor_trainer)
    raw = np.array([[-1.2, 0.5], [3.0, -4.25], [0.0, 0.0]])
    header, rows = _printed(_run_script(script, *raw.ravel()))
    assert header == ["x1", "x2", "p(1)", "class"]
    printed = np.array([[float(v) for v in row[2:3]] for row in rows])
    expected = _engine_outputs(xor_trainer, raw)
    np.testing.assert_allclose(printed, expected, rtol=1e-6, atol=1e-12)
    assert [row[3] for row in rows] == [str(int(p > 0.5)) for p in expected[:, 0]]


def test_script_predicts_like_the_engine_from_a_csv_file(tmp_path, wide_trainer):
    script = _export(tmp_path, wide_trainer)
    raw = wide_trainer.dataset.x_test[:12]
    points = tmp_path / "points.csv"
    # Columns in another order than the data set's, plus one the network does not use.
    names = wide_trainer.dataset.raw_names
    order = np.random.default_rng(0).permutation(len(names))
    with points.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", *(names[i] for i in order)])
        writer.writerows([k, *(row[i] for i in order)] for k, row in enumerate(raw))
    header, rows = _printed(_run_script(script, points))
    assert header == [*names, "p(setosa)", "p(versicolor)", "p(virginica)", "class"]
    printed_raw = np.array([[float(v) for v in row[: len(names)]] for row in rows])
    np.testing.assert_array_equal(printed_raw, raw)
    printed = np.array([[float(v) for v in row[len(names) : -1]] for row in rows])
    expected = _engine_outputs(wide_trainer, raw)
    np.testing.assert_allclose(printed, expected, rtol=1e-5, atol=1e-6)
    classes = wide_trainer.dataset.class_names
    assert [row[-1] for row in rows] == [classes[k] for k in expected.argmax(axis=1)]


def test_script_for_a_regression_line(tmp_path):
    design = Design(
        dataset=DatasetSpec("sine", points=80),
        features=("x1", "sin(x1)", "x1^2"),
        layers=(LayerSpec(8, "tanh"),),
        output=OutputSpec(),
        training=TrainingSpec(optimizer=OptimizerSpec(name="adam", learning_rate=0.01)),
    )
    trainer = _trained(design)
    script = _export(tmp_path, trainer)
    raw = np.array([[-2.5], [0.25], [4.0]])
    header, rows = _printed(_run_script(script, *raw.ravel()))
    assert header == ["x1", "prediction"]
    printed = np.array([[float(row[1])] for row in rows])
    np.testing.assert_allclose(printed, _engine_outputs(trainer, raw), rtol=1e-5, atol=1e-6)


def test_script_rejects_bad_input_with_a_message(tmp_path, xor_trainer):
    script = _export(tmp_path, xor_trainer)
    result = _run_script(script, "0.5", "-1.2", "3")
    assert result.returncode == 2
    assert "expected 2 numbers per point (x1, x2), got 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_script_source_is_readable_code(xor_trainer):
    source = script_source(xor_trainer.spec, xor_trainer.pipeline, "model.pt")
    compile(source, "model.py", "exec")
    assert "x1, x2 = raw[:, 0], raw[:, 1]" in source
    assert "torch.stack([x1, x2, x1**2, x2**2, x1 * x2, torch.sin(x1), torch.sin(x2)]" in source
    assert "x = F.gelu(self.layers[0](x))" in source
    assert "x = F.leaky_relu(self.layers[1](x), negative_slope=0.01)" in source
    assert "x = torch.sigmoid(self.layers[2](x))" in source
    assert "weights_only=True" in source
    assert max(len(line) for line in source.splitlines()) <= 100


def test_script_passes_the_linter_and_formatter(tmp_path, wide_trainer):
    """The script is code a user keeps, so it holds our own bar: ruff check and ruff format."""
    pytest.importorskip("ruff")
    script = _export(tmp_path, wide_trainer)
    ruff = [sys.executable, "-m", "ruff"]
    options = ["--isolated", "--line-length", "100"]
    checked = subprocess.run(
        [*ruff, "check", *options, "--select", "E,F,W,I,B,UP,SIM", str(script)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    formatted = subprocess.run(
        [*ruff, "format", *options, "--check", str(script)], capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout


def test_bad_export_arguments_are_named(tmp_path, xor_trainer):
    with pytest.raises(ValueError, match="must be a file name"):
        write_script(tmp_path / "m.py", xor_trainer.spec, xor_trainer.pipeline, "sub/model.pt")
    params = xor_trainer.engine.get_params()[:2]
    with pytest.raises(WeightsFileError, match="holds 2 dense layers"):
        save_weights(
            tmp_path / "m.pt", xor_trainer.design, xor_trainer.spec, params, xor_trainer.pipeline
        )
    assert not (tmp_path / "m.pt").exists()
