"""Start the desktop application: ``nnviz``, ``nnviz DESIGN.json`` or ``nnviz --smoke``."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from nnviz import __version__
from nnviz.ui.main_window import MainWindow, examples_dir, window_icon

SMOKE_EPOCHS = 5
SMOKE_TIMEOUT_MS = 120_000


def run_app(argv: list[str]) -> int:
    """Open the main window (with a design file if given) and run until it closes."""
    parser = argparse.ArgumentParser(
        prog="nnviz",
        description="A neural-network playground. "
        "`nnviz train DESIGN.json` trains without a window.",
    )
    parser.add_argument("design", nargs="?", help="a design file (.json) to open")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the window, train the XOR example a few epochs, exit 0 if "
        "it trained (a check that an installation or bundle works)",
    )
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    app.setDesktopFileName("io.github.nnviz.nnviz")
    icon = window_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    window = MainWindow()
    window.show()
    if args.smoke:
        return _smoke(app, window)
    if args.design:
        window.open_design(args.design)
    return app.exec()


def _smoke(app: QApplication, window: MainWindow) -> int:
    """Train the XOR example for a few epochs through the real training process."""
    window.open_example(examples_dir().joinpath("xor-mlp.json"))
    result = {"code": 1}

    def check() -> None:
        epochs = len(window.training.history)
        if epochs >= SMOKE_EPOCHS:
            print(
                f"smoke: trained {epochs} epochs on the XOR example, "
                f"train loss {window.training.history[-1].train_loss:.4f}"
            )
            result["code"] = 0
            finish()
        elif window.training.state == "error":
            print("smoke: training failed", file=sys.stderr)
            finish()

    def finish() -> None:
        poll.stop()
        window.undo_stack.setClean()  # nothing to save: close without asking
        window.close()
        app.quit()

    def timeout() -> None:
        print(
            f"smoke: no {SMOKE_EPOCHS} epochs within {SMOKE_TIMEOUT_MS // 1000} s", file=sys.stderr
        )
        finish()

    poll = QTimer(interval=50, timeout=check)
    poll.start()
    QTimer.singleShot(SMOKE_TIMEOUT_MS, timeout)
    window.training.play()
    app.exec()
    return result["code"]
