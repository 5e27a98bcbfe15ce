"""``python -m nnviz.core.schema [FILE]``: write the design format's JSON Schema."""

import sys
from pathlib import Path

from nnviz.core.schema import SCHEMA_FILE, schema_text

target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_FILE
target.write_text(schema_text(), encoding="utf-8")
print(f"wrote {target}")
