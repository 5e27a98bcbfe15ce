"""Train → Sweep…: the window's hyperparameter sweeps (the dialog, its runner and its views),
on :mod:`nnviz.core.sweep`. Sweeps need Optuna, an optional extra: without it the menu item
says how to install it."""

from __future__ import annotations

import importlib.util

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from nnviz.core.sweep.storage import INSTALL_HINT
from nnviz.ui.sweep.dialog import SweepDialog

__all__ = ["SweepAction", "install_sweep", "optuna_installed"]


def optuna_installed() -> bool:
    """Whether Optuna can be imported (found without importing it: that takes a second)."""
    return importlib.util.find_spec("optuna") is not None


class SweepAction(QObject):
    """The menu item and the window's one Sweep dialog, made when first opened."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.available = optuna_installed()
        self.action = QAction("S&weep…" if self.available else "S&weep… (needs Optuna)", window)
        self.action.setObjectName("actionSweep")
        tip = (
            "Train the design many times with settings varied, and compare the trials"
            if self.available
            else f"Sweeps {INSTALL_HINT.removeprefix('sweeps ')}"
        )
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.triggered.connect(lambda _=False: self.open())
        window.document.sigChanged.connect(self._follow)
        window.training.sigRunStarted.connect(self._recheck)
        train_menu = window.menuBar().findChild(QMenu, "menuTrain")
        if train_menu is not None:
            train_menu.addAction(self.action)

    def open(self):
        """Show the Sweep dialog for the current design (or say how to install Optuna)."""
        if not self.available:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Sweeps need Optuna",
                "Sweeps run on Optuna, which is not installed.",
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setObjectName("sweepInstallDialog")
            box.setInformativeText('Install it with:  pip install "nnviz[sweep]"')
            box.open()
            return box
        if self.dialog is None:
            self.dialog = SweepDialog(self.window)
        self.dialog.prepare(self.window.design, self.window.training.spec)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _follow(self, _old, design, _new_document) -> None:
        if self.dialog is not None:
            self.dialog.follow(design)

    def _recheck(self, _info) -> None:
        """The first run has started: the design trains, a sweep can start."""
        if self.dialog is not None:
            self.dialog.check()

    def shutdown(self) -> None:
        """End a running sweep's workers (the window is closing)."""
        if self.dialog is not None:
            self.dialog.shutdown()


def install_sweep(window) -> SweepAction:
    """Add Train → Sweep… to ``window``."""
    return SweepAction(window)
