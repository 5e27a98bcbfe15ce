"""Remake the screenshots in this folder from the running app (offscreen, no display needed).

Run: ``.venv/bin/python docs/screenshots/make_screenshots.py`` (a few minutes; add
``insight`` for only the hidden-space, landscape and learning-rate-finder pictures,
``distributions`` for only the activation explorer and the histograms, ``runs`` for only
the Runs dock, ``--sizes``
for only the whole window at 1280 x 800 and 1920 x 1080 on three examples). Each picture
is the real window or one of its docks after training a bundled example for a while, so the
README shows what a user sees today. Look at every one before committing it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_DATA_DIR", tempfile.mkdtemp())  # the user's runs stay their own

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "resources" / "examples"


def run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        run_for(0.05)


def train(window, example: str, epochs: int) -> None:
    """Open a bundled example, train it for about ``epochs`` epochs (or to its end), pause."""
    window.open_example(EXAMPLES / f"{example}.json")
    session = window.training
    wait_until(
        lambda: (
            session.run_info is not None
            and session.run_info.generation == session.generation
            and session.latest is not None
        )
    )
    session.play()
    wait_until(lambda: session.epoch >= epochs or session.state in ("finished", "diverged"))
    session.pause()
    wait_until(lambda: session.state != "running")
    run_for(0.5)  # the last frame drawn


def dock(window, name: str) -> QDockWidget:
    return window.findChild(QDockWidget, name)


def shoot(widget, name: str) -> None:
    path = HERE / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(HERE.parents[1])}")


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#2b2b2b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#2f65ca"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#353535"),
        (QPalette.ColorRole.ToolTipText, "#e6e6e6"),
    ):
        palette.setColor(role, QColor(color))
    return palette


def shoot_confusion(window) -> None:
    """The digits' confusion matrix with its most frequent mistake picked, in a dock of its
    own size (below the diagram it shares its height with the other tabs)."""
    confusion = dock(window, "confusionDock")
    panel = confusion.widget()
    confusion.setFloating(True)
    confusion.resize(820, 400)
    confusion.show()
    run_for(0.5)
    counts = panel.report().counts.copy()
    np.fill_diagonal(counts, -1)
    panel.pick(*np.unravel_index(counts.argmax(), counts.shape))
    run_for(0.5)
    shoot(confusion, "panel-confusion")
    shoot(dock(window, "regionsDock"), "panel-regions-picked")
    panel.pick(*panel.picked)  # let go
    confusion.setFloating(False)


def insight_shots(window) -> None:
    """The hidden space, the loss landscape and the learning-rate finder on the deep spiral."""
    train(window, "spiral-deep", 300)
    for name in ("hiddenSpaceDock", "landscapeDock"):
        dock(window, name).setFloating(True)
        dock(window, name).resize(760, 420)
        dock(window, name).show()
    run_for(1.0)
    shoot(dock(window, "hiddenSpaceDock"), "panel-hidden-space")
    landscape = window.insight.landscape
    landscape.compute.click()
    wait_until(lambda: landscape.result is not None)
    run_for(0.5)
    shoot(dock(window, "landscapeDock"), "panel-landscape")
    for name in ("hiddenSpaceDock", "landscapeDock"):
        dock(window, name).setFloating(False)
    finder = window.insight.find_learning_rate()
    wait_until(lambda: finder.finding is not None)
    run_for(0.3)
    shoot(finder, "lr-finder")
    finder.close()


def distribution_shots(window) -> None:
    """The activation explorer on a layer of the deep spiral, and its histograms over time."""
    train(window, "spiral-deep", 150)
    window.editor.sigLayerClicked.emit(1)
    for name, size in (("activationExplorerDock", (900, 430)), ("histogramsDock", (760, 460))):
        dock(window, name).setFloating(True)
        dock(window, name).resize(*size)
        dock(window, name).show()
    run_for(1.0)
    shoot(dock(window, "activationExplorerDock"), "panel-activation-explorer")
    shoot(dock(window, "histogramsDock"), "panel-histograms")
    for name in ("activationExplorerDock", "histogramsDock"):
        dock(window, name).setFloating(False)


def runs_shots(window) -> None:
    """Three runs of xor-mlp with 2, 4 and 8 units in the Runs dock, all three compared."""
    from nnviz.core.schema import with_value

    window.open_example(EXAMPLES / "xor-mlp.json")
    session = window.training
    for units in (2, 4, 8):
        window.push_design(with_value(window.design, "layers[0].units", units), "Width")
        wait_until(lambda: getattr(session.run_info, "generation", None) == session.generation)
        session.play()
        wait_until(lambda: session.epoch >= 150 or session.state in ("finished", "diverged"))
        session.pause()
        wait_until(lambda: session.state != "running")
        run_for(1.5)  # the last frame drawn, and the run's row refreshed
    window.runs.recorder.finish()  # the last run written as it is
    runs = dock(window, "runsDock")
    runs.setFloating(True)
    runs.resize(1100, 420)
    runs.show()
    panel = runs.widget()
    panel.select_runs(sorted(panel.entries)[-3:])
    run_for(0.5)
    shoot(runs, "panel-runs")
    runs.setFloating(False)


#: The whole window at the two sizes learners use most, on three examples: the default
#: 1280 x 800 and a 1920 x 1080 desktop.
SIZED_EXAMPLES = (("spiral-deep", 300), ("digits", 30), ("breast-cancer", 100))
SIZES = ((1280, 800), (1920, 1080))


def sized_shots(window) -> None:
    from nnviz.ui.window_layout import size_docks

    for width, height in SIZES:
        window.resize(width, height)
        run_for(0.3)
        size_docks(window)  # the default layout's shares at this size
        run_for(0.3)
        for example, epochs in SIZED_EXAMPLES:
            train(window, example, epochs)
            shoot(window, f"window-{width}x{height}-{example}")


def main(only: str = "") -> None:
    from nnviz.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("nnviz-screenshots")  # leave the user's window layout alone
    QSettings().clear()

    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    if only:
        {
            "insight": insight_shots,
            "distributions": distribution_shots,
            "runs": runs_shots,
            "--sizes": sized_shots,
        }[only](window)
        window.undo_stack.setClean()
        window.close()
        return
    train(window, "xor-mlp", 300)
    shoot(window, "main-window")
    shoot(dock(window, "regionsDock"), "panel-regions")
    shoot(dock(window, "weightsDock"), "panel-weights")
    shoot(dock(window, "lossDock"), "panel-loss")
    dock(window, "gradientsDock").raise_()
    run_for(0.5)
    shoot(dock(window, "gradientsDock"), "panel-gradients")
    shoot(window.statusBar(), "panel-status")

    for example, epochs, panel, name in (
        ("multiclass-spiral", 400, "regionsDock", "panel-regions-classes"),
        ("sine-regression", 400, "regionsDock", "panel-regions-line"),
        ("breast-cancer", 100, "regionsDock", "panel-regions-pca"),
        ("digits", 30, "weightsDock", "panel-weights-digits"),
    ):
        train(window, example, epochs)
        shoot(dock(window, panel), name)
    shoot_confusion(window)

    insight_shots(window)
    distribution_shots(window)
    runs_shots(window)
    sized_shots(window)

    window.resize(1920, 1080)
    train(window, "spiral-deep", 300)
    shoot(window, "main-window-1080")

    app.setPalette(dark_palette())
    window.resize(1400, 900)
    train(window, "xor-mlp", 300)
    shoot(window, "main-window-dark")

    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main(sys.argv[1] if sys.argv[1:] else "")
