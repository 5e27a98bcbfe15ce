"""``nnviz`` / ``python -m nnviz``: the window, or a headless command (``nnviz train``)."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the bundled app's training process starts through here
    argv = sys.argv[1:] if argv is None else argv
    from nnviz.cli import COMMANDS, run_command

    if argv[:1] and argv[0] in COMMANDS:
        return run_command(argv[0], argv[1:])
    from nnviz.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
