"""MNIST-format data: IDX folders and Keras-style .npz files, written here, read back, broken."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mnist_files import idx_bytes, write_idx_folder, write_npz

from nnviz.core.data import DatasetError, load_dataset
from nnviz.core.data.image_files import IDX_FILES, read_idx, read_idx_folder, read_npz
from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.files.design_file import DesignFileError, design_from_dict, design_to_dict
from nnviz.core.run.trainer import Trainer

# --- reading good files -----------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_keeps_the_official_split_and_scales_pixels(tmp_path, gz):
    arrays = write_idx_folder(tmp_path / "mnist", gz=gz)
    data = read_idx_folder(tmp_path / "mnist")
    train_images, train_labels = arrays["train", "images"], arrays["train", "labels"]
    assert data.x_train.shape == (40, 30) and data.x_test.shape == (12, 30)
    assert data.x_train.dtype == np.float32
    np.testing.assert_allclose(data.x_train, train_images.reshape(40, 30) / 255, rtol=1e-6)
    np.testing.assert_allclose(
        data.x_test, arrays["test", "images"].reshape(12, 30) / 255, rtol=1e-6
    )
    np.testing.assert_array_equal(data.y_train, train_labels)
    np.testing.assert_array_equal(data.y_test, arrays["test", "labels"])
    assert data.image_shape == (6, 5)
    assert data.standardize and data.task == "classification"
    assert data.n_raw == 30 and data.raw_names[0] == "pixel 1"
    assert data.n_classes == max(train_labels.max(), arrays["test", "labels"].max()) + 1


def test_npz_reads_like_keras_mnist(tmp_path):
    arrays = write_npz(tmp_path / "mnist.npz")
    data = read_npz(tmp_path / "mnist.npz")
    np.testing.assert_allclose(data.x_train, arrays["x_train"].reshape(40, 30) / 255, rtol=1e-6)
    np.testing.assert_array_equal(data.y_test, arrays["y_test"])
    assert data.image_shape == (6, 5) and data.name == "mnist"


def test_design_kinds_load_relative_to_the_design_folder(tmp_path):
    write_idx_folder(tmp_path / "digits")
    write_npz(tmp_path / "digits.npz")
    from_idx = load_dataset(DatasetSpec(name="idx", path="digits"), base_dir=tmp_path)
    from_npz = load_dataset(DatasetSpec(name="npz", path="digits.npz"), base_dir=tmp_path)
    np.testing.assert_array_equal(from_idx.x_train, from_npz.x_train)
    np.testing.assert_array_equal(from_idx.y_test, from_npz.y_test)


def test_progress_is_reported_up_to_one(tmp_path):
    write_idx_folder(tmp_path / "m")
    heard = []
    load_dataset(DatasetSpec(name="idx", path=str(tmp_path / "m")), progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == 1.0 and len(heard) >= 4


def test_the_trainer_standardises_each_pixel_on_the_training_images(tmp_path):
    arrays = write_idx_folder(tmp_path / "m")
    design = Design(
        dataset=DatasetSpec(name="idx", path=str(tmp_path / "m")),
        features=(),
        layers=(LayerSpec(4, "relu"),),
        training=TrainingSpec(epochs=2, batch_size=8),
    )
    trainer = Trainer(design)
    pixels = arrays["train", "images"].reshape(40, 30).astype(np.float64) / 255
    np.testing.assert_allclose(trainer.pipeline.mean, pixels.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(trainer.pipeline.std, pixels.std(axis=0), rtol=1e-4)
    np.testing.assert_allclose(trainer.x_train.mean(axis=0), 0, atol=1e-5)
    assert trainer.x_train.dtype == np.float32
    assert trainer.spec.sizes == (30, 4, trainer.dataset.n_classes)
    trainer.step_epoch()
    assert trainer.epoch == 1


def test_design_files_name_the_new_kinds_and_need_their_path():
    design = Design(dataset=DatasetSpec(name="npz", path="mnist.npz"), features=())
    again = design_from_dict(json.loads(json.dumps(design_to_dict(design))))
    assert again.dataset.name == "npz" and again.dataset.path == "mnist.npz"
    raw = design_to_dict(Design(dataset=DatasetSpec(name="idx"), features=()))
    with pytest.raises(DesignFileError, match=r"dataset.path: required when the data set is 'idx'"):
        design_from_dict(raw)


def test_a_missing_path_is_a_clear_message():
    with pytest.raises(DatasetError, match="needs a folder of IDX files"):
        load_dataset(DatasetSpec(name="idx"))


# --- broken files: each message names the file and the problem ---------------------------------


def _break(folder, key, data: bytes):
    (folder / IDX_FILES[key]).write_bytes(data)


@pytest.mark.parametrize(
    ("key", "corrupt", "message"),
    [
        (("train", "images"), lambda a: b"\x12\x34" + idx_bytes(a)[2:], "bad magic number"),
        (("train", "labels"), lambda a: idx_bytes(a)[:-3], "truncated: the header promises"),
        (("test", "images"), lambda a: idx_bytes(a)[:6], "truncated inside its header"),
        (("test", "images"), lambda a: idx_bytes(a) + b"\0", "1 bytes more than the header"),
        (("train", "labels"), lambda a: idx_bytes(a.reshape(-1, 1, 1)), "3 dimensions"),
        (("train", "images"), lambda a: idx_bytes(a[:-1]), "the counts must agree"),
        (("test", "labels"), lambda a: idx_bytes(np.where(a == a[3], 12, a)), "out of range"),
        (("train", "images"), lambda a: idx_bytes(a)[:3], "not even an IDX header"),
    ],
)
def test_broken_idx_files_are_named_with_their_problem(tmp_path, key, corrupt, message):
    arrays = write_idx_folder(tmp_path)
    _break(tmp_path, key, corrupt(arrays[key]))
    with pytest.raises(DatasetError, match=message) as error:
        read_idx_folder(tmp_path)
    assert "ubyte" in str(error.value)


def test_label_out_of_range_names_the_image(tmp_path):
    arrays = write_idx_folder(tmp_path)
    labels = arrays["train", "labels"].copy()
    labels[7] = 10
    _break(tmp_path, ("train", "labels"), idx_bytes(labels))
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte: label 10 of image 8"):
        read_idx_folder(tmp_path)


def test_missing_files_and_folders(tmp_path):
    with pytest.raises(DatasetError, match="no such folder"):
        read_idx_folder(tmp_path / "nowhere")
    write_idx_folder(tmp_path)
    (tmp_path / IDX_FILES["test", "labels"]).unlink()
    with pytest.raises(DatasetError, match=r"no t10k-labels-idx1-ubyte \(or t10k-labels"):
        read_idx_folder(tmp_path)
    with pytest.raises(DatasetError, match="not a folder"):
        read_idx_folder(tmp_path / IDX_FILES["train", "images"])


def test_a_broken_gzip_is_named(tmp_path):
    write_idx_folder(tmp_path, gz=True)
    path = tmp_path / f"{IDX_FILES['train', 'images']}.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: truncated"):
        read_idx_folder(tmp_path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: not a readable gzip"):
        read_idx_folder(tmp_path)


def test_a_header_of_another_type_is_refused(tmp_path):
    data = bytearray(idx_bytes(np.zeros(4, np.uint8)))
    data[2] = 0x0D  # float32
    (tmp_path / "labels").write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="labels: values of type 0x0d"):
        read_idx(tmp_path / "labels", ndim=1)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"y_train": np.zeros(39, np.int64)}, "mnist.npz: y_train: 39 labels for the 40 images"),
        ({"y_test": np.full(12, -1)}, "mnist.npz: y_test: label -1 of image 1 is out of range"),
        ({"x_train": np.zeros((40, 30))}, r"x_train has shape \(40, 30\)"),
        ({"x_test": np.full((12, 6, 5), 300)}, "x_test: grey levels from 300 to 300"),
        ({"x_test": np.zeros((12, 6, 5), np.float32)}, "x_test holds float32"),
        ({"y_train": np.zeros(40) + 0.5}, "y_train holds float64, not whole numbers"),
        ({"x_test": np.zeros((12, 4, 4), np.uint8)}, "test images of 4 × 4 pixels"),
    ],
)
def test_broken_npz_files_are_named_with_their_problem(tmp_path, override, message):
    write_npz(tmp_path / "mnist.npz", **override)
    with pytest.raises(DatasetError, match=message):
        read_npz(tmp_path / "mnist.npz")


def test_npz_without_its_arrays_or_with_pickles(tmp_path):
    np.savez(tmp_path / "a.npz", images=np.zeros((3, 2, 2), np.uint8))
    with pytest.raises(DatasetError, match=r"a.npz: no x_train, y_train, x_test, y_test array"):
        read_npz(tmp_path / "a.npz")
    objects = np.array([{"x": 1}] * 40, dtype=object)
    write_npz(tmp_path / "b.npz", y_train=objects)
    with pytest.raises(DatasetError, match=r"b.npz: not a usable .npz file"):
        read_npz(tmp_path / "b.npz")
    (tmp_path / "c.npz").write_bytes((tmp_path / "b.npz").read_bytes()[:100])
    with pytest.raises(DatasetError, match=r"c.npz: not a readable .npz file"):
        read_npz(tmp_path / "c.npz")
    with pytest.raises(DatasetError, match="no such file"):
        read_npz(tmp_path / "missing.npz")


# --- fuzz: any corruption is a DatasetError naming the file, never another exception -------------


def test_fuzzed_idx_files_fail_only_with_named_dataset_errors(tmp_path):
    rng = np.random.default_rng(0)
    good = write_idx_folder(tmp_path / "good")
    for trial in range(120):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        key = list(IDX_FILES)[trial % 4]
        for other, name in IDX_FILES.items():
            data = bytearray(idx_bytes(good[other]))
            if other == key:
                if trial % 3 == 0:
                    data = data[: rng.integers(0, len(data))]
                else:
                    for _ in range(rng.integers(1, 4)):
                        data[rng.integers(0, min(len(data), 20))] = rng.integers(0, 256)
            (folder / name).write_bytes(bytes(data))
        try:
            data = read_idx_folder(folder)
        except DatasetError as error:
            assert "ubyte" in str(error) or str(folder) in str(error)
        else:
            assert np.isfinite(data.x_train).all() and data.y_train.max() < 10


def test_fuzzed_npz_files_fail_only_with_named_dataset_errors(tmp_path):
    rng = np.random.default_rng(1)
    write_npz(tmp_path / "good.npz")
    good = (tmp_path / "good.npz").read_bytes()
    for trial in range(80):
        data = bytearray(good)
        if trial % 2:
            data = data[: rng.integers(0, len(data))]
        else:
            for _ in range(rng.integers(1, 6)):
                data[rng.integers(0, len(data))] = rng.integers(0, 256)
        path = tmp_path / f"t{trial}.npz"
        path.write_bytes(bytes(data))
        try:
            read_npz(path)
        except DatasetError as error:
            assert str(error).startswith(path.name)
