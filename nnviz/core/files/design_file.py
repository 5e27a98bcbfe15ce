"""Design files: a :class:`~nnviz.core.design.Design` as readable, versioned JSON.

Everything that reads a design (the editor, the command line, the examples) goes through
:func:`design_from_dict`, which checks every field, collects every problem with the path of
the field, and returns a design only when there is none: a file never half-loads.

A file states its format version. When the format changes, ``CURRENT_VERSION`` goes up by one
and ``MIGRATIONS[n]`` turns a version ``n`` document into a version ``n + 1`` document, so a
file of any earlier version keeps opening (``tests/data/design-v*.json`` prove it).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from nnviz.core.data.catalog import (
    CLASSES_RANGE,
    NOISE_RANGE,
    POINTS_RANGE,
    TRAIN_FRACTION_RANGE,
)
from nnviz.core.design import (
    DATASET_NAMES,
    DATASETS_2D,
    DEVICES,
    DTYPES,
    ENGINES,
    FEATURES_2D,
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    MAX_DESCRIPTION_LENGTH,
    MAX_LAYERS,
    MAX_NAME_LENGTH,
    MAX_UNITS,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    SCHEDULES,
    DatasetSpec,
    Design,
    LayerSpec,
    OptimizerSpec,
    OutputSpec,
    ScheduleSpec,
    TrainingSpec,
)
from nnviz.core.files.atomic import atomic_write_text

FORMAT = "nnviz-design"
CURRENT_VERSION = 1

#: ``MIGRATIONS[n]`` turns a version ``n`` document into a version ``n + 1`` document.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

TASKS = ("classification", "regression")
MAX_SEED = 2**32 - 1
MAX_TEXT_LENGTH = 4096  # a path, a column name


class DesignFileError(ValueError):
    """A design cannot be read; ``problems`` lists each one as ``"field.path: message"``."""

    def __init__(self, problems: list[str], file: str | os.PathLike[str] | None = None):
        self.problems = list(problems)
        self.file = None if file is None else str(file)
        super().__init__(self._message())

    def _message(self) -> str:
        where = self.file or "design"
        if len(self.problems) == 1:
            return f"{where}: {self.problems[0]}"
        listed = "\n".join(f"  {problem}" for problem in self.problems)
        return f"{where}: {len(self.problems)} problems\n{listed}"

    def __reduce__(self):
        # Survives pickling (a design may be read in the training process).
        return type(self), (self.problems, self.file)


# --- writing ------------------------------------------------------------------------------


def design_to_dict(design: Design) -> dict[str, Any]:
    """The JSON document of ``design``: every field written out, tuples as lists."""
    return {"format": FORMAT, "version": CURRENT_VERSION, **_plain(design)}


def dumps_design(design: Design) -> str:
    """The design file's text: indented JSON with a trailing newline.

    A short list or object of plain values stays on one line (a layer, the features), so the
    file reads like the documentation's example and is easy to edit by hand.
    """
    return _format(design_to_dict(design), indent=0, column=0) + "\n"


def save_design(design: Design, path: str | os.PathLike[str]) -> None:
    """Write ``design`` to ``path`` atomically, after checking it would load again.

    Raises :class:`DesignFileError` for an invalid design (the file is then untouched) and
    ``OSError`` if the file cannot be written (the old file is then intact).
    """
    design_from_dict(design_to_dict(design))
    atomic_write_text(path, dumps_design(design))


LINE_LENGTH = 100


def _format(value: Any, indent: int, column: int) -> str:
    """JSON text of ``value``, starting at ``column`` of a line indented by ``indent``."""
    flat = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if not isinstance(value, dict | list):
        return flat
    children = list(value.values()) if isinstance(value, dict) else value
    is_leaf = not any(isinstance(child, dict | list) for child in children)
    if indent > 0 and is_leaf and column + len(flat) + 1 <= LINE_LENGTH:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        lines = []
        for key, child in value.items():
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}: "
            lines.append(head + _format(child, indent + 2, len(head)))
        opening, closing = "{", "}"
    else:
        lines = [pad + _format(child, indent + 2, len(pad)) for child in value]
        opening, closing = "[", "]"
    return f"{opening}\n" + ",\n".join(lines) + f"\n{' ' * indent}{closing}"


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


# --- reading ------------------------------------------------------------------------------


def load_design(path: str | os.PathLike[str]) -> Design:
    """Read and check the design file at ``path``; every failure is a :class:`DesignFileError`."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise DesignFileError(["file not found"], path) from None
    except IsADirectoryError:
        raise DesignFileError(["is a folder, not a design file"], path) from None
    except OSError as exc:
        raise DesignFileError([f"cannot read the file: {exc.strerror or exc}"], path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"byte {exc.start}: not UTF-8 text; is this really a design file?"
        raise DesignFileError([problem], path) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
        raise DesignFileError([problem], path) from None
    except (ValueError, RecursionError) as exc:
        raise DesignFileError([f"not valid JSON: {exc}"], path) from None
    try:
        return design_from_dict(doc)
    except DesignFileError as exc:
        raise DesignFileError(exc.problems, path) from None


def design_from_dict(doc: Any) -> Design:
    """Check a parsed design document (of any known version) and build the design.

    Upgrades an older document with ``MIGRATIONS`` first. Collects every problem before
    raising :class:`DesignFileError`; returns a design only when there is none.
    """
    doc = _upgrade(doc)
    problems: list[str] = []
    design = _DESIGN.read(doc, "", problems)
    if problems:
        raise DesignFileError(problems)
    return design


def _upgrade(doc: Any) -> dict:
    """Check the format name and version, and migrate an older document to the current one."""
    if not isinstance(doc, dict):
        raise DesignFileError([f"document: expected a JSON object {{...}}, got {_kind(doc)}"])
    if doc.get("format") != FORMAT:
        found = f"format {_short(doc['format'])}" if "format" in doc else "no format name"
        raise DesignFileError(
            [f'format: not an nnviz design ({found}; a design file says "format": "{FORMAT}")']
        )
    version = doc.get("version")
    if "version" not in doc:
        raise DesignFileError([f"version: missing (this nnviz writes version {CURRENT_VERSION})"])
    if not _is_int(version) or version < 1:
        raise DesignFileError([f"version: expected a whole number from 1, got {_short(version)}"])
    if version > CURRENT_VERSION:
        raise DesignFileError(
            [
                f"version: {version} was made by a newer nnviz (this one reads versions up to "
                f"{CURRENT_VERSION}); update nnviz to open it"
            ]
        )
    while version < CURRENT_VERSION:
        try:
            doc = MIGRATIONS[version](copy.deepcopy(doc))
            doc["version"] = version + 1
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            raise DesignFileError(
                [f"version: cannot upgrade from version {version}: {type(exc).__name__}: {exc}"]
            ) from None
        version += 1
    return doc


def _check_design(parts: dict[str, Any], path: str, problems: list[str]) -> None:
    """Rules that tie a design's fields together, checked on the fields valid on their own."""
    dataset, features = parts["dataset"], parts["features"]
    if dataset is not _INVALID and features is not _INVALID:
        _check_features(dataset, features, problems)
    if parts["output"] is not _INVALID:
        _check_output(parts["output"], parts["layers"], problems)


def _check_dataset(parts: dict[str, Any], path: str, problems: list[str]) -> None:
    """A CSV data set must say which file to read and which column holds the labels."""
    if parts["name"] == "csv":
        for key in ("path", "label_column"):
            if parts[key] is None:
                problems.append(f"{_join(path, key)}: required when the data set is 'csv'")


def _check_features(dataset: DatasetSpec, features: tuple[str, ...], problems: list[str]) -> None:
    """2D data sets offer FEATURES_2D; other data sets' columns are checked against the data."""
    if dataset.name not in DATASETS_2D:
        return
    if not features:
        problems.append(f"features: choose at least one of {', '.join(FEATURES_2D)}")
    for i, feature in enumerate(features):
        if feature not in FEATURES_2D:
            problems.append(
                f"features[{i}]: {_not_one_of(feature, FEATURES_2D)} "
                f"(the inputs of the 2D data set {dataset.name!r})"
            )


def _check_output(output: OutputSpec, layers: Any, problems: list[str]) -> None:
    """Output activation and loss pairs that no data set can make work."""
    activation, loss = output.activation, output.loss
    if activation == "step":
        if layers is not _INVALID and layers:
            problems.append(
                "output.activation: a 'step' output (the perceptron) takes no hidden layers; "
                f"remove the {len(layers)} hidden layer(s) or choose another output"
            )
        if loss not in ("auto", "perceptron"):
            problems.append(f"output.loss: a 'step' output trains with 'perceptron', not {loss!r}")
    elif loss == "perceptron":
        problems.append("output.loss: 'perceptron' needs a 'step' output activation")
    elif loss == "categorical_cross_entropy" and activation not in ("auto", "softmax"):
        problems.append(
            f"output.loss: 'categorical_cross_entropy' needs a 'softmax' output, not {activation!r}"
        )
    elif loss == "binary_cross_entropy" and activation not in ("auto", "sigmoid"):
        problems.append(
            f"output.loss: 'binary_cross_entropy' needs a 'sigmoid' output, not {activation!r}"
        )


# --- field rules: each reads one JSON value, appends problems, returns the value or INVALID ---

_INVALID = object()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """How a JSON value's type reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{_short(value)} (an integer)"
    if isinstance(value, float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{_short(value)} (a string)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number with thousands of digits"
    return text if len(text) <= 60 else text[:57] + "..."


def _not_one_of(value: str, options: tuple[str, ...]) -> str:
    message = f"{_short(value)} is not one of {', '.join(options)}"
    close = _close_match(value, options)
    return f"{message} (did you mean {close[0]!r}?)" if close else message


def _close_match(word: str, options: tuple[str, ...]) -> list[str]:
    """The option ``word`` was probably meant to be, if any (long strings are no typos)."""
    return difflib.get_close_matches(word, options, n=1) if len(word) <= 40 else []


class _Int:
    def __init__(self, low: int, high: int | None = None):
        self.low, self.high = low, high

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if not _is_int(value):
            problems.append(f"{path}: expected a whole number, got {_kind(value)}")
            return _INVALID
        if value < self.low or (self.high is not None and value > self.high):
            limits = f"at least {self.low}" if self.high is None else f"{self.low} to {self.high}"
            problems.append(f"{path}: {_short(value)} is out of range ({limits})")
            return _INVALID
        return value


class _Real:
    """A finite number between ``low`` and ``high``; ``open_low``/``open_high`` exclude them."""

    def __init__(self, low: float, high: float | None = None, *, open_low=False, open_high=False):
        self.low, self.high, self.open_low, self.open_high = low, high, open_low, open_high

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{path}: expected a number, got {_kind(value)}")
            return _INVALID
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{path}: expected a finite number, got {value!r}")
            return _INVALID
        too_low = value <= self.low if self.open_low else value < self.low
        too_high = self.high is not None and (
            value >= self.high if self.open_high else value > self.high
        )
        if too_low or too_high:
            problems.append(f"{path}: {_short(value)} is out of range ({self._limits()})")
            return _INVALID
        try:
            return float(value)
        except OverflowError:
            problems.append(f"{path}: {_short(value)} is too large")
            return _INVALID

    def _limits(self) -> str:
        low = f"{'above' if self.open_low else 'at least'} {self.low:g}"
        if self.high is None:
            return low
        return f"{low} and {'below' if self.open_high else 'at most'} {self.high:g}"


class _Choice:
    def __init__(self, options: tuple[str, ...], *, optional: bool = False):
        self.options, self.optional = options, optional

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            problems.append(
                f"{path}: expected one of {', '.join(self.options)}, got {_kind(value)}"
            )
            return _INVALID
        if value not in self.options:
            problems.append(f"{path}: {_not_one_of(value, self.options)}")
            return _INVALID
        return value


class _Text:
    def __init__(self, max_length: int, *, optional: bool = False, allow_empty: bool = True):
        self.max_length, self.optional, self.allow_empty = max_length, optional, allow_empty

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {_kind(value)}")
            return _INVALID
        if not value and not self.allow_empty:
            problems.append(f"{path}: must not be empty")
            return _INVALID
        if len(value) > self.max_length:
            problems.append(
                f"{path}: too long ({len(value)} characters; at most {self.max_length})"
            )
            return _INVALID
        return value


class _Flag:
    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false, got {_kind(value)}")
            return _INVALID
        return value


class _Names:
    """A list of distinct, non-empty strings (input features, CSV columns), read as a tuple."""

    def __init__(self, *, optional: bool = False):
        self.optional = optional
        self.item = _Text(MAX_TEXT_LENGTH, allow_empty=False)

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, list | tuple):
            problems.append(f"{path}: expected a list of names, got {_kind(value)}")
            return _INVALID
        before = len(problems)
        names = [self.item.read(item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        if len(problems) > before:
            return _INVALID
        for i, name in enumerate(names):
            if name in names[:i]:
                problems.append(f"{path}[{i}]: {_short(name)} is listed twice")
        return _INVALID if len(problems) > before else tuple(names)


class _ListOf:
    def __init__(self, item: Any, max_items: int):
        self.item, self.max_items = item, max_items

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if not isinstance(value, list | tuple):
            problems.append(f"{path}: expected a list, got {_kind(value)}")
            return _INVALID
        if len(value) > self.max_items:
            problems.append(f"{path}: {len(value)} items; at most {self.max_items}")
            return _INVALID
        items = [self.item.read(item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        return _INVALID if any(item is _INVALID for item in items) else tuple(items)


class _Object:
    """A JSON object read into a dataclass; absent keys keep the dataclass's defaults.

    ``check`` sees every field (the default if absent, ``_INVALID`` if it failed its rule), so
    rules between fields are checked and reported along with the fields' own problems.
    """

    def __init__(
        self,
        cls: type,
        rules: Mapping[str, Any],
        check: Callable[[dict[str, Any], str, list[str]], None] | None = None,
        also_allowed: tuple[str, ...] = (),
    ):
        self.cls, self.rules, self.check, self.also_allowed = cls, rules, check, also_allowed
        self.defaults = {f.name: getattr(cls(), f.name) for f in fields(cls)}

    def read(self, value: Any, path: str, problems: list[str]) -> Any:
        if not isinstance(value, dict):
            problems.append(f"{path or 'document'}: expected an object {{...}}, got {_kind(value)}")
            return _INVALID
        before = len(problems)
        values = {}
        for key, item in value.items():
            rule = self.rules.get(key)
            if rule is not None:
                values[key] = rule.read(item, _join(path, key), problems)
            elif key not in self.also_allowed:
                problems.append(
                    f"{_join(path, str(key) or chr(34) * 2)}: {self._unknown(str(key))}"
                )
        if self.check is not None:
            self.check({**self.defaults, **values}, path, problems)
        return _INVALID if len(problems) > before else self.cls(**values)

    def _unknown(self, key: str) -> str:
        known = (*self.also_allowed, *self.rules)
        close = _close_match(key, known)
        if close:
            return f"unknown key; did you mean {close[0]!r}?"
        return f"unknown key (expected {', '.join(known)})"


_OUTPUT = _Object(OutputSpec, {"activation": _Choice(OUTPUT_ACTIVATIONS), "loss": _Choice(LOSSES)})

_LAYER = _Object(
    LayerSpec,
    {
        "units": _Int(1, MAX_UNITS),
        "activation": _Choice(HIDDEN_ACTIVATIONS),
        "dropout": _Real(0, 1, open_high=True),
    },
)

_DATASET = _Object(
    DatasetSpec,
    {
        "name": _Choice(DATASET_NAMES),
        "noise": _Real(*NOISE_RANGE),
        "points": _Int(*POINTS_RANGE),
        "train_fraction": _Real(*TRAIN_FRACTION_RANGE),
        "seed": _Int(0, MAX_SEED),
        "classes": _Int(*CLASSES_RANGE),
        "path": _Text(MAX_TEXT_LENGTH, optional=True, allow_empty=False),
        "label_column": _Text(MAX_TEXT_LENGTH, optional=True, allow_empty=False),
        "feature_columns": _Names(optional=True),
        "task": _Choice(TASKS, optional=True),
    },
    check=_check_dataset,
)

_OPTIMIZER = _Object(
    OptimizerSpec,
    {
        "name": _Choice(OPTIMIZERS),
        "learning_rate": _Real(0, 100, open_low=True),
        "momentum": _Real(0, 1, open_high=True),
        "beta1": _Real(0, 1, open_high=True),
        "beta2": _Real(0, 1, open_high=True),
        "rho": _Real(0, 1, open_high=True),
        "epsilon": _Real(0, 1, open_low=True),
        "weight_decay": _Real(0),
    },
)

_SCHEDULE = _Object(
    ScheduleSpec,
    {
        "name": _Choice(SCHEDULES),
        "step_size": _Int(1),
        "gamma": _Real(0, 1, open_low=True),
        "min_learning_rate": _Real(0, 100),
    },
)

_TRAINING = _Object(
    TrainingSpec,
    {
        "optimizer": _OPTIMIZER,
        "schedule": _SCHEDULE,
        "batch_size": _Int(1, 100_000),
        "epochs": _Int(1, 10_000_000),
        "l1": _Real(0),
        "l2": _Real(0),
        "initializer": _Choice(INITIALIZERS),
        "seed": _Int(0, MAX_SEED),
        "early_stopping": _Flag(),
        "patience": _Int(1),
        "engine": _Choice(ENGINES),
        "device": _Choice(DEVICES),
        "dtype": _Choice(DTYPES),
    },
)

_DESIGN = _Object(
    Design,
    {
        "name": _Text(MAX_NAME_LENGTH),
        "description": _Text(MAX_DESCRIPTION_LENGTH),
        "dataset": _DATASET,
        "features": _Names(),
        "layers": _ListOf(_LAYER, MAX_LAYERS),
        "output": _OUTPUT,
        "training": _TRAINING,
    },
    check=_check_design,
    also_allowed=("format", "version"),
)
