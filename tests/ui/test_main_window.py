"""The main window driven like a user would: clicks on the diagram, menus, files, prompts.

Training is not tested here: the window gets a session that only records what it is told.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QMimeData,
    QObject,
    QPointF,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QTabBar,
    QWidget,
)

from nnviz.core.design import Design, LayerSpec, OutputSpec
from nnviz.core.files.design_file import load_design, save_design
from nnviz.core.files.weights_io import save_weights
from nnviz.core.run.live import needs_new_run
from nnviz.core.run.trainer import Trainer
from nnviz.ui import main_window, window_layout
from nnviz.ui.main_window import MainWindow

Button = QMessageBox.StandardButton


class RecordingSession(QObject):
    """Stands in for the training session: the same API, and a log of what the window asked."""

    sigRunStarted = Signal(object)
    sigFrame = Signal(object)
    sigRunRequested = Signal(int)
    sigDataChanged = Signal(object)
    sigStateChanged = Signal(str)
    sigMessage = Signal(str)
    sigMessagesStale = Signal(object)
    sigError = Signal(str)
    sigCheckpoint = Signal(object)
    sigCheckpoints = Signal(str, object)
    sigRunsChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.state = "idle"
        self.runs = []
        self.epoch = 0
        self.record_bytes = 0
        self.holds_changes = False
        self.latest = None
        self.history = []
        self.run_info = None
        self.pipeline = None
        self.dataset = None
        self.generation = 0
        self.design = None
        self.calls: list[tuple] = []

    def set_design(self, design, *, restart=False, base_dir=None) -> None:
        """Logs the design and whether the real session would start a new run for it."""
        new_run = restart or needs_new_run(self.design, design)
        self.design = design
        self.calls.append(("set_design", design, new_run))

    def __getattr__(self, name):
        if name in (
            "play",
            "pause",
            "toggle_play",
            "step_epoch",
            "step_batch",
            "reset",
            "set_speed",
            "shutdown",
            "show_checkpoint",
            "fork",
            "switch_run",
            "adopt",
            "request_checkpoints",
            "hold_updates",
        ):
            return lambda *args: self.calls.append((name, *args))
        raise AttributeError(name)


@pytest.fixture
def settings_dir(tmp_path, qapp):
    """QSettings of this test only (geometry, docks, recent files) in a temporary folder."""
    QCoreApplication.setOrganizationName("nnviz-tests")
    QCoreApplication.setApplicationName("nnviz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    return tmp_path / "settings"


@pytest.fixture
def make_window(qtbot, settings_dir, monkeypatch):
    monkeypatch.setattr(main_window, "TrainingSession", RecordingSession)
    windows = []

    def make(size: tuple[int, int] | None = None) -> MainWindow:
        window = MainWindow()
        if size is not None:  # before the first show, as a saved geometry would be
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.undo_stack.setClean()  # no prompt at teardown
        window.close()
        window.deleteLater()


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


def answer_prompt(button: Button, seen: list[str]) -> None:
    """Click ``button`` of the next modal dialog (recording its objectName in ``seen``)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, click)
            return
        seen.append(box.objectName())
        box.button(button).click()

    QTimer.singleShot(0, click)


def click_item(qtbot, window: MainWindow, name: str) -> None:
    """Click the diagram item ``name`` where it is drawn, and let the edit arrive."""
    editor = window.editor
    before = window.undo_stack.index()
    item = editor.item(name)
    editor.ensureVisible(item)
    pos = editor.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: window.undo_stack.index() != before, timeout=2000)


def choose_dataset(window: MainWindow, name: str) -> None:
    combo = window.settings_panel.dataset
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())


XOR_NETWORK = Design(
    dataset=replace(Design().dataset, name="xor"),
    features=("x1", "x2", "x1*x2"),
    layers=(LayerSpec(3), LayerSpec(2)),
)


def build_xor_by_clicks(qtbot, window: MainWindow) -> None:
    """From an empty network on the circle data: the XOR network, all by clicks."""
    for name in (
        "addLayer",
        "addUnit0",
        "removeUnit0",
        "removeUnit0",
        "addLayer",
        "removeUnit1",
        "feature:x1*x2",
    ):
        click_item(qtbot, window, name)
    choose_dataset(window, "xor")


def empty_start(window: MainWindow) -> Design:
    """Open a design with no hidden layer on the circle data (the starting point)."""
    empty = Design(dataset=replace(Design().dataset, name="circle"), layers=())
    window._set_document(empty, None)
    return empty


def test_build_xor_by_clicks_then_undo_and_redo_everything(qtbot, window):
    empty = empty_start(window)
    build_xor_by_clicks(qtbot, window)

    assert window.design == XOR_NETWORK
    assert window.editor.design == XOR_NETWORK
    assert window.settings_panel.dataset.currentData() == "xor"
    assert window.isWindowModified()
    steps = window.undo_stack.count()
    assert steps == 8  # seven clicks on the diagram and one data set

    while window.undo_stack.canUndo():
        window.actionUndo.trigger()
    assert window.design == empty
    assert not window.isWindowModified()
    while window.undo_stack.canRedo():
        window.actionRedo.trigger()
    assert window.design == XOR_NETWORK
    assert window.training.calls[-1] == ("set_design", XOR_NETWORK, True)


def test_layer_header_opens_the_inspector_and_edits_are_undoable(qtbot, window):
    window._set_document(XOR_NETWORK, None)
    editor = window.editor
    item = editor.item("layerHeader1")
    QTest.mouseClick(
        editor.viewport(),
        Qt.MouseButton.LeftButton,
        pos=editor.mapFromScene(item.sceneBoundingRect().center()),
    )
    qtbot.waitUntil(lambda: window.inspector.layer == 1, timeout=2000)
    assert window.inspector.title.text() == "Hidden layer 2"

    combo = window.inspector.activation
    combo.setCurrentIndex(combo.findData("relu"))
    combo.activated.emit(combo.currentIndex())
    window.inspector.dropout.setValue(0.1)
    window.inspector.dropout.setValue(0.2)  # same field again: one undo step
    assert window.design.layers[1] == LayerSpec(2, "relu", 0.2)
    window.undo_stack.undo()
    assert window.design.layers[1] == LayerSpec(2, "relu", 0.0)
    window.undo_stack.undo()
    assert window.design == XOR_NETWORK


def test_perceptron_is_one_click_away_and_back(qtbot, window):
    click_item(qtbot, window, "perceptron")
    assert window.design.layers == ()
    assert window.design.output == OutputSpec("step", "auto")
    click_item(qtbot, window, "perceptron")
    assert window.design.layers == Design().layers
    assert window.design.output == OutputSpec()


def test_only_training_settings_that_apply_live_are_not_structural():
    design = Design()
    faster = replace(design, training=replace(design.training, batch_size=32, l2=0.01))
    assert not needs_new_run(design, faster)
    assert needs_new_run(design, replace(design, features=("x1",)))
    assert needs_new_run(design, replace(design, training=replace(design.training, seed=3)))


def test_learning_rate_change_reaches_training_as_live(window):
    field = window.settings_panel.learning_rate
    field.setEditText("0.1")
    field.lineEdit().editingFinished.emit()
    assert window.design.training.optimizer.learning_rate == 0.1
    assert window.training.calls[-1] == ("set_design", window.design, False)


def test_save_and_reopen_gives_the_same_design(qtbot, make_window, tmp_path):
    window = make_window()
    empty_start(window)
    build_xor_by_clicks(qtbot, window)
    path = tmp_path / "xor.json"
    assert window.save_as(path)
    assert not window.isWindowModified()
    assert window.windowTitle() == "xor.json[*] — nnviz"
    assert load_design(path) == XOR_NETWORK

    other = make_window()
    assert other.open_design(path)
    assert other.design == XOR_NETWORK
    assert other.path == path
    assert other.undo_stack.count() == 0


def test_a_broken_file_shows_every_problem_and_changes_nothing(qtbot, window, tmp_path):
    window._set_document(XOR_NETWORK, None)
    window.editor.add_layer()
    qtbot.waitUntil(lambda: window.undo_stack.count() == 1)
    before = window.design
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"format": "nnviz-design", "version": 1, "layers": [{"units": 0, "activation": "relux"}]}'
    )

    assert not window.open_design(broken)

    dialog = window.findChild(QMessageBox, "loadErrorDialog")
    assert dialog is not None and dialog.isVisible()
    assert "broken.json" in dialog.text()
    problems = dialog.informativeText()
    assert "layers[0].units" in problems and "layers[0].activation" in problems
    assert "relux" in problems
    dialog.close()
    assert window.design == before
    assert window.undo_stack.count() == 1 and window.isWindowModified()


def test_closing_with_unsaved_changes_asks_first(qtbot, window):
    window.editor.add_layer()
    qtbot.waitUntil(lambda: window.isWindowModified())
    seen = []
    answer_prompt(Button.Cancel, seen)
    assert not window.close()
    assert seen == ["unsavedChangesDialog"]
    assert window.isVisible()
    assert ("shutdown",) not in window.training.calls

    answer_prompt(Button.Discard, seen)
    assert window.close()
    assert not window.isVisible()
    assert ("shutdown",) in window.training.calls


def test_new_asks_and_save_from_the_prompt_saves(qtbot, window, tmp_path):
    path = tmp_path / "kept.json"
    save_design(Design(), path)
    assert window.open_design(path)
    window.editor.remove_layer()
    qtbot.waitUntil(lambda: window.isWindowModified())
    changed = window.design
    seen = []
    answer_prompt(Button.Save, seen)
    assert window.new_design()
    assert seen == ["unsavedChangesDialog"]
    assert load_design(path) == changed
    assert window.design == Design() and window.path is None


def test_recent_files_are_remembered_across_windows(make_window, tmp_path):
    window = make_window()
    paths = [tmp_path / f"design{i}.json" for i in range(3)]
    for path in paths:
        save_design(Design(name=path.stem), path)
        assert window.open_design(path)
    expected = [str(p) for p in reversed(paths)]
    assert window.recent_files() == expected

    later = make_window()
    assert later.recent_files() == expected
    action = later.recent_menu.findChild(QObject, "actionRecent1")
    assert action is not None and action.text().endswith("design1.json")
    action.trigger()
    assert later.design.name == "design1"
    assert later.recent_files()[0] == str(paths[1])


def drop_file(window: MainWindow, path) -> None:
    """Drag ``path`` onto the diagram and drop it there."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = window.rect().center()
    enter = QDragEnterEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window.editor.viewport(), enter)  # dropped on the diagram
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(point),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window.editor.viewport(), drop)


def test_dropping_a_design_file_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "dropped.json"
    save_design(XOR_NETWORK, path)
    drop_file(window, path)
    qtbot.waitUntil(lambda: window.path == path, timeout=2000)
    assert window.design == XOR_NETWORK


def test_dropping_a_csv_file_uses_it_as_the_data(qtbot, window, tmp_path):
    """A dropped .csv is data, not a broken design file (issue 14, item 11)."""
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    drop_file(window, path)
    qtbot.waitUntil(lambda: window.design.dataset.name == "csv", timeout=2000)
    dataset = window.design.dataset
    assert (dataset.path, dataset.label_column, dataset.feature_columns) == (
        str(path),
        "label",
        ("a", "b"),
    )
    assert window.findChild(QMessageBox, "loadErrorDialog") is None
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfe\x00not text")
    drop_file(window, broken)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "loadErrorDialog") is not None)
    dialog = window.findChild(QMessageBox, "loadErrorDialog")
    assert "broken.csv cannot be read" in dialog.text() and "JSON" not in dialog.informativeText()
    dialog.close()
    assert window.design.dataset.path == str(path)


def test_dropping_a_weights_file_opens_its_network(qtbot, window, tmp_path):
    trainer = Trainer(XOR_NETWORK)
    path = tmp_path / "trained.npz"
    save_weights(path, XOR_NETWORK, trainer.spec, trainer.engine.get_params(), trainer.pipeline)
    drop_file(window, path)
    qtbot.waitUntil(lambda: window.design == XOR_NETWORK, timeout=2000)
    assert window.path is None
    assert window.findChild(QMessageBox, "loadErrorDialog") is None


def test_examples_menu_opens_an_example_as_untitled(qtbot, make_window, tmp_path, monkeypatch):
    examples = tmp_path / "examples"
    examples.mkdir()
    example = replace(XOR_NETWORK, name="XOR by features", description="x1·x2 does it")
    save_design(example, examples / "xor_features.json")
    monkeypatch.setattr(main_window, "examples_dir", lambda: examples)
    window = make_window()
    window.examples_menu.aboutToShow.emit()
    action = window.examples_menu.findChild(QObject, "actionExample_xor_features")
    assert (action.text(), action.toolTip()) == ("XOR by features", "x1·x2 does it")
    action.trigger()
    assert window.design == example
    assert window.path is None and not window.isWindowModified()


def test_bundled_examples_all_open(make_window):
    folder = main_window.examples_dir()
    names = [node.name for node in folder.iterdir() if node.name.endswith(".json")]
    if not names:
        pytest.skip("no examples bundled yet")
    window = make_window()
    for name in names:
        assert window.open_example(folder.joinpath(name)), name


def test_menus_actions_and_docks_have_stable_names(window):
    for name in (
        "actionNew",
        "actionOpen",
        "actionSave",
        "actionSaveAs",
        "actionQuit",
        "actionUndo",
        "actionRedo",
        "actionPlay",
        "actionStep",
        "actionStepBatch",
        "actionReset",
        "actionExportImage",
        "actionExportDataset",
        "actionAbout",
        "actionGuide",
    ):
        assert window.findChild(QObject, name) is not None, name
    assert window.actionPlay.shortcut().toString() == "Space"
    assert window.actionExportImage in window.export_menu.actions()
    for name in ("settingsDock", "layerInspectorDock"):
        dock = window.findChild(QDockWidget, name)
        assert dock.toggleViewAction() in window.view_menu.actions()
    assert window.findChild(QWidget, "networkEditor") is window.editor
    assert window.findChild(QWidget, "settingsPanel") is window.settings_panel


def test_train_menu_drives_the_session_and_play_follows_its_state(window):
    window.actionPlay.trigger()
    window.actionStep.trigger()
    window.actionStepBatch.trigger()
    window.actionReset.trigger()
    window.speed.setCurrentIndex(window.speed.count() - 1)
    assert window.training.calls[-5:] == [
        ("toggle_play",),
        ("step_epoch",),
        ("step_batch",),
        ("reset",),
        ("set_speed", None),
    ]
    window.training.sigStateChanged.emit("running")
    assert window.actionPlay.text() == "&Pause"
    window.training.sigStateChanged.emit("paused")
    assert window.actionPlay.text() == "&Play"
    window.training.sigMessage.emit("Diverged: paused")
    assert window.statusBar().currentMessage() == "Diverged: paused"


def test_dock_layout_and_geometry_are_restored(make_window):
    window = make_window()
    window.inspector_dock.close()
    window.removeDockWidget(window.settings_dock)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, window.settings_dock)
    window.settings_dock.show()
    assert window.close()
    assert QSettings().value("window/geometry") == window.saveGeometry()

    again = make_window()
    assert not again.inspector_dock.isVisible()
    assert again.dockWidgetArea(again.settings_dock) == Qt.DockWidgetArea.RightDockWidgetArea


def test_exports_write_the_image_and_the_data(window, tmp_path):
    assert window.export_image(tmp_path / "window.png")
    assert (tmp_path / "window.png").read_bytes()[:4] == b"\x89PNG"
    assert window.export_image(tmp_path / "window.svg")
    assert "<svg" in (tmp_path / "window.svg").read_text()
    assert window.export_dataset(tmp_path / "xor.csv")
    lines = (tmp_path / "xor.csv").read_text().splitlines()
    assert len(lines) == 1 + Design().dataset.points


def test_wide_data_uses_all_columns_until_one_is_switched_off(qtbot, window):
    choose_dataset(window, "iris")
    assert window.design.features == ()  # every column
    assert window.editor.item("feature:petal width (cm)").active
    click_item(qtbot, window, "feature:sepal width (cm)")
    assert window.design.features == ("sepal length (cm)", "petal length (cm)", "petal width (cm)")
    assert window.editor.item("outputHeader").label.text() == "Output\n3 · softmax"
    choose_dataset(window, "xor")
    assert window.design.features == ("x1", "x2")  # the 2D data's own default inputs


def test_run_app_opens_the_design_named_on_the_command_line(settings_dir, monkeypatch, tmp_path):
    from nnviz import app

    path = tmp_path / "start.json"
    save_design(XOR_NETWORK, path)
    monkeypatch.setattr(main_window, "TrainingSession", RecordingSession)
    before = set(QApplication.topLevelWidgets())
    shown = []

    def exec_(*_args) -> int:
        [window] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w not in before
        ]
        shown.append((window.path, window.design, window.isVisible()))
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    assert app.run_app([str(path)]) == 0
    assert shown == [(path, XOR_NETWORK, True)]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
                and w not in before]  # fmt: skip


def test_help_shows_the_guide(window):
    window.actionGuide.trigger()
    guide = window.findChild(QWidget, "guideDialog")
    assert guide.isVisible()
    assert "perceptron" in guide.findChild(QWidget, "guideText").toPlainText()
    guide.close()


def test_training_speed_follows_the_speed_box_from_the_start(make_window):
    window = make_window()
    assert ("set_speed", 1) in window.training.calls  # the box shows "1 epoch / frame"
    window.speed.setCurrentIndex(window.speed.count() - 1)
    assert window.training.calls[-1] == ("set_speed", None)
    window.close()
    again = make_window()  # the choice is remembered
    assert again.speed.currentData() is None
    assert ("set_speed", None) in again.training.calls


def test_the_word_on_unreadable_data_goes_once_the_data_is_read(window, tmp_path):
    """No stale "needs a file" while a loaded CSV trains (issue 14, item 13)."""
    choose_dataset(window, "csv")
    assert "needs a file" in window.statusBar().currentMessage()
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    assert window.settings_panel.open_csv(str(path)) == ""
    assert window.design.dataset.path == str(path)
    assert window.statusBar().currentMessage() == ""
    window.statusBar().showMessage("Saved elsewhere")
    choose_dataset(window, "xor")
    assert window.statusBar().currentMessage() == "Saved elsewhere"  # other words stay


def test_an_examples_lesson_stays_above_the_diagram(qtbot, window):
    """The description is the lesson: it stays in sight with the design (issue 14, item 10)."""
    folder = main_window.examples_dir()
    assert window.open_example(folder.joinpath("xor-mlp.json"))
    banner = window.findChild(QWidget, "lessonBanner")
    assert banner.isVisible()
    assert banner.text.text() == window.design.description
    assert banner.title.text() == "XOR with a hidden layer"
    assert banner.geometry().bottom() <= window.editor.geometry().top()
    window.editor.add_layer()  # the lesson stays while the learner follows it
    qtbot.waitUntil(lambda: len(window.design.layers) == 2)
    assert banner.isVisible()
    banner.findChild(QWidget, "lessonBannerClose").click()
    assert not banner.isVisible()
    window.undo_stack.setClean()  # no unsaved-changes prompt
    assert window.open_example(folder.joinpath("circle.json"))
    assert banner.isVisible() and banner.title.text() == "Circle"
    assert window.new_design()  # no description: no banner
    assert not banner.isVisible()


def test_examples_are_listed_in_the_order_of_the_lessons(window):
    window.examples_menu.aboutToShow.emit()
    stems = [
        a.objectName().removeprefix("actionExample_")
        for a in window.examples_menu.actions()
        if a.objectName().startswith("actionExample_")
    ]
    assert stems[:3] == ["perceptron-and", "perceptron-xor", "xor-mlp"]
    assert stems.index("circle") < stems.index("spiral-deep") < stems.index("digits")
    assert sorted(stems) == sorted(
        n.name.removesuffix(".json")
        for n in main_window.examples_dir().iterdir()
        if n.name.endswith(".json")
    )


def test_space_plays_from_a_settings_box_but_not_from_a_text_field(qtbot, window):
    """Once a setting has the focus, Space still plays and pauses (issue 14, item 16)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.settings_panel.setCurrentIndex(1)  # Training
    for name in ("batchSizeSpin", "learningRateCombo"):
        box = window.findChild(QWidget, name)
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        plays = window.training.calls.count(("toggle_play",))
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        assert window.training.calls.count(("toggle_play",)) == plays + 1, name
    window.settings_panel.setCurrentIndex(0)
    choose_dataset(window, "csv")
    path = window.findChild(QWidget, "csvPath")
    path.setFocus()
    qtbot.waitUntil(path.hasFocus)
    plays = window.training.calls.count(("toggle_play",))
    QTest.keyClicks(path, "my data")
    assert path.text() == "my data"  # the space is text here
    assert window.training.calls.count(("toggle_play",)) == plays


def test_the_guide_opens_beside_the_diagram_not_on_it(window):
    window.actionGuide.trigger()
    guide = window.findChild(QWidget, "guideDialog")
    diagram = window.editor
    on_screen = diagram.rect().translated(diagram.mapToGlobal(diagram.rect().topLeft()))
    assert guide.isVisible()
    assert not guide.frameGeometry().intersects(on_screen)
    guide.close()


def test_the_default_window_keeps_its_1280_by_800(window):
    """The panels below the diagram are tabs from the start: side by side they made the
    window wider than the screen it was sized for (issue 14, item 7)."""
    assert (window.width(), window.height()) == (1280, 800)


def test_the_decision_regions_get_the_most_room_in_the_default_layout(qtbot, window):
    """The output plot, the most important picture, was about 230 px (issue 14, item 7)."""
    regions, weights = (window.findChild(QDockWidget, n) for n in ("regionsDock", "weightsDock"))
    qtbot.waitUntil(lambda: regions.height() > 1.3 * weights.height())
    assert regions.width() >= 0.34 * window.width()


def bottom_and_right_tabs(window) -> list[QTabBar]:
    """The tab bars of the window's tabbed docks that are on screen."""
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [bar for bar in bars if bar.isVisible()]


def label_is_whole(bar: QTabBar, index: int) -> bool:
    """The tab is as wide as its label and its margins: Qt did not elide it."""
    text = bar.tabText(index)
    return bar.tabRect(index).width() >= bar.fontMetrics().horizontalAdvance(text) + 12


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_every_tab_of_the_default_layout_shows_its_whole_label(qtbot, make_window, size):
    """At 1280 x 800 the nine tabs below the diagram read "Lo…", "G…" (issue 12): the
    default layout keeps each tab group short enough for every label to fit."""
    window = make_window(size)
    docks = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    qtbot.waitUntil(lambda: len(bottom_and_right_tabs(window)) == 2)
    qtbot.wait(50)  # the default sizes are set once the window has its size
    assert (window.width(), window.height()) == size
    shown = []
    for bar in bottom_and_right_tabs(window):
        for index in range(bar.count()):
            title = bar.tabText(index)
            assert title in docks and not docks[title].isHidden()
            assert label_is_whole(bar, index), title
            assert bar.rect().contains(bar.tabRect(index)), f"{title} is scrolled out of view"
            shown.append(title)
    assert set(shown) == {
        "Weights", "Gradients", "Histograms", "Activation explorer",
        "Loss", "Confusion matrix", "Hidden space", "Loss landscape", "Runs",
    }  # fmt: skip
    assert [bar.tabText(bar.currentIndex()) for bar in bottom_and_right_tabs(window)] in (
        ["Weights", "Loss"],
        ["Loss", "Weights"],
    )  # the first of each group in front


OLD_BOTTOM = (
    "lossDock", "gradientsDock", "confusionDock", "runsDock",
    "hiddenSpaceDock", "landscapeDock", "activationExplorerDock", "histogramsDock",
)  # fmt: skip


def test_a_layout_saved_by_an_older_nnviz_restores_every_dock(qtbot, make_window):
    """Eight tabs below the diagram, as an older nnviz saved them: every dock comes back
    where it was, and the tabs scroll with whole labels rather than elide."""
    old = make_window()
    loss = old.findChild(QDockWidget, "lossDock")
    for name in OLD_BOTTOM[1:]:
        dock = old.findChild(QDockWidget, name)
        old.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        old.tabifyDockWidget(loss, dock)
    assert old.close()

    window = make_window()
    qtbot.waitUntil(lambda: bool(bottom_and_right_tabs(window)))
    for name in OLD_BOTTOM:
        dock = window.findChild(QDockWidget, name)
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea, name
    (bar,) = bottom_and_right_tabs(window)
    assert sorted(bar.tabText(i) for i in range(bar.count())) == sorted(
        window.findChild(QDockWidget, name).windowTitle() for name in OLD_BOTTOM
    )
    assert all(label_is_whole(bar, index) for index in range(bar.count()))


def test_docks_a_saved_layout_does_not_know_join_their_default_tabs(qtbot, make_window):
    """A layout saved before the histograms and the activation explorer existed: they join
    the weights' tabs (Qt would put them beside the others, widening the window)."""
    before = QMainWindow()
    docks = [QDockWidget(name, before, objectName=name) for name in OLD_BOTTOM[:-2]]
    for dock in docks:
        before.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    for dock in docks[1:]:
        before.tabifyDockWidget(docks[0], dock)
    for name in ("settingsDock", "regionsDock", "weightsDock"):
        before.addDockWidget(
            Qt.DockWidgetArea.RightDockWidgetArea, QDockWidget(name, before, objectName=name)
        )
    before.resize(1280, 800)
    before.show()
    qtbot.waitExposed(before)
    QSettings().setValue("window/state", before.saveState(window_layout.STATE_VERSION))
    before.close()
    before.deleteLater()

    window = make_window()
    qtbot.waitUntil(lambda: len(bottom_and_right_tabs(window)) == 2)
    weights = window.findChild(QDockWidget, "weightsDock")
    assert window.dockWidgetArea(weights) == Qt.DockWidgetArea.RightDockWidgetArea
    tabs = {dock.objectName() for dock in window.tabifiedDockWidgets(weights)}
    assert tabs == {"activationExplorerDock", "histogramsDock"}
    loss = window.findChild(QDockWidget, "lossDock")
    assert {dock.objectName() for dock in window.tabifiedDockWidgets(loss)} == set(OLD_BOTTOM[1:-2])
    assert window.width() == 1280
