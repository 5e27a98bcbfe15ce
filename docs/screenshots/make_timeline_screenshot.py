"""Remake the README's timeline picture: the spiral example forked with a higher learning rate.

Run: ``.venv/bin/python docs/screenshots/make_timeline_screenshot.py`` (about a minute). It
trains spiral-deep, drags the timeline back, raises the learning rate, forks, trains the fork
and looks back at one of its epochs, so the picture shows the two loss curves, the marker and
the panels in the past. Look at it before committing it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_screenshots import run_for, train, wait_until  # noqa: E402


def main() -> None:
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("nnviz-screenshots")
    QSettings().clear()
    from nnviz.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.speed.setCurrentIndex(window.speed.count() - 1)  # as fast as possible
    train(window, "spiral-deep", 300)
    timeline, session = window.timeline.timeline, window.training
    timeline.show_epoch(80)
    wait_until(lambda: timeline.shown_epoch is not None)
    design = window.design
    faster = replace(design.training.optimizer, learning_rate=0.1)
    window.push_design(replace(design, training=replace(design.training, optimizer=faster)), "rate")
    timeline.fork()
    wait_until(lambda: len(session.runs) == 2 and session.latest is not None)
    session.play()
    wait_until(lambda: session.epoch >= 300)
    session.pause()
    wait_until(lambda: session.state != "running")
    run_for(0.5)
    timeline.show_epoch(200)
    wait_until(lambda: timeline.shown_epoch is not None and timeline.shown_epoch > 150)
    run_for(0.8)
    window.grab().save(str(HERE / "timeline-fork.png"))
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
