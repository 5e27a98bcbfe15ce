"""Design files: a :class:`~nnviz.core.design.Design` as readable, versioned JSON.

Everything that reads a design (the editor, the command line, the examples) goes through
:func:`design_from_dict`, which checks every field against :mod:`nnviz.core.schema`, collects
every problem with the path of the field, and returns a design only when there is none: a file
never half-loads.

A file states its format version. When the format changes, ``CURRENT_VERSION`` goes up by one
and ``MIGRATIONS[n]`` turns a version ``n`` document into a version ``n + 1`` document, so a
file of any earlier version keeps opening (``tests/data/design-v*.json`` prove it).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnviz.core.design import Design
from nnviz.core.files.atomic import atomic_write_text
from nnviz.core.schema import CURRENT_VERSION, FORMAT, InvalidDesign, read_design, to_document
from nnviz.core.schema.problems import DuplicateKeys, is_int, kind_of, short


def _painted_points_arrive(doc: dict) -> dict:
    """Version 2 adds painted points (the data set ``"points"`` and its ``"painted"`` rows);
    a version 1 document has none, so it reads as it is."""
    return doc


#: ``MIGRATIONS[n]`` turns a version ``n`` document into a version ``n + 1`` document.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _painted_points_arrive}

#: A design is a few kilobytes; a file far larger is something else (and slow to check).
MAX_FILE_SIZE = 8_000_000


class DesignFileError(InvalidDesign):
    """A design cannot be read; ``problems`` lists each one as ``"field.path: message"``."""

    def __init__(self, problems: list[str], file: str | os.PathLike[str] | None = None):
        self.file = None if file is None else str(file)
        super().__init__(problems)

    def _message(self) -> str:
        return f"{self.file or 'design'}: {super()._message()}"

    def __reduce__(self):
        # Survives pickling (a design may be read in the training process).
        return type(self), (self.problems, self.file)


# --- writing ------------------------------------------------------------------------------


def design_to_dict(design: Design) -> dict[str, Any]:
    """The JSON document of ``design``: every field written out, tuples as lists (painted
    points only when there are some)."""
    doc = {"format": FORMAT, "version": CURRENT_VERSION, **to_document(design)}
    if not design.dataset.painted:
        del doc["dataset"]["painted"]
    return doc


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


# --- reading ------------------------------------------------------------------------------


def load_design(path: str | os.PathLike[str]) -> Design:
    """Read and check the design file at ``path``; every failure is a :class:`DesignFileError`."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_SIZE:
            problem = (
                f"the file has {size / 1e6:.1f} MB, and nnviz opens design files of up to "
                f"{MAX_FILE_SIZE / 1e6:g} MB (a design is a few kilobytes): is this really a "
                "design file?"
            )
            raise DesignFileError([problem], path)
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
        doc = json.loads(text, object_pairs_hook=DuplicateKeys.from_pairs)
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

    Upgrades an older document with ``MIGRATIONS`` first. Collects every problem (the first
    few dozen of a huge file, and a count) before raising :class:`DesignFileError`; returns a
    design only when there is none.
    """
    try:
        return read_design(_upgrade(doc))
    except InvalidDesign as exc:
        raise DesignFileError(exc.problems) from None


def _upgrade(doc: Any) -> dict:
    """Check the format name and version, and migrate an older document to the current one."""
    if not isinstance(doc, dict):
        raise DesignFileError([f"document: expected a JSON object {{...}}, got {kind_of(doc)}"])
    if doc.get("format") != FORMAT:
        found = f"format {short(doc['format'])}" if "format" in doc else "no format name"
        raise DesignFileError(
            [f'format: not an nnviz design ({found}; a design file says "format": "{FORMAT}")']
        )
    version = doc.get("version")
    if "version" not in doc:
        raise DesignFileError([f"version: missing (this nnviz writes version {CURRENT_VERSION})"])
    if not is_int(version) or version < 1:
        raise DesignFileError([f"version: expected a whole number from 1, got {short(version)}"])
    if version > CURRENT_VERSION:
        raise DesignFileError(
            [
                f"version: {version} was made by a newer nnviz (this one reads versions up to "
                f"{CURRENT_VERSION}); update nnviz to open it"
            ]
        )
    if not isinstance(doc.get("$schema", ""), str):
        raise DesignFileError(["$schema: expected a string (where an editor finds the schema)"])
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
