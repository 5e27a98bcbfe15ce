"""The headless commands: ``nnviz train`` and its siblings, one module each.

Each module has ``main(argv) -> int`` (the arguments after the command's name); ``COMMANDS``
maps a command's name to its module, which is imported only when that command runs.
"""

from __future__ import annotations

import importlib

COMMANDS = {
    "train": "nnviz.cli.train",
    "landscape": "nnviz.cli.landscape",
    "lr-find": "nnviz.cli.lr_find",
    "animate": "nnviz.cli.animate",
    "explain": "nnviz.cli.explain",
    "sweep": "nnviz.cli.sweep",
    "lessons": "nnviz.cli.lessons",
}


def run_command(name: str, argv: list[str]) -> int:
    """Run the headless command ``name`` with ``argv``; return its exit status."""
    return importlib.import_module(COMMANDS[name]).main(argv)
