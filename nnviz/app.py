"""Start the desktop application: ``nnviz``, ``nnviz DESIGN.json``, ``nnviz RUN.nnvizrun`` or
``nnviz --smoke``."""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys

import shiboken6
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QGraphicsItem

from nnviz import __version__
from nnviz.ui.main_window import MainWindow, examples_dir, window_icon

#: The libraries Qt's X11 platform plugin loads, and the Debian/Ubuntu package of each. Without
#: one, Qt prints only a generic "could not load the Qt platform plugin" and aborts.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
SMOKE_EPOCHS = 5
SMOKE_TIMEOUT_MS = 120_000


def run_app(argv: list[str]) -> int:
    """Open the main window (with a design file if given) and run until it closes."""
    parser = argparse.ArgumentParser(
        prog="nnviz",
        description="A neural-network playground. "
        "`nnviz train DESIGN.json` trains without a window.",
    )
    parser.add_argument(
        "design", nargs="?", help="a design or lesson file (.json) or a run (.nnvizrun) to open"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the window, train the XOR example a few epochs, exit 0 if "
        "it trained (a check that an installation or bundle works)",
    )
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    args = parser.parse_args(argv)
    missing = missing_x11_packages()
    if missing:
        print(
            "nnviz: Qt cannot open a window on X11 without "
            f"{', '.join(missing)}; install them (sudo apt install {' '.join(missing)})",
            file=sys.stderr,
        )
        return 1

    ours = QApplication.instance() is None  # else a host's (the tests'), and its objects
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    app.setDesktopFileName("io.github.nnviz.nnviz")
    icon = window_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    # Python's cyclic garbage collector runs in whichever thread happens to allocate; in a
    # worker thread (a sweep, the data loader) it would delete Qt objects there, which
    # deadlocks or crashes. pyqtgraph's collector disables it and collects on a GUI timer.
    collector = GarbageCollector()
    window = MainWindow()
    window.show()
    try:
        if args.smoke:
            return _smoke(app, window)
        if args.design:
            window.open_file(args.design)
        return app.exec()
    finally:
        collector.timer.stop()
        gc.enable()
        tear_down(window, orphans=ours)


def tear_down(window: MainWindow, orphans: bool = True) -> None:
    """Delete the window and (``orphans``) every Qt object Python still holds while the
    application lives.

    Left to the interpreter's exit, they outlive the event loop in reference cycles, and
    PySide deletes them when the application goes, in no fixed order (a plot item after its
    scene, a widget after the application): now and then a segfault after a clean run.
    """
    if window.isVisible():  # closing stops training and the background views
        window.close()
    if shiboken6.isValid(window):
        shiboken6.delete(window)  # with its children: docks, panels, plots, their items
    gc.collect()  # the cycles of pyqtgraph items no longer in a scene, deleted now
    if not orphans:
        return
    for orphan in [o for o in gc.get_objects() if isinstance(o, QObject) and _orphan(o)]:
        if shiboken6.isValid(orphan):  # pyqtgraph's menus, plot items never shown
            shiboken6.delete(orphan)
    gc.collect()


def _orphan(obj: QObject) -> bool:
    """A live Qt object that Python owns and nothing in Qt holds (no parent, no scene)."""
    if not shiboken6.isValid(obj) or not shiboken6.ownedByPython(obj):
        return False
    if isinstance(obj, QCoreApplication) or obj.parent() is not None:
        return False
    return not isinstance(obj, QGraphicsItem) or (obj.parentItem() is None and obj.scene() is None)


def missing_x11_packages() -> list[str]:
    """The packages Qt's X11 plugin needs that are not installed (empty unless Qt would use
    X11 on Linux)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    x11 = platform.startswith("xcb") or (not platform and bool(os.environ.get("DISPLAY")))
    if not sys.platform.startswith("linux") or not x11:
        return []
    missing = []
    for library, package in XCB_LIBRARIES.items():
        try:
            ctypes.CDLL(library)
        except OSError:
            missing.append(package)
    return missing


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
