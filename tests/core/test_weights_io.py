"""Exported weights come back identical and answer like the engine, in every format."""

import dataclasses
import zipfile

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.files.history_csv import history_csv
from nnviz.core.files.weights_io import (
    WEIGHT_FORMATS,
    WeightsFileError,
    check_compatible,
    load_weights,
    save_weights,
)
from nnviz.core.nn.numpy_engine import forward_layers
from nnviz.core.run.trainer import Trainer

FORMATS = list(WEIGHT_FORMATS)


def _trained(design: Design) -> Trainer:
    trainer = Trainer(design)
    for _ in range(3):
        trainer.step_epoch()
    return trainer


@pytest.fixture(scope="module")
def xor_trainer():
    """Derived features (x1², sin x1, x1·x2) exercise the ONNX graph's feature code."""
    design = Design(
        dataset=DatasetSpec("xor", points=200),
        features=("x1", "x2", "x1^2", "x1*x2", "sin(x2)"),
        layers=(LayerSpec(5, "gelu"), LayerSpec(3, "leaky_relu")),
        training=TrainingSpec(epochs=3, seed=3),
    )
    return _trained(design)


@pytest.fixture(scope="module")
def iris_trainer():
    """Standardised inputs and a softmax output."""
    design = Design(
        dataset=DatasetSpec("iris"),
        features=(),
        layers=(LayerSpec(6, "elu"),),
        training=TrainingSpec(epochs=3),
    )
    return _trained(design)


def _save(tmp_path, trainer, suffix):
    path = tmp_path / f"net{suffix}"
    save_weights(path, trainer.design, trainer.spec, trainer.engine.get_params(), trainer.pipeline)
    return path


def _predict(trainer, params, raw):
    x = trainer.pipeline.transform(raw).astype(np.float32)
    return forward_layers(trainer.spec, params, x)[-1]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("which", ["xor_trainer", "iris_trainer"])
def test_round_trip_keeps_weights_design_and_predictions(tmp_path, request, suffix, which):
    trainer = request.getfixturevalue(which)
    loaded = load_weights(_save(tmp_path, trainer, suffix))
    params = trainer.engine.get_params()
    assert loaded.design == trainer.design
    assert loaded.input_names == tuple(trainer.pipeline.features)
    for (w, b), (lw, lb) in zip(params, loaded.params, strict=True):
        np.testing.assert_array_equal(lw, w)
        np.testing.assert_array_equal(lb, b)
    np.testing.assert_allclose(loaded.input_mean, trainer.pipeline.mean)
    raw = trainer.dataset.x_test
    np.testing.assert_allclose(
        _predict(trainer, loaded.params, raw), _predict(trainer, params, raw), atol=1e-6
    )


@pytest.mark.parametrize("which", ["xor_trainer", "iris_trainer"])
def test_onnx_answers_on_raw_inputs_like_the_engine(tmp_path, request, which):
    ort = pytest.importorskip("onnxruntime")
    trainer = request.getfixturevalue(which)
    path = _save(tmp_path, trainer, ".onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    raw = trainer.dataset.x_test.astype(np.float32)
    (onnx_out,) = session.run(["output"], {"input": raw})
    expected = _predict(trainer, trainer.engine.get_params(), raw.astype(np.float64))
    assert onnx_out.shape == expected.shape
    np.testing.assert_allclose(onnx_out, expected, atol=1e-6)


def test_pt_file_is_a_state_dict_torch_reads_without_pickle(tmp_path, xor_trainer):
    torch = pytest.importorskip("torch")
    state = torch.load(_save(tmp_path, xor_trainer, ".pt"), weights_only=True)
    assert state["layers.0.weight"].shape == (5, 5)
    assert "nnviz-design" in state["_extra_state"]


def test_npz_reads_without_pickle(tmp_path, xor_trainer):
    with np.load(_save(tmp_path, xor_trainer, ".npz"), allow_pickle=False) as archive:
        assert archive["layers.2.weight"].shape == (1, 3)


@pytest.mark.parametrize("suffix", FORMATS)
def test_truncated_file_is_refused_with_its_name(tmp_path, xor_trainer, suffix):
    path = _save(tmp_path, xor_trainer, suffix)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(WeightsFileError, match=f"net{suffix}"):
        load_weights(path)


def test_tampered_shape_is_refused_naming_the_layer(tmp_path, xor_trainer):
    path = _save(tmp_path, xor_trainer, ".npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    arrays["layers.1.weight"] = np.zeros((3, 4), np.float32)
    np.savez(path, **arrays)
    with pytest.raises(WeightsFileError, match=r"layers\.1"):
        load_weights(path)


def test_file_without_design_is_refused(tmp_path):
    path = tmp_path / "bare.npz"
    np.savez(path, **{"layers.0.weight": np.zeros((1, 2))})
    with pytest.raises(WeightsFileError, match="no nnviz design"):
        load_weights(path)


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(WeightsFileError, match=r"junk\.npz"):
        load_weights(path)
    assert not zipfile.is_zipfile(path)


def test_unknown_extension_is_refused(tmp_path, xor_trainer):
    with pytest.raises(WeightsFileError, match=r"\.h5"):
        _save(tmp_path, xor_trainer, ".h5")


def test_check_compatible_names_layer_and_both_shapes(xor_trainer):
    params = xor_trainer.engine.get_params()
    narrower = dataclasses.replace(
        xor_trainer.design, layers=(LayerSpec(4, "gelu"), LayerSpec(3, "leaky_relu"))
    )
    spec = Trainer(narrower).spec
    with pytest.raises(
        WeightsFileError,
        match=r"layers\.0\.weight has shape \(5, 5\), "
        r"the design needs \(4, 5\)",
    ):
        check_compatible(spec, params)
    check_compatible(xor_trainer.spec, params)


def test_history_csv_has_a_row_per_epoch_and_named_layer_columns(xor_trainer):
    text = history_csv(xor_trainer.history, ("hidden 1", "hidden 2", "output"))
    lines = text.splitlines()
    assert lines[0].startswith("epoch,step,train_loss,test_loss")
    assert "grad_norm[output]" in lines[0] and "dead_fraction[hidden 2]" in lines[0]
    assert len(lines) == 1 + len(xor_trainer.history)
    first = lines[1].split(",")
    assert int(first[0]) == xor_trainer.history[0].epoch
    assert float(first[2]) == pytest.approx(xor_trainer.history[0].train_loss)


# --- hostile files: every format, each refused with a WeightsFileError naming the problem ---


def _contents(path) -> tuple[dict, str]:
    """The tensors and metadata of a saved .npz, to write again in any format."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    return arrays, str(arrays.pop("nnviz"))


def _write(path, tensors: dict, metadata: str) -> None:
    """``tensors`` and ``metadata`` in the format ``path`` names, as a hand-made file would."""
    suffix = path.suffix
    if suffix == ".npz":
        np.savez(path, **tensors, nnviz=np.array(metadata))
    elif suffix == ".safetensors":
        from safetensors.numpy import save_file

        save_file(tensors, path, metadata={"nnviz": metadata})
    elif suffix == ".pt":
        import torch

        torch.save(
            {**{k: torch.from_numpy(v) for k, v in tensors.items()}, "_extra_state": metadata}, path
        )
    else:
        from onnx import helper, numpy_helper

        initializers = [
            t if not isinstance(t, np.ndarray) else numpy_helper.from_array(t, name)
            for name, t in tensors.items()
        ]
        model = helper.make_model(helper.make_graph([], "g", [], [], initializer=initializers))
        entry = model.metadata_props.add()
        entry.key, entry.value = "nnviz", metadata
        path.write_bytes(model.SerializeToString())


@pytest.fixture(scope="module")
def xor_contents(tmp_path_factory, xor_trainer):
    return _contents(_save(tmp_path_factory.mktemp("xor"), xor_trainer, ".npz"))


@pytest.mark.parametrize("suffix", FORMATS)
def test_deeply_nested_metadata_is_refused(tmp_path, xor_contents, suffix):
    tensors, _ = xor_contents
    path = tmp_path / f"deep{suffix}"
    _write(path, tensors, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(WeightsFileError, match=rf"deep\{suffix}: .*nested too deeply"):
        load_weights(path)


@pytest.mark.parametrize(
    ("suffix", "tensor", "what"),
    [
        (".npz", np.array(["a", "b", "c"]), "text"),
        (".npz", np.array([b"a", b"b", b"c"]), "bytes"),
        (".npz", np.zeros(3, dtype=[("w", "f4"), ("v", "f4")]), "records"),
        (".npz", np.zeros(3, dtype=complex), "complex numbers"),
        (".npz", np.zeros(3, dtype="M8[s]"), "dates"),
        (".pt", np.zeros(3, dtype=np.complex64), "complex numbers"),
        (".onnx", "string", "text or other objects"),
        (".onnx", np.zeros(3, dtype=np.complex64), "complex numbers"),
    ],
)
def test_a_tensor_that_is_not_real_numbers_is_refused_by_name(
    tmp_path, xor_contents, suffix, tensor, what
):
    tensors, metadata = xor_contents
    if isinstance(tensor, str):  # an ONNX STRING initializer
        from onnx import TensorProto, helper

        tensor = helper.make_tensor("layers.2.bias", TensorProto.STRING, [1], [b"0.5"])
    path = tmp_path / f"odd{suffix}"
    _write(path, {**tensors, "layers.2.bias": tensor}, metadata)
    with pytest.raises(WeightsFileError, match=rf"odd\{suffix}: layers\.2\.bias holds {what}"):
        load_weights(path)


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("input.mean", [0.0, np.nan, 0, 0, 0], r"input\.mean holds non-finite values"),
        ("input.std", [1.0, 1, np.inf, 1, 1], r"input\.std holds non-finite values"),
        ("input.std", [1.0, 1, 1, 0, 1], r"input\.std must be above 0 .* entry 3 is 0"),
        ("input.std", [1.0, -2, 1, 1, 1], r"input\.std must be above 0 .* entry 1 is -2"),
        ("layers.1.weight", np.full((3, 5), np.nan), r"layers\.1\.weight holds non-finite"),
    ],
)
def test_unusable_standardisation_or_weights_are_refused_by_name(
    tmp_path, xor_contents, name, values, message
):
    tensors, metadata = xor_contents
    path = tmp_path / "bad.npz"
    _write(path, {**tensors, name: np.array(values)}, metadata)
    with pytest.raises(WeightsFileError, match=message):
        load_weights(path)


def test_integer_weights_are_read_as_numbers(tmp_path, xor_contents):
    tensors, metadata = xor_contents
    path = tmp_path / "ints.npz"
    _write(path, {**tensors, "layers.2.bias": np.array([3], dtype=np.int16)}, metadata)
    assert load_weights(path).params[2][1].tolist() == [3.0]


@pytest.mark.parametrize("suffix", FORMATS)
def test_truncated_or_corrupted_files_are_read_or_refused(tmp_path, xor_trainer, suffix):
    """Truncation at many offsets and random bytes written over the file: every outcome is a
    network that loads or a WeightsFileError, never another exception."""
    path = _save(tmp_path, xor_trainer, suffix)
    good = path.read_bytes()
    rng = np.random.default_rng(13)
    damaged = [good[:cut] for cut in np.linspace(0, len(good) - 1, 40).astype(int)]
    for _ in range(40):
        data = bytearray(good)
        start = int(rng.integers(len(good)))
        data[start : start + 8] = rng.bytes(8)
        damaged.append(bytes(data))
    refused = 0
    for data in damaged:
        path.write_bytes(data)
        try:
            load_weights(path)
        except WeightsFileError as error:
            assert str(error).startswith(path.name)
            refused += 1
    assert refused >= 40  # every truncation at least
