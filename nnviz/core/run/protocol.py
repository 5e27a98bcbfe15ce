"""Everything the window and the training process say to each other, one frozen class each.

The window's session (:mod:`nnviz.ui.session`) sends *commands*; the training process
(:mod:`nnviz.core.run.service`) answers with *messages*. Both sides dispatch on the class
(``match``), so a new command or message is one class here and one ``case`` on each side.
Everything here crosses a process boundary: it must pickle, and it carries no Qt object.

A run is numbered by its *generation*, raised by the window for every new run, so messages
of a run already replaced can be told apart and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from nnviz.core.run.checkpoints import DEFAULT_BUDGET_BYTES, Checkpoint
from nnviz.core.run.frames import Frame, RunInfo, Views

if TYPE_CHECKING:
    from nnviz.core.data.cache import CachedData
    from nnviz.core.data.dataset import Dataset
    from nnviz.core.data.features import InputPipeline
    from nnviz.core.design import Design


class SessionState(StrEnum):
    """Where the training process's current run is, as the window's buttons see it.

    Not to be confused with :class:`~nnviz.core.run.snapshot.Status`, which says why a
    Trainer stopped: a session is PAUSED by the user, FINISHED however the run ended
    (epoch limit or early stopping), DIVERGED when it paused itself because training blew up.
    """

    IDLE = "idle"  # a run is ready (or none yet); nothing has trained since the last reset
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # epoch limit reached or stopped early
    DIVERGED = "diverged"  # auto-paused: the loss blew up (non-finite or far above its best)
    ERROR = "error"  # the design could not be built, or training raised


# --- commands: window -> training process ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NewRun:
    """Start run ``generation`` of ``design``: new data, network and initial weights.

    ``dataset`` is the data the window already read: small data itself, big data (read from
    a file) as the disk cache entry it is in, a few bytes instead of the arrays, which the
    process memory-maps (so a big file is parsed once, and not pushed through the pipe); None
    lets the process load it from ``design`` and ``base_dir`` (the folder a relative path
    starts from). The run keeps its timeline of checkpoints within ``record_bytes``.
    """

    design: Design
    base_dir: str | Path | None
    generation: int
    dataset: Dataset | CachedData | None = None
    record_bytes: int = DEFAULT_BUDGET_BYTES


@dataclass(frozen=True, eq=False)
class Update:
    """New live settings for the current run, from its next step (:mod:`nnviz.core.run.live`)."""

    design: Design


@dataclass(frozen=True)
class Reset:
    """The current design again from its initial weights, as run ``generation``."""

    generation: int


@dataclass(frozen=True)
class Play:
    """Train until paused, finished or diverged."""


@dataclass(frozen=True)
class Pause:
    """Stop training after the current mini-batch; a frame follows."""


@dataclass(frozen=True)
class StepEpoch:
    """Train one epoch (or the rest of the current one) and pause."""


@dataclass(frozen=True)
class StepBatch:
    """Train one mini-batch and pause."""


@dataclass(frozen=True, eq=False)
class LoadParams:
    """Imported weights ``[(W, b), ...]`` for the current run (shapes already checked), and
    what the status bar says once they are in."""

    params: list
    notice: str = "Imported weights loaded; training goes on from them."


@dataclass(frozen=True)
class SetSpeed:
    """Epochs per frame, or None for as fast as possible."""

    epochs_per_frame: int | None


@dataclass(frozen=True)
class ShowCheckpoint:
    """The pictures of the current run's latest checkpoint at or before ``epoch`` (the live
    run is left as it is): answered by :class:`CheckpointShown`."""

    epoch: int


@dataclass(frozen=True, eq=False)
class Fork:
    """Continue from the current run's checkpoint at or before ``epoch``, as run
    ``generation``, with the live settings of ``design`` (None: those last sent); the run
    forked stays as it was."""

    epoch: int
    generation: int
    design: Design | None = None


@dataclass(frozen=True)
class SwitchRun:
    """Make run ``generation`` (kept since a fork) the current one again, paused."""

    generation: int


@dataclass(frozen=True, eq=False)
class Adopt:
    """The timeline of a run file for the current run: it continues from the last of
    ``checkpoints`` (oldest first), which become its own."""

    checkpoints: tuple[Checkpoint, ...]


@dataclass(frozen=True)
class SendCheckpoints:
    """Every checkpoint of the current run, for a run file or an animation: answered by
    :class:`CheckpointsSent` with ``purpose`` passed back."""

    purpose: str


@dataclass(frozen=True)
class Stop:
    """End the training process's loop."""


Command = (
    NewRun
    | Update
    | Reset
    | Play
    | Pause
    | StepEpoch
    | StepBatch
    | LoadParams
    | SetSpeed
    | ShowCheckpoint
    | Fork
    | SwitchRun
    | Adopt
    | SendCheckpoints
    | Stop
)


# --- messages: training process -> window ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunStarted:
    """A new run is ready: its unchanging facts and the input pipeline (for exports).

    Sent once per run, before its first :class:`~nnviz.core.run.frames.Frame`.
    """

    info: RunInfo
    pipeline: InputPipeline


@dataclass(frozen=True, eq=False)
class PointsTaken:
    """The current run took on painted points (same generation, weights and history): the
    run's facts with the new points, and the data set they make."""

    info: RunInfo
    dataset: Dataset


@dataclass(frozen=True)
class StateChanged:
    state: SessionState


@dataclass(frozen=True)
class Notice:
    """A sentence for the status bar: why a run paused, what a reset did."""

    text: str


@dataclass(frozen=True)
class Failure:
    """The design could not be built or training raised; the text says what went wrong."""

    text: str


@dataclass(frozen=True, eq=False)
class CheckpointShown:
    """A checkpoint of run ``generation`` as the panels draw it, and the epochs of all its
    checkpoints (oldest first), for stepping between them."""

    generation: int
    epoch: int
    step: int
    params: tuple
    views: Views
    epochs: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class RunRestored:
    """Run ``info.generation`` goes on from the checkpoint of ``epoch`` and ``step``: a fork
    of run ``parent``, or (``parent`` None) the current run given a run file's timeline. A
    frame follows; the history up to the checkpoint is the window's own."""

    info: RunInfo
    parent: int | None
    epoch: int
    step: int


@dataclass(frozen=True, eq=False)
class CheckpointsSent:
    generation: int
    purpose: str
    checkpoints: tuple[Checkpoint, ...]


Message = (
    RunStarted
    | PointsTaken
    | Frame
    | StateChanged
    | Notice
    | Failure
    | CheckpointShown
    | RunRestored
    | CheckpointsSent
)
