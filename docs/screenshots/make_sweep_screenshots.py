"""Remake the Sweep dialog's screenshots (its table and three views) from the running app.

Run: ``.venv/bin/python docs/screenshots/make_sweep_screenshots.py`` (a minute or two).
A TPE sweep of the circle example over its learning rate, first layer's width and
activation (24 trials of 60 epochs, two workers) in a throwaway study, then one shot a tab.
Look at each one.
"""

from __future__ import annotations

import os
import sys
import tempfile

from make_screenshots import EXAMPLES, run_for, shoot, wait_until
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

SHOTS = ("sweep-trials", "sweep-parallel", "sweep-scatter", "sweep-importance")


def main() -> None:
    os.environ["NNVIZ_DATA_DIR"] = tempfile.mkdtemp(prefix="nnviz-sweep-shots-")
    from nnviz.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("nnviz-screenshots")
    QSettings().clear()
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.open_example(EXAMPLES / "circle.json")
    wait_until(lambda: window.training.run_info is not None)

    dialog = window.sweep.open()
    dialog.resize(1180, 680)
    dialog.form.rows.set_design(
        dialog.design,
        [
            ("training.optimizer.learning_rate", "log:0.003:1"),
            ("layers[0].units", "int:1:8"),
            ("layers[0].activation", "tanh,relu,sigmoid"),
        ],
    )
    dialog.form.method_box.setCurrentIndex(dialog.form.method_box.findData("tpe"))
    dialog.form.trials.setValue(24)
    dialog.form.epochs.setValue(60)
    dialog.form.workers.setValue(2)
    dialog.form.study.setText("circle-sweep")
    dialog.start()
    wait_until(lambda: not dialog.runner.busy, timeout=600)
    for index, name in enumerate(SHOTS):
        dialog.tabs.setCurrentIndex(index)
        if dialog.tabs.currentWidget() is dialog.importance:
            wait_until(lambda: bool(dialog.importance.shares))
        run_for(0.5)
        shoot(dialog, name)
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
