"""Trained networks in and out of the window: weights, training history and panel pictures.

:func:`install_transfer_actions` adds the actions to the window's File menu (Open Network
File, Import Weights) and its File > Export submenu (Weights, Training history, Panel
picture). Every file dialog goes through a small ``_ask_…`` method, so tests can answer it,
and every failure ends in a warning box (``transferErrorDialog``) that names the problem;
nothing is changed by an import that fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog, QMenu, QMessageBox

from nnviz.core.files.history_csv import save_history_csv
from nnviz.core.files.weights_io import (
    EXPORT_FORMATS,
    WEIGHT_FORMATS,
    NetworkFile,
    WeightsFileError,
    check_compatible,
    load_weights,
    save_weights,
)
from nnviz.ui.panel_pictures import (
    PICTURE_FILTER,
    PICTURE_FORMATS,
    panel_docks,
    panel_view,
    save_picture,
)

WEIGHTS_FILTER = ";;".join(WEIGHT_FORMATS.values())
EXPORT_FILTER = ";;".join(EXPORT_FORMATS.values())
HISTORY_FILTER = "CSV files (*.csv)"


def suffix_for(path: str, selected_filter: str) -> str:
    """``path``, with the extension of ``selected_filter`` (``"Name (*.ext)"``) added when the
    user typed a name without one."""
    if Path(path).suffix:
        return path
    match = re.search(r"\*(\.[\w.]+)", selected_filter)
    return path + match.group(1) if match else path


def file_stem(name: str) -> str:
    """A file name made from a design or panel name (no path separators or reserved marks)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "-", name.strip()).strip("-") or "network"


def check_inputs(network: NetworkFile, pipeline) -> None:
    """Refuse weights trained on other inputs, even when the shapes happen to agree."""
    if pipeline is not None and tuple(network.input_names) != tuple(pipeline.features):
        raise WeightsFileError(
            f"the file's network takes the inputs ({', '.join(network.input_names)}), "
            f"the design's takes ({', '.join(pipeline.features)})"
        )


class TransferActions(QObject):
    """The export and import actions of one window, and what they do."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("transferActions")
        self.window = window
        self.session = window.training
        self._pending: tuple[int, NetworkFile, str] | None = None  # weights awaiting their run

        self.actionExportWeights = self._action(
            "actionExportWeights",
            "&Weights…",
            self.export_weights,
            "The trained network as .npz, .safetensors, .pt or .onnx, with its design",
        )
        self.actionExportHistory = self._action(
            "actionExportHistory",
            "Training &history (CSV)…",
            self.export_history,
            "Losses, metrics and gradient norms of every epoch as CSV",
        )
        self.actionExportPanelImage = self._action(
            "actionExportPanelImage",
            "&Panel picture…",
            self.export_panel_picture,
            "One panel (decision regions, weights, loss, ...) as PNG or SVG",
        )
        self.actionOpenWeights = self._action(
            "actionOpenWeights",
            "Open Net&work File…",
            self.open_network_file,
            "Open a weights file as a new design with its trained weights",
        )
        self.actionImportWeights = self._action(
            "actionImportWeights",
            "&Import Weights…",
            self.import_weights,
            "Load trained weights from a file into the current design",
        )
        window.export_menu.addSeparator()
        window.export_menu.addActions(
            [self.actionExportWeights, self.actionExportHistory, self.actionExportPanelImage]
        )
        self._add_after_open([self.actionOpenWeights, self.actionImportWeights])

        self.session.sigRunStarted.connect(self._on_run_started)
        self.session.sigFrame.connect(lambda _frame: self._update_enabled())
        self._update_enabled()

    # --- exports ------------------------------------------------------------------------------

    def export_weights(self, path=None) -> bool:
        """The latest weights of the run, in the format the file name's extension names."""
        session = self.session
        if not self._has_weights():
            self._error("Cannot export the weights", "There are no trained weights yet.")
            return False
        if path is None:
            path = self._ask_save_path(
                "Export weights", EXPORT_FILTER, self._default_path(self._design_stem(), ".npz")
            )
            if not path:
                return False
        try:
            save_weights(
                path,
                self.window.design,
                session.spec,
                session.latest.params,
                session.pipeline,
                session.run_info.class_names,
            )
        except WeightsFileError as error:
            self._error("Cannot export the weights", str(error))
            return False
        except OSError as error:
            self._error("Cannot export the weights", f"{path} cannot be written: {error}")
            return False
        self._message(f"Exported the weights to {path}")
        return True

    def export_history(self, path=None) -> bool:
        """Every epoch of the current run, one CSV row each."""
        session = self.session
        if self._current_run() is None or not session.history:
            self._error("Cannot export the history", "No epoch has been trained yet.")
            return False
        if path is None:
            default = self._default_path(f"{self._design_stem()}-history", ".csv")
            path = self._ask_save_path("Export training history", HISTORY_FILTER, default)
            if not path:
                return False
        try:
            info = session.run_info
            save_history_csv(path, list(session.history), info.layer_names, info.class_names)
        except OSError as error:
            self._error("Cannot export the history", f"{path} cannot be written: {error}")
            return False
        self._message(f"Exported {len(session.history)} epochs to {path}")
        return True

    def export_panel_picture(self, dock: QDockWidget | None = None, path=None) -> bool:
        """One panel as PNG (pyqtgraph's ImageExporter) or SVG (by the file name's extension)."""
        if dock is None:
            docks = panel_docks(self.window)
            if not docks:
                self._error("Cannot export a picture", "No panel is open.")
                return False
            dock = self._ask_panel(docks)
            if dock is None:
                return False
        if path is None:
            default = self._default_path(file_stem(dock.windowTitle()), ".png")
            path = self._ask_save_path("Export panel picture", PICTURE_FILTER, default)
            if not path:
                return False
        dock.raise_()  # a panel tabbed behind another draws only when shown
        view = panel_view(dock)
        suffix = Path(path).suffix.lower()
        if suffix not in PICTURE_FORMATS:
            problem = f"{Path(path).name}: pictures are saved as .png or .svg"
        elif view.width() == 0 or view.height() == 0:
            problem = f"the {dock.windowTitle()} panel is not on screen"
        elif not save_picture(view, path):
            problem = f"{path} cannot be written"
        else:
            self._message(f"Exported the {dock.windowTitle()} panel to {path}")
            return True
        self._error("Cannot export the picture", problem)
        return False

    # --- imports ------------------------------------------------------------------------------

    def import_weights(self, path=None) -> bool:
        """Load a file's weights into the current design's network; a file that does not fit
        changes nothing."""
        if path is None:
            path = self._ask_open_path("Import weights", WEIGHTS_FILTER)
            if not path:
                return False
        try:
            network = load_weights(path)
            run = self._current_run()
            if run is None:
                raise WeightsFileError("the current design has no network yet to load them into")
            check_compatible(run.spec, network.params)
            check_inputs(network, self.session.pipeline)
        except WeightsFileError as error:
            self._error("Cannot import the weights", str(error))
            return False
        self.session.load_params(network.params)
        note = self._standardisation_note(network)
        self._message(f"Loaded the weights of {Path(path).name}{note}")
        return True

    def open_network_file(self, path=None) -> bool:
        """Open a weights file as a new, untitled design (after the unsaved-changes prompt);
        its weights are loaded once the design's run has started."""
        if path is None:
            path = self._ask_open_path("Open network file", WEIGHTS_FILTER)
            if not path:
                return False
        try:
            network = load_weights(path)
        except WeightsFileError as error:
            self._error("Cannot open the network file", str(error))
            return False
        if not self.window.open_document(network.design):
            return False
        self._pending = (self.session.generation, network, Path(path).name)
        return True

    def open_dropped(self, path) -> bool:
        """A weights file dropped on the window: its weights go into the current network when
        they fit it, otherwise its whole network opens as a new design."""
        try:
            network = load_weights(path)
            run = self._current_run()
            fits = run is not None
            if fits:
                check_compatible(run.spec, network.params)
                check_inputs(network, self.session.pipeline)
        except WeightsFileError:
            fits = False
        return self.import_weights(path) if fits else self.open_network_file(path)

    def _on_run_started(self, info) -> None:
        self._update_enabled()
        if self._pending is None:
            return
        generation, network, name = self._pending
        if info.generation != generation:
            return
        self._pending = None
        try:
            check_compatible(info.spec, network.params)
            check_inputs(network, self.session.pipeline)
        except WeightsFileError as error:
            self._error(
                "Cannot load the weights",
                f"The design of {name} opened, but its weights do not fit the network it "
                f"builds here: {error}",
            )
            return
        self.session.load_params(network.params)
        self._message(f"Opened {name} with its trained weights")

    def _standardisation_note(self, network: NetworkFile) -> str:
        """A warning when this data's input standardisation is not the one the weights were
        trained with (the design's own is what the app applies)."""
        pipeline = self.session.pipeline
        if np.allclose(network.input_mean, pipeline.mean) and np.allclose(
            network.input_std, pipeline.std
        ):
            return ""
        return (
            "; note: this data standardises the inputs with other means and spreads than "
            "the file's, so the network may answer differently"
        )

    # --- dialogs (tests replace these) --------------------------------------------------------

    def _ask_save_path(self, title: str, filters: str, default: str) -> str | None:
        path, selected = QFileDialog.getSaveFileName(self.window, title, default, filters)
        return suffix_for(path, selected) if path else None

    def _ask_open_path(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window, title, self._folder(), filters)
        return path or None

    def _ask_panel(self, docks: list[QDockWidget]) -> QDockWidget | None:
        titles = [dock.windowTitle() for dock in docks]
        title, ok = QInputDialog.getItem(
            self.window, "Panel picture", "Which panel?", titles, 0, False
        )
        return docks[titles.index(title)] if ok else None

    # --- helpers ------------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _add_after_open(self, actions: list[QAction]) -> None:
        file_menu = self.window.menuBar().findChild(QMenu, "menuFile")
        menu_actions = file_menu.actions()
        after = menu_actions.index(self.window.actionOpen) + 1
        before = menu_actions[after] if after < len(menu_actions) else None
        file_menu.insertActions(before, actions)

    def _current_run(self):
        """RunInfo of the run of the current design; None while a new run is starting."""
        run = self.session.run_info
        return run if run is not None and run.generation == self.session.generation else None

    def _has_weights(self) -> bool:
        session = self.session
        return (
            self._current_run() is not None
            and session.latest is not None
            and session.pipeline is not None
        )

    def _update_enabled(self) -> None:
        has_run = self._current_run() is not None
        self.actionExportWeights.setEnabled(self._has_weights())
        self.actionExportHistory.setEnabled(has_run and bool(self.session.history))
        self.actionImportWeights.setEnabled(has_run)

    def _design_stem(self) -> str:
        return file_stem(self.window.design.name)

    def _folder(self) -> str:
        path = self.window.path
        return str(path.parent if path is not None else Path.home())

    def _default_path(self, stem: str, suffix: str) -> str:
        return str(Path(self._folder()) / f"{stem}{suffix}")

    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)

    def _error(self, title: str, text: str) -> None:
        """A window-modal warning that does not block (so nothing waits on the user)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window
        )
        box.setObjectName("transferErrorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def install_transfer_actions(window) -> TransferActions:
    """Add the weights, history and panel-picture actions to ``window``'s File menu and
    File > Export submenu, enabled while there is something to export."""
    return TransferActions(window)
