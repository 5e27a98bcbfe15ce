"""The design schema: every field of a design declared once, with its limits and help text.

The dataclasses of :mod:`nnviz.core.design` give each field its type and default; the
declarations here give it its rule (kind, limits, choices) and the sentence that explains it.
From them come the design file's checks, the settings forms' ranges and tooltips, the layer
inspector, ``docs/design.schema.json`` and the path API that sweeps and lessons use::

    field("training.optimizer.learning_rate").rule.high   # 100.0
    value_at(design, "layers[0].units")                    # 4
    with_value(design, "dataset.noise", 0.2)               # a new, checked Design
    replaced(design, "dataset.noise", 0.2)                 # the same, unchecked (the forms)

``python -m nnviz.core.schema`` writes the JSON Schema to ``docs/design.schema.json``.
"""

from nnviz.core.schema.declarations import DESIGN
from nnviz.core.schema.document import (
    CURRENT_VERSION,
    FORMAT,
    SCHEMA_FILE,
    InvalidDesign,
    json_schema,
    read_design,
    schema_text,
    to_document,
)
from nnviz.core.schema.paths import (
    Field,
    UnknownPath,
    field,
    paths,
    replaced,
    value_at,
    with_value,
)

__all__ = [
    "CURRENT_VERSION",
    "DESIGN",
    "FORMAT",
    "SCHEMA_FILE",
    "Field",
    "InvalidDesign",
    "UnknownPath",
    "field",
    "json_schema",
    "paths",
    "read_design",
    "replaced",
    "schema_text",
    "to_document",
    "value_at",
    "with_value",
]
