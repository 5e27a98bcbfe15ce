"""Parsed data kept on disk, so that a big file is parsed once: by the window, not again by the
training process, nor the next time the design is opened.

An entry is a folder of ``.npy`` arrays and a ``facts.json`` (the Dataset's other fields),
named by a hash of the data settings and of the files' sizes and modification times: a
changed file is a new entry. Beside the entries, small JSON *notes* keep what a reader said
about a file (a CSV file's columns and bad cells, for the Data tab), by the same identity. The
training process memory-maps the arrays (``np.load(mmap_mode="r")``): the window sends it the
entry's folder, a few bytes, instead of 188 MB of pixels through the pipe, and both processes
share the pages the system keeps of the file. The folder is the user's cache folder
(``~/.cache/nnviz/data`` on Linux, found by platformdirs; ``NNVIZ_CACHE_DIR`` puts it
elsewhere); the oldest entries go once they hold more than ``MAX_BYTES``. Nothing in it is a
pickle: ``allow_pickle=False``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.data.csv_table import csv_path
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.image_files import IDX_FILES
from nnviz.core.design import DatasetSpec
from nnviz.core.files.atomic import atomic_write_text

ENVIRONMENT_VARIABLE = "NNVIZ_CACHE_DIR"
#: Data read from the user's files; everything else is generated in milliseconds.
FILE_KINDS = ("csv", "idx", "npz")
#: The cache's size limit (the oldest entries go first).
MAX_BYTES = 4_000_000_000
#: Raised when the way entries are written changes, so old ones are not misread.
FORMAT = 1
#: The settings besides the files that shape a data set (images keep their official split).
_SHAPING = {
    "csv": ("label_column", "feature_columns", "task", "train_fraction", "seed", "drop_bad_rows"),
}
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
_FACTS = "facts.json"
#: The folder of notes: what a reader said about a file (a CSV file's summary), by file.
_NOTES = "notes"


def cache_dir() -> Path:
    """The folder of entries (not created here)."""
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nnviz", appauthor=False)) / "data"


def source_files(spec: DatasetSpec, base_dir=None) -> list[Path] | None:
    """The files ``spec`` reads, or None for data not read from files or files not there
    (reading them says what is wrong)."""
    if spec.name not in FILE_KINDS or not spec.path:
        return None
    try:
        path = csv_path(spec.path, base_dir)
    except DatasetError:
        return None
    if spec.name != "idx":
        return [path] if path.is_file() else None
    files = []
    for name in IDX_FILES.values():
        found = [p for p in (path / name, path / f"{name}.gz") if p.is_file()]
        if not found:
            return None
        files.append(found[0])
    return files


def data_key(spec: DatasetSpec, base_dir=None) -> str | None:
    """The entry's name: the settings that shape the data and each file's path, size and
    modification time. None for data that is not read from files."""
    files = source_files(spec, base_dir)
    if files is None:
        return None
    settings = {key: getattr(spec, key) for key in _SHAPING.get(spec.name, ())}
    identity = []
    for path in files:
        stat = path.stat()
        identity.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns))
    text = json.dumps([FORMAT, settings, identity], sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class CachedData:
    """Where a parsed data set lies: what crosses to the training process instead of it."""

    folder: str

    def open(self) -> Dataset:
        """The data set, its arrays memory-mapped read-only; DatasetError if the entry is gone
        or damaged."""
        folder = Path(self.folder)
        try:
            facts = json.loads((folder / _FACTS).read_text(encoding="utf-8"))
            arrays = {
                name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                for name in _ARRAYS
            }
            fields = facts["dataset"]
            return Dataset(
                **arrays,
                name=fields["name"],
                task=fields["task"],
                raw_names=tuple(fields["raw_names"]),
                class_names=tuple(fields["class_names"]),
                standardize=bool(fields["standardize"]),
                image_shape=_pair(fields["image_shape"]),
                extent=_pair(fields["extent"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DatasetError(
                f"the cached copy of the data in {folder} is damaged ({error})"
            ) from None


def find(key: str | None) -> CachedData | None:
    """The entry ``key`` names, if it is there (its use is remembered for the size limit)."""
    if key is None:
        return None
    folder = cache_dir() / key
    if not (folder / _FACTS).is_file():
        return None
    with contextlib.suppress(OSError):
        os.utime(folder)
    return CachedData(str(folder))


def store(key: str, dataset: Dataset) -> CachedData:
    """Write ``dataset`` as entry ``key`` (all or nothing: into a new folder, then renamed),
    then drop the oldest entries beyond ``MAX_BYTES``."""
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / key
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    try:
        for name in _ARRAYS:
            np.save(work / f"{name}.npy", np.ascontiguousarray(getattr(dataset, name)))
        fields = {
            "name": dataset.name,
            "task": dataset.task,
            "raw_names": list(dataset.raw_names),
            "class_names": list(dataset.class_names),
            "standardize": dataset.standardize,
            "image_shape": dataset.image_shape,
            "extent": dataset.extent,
        }
        text = json.dumps({"format": FORMAT, "dataset": fields})
        (work / _FACTS).write_text(text, encoding="utf-8")
        try:
            work.rename(final)
        except OSError:  # another window stored it first: theirs is as good
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _trim(root, keep=final)
    return CachedData(str(final))


def read_note(identity: tuple) -> dict | None:
    """The note kept on the file ``identity`` (path, size, modification time), or None."""
    try:
        return json.loads(_note_path(identity).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_note(identity: tuple, note: dict) -> None:
    """Keep ``note`` on the file ``identity`` (all or nothing; no room is no harm)."""
    path = _note_path(identity)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(note))


def _note_path(identity: tuple) -> Path:
    name = hashlib.sha256(json.dumps([FORMAT, list(identity)]).encode()).hexdigest()[:40]
    return cache_dir() / _NOTES / f"{name}.json"


def _trim(root: Path, keep: Path) -> None:
    """Remove the least recently used entries while the cache holds more than MAX_BYTES."""
    entries = []
    for folder in root.iterdir():
        try:
            if folder.name.startswith("."):
                if time.time() - folder.stat().st_mtime > 3600:
                    shutil.rmtree(folder, ignore_errors=True)  # left by a crash mid-write
            elif folder.is_dir() and folder.name != _NOTES:
                size = sum(f.stat().st_size for f in folder.iterdir())
                entries.append((folder.stat().st_mtime, size, folder))
        except OSError:  # another window trimming at the same time
            continue
    total = sum(size for _, size, _ in entries)
    for _, size, folder in sorted(entries, key=lambda entry: entry[0]):
        if total <= MAX_BYTES:
            break
        if folder != keep:
            shutil.rmtree(folder, ignore_errors=True)
            total -= size


def _pair(value) -> tuple | None:
    return None if value is None else tuple(value)
