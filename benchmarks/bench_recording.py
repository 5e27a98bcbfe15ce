"""What recording a run's timeline costs: the training loop with and without checkpoints.

    python benchmarks/bench_recording.py [--epochs 2000] [--repeats 5]

Trains the same design with ``Trainer`` (every metric of every epoch, as ``nnviz train`` and
the window do) with and without a checkpoint recorder, runs interleaved so that a busy machine
slows both alike, and prints epochs/s of each and their ratio; then what one checkpoint costs
against one epoch, measured directly (on a loaded machine the ratio's noise is larger than
the cost it measures). Two networks: TensorFlow
Playground's (2-8-8-1 tanh, 500 xor points, batch 10, SGD), where a checkpoint is tiny and the
epoch short, and a 64-128-64-10 ReLU network on the digits with Adam, where a checkpoint holds
two moment vectors.
"""

from __future__ import annotations

import argparse
import statistics
import time

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES
from nnviz.core.run.trainer import Trainer

DESIGNS = {
    "2-8-8-1 tanh, xor, batch 10, SGD": Design(
        dataset=DatasetSpec("xor", points=500),
        layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
        training=TrainingSpec(optimizer=OptimizerSpec("sgd", 0.03), batch_size=10),
    ),
    "64-128-64-10 relu, digits, batch 32, Adam": Design(
        dataset=DatasetSpec("digits"),
        features=(),
        layers=(LayerSpec(128, "relu"), LayerSpec(64, "relu")),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", 0.001), batch_size=32),
    ),
}


def epochs_per_second(design: Design, epochs: int, record: bool) -> tuple[float, int, int]:
    trainer = Trainer(design, record_bytes=DEFAULT_BUDGET_BYTES if record else None)
    started = time.perf_counter()
    for _ in range(epochs):
        trainer.step_epoch()
    seconds = time.perf_counter() - started
    recorder = trainer.checkpoints
    kept = 0 if recorder is None else len(recorder.checkpoints)
    return epochs / seconds, kept, 0 if recorder is None else recorder.nbytes


def checkpoint_share(design: Design, repeats: int = 2000) -> tuple[float, float]:
    """Seconds a checkpoint takes, and an epoch (the median of five), on a trained run."""
    trainer = Trainer(design)
    trainer.step_epoch()
    started = time.perf_counter()
    for _ in range(repeats):
        trainer.checkpoint()
    checkpoint = (time.perf_counter() - started) / repeats
    epochs = []
    for _ in range(5):
        started = time.perf_counter()
        trainer.step_epoch()
        epochs.append(time.perf_counter() - started)
    return checkpoint, statistics.median(epochs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| network | without recording | with recording | ratio | checkpoints kept |")
    print("| --- | --- | --- | --- | --- |")
    for name, design in DESIGNS.items():
        epochs = args.epochs if "xor" in name else max(1, args.epochs // 40)
        plain, recorded = [], []
        for _ in range(args.repeats):
            plain.append(epochs_per_second(design, epochs, record=False)[0])
            speed, kept, nbytes = epochs_per_second(design, epochs, record=True)
            recorded.append(speed)
        a, b = statistics.median(plain), statistics.median(recorded)
        print(
            f"| {name} | {a:,.0f} epochs/s | {b:,.0f} epochs/s | {b / a:.2f} | "
            f"{kept} ({nbytes / 2**20:.1f} MB) |"
        )
    print()
    print("| network | a checkpoint | an epoch | share |")
    print("| --- | --- | --- | --- |")
    for name, design in DESIGNS.items():
        checkpoint, epoch = checkpoint_share(design)
        print(
            f"| {name} | {checkpoint * 1e6:,.0f} µs | {epoch * 1e3:,.2f} ms | "
            f"{checkpoint / epoch:.2%} |"
        )


if __name__ == "__main__":
    main()
