"""The main window: the diagram in the centre, settings beside it, live panels docked around.

The window owns the current :class:`Design` and the undo stack. The editor, the settings and
the layer inspector only propose new designs; :meth:`MainWindow.push_design` puts each on the
stack, and the stack's commands call :meth:`MainWindow._apply`, which shows the design
everywhere and hands it to the training session.
"""

from __future__ import annotations

import re
from dataclasses import replace
from importlib.resources import as_file
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QUndoStack
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QWidget,
)

from nnviz.core.data import DatasetError, load_dataset, save_dataset_csv
from nnviz.core.design import Design
from nnviz.core.files.bundled import resource
from nnviz.core.files.design_file import DesignFileError, load_design, save_design
from nnviz.ui.commands import SwapDesign
from nnviz.ui.concepts import TIPS
from nnviz.ui.data_facts import data_facts
from nnviz.ui.guide import GuideDialog
from nnviz.ui.layer_inspector import LayerInspector
from nnviz.ui.network_editor import NetworkEditor
from nnviz.ui.panels import install_panels
from nnviz.ui.session.training_session import TrainingSession
from nnviz.ui.settings_panel import SettingsPanel
from nnviz.ui.transfer import install_transfer_actions

#: Training settings a running session can take over without starting again.
LIVE_TRAINING_FIELDS = (
    "optimizer",
    "schedule",
    "l1",
    "l2",
    "batch_size",
    "epochs",
    "patience",
    "early_stopping",
)
MAX_RECENT = 8
DESIGN_FILTER = "nnviz designs (*.json);;All files (*)"
#: Speed control: epochs per frame (None: as fast as possible).
SPEEDS = (
    ("1 epoch / frame", 1),
    ("2 epochs / frame", 2),
    ("5 epochs / frame", 5),
    ("10 epochs / frame", 10),
    ("50 epochs / frame", 50),
    ("As fast as possible", None),
)
STATE_VERSION = 1


def is_structural(old: Design, new: Design) -> bool:
    """Whether going from ``old`` to ``new`` needs a new run (anything but live settings)."""
    live = {name: getattr(old.training, name) for name in LIVE_TRAINING_FIELDS}
    return replace(new, training=replace(new.training, **live)) != old


def examples_dir():
    """The folder of bundled example designs."""
    return resource("examples")


class MainWindow(QMainWindow):
    """nnviz's window; ``open_design(path)`` loads a design file into it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self._design = Design()
        self._path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self._docks: list[QDockWidget] = []  # in the order they were added
        self.undo_stack.setObjectName("undoStack")

        self.editor = NetworkEditor()
        self.setCentralWidget(self.editor)
        self.settings_panel = SettingsPanel()
        self.settings_dock = self.add_panel(
            self.settings_panel, "Settings", "settingsDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector = LayerInspector()
        self.inspector_dock = self.add_panel(
            self.inspector, "Layer", "layerInspectorDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.splitDockWidget(self.settings_dock, self.inspector_dock, Qt.Orientation.Vertical)

        self.training = TrainingSession(self)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.statusBar().setObjectName("statusBar")
        self._connect()
        install_panels(self, self.training)
        self.transfer = install_transfer_actions(self)
        self._apply(self._design, structural=True)
        self._restore_settings()
        self.training.set_speed(self.speed.currentData())  # the box's choice, restored or not

    # --- the design ---------------------------------------------------------------------------

    @property
    def design(self) -> Design:
        return self._design

    @property
    def path(self) -> Path | None:
        """The file the design was opened from or saved to (None for a new design)."""
        return self._path

    def push_design(self, design: Design, text: str, merge_key: str | None = None) -> None:
        """Make ``design`` current as one undoable step (merged with the previous one when
        both change the same field, ``merge_key``)."""
        design = self._fit_inputs_to_data(design)
        if design == self._design:
            return
        self.undo_stack.push(
            SwapDesign(self._apply_from_stack, self._design, design, text, merge_key)
        )

    def _fit_inputs_to_data(self, design: Design) -> Design:
        """After a change of data set, inputs the new data does not offer give way to its
        default inputs."""
        if design.dataset == self._design.dataset:
            return design
        facts = data_facts(design.dataset, self._base_dir())
        unknown = not set(design.features) <= set(facts.features)
        if facts.features and (unknown or (not design.features and facts.defaults)):
            return replace(design, features=facts.defaults)
        return design

    def _apply_from_stack(self, design: Design) -> None:
        self._apply(design, structural=is_structural(self._design, design))

    def _apply(self, design: Design, *, structural: bool) -> None:
        self._design = design
        facts = data_facts(design.dataset, self._base_dir())
        self.editor.set_design(design, facts)
        self.settings_panel.set_design(design)
        self.inspector.set_design(design)
        if facts.problem:
            self.statusBar().showMessage(f"The data cannot be read: {facts.problem}")
        self.training.set_design(design, structural=structural, base_dir=self._base_dir())
        self._update_title()

    def _set_document(self, design: Design, path: Path | None) -> None:
        self.undo_stack.clear()
        self._path = path
        self._apply(design, structural=True)
        self.undo_stack.setClean()
        self._update_title()

    def _base_dir(self) -> str | None:
        return str(self._path.parent) if self._path else None

    def _update_title(self) -> None:
        name = self._path.name if self._path else self._design.name
        self.setWindowTitle(f"{name}[*] — nnviz")
        self.setWindowModified(not self.undo_stack.isClean())

    # --- files --------------------------------------------------------------------------------

    def new_design(self) -> bool:
        if not self._confirm_discard():
            return False
        self._set_document(Design(), None)
        return True

    def open_design(self, path) -> bool:
        """Open the design file at ``path``; a broken file leaves the current design as it is."""
        path = Path(path).absolute()
        design = self._read(path, "Cannot open the design")
        if design is None or not self._confirm_discard():
            return False
        self._set_document(design, path)
        self._add_recent(path)
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def open_example(self, path) -> bool:
        """Open a bundled example as a new, untitled design (saving asks where to)."""
        design = self._read(Path(path), "Cannot open the example")
        return design is not None and self.open_document(design)

    def open_document(self, design: Design) -> bool:
        """Show ``design`` as a new, untitled document, after the unsaved-changes prompt."""
        if not self._confirm_discard():
            return False
        self._set_document(design, None)
        return True

    def _read(self, path: Path, title: str) -> Design | None:
        """The design in ``path``, or None after showing every problem of the file."""
        try:
            return load_design(path)
        except DesignFileError as error:
            self._show_problems(
                "loadErrorDialog", title, f"{path.name} cannot be opened:", error.problems
            )
            return None

    def save(self) -> bool:
        if self._path is None:
            return self.save_as()
        return self._write(self._path)

    def save_as(self, path=None) -> bool:
        if path is None:
            stem = re.sub(r"[^\w.-]+", "-", self._design.name).strip("-") or "design"
            start = str(self._path or Path.home() / f"{stem}.json")
            path, _ = QFileDialog.getSaveFileName(self, "Save design", start, DESIGN_FILTER)
            if not path:
                return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        return self._write(path.absolute())

    def _write(self, path: Path) -> bool:
        try:
            save_design(self._design, path)
        except DesignFileError as error:
            self._show_problems(
                "saveErrorDialog",
                "Cannot save the design",
                "The design is not complete yet:",
                error.problems,
            )
            return False
        except OSError as error:
            self._show_problems(
                "saveErrorDialog",
                "Cannot save the design",
                f"{path} cannot be written:",
                [error.strerror or str(error)],
            )
            return False
        self._path = path
        self.undo_stack.setClean()
        self._add_recent(path)
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _confirm_discard(self) -> bool:
        """Ask before unsaved changes are lost; True when it is fine to go on."""
        if self.undo_stack.isClean():
            return True
        Button = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to {self._path.name if self._path else 'the design'}?",
            Button.Save | Button.Discard | Button.Cancel,
            self,
        )
        box.setObjectName("unsavedChangesDialog")
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setDefaultButton(Button.Save)
        answer = box.exec()
        box.deleteLater()
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def _show_problems(self, name: str, title: str, text: str, problems: list[str]) -> None:
        """A non-blocking dialog listing every problem."""
        box = QMessageBox(
            QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName(name)
        box.setInformativeText("\n".join(f"• {p}" for p in problems))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- recent files and examples ------------------------------------------------------------

    def recent_files(self) -> list[str]:
        return [str(p) for p in QSettings().value("recentFiles", [], type=list)]

    def _add_recent(self, path: Path) -> None:
        files = [str(path), *(p for p in self.recent_files() if p != str(path))]
        QSettings().setValue("recentFiles", files[:MAX_RECENT])
        self._fill_recent_menu()

    def _clear_recent(self) -> None:
        QSettings().setValue("recentFiles", [])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.recent_files()
        for i, path in enumerate(files):
            action = menu.addAction(f"&{i + 1} {Path(path).name}")
            action.setObjectName(f"actionRecent{i}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_design(p))
        if files:
            menu.addSeparator()
        clear = menu.addAction("Clear Menu", self._clear_recent)
        clear.setObjectName("actionClearRecent")
        clear.setEnabled(bool(files))

    def _fill_examples_menu(self) -> None:
        menu = self.examples_menu
        menu.clear()
        folder = examples_dir()
        examples = sorted(
            (node for node in folder.iterdir() if node.name.endswith(".json")),
            key=lambda node: node.name,
        )
        for node in examples:
            stem = node.name.removesuffix(".json")
            action = menu.addAction(stem)
            action.setObjectName(f"actionExample_{stem}")
            with as_file(node) as path:
                try:
                    design = load_design(path)
                except DesignFileError:
                    design = None
            if design is not None:
                action.setText(design.name)
                action.setToolTip(design.description)
                action.setStatusTip(design.description)
            action.triggered.connect(lambda _=False, n=node: self._open_example_node(n))
        if not examples:
            menu.addAction("(no examples installed)").setEnabled(False)

    def _open_example_node(self, node) -> None:
        with as_file(node) as path:
            self.open_example(path)

    # --- exports ------------------------------------------------------------------------------

    def export_image(self, path=None) -> bool:
        """The whole window as PNG, or as SVG when the name ends in .svg."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export image",
                str(Path.home() / "nnviz.png"),
                "PNG image (*.png);;SVG drawing (*.svg)",
            )
            if not path:
                return False
        path = Path(path)
        if path.suffix.lower() == ".svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(self.size())
            generator.setViewBox(self.rect())
            generator.setTitle(self.windowTitle().replace("[*]", ""))
            painter = QPainter(generator)
            self.render(painter, QPoint())
            ok = painter.end()
        else:
            ok = self.grab().save(str(path))
        if not ok:
            self._show_problems(
                "exportErrorDialog",
                "Cannot export the image",
                f"{path} cannot be written.",
                ["check the folder and the name"],
            )
        return ok

    def export_dataset(self, path=None) -> bool:
        """The design's data (train and test split) as a CSV file."""
        if path is None:
            start = Path.home() / f"{self._design.dataset.name}.csv"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export data", str(start), "CSV files (*.csv)"
            )
            if not path:
                return False
        try:
            dataset = load_dataset(self._design.dataset, base_dir=self._base_dir())
            save_dataset_csv(dataset, path)
        except (DatasetError, OSError) as error:
            self._show_problems(
                "exportErrorDialog",
                "Cannot export the data",
                "The data cannot be exported:",
                [str(error)],
            )
            return False
        self.statusBar().showMessage(f"Exported the data to {path}", 5000)
        return True

    # --- panels -------------------------------------------------------------------------------

    def add_panel(
        self,
        widget: QWidget,
        title: str,
        object_name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
    ) -> QDockWidget:
        """Dock ``widget``; the dock can be moved, closed and reopened from the View menu."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        self._docks.append(dock)
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    # --- actions, menus, toolbar --------------------------------------------------------------

    def _action(self, name: str, text: str, slot, shortcut=None, icon=None, tip: str = ""):
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_actions(self) -> None:
        Key, Pix = QKeySequence.StandardKey, QStyle.StandardPixmap
        self.actionNew = self._action(
            "actionNew", "&New", self.new_design, Key.New, Pix.SP_FileIcon, "Start a new design"
        )
        self.actionOpen = self._action(
            "actionOpen",
            "&Open…",
            self._open_dialog,
            Key.Open,
            Pix.SP_DialogOpenButton,
            "Open a design file",
        )
        self.actionSave = self._action(
            "actionSave", "&Save", self.save, Key.Save, Pix.SP_DialogSaveButton, "Save the design"
        )
        self.actionSaveAs = self._action("actionSaveAs", "Save &As…", self.save_as, Key.SaveAs)
        self.actionExportImage = self._action(
            "actionExportImage",
            "Window as &Image…",
            self.export_image,
            tip="The window as PNG or SVG",
        )
        self.actionExportDataset = self._action(
            "actionExportDataset",
            "&Data as CSV…",
            self.export_dataset,
            tip="The training and test points as CSV",
        )
        self.actionQuit = self._action("actionQuit", "&Quit", self.close, Key.Quit)
        self.actionQuit.setMenuRole(QAction.MenuRole.QuitRole)

        self.actionUndo = self.undo_stack.createUndoAction(self, "&Undo")
        self.actionUndo.setObjectName("actionUndo")
        self.actionUndo.setIconText("Undo")  # the menu shows what; the toolbar stays short
        self.actionUndo.setShortcut(Key.Undo)
        self.actionUndo.setIcon(self.style().standardIcon(Pix.SP_ArrowBack))
        self.actionRedo = self.undo_stack.createRedoAction(self, "&Redo")
        self.actionRedo.setObjectName("actionRedo")
        self.actionRedo.setIconText("Redo")
        self.actionRedo.setShortcuts([QKeySequence(Key.Redo), QKeySequence("Ctrl+Y")])
        self.actionRedo.setIcon(self.style().standardIcon(Pix.SP_ArrowForward))

        self.actionPlay = self._action(
            "actionPlay",
            "&Play",
            self.training.toggle_play,
            Qt.Key.Key_Space,
            Pix.SP_MediaPlay,
            "Start or pause training (Space)",
        )
        self.actionStep = self._action(
            "actionStep",
            "&Step One Epoch",
            self.training.step_epoch,
            Qt.Key.Key_Period,
            Pix.SP_MediaSkipForward,
            "Train one epoch (.)",
        )
        self.actionStep.setIconText("Step")
        self.actionStepBatch = self._action(
            "actionStepBatch",
            "Step One &Mini-Batch",
            self.training.step_batch,
            QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Space),
            tip="Train on one mini-batch",
        )
        self.actionReset = self._action(
            "actionReset",
            "&Reset",
            self.training.reset,
            "Ctrl+R",
            Pix.SP_BrowserReload,
            "New initial weights from the seed (Ctrl+R)",
        )

        self.actionFit = self._action(
            "actionFitDiagram",
            "&Fit Diagram",
            self.editor.fit,
            "Ctrl+0",
            tip="Show the whole diagram",
        )
        self.actionZoomIn = self._action(
            "actionZoomIn", "Zoom &In", lambda: self.editor.zoom_by(1.25), Key.ZoomIn
        )
        self.actionZoomOut = self._action(
            "actionZoomOut", "Zoom &Out", lambda: self.editor.zoom_by(0.8), Key.ZoomOut
        )
        self.actionGuide = self._action("actionGuide", "&Guide", self.show_guide, Key.HelpContents)
        self.actionAbout = self._action("actionAbout", "&About nnviz", self.show_about)
        self.actionAbout.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menuFile")
        file_menu.addActions([self.actionNew, self.actionOpen])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menuRecent")
        self.examples_menu = file_menu.addMenu("&Examples")
        self.examples_menu.setObjectName("menuExamples")
        file_menu.addSeparator()
        file_menu.addActions([self.actionSave, self.actionSaveAs])
        self.export_menu = file_menu.addMenu("&Export")
        self.export_menu.setObjectName("menuExport")
        self.export_menu.addActions([self.actionExportImage, self.actionExportDataset])
        file_menu.addSeparator()
        file_menu.addAction(self.actionQuit)
        self._fill_recent_menu()
        self._fill_examples_menu()
        self.examples_menu.aboutToShow.connect(self._fill_examples_menu)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("menuEdit")
        edit_menu.addActions([self.actionUndo, self.actionRedo])

        self.view_menu = bar.addMenu("&View")
        self.view_menu.setObjectName("menuView")
        self.view_menu.addActions([self.actionZoomIn, self.actionZoomOut, self.actionFit])
        self.view_menu.addSection("Panels")
        for dock in (self.settings_dock, self.inspector_dock):
            self.view_menu.addAction(dock.toggleViewAction())

        train_menu = bar.addMenu("&Train")
        train_menu.setObjectName("menuTrain")
        train_menu.addActions(
            [self.actionPlay, self.actionStep, self.actionStepBatch, self.actionReset]
        )

        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("menuHelp")
        help_menu.addActions([self.actionGuide, self.actionAbout])

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolBar")
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addActions([self.actionNew, self.actionOpen, self.actionSave])
        bar.addSeparator()
        bar.addActions([self.actionUndo, self.actionRedo])
        bar.addSeparator()
        bar.addActions([self.actionPlay, self.actionStep, self.actionReset])
        bar.addWidget(QLabel("  Speed "))
        self.speed = QComboBox(objectName="speedControl")
        self.speed.setToolTip(TIPS["speed"])
        for text, epochs in SPEEDS:
            self.speed.addItem(text, epochs)
        self.speed.currentIndexChanged.connect(
            lambda i: self.training.set_speed(self.speed.itemData(i))
        )
        bar.addWidget(self.speed)

    def _connect(self) -> None:
        self.editor.sigEdit.connect(lambda design, text: self.push_design(design, text))
        self.editor.sigLayerClicked.connect(self._inspect_layer)
        self.editor.sigMessage.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.settings_panel.sigEdit.connect(self.push_design)
        self.inspector.sigEdit.connect(self.push_design)
        self.undo_stack.cleanChanged.connect(lambda _clean: self._update_title())
        self.training.sigStateChanged.connect(self._on_training_state)
        self.training.sigMessage.connect(self.statusBar().showMessage)

    def _inspect_layer(self, layer: int) -> None:
        self.inspector.select(layer)
        self.inspector_dock.show()
        self.inspector_dock.raise_()

    def _on_training_state(self, state: str) -> None:
        running = state == "running"
        self.actionPlay.setText("&Pause" if running else "&Play")
        self.actionPlay.setIconText("Pause" if running else "Play")
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.actionPlay.setIcon(self.style().standardIcon(icon))

    def _open_dialog(self) -> None:
        start = str(self._path.parent) if self._path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open design", start, DESIGN_FILTER)
        if path:
            self.open_design(path)

    def show_guide(self) -> None:
        guide = self.findChild(GuideDialog) or GuideDialog(self)
        guide.show()
        guide.raise_()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About nnviz",
            "<h3>nnviz</h3><p>A desktop neural-network playground: draw a multi-layer "
            "perceptron, pick a data set, press Play and watch it learn.</p>"
            "<p>Inspired by TensorFlow Playground. MIT licence.</p>",
        )

    # --- window state -------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = settings.value("window/state")
        if state is None or not self.restoreState(state, STATE_VERSION):
            QTimer.singleShot(0, self._default_layout)  # once the window has its size
        speed = settings.value("training/speed", 0, type=int)
        self.speed.setCurrentIndex(min(max(speed, 0), len(SPEEDS) - 1))

    def _default_layout(self) -> None:
        """Settings down the left, live panels down the right and in tabs below the diagram."""
        docks = self._docks
        right = [
            d for d in docks if self.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea
        ]
        bottom = [
            d for d in docks if self.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea
        ]
        width, height = self.width(), self.height()
        self.resizeDocks(
            [self.settings_dock], [min(max(300, width // 4), 380)], Qt.Orientation.Horizontal
        )
        if right:
            self.resizeDocks(right[:1], [int(width * 0.32)], Qt.Orientation.Horizontal)
            self.resizeDocks(right, [height] * len(right), Qt.Orientation.Vertical)
        if bottom:
            for dock in bottom[1:]:
                self.tabifyDockWidget(bottom[0], dock)
            QTimer.singleShot(0, bottom[0].raise_)  # after the tabs exist
            self.resizeDocks(bottom[:1], [int(height * 0.3)], Qt.Orientation.Vertical)

    def _save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(STATE_VERSION))
        settings.setValue("training/speed", self.speed.currentIndex())

    def closeEvent(self, event) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self._save_settings()
        self.training.shutdown()
        event.accept()

    # --- drag and drop ------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = _dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            # open after the drop returns, so a dialog does not block the drag source
            QTimer.singleShot(0, lambda: self.open_design(path))


def _dropped_file(mime) -> str | None:
    """The one local file being dropped, or None."""
    urls: list[QUrl] = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    return urls[0].toLocalFile()


def window_icon() -> QIcon | None:
    """nnviz's icon, when the resources include it."""
    icon_file = resource("icons", "nnviz.svg")
    if not icon_file.is_file():
        return None
    with as_file(icon_file) as path:
        return QIcon(str(path))
