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
