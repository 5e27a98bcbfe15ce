"""The kinds of field a design has, each declared with its limits and its help text.

A kind reads one JSON value: it returns the value (or ``INVALID``) and reports what is wrong
with the field's path, in words a person editing the file by hand understands. The same
declaration describes itself as JSON Schema (for editors) and tells the settings forms their
ranges, so a limit is written once. :mod:`nnviz.core.schema` declares the design's fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from nnviz.core.schema.problems import (
    INVALID,
    Problems,
    close_match,
    is_int,
    join,
    kind_of,
    not_one_of,
    printable,
    short,
)

# --- the kinds of value -------------------------------------------------------------------


@dataclass(frozen=True)
class Whole:
    """A whole number from ``low`` to ``high`` (both included; no ``high``: no upper limit)."""

    low: int
    high: int | None = None
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if not is_int(value):
            problems.add(path, f"expected a whole number, got {kind_of(value)}")
            return INVALID
        if value < self.low or (self.high is not None and value > self.high):
            limits = f"at least {self.low}" if self.high is None else f"{self.low} to {self.high}"
            problems.add(path, f"{short(value)} is out of range ({limits})")
            return INVALID
        return value

    def json_schema(self) -> dict:
        limits = {} if self.high is None else {"maximum": self.high}
        return {"type": "integer", "minimum": self.low, **limits}


@dataclass(frozen=True)
class Number:
    """A finite number between ``low`` and ``high``; ``open_low``/``open_high`` exclude them."""

    low: float
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(path, f"expected a number, got {kind_of(value)}")
            return INVALID
        if isinstance(value, float) and not math.isfinite(value):
            problems.add(path, f"expected a finite number, got {value!r}")
            return INVALID
        if not self.admits(value):
            problems.add(path, f"{short(value)} is out of range ({self.limits()})")
            return INVALID
        try:
            return float(value)
        except OverflowError:
            problems.add(path, f"{short(value)} is too large")
            return INVALID

    def admits(self, value: float) -> bool:
        """Whether ``value`` lies within the limits (open ends excluded)."""
        too_low = value <= self.low if self.open_low else value < self.low
        too_high = self.high is not None and (
            value >= self.high if self.open_high else value > self.high
        )
        return not (too_low or too_high)

    def limits(self) -> str:
        low = f"{'above' if self.open_low else 'at least'} {self.low:g}"
        if self.high is None:
            return low
        return f"{low} and {'below' if self.open_high else 'at most'} {self.high:g}"

    def json_schema(self) -> dict:
        schema = {"type": "number", ("exclusiveMinimum" if self.open_low else "minimum"): self.low}
        if self.high is not None:
            schema["exclusiveMaximum" if self.open_high else "maximum"] = self.high
        return schema


@dataclass(frozen=True)
class Choice:
    """One of a few names; ``optional`` also allows null."""

    options: tuple[str, ...]
    optional: bool = False
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            problems.add(path, f"expected one of {', '.join(self.options)}, got {kind_of(value)}")
            return INVALID
        if value not in self.options:
            problems.add(path, lambda: not_one_of(value, self.options))
            return INVALID
        return value

    def json_schema(self) -> dict:
        return {"enum": [*self.options, *((None,) if self.optional else ())]}


@dataclass(frozen=True)
class Text:
    """A string of at most ``max_length`` characters (text only: no lone surrogates)."""

    max_length: int
    optional: bool = False
    allow_empty: bool = True
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            problems.add(path, f"expected a string, got {kind_of(value)}")
            return INVALID
        if not value and not self.allow_empty:
            problems.add(path, "must not be empty")
            return INVALID
        if len(value) > self.max_length:
            problems.add(path, f"too long ({len(value)} characters; at most {self.max_length})")
            return INVALID
        if printable(value) is not value:
            # JSON's \ud800 escapes can spell half a character, which no file can hold.
            problems.add(path, "contains a lone surrogate escape (such as \\ud800), not text")
            return INVALID
        return value

    def json_schema(self) -> dict:
        schema = {"type": "string", "maxLength": self.max_length}
        if not self.allow_empty:
            schema["minLength"] = 1
        return {"type": ["string", "null"], **_drop(schema, "type")} if self.optional else schema


@dataclass(frozen=True)
class Flag:
    """True or false."""

    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, bool):
            problems.add(path, f"expected true or false, got {kind_of(value)}")
            return INVALID
        return value

    def json_schema(self) -> dict:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Names:
    """A list of distinct, non-empty strings (input features, CSV columns), read as a tuple."""

    max_length: int
    optional: bool = False
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if value is None and self.optional:
            return None
        if not isinstance(value, list | tuple):
            problems.add(path, f"expected a list of names, got {kind_of(value)}")
            return INVALID
        before = problems.found
        item = Text(self.max_length, allow_empty=False)
        names = [item.read(name, f"{path}[{i}]", problems) for i, name in enumerate(value)]
        if problems.found > before:
            return INVALID
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                problems.add(f"{path}[{i}]", f"{short(name)} is listed twice")
            seen.add(name)
        return INVALID if problems.found > before else tuple(names)

    def json_schema(self) -> dict:
        names = {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": self.max_length},
            "uniqueItems": True,
        }
        return {"type": ["array", "null"], **_drop(names, "type")} if self.optional else names


@dataclass(frozen=True)
class ListOf:
    """A list of at most ``max_items`` sections (the hidden layers), read as a tuple."""

    item: Section
    max_items: int
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, list | tuple):
            problems.add(path, f"expected a list, got {kind_of(value)}")
            return INVALID
        if len(value) > self.max_items:
            problems.add(path, f"{len(value)} items; at most {self.max_items}")
            return INVALID
        items = [self.item.read(item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
        return INVALID if any(item is INVALID for item in items) else tuple(items)

    def json_schema(self) -> dict:
        return {"type": "array", "maxItems": self.max_items, "items": self.item.json_schema()}


@dataclass(frozen=True)
class Rows:
    """Painted points: at most ``max_rows`` rows ``[x1, x2, label]`` (or ``[x1, target]`` for a
    1D regression) of finite numbers, read as tuples of floats (the width and a label's kind,
    class or value, are checked with the data set's name and task)."""

    max_rows: int
    help: str = ""

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, list | tuple):
            problems.add(path, f"expected a list of [x1, x2, label] rows, got {kind_of(value)}")
            return INVALID
        if len(value) > self.max_rows:
            problems.add(path, f"{len(value)} points; at most {self.max_rows}")
            return INVALID
        before = problems.found
        number = Number(-1e6, 1e6)
        rows = []
        width = None  # every row as wide as the first good one: 3, or 2 for [x1, target]
        for i, row in enumerate(value):
            if width is None and isinstance(row, list | tuple) and len(row) in (2, 3):
                width = len(row)
            if not isinstance(row, list | tuple) or len(row) != (width or 3):
                expected = "[x1, target]" if width == 2 else "[x1, x2, label]"
                problems.add(f"{path}[{i}]", f"expected {expected}, got {short(row)}")
                continue
            rows.append(tuple(number.read(v, f"{path}[{i}][{k}]", problems)
                              for k, v in enumerate(row)))  # fmt: skip
        return INVALID if problems.found > before else tuple(rows)

    def json_schema(self) -> dict:
        row = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
        return {"type": "array", "maxItems": self.max_rows, "items": row}


Check = Callable[[dict[str, Any], str, Problems], None]


@dataclass(frozen=True)
class Section:
    """A JSON object read into the dataclass ``cls``; absent keys keep the class's defaults.

    ``check`` sees every field (the default if absent, ``INVALID`` if it failed its rule), so
    rules between fields are reported along with the fields' own problems. ``also_allowed``
    keys (the format and version) are read elsewhere; ``quiet`` ones (an editor's ``$schema``)
    too, but they are not suggested for a misspelt key.
    """

    cls: type
    rules: dict[str, Any]
    check: Check | None = None
    also_allowed: tuple[str, ...] = ()
    quiet: tuple[str, ...] = ()
    help: str = ""

    def __post_init__(self) -> None:
        names = [f.name for f in fields(self.cls)]
        if list(self.rules) != names:
            raise TypeError(f"{self.cls.__name__}: declared {list(self.rules)}, has {names}")

    @property
    def defaults(self) -> dict[str, Any]:
        default = self.cls()
        return {name: getattr(default, name) for name in self.rules}

    def read(self, value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, dict):
            problems.add(path or "document", f"expected an object {{...}}, got {kind_of(value)}")
            return INVALID
        before = problems.found
        values = {}
        duplicates = getattr(value, "duplicates", ())
        for key, item in value.items():
            if key in duplicates:
                problems.add(join(path, printable(key)), "given more than once; keep one")
            rule = self.rules.get(key)
            if rule is not None:
                values[key] = rule.read(item, join(path, key), problems)
            elif key not in self.also_allowed and key not in self.quiet:
                name = printable(str(key)) or '""'
                problems.add(join(path, name), lambda key=key: self._unknown(str(key)))
        if self.check is not None:
            self.check({**self.defaults, **values}, path, problems)
        return INVALID if problems.found > before else self.cls(**values)

    def _unknown(self, key: str) -> str:
        known = (*self.also_allowed, *self.rules)
        close = close_match(key, known)
        if close:
            return f"unknown key; did you mean {close[0]!r}?"
        return f"unknown key (expected {', '.join(known)})"

    def json_schema(self) -> dict:
        properties = {}
        for name, rule in self.rules.items():
            properties[name] = {**_described(rule), **_default(self.defaults[name])}
        return {"type": "object", "properties": properties, "additionalProperties": False}


def _described(rule: Any) -> dict:
    schema = rule.json_schema()
    return {"description": rule.help, **schema} if rule.help else schema


def _default(value: Any) -> dict:
    if hasattr(value, "__dataclass_fields__"):
        return {}  # a section: its own keys carry their defaults
    if isinstance(value, tuple):
        value = [_default(v).get("default", v) for v in value]
        if any(not isinstance(v, str) for v in value):
            return {}
    return {"default": value}


def _drop(schema: dict, key: str) -> dict:
    return {k: v for k, v in schema.items() if k != key}
