"""nnviz animate: a recorded run drawn by the real panels into a GIF or an MP4, no display."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from nnviz.cli.animate import main as animate
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.run_file import save_run
from nnviz.core.run.trainer import Trainer

DESIGN = Design(
    dataset=DatasetSpec("circle", points=160, noise=0.05),
    layers=(LayerSpec(6, "tanh"),),
    training=TrainingSpec(optimizer=OptimizerSpec("adam", 0.03), epochs=30, seed=1),
)


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    trainer = Trainer(DESIGN, record_bytes=2**20)
    for _ in trainer.run():
        pass
    path = tmp_path_factory.mktemp("runs") / "circle.nnvizrun"
    save_run(
        path, DESIGN, trainer.history, trainer.checkpoints.checkpoints, trainer.spec.layer_names
    )
    return path


def frames_of(path) -> list[np.ndarray]:
    image = Image.open(path)
    frames = []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")))
    return frames


def test_the_regions_of_a_run_become_a_gif_a_frame_per_checkpoint(qapp, run_file, tmp_path, capsys):
    out = tmp_path / "circle.gif"
    assert animate([str(run_file), str(out), "--fps", "10"]) == 0
    frames = frames_of(out)
    assert len(frames) == 31  # the start and each of the 30 epochs
    assert frames[0].shape == frames[-1].shape
    # The network learns: the picture changes, most between the start and the end.
    first_to_last = np.abs(frames[0].astype(int) - frames[-1]).mean()
    assert first_to_last > 5
    assert np.abs(frames[-2].astype(int) - frames[-1]).mean() < first_to_last
    assert "31 frames written" in capsys.readouterr().out


def test_frames_are_capped_and_spread_over_the_run(qapp, run_file, tmp_path):
    out = tmp_path / "few.gif"
    assert animate([str(run_file), str(out), "--frames", "5", "--panel", "window"]) == 0
    frames = frames_of(out)
    assert len(frames) == 5
    assert frames[0].shape[1] > 1000  # every panel, laid out as in the window


def test_an_mp4_is_written_with_imageio(qapp, run_file, tmp_path):
    import imageio.v2 as imageio

    out = tmp_path / "circle.mp4"
    assert animate([str(run_file), str(out), "--frames", "6", "--panel", "weights"]) == 0
    reader = imageio.get_reader(out)
    assert reader.count_frames() == 6
    reader.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{run}", "{tmp}/x.avi"], "unknown animation format"),
        (["{run}", "{tmp}/nowhere/x.gif"], "no such folder"),
        (["{tmp}/missing.nnvizrun", "{tmp}/x.gif"], "file not found"),
        (["{run}", "{tmp}/x.gif", "--fps", "0"], "expected a number from 1 to 60"),
        (["{run}", "{tmp}/x.gif", "--panel", "diagram"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(qapp, run_file, tmp_path, capsys, argv, message):
    argv = [a.format(run=run_file, tmp=tmp_path) for a in argv]
    assert animate(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_truncated_run_file_exits_2_naming_it(qapp, run_file, tmp_path, capsys):
    broken = tmp_path / "broken.nnvizrun"
    broken.write_bytes(run_file.read_bytes()[:-200])
    assert animate([str(broken), str(tmp_path / "x.gif")]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and err.count("\n") == 1
    assert not (tmp_path / "x.gif").exists()


def test_it_needs_no_display(run_file, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    out = tmp_path / "headless.gif"
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "animate", str(run_file), str(out), "--frames", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert Image.open(out).n_frames == 3
