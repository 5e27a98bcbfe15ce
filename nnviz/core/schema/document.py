"""Documents: a design as plain JSON values and back, and the format as JSON Schema."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from nnviz.core.design import Design
from nnviz.core.schema.declarations import DESIGN
from nnviz.core.schema.problems import Problems

FORMAT = "nnviz-design"
#: The format's version; a change of format adds a migration in nnviz.core.files.design_file.
CURRENT_VERSION = 2
SCHEMA_FILE = Path(__file__).parents[3] / "docs" / "design.schema.json"


class InvalidDesign(ValueError):
    """A design breaks the schema; ``problems`` lists each one as ``"field.path: message"``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} problems\n" + "\n".join(f"  {p}" for p in self.problems)


def read_design(document: Any) -> Design:
    """The design a (current-version) document describes; ``InvalidDesign`` lists every problem."""
    problems = Problems()
    design = DESIGN.read(document, "", problems)
    if problems.found:
        raise InvalidDesign(problems.listed())
    return design


def to_document(value: Any) -> Any:
    """A design (or part of one) as plain JSON values: every field, tuples as lists."""
    if is_dataclass(value):
        return {f.name: to_document(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [to_document(item) for item in value]
    return value


def json_schema(format_name: str, version: int) -> dict:
    """The design file format as JSON Schema (draft 2020-12), for editors and other tools."""
    schema = DESIGN.json_schema()
    schema["properties"] = {
        "$schema": {"type": "string", "description": "Where an editor finds this schema."},
        "format": {"const": format_name, "description": "Says this is an nnviz design."},
        "version": {
            "type": "integer",
            "minimum": 1,
            "maximum": version,
            "description": "The format version; nnviz upgrades older ones when it opens them.",
        },
        **schema["properties"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "nnviz design",
        "description": DESIGN.help,
        **schema,
        "required": ["format", "version"],
    }


def schema_text() -> str:
    """``docs/design.schema.json`` as it should read."""
    return json.dumps(json_schema(FORMAT, CURRENT_VERSION), indent=2, ensure_ascii=False) + "\n"
