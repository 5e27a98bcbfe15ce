"""A run's timeline: checkpoints of the weights and optimizer state, kept within a budget.

At the size of a playground's networks keeping the weights along the way is cheap, so a run
can be rewound, replayed and forked. What to keep: every epoch at the start, where things
change fastest, then thinner and thinner. The rule: with a resolution ``K`` (a power of two),
every epoch below ``K`` is kept, and in each later octave ``[K·2ʲ, K·2ʲ⁺¹)`` every ``2ʲ``-th,
so each octave holds ``K`` checkpoints and ``E`` epochs cost about ``K·(1 + log₂(E/K))``.
When the checkpoints outgrow the budget, ``K`` halves and those the new rule drops go. The
start and the latest epoch are always there.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

#: The budget a run's checkpoints may fill by default (a setting in the window).
DEFAULT_BUDGET_BYTES = 64 * 2**20
#: The resolution a recorder starts with: every one of the first 2¹⁶ epochs is kept, if the
#: budget allows.
START_RESOLUTION = 2**16
#: What a NumPy array object costs beside its data (112 bytes with NumPy 2 on 64-bit CPython).
ARRAY_HEADER = sys.getsizeof(np.empty(0))
#: What a checkpoint costs beside its arrays and containers: the instance with its attribute
#: values, its epoch and step (ints) and its place in the recorder's list. Measured with
#: tracemalloc over 10,000 instances on CPython 3.11: 177 bytes each.
CHECKPOINT_OBJECT = 176


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """The state of a run at the end of an epoch: enough to continue it exactly.

    ``params`` are read-only ``[(W, b), ...]``; ``state`` holds the engine's memory (the
    optimizer's moments, the dropout generator; see :data:`nnviz.core.nn.engine.EngineState`)
    and the trainer's shuffling generator (``shuffle_rng``).
    """

    epoch: int
    step: int
    params: tuple[tuple[np.ndarray, np.ndarray], ...]
    state: Mapping[str, np.ndarray]

    @property
    def nbytes(self) -> int:
        """The memory the checkpoint holds, not only its arrays' data: on a playground's
        network (2-8-8-1) the data is a third of it, the arrays' headers, the tuples, the
        dictionary and the instance the rest (measured against tracemalloc in the tests)."""
        arrays = [a for pair in self.params for a in pair]
        arrays += [np.asarray(v) for v in self.state.values()]
        containers = sys.getsizeof(self.params) + sys.getsizeof(self.state)
        containers += sum(sys.getsizeof(pair) for pair in self.params)
        data = sum(a.nbytes for a in arrays)
        return data + ARRAY_HEADER * len(arrays) + containers + CHECKPOINT_OBJECT


def kept(epoch: int, resolution: int) -> bool:
    """Whether the thinning rule keeps ``epoch`` at ``resolution`` (see the module's text)."""
    if epoch < resolution:
        return True
    stride = 1 << ((epoch // resolution).bit_length() - 1)
    return epoch % stride == 0


class CheckpointRecorder:
    """Checkpoints of one run, oldest first, within ``budget_bytes``.

    :meth:`add` takes each epoch's checkpoint in order; the latest is always kept (until the
    next one replaces it, if the rule does not keep it), and the first is never dropped.
    """

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        if budget_bytes <= 0:
            raise ValueError(f"the checkpoint budget must be positive, got {budget_bytes}")
        self.budget_bytes = int(budget_bytes)
        self.resolution = START_RESOLUTION
        self._kept: list[Checkpoint] = []  # the ones the rule keeps, by epoch
        self._latest: Checkpoint | None = None  # the newest, when the rule does not keep it
        self._bytes = 0

    @property
    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint there is, oldest first."""
        return self._kept if self._latest is None else [*self._kept, self._latest]

    @property
    def nbytes(self) -> int:
        return self._bytes + (0 if self._latest is None else self._latest.nbytes)

    def add(self, checkpoint: Checkpoint) -> None:
        """Record the checkpoint of the epoch just ended (epochs only grow)."""
        newest = self.checkpoints[-1] if self.checkpoints else None
        if newest is not None and checkpoint.epoch <= newest.epoch:
            raise ValueError(
                f"checkpoint of epoch {checkpoint.epoch} after one of epoch {newest.epoch}"
            )
        self._latest = None
        if not self._kept or kept(checkpoint.epoch, self.resolution):
            self._kept.append(checkpoint)
            self._bytes += checkpoint.nbytes
        else:
            self._latest = checkpoint
        while self.nbytes > self.budget_bytes and self.resolution > 1:
            self._thin()

    def truncate(self, epoch: int) -> None:
        """Forget every checkpoint after ``epoch`` (a fork continues from there)."""
        self._latest = None if self._latest and self._latest.epoch > epoch else self._latest
        self._kept = [c for c in self._kept if c.epoch <= epoch]
        self._bytes = sum(c.nbytes for c in self._kept)

    def nearest(self, epoch: int) -> Checkpoint:
        """The latest checkpoint at or before ``epoch`` (the first if there is none before)."""
        checkpoints = self.checkpoints
        if not checkpoints:
            raise LookupError("no checkpoints recorded")
        epochs = [c.epoch for c in checkpoints]
        index = int(np.searchsorted(epochs, epoch, side="right")) - 1
        return checkpoints[max(index, 0)]

    def _thin(self) -> None:
        """Halve the resolution and drop what the coarser rule no longer keeps."""
        self.resolution //= 2
        first, *rest = self._kept
        self._kept = [first, *(c for c in rest if kept(c.epoch, self.resolution))]
        self._bytes = sum(c.nbytes for c in self._kept)
