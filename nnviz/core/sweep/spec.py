"""What a sweep varies: settings named by their schema path, with values or a range for each.

``--set PATH=SPEC`` on the command line and each row of the Sweep dialog are one
:class:`Setting`. SPEC is a list (``0.01,0.1,1``, ``adam,sgd``), a range on a log or linear
scale (``log:1e-4:1``, ``lin:0:0.5``, with an optional number of grid points, ``log:1e-4:1:7``)
or a range of whole numbers (``int:2:16``). Every value is checked against the field's own
rule in the schema, so a sweep can never propose a design the file format would refuse.

One path is not a field: ``layers`` (alone) is the number of hidden layers; the layers added
are copies of the last one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from nnviz.core.design import MAX_LAYERS, Design, LayerSpec
from nnviz.core.schema import InvalidDesign, UnknownPath, field, with_value

#: Grid points of a log or linear range when the spec does not say how many.
GRID_POINTS = 5
#: The most values one setting may take in a grid.
MAX_GRID_VALUES = 100
LAYER_COUNT = "layers"
SCALES = ("log", "lin", "int")


class SpecError(ValueError):
    """A setting cannot be swept as given; the message names the setting and the problem."""


@dataclass(frozen=True)
class Setting:
    """One swept setting: ``values`` (a list) or ``scale`` with ``low``/``high`` (a range)."""

    path: str
    kind: str  # "whole", "number", "choice" or "flag" (the field's kind)
    values: tuple[Any, ...] = ()
    scale: str | None = None  # "log", "lin" or "int" for a range
    low: float = 0.0
    high: float = 0.0
    points: int = GRID_POINTS

    def grid_values(self) -> tuple[Any, ...]:
        """The values a grid search tries."""
        if self.scale is None:
            return self.values
        if self.scale == "int":
            return tuple(range(int(self.low), int(self.high) + 1))
        if self.points == 1:
            return (self._cast(self.low),)
        if self.scale == "log":
            step = (math.log(self.high) - math.log(self.low)) / (self.points - 1)
            values = [math.exp(math.log(self.low) + i * step) for i in range(self.points)]
        else:
            step = (self.high - self.low) / (self.points - 1)
            values = [self.low + i * step for i in range(self.points)]
        values[-1] = self.high  # exactly the end the user typed
        return tuple(self._cast(float(f"{v:.12g}")) for v in values)

    def _cast(self, value: float) -> Any:
        return round(value) if self.kind == "whole" else value


def parse_setting(text: str, base: Design) -> Setting:
    """``"PATH=SPEC"`` as a :class:`Setting`, each value checked by the schema as part of the
    ``base`` design (:class:`SpecError`)."""
    path, equals, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not equals or not path or not spec:
        raise SpecError(
            f"{text!r}: expected PATH=SPEC, e.g. training.optimizer.learning_rate=log:1e-4:1"
        )
    return make_setting(path, spec, base)


def make_setting(path: str, spec: str, base: Design) -> Setting:
    """The setting of ``path`` described by ``spec`` (see the module's text)."""
    kind = _kind(path)
    scale, _, rest = spec.partition(":")
    if rest and scale in SCALES:
        return _range(path, kind, scale, rest, base)
    if rest and scale.isalpha() and kind != "choice":
        raise SpecError(
            f"{path}: unknown range {scale!r}; use log:LOW:HIGH, lin:LOW:HIGH or int:LOW:HIGH"
        )
    items = [item.strip() for item in spec.split(",")]
    if any(not item for item in items):
        raise SpecError(f"{path}: an empty value in {spec!r}")
    values = tuple(_value(path, kind, item, base) for item in items)
    if len(set(values)) != len(values):
        raise SpecError(f"{path}: a value is listed twice in {spec!r}")
    return Setting(path, kind, values)


def _kind(path: str) -> str:
    if path == LAYER_COUNT:
        return "whole"
    try:
        found = field(path)
    except UnknownPath as error:
        raise SpecError(str(error).strip("'\"")) from None
    if found.kind not in ("whole", "number", "choice", "flag"):
        raise SpecError(
            f"{path}: a {found.kind} field cannot be swept; choose a number or a choice"
        )
    return found.kind


def _range(path: str, kind: str, scale: str, rest: str, base: Design) -> Setting:
    parts = rest.split(":")
    if kind not in ("whole", "number"):
        raise SpecError(f"{path}: a range needs a numeric field; list the values instead")
    if len(parts) not in (2, 3) or (scale == "int" and len(parts) != 2):
        form = "int:LOW:HIGH" if scale == "int" else f"{scale}:LOW:HIGH[:POINTS]"
        raise SpecError(f"{path}: expected {form}, got {scale}:{rest}")
    low, high = (_number(path, part) for part in parts[:2])
    if not low < high:
        raise SpecError(f"{path}: the range's low end {low:g} must be below its high end {high:g}")
    points = GRID_POINTS
    if len(parts) == 3:
        points = int(_number(path, parts[2])) if parts[2].isdigit() else 0
        if not 1 <= points <= MAX_GRID_VALUES:
            raise SpecError(
                f"{path}: grid points must be a whole number from 1 to "
                f"{MAX_GRID_VALUES}, got {parts[2]!r}"
            )
    if scale == "int":
        if kind != "whole" or low != int(low) or high != int(high):
            raise SpecError(f"{path}: int:LOW:HIGH takes whole numbers of a whole-number field")
        if high - low + 1 > MAX_GRID_VALUES:
            raise SpecError(f"{path}: int:{low:g}:{high:g} has more than {MAX_GRID_VALUES} values")
    if scale == "log" and low <= 0:
        raise SpecError(f"{path}: a log range must start above 0, got {low:g}")
    for end in (low, high):
        _check(path, round(end) if kind == "whole" else end, base)
    return Setting(path, kind, (), scale, low, high, points)


def _number(path: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SpecError(f"{path}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SpecError(f"{path}: {text!r} is not a finite number")
    return value


def _value(path: str, kind: str, text: str, base: Design) -> Any:
    if kind == "whole":
        try:
            value: Any = int(text)
        except ValueError:
            raise SpecError(f"{path}: {text!r} is not a whole number") from None
    elif kind == "number":
        value = _number(path, text)
    elif kind == "flag":
        if text.lower() not in ("true", "false"):
            raise SpecError(f"{path}: expected true or false, got {text!r}")
        value = text.lower() == "true"
    else:
        value = text
    _check(path, value, base)
    return value


def _check(path: str, value: Any, base: Design) -> None:
    """Refuse a value the schema would refuse in ``base``, with the schema's own message.

    A layer's field is checked on the first layer, so that ``layers[3].units`` can be swept
    together with a number of layers that makes the fourth one exist.
    """
    if path == LAYER_COUNT:
        if not 0 <= value <= MAX_LAYERS:
            raise SpecError(f"{path}: {value} hidden layers is out of range (0 to {MAX_LAYERS})")
        return
    checked = path
    if path.startswith("layers["):
        base = replace(base, layers=base.layers[:1] or (LayerSpec(),))
        checked = "layers[0]" + path[path.index("]") + 1 :]
    try:
        with_value(base, checked, value)
    except InvalidDesign as error:
        raise SpecError(error.problems[0].replace(checked, path, 1)) from None


# --- applying a trial's values ---------------------------------------------------------------


def apply(design: Design, params: Mapping[str, Any]) -> Design:
    """``design`` with each path set to its value (the number of layers first)."""
    if LAYER_COUNT in params:
        design = with_layer_count(design, int(params[LAYER_COUNT]))
    for path, value in params.items():
        if path != LAYER_COUNT:
            try:
                design = with_value(design, path, value)
            except (InvalidDesign, UnknownPath) as error:
                raise SpecError(f"{path}={value!r}: {error}") from None
    return design


def with_layer_count(design: Design, count: int) -> Design:
    """``design`` with ``count`` hidden layers: cut, or grown with copies of the last one."""
    layers = design.layers[:count]
    template = design.layers[-1] if design.layers else LayerSpec()
    layers = (*layers, *(template,) * (count - len(layers)))
    return replace(design, layers=layers)
