"""Settings by schema path: ``{"layers[0].units": 2, "training.optimizer.name": "adam"}``.

A lesson's starting changes and its reference solution are such maps. They are applied to the
design's JSON document and the result is read as a design file is, so a bad value is reported
with its path exactly as in a design file. ``"layers"`` takes the whole list of hidden layers
(``[{"units": 3, "activation": "tanh"}]``): the one way to add or remove layers by path.
"""

from __future__ import annotations

import re
from typing import Any

from nnviz.core.design import Design
from nnviz.core.files.design_file import DesignFileError, design_from_dict, design_to_dict
from nnviz.core.schema import UnknownPath, field
from nnviz.core.schema.problems import kind_of

LAYERS = "layers"
_STEP = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


class SettingsError(ValueError):
    """Settings that cannot be applied; ``problems`` names each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def apply_settings(design: Design, settings: Any) -> Design:
    """``design`` with each path of ``settings`` set to its value, checked as a design file."""
    if not isinstance(settings, dict) or not settings:
        got = kind_of(settings)
        raise SettingsError([f"expected an object of field paths and their values, got {got}"])
    doc = design_to_dict(design)
    problems: list[str] = []
    for path in sorted(settings, key=lambda p: p != LAYERS):  # the layers first, then inside
        try:
            if path != LAYERS:
                field(path)
            _set(doc, path, settings[path])
        except UnknownPath as error:
            problems.append(str(error))
        except (IndexError, KeyError, TypeError) as error:
            problems.append(f"{path}: {error}")
    if problems:
        raise SettingsError(problems)
    try:
        return design_from_dict(doc)
    except DesignFileError as error:
        raise SettingsError(error.problems) from None


def _set(doc: dict, path: str, value: Any) -> None:
    steps = [int(i) if i else name for name, i in _STEP.findall(path)]
    node: Any = doc
    for step in steps[:-1]:
        if isinstance(step, int) and step >= len(node):
            raise IndexError(f"the design has {len(node)} hidden layer(s)")
        node = node[step]
    node[steps[-1]] = value
