"""MNIST-format data through the real window: choose a folder in the Data tab, see a 784-input
network, train it with the real training process and watch the first layer's images change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from mnist_files import write_idx_folder, write_npz
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from nnviz.core.design import LayerSpec, TrainingSpec
from nnviz.ui.main_window import MainWindow
from nnviz.ui.panels.weights_panel import WeightsPanel

WAIT = 60_000  # ms; only a guard against hanging


@pytest.fixture
def window(qtbot, tmp_path, qapp):
    QCoreApplication.setOrganizationName("nnviz-tests")
    QCoreApplication.setApplicationName("nnviz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def choose(window, name: str, path) -> None:
    panel = window.settings_panel.data_tab
    combo = panel.dataset
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())
    assert panel.images_row.isVisibleTo(panel)
    panel.images_path.setText(str(path))
    panel.images_path.editingFinished.emit()


def test_an_idx_folder_trains_a_784_input_network_and_its_weight_images_change(
    qtbot, window, tmp_path
):
    write_idx_folder(tmp_path / "mnist", n_train=64, n_test=16, shape=(28, 28))
    choose(window, "idx", tmp_path / "mnist")
    design = window.design
    assert design.dataset.name == "idx" and design.dataset.path == str(tmp_path / "mnist")
    assert design.features == ()  # every pixel
    assert any("more" in text for text in _texts(window.editor))  # 784 inputs, collapsed

    small = TrainingSpec(epochs=400, batch_size=16, seed=3)
    window.push_design(replace(design, layers=(LayerSpec(9, "relu"),), training=small), "small")
    panel = window.findChild(WeightsPanel, "weightsPanel")
    window.training.step_epoch()
    qtbot.waitUntil(lambda: panel.params is not None and window.training.epoch >= 1, timeout=WAIT)
    assert panel.mosaic_shape == (28, 28)
    first = panel.layers[0][1].image.copy()
    assert first.shape == (3 * 29 - 1, 3 * 29 - 1)  # nine 28 × 28 tiles, one pixel apart
    window.training.play()
    qtbot.waitUntil(lambda: window.training.epoch >= 20, timeout=WAIT)
    window.training.pause()
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=WAIT)
    panel.refresh()
    later = panel.layers[0][1].image
    changed = np.abs(np.nan_to_num(later) - np.nan_to_num(first)).max()
    assert changed > 0.05  # the tiles' colours moved: the first layer learned


def test_an_npz_file_is_chosen_the_same_way(qtbot, window, tmp_path):
    write_npz(tmp_path / "mnist.npz")
    choose(window, "npz", tmp_path / "mnist.npz")
    assert window.design.dataset.path == str(tmp_path / "mnist.npz")
    assert window.editor.item("feature:pixel 1") is not None
    assert "cannot be read" not in window.statusBar().currentMessage()


def test_a_broken_folder_says_why_in_the_status_bar(qtbot, window, tmp_path):
    (tmp_path / "empty").mkdir()
    choose(window, "idx", tmp_path / "empty")
    message = window.statusBar().currentMessage()
    assert "The data cannot be read" in message and "train-images-idx3-ubyte" in message


def _texts(editor) -> list[str]:
    return [
        item.text() for item in editor.scene().items() if isinstance(item, QGraphicsSimpleTextItem)
    ]
