"""How long big data takes from Open to training in the window, and how late the window's
event loop gets meanwhile; and what the two ways of handing parsed data to the training
process cost, side by side in one run.

    .venv/bin/python benchmarks/bench_loading.py            # about two minutes
    .venv/bin/python benchmarks/bench_loading.py --rows 2000 --images 6000

Files are made in a temporary folder: a CSV of MNIST's shape (20,000 rows of 784 pixels with
four decimals and a digit label, about 110 MB) and an IDX folder of 60,000 + 10,000 random
28 × 28 images. The disk cache is a temporary folder too, so the first open is cold (parse,
then write the cache) and the second warm (the cache, memory-mapped).

- **Handing over**: the parsed data set pickled through a pipe to a started child process
  (what the window did before) against the cache entry's name through the pipe and the child
  opening the ``.npy`` files memory-mapped (what it does now); each until the child has read
  every training pixel (a sum), so lazily mapped pages are paid for too.
- **In the window** (``MainWindow`` offscreen, the real training process): File → Open of a
  design that uses the file, timed to the design being shown (the data read), to the new
  run's first frame (the training process built it), and to the end of the first epoch; and
  the lateness of a 5 ms timer in the GUI thread during all of it (p99 and worst), and the
  longest turn of the event loop as CPU time (between two of its ticks: what a shared
  machine's load does not inflate).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pickle
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

import numpy as np
from bench_csv import _mnist_shaped
from bench_gui import LatenessProbe, run_for, wait_until, write_mnist_sized
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from nnviz.core.data import cache
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design


def _touch_all(dataset) -> float:
    """Read every training pixel (mapped pages are only read when touched)."""
    return float(dataset.x_train.sum(dtype=np.float64))


def _child_receives(connection) -> None:
    connection.send("ready")  # started and NumPy imported: only the handing over is timed
    item = connection.recv()
    dataset = item.open() if isinstance(item, cache.CachedData) else item
    connection.send(_touch_all(dataset))


def handing_over(spec: DatasetSpec) -> None:
    """Pipe the arrays, or the cache entry's name, to a fresh child (spawned, as the app's)."""
    from nnviz.core.data.kept import KeptData

    kept = KeptData()
    dataset = kept.get(spec)
    entry = kept.entry(spec)
    arrays = ("x_train", "y_train", "x_test", "y_test")
    in_memory = replace(dataset, **{name: np.array(getattr(dataset, name)) for name in arrays})
    context = multiprocessing.get_context("spawn")
    for label, item in (("the arrays through the pipe", in_memory), ("the cache entry", entry)):
        parent, child = context.Pipe()
        process = context.Process(target=_child_receives, args=(child,))
        process.start()
        parent.recv()
        start = time.perf_counter()
        size = len(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        parent.send(item)
        parent.recv()
        seconds = time.perf_counter() - start
        process.join()
        print(f"  {label:<30} {size / 1e6:8.2f} MB pickled, {seconds:6.2f} s to the child")


def design_for(spec: DatasetSpec) -> Design:
    return Design(
        name="benchmark-loading",
        dataset=spec,
        features=(),
        layers=(LayerSpec(256, "relu"), LayerSpec(128, "relu")),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adam", 0.001), batch_size=64, epochs=5, initializer="he"
        ),
    )


def open_in_window(app, design_file: Path, name: str) -> dict:
    """Open ``design_file`` in a fresh window; time the steps to the first epoch."""
    from nnviz.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    session = window.training
    wait_until(lambda: session.latest is not None, 120)  # the default design's run
    probe = LatenessProbe()
    probe.start()
    start = time.perf_counter()
    window.open_design(design_file)
    opened = time.perf_counter() - start
    wait_until(lambda: window.design.name == name, 600)
    shown = time.perf_counter() - start
    generation = session.generation
    wait_until(
        lambda: (
            session.run_info is not None
            and session.run_info.generation == generation
            and session.latest is not None
        ),
        600,
    )
    first_frame = time.perf_counter() - start
    session.step_epoch()
    wait_until(lambda: session.epoch >= 1, 600)
    first_epoch = time.perf_counter() - start
    probe.timer.stop()
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()
    run_for(0.2)
    return {
        "open returns": opened,
        "data read, design shown": shown,
        "new run's first frame": first_frame,
        "first epoch trained": first_epoch,
        "lateness p99 ms": float(np.percentile(probe.lateness, 99)),
        "lateness max ms": float(np.max(probe.lateness)),
        "longest turn ms": probe.longest_turn,
    }


def report(label: str, figures: dict) -> None:
    times = ", ".join(f"{k} {v:.2f} s" for k, v in figures.items() if " ms" not in k)
    print(
        f"  {label}: {times}; GUI timer late p99 {figures['lateness p99 ms']:.1f} ms, "
        f"worst {figures['lateness max ms']:.0f} ms; longest GUI turn "
        f"{figures['longest turn ms']:.0f} ms of CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the MNIST-shaped CSV")
    parser.add_argument("--images", type=int, default=60_000, help="training images of the IDX")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    app.setOrganizationName("nnviz-benchmark")
    QSettings().clear()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.environ[cache.ENVIRONMENT_VARIABLE] = str(folder / "cache")
        csv_file = folder / "mnist.csv"
        _mnist_shaped(csv_file, args.rows)
        (folder / "idx").mkdir()
        write_mnist_sized(folder / "idx", n_train=args.images, n_test=args.images // 6)
        specs = {
            "csv": DatasetSpec(name="csv", path=str(csv_file), label_column="label"),
            "idx": DatasetSpec(name="idx", path=str(folder / "idx")),
        }
        print(
            f"{csv_file.name}: {args.rows:,} × 785, {csv_file.stat().st_size / 1e6:.0f} MB; "
            f"IDX: {args.images:,} + {args.images // 6:,} images of 28 × 28"
        )
        for kind, spec in specs.items():
            save_design(design_for(spec), folder / f"{kind}.json")
        from nnviz.core.data.kept import KEPT

        print("File → Open to the first epoch (784-256-128-10, Adam, batch 64):")
        for kind in specs:
            for when in ("cold: parsed", "warm: from the cache"):
                KEPT.__init__()  # as a newly started app: nothing in memory
                figures = open_in_window(app, folder / f"{kind}.json", "benchmark-loading")
                report(f"{kind}, {when} ({KEPT.parses} parse)", figures)
        print("handing the parsed data to the training process:")
        for kind, spec in specs.items():
            print(f" {kind}:")
            handing_over(spec)


if __name__ == "__main__":
    main()
