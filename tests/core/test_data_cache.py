"""Big data parsed once: the disk cache of parsed data sets and the kept data of a process."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
from mnist_files import write_idx_folder

from nnviz.core.data import cache, csv_table, kept, read_csv_dataset
from nnviz.core.data.cache import CachedData, data_key, find, store
from nnviz.core.data.dataset import DatasetError
from nnviz.core.data.image_files import read_idx_folder
from nnviz.core.data.kept import KeptData
from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.run.protocol import NewRun
from nnviz.core.run.service import TrainingService


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENVIRONMENT_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def write_csv(path, rows=60, seed=0):
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,label"]
    for i in range(rows):
        a, b, c = rng.normal(size=3)
        lines.append(f"{a:.4f},{b:.4f},{c:.4f},{'xyz'[i % 3]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def csv_spec(path, **changes) -> DatasetSpec:
    fields = dict(name="csv", path=str(path), label_column="label", train_fraction=0.75, seed=4)
    fields.update(changes)
    return DatasetSpec(**fields)


def same(a, b) -> None:
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.name, a.task, a.raw_names, a.class_names) == (
        b.name,
        b.task,
        b.raw_names,
        b.class_names,
    )
    assert (a.standardize, a.image_shape, a.extent) == (b.standardize, b.image_shape, b.extent)


def test_an_entry_gives_back_the_data_set_memory_mapped(tmp_path):
    write_idx_folder(tmp_path / "mnist", n_train=30, n_test=9)
    dataset = read_idx_folder(tmp_path / "mnist")
    key = data_key(DatasetSpec(name="idx", path=str(tmp_path / "mnist")))
    assert find(key) is None
    entry = store(key, dataset)
    opened = find(key).open()
    same(opened, dataset)
    assert isinstance(opened.x_train, np.memmap) and not opened.x_train.flags.writeable
    assert len(pickle.dumps(entry)) < 300  # what crosses the pipe instead of the arrays


def test_the_key_follows_the_file_and_the_settings_that_shape_the_data(tmp_path):
    path = write_csv(tmp_path / "t.csv")
    spec = csv_spec(path)
    key = data_key(spec)
    assert data_key(csv_spec(path)) == key
    assert data_key(csv_spec(path, seed=5)) != key
    assert data_key(csv_spec(path, feature_columns=("a", "b"))) != key
    os.utime(path, ns=(1, 1))  # the file changed (its time at least)
    assert data_key(spec) != key
    write_idx_folder(tmp_path / "mnist")
    images = DatasetSpec(name="idx", path=str(tmp_path / "mnist"))
    assert data_key(images) == data_key(DatasetSpec(name="idx", path=images.path, seed=9))
    assert data_key(DatasetSpec(name="xor")) is None  # generated: nothing to cache
    assert data_key(csv_spec(tmp_path / "missing.csv")) is None


def test_a_damaged_entry_is_a_dataset_error(tmp_path):
    write_idx_folder(tmp_path / "mnist")
    key = data_key(DatasetSpec(name="idx", path=str(tmp_path / "mnist")))
    entry = store(key, read_idx_folder(tmp_path / "mnist"))
    (tmp_path / "cache" / key / "x_train.npy").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="damaged"):
        entry.open()


def test_the_oldest_entries_go_beyond_the_size_limit(tmp_path, monkeypatch, cache_folder):
    monkeypatch.setattr(cache, "MAX_BYTES", 1)
    write_idx_folder(tmp_path / "mnist")
    dataset = read_idx_folder(tmp_path / "mnist")
    store("first", dataset)
    store("second", dataset)
    assert sorted(p.name for p in cache_folder.iterdir()) == ["second"]


def test_a_csv_file_is_parsed_once_for_its_summary_its_data_and_a_change_of_columns(tmp_path):
    path = write_csv(tmp_path / "t.csv")
    data = KeptData()
    summary = data.summary(str(path))
    assert summary.columns == ("a", "b", "c", "label") and summary.rows == 60
    dataset = data.get(csv_spec(path))
    same(dataset, read_csv_dataset(path, label_column="label", train_fraction=0.75, seed=4))
    fewer = data.get(csv_spec(path, feature_columns=("a", "c")))
    assert fewer.raw_names == ("a", "c")
    assert data.parses == 1
    assert data.get(csv_spec(path)) is dataset  # kept in memory
    assert data.entry(csv_spec(path)) is not None


def test_another_process_finds_the_parsed_data_in_the_cache_and_parses_nothing(tmp_path):
    path = write_csv(tmp_path / "t.csv")
    first = KeptData()
    parsed = first.get(csv_spec(path))
    second = KeptData()  # as the training process, or the app started again
    assert second.is_ready(csv_spec(path))
    same(second.get(csv_spec(path)), parsed)
    assert second.summary(str(path)).columns == ("a", "b", "c", "label")
    assert second.parses == 0


def test_a_design_opened_again_shows_its_csv_columns_without_a_parse(tmp_path):
    path = write_csv(tmp_path / "t.csv")
    KeptData().get(csv_spec(path))
    again = KeptData()  # the app started again: the Data tab asks first
    assert again.summary(str(path)).columns == ("a", "b", "c", "label")
    again.get(csv_spec(path))
    assert again.parses == 0
    os.utime(path, ns=(1, 1))  # the file changed: its old summary is not used
    fresh = KeptData()
    assert fresh.summary(str(path)).rows == 60 and fresh.parses == 1


def test_progress_is_told_and_raising_from_it_cancels_keeping_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_table, "PROGRESS_ROWS", 10)
    path = write_csv(tmp_path / "t.csv", rows=200)
    data = KeptData()
    shares = []
    data.get(csv_spec(path), progress=shares.append)
    assert shares == sorted(shares) and 0 < shares[0] < 0.5 and shares[-1] == 1.0

    class Stop(Exception):
        pass

    def stop(share):
        raise Stop

    other = csv_spec(tmp_path / "u.csv")
    write_csv(tmp_path / "u.csv", rows=200, seed=1)
    with pytest.raises(Stop):
        data.get(other, progress=stop)
    assert data.peek(other) is None  # nothing half-kept
    assert not data.is_ready(other)


def test_an_unreadable_file_is_kept_as_its_message(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,label\n1,x\n2\n")
    data = KeptData()
    for _ in range(2):
        with pytest.raises(DatasetError, match="row 3 has 1 cells"):
            data.get(csv_spec(path))
    assert data.parses == 1


def test_the_training_process_trains_on_the_cached_entry_without_reading_the_file(
    tmp_path, monkeypatch
):
    path = write_csv(tmp_path / "t.csv")
    window = KeptData()
    window.get(csv_spec(path))
    entry = window.entry(csv_spec(path))
    path.unlink()  # whoever reads the file now fails

    def no_parse(*args, **kwargs):
        raise AssertionError("the training process parsed the file")

    monkeypatch.setattr(kept, "read_table", no_parse)
    design = Design(
        dataset=csv_spec(path),
        features=(),
        layers=(LayerSpec(4, "tanh"),),
        training=TrainingSpec(epochs=3, batch_size=8),
    )
    sent = []
    service = TrainingService(sent.append)
    command = NewRun(design, None, 1, entry)
    assert len(pickle.dumps(command)) < 5000
    service.handle(command)
    assert service.trainer is not None, sent
    assert service.trainer.dataset.raw_names == ("a", "b", "c")
    service.trainer.step_epoch()
    assert isinstance(command.dataset, CachedData)
