"""A CSV file read into numbers in one linear pass, keeping the text only where it is needed.

A 20,000 × 784 file (MNIST's shape) has 15 million cells: keeping each as a Python string
would take a gigabyte, so every row goes straight into a float64 array, and only the columns
that hold something else than a finite number (text labels, a bad cell) keep their text, from
their first such cell on. Row numbers are counted as a spreadsheet counts them: one per record,
the header being row 1, however many line breaks quoted cells hold.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np

from nnviz.core.data.dataset import DatasetError

DELIMITERS = (",", ";", "\t")
#: ``read_table``'s progress is told after every so many rows.
PROGRESS_ROWS = 500


@dataclass(frozen=True, eq=False)
class Table:
    """A CSV file's header and cells: numbers where the cells are finite numbers, else NaN."""

    name: str  # the file name, for messages
    columns: tuple[str, ...]
    values: np.ndarray  # (rows, columns) float64; NaN where a cell is not a finite number
    rows: np.ndarray  # each data row's row number in the file (the header is row 1)
    texts: dict[int, dict[int, str]]  # column -> {data row index: stripped cell}, see module

    @property
    def index(self) -> dict[str, int]:
        return {column: i for i, column in enumerate(self.columns)}

    def bad(self, column: int) -> np.ndarray:
        """Which rows of ``column`` hold no finite number."""
        return np.isnan(self.values[:, column])

    def text(self, column: int, row: int) -> str:
        """The cell as written (numbers the file held as text are named by their value)."""
        cell = self.texts.get(column, {}).get(row)
        return number_name(self.values[row, column]) if cell is None else cell

    def problem(self, column: int, row: int) -> str:
        """Why the cell at data row ``row`` is not a finite number."""
        return number_problem(self.text(column, row)) or "not a number"

    def where(self, column: int, row: int) -> str:
        """``file, row R, column 'name'``, the place of a cell in a message."""
        return f"{self.name}, row {self.rows[row]}, column {self.columns[column]!r}"


def number_problem(cell: str) -> str | None:
    """Why ``cell`` is not a finite number, or None if it is one."""
    if not cell:
        return "the cell is empty"
    try:
        value = float(cell)
    except ValueError:
        return f"{cell!r} is not a number"
    return None if math.isfinite(value) else f"{cell!r} is not a finite number"


def number_name(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def read_table(path: Path, progress: Callable[[float], None] | None = None) -> Table:
    """Parse the CSV file at ``path``; a file that is not a table is a DatasetError.

    ``progress`` hears the share of the rows parsed now and then (it may raise to stop)."""
    name = path.name
    text = _read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    records = enumerate(_records(text, delimiter), start=1)
    capacity = text.count("\n") + 1
    parser = None
    row_number = 0
    try:
        for row_number, record in records:
            if not "".join(record).strip():
                continue  # a blank line (it still counts as a row, as in a spreadsheet)
            if parser is None:
                parser = _Parser(name, _header(name, record), capacity=capacity)
            else:
                parser.add(row_number, record)
            if progress is not None and row_number % PROGRESS_ROWS == 0:
                progress(min(1.0, row_number / capacity))
    except csv.Error as error:
        raise DatasetError(f"{name}, row {row_number + 1}: {error}") from None
    if parser is None:
        raise DatasetError(f"{name} is empty")
    return parser.table()


def _records(text: str, delimiter: str):
    """The file's records (lists of cells). Without quotes or lone carriage returns a record is
    a line split at the delimiter, as ``csv.reader`` would split it, in a third less time."""
    if '"' not in text:
        lines = text.replace("\r\n", "\n")
        if "\r" not in lines:
            return (line.split(delimiter) for line in lines.split("\n"))
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _read_text(path: Path) -> str:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", newline="", encoding="utf-8-sig") as file:
                return file.read()
        with open(path, newline="", encoding="utf-8-sig") as file:
            return file.read()
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder, not a CSV file") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError):
        raise DatasetError(f"{path.name} is not a UTF-8 text (CSV) file") from None
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None


def _header(name: str, record: list[str]) -> tuple[str, ...]:
    columns = tuple(cell.strip() for cell in record)
    seen = set()
    for number, column in enumerate(columns, start=1):
        if not column:
            raise DatasetError(f"{name}: column {number} of the header has no name")
        if column in seen:
            raise DatasetError(f"{name}: the header names column {column!r} twice")
        seen.add(column)
    return columns


class _Parser:
    """Collects data rows into a float array; a column that holds a cell that is not a finite
    number keeps its cells' text from then on (see the module's docstring)."""

    def __init__(self, name: str, columns: tuple[str, ...], capacity: int) -> None:
        self.name, self.columns = name, columns
        self.values = np.zeros((capacity, len(columns)))  # text columns stay 0 until the end
        self.rows: list[int] = []
        self.texts: dict[int, dict[int, str]] = {}
        self._numeric = list(range(len(columns)))  # columns without text so far
        self._pick = None  # itemgetter of self._numeric once some column holds text

    def add(self, row_number: int, record: list[str]) -> None:
        if len(record) != len(self.columns):
            raise DatasetError(
                f"{self.name}, row {row_number} has {len(record)} cells "
                f"but the header has {len(self.columns)} columns"
            )
        i = len(self.rows)
        self.rows.append(row_number)
        for column, cells in self.texts.items():
            cells[i] = record[column].strip()
        values = self.values[i]
        try:
            if self._pick is None:
                values[:] = record
            else:
                values[self._numeric] = self._pick(record)
            if np.isfinite(values).all():
                return
        except ValueError:
            pass
        self._keep_text_of_bad_cells(i, record)

    def _keep_text_of_bad_cells(self, i: int, record: list[str]) -> None:
        values = self.values[i]
        numeric = []
        for column in self._numeric:
            cell = record[column].strip()
            if number_problem(cell) is None:
                values[column] = float(cell)
                numeric.append(column)
            else:
                self.texts[column] = {i: cell}
        self._numeric = numeric
        self._pick = itemgetter(*numeric) if len(numeric) > 1 else _pick_one(numeric)

    def table(self) -> Table:
        if not self.rows:
            raise DatasetError(f"{self.name} has a header but no data rows")
        values = self.values[: len(self.rows)]
        for column, cells in self.texts.items():
            for i, cell in cells.items():
                values[i, column] = np.nan if number_problem(cell) else float(cell)
        return Table(self.name, self.columns, values, np.array(self.rows), self.texts)


def _pick_one(columns: list[int]):
    """What itemgetter would be for zero or one columns, as a sequence for array assignment."""
    return lambda record: [record[c] for c in columns]


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


def portable_csv_path(path: str, folder: str | os.PathLike) -> str:
    """How a design saved in ``folder`` should name the CSV file at ``path`` (absolute):
    relative to the folder when the file lies below it, so the two move together."""
    resolved = Path(os.path.normpath(path))
    try:
        return resolved.relative_to(Path(os.path.normpath(folder))).as_posix()
    except ValueError:
        return str(resolved)
