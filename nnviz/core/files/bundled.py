"""Where bundled files live: inside the installed package, found through importlib.resources."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A file or folder under the top-level ``resources/`` (installed as ``nnviz.resources``)."""
    node = files("nnviz.resources")
    for part in parts:
        node = node.joinpath(part)
    return node


#: The bundled examples (file stems) in the order their lessons build on each other: the
#: perceptron and its limit, a hidden layer, harder shapes, regression, then real data.
#: Examples not listed come after these, by name.
LESSONS = (
    "perceptron-and",
    "perceptron-xor",
    "xor-mlp",
    "circle",
    "spiral-deep",
    "multiclass-spiral",
    "sine-regression",
    "digits",
    "breast-cancer",
)


def lesson_order(stem: str) -> tuple[int, str]:
    """Sort key of an example by its file stem: its place in LESSONS, then its name."""
    return (LESSONS.index(stem) if stem in LESSONS else len(LESSONS), stem)
