"""Which settings tell runs apart: the schema paths whose values differ between their designs.

The Runs table shows these as columns, so two runs that differ only in their learning rate
show one settings column, ``training.optimizer.learning_rate``. The number of hidden layers
is named ``layers``, as a sweep names it; a layer's field that only some designs have
(``layers[2].units``) differs too, and reads "—" where it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from nnviz.core.design import Design
from nnviz.core.schema import UnknownPath, paths, value_at
from nnviz.core.sweep.spec import LAYER_COUNT

MISSING = "—"
#: A value is written with at most this many characters in a table cell.
CELL_CHARACTERS = 24


def setting(design: Design, path: str) -> Any:
    """The value at ``path`` in ``design`` (``layers``: how many hidden layers), or
    :data:`MISSING` where the design has no such field (a layer it does not have)."""
    if path == LAYER_COUNT:
        return len(design.layers)
    try:
        return value_at(design, path)
    except UnknownPath:
        return MISSING


def differing_settings(designs: Sequence[Design]) -> list[str]:
    """The paths whose values are not the same in all ``designs``, in the design file's order
    (the number of layers just before the layers)."""
    every = [_settings(design) for design in designs]
    ordered: dict[str, None] = {}
    for settings in every:
        for path in settings:
            if path.startswith("layers[") and LAYER_COUNT not in ordered:
                ordered[LAYER_COUNT] = None
            ordered.setdefault(path, None)
    if designs and LAYER_COUNT not in ordered:
        ordered[LAYER_COUNT] = None  # no design has a hidden layer: the count still counts
    missing = _key(MISSING)
    return [path for path in ordered if len({s.get(path, missing) for s in every}) > 1]


@lru_cache(maxsize=4096)
def _settings(design: Design) -> dict[str, Any]:
    """Every path of ``design`` with its value's key, the layer count too. Kept per design
    (designs are frozen): the Runs table asks again for every run at each new run, and
    reading a path costs far more than looking it up (30 runs: 33 ms a new run)."""
    keys = {path: _key(setting(design, path)) for path in paths(design)}
    keys[LAYER_COUNT] = _key(len(design.layers))
    return keys


def _key(value: Any) -> Any:
    """A hashable stand-in for a value (lists of painted points are tuples already)."""
    return repr(value)


def setting_text(value: Any) -> str:
    """A value as a table cell shows it: numbers short, lists counted, long text cut."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple | list):
        if all(isinstance(item, tuple | list) for item in value) and value:
            return f"{len(value)} rows"
        value = ", ".join(setting_text(item) for item in value) or "none"
    text = str(value) if value is not None else "none"
    return text if len(text) <= CELL_CHARACTERS else text[: CELL_CHARACTERS - 1] + "…"
