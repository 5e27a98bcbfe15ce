"""The user's own tables: read a CSV file into a Dataset, and export a Dataset as CSV.

Every problem is reported as a DatasetError naming the file and, for a bad cell, its row
(counted as a spreadsheet does: the header is row 1) and column.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.split import shuffle_split
from nnviz.core.design import TASKS
from nnviz.core.files.atomic import atomic_write_text

#: A numeric label with at most this many distinct integer values is taken as classes.
MAX_AUTO_CLASSES = 20
#: More classes than this is almost surely a wrong label column (names, ids).
MAX_CLASSES = 100
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvSummary:
    """What the import dialog shows before the user picks columns."""

    columns: tuple[str, ...]
    rows: int
    numeric: tuple[bool, ...]  # per column: every cell is a finite number


@dataclass(frozen=True)
class _Table:
    name: str  # the file name, for messages
    columns: tuple[str, ...]
    cells: list[list[str]]  # data rows, stripped
    rows: list[int]  # each data row's row number in the file (the header is row 1)

    def column(self, column: str) -> list[str]:
        index = self.columns.index(column)
        return [row[index] for row in self.cells]

    def numbers(self, columns: list[str] | tuple[str, ...]) -> np.ndarray:
        """The columns as a float64 array (rows, columns); the first bad cell is an error."""
        indices = [self.columns.index(c) for c in columns]
        text = np.array(self.cells, dtype=str).reshape(len(self.cells), -1)[:, indices]
        with contextlib.suppress(ValueError):
            values = text.astype(np.float64)
            if np.isfinite(values).all():
                return values
        # NumPy's parser refused something: find the first bad cell the slow, precise way
        for row, cells in zip(self.rows, self.cells, strict=True):
            for column, index in zip(columns, indices, strict=True):
                problem = _number_problem(cells[index])
                if problem:
                    raise DatasetError(f"{self.name}, row {row}, column {column!r}: {problem}")
        return np.array([[float(cells[i]) for i in indices] for cells in self.cells])


def _number_problem(cell: str) -> str | None:
    """Why ``cell`` is not a finite number, or None if it is one."""
    if not cell:
        return "the cell is empty"
    try:
        value = float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    return None if math.isfinite(value) else f"{cell!r} is not a finite number"


def csv_path(path: str | os.PathLike, base_dir: str | os.PathLike | None = None) -> Path:
    """Where the CSV file a design names lies: ``~`` expanded, a relative path taken relative to
    ``base_dir`` (the design file's folder). A path no file can have is a DatasetError."""
    text = os.fspath(path)
    if "\0" in text:
        raise DatasetError(f"{text!r} cannot be a file path: it contains a null character")
    try:
        resolved = Path(text).expanduser()
    except RuntimeError:  # pathlib's way to say "~name" names no user
        user = text[1:].replace("\\", "/").split("/", 1)[0]
        raise DatasetError(f"{text}: there is no user {user!r} whose home folder ~ names") from None
    if not resolved.is_absolute() and base_dir is not None:
        resolved = Path(base_dir) / resolved
    return resolved


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return open(path, newline="", encoding="utf-8-sig")


def _read_table(path: str | os.PathLike) -> _Table:
    path = csv_path(path)
    name = path.name
    try:
        with _open_text(path) as file:
            text = file.read()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder, not a CSV file") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError):
        raise DatasetError(f"{name} is not a UTF-8 text (CSV) file") from None
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None

    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise DatasetError(f"{name}, row {reader.line_num}: {error}") from None
    records = [(line, [cell.strip() for cell in row]) for line, row in records if any(row)]
    if not records:
        raise DatasetError(f"{name} is empty")

    columns = records[0][1]
    for index, column in enumerate(columns, start=1):
        if not column:
            raise DatasetError(f"{name}: column {index} of the header has no name")
        if columns.index(column) != index - 1:
            raise DatasetError(f"{name}: the header names column {column!r} twice")
    data = records[1:]
    if not data:
        raise DatasetError(f"{name} has a header but no data rows")
    for line, row in data:
        if len(row) != len(columns):
            raise DatasetError(
                f"{name}, row {line} has {len(row)} cells but the header has {len(columns)} columns"
            )
    return _Table(name, tuple(columns), [row for _, row in data], [line for line, _ in data])


def inspect_csv(path: str | os.PathLike) -> CsvSummary:
    """Column names, number of data rows, and which columns are entirely numeric."""
    table = _read_table(path)
    numeric = tuple(
        all(_number_problem(cell) is None for cell in table.column(column))
        for column in table.columns
    )
    return CsvSummary(table.columns, len(table.cells), numeric)


def read_csv_dataset(
    path: str | os.PathLike,
    *,
    label_column: str,
    feature_columns: tuple[str, ...] | list[str] | None = None,
    task: str | None = None,
    train_fraction: float = 0.5,
    seed: int = 0,
) -> Dataset:
    """Read a table with a header row into a Dataset (``standardize=True``).

    ``feature_columns`` None takes every column but the label. ``task`` None guesses:
    classification if the label is not numeric or has at most MAX_AUTO_CLASSES distinct
    integer values, regression otherwise. Class names are the label values, sorted
    (numerically when they are numbers). Rows are shuffled with ``seed`` before the split.
    """
    table = _read_table(path)
    name = table.name
    choices = ", ".join(table.columns)
    if label_column not in table.columns:
        raise DatasetError(f"{name} has no column {label_column!r} (columns: {choices})")
    if feature_columns is None:
        feature_columns = tuple(c for c in table.columns if c != label_column)
    feature_columns = tuple(feature_columns)
    if not feature_columns:
        raise DatasetError(f"{name}: choose at least one feature column besides the label")
    for column in feature_columns:
        if column not in table.columns:
            raise DatasetError(f"{name} has no column {column!r} (columns: {choices})")
        if column == label_column:
            raise DatasetError(f"{name}: the label column {column!r} cannot also be a feature")
        if feature_columns.count(column) > 1:
            raise DatasetError(f"{name}: feature column {column!r} is chosen twice")
    if task is not None and task not in TASKS:
        raise DatasetError(f"task {task!r} is not one of {', '.join(TASKS)}")

    x = table.numbers(feature_columns)
    labels = table.column(label_column)
    if task is None:
        task = _guess_task(labels)
    if task == "regression":
        y = table.numbers([label_column])[:, 0]
        names: tuple[str, ...] = ()
    else:
        y, names = _classes(table, label_column, labels)
    x_train, y_train, x_test, y_test = shuffle_split(
        x, y, train_fraction=train_fraction, rng=np.random.default_rng(seed)
    )
    return Dataset(
        name="csv",
        task=task,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        raw_names=feature_columns,
        class_names=names,
        standardize=True,
    )


def _as_numbers(labels: list[str]) -> list[float] | None:
    values = []
    for label in labels:
        if _number_problem(label):
            return None
        values.append(float(label))
    return values


def _guess_task(labels: list[str]) -> str:
    values = _as_numbers(labels)
    if values is None:
        return "classification"
    distinct = set(values)
    if len(distinct) <= MAX_AUTO_CLASSES and all(v.is_integer() for v in distinct):
        return "classification"
    return "regression"


def _classes(table: _Table, column: str, labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class indices and sorted class names; numbers sort as numbers ("2" before "10")."""
    for row, label in zip(table.rows, labels, strict=True):
        if not label:
            raise DatasetError(f"{table.name}, row {row}, column {column!r}: the label is empty")
    values = _as_numbers(labels)
    if values is not None:
        labels = [_number_name(v) for v in values]
        distinct = sorted(set(values))
        names = tuple(_number_name(v) for v in distinct)
    else:
        names = tuple(sorted(set(labels)))
    if len(names) < 2:
        raise DatasetError(
            f"{table.name}: the label column {column!r} has only one value ({names[0]!r}); "
            "classification needs at least two classes"
        )
    if len(names) > MAX_CLASSES:
        raise DatasetError(
            f"{table.name}: the label column {column!r} has {len(names)} different values; "
            f"pick a column with at most {MAX_CLASSES} classes or choose regression"
        )
    index = {label: i for i, label in enumerate(names)}
    return np.array([index[label] for label in labels], dtype=np.int64), names


def _number_name(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def save_dataset_csv(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write raw inputs, the label (class name or target) and a "split" column (train/test).

    Saved like every other file (:mod:`nnviz.core.files.atomic`): a failed export leaves an
    existing file as it was, and the file gets the umask's mode or keeps the old file's.
    """
    path = Path(path)
    label = _free_name("label", dataset.raw_names)
    split = _free_name("split", (*dataset.raw_names, label))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([*dataset.raw_names, label, split])
    for part, x, y in (
        ("train", dataset.x_train, dataset.y_train),
        ("test", dataset.x_test, dataset.y_test),
    ):
        targets = (
            [dataset.class_names[i] for i in y.tolist()]
            if dataset.task == "classification"
            else y.tolist()
        )
        for row, target in zip(x.tolist(), targets, strict=True):
            writer.writerow([*row, target, part])
    try:
        atomic_write_text(path, text.getvalue())
    except OSError as error:
        raise DatasetError(f"cannot write {path}: {error.strerror or error}") from None


def _free_name(name: str, taken: tuple[str, ...]) -> str:
    """``name``, or ``name_2``, ``name_3``, ... if a column already has it."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}_{number}"
    return candidate
