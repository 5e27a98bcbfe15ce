"""Run files (``.nnvizrun``): a whole run, its timeline included, to reopen, replay or share.

A run file is a zip archive of four members, each in a format other tools read too:

- ``index.json``: ``{"format": "nnviz-run", "version": 1, "checkpoints": [{"step", "epoch"},
  ...]}``, oldest first;
- ``design.json``: the design, as a design file;
- ``history.csv``: the metrics of every epoch, as *Export → Training history* writes them;
- ``checkpoints.safetensors``: every checkpoint's tensors, named as in the weights files with
  the checkpoint's step as a prefix (``step_000120/layers.0.weight``), beside the optimizer's
  memory and the random generators' states (``step_000120/optimizer.m``,
  ``step_000120/shuffle_rng``, ...).

Nothing in it is pickled. :func:`load_run` checks everything it reads and raises
:class:`RunFileError` naming the problem for a truncated, tampered or foreign file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core.design import Design
from nnviz.core.files.atomic import atomic_write_bytes
from nnviz.core.files.design_file import DesignFileError, design_from_dict, dumps_design
from nnviz.core.files.history_csv import history_csv
from nnviz.core.run.checkpoints import Checkpoint
from nnviz.core.run.snapshot import EpochMetrics

FORMAT = "nnviz-run"
VERSION = 1
SUFFIX = ".nnvizrun"
MEMBERS = ("index.json", "design.json", "history.csv", "checkpoints.safetensors")
#: Refuse members that would unpack to more than this (a zip bomb, or not a run of ours).
MAX_MEMBER_BYTES = 2 * 2**30
_FLOAT_COLUMNS = (
    "train_loss",
    "test_loss",
    "train_metric",
    "test_metric",
    "train_rmse",
    "test_rmse",
    "learning_rate",
)


class RunFileError(ValueError):
    """A run file cannot be read (or written); the message names the file and the problem."""


@dataclass(frozen=True, eq=False)
class RunRecord:
    """What a run file holds: the design, the history of every epoch, the checkpoints."""

    design: Design
    history: tuple[EpochMetrics, ...]
    checkpoints: tuple[Checkpoint, ...]


# --- writing --------------------------------------------------------------------------------


def save_run(
    path: str | os.PathLike[str],
    design: Design,
    history: Sequence[EpochMetrics],
    checkpoints: Sequence[Checkpoint],
    layer_names: Sequence[str],
) -> None:
    """Write a run file atomically (``layer_names`` name the history's per-layer columns)."""
    from safetensors.numpy import save

    tensors: dict[str, np.ndarray] = {}
    for checkpoint in checkpoints:
        prefix = step_prefix(checkpoint.step)
        for k, (w, b) in enumerate(checkpoint.params):
            tensors[f"{prefix}/layers.{k}.weight"] = np.ascontiguousarray(w)
            tensors[f"{prefix}/layers.{k}.bias"] = np.ascontiguousarray(b)
        for name, value in checkpoint.state.items():
            tensors[f"{prefix}/{name}"] = np.ascontiguousarray(value)
    index = {
        "format": FORMAT,
        "version": VERSION,
        "checkpoints": [{"step": c.step, "epoch": c.epoch} for c in checkpoints],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.json", json.dumps(index, indent=1) + "\n")
        archive.writestr("design.json", dumps_design(design))
        archive.writestr("history.csv", history_csv(history, layer_names))
        # Tensors barely compress; storing them keeps saving and opening fast.
        archive.writestr("checkpoints.safetensors", save(tensors), zipfile.ZIP_STORED)
    atomic_write_bytes(path, buffer.getvalue())


def step_prefix(step: int) -> str:
    return f"step_{step:06d}"


# --- reading --------------------------------------------------------------------------------


def load_run(path: str | os.PathLike[str]) -> RunRecord:
    """Read and check the run file at ``path``; every failure is a :class:`RunFileError`."""
    try:
        return _read(path)
    except RunFileError as error:
        raise RunFileError(f"{os.fspath(path)}: {error}") from None


def _read(path) -> RunRecord:
    members = _members(path)
    index = _index(members["index.json"])
    try:
        design = design_from_dict(_json(members["design.json"], "design.json"))
    except DesignFileError as error:
        raise RunFileError(f"design.json: {'; '.join(error.problems)}") from None
    history = _history(members["history.csv"])
    checkpoints = _checkpoints(members["checkpoints.safetensors"], index)
    return RunRecord(design, history, checkpoints)


def _members(path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = [name for name in MEMBERS if name not in names]
            if missing:
                raise RunFileError(
                    f"not a complete run file: {', '.join(missing)} missing from the archive"
                )
            for name in MEMBERS:
                if archive.getinfo(name).file_size > MAX_MEMBER_BYTES:
                    raise RunFileError(f"{name} is larger than {MAX_MEMBER_BYTES >> 30} GB")
            return {name: archive.read(name) for name in MEMBERS}
    except FileNotFoundError:
        raise RunFileError("file not found") from None
    except IsADirectoryError:
        raise RunFileError("is a folder, not a run file") from None
    except zipfile.BadZipFile as error:
        raise RunFileError(f"not a run file, or a damaged one (a zip archive): {error}") from None
    except (OSError, EOFError, ValueError, NotImplementedError) as error:
        if isinstance(error, RunFileError):
            raise
        raise RunFileError(f"cannot read the archive: {error}") from None


def _json(data: bytes, name: str):
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise RunFileError(f"{name} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RunFileError(f"{name}: line {error.lineno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        raise RunFileError(f"{name}: nested too deeply to be ours") from None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _index(data: bytes) -> list[tuple[int, int]]:
    index = _json(data, "index.json")
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise RunFileError(f'index.json: not an nnviz run (it says "format": "{FORMAT}")')
    version = index.get("version")
    if not _whole(version) or version < 1:
        raise RunFileError(f"index.json: version must be a whole number from 1, got {version!r}")
    if version > VERSION:
        raise RunFileError(
            f"index.json: version {version} was made by a newer nnviz (this one reads up to "
            f"{VERSION}); update nnviz to open it"
        )
    entries = index.get("checkpoints")
    if not isinstance(entries, list) or not entries:
        raise RunFileError("index.json: checkpoints must be a non-empty list")
    steps = []
    for i, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or not _whole(entry.get("step"))
            or not _whole(entry.get("epoch"))
        ):
            raise RunFileError(
                f'index.json: checkpoints[{i}] must be {{"step": N, "epoch": N}} with whole numbers'
            )
        if steps and (entry["step"] < steps[-1][0] or entry["epoch"] <= steps[-1][1]):
            raise RunFileError(f"index.json: checkpoints[{i}] is not after the one before it")
        steps.append((entry["step"], entry["epoch"]))
    return steps


def _history(data: bytes) -> tuple[EpochMetrics, ...]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RunFileError("history.csv is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[:2] != ["epoch", "step"]:
        raise RunFileError("history.csv: the first row must name the columns, epoch and step first")
    grads = [i for i, name in enumerate(header) if name.startswith("grad_norm[")]
    deads = [i for i, name in enumerate(header) if name.startswith("dead_fraction[")]
    recalls = {
        split: [i for i, name in enumerate(header) if name.startswith(f"{split}_recall[")]
        for split in ("train", "test")
    }
    position = {name: i for i, name in enumerate(header)}
    missing = [name for name in _FLOAT_COLUMNS if name not in position]
    if missing:
        raise RunFileError(f"history.csv: no column {', '.join(missing)}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise RunFileError(
                f"history.csv row {number}: {len(cells)} cells; the header has {len(header)}"
            )
        try:
            rows.append(
                EpochMetrics(
                    epoch=int(cells[0]),
                    step=int(cells[1]),
                    **{name: _finite_or_nan(cells[position[name]]) for name in _FLOAT_COLUMNS},
                    grad_norms=tuple(_finite_or_nan(cells[i]) for i in grads),
                    dead_fraction=tuple(_finite_or_nan(cells[i]) for i in deads),
                    train_recall=tuple(_finite_or_nan(cells[i]) for i in recalls["train"]),
                    test_recall=tuple(_finite_or_nan(cells[i]) for i in recalls["test"]),
                )
            )
        except ValueError as error:
            raise RunFileError(f"history.csv row {number}: {error}") from None
    return tuple(rows)


def _finite_or_nan(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _checkpoints(data: bytes, index: list[tuple[int, int]]) -> tuple[Checkpoint, ...]:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        tensors = load(data)
    except (SafetensorError, ValueError, TypeError, OverflowError) as error:
        raise RunFileError(f"checkpoints.safetensors is damaged: {error}") from None
    by_step: dict[str, dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        prefix, _, rest = name.partition("/")
        by_step.setdefault(prefix, {})[rest] = value
    expected = {step_prefix(step) for step, _ in index}
    strays = sorted(set(by_step) - expected)
    if strays:
        raise RunFileError(f"checkpoints.safetensors has tensors of no listed step: {strays[0]}")
    checkpoints, shapes = [], None
    for step, epoch in index:
        prefix = step_prefix(step)
        found = by_step.get(prefix)
        if not found:
            raise RunFileError(f"checkpoints.safetensors has no tensors for {prefix}")
        params = _params(found, prefix)
        layer_shapes = [(w.shape, b.shape) for w, b in params]
        if shapes is not None and layer_shapes != shapes:
            raise RunFileError(f"{prefix}: the layers' shapes differ from the first checkpoint's")
        shapes = layer_shapes
        state = {k: v for k, v in found.items() if not k.startswith("layers.")}
        checkpoints.append(Checkpoint(epoch, step, params, state))
    return tuple(checkpoints)


def _params(found: dict[str, np.ndarray], prefix: str):
    params, k = [], 0
    while f"layers.{k}.weight" in found:
        w, b = found[f"layers.{k}.weight"], found.get(f"layers.{k}.bias")
        if b is None:
            raise RunFileError(f"{prefix}/layers.{k}.bias is missing")
        if w.ndim != 2 or b.shape != (w.shape[0],):
            raise RunFileError(
                f"{prefix}/layers.{k}: a weight of shape {w.shape} and a bias of shape "
                f"{b.shape} do not make a layer"
            )
        for name, array in (("weight", w), ("bias", b)):
            if array.dtype.kind != "f":
                raise RunFileError(f"{prefix}/layers.{k}.{name} holds {array.dtype}, not numbers")
            if not np.isfinite(array).all():
                raise RunFileError(f"{prefix}/layers.{k}.{name} holds non-finite numbers")
            array.flags.writeable = False
        if params and params[-1][0].shape[0] != w.shape[1]:
            raise RunFileError(f"{prefix}/layers.{k}.weight does not fit the layer before it")
        params.append((w, b))
        k += 1
    if not params:
        raise RunFileError(f"{prefix} has no layers.0.weight")
    return tuple(params)
