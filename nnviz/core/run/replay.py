"""A recorded run played back: the frames the panels would have drawn at each checkpoint.

A run file keeps the design, the history and the checkpoints, not pictures; the pictures are
made again here, from the checkpoints' weights over the run's own view, exactly as the
training process makes them while it trains. ``nnviz animate`` and the window's
*Export → Animation* draw these frames with the real panels.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.files.run_file import RunRecord
from nnviz.core.run.checkpoints import Checkpoint
from nnviz.core.run.distributions import DistributionMeter, Distributions
from nnviz.core.run.frames import Frame, RunInfo
from nnviz.core.run.projection import plane_projection
from nnviz.core.run.run_facts import make_run_info
from nnviz.core.run.snapshot import FINISHED, RUNNING, EpochMetrics, Snapshot
from nnviz.core.run.trainer import Trainer
from nnviz.core.run.views import evaluate_views, view_grid


@dataclass(frozen=True, eq=False)
class Replay:
    """A run ready to be played back: its facts and a way to make the frame of a checkpoint."""

    info: RunInfo
    history: tuple[EpochMetrics, ...]
    checkpoints: tuple[Checkpoint, ...]
    _trainer: Trainer

    def frames(self, indices: Sequence[int] | None = None) -> Iterator[Frame]:
        """One frame per checkpoint (or per index in ``indices``, in order): the history rows
        since the previous frame, the checkpoint's weights and the network's pictures."""
        indices = range(len(self.checkpoints)) if indices is None else indices
        trainer = self._trainer
        data = trainer.dataset
        projection = plane_projection(data.x_train) if data.n_raw > 2 else None
        grid = view_grid(self.info, trainer.pipeline, projection)
        steps = np.array([row.step for row in self.history])
        shown = 0
        for n, index in enumerate(indices):
            checkpoint = self.checkpoints[index]
            upto = int(np.searchsorted(steps, checkpoint.step, side="right"))
            rows = self.history[shown:upto]
            shown = max(shown, upto)
            metrics = self.history[upto - 1] if upto else trainer.snapshot().metrics
            last = n == len(indices) - 1
            snapshot = Snapshot(metrics, checkpoint.params, FINISHED if last else RUNNING)
            views = evaluate_views(grid, trainer.spec, checkpoint.params)
            yield Frame(self.info.generation, tuple(rows), snapshot, views)

    def distributions(self) -> Generator[float, None, tuple[Distributions, ...]]:
        """The histograms of every checkpoint, measured as the training process measures a
        live run's (the same sample, the gradient by one backward pass there); yields the
        share done, returns them in the checkpoints' order."""
        meter = DistributionMeter.of(self._trainer)
        out = []
        for n, checkpoint in enumerate(self.checkpoints):
            out.append(meter.measure(checkpoint.params, checkpoint.epoch))
            yield (n + 1) / len(self.checkpoints)
        return tuple(out)


def replay(record: RunRecord, base_dir: Path | None = None) -> Replay:
    """Prepare ``record`` for playing back (loads its data set; a CSV path in its design is
    relative to ``base_dir``). Raises what :class:`Trainer` raises for unusable data."""
    trainer = Trainer(record.design, base_dir=base_dir, engine="numpy")
    return Replay(make_run_info(trainer, 0), record.history, record.checkpoints, trainer)


def evenly(count: int, most: int) -> list[int]:
    """At most ``most`` indices into ``count`` items, evenly spread, first and last included."""
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})
