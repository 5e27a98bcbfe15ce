"""Which changes a lesson allows: the fields a learner may change, by schema path.

An allowed path is a field (``training.optimizer.learning_rate``), a field of every layer
(``layers[].units``) or of one (``layers[0].units``), a whole section (``training.optimizer``),
or ``layers``: adding and removing hidden layers. Everything else is locked; the window hides
or greys those controls, and :func:`refusal` is the rule every edit passes first.
"""

from __future__ import annotations

import re

from nnviz.core.design import Design
from nnviz.core.schema import UnknownPath, field, paths, value_at

LAYERS = "layers"


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def check_allowed(path: str) -> str:
    """Why ``path`` cannot be an allowed path, or ``""``."""
    if path == LAYERS:
        return ""
    try:
        field(path)
        return ""
    except UnknownPath as error:
        generic = _generic(path)
        if any(p.startswith(generic + ".") for p in paths()):
            return ""  # a section
        return str(error)


def is_allowed(path: str, allowed: tuple[str, ...]) -> bool:
    """Whether a lesson that allows ``allowed`` lets the learner change the field ``path``."""
    generic = _generic(path)
    for rule in allowed:
        if rule in (path, generic) or path.startswith(rule + ".") or generic.startswith(rule + "."):
            return True
    return False


def changed_fields(old: Design, new: Design) -> list[str]:
    """The field paths whose values differ between ``old`` and ``new`` (layers by index, and
    ``layers`` when their number changed)."""
    if len(old.layers) != len(new.layers):
        return [LAYERS]
    return [p for p in paths(new) if value_at(old, p) != value_at(new, p)]


def refusal(old: Design, new: Design, allowed: tuple[str, ...]) -> str:
    """Why a lesson allowing ``allowed`` refuses the edit from ``old`` to ``new``, or ``""``."""
    for path in changed_fields(old, new):
        if path == LAYERS:
            if LAYERS not in allowed:
                return "This lesson keeps the number of hidden layers as it is."
        elif not is_allowed(path, allowed):
            return f"This lesson keeps {path} as it is (it is locked)."
    return ""
