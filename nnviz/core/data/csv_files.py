"""The user's own tables: read a CSV file into a Dataset, and export a Dataset as CSV.

Every problem is reported as a DatasetError naming the file and, for a bad cell, its row
(counted as a spreadsheet does: the header is row 1) and column. A column with bad cells can
be left out, or the rows holding them dropped (``drop_bad_rows``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.data.csv_table import Table, csv_path, number_name, read_table
from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.split import shuffle_split
from nnviz.core.design import TASKS
from nnviz.core.files.atomic import atomic_write_text

#: A numeric label with at most this many distinct integer values is taken as classes.
MAX_AUTO_CLASSES = 20
#: More classes than this is almost surely a wrong label column (names, ids).
MAX_CLASSES = 100


@dataclass(frozen=True)
class TaskGuess:
    """The task nnviz guesses for a label column, and why (said to the user)."""

    task: str
    reason: str


@dataclass(frozen=True)
class CsvSummary:
    """What the Data tab shows before the user picks columns."""

    columns: tuple[str, ...]
    rows: int
    numeric: tuple[bool, ...]  # per column: every cell is a finite number
    bad_cells: tuple[int, ...]  # per column: how many cells are not a finite number
    first_problem: tuple[str | None, ...]  # per column: "row 3: 'abc' is not a number"
    guesses: tuple[TaskGuess, ...]  # per column: the task if it were the label

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> CsvSummary:
        """The summary :meth:`to_json` wrote (a cached entry's)."""
        fields = {key: tuple(value) for key, value in data.items() if key != "rows"}
        fields["guesses"] = tuple(TaskGuess(**guess) for guess in data["guesses"])
        return cls(rows=int(data["rows"]), **fields)

    def problem(self, column: str) -> str | None:
        """The column's first bad cell and how many there are, for a message; None if none."""
        index = self.columns.index(column)
        first, count = self.first_problem[index], self.bad_cells[index]
        if first is None:
            return None
        more = f" (and {count - 1} more bad cell{'s' if count > 2 else ''})" if count > 1 else ""
        return f"column {column!r}, {first}{more}"


def inspect_csv(path: str | os.PathLike) -> CsvSummary:
    """Column names, number of data rows, and each column's bad cells and guessed task."""
    return summarize(read_table(csv_path(path)))


def summarize(table: Table) -> CsvSummary:
    """What :func:`inspect_csv` says, of a table already parsed."""
    bad = np.isnan(table.values)
    counts = bad.sum(axis=0)
    firsts = bad.argmax(axis=0)
    first_problem = tuple(
        f"row {table.rows[row]}: {table.problem(column, row)}" if count else None
        for column, (row, count) in enumerate(zip(firsts.tolist(), counts.tolist(), strict=True))
    )
    return CsvSummary(
        table.columns,
        len(table.rows),
        tuple(not count for count in counts.tolist()),
        tuple(counts.tolist()),
        first_problem,
        _guesses(table, bad),
    )


def read_csv_dataset(
    path: str | os.PathLike,
    *,
    label_column: str,
    feature_columns: tuple[str, ...] | list[str] | None = None,
    task: str | None = None,
    train_fraction: float = 0.5,
    seed: int = 0,
    drop_bad_rows: bool = False,
) -> Dataset:
    """Read a table with a header row into a Dataset (``standardize=True``).

    ``feature_columns`` None takes every column but the label. ``task`` None guesses (see
    :class:`TaskGuess`): classification if the label is not numeric or has at most
    MAX_AUTO_CLASSES distinct integer values, regression otherwise. Class names are the label
    values, sorted (numerically when they are numbers). A cell that is not a finite number in
    a feature (or a regression label) is an error naming it, or with ``drop_bad_rows`` its row
    is left out. Rows are shuffled with ``seed`` before the split.
    """
    return table_dataset(
        read_table(csv_path(path)),
        label_column=label_column,
        feature_columns=feature_columns,
        task=task,
        train_fraction=train_fraction,
        seed=seed,
        drop_bad_rows=drop_bad_rows,
    )


def table_dataset(
    table: Table,
    *,
    label_column: str,
    feature_columns: tuple[str, ...] | list[str] | None = None,
    task: str | None = None,
    train_fraction: float = 0.5,
    seed: int = 0,
    drop_bad_rows: bool = False,
) -> Dataset:
    """:func:`read_csv_dataset` of a table already parsed (a change of columns needs no new
    parse)."""
    name, index = table.name, table.index
    choices = ", ".join(table.columns)
    if label_column not in index:
        raise DatasetError(f"{name} has no column {label_column!r} (columns: {choices})")
    if feature_columns is None:
        feature_columns = tuple(c for c in table.columns if c != label_column)
    feature_columns = tuple(feature_columns)
    if not feature_columns:
        raise DatasetError(f"{name}: choose at least one feature column besides the label")
    chosen = set()
    for column in feature_columns:
        if column not in index:
            raise DatasetError(f"{name} has no column {column!r} (columns: {choices})")
        if column == label_column:
            raise DatasetError(f"{name}: the label column {column!r} cannot also be a feature")
        if column in chosen:
            raise DatasetError(f"{name}: feature column {column!r} is chosen twice")
        chosen.add(column)
    if task is not None and task not in TASKS:
        raise DatasetError(f"task {task!r} is not one of {', '.join(TASKS)}")

    label = index[label_column]
    if task is None:
        task = _guess(table, label, table.bad(label)).task
    numeric = [index[c] for c in feature_columns]
    if task == "regression":
        numeric.append(label)
    keep = _usable_rows(table, numeric, label, drop_bad_rows)
    x = table.values[keep][:, [index[c] for c in feature_columns]]
    if task == "regression":
        y = table.values[keep, label]
        names: tuple[str, ...] = ()
    else:
        y, names = _classes(table, label, np.flatnonzero(keep))
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


def _usable_rows(table: Table, numeric: list[int], label: int, drop_bad_rows: bool) -> np.ndarray:
    """The rows to learn from: every row, or with ``drop_bad_rows`` those whose ``numeric``
    cells are finite numbers and whose label is not empty. Otherwise the first bad cell (in
    file order) is the error."""
    bad = np.isnan(table.values[:, numeric])
    label_missing = np.zeros(len(table.rows), dtype=bool)
    for row in np.flatnonzero(table.bad(label)).tolist():
        label_missing[row] = table.text(label, row) == ""
    if drop_bad_rows:
        keep = ~(bad.any(axis=1) | label_missing)
        if not keep.any():
            raise DatasetError(f"{table.name}: every row has a bad cell in the chosen columns")
        return keep
    if bad.any():
        row = int(bad.any(axis=1).argmax())
        column = numeric[int(bad[row].argmax())]
        raise DatasetError(f"{table.where(column, row)}: {table.problem(column, row)}")
    if label_missing.any():
        row = int(label_missing.argmax())
        raise DatasetError(f"{table.where(label, row)}: the label is empty")
    return np.ones(len(table.rows), dtype=bool)


def _classes(table: Table, label: int, rows: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class indices and sorted class names; numbers sort as numbers ("2" before "10")."""
    column = table.columns[label]
    if not table.bad(label)[rows].any():
        values, indices = np.unique(table.values[rows, label], return_inverse=True)
        names = tuple(number_name(v) for v in values.tolist())
    else:
        labels = [table.text(label, i) for i in rows.tolist()]
        names_list, indices = np.unique(np.array(labels, dtype=object), return_inverse=True)
        names = tuple(names_list.tolist())
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
    return indices.astype(np.int64).reshape(-1), names


def _guesses(table: Table, bad: np.ndarray) -> tuple[TaskGuess, ...]:
    return tuple(_guess(table, column, bad[:, column]) for column in range(len(table.columns)))


def _guess(table: Table, column: int, bad: np.ndarray) -> TaskGuess:
    """Classes for text or a few whole numbers; regression for many or fractional numbers."""
    name = table.columns[column]
    values = table.values[:, column]
    if bad.any():
        distinct = len(set(table.texts[column].values()) | set(values[~bad].tolist()))
        return TaskGuess("classification", f"{name!r} holds text: {distinct} different values")
    if not np.array_equal(values, np.round(values)):
        example = number_name(values[values != np.round(values)][0])
        return TaskGuess("regression", f"{name!r} holds fractional numbers such as {example}")
    # whole numbers: a sample says "many" quickly; only a few call for counting them all
    distinct = len(np.unique(values[:1000]))
    if distinct <= MAX_AUTO_CLASSES:
        distinct = len(np.unique(values))
    if distinct <= MAX_AUTO_CLASSES:
        return TaskGuess("classification", f"{name!r} holds {distinct} different whole numbers")
    return TaskGuess(
        "regression", f"{name!r} holds more than {MAX_AUTO_CLASSES} different whole numbers"
    )


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
