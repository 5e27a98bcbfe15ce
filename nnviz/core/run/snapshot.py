"""What the training loop yields: immutable records of one epoch and of the network's state.

Snapshots carry copies of the weights with the write flag cleared, never views the engine
still writes to, so they can be handed to another thread or process and drawn at leisure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """Where a Trainer's run is (``Snapshot.status``): going on, or why it stopped.

    The training process's :class:`~nnviz.core.run.protocol.SessionState` is the window's
    view of a run (paused, idle, error too); this is the run's own.
    """

    RUNNING = "running"
    FINISHED = "finished"  # reached the epoch limit
    EARLY_STOPPED = "early_stopped"  # test loss stopped improving; best weights restored
    DIVERGED = "diverged"  # the loss blew up (non-finite, or far above its best); weights kept
    CANCELLED = "cancelled"


# The short names the trainer, the panels and ``nnviz train`` compare a status with.
RUNNING, FINISHED, EARLY_STOPPED, DIVERGED, CANCELLED = Status


@dataclass(frozen=True)
class EpochMetrics:
    """One row of the training history (one epoch, or one step when stepping by batch).

    ``train_metric``/``test_metric`` are accuracy for classification and R² for regression;
    ``train_rmse``/``test_rmse`` are NaN for classification. ``grad_norms`` holds the L2 norm
    of each dense layer's weight gradient; ``dead_fraction`` the share of units of each
    hidden layer whose output is zero on every training point (dead ReLUs).
    ``train_recall``/``test_recall`` hold each class's recall (empty for regression).
    """

    epoch: int
    step: int
    train_loss: float
    test_loss: float
    train_metric: float
    test_metric: float
    train_rmse: float
    test_rmse: float
    learning_rate: float
    grad_norms: tuple[float, ...]
    dead_fraction: tuple[float, ...]
    train_recall: tuple[float, ...] = ()
    test_recall: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state after an epoch (or step): its metrics, the weights, and the run's status."""

    metrics: EpochMetrics
    params: tuple[tuple[np.ndarray, np.ndarray], ...]
    status: Status = Status.RUNNING
    message: str = ""


def frozen_copy(params) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Read-only copies of ``[(W, b), ...]``: safe to share while training goes on."""
    out = []
    for w, b in params:
        w, b = np.array(w, copy=True), np.array(b, copy=True)
        w.flags.writeable = False
        b.flags.writeable = False
        out.append((w, b))
    return tuple(out)


def read_only(a: np.ndarray) -> np.ndarray:
    """``a`` itself, its write flag cleared (for arrays nobody else holds)."""
    a.setflags(write=False)  # cheaper than ``a.flags.writeable = False``: called every epoch
    return a


def frozen(params) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Fresh copies of ``[(W, b), ...]`` made read-only in place: a snapshot's weights
    without copying them a second time."""
    return tuple((read_only(w), read_only(b)) for w, b in params)
