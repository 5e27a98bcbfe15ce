"""Big data through the real window: read off the GUI thread with a progress dialog and Cancel,
once, the panels faded until the new run's first frame, the training process given the parsed
data (the disk cache entry), not the file to parse again. ``SMALL_BYTES`` is 0 here, so the
tests' small files take the path a 110 MB file takes."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest
from mnist_files import write_idx_folder
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QPushButton

from nnviz.core.data import kept
from nnviz.core.data.cache import CachedData
from nnviz.core.data.kept import KEPT
from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.run.protocol import NewRun
from nnviz.ui import data_loading
from nnviz.ui.main_window import MainWindow

WAIT = 60_000  # ms; only a guard against hanging


@pytest.fixture
def window(qtbot, tmp_path, qapp, monkeypatch):
    monkeypatch.setattr(data_loading, "SMALL_BYTES", 0)
    QCoreApplication.setOrganizationName("nnviz-tests")
    QCoreApplication.setApplicationName("nnviz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.training.latest is not None, timeout=WAIT)  # the first run
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def write_csv(path, rows=300, seed=0):
    """Four numeric columns and a text label of three classes."""
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,d,kind"]
    for i in range(rows):
        values = ",".join(f"{v:.4f}" for v in rng.normal(size=4))
        lines.append(f"{values},{('red', 'green', 'blue')[i % 3]}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def held(monkeypatch):
    """Parsing a CSV file stops a third of the way until ``gate`` is set (a file that takes a
    while); then goes on, through the progress that raises once cancelled."""
    gate = threading.Event()
    real = kept.read_table

    def slow(file, progress=None):
        progress(0.3)
        gate.wait(WAIT / 1000)
        progress(0.35)
        return real(file, progress)

    monkeypatch.setattr(kept, "read_table", slow)
    return gate


def sent_commands(window, monkeypatch) -> list:
    commands = []
    worker = window.training._worker
    send = worker.send
    monkeypatch.setattr(worker, "send", lambda c: (commands.append(c), send(c)))
    return commands


def test_a_big_csv_is_read_in_the_background_and_cancel_leaves_the_design_as_it_was(
    qtbot, window, tmp_path, held
):
    path = write_csv(tmp_path / "flowers.csv")
    design, steps = window.design, window.undo_stack.count()
    assert window.settings_panel.open_csv(str(path)) == ""  # returns at once: no freeze
    dialog = window.document.loader.dialog
    assert dialog is not None and dialog.objectName() == "dataLoadDialog"
    qtbot.waitUntil(lambda: dialog.value() == 300, timeout=WAIT)  # 30 %, as the reader said
    assert dialog.isVisible() and "flowers.csv" in dialog.labelText()
    dialog.findChild(QPushButton).click()  # Cancel
    held.set()
    assert not dialog.isVisible()
    assert window.design is design and window.undo_stack.count() == steps
    assert "cancelled" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.document.loader.busy, timeout=WAIT)
    assert KEPT.peek(DatasetSpec(name="csv", path=str(path), label_column="kind")) is None


def test_a_design_using_a_big_csv_opens_after_one_parse_and_trains_on_the_cached_copy(
    qtbot, window, tmp_path, held, monkeypatch
):
    path = write_csv(tmp_path / "flowers.csv")
    design = Design(
        name="flowers",
        dataset=DatasetSpec(name="csv", path="flowers.csv", label_column="kind", seed=2),
        features=(),
        layers=(LayerSpec(5, "tanh"),),
        training=TrainingSpec(epochs=50, batch_size=16),
    )
    save_design(design, tmp_path / "flowers.json")
    commands = sent_commands(window, monkeypatch)
    panels = window.live_panels
    faded = []  # whether the panels faded as the new run was asked for
    window.training.sigRunRequested.connect(
        lambda _generation: faded.append(
            panels.greyed and panels.regions.graphicsEffect() is not None
        )
    )
    parses = KEPT.parses
    assert window.open_design(tmp_path / "flowers.json")
    dialog = window.document.loader.dialog
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=WAIT)
    assert window.design.name != "flowers"  # not yet: the data is being read
    held.set()
    qtbot.waitUntil(lambda: window.design.name == "flowers", timeout=WAIT)
    assert not dialog.isVisible()
    assert window.document.path == tmp_path / "flowers.json"
    assert faded == [True]  # the old run's pictures, until the new run's first frame
    path.unlink()  # whoever parses the file now fails: the training process must not need it
    qtbot.waitUntil(lambda: not panels.greyed, timeout=WAIT)
    assert panels.regions.graphicsEffect() is None
    assert window.training.run_info.class_names == ("blue", "green", "red")
    assert window.training.run_info.input_names == ("a", "b", "c", "d")
    assert KEPT.parses == parses + 1  # the summary, the data set and the diagram: one parse
    new_run = [c for c in commands if isinstance(c, NewRun)][-1]
    assert isinstance(new_run.dataset, CachedData)
    assert len(pickle.dumps(new_run)) < 20_000  # not the arrays
    window.training.step_epoch()
    qtbot.waitUntil(lambda: window.training.epoch >= 1, timeout=WAIT)


def test_an_idx_folder_chosen_in_the_data_tab_loads_in_the_background(qtbot, window, tmp_path):
    write_idx_folder(tmp_path / "digits", n_train=50, n_test=10, shape=(8, 8))
    tab = window.settings_panel.data_tab
    tab.choose_dataset("idx")
    tab.images_path.setText(str(tmp_path / "digits"))
    tab.images_path.editingFinished.emit()
    qtbot.waitUntil(lambda: window.design.dataset.path == str(tmp_path / "digits"), timeout=WAIT)
    qtbot.waitUntil(
        lambda: (
            window.training.run_info is not None and window.training.run_info.image_shape == (8, 8)
        ),
        timeout=WAIT,
    )
    assert window.editor.item("feature:pixel 1") is not None
