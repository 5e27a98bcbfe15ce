"""What ``nnviz train`` costs per step, metrics and all, next to a careful NumPy loop and torch.

    python benchmarks/bench_train.py            # about 2 minutes
    python benchmarks/bench_train.py --quick    # one run of each, smaller MNIST: ~30 s

Two networks, each measured side by side in one run (the machine may be shared and noisy,
so compare the ratios, not the absolute figures):

- TensorFlow Playground's: 2-8-8-1 tanh, squared loss on -1/+1 labels, 500 circle points
  (250 for training), batch 10, SGD 0.03. ``nnviz train``'s own loop (``nnviz.cli.train``,
  per-epoch metrics, snapshots and progress included) with the NumPy and the torch engine,
  against :class:`reference_loop.ReferenceLoop`, which does only the steps.
  Goals: NumPy within 1.25x of the reference; at least 15x the torch engine.
- MNIST-sized: 784-256-128-10 ReLU and softmax on 60,000 images of 28 x 28 (10,000 for
  testing), batch 64, SGD 0.01 and Adam 0.001. One epoch of ``nnviz train`` with each engine
  (metrics included) against an epoch of the usual torch loop doing only the steps.
  Goal: NumPy at least 1.0x torch per epoch. With CUDA, the torch engine on the GPU too
  (goal: 10x the NumPy engine's epoch); without, it says it skipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from reference_loop import ReferenceLoop

from nnviz.cli.train import _train
from nnviz.core.data.dataset import Dataset
from nnviz.core.data.image_files import pixel_names
from nnviz.core.design import (
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    TrainingSpec,
)
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.initializers import init_params
from nnviz.core.run.trainer import Trainer

#: What the figures count: wall time, or with ``--cpu-time`` the CPU time of the process, which
#: on a machine shared with other work leaves out the time the benchmark waited for a core.
clock = time.perf_counter


def playground_design(epochs: int) -> Design:
    return Design(
        dataset=DatasetSpec(name="circle", points=500, train_fraction=0.5, seed=0),
        features=("x1", "x2"),
        layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
        output=OutputSpec("tanh", "mse"),
        training=TrainingSpec(
            optimizer=OptimizerSpec("sgd", 0.03), batch_size=10, epochs=epochs, seed=0
        ),
    )


def time_nnviz_train(design: Design, engine: str, dataset=None) -> tuple[float, int]:
    """Seconds and steps of ``nnviz train``'s loop over the whole run (setup excluded)."""
    trainer = Trainer(design, dataset, engine=engine)
    start = clock()
    _train(trainer)
    return clock() - start, trainer.step


def time_reference(design: Design, epochs: int) -> tuple[float, int]:
    trainer = Trainer(design)  # the same data and initial weights as nnviz train gets
    params = init_params(
        trainer.spec, design.training.initializer, np.random.default_rng(0), np.float32
    )
    loop = ReferenceLoop(params, design.training.optimizer.learning_rate, 10)
    x, t = trainer.x_train, trainer.t_train
    start = clock()
    for _ in range(epochs):
        loop.epoch(x, t)
    return clock() - start, loop.steps


def playground(runs: int, epochs: int) -> None:
    print(f"\n2-8-8-1 tanh, 250 training points, batch 10, SGD: {epochs} epochs, median of {runs}")
    design = playground_design(epochs)
    rows = {
        "reference NumPy loop (steps only)": lambda: time_reference(design, epochs),
        "nnviz train, numpy engine": lambda: time_nnviz_train(design, "numpy"),
        "nnviz train, torch engine": lambda: time_nnviz_train(
            playground_design(max(2, epochs // 20)), "torch"
        ),
    }
    per_step = {name: [] for name in rows}
    for _ in range(runs):  # interleaved, so a busy moment hits every row alike
        for name, measure in rows.items():
            try:
                seconds, steps = measure()
            except (ImportError, EngineUnavailable) as error:
                per_step[name] = None
                print(f"  {name}: unavailable ({error})")
                continue
            if per_step[name] is not None:
                per_step[name].append(seconds / steps)
    results = {name: statistics.median(v) for name, v in per_step.items() if v}
    for name, t in results.items():
        print(f"  {name:38s} {t * 1e6:8.1f} µs/step  {1 / (t * 25):8.0f} epochs/s")
    numpy_row = results["nnviz train, numpy engine"]
    ratio = numpy_row / results["reference NumPy loop (steps only)"]
    print(
        f"  goal: nnviz train within 1.25x of the reference: {ratio:.2f}x {_verdict(ratio <= 1.25)}"
    )
    if "nnviz train, torch engine" in results:
        speedup = results["nnviz train, torch engine"] / numpy_row
        print(f"  goal: at least 15x the torch engine: {speedup:.1f}x {_verdict(speedup >= 15)}")


def mnist_sized(n_train: int, n_test: int) -> Dataset:
    """Random images with MNIST's look (most pixels 0), scaled to [0, 1] like the IDX reader."""
    rng = np.random.default_rng(0)

    def images(n: int) -> np.ndarray:
        x = rng.random((n, 784), dtype=np.float32)
        x[x < 0.8] = 0.0
        return x

    return Dataset(
        name="mnist-sized",
        task="classification",
        x_train=images(n_train),
        y_train=rng.integers(0, 10, n_train),
        x_test=images(n_test),
        y_test=rng.integers(0, 10, n_test),
        raw_names=pixel_names(784),
        class_names=tuple(str(i) for i in range(10)),
        standardize=True,
        image_shape=(28, 28),
    )


def wide_design(optimizer: str, device: str = "cpu") -> Design:
    lr = 0.01 if optimizer == "sgd" else 0.001
    return Design(
        dataset=DatasetSpec(name="idx", path="in memory"),
        features=(),
        layers=(LayerSpec(256, "relu"), LayerSpec(128, "relu")),
        training=TrainingSpec(
            optimizer=OptimizerSpec(optimizer, lr),
            batch_size=64,
            epochs=1,
            initializer="he",
            device=device,
        ),
    )


def torch_eager_epoch(trainer: Trainer, optimizer: str) -> tuple[float, int]:
    """One epoch of the usual torch loop (nn.Sequential, torch.optim), steps only."""
    import torch

    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    lr = trainer.training.optimizer.learning_rate
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    loss_function = nn.CrossEntropyLoss()
    x = torch.from_numpy(trainer.x_train)
    y = torch.from_numpy(trainer.y_train)
    start = clock()
    order = torch.randperm(len(x))
    x, y = x[order], y[order]
    steps = 0
    for s in range(0, len(x), 64):
        opt.zero_grad()
        loss = loss_function(model(x[s : s + 64]), y[s : s + 64])
        loss.backward()
        opt.step()
        loss.item()
        steps += 1
    return clock() - start, steps


def wide(runs: int, dataset: Dataset) -> None:
    n = len(dataset.x_train)
    print(f"\n784-256-128-10 ReLU, {n:,} images, batch 64: one epoch, median of {runs}")
    for optimizer in ("sgd", "adam"):
        design = wide_design(optimizer)
        rows = {
            "nnviz train, numpy engine": lambda d=design: time_nnviz_train(d, "numpy", dataset),
            "nnviz train, torch engine (cpu)": lambda d=design: time_nnviz_train(
                d, "torch", dataset
            ),
            "torch eager loop (steps only)": lambda d=design, o=optimizer: torch_eager_epoch(
                Trainer(d, dataset), o
            ),
        }
        per_epoch = {name: [] for name in rows}
        steps = {}
        for _ in range(runs):
            for name, measure in rows.items():
                try:
                    seconds, steps[name] = measure()
                except (ImportError, EngineUnavailable) as error:
                    print(f"  {name}: unavailable ({error})")
                    continue
                per_epoch[name].append(seconds)
        print(f"  {'SGD 0.01' if optimizer == 'sgd' else 'Adam 0.001'}:")
        results = {name: statistics.median(v) for name, v in per_epoch.items() if v}
        for name, t in results.items():
            print(
                f"    {name:34s} {t:7.2f} s/epoch  {1 / t:6.2f} epochs/s  "
                f"{t / steps[name] * 1e6:7.0f} µs/step"
            )
        if "torch eager loop (steps only)" in results:
            ratio = results["torch eager loop (steps only)"] / results["nnviz train, numpy engine"]
            print(
                f"    goal: numpy at least 1.0x torch per epoch: {ratio:.2f}x "
                f"{_verdict(ratio >= 1)}"
            )
        gpu(design, dataset, results["nnviz train, numpy engine"])


def gpu(design: Design, dataset: Dataset, numpy_epoch: float) -> None:
    try:
        import torch
    except ImportError:
        print("    GPU: torch is not installed; skipped")
        return
    if not torch.cuda.is_available():
        print("    GPU: no CUDA device here; skipped (goal: 10x the NumPy engine per epoch)")
        return
    cuda = dataclasses.replace(design, training=dataclasses.replace(design.training, device="cuda"))
    time_nnviz_train(cuda, "torch", dataset)  # warm-up: kernels, the CUDA context
    seconds = statistics.median(time_nnviz_train(cuda, "torch", dataset)[0] for _ in range(3))
    ratio = numpy_epoch / seconds
    name = torch.cuda.get_device_name(0)
    print(
        f"    GPU ({name}): torch engine {seconds:.2f} s/epoch, {ratio:.1f}x the NumPy engine "
        f"(goal 10x) {_verdict(ratio >= 10)}"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, 12,000 images")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="count the process's CPU time, not wall time (steadier on a shared machine)",
    )
    parser.add_argument("--playground-only", action="store_true", help="only the 2-8-8-1 network")
    args = parser.parse_args(argv)
    global clock
    if args.cpu_time:
        clock = time.process_time
    import platform

    print(f"Python {platform.python_version()}, NumPy {np.__version__}; {platform.machine()}")
    runs = 1 if args.quick else 3
    print(f"counting {'CPU time of the process' if args.cpu_time else 'wall time'}")
    playground(runs, 200 if args.quick else 400)
    if args.playground_only:
        return 0
    dataset = mnist_sized(12_000, 2_000) if args.quick else mnist_sized(60_000, 10_000)
    wide(runs, dataset)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
