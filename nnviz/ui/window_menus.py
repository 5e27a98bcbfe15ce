"""The window's actions, menus and toolbar: what each command is called, its key and icon.

:func:`install_actions` makes the actions as attributes of the window (``window.actionPlay``,
...), :func:`install_menus` and :func:`install_toolbar` put them where a user looks for them.
The Open Recent and Examples menus are filled from the document's list and the bundled
examples each time they change.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import as_file
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QStyle

from nnviz.core.files.bundled import lesson_order
from nnviz.core.files.design_file import DesignFileError, load_design
from nnviz.ui.concepts import TIPS

#: Speed control: epochs per frame (None: as fast as possible).
SPEEDS = (
    ("1 epoch / frame", 1),
    ("2 epochs / frame", 2),
    ("5 epochs / frame", 5),
    ("10 epochs / frame", 10),
    ("50 epochs / frame", 50),
    ("As fast as possible", None),
)


def make_action(window, name: str, text: str, slot, shortcut=None, icon=None, tip: str = ""):
    """An action of ``window`` called ``name`` that runs ``slot()``."""
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.triggered.connect(lambda _=False: slot())
    return action


def install_actions(window) -> None:
    """Every command of the window as ``window.action…``."""
    Key, Pix = QKeySequence.StandardKey, QStyle.StandardPixmap
    document, training, editor = window.document, window.training, window.editor

    def action(name: str, text: str, slot, shortcut=None, icon=None, tip: str = "") -> QAction:
        made = make_action(window, name, text, slot, shortcut, icon, tip)
        setattr(window, name, made)
        return made

    action("actionNew", "&New", window.new_design, Key.New, Pix.SP_FileIcon, "Start a new design")
    action(
        "actionOpen",
        "&Open…",
        document.open_dialog,
        Key.Open,
        Pix.SP_DialogOpenButton,
        "Open a design file",
    )
    action("actionSave", "&Save", window.save, Key.Save, Pix.SP_DialogSaveButton, "Save the design")
    action("actionSaveAs", "Save &As…", window.save_as, Key.SaveAs)
    action(
        "actionExportImage",
        "Window as &Image…",
        window.export_image,
        tip="The window as PNG or SVG",
    )
    action(
        "actionExportDataset",
        "&Data as CSV…",
        window.export_dataset,
        tip="The training and test points as CSV",
    )
    action("actionQuit", "&Quit", window.close, Key.Quit).setMenuRole(QAction.MenuRole.QuitRole)

    stack = document.undo_stack
    window.actionUndo = stack.createUndoAction(window, "&Undo")
    window.actionUndo.setObjectName("actionUndo")
    window.actionUndo.setIconText("Undo")  # the menu shows what; the toolbar stays short
    window.actionUndo.setShortcut(Key.Undo)
    window.actionUndo.setIcon(window.style().standardIcon(Pix.SP_ArrowBack))
    window.actionRedo = stack.createRedoAction(window, "&Redo")
    window.actionRedo.setObjectName("actionRedo")
    window.actionRedo.setIconText("Redo")
    window.actionRedo.setShortcuts([QKeySequence(Key.Redo), QKeySequence("Ctrl+Y")])
    window.actionRedo.setIcon(window.style().standardIcon(Pix.SP_ArrowForward))

    action(
        "actionPlay",
        "&Play",
        training.toggle_play,
        Qt.Key.Key_Space,
        Pix.SP_MediaPlay,
        "Start or pause training (Space)",
    )
    action(
        "actionStep",
        "&Step One Epoch",
        training.step_epoch,
        Qt.Key.Key_Period,
        Pix.SP_MediaSkipForward,
        "Train one epoch (.)",
    ).setIconText("Step")
    action(
        "actionStepBatch",
        "Step One &Mini-Batch",
        training.step_batch,
        QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Space),
        tip="Train on one mini-batch",
    )
    action(
        "actionReset",
        "&Reset",
        training.reset,
        "Ctrl+R",
        Pix.SP_BrowserReload,
        "New initial weights from the seed (Ctrl+R)",
    )
    window.actionFit = make_action(
        window,
        "actionFitDiagram",
        "&Fit Diagram",
        editor.fit,
        "Ctrl+0",
        tip="Show the whole diagram",
    )
    action("actionZoomIn", "Zoom &In", lambda: editor.zoom_by(1.25), Key.ZoomIn)
    action("actionZoomOut", "Zoom &Out", lambda: editor.zoom_by(0.8), Key.ZoomOut)
    action("actionGuide", "&Guide", window.show_guide, Key.HelpContents)
    action("actionAbout", "&About nnviz", window.show_about).setMenuRole(QAction.MenuRole.AboutRole)


def install_menus(window) -> None:
    """File, Edit, View, Train and Help, as ``window.…_menu`` where others add to them
    (``file_menu``, ``recent_menu``, ``examples_menu``, ``export_menu``, ``view_menu``,
    ``train_menu``)."""
    w = window
    bar = w.menuBar()
    w.file_menu = file_menu = _menu(bar, "&File", "menuFile")
    file_menu.addActions([w.actionNew, w.actionOpen])
    w.recent_menu = _menu(file_menu, "Open &Recent", "menuRecent")
    w.examples_menu = _menu(file_menu, "&Examples", "menuExamples")
    file_menu.addSeparator()
    file_menu.addActions([w.actionSave, w.actionSaveAs])
    w.export_menu = _menu(file_menu, "&Export", "menuExport")
    w.export_menu.addActions([w.actionExportImage, w.actionExportDataset])
    file_menu.addSeparator()
    file_menu.addAction(w.actionQuit)

    _menu(bar, "&Edit", "menuEdit").addActions([w.actionUndo, w.actionRedo])

    w.view_menu = _menu(bar, "&View", "menuView")
    w.view_menu.addActions([w.actionZoomIn, w.actionZoomOut, w.actionFit])
    w.view_menu.addSection("Panels")

    w.train_menu = train_menu = _menu(bar, "&Train", "menuTrain")
    train_menu.addActions([w.actionPlay, w.actionStep, w.actionStepBatch, w.actionReset])

    _menu(bar, "&Help", "menuHelp").addActions([w.actionGuide, w.actionAbout])


def _menu(parent, title: str, name: str) -> QMenu:
    menu = parent.addMenu(title)
    menu.setObjectName(name)
    return menu


def install_toolbar(window) -> None:
    """The main toolbar, with the speed box as ``window.speed``."""
    w = window
    bar = w.addToolBar("Main")
    bar.setObjectName("mainToolBar")
    bar.setIconSize(QSize(20, 20))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.addActions([w.actionNew, w.actionOpen, w.actionSave])
    bar.addSeparator()
    bar.addActions([w.actionUndo, w.actionRedo])
    bar.addSeparator()
    bar.addActions([w.actionPlay, w.actionStep, w.actionReset])
    bar.addWidget(QLabel("  Speed "))
    w.speed = QComboBox(objectName="speedControl")
    w.speed.setToolTip(TIPS["speed"])
    for text, epochs in SPEEDS:
        w.speed.addItem(text, epochs)
    w.speed.currentIndexChanged.connect(lambda i: w.training.set_speed(w.speed.itemData(i)))
    bar.addWidget(w.speed)


def fill_recent_menu(menu: QMenu, files: list[str], open_file, clear) -> None:
    """``menu`` lists ``files`` (``open_file(path)`` opens one) and a Clear Menu entry."""
    menu.clear()
    for i, path in enumerate(files):
        action = menu.addAction(f"&{i + 1} {Path(path).name}")
        action.setObjectName(f"actionRecent{i}")
        action.setToolTip(path)
        action.setStatusTip(path)
        action.triggered.connect(lambda _=False, p=path: open_file(p))
    if files:
        menu.addSeparator()
    clear_action = menu.addAction("Clear Menu", clear)
    clear_action.setObjectName("actionClearRecent")
    clear_action.setEnabled(bool(files))


def fill_examples_menu(menu: QMenu, folder, open_example: Callable[[Path], object]) -> None:
    """``menu`` lists the example designs in ``folder`` in the order of their lessons, each
    lesson as tooltip."""
    menu.clear()
    examples = sorted(
        (node for node in folder.iterdir() if node.name.endswith(".json")),
        key=lambda node: lesson_order(node.name.removesuffix(".json")),
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
        action.triggered.connect(lambda _=False, n=node: _open_node(n, open_example))
    if not examples:
        menu.addAction("(no examples installed)").setEnabled(False)


def _open_node(node, open_example) -> None:
    with as_file(node) as path:
        open_example(path)
