"""The path API: look a field up, read it, set it and list them all, by ``layers[0].units``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from nnviz.core.design import Design
from nnviz.core.schema.declarations import DESIGN
from nnviz.core.schema.document import read_design, to_document
from nnviz.core.schema.fields import ListOf, Section
from nnviz.core.schema.problems import close_match


class UnknownPath(KeyError):
    """No design field has this path."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Field:
    """One field of a design: its path, its rule (kind, limits, choices, help) and default."""

    path: str
    rule: Any
    default: Any

    @property
    def kind(self) -> str:
        """``"whole"``, ``"number"``, ``"choice"``, ``"text"``, ``"flag"`` or ``"names"``."""
        return type(self.rule).__name__.lower()

    @property
    def help(self) -> str:
        return self.rule.help


_STEP = re.compile(r"([A-Za-z_]\w*)((?:\[\d+\])*)$")


def _split(path: str) -> list[str | int]:
    """``"layers[0].units"`` as ``["layers", 0, "units"]``; ``UnknownPath`` if malformed."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match:
            raise UnknownPath(f"{path!r} is not a field path (like 'layers[0].units')")
        steps.append(match.group(1))
        steps.extend(int(i) for i in re.findall(r"\d+", match.group(2)))
    return steps


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _walk(section: Section, prefix: str = "", value: Any = None):
    """Every leaf ``(path, rule, default)`` below ``section``, in file order: generic paths
    (``layers[].units``), or numbered ones for each item of ``value`` (a design)."""
    for name, rule in section.rules.items():
        path = f"{prefix}.{name}" if prefix else name
        part = None if value is None else getattr(value, name)
        if isinstance(rule, Section):
            yield from _walk(rule, path, part)
        elif isinstance(rule, ListOf):
            if value is None:
                yield from _walk(rule.item, f"{path}[]")
            for i, item in enumerate(part or ()):
                yield from _walk(rule.item, f"{path}[{i}]", item)
        else:
            yield path, rule, section.defaults[name]


_FIELDS = {path: Field(path, rule, default) for path, rule, default in _walk(DESIGN)}


def field(path: str) -> Field:
    """The field at ``path`` (any list index: ``layers[3].units`` is a layer's width)."""
    generic = _generic(path)
    found = _FIELDS.get(generic)
    if found is None:
        _split(path)
        inside = [p[len(generic) + 1 :] for p in _FIELDS if p.startswith(generic + ".")]
        if inside:
            below = ", ".join(p for p in inside if "." not in p)
            raise UnknownPath(f"{path!r} is a section, not a field (its fields: {below})")
        close = close_match(generic, _FIELDS)
        hint = f"; did you mean {close[0].replace('[]', '[0]')!r}?" if close else ""
        raise UnknownPath(f"{path!r}: no such field{hint}")
    return replace(found, path=path)


def paths(design: Design | None = None) -> tuple[str, ...]:
    """Every field path: of ``design`` with its layers numbered, or generic (``layers[]``)."""
    if design is None:
        return tuple(_FIELDS)
    return tuple(path for path, _rule, _default in _walk(DESIGN, "", design))


def value_at(design: Design, path: str) -> Any:
    """The value of the field at ``path`` in ``design``."""
    field(path)
    value: Any = design
    for step in _split(path):
        if isinstance(step, int):
            if step >= len(value):
                raise UnknownPath(f"{path!r}: the design has {len(value)} hidden layer(s)")
            value = value[step]
        else:
            value = getattr(value, step)
    return value


def replaced(design: Design, path: str, value: Any) -> Design:
    """A new design with ``value`` at ``path``, unchecked (for controls that only make valid
    values; a design in the making may break a rule between fields, a CSV without a file)."""
    value_at(design, path)
    return _replace(design, _split(path), value)


def _replace(part: Any, steps: list[str | int], value: Any) -> Any:
    step, rest = steps[0], steps[1:]
    if isinstance(step, int):
        items = list(part)
        items[step] = _replace(items[step], rest, value) if rest else value
        return tuple(items)
    new = _replace(getattr(part, step), rest, value) if rest else value
    return replace(part, **{step: new})


def with_value(design: Design, path: str, value: Any) -> Design:
    """A new design with ``value`` at ``path``, checked as a design file is (``InvalidDesign``)."""
    return read_design(to_document(replaced(design, path, value)))
