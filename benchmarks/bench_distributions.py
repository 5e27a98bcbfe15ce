"""What measuring the explorer's and the histograms' distributions costs the training process.

    python benchmarks/bench_distributions.py [--seconds 3] [--repeats 3]

Drives the training process's command loop (:class:`TrainingService`, in this process, on the
real clock) through Play for ``--seconds`` and counts the epochs it trains, once as it is
(distributions measured within ``MEASURE_BUDGET`` of its time) and once with measuring turned
off, runs interleaved so that a busy machine slows both alike. Prints epochs/s of each, their
ratio, how many frames carried distributions, and what one measurement costs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.distributions import DistributionMeter
from nnviz.core.run.frames import Frame
from nnviz.core.run.protocol import NewRun, Play
from nnviz.core.run.service import TrainingService

DESIGNS = {
    "2-8-8-1 tanh, xor, batch 10, SGD": Design(
        dataset=DatasetSpec("xor", points=500),
        layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
        training=TrainingSpec(optimizer=OptimizerSpec("sgd", 0.03), batch_size=10, epochs=10**9),
    ),
    "64-128-64-10 relu, digits, batch 32, Adam": Design(
        dataset=DatasetSpec("digits"),
        features=(),
        layers=(LayerSpec(128, "relu"), LayerSpec(64, "relu")),
        training=TrainingSpec(optimizer=OptimizerSpec("adam", 0.001), batch_size=32, epochs=10**9),
    ),
}


def run(design: Design, seconds: float, measure: bool) -> tuple[float, int]:
    """Epochs a second while playing, and how many frames carried distributions."""
    sent = []
    service = TrainingService(sent.append)
    service.handle(NewRun(design, None, 1))
    if not measure:
        service._meter.measure_paced = lambda *args, **kwargs: None
    service.handle(Play())
    start_epoch = service.trainer.epoch
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        service.advance()
    elapsed = time.perf_counter() - started
    measured = sum(1 for m in sent if isinstance(m, Frame) and m.distributions is not None)
    return (service.trainer.epoch - start_epoch) / elapsed, measured


def one_measurement(design: Design, repeats: int = 20) -> float:
    from nnviz.core.run.trainer import Trainer

    trainer = Trainer(design)
    meter = DistributionMeter.of(trainer)
    params = trainer.snapshot().params
    meter.measure(params, 0)
    started = time.perf_counter()
    for _ in range(repeats):
        meter.measure(params, 0)
    return (time.perf_counter() - started) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| network | epochs/s measuring | epochs/s not | ratio | frames measured | one |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, design in DESIGNS.items():
        on, off, frames = [], [], []
        for _ in range(args.repeats):
            speed, measured = run(design, args.seconds, measure=True)
            on.append(speed)
            frames.append(measured / args.seconds)
            off.append(run(design, args.seconds, measure=False)[0])
        with_, without = statistics.median(on), statistics.median(off)
        cost = one_measurement(design) * 1e3
        print(
            f"| {name} | {with_:.1f} | {without:.1f} | {with_ / without:.2f} "
            f"| {statistics.median(frames):.1f}/s | {cost:.1f} ms |"
        )


if __name__ == "__main__":
    main()
