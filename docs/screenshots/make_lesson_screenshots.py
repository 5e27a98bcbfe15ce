"""Remake the Lessons panel's screenshots from the running app, offscreen.

Run: ``.venv/bin/python docs/screenshots/make_lesson_screenshots.py`` (under a minute). Shoots
the path of lessons, then lesson 4 (one hidden layer solves XOR) taken to its goal: the
prediction made, a hint shown, the width changed, the goal met. Look at each one.
"""

from __future__ import annotations

import sys

from make_screenshots import run_for, shoot, wait_until
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def main() -> None:
    from nnviz.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("nnviz-screenshots")
    QSettings().clear()
    QSettings().setValue("lessons/done", ["neuron", "perceptron-and", "perceptron-xor"])
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    lessons = window.lessons
    lessons.show_panel()
    run_for(0.5)
    shoot(lessons.dock, "lesson-path")

    lessons.start(3)
    session = window.training
    wait_until(lambda: session.latest is not None and session.run_info is not None)
    lessons.view.choices.button(1).setChecked(True)
    lessons.answer(1)
    lessons.hint()
    design = window.design
    window.push_design(lessons.attempt.lesson.solved, "Neurons of layer 1")
    assert window.design != design
    session.play()
    wait_until(lambda: lessons.attempt.met_at is not None and lessons.attempt.revealed)
    session.pause()
    run_for(0.5)
    shoot(lessons.dock, "lesson-panel")
    shoot(window, "lesson-window")
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
