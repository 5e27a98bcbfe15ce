"""Lessons in the real window with its real training process: two lessons taken from start to
goal the way a learner would, the locks, restart and progress, and lesson files that open or
are refused."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QMessageBox, QPushButton, QRadioButton
from test_transfer import use_settings_in

from nnviz.core.design import OptimizerSpec
from nnviz.core.lessons import bundled_lessons
from nnviz.ui.main_window import MainWindow

WAIT = 60_000  # ms; only a guard against hanging


@pytest.fixture
def window(qtbot, tmp_path):
    use_settings_in(tmp_path)
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()
    assert not [t for t in threading.enumerate() if t.name.startswith("nnviz-")]


def button(window, name: str) -> QPushButton:
    return window.findChild(QPushButton, name)


def start_from_the_path(qtbot, window, number: int):
    """Help → Lessons, pick lesson ``number`` (from 1) on the path, press Start."""
    window.actionLessons.trigger()
    view = window.lessons.view
    assert window.findChild(QDockWidget, "lessonPanel").isVisible()
    view.path_list.setCurrentRow(number - 1)
    qtbot.mouseClick(button(window, "lessonStartButton"), Qt.MouseButton.LeftButton)
    assert view.currentIndex() == 1
    qtbot.waitUntil(lambda: window.training.run_info is not None, timeout=WAIT)
    return view


def predict(qtbot, window, choice: int) -> None:
    assert not window.actionPlay.isEnabled()  # the prediction comes first
    window.findChild(QRadioButton, f"lessonChoice{choice}").click()
    qtbot.mouseClick(button(window, "lessonAnswerButton"), Qt.MouseButton.LeftButton)
    assert window.actionPlay.isEnabled()


def play_until_met(qtbot, window) -> None:
    window.actionPlay.trigger()
    qtbot.waitUntil(lambda: window.lessons.attempt.met_at is not None, timeout=WAIT)


def test_the_perceptron_learns_xor_once_the_learner_gives_it_the_right_input(qtbot, window):
    view = start_from_the_path(qtbot, window, 3)
    assert view.title.text() == "3. The perceptron cannot learn XOR"
    assert window.lesson.title.text() == "The perceptron cannot learn XOR"  # the banner agrees
    # locked: the data set is hidden, the network cannot grow
    settings = window.settings_panel
    assert settings.row("dataset.name").isHidden()
    assert not settings.row("training.optimizer.learning_rate").isHidden()
    window.editor.add_layer()
    assert window.design.layers == ()
    assert "number of hidden layers" in window.statusBar().currentMessage()

    predict(qtbot, window, 1)  # "No, it stays at about 50–75 %"
    editor = window.editor
    item = editor.item("feature:x1*x2")
    QTest.mouseClick(
        editor.viewport(),
        Qt.MouseButton.LeftButton,
        pos=editor.mapFromScene(item.sceneBoundingRect().center()),
    )
    qtbot.waitUntil(lambda: window.design.features == ("x1", "x2", "x1*x2"), timeout=WAIT)
    play_until_met(qtbot, window)

    assert view.goal_status.text().startswith("✓ Goal met at epoch")
    assert view.notice_box.isVisible() and "linear" in view.notice.text()
    # the prediction is revealed at epoch 20, when the run ends
    qtbot.waitUntil(lambda: window.lessons.attempt.revealed, timeout=WAIT)
    assert view.verdict.text().startswith("✓ Your prediction held.")
    assert "perceptron-xor" in QSettings().value("lessons/done", [], type=list)

    qtbot.mouseClick(button(window, "lessonNextButton"), Qt.MouseButton.LeftButton)
    assert view.title.text() == "4. One hidden layer solves XOR"
    qtbot.mouseClick(button(window, "lessonBackButton"), Qt.MouseButton.LeftButton)
    assert view.currentIndex() == 0
    assert view.path_list.item(2).text().startswith("✓  3.")
    assert view.progress.text() == f"1 of {len(bundled_lessons())} lessons done"
    assert not settings.row("dataset.name").isHidden()  # unlocked again
    layers = len(window.design.layers)
    window.editor.add_layer()
    assert len(window.design.layers) == layers + 1


def test_a_learning_rate_lesson_taken_to_its_goal_then_restarted(qtbot, window):
    view = start_from_the_path(qtbot, window, 10)
    assert view.title.text() == "10. Learning rate and batch size"
    settings = window.settings_panel
    assert settings.row("training.optimizer.name").isHidden()
    inspector = window.inspector
    window.editor.edit_layer(0)
    assert not inspector.units.isEnabled() and not inspector.activation.isEnabled()
    assert "Locked in this lesson" in inspector.units.toolTip()
    # an edit of a locked field is refused whoever proposes it
    adam = replace(
        window.design, training=replace(window.design.training, optimizer=OptimizerSpec("adam"))
    )
    window.push_design(adam, "Optimizer")
    assert window.design.training.optimizer.name == "sgd"

    predict(qtbot, window, 0)  # "It barely learns"
    qtbot.mouseClick(button(window, "lessonHintButton"), Qt.MouseButton.LeftButton)
    assert view.hints.text().startswith("1. Try 0.03")
    field = settings.learning_rate
    field.setEditText("0.1")
    field.lineEdit().editingFinished.emit()
    assert window.design.training.optimizer.learning_rate == 0.1
    play_until_met(qtbot, window)
    assert window.lessons.attempt.met_at <= 100

    qtbot.mouseClick(button(window, "lessonRestartButton"), Qt.MouseButton.LeftButton)
    assert window.design.training.optimizer.learning_rate == 0.0003  # the lesson's start
    assert not window.actionPlay.isEnabled()  # a new prediction first
    assert view.goal_status.text() == "Not met yet." and not view.hints.isVisible()
    assert "learning-rate" in QSettings().value("lessons/done", [], type=list)  # still done


def test_lesson_files_open_from_file_open_and_a_broken_one_is_refused(qtbot, window, tmp_path):
    start_from_the_path(qtbot, window, 1)  # the neuron: its maths in the step-through
    qtbot.waitUntil(lambda: window.step_through.active, timeout=WAIT)
    assert window.findChild(QDockWidget, "stepThroughPanel").isVisible()

    lesson = json.loads(bundled_lessons()[1].read_text())
    lesson["title"] = "My own AND"
    mine = tmp_path / "my-and.json"
    mine.write_text(json.dumps(lesson))
    assert window.open_file(mine)
    view = window.lessons.view
    assert view.title.text() == "My own AND" and not view.next_button.isVisible()

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**lesson, "goal": {"text": "x", "all": [{"measure": "sped"}]}}))
    assert not window.open_file(broken)
    box = window.findChild(QMessageBox, "lessonErrorDialog")
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    assert "goal.all[0].measure: 'sped' is not a measure" in box.informativeText()
    assert view.title.text() == "My own AND"  # the open lesson stays
    box.close()

    window.new_design()  # another document ends the lesson: nothing locked any more
    assert window.lessons.attempt is None and window.document.guard is None
    assert window.actionPlay.isEnabled() and view.currentIndex() == 0
