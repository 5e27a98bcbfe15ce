"""docs/design-format.md's tables say what the schema declares: every default and range."""

import json
import re
from pathlib import Path

import pytest

from nnviz.core.schema import field, paths
from nnviz.core.schema.fields import Number, Whole

DOC = (Path(__file__).parents[2] / "docs" / "design-format.md").read_text(encoding="utf-8")

#: Where each group of fields has its table in the document.
TABLES = {
    "": "### Top level",
    "dataset.": "### `dataset`",
    "layers[].": "### `layers`",
    "output.": "### `output`",
    "training.": "### `training`",
    "training.optimizer.": "`training.optimizer` (",
    "training.schedule.": "`training.schedule`, ",
}


def table_rows(marker: str) -> dict[str, list[str]]:
    """The rows of the first table after ``marker``: key -> its other cells."""
    text = DOC[DOC.index(marker) :]
    rows = {}
    for line in text.splitlines()[1:]:
        if rows and not line.startswith("|"):
            break
        match = re.match(r"\| `([^`]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def documented(path: str) -> list[str]:
    prefix, key = re.match(r"(.*?)([a-z_0-9]+)$", path).groups()
    rows = table_rows(TABLES[prefix])
    assert key in rows, f"{path} has no row under {TABLES[prefix]!r}"
    return rows[key]


def _g(value: float) -> str:
    return f"{value:g}"


def limits_text(rule) -> str:
    if isinstance(rule, Whole):
        return f"≥ {rule.low}" if rule.high is None else f"{rule.low} to {rule.high}"
    if rule.high is None:
        return f"≥ {_g(rule.low)}"
    opening = "(" if rule.open_low else "["
    closing = ")" if rule.open_high else "]"
    return f"{opening}{_g(rule.low)}, {_g(rule.high)}{closing}"


@pytest.mark.parametrize("path", [p for p in paths() if p != "features"])
def test_every_fields_default_is_documented(path):
    cells = documented(path)
    assert f"`{json.dumps(field(path).default)}`" == cells[2], path


@pytest.mark.parametrize("path", [p for p in paths() if isinstance(field(p).rule, Number | Whole)])
def test_every_fields_range_is_documented(path):
    allowed = documented(path)[1]
    assert allowed.startswith(limits_text(field(path).rule)), (path, allowed)
