"""Remake the step-through screenshots (one a stage kind) from the running app, offscreen.

Run: ``.venv/bin/python docs/screenshots/make_step_through_screenshots.py`` (under a minute).
Trains the XOR example briefly, picks a training point, and shoots the window at a forward,
the loss, a backward and the update stage with a neuron under the mouse. Look at each one.
"""

from __future__ import annotations

import sys

from make_screenshots import EXAMPLES, run_for, shoot, wait_until
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def hover(editor, scene_point: QPointF) -> None:
    pos = QPointF(editor.mapFromScene(scene_point))
    event = QMouseEvent(
        QMouseEvent.Type.MouseMove, pos, pos, Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(editor.viewport(), event)


def main() -> None:
    from nnviz.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("nnviz-screenshots")
    QSettings().clear()
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.open_example(EXAMPLES / "xor-mlp.json")
    session = window.training
    wait_until(lambda: session.latest is not None and session.run_info is not None)
    session.play()
    wait_until(lambda: session.epoch >= 40)
    session.pause()
    wait_until(lambda: session.state != "running")
    run_for(0.5)

    window.actionStepThrough.trigger()
    mode = window.step_through
    mode.choose_sample("train", 3)
    for position, neuron, name in (
        (0, (0, 1), "step-forward"),
        (2, (1, 0), "step-loss"),
        (4, (0, 1), "step-backward"),
        (5, (0, 1), "step-update"),
    ):
        mode.go_to(position)
        item = mode.overlay.neuron_item(*neuron)
        hover(window.editor, item.centre())
        run_for(0.3)
        shoot(window, name)
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
