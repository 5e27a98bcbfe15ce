"""How a file we read is checked and its problems reported: each ``"path: message"``, every
one found (the first few dozen listed), with "did you mean" for a near miss.

Design files (:mod:`nnviz.core.schema`), lessons (:mod:`nnviz.core.lessons`) and their
JSON readers share these, so a hand-edited file of either kind is answered alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

#: What a field that failed its rule reads as, so cross-field rules can skip it.
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()

#: A file with thousands of mistakes is reported by its first few dozen and a count.
MAX_PROBLEMS = 40


class Problems(list):
    """The problems found so far, each ``"path: message"``; beyond ``MAX_PROBLEMS`` only counted.

    It reads as a list of the reported ones; ``found`` counts them all, so checks of a huge
    file stay linear and its message short.
    """

    def __init__(self) -> None:
        super().__init__()
        self.found = 0

    def add(self, path: str, message: str | Callable[[], str]) -> None:
        """Report a problem; ``message`` may be a function, only called if it is listed."""
        self.found += 1
        if len(self) < MAX_PROBLEMS:
            self.append(f"{path}: {message() if callable(message) else message}")

    def listed(self) -> list[str]:
        """The reported problems, with a last line counting those left out."""
        left_out = self.found - len(self)
        return [*self, f"... and {left_out} more problems"] if left_out else list(self)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    """How a JSON value's type reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{short(value)} (an integer)"
    if isinstance(value, float):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{short(value)} (a string)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number with thousands of digits"
    return text if len(text) <= 60 else text[:57] + "..."


def printable(key: str) -> str:
    """A key as a message can show it: a lone surrogate (not text) written as an escape."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return key.encode("utf-8", "backslashreplace").decode("ascii")
    return key


def close_match(word: str, options) -> list[str]:
    """The option ``word`` was probably meant to be, if any (long strings are no typos)."""
    return difflib.get_close_matches(word, list(options), n=1) if len(word) <= 40 else []


def not_one_of(value: str, options: tuple[str, ...]) -> str:
    message = f"{short(value)} is not one of {', '.join(options)}"
    close = close_match(value, options)
    return f"{message} (did you mean {close[0]!r}?)" if close else message


class DuplicateKeys(dict):
    """A JSON object that remembers which keys it was given more than once."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> dict:
        document = cls(pairs)
        if len(document) < len(pairs):
            seen: set[str] = set()
            repeated = [key for key, _ in pairs if key in seen or seen.add(key)]
            document.duplicates = tuple(dict.fromkeys(repeated))
        return document
