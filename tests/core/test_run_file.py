"""Run files: a recorded run comes back whole, and a broken one is refused with its reason."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.files.run_file import RunFileError, load_run, save_run
from nnviz.core.run.trainer import Trainer

DESIGN = Design(
    name="recorded",
    dataset=DatasetSpec("xor", points=80),
    layers=(LayerSpec(5, "tanh", 0.2),),
    training=TrainingSpec(optimizer=OptimizerSpec("adam", 0.02), epochs=9, seed=2),
)


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(DESIGN, record_bytes=2**20)
    for _ in trainer.run():
        pass
    return trainer


@pytest.fixture
def run_path(tmp_path, trained):
    path = tmp_path / "xor.nnvizrun"
    save_run(
        path,
        trained.design,
        trained.history,
        trained.checkpoints.checkpoints,
        trained.spec.layer_names,
    )
    return path


def rewrite(path, member: str, data: bytes) -> None:
    """The run file at ``path`` with one member's content replaced."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = data
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_a_run_file_brings_back_the_design_history_and_every_checkpoint(run_path, trained):
    record = load_run(run_path)
    assert record.design == trained.design
    assert len(record.history) == len(trained.history)
    for read, written in zip(record.history, trained.history, strict=True):
        assert read.epoch == written.epoch and read.step == written.step
        assert read.train_loss == pytest.approx(written.train_loss, rel=1e-12)
        assert read.grad_norms == pytest.approx(written.grad_norms, rel=1e-12)
        assert read.test_recall == pytest.approx(written.test_recall, rel=1e-12)
        assert len(read.train_recall) == 2
    originals = trained.checkpoints.checkpoints
    assert [c.epoch for c in record.checkpoints] == [c.epoch for c in originals]
    for read, written in zip(record.checkpoints, originals, strict=True):
        for (w, b), (ow, ob) in zip(read.params, written.params, strict=True):
            np.testing.assert_array_equal(w, ow)
            np.testing.assert_array_equal(b, ob)
        assert set(read.state) == set(written.state)
        for name in read.state:
            np.testing.assert_array_equal(read.state[name], written.state[name])


def test_tensors_are_named_as_in_weights_files_with_the_step_as_prefix(run_path, trained):
    from safetensors.numpy import load

    with zipfile.ZipFile(run_path) as archive:
        tensors = load(archive.read("checkpoints.safetensors"))
        index = json.loads(archive.read("index.json"))
    last = trained.checkpoints.checkpoints[-1]
    assert f"step_{last.step:06d}/layers.0.weight" in tensors
    assert f"step_{last.step:06d}/layers.1.bias" in tensors
    assert index["format"] == "nnviz-run" and index["version"] == 1
    assert index["checkpoints"][-1] == {"step": last.step, "epoch": last.epoch}


def test_a_run_reopened_forks_exactly_like_the_original(run_path, trained):
    record = load_run(run_path)
    fork = Trainer(record.design, record_bytes=2**20)
    start = record.checkpoints[4]
    fork.history = [row for row in record.history if row.step <= start.step]
    fork.restore(start)
    for _ in fork.run():
        pass
    for (w, b), (ow, ob) in zip(fork.engine.get_params(), trained.engine.get_params(), strict=True):
        np.testing.assert_array_equal(w, ow)
        np.testing.assert_array_equal(b, ob)


def test_a_truncated_run_file_is_refused_at_every_length(run_path):
    data = run_path.read_bytes()
    for length in sorted({*range(0, len(data), max(1, len(data) // 60)), len(data) - 1}):
        run_path.write_bytes(data[:length])
        with pytest.raises(RunFileError, match=str(run_path)):
            load_run(run_path)


@pytest.mark.parametrize(
    ("member", "content", "message"),
    [
        ("index.json", b"{not json", "index.json: line 1: not valid JSON"),
        ("index.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("index.json", b'{"format": "nnviz-design", "version": 1}', "not an nnviz run"),
        (
            "index.json",
            b'{"format": "nnviz-run", "version": 7, "checkpoints": []}',
            "made by a newer nnviz",
        ),
        (
            "index.json",
            b'{"format": "nnviz-run", "version": 1, "checkpoints": [{"step": -1, "epoch": 0}]}',
            "whole numbers",
        ),
        ("design.json", b'{"format": "nnviz-design", "version": 1, "layers": 3}', "design.json"),
        ("history.csv", b"epoch,step\n1,2\n", "no column train_loss"),
        ("history.csv", b"\xff\xfe", "not UTF-8"),
        ("checkpoints.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{}", "damaged"),
        ("checkpoints.safetensors", b"", "damaged"),
    ],
)
def test_a_tampered_member_is_named(run_path, member, content, message):
    rewrite(run_path, member, content)
    with pytest.raises(RunFileError, match=message):
        load_run(run_path)


def test_tampered_tensors_are_named(run_path, trained):
    from safetensors.numpy import load, save

    with zipfile.ZipFile(run_path) as archive:
        tensors = load(archive.read("checkpoints.safetensors"))
    step = f"step_{trained.checkpoints.checkpoints[2].step:06d}"
    bad = dict(tensors)
    bad[f"{step}/layers.0.weight"] = np.full((5, 2), np.nan, np.float32)
    rewrite(run_path, "checkpoints.safetensors", save(bad))
    with pytest.raises(RunFileError, match=f"{step}/layers.0.weight holds non-finite"):
        load_run(run_path)
    bad = dict(tensors)
    del bad[f"{step}/layers.1.weight"], bad[f"{step}/layers.1.bias"]
    bad[f"{step}/layers.0.bias"] = np.zeros(3, np.float32)
    rewrite(run_path, "checkpoints.safetensors", save(bad))
    with pytest.raises(RunFileError, match=f"{step}/layers.0"):
        load_run(run_path)


def test_a_foreign_or_missing_file_is_named(tmp_path):
    zipped = tmp_path / "other.nnvizrun"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(RunFileError, match=r"index\.json, design\.json, history\.csv"):
        load_run(zipped)
    with pytest.raises(RunFileError, match="file not found"):
        load_run(tmp_path / "missing.nnvizrun")
    with pytest.raises(RunFileError, match="is a folder"):
        load_run(tmp_path)


def test_nothing_in_a_run_file_is_pickled(run_path):
    with zipfile.ZipFile(run_path) as archive:
        for name in archive.namelist():
            assert b"\x80\x04\x95" not in archive.read(name)  # a pickle protocol 4 frame


def test_nnviz_train_records_a_run_file_that_ends_at_the_exported_weights(tmp_path):
    design_path = tmp_path / "design.json"
    save_design(DESIGN, design_path)
    run_path, weights_path = tmp_path / "run.nnvizrun", tmp_path / "final.npz"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnviz",
            "train",
            str(design_path),
            "--record",
            str(run_path),
            "--export",
            str(weights_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    record = load_run(run_path)
    final = np.load(weights_path, allow_pickle=False)
    last = record.checkpoints[-1]
    assert last.epoch == DESIGN.training.epochs
    for k, (w, b) in enumerate(last.params):
        np.testing.assert_array_equal(w, final[f"layers.{k}.weight"])
        np.testing.assert_array_equal(b, final[f"layers.{k}.bias"])


@pytest.mark.parametrize(
    ("path", "message"),
    [("run.zip", "a run file ends in .nnvizrun"), ("nowhere/run.nnvizrun", "no such folder")],
)
def test_nnviz_train_refuses_a_record_path_before_training(tmp_path, path, message):
    design_path = tmp_path / "design.json"
    save_design(DESIGN, design_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnviz",
            "train",
            str(design_path),
            "--record",
            str(tmp_path / path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1


def test_round_trip_through_bytes_is_stable(run_path):
    once = load_run(run_path)
    again = io.BytesIO(run_path.read_bytes())
    with zipfile.ZipFile(again) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["index.json", "design.json", "history.csv", "checkpoints.safetensors"]
        )
    assert len(once.checkpoints) == 10
