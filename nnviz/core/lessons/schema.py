"""The lesson format as JSON Schema (``docs/lesson.schema.json``), built from the same names
the reader checks, so an editor validates and completes a lesson while a teacher writes it.

``python -m nnviz.core.lessons.schema`` writes the file; a test fails while it is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from nnviz.core.lessons.goals import MEASURES
from nnviz.core.lessons.lesson import CURRENT_VERSION, FORMAT, REQUIRED

SCHEMA_FILE = Path(__file__).parents[3] / "docs" / "lesson.schema.json"


def _text(description: str) -> dict:
    return {"type": "string", "minLength": 1, "description": description}


def _conditions() -> dict:
    bound = {"type": "number"}
    condition = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "measure": {"enum": list(MEASURES), "description": "what is measured of an epoch"},
            "field": _text("a design field's path, like training.optimizer.name"),
            "at_least": bound,
            "at_most": bound,
            "equals": {"description": "the value a design field must have"},
        },
        "oneOf": [{"required": ["measure"]}, {"required": ["field"]}],
        "anyOf": [{"required": ["at_least"]}, {"required": ["at_most"]}, {"required": ["equals"]}],
    }
    return {"type": "array", "minItems": 1, "items": condition}


def json_schema() -> dict:
    """The lesson file format (draft 2020-12); docs/lesson-format.md explains each key."""
    changes = {
        "type": "object",
        "minProperties": 1,
        "description": "field paths and their values; 'layers' takes the list of hidden layers",
    }
    choice = {
        "oneOf": [
            _text("a choice"),
            {
                "type": "object",
                "required": ["text", "holds"],
                "additionalProperties": False,
                "properties": {"text": _text("a choice"), "holds": _conditions()},
            },
        ]
    }
    properties = {
        "$schema": {"type": "string"},
        "format": {"const": FORMAT},
        "version": {"const": CURRENT_VERSION},
        "title": _text("the lesson's name on the path"),
        "text": _text("a few sentences, Markdown; formulas in Unicode"),
        "design": {
            "description": "a bundled example's name, a design file beside the lesson, or a design",
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "object", "description": "a design document (docs/design.schema.json)"},
            ],
        },
        "set": changes,
        "allowed": {
            "type": "array",
            "items": _text("a field path, layers[].field, a section, or 'layers'"),
        },
        "step_through": {"type": "boolean", "description": "open the step-through at the start"},
        "prediction": {
            "type": "object",
            "required": ["question", "choices", "why"],
            "additionalProperties": False,
            "properties": {
                "question": _text("asked before Play"),
                "choices": {"type": "array", "minItems": 2, "items": choice},
                "answer": {"type": "integer", "minimum": 0, "description": "the choice that holds"},
                "why": _text("shown with the answer"),
                "reveal_after": {"type": "integer", "minimum": 1, "description": "epochs"},
            },
        },
        "goal": {
            "type": "object",
            "required": ["text", "all"],
            "additionalProperties": False,
            "properties": {"text": _text("the goal in words"), "all": _conditions()},
        },
        "hints": {"type": "array", "minItems": 1, "items": _text("one hint")},
        "notice": _text("what to look at once the goal is met"),
        "solution": changes,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "nnviz lesson",
        "type": "object",
        "required": ["format", "version", *REQUIRED],
        "additionalProperties": False,
        "properties": properties,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
