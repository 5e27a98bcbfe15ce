"""The main window: the diagram in the centre, settings beside it, live panels docked around.

The window assembles: the document (:mod:`nnviz.ui.document`: the current design, its file
and undo stack), the actions and menus (:mod:`nnviz.ui.window_menus`), the diagram, the
settings and the docks. When the document's design changes, :meth:`MainWindow._show` shows it
everywhere and hands it to the training session, as a new run or a live update.
"""

from __future__ import annotations

from importlib.resources import as_file
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.design import Design
from nnviz.core.files.bundled import resource
from nnviz.core.files.run_file import SUFFIX as RUN_SUFFIX
from nnviz.core.files.weights_io import WEIGHT_FORMATS
from nnviz.core.lessons import is_lesson_file
from nnviz.ui import exports
from nnviz.ui.data_facts import data_facts
from nnviz.ui.document import Document, show_problems
from nnviz.ui.guide import GuideDialog, place_beside
from nnviz.ui.insight import install_insight
from nnviz.ui.layer_inspector import LayerInspector
from nnviz.ui.lesson_banner import LessonBanner
from nnviz.ui.lessons import install_lessons
from nnviz.ui.network_editor import NetworkEditor
from nnviz.ui.panels import install_panels
from nnviz.ui.panels.distributions import install_distributions
from nnviz.ui.runs import install_runs
from nnviz.ui.session.training_session import TrainingSession
from nnviz.ui.settings_panel import SettingsPanel
from nnviz.ui.space_key import SpacePlays
from nnviz.ui.step_through import install_step_through
from nnviz.ui.sweep import install_sweep
from nnviz.ui.timeline import install_timeline
from nnviz.ui.transfer import install_transfer_actions
from nnviz.ui.window_layout import WholeTabLabels, restore_layout, save_layout
from nnviz.ui.window_menus import (
    SPEEDS,
    fill_examples_menu,
    fill_recent_menu,
    install_actions,
    install_menus,
    install_toolbar,
)


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
        self.document = Document(self)
        self.undo_stack = self.document.undo_stack
        self._problem_said = ""  # the status bar's word on unreadable data, while it stands
        self._tab_labels = WholeTabLabels(self)

        self.editor = NetworkEditor()
        self.lesson = LessonBanner()
        centre = QWidget(objectName="centre")
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.lesson)
        column.addWidget(self.editor, 1)
        self.setCentralWidget(centre)
        self.settings_panel = SettingsPanel()
        self.settings_panel.data_tab.loader = self.document.loader
        self.settings_dock = self.add_panel(
            self.settings_panel, "Settings", "settingsDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector = LayerInspector()
        self.inspector_dock = self.add_panel(
            self.inspector, "Layer", "layerInspectorDock", Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.splitDockWidget(self.settings_dock, self.inspector_dock, Qt.Orientation.Vertical)

        self.training = TrainingSession(self)
        install_actions(self)
        install_menus(self)
        for dock in (self.settings_dock, self.inspector_dock):
            self.view_menu.addAction(dock.toggleViewAction())
        self._fill_recent_menu()
        self._fill_examples_menu()
        self.examples_menu.aboutToShow.connect(self._fill_examples_menu)
        install_toolbar(self)
        self.statusBar().setObjectName("statusBar")
        self._connect()
        self.live_panels = install_panels(self, self.training)
        self.runs = install_runs(self)
        self.insight = install_insight(self, self.training)
        self.sweep = install_sweep(self)
        self.distributions = install_distributions(self, self.training)
        self.transfer = install_transfer_actions(self)
        self.step_through = install_step_through(self)
        self.lessons = install_lessons(self)
        self.timeline = install_timeline(self)
        self._show(self.design, self.design, True)
        self._update_title()
        self._restore_settings()
        self.training.set_speed(self.speed.currentData())  # the box's choice, restored or not
        self._space = SpacePlays(self, self.actionPlay)

    # --- the document -------------------------------------------------------------------------

    @property
    def design(self) -> Design:
        return self.document.design

    @property
    def path(self) -> Path | None:
        """The file the design was opened from or saved to (None for a new design)."""
        return self.document.path

    def push_design(self, design: Design, text: str, merge_key: str | None = None) -> None:
        """Make ``design`` current as one undoable step (see :meth:`Document.push`)."""
        self.document.push(design, text, merge_key)

    def new_design(self) -> bool:
        return self.document.new()

    def open_design(self, path) -> bool:
        """Open the design file at ``path``; a broken file leaves the current design as it is."""
        return self.document.open(path)

    def open_example(self, path) -> bool:
        """Open a bundled example as a new, untitled design (saving asks where to)."""
        return self.document.open_example(path)

    def open_document(self, design: Design, then=None) -> bool:
        """Show ``design`` as a new, untitled document, after the unsaved-changes prompt
        (then call ``then()``, once its data is read)."""
        return self.document.open_untitled(design, then)

    def save(self) -> bool:
        return self.document.save()

    def save_as(self, path=None) -> bool:
        return self.document.save_as(path)

    def recent_files(self) -> list[str]:
        return self.document.recent_files()

    def _set_document(self, design: Design, path: Path | None) -> None:
        self.document.set_document(design, path)

    def _show(self, old: Design, design: Design, new_document: bool) -> None:
        """Show the document's new ``design`` everywhere and hand it to the training, which
        goes on or starts again as its rule says (always again for a new document)."""
        base_dir = self.document.base_dir()
        facts = data_facts(design.dataset, base_dir)
        self.editor.set_design(design, facts)
        self.lesson.set_design(design, new_document)
        self.settings_panel.data_tab.base_dir = base_dir
        self.settings_panel.set_design(design)
        self.inspector.set_design(design)
        self.live_panels.set_design(design)
        self.distributions.set_design(design)
        self._say_data_problem(facts.problem)
        self.training.set_design(design, restart=new_document, base_dir=base_dir)

    def _say_data_problem(self, problem: str) -> None:
        """Say why the data cannot be read, until it can (then the words go)."""
        bar = self.statusBar()
        if problem:
            self._problem_said = f"The data cannot be read: {problem}"
            bar.showMessage(self._problem_said)
        elif self._problem_said:
            if bar.currentMessage() == self._problem_said:
                bar.clearMessage()
            self._problem_said = ""

    def _forget_messages(self, said) -> None:
        """An earlier run's words (its end, its failure) go once another run is shown."""
        if self.statusBar().currentMessage() in said:
            self.statusBar().clearMessage()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title()}[*] — nnviz")
        self.setWindowModified(self.document.is_modified())

    def _fill_recent_menu(self) -> None:
        document = self.document
        fill_recent_menu(
            self.recent_menu, document.recent_files(), self.open_design, document.clear_recent
        )

    def _fill_examples_menu(self) -> None:
        fill_examples_menu(self.examples_menu, examples_dir(), self.open_example)

    # --- exports ------------------------------------------------------------------------------

    def export_image(self, path=None) -> bool:
        """The whole window as PNG, or SVG by the name (:func:`nnviz.ui.exports.export_image`)."""
        return exports.export_image(self, path)

    def export_dataset(self, path=None) -> bool:
        """The design's data as CSV (:func:`nnviz.ui.exports.export_dataset`)."""
        return exports.export_dataset(self, path)

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
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    # --- wiring ------------------------------------------------------------------------------

    def _connect(self) -> None:
        document = self.document
        document.sigChanged.connect(self._show)
        document.sigTitleChanged.connect(self._update_title)
        document.sigRecentChanged.connect(self._fill_recent_menu)
        document.sigMessage.connect(self.statusBar().showMessage)
        self.editor.sigEdit.connect(lambda design, text: self.push_design(design, text))
        self.editor.sigLayerClicked.connect(self._inspect_layer)
        self.editor.sigMessage.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.settings_panel.sigEdit.connect(self.push_design)
        self.inspector.sigEdit.connect(self.push_design)
        self.training.sigStateChanged.connect(self._on_training_state)
        self.training.sigMessage.connect(self.statusBar().showMessage)
        self.training.sigMessagesStale.connect(self._forget_messages)

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

    def show_guide(self) -> None:
        guide = self.findChild(GuideDialog)
        if guide is None:
            guide = GuideDialog(self)
            place_beside(guide, self, self.editor)
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
        restore_layout(self)
        speed = QSettings().value("training/speed", 0, type=int)
        self.speed.setCurrentIndex(min(max(speed, 0), len(SPEEDS) - 1))

    def _save_settings(self) -> None:
        save_layout(self)
        QSettings().setValue("training/speed", self.speed.currentIndex())

    def closeEvent(self, event) -> None:
        if not self.document.confirm_discard():
            event.ignore()
            return
        self._save_settings()
        self.document.loader.shutdown()
        self.timeline.shutdown()
        self.runs.shutdown()
        self.training.shutdown()
        self.insight.shutdown()
        self.sweep.shutdown()
        self.distributions.shutdown()
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
            QTimer.singleShot(0, lambda: self.open_file(path))

    def open_file(self, path) -> bool:
        """Open a file by what it holds: a CSV data set, a network's weights, a lesson, a run
        (its design and timeline; read in the background) or a design."""
        name = Path(path).name.lower()
        if name.endswith(RUN_SUFFIX):
            self.timeline.files.open_run(path)
            return True
        if name.endswith((".csv", ".csv.gz")):
            problem = self.settings_panel.open_csv(str(path))
            if problem:
                show_problems(
                    self,
                    "loadErrorDialog",
                    "Cannot use the data",
                    f"{Path(path).name} cannot be read:",
                    [problem],
                )
            return not problem
        if Path(name).suffix in WEIGHT_FORMATS:
            return self.transfer.open_dropped(path)
        if is_lesson_file(path):
            return self.lessons.open_file(path)
        return self.open_design(path)


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
