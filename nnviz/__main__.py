"""``nnviz`` / ``python -m nnviz``: the window, or ``nnviz train DESIGN.json`` without one."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the bundled app's training process starts through here
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:
        from nnviz.cli import train_main

        return train_main(argv[1:])
    from nnviz.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
