"""File > Export and Import of trained networks, driven through the real window and training.

The file dialogs are answered by replacing ``TransferActions._ask_…``; most tests replace the
session's ``load_params`` on the instance to record what it is given, and one follows imported
weights through the real training process back to the window.
"""

from __future__ import annotations

import csv
import time
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QObject, QSettings, QTimer
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from nnviz.core.data.features import InputPipeline
from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.files.weights_io import EXPORT_FORMATS, WEIGHT_FORMATS, load_weights, save_weights
from nnviz.core.run.trainer import Trainer
from nnviz.ui.main_window import MainWindow
from nnviz.ui.panel_pictures import PICTURE_FORMATS, panel_docks
from nnviz.ui.transfer import (
    TransferActions,
    file_stem,
    install_transfer_actions,
    suffix_for,
)

WAIT = 30_000  # ms; only a guard against hanging

XOR = Design(
    name="xor net",
    dataset=DatasetSpec("xor", points=200, seed=1),
    features=("x1", "x2", "x1*x2"),
    layers=(LayerSpec(4, "tanh"), LayerSpec(2, "tanh")),
    training=TrainingSpec(seed=2),
)


def trained_file(tmp_path, design: Design, name: str = "other.npz"):
    """A weights file of ``design`` trained briefly in this process (no window)."""
    trainer = Trainer(design)
    trainer.step_epoch()
    path = tmp_path / name
    save_weights(path, design, trainer.spec, trainer.engine.get_params(), trainer.pipeline)
    return path


def use_settings_in(folder) -> None:
    """QSettings (geometry, docks, recent files) of these tests only, in ``folder``."""
    QCoreApplication.setOrganizationName("nnviz-tests")
    QCoreApplication.setApplicationName("nnviz")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def wait_until(condition) -> None:
    """Let Qt run until ``condition()`` holds (failing after a generous guard time)."""
    deadline = time.monotonic() + WAIT / 1000  # WAIT is in ms
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QTest.qWait(10)


def wait_for_run(window: MainWindow, epochs: int = 0) -> None:
    """Until the session has a frame of the current design's run with ``epochs`` epochs."""
    session = window.training

    def ready() -> bool:
        run = session.run_info
        return (
            run is not None
            and run.generation == session.generation
            and session.latest is not None
            and len(session.history) >= epochs
        )

    wait_until(ready)


def transfer_of(window: MainWindow) -> TransferActions:
    return window.findChild(QObject, "transferActions")


@contextmanager
def trained_window(folder):
    """A window training XOR for a few epochs, with its transfer actions installed."""
    use_settings_in(folder / "settings")
    window = MainWindow()
    window.show()
    design_path = folder / "xor.json"
    save_design(XOR, design_path)
    assert window.open_design(design_path)
    wait_for_run(window)
    for _ in range(3):
        window.training.step_epoch()
    wait_for_run(window, epochs=3)
    if transfer_of(window) is None:
        install_transfer_actions(window)
    yield window
    window.undo_stack.setClean()  # no prompt on closing
    window.close()
    window.deleteLater()


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    """One trained window for the tests that leave its design alone (a window and its
    training process take a second or two to start)."""
    with trained_window(tmp_path_factory.mktemp("transfer")) as window:
        yield window


@pytest.fixture
def fresh_window(qapp, tmp_path):
    """A trained window of the test's own, for tests that change the design."""
    with trained_window(tmp_path) as window:
        yield window


@pytest.fixture
def transfer(window) -> TransferActions:
    return transfer_of(window)


def record_loads(monkeypatch, window) -> list:
    """Every ``load_params`` call the window's session receives."""
    calls = []
    monkeypatch.setattr(window.training, "load_params", calls.append, raising=False)
    return calls


@pytest.fixture
def loaded(window, monkeypatch) -> list:
    return record_loads(monkeypatch, window)


def answer_save(monkeypatch, transfer, path) -> list:
    """Answer the next save dialogs with ``path``; returns the (title, filters) asked."""
    asked = []

    def ask(title, filters, default):
        asked.append((title, filters, default))
        return str(path)

    monkeypatch.setattr(transfer, "_ask_save_path", ask)
    return asked


def answer_open(monkeypatch, transfer, path) -> None:
    monkeypatch.setattr(transfer, "_ask_open_path", lambda title, filters: str(path))


def error_text(window) -> str:
    """The text of the open error box (closing it)."""
    [box] = [
        box for box in window.findChildren(QMessageBox, "transferErrorDialog") if box.isVisible()
    ]
    text = box.text()
    box.close()
    return text


def assert_same_params(actual, expected) -> None:
    assert len(actual) == len(expected)
    for (w, b), (w0, b0) in zip(actual, expected, strict=True):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)


# --- menus --------------------------------------------------------------------------------


def test_actions_sit_in_the_file_and_export_menus_with_tooltips(window, transfer):
    export_names = [a.objectName() for a in window.export_menu.actions()]
    for name in ("actionExportWeights", "actionExportHistory", "actionExportPanelImage"):
        assert name in export_names
    file_names = [a.objectName() for a in window.menuBar().actions()[0].menu().actions()]
    at = file_names.index("actionOpen")
    assert file_names[at + 1 : at + 3] == ["actionOpenWeights", "actionImportWeights"]
    for action in (
        transfer.actionExportWeights,
        transfer.actionExportHistory,
        transfer.actionExportPanelImage,
        transfer.actionOpenWeights,
        transfer.actionImportWeights,
    ):
        assert action.toolTip() and action.text().endswith("…")


def test_weight_exports_are_disabled_until_the_new_run_has_weights(qtbot, fresh_window):
    window, transfer = fresh_window, transfer_of(fresh_window)
    assert transfer.actionExportWeights.isEnabled()
    assert transfer.actionExportHistory.isEnabled()
    at_start = []
    window.training.sigRunStarted.connect(
        lambda _info: at_start.append(transfer.actionExportWeights.isEnabled())
    )
    with qtbot.waitSignal(window.training.sigRunStarted, timeout=WAIT):
        window.push_design(replace(XOR, layers=(LayerSpec(3, "tanh"),)), "narrower")
    assert at_start == [False]
    qtbot.waitUntil(transfer.actionExportWeights.isEnabled, timeout=WAIT)


# --- weights out ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", list(WEIGHT_FORMATS))
def test_export_weights_in_each_format_reloads_equal(
    monkeypatch, tmp_path, window, transfer, suffix
):
    path = tmp_path / f"exported{suffix}"
    asked = answer_save(monkeypatch, transfer, path)
    transfer.actionExportWeights.trigger()
    [(_title, filters, default)] = asked
    assert filters.split(";;") == list(EXPORT_FORMATS.values())
    assert default.endswith("xor-net.npz")
    network = load_weights(path)
    session = window.training
    assert network.design == window.design
    assert network.input_names == ("x1", "x2", "x1*x2")
    assert_same_params(network.params, session.latest.params)
    np.testing.assert_array_equal(network.input_mean, session.pipeline.mean)
    np.testing.assert_array_equal(network.input_std, session.pipeline.std)


def test_export_as_pytorch_script_writes_the_script_and_its_weights(tmp_path, window, transfer):
    script = tmp_path / "xor net.py"
    assert transfer.export_weights(script)
    assert "class Network(nn.Module)" in script.read_text()
    network = load_weights(script.with_suffix(".pt"))
    assert_same_params(network.params, window.training.latest.params)


def test_export_weights_with_an_unknown_extension_explains(tmp_path, window, transfer):
    assert not transfer.export_weights(tmp_path / "net.bin")
    assert "unknown weights format .bin" in error_text(window)
    assert not (tmp_path / "net.bin").exists()


def test_history_csv_has_a_row_per_epoch(monkeypatch, tmp_path, window, transfer):
    path = tmp_path / "history.csv"
    answer_save(monkeypatch, transfer, path)
    transfer.actionExportHistory.trigger()
    with open(path, newline="") as file:
        header, *rows = list(csv.reader(file))
    session = window.training
    assert len(rows) == len(session.history) >= 3
    assert header[:3] == ["epoch", "step", "train_loss"]
    assert "grad_norm[output]" in header
    assert [int(row[0]) for row in rows] == [m.epoch for m in session.history]


# --- pictures -------------------------------------------------------------------------------


def test_panel_choice_lists_the_open_pyqtgraph_panels(window, transfer):
    names = [dock.objectName() for dock in panel_docks(window)]
    assert {"regionsDock", "weightsDock", "lossDock", "gradientsDock"} <= set(names)
    assert "settingsDock" not in names and "layerInspectorDock" not in names


@pytest.mark.parametrize(("dock_name", "label"), [("regionsDock", "x2"), ("lossDock", "epoch")])
def test_panel_picture_as_png_and_svg(monkeypatch, tmp_path, window, transfer, dock_name, label):
    dock = window.findChild(QObject, dock_name)
    monkeypatch.setattr(transfer, "_ask_panel", lambda docks: dock if dock in docks else None)
    for suffix in PICTURE_FORMATS:
        path = tmp_path / f"panel{suffix}"
        answer_save(monkeypatch, transfer, path)
        transfer.actionExportPanelImage.trigger()
        assert path.stat().st_size > 0
    image = QImage(str(tmp_path / "panel.png"))
    assert image.width() > 50 and image.height() > 50
    svg = (tmp_path / "panel.svg").read_text()
    assert "<svg" in svg and "<path" in svg and f">{label} </text>" in svg


def test_panel_picture_refuses_other_extensions(tmp_path, window, transfer):
    dock = panel_docks(window)[0]
    assert not transfer.export_panel_picture(dock, tmp_path / "panel.gif")
    assert ".png or .svg" in error_text(window)


# --- weights in -----------------------------------------------------------------------------


def test_import_into_a_matching_design_loads_equal_arrays(
    monkeypatch, tmp_path, window, transfer, loaded
):
    path = tmp_path / "same.safetensors"
    assert transfer.export_weights(path)
    answer_open(monkeypatch, transfer, path)
    transfer.actionImportWeights.trigger()
    [params] = loaded
    assert_same_params(params, load_weights(path).params)
    assert window.statusBar().currentMessage() == "Loaded the weights of same.safetensors"


def test_import_says_when_the_files_standardisation_differs(
    monkeypatch, tmp_path, window, transfer, loaded
):
    trainer = Trainer(XOR)
    pipeline = trainer.pipeline
    shifted = InputPipeline(pipeline.raw_names, pipeline.features, pipeline.mean + 1, pipeline.std)
    path = tmp_path / "shifted.npz"
    save_weights(path, XOR, trainer.spec, trainer.engine.get_params(), shifted)
    assert transfer.import_weights(path)
    assert len(loaded) == 1
    assert "other means and spreads" in window.statusBar().currentMessage()


def test_import_of_other_shapes_names_the_layer_and_changes_nothing(
    monkeypatch, tmp_path, window, transfer, loaded
):
    path = trained_file(tmp_path, replace(XOR, layers=(LayerSpec(5, "tanh"), LayerSpec(2, "tanh"))))
    design, index = window.design, window.undo_stack.index()
    answer_open(monkeypatch, transfer, path)
    transfer.actionImportWeights.trigger()
    text = error_text(window)
    assert "layers.0.weight has shape (5, 3), the design needs (4, 3)" in text
    assert loaded == []
    assert window.design == design and window.undo_stack.index() == index


def test_import_of_other_inputs_with_the_same_shapes_is_refused(
    monkeypatch, tmp_path, window, transfer, loaded
):
    path = trained_file(tmp_path, replace(XOR, features=("x1", "x2", "sin(x1)")))
    answer_open(monkeypatch, transfer, path)
    transfer.actionImportWeights.trigger()
    assert "inputs (x1, x2, sin(x1))" in error_text(window)
    assert loaded == []


def test_import_of_a_damaged_file_explains(monkeypatch, tmp_path, window, transfer, loaded):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip archive")
    answer_open(monkeypatch, transfer, path)
    transfer.actionImportWeights.trigger()
    assert "broken.npz" in error_text(window)
    assert loaded == []


def test_open_network_file_refuses_a_file_without_a_design(
    monkeypatch, tmp_path, window, transfer, loaded
):
    path = tmp_path / "plain.npz"
    np.savez(path, **{"layers.0.weight": np.zeros((1, 2)), "layers.0.bias": np.zeros(1)})
    design, index = window.design, window.undo_stack.index()
    answer_open(monkeypatch, transfer, path)
    transfer.actionOpenWeights.trigger()
    assert "carries no nnviz design" in error_text(window)
    assert window.design == design and window.undo_stack.index() == index
    assert loaded == []


def test_open_network_file_sets_its_design_and_loads_its_weights(
    monkeypatch, tmp_path, fresh_window
):
    window, transfer = fresh_window, transfer_of(fresh_window)
    loaded = record_loads(monkeypatch, window)
    circle = Design(
        name="circle net",
        dataset=DatasetSpec("circle", points=200),
        layers=(LayerSpec(3, "relu"),),
    )
    path = trained_file(tmp_path, circle, "circle.pt")
    answer_open(monkeypatch, transfer, path)
    transfer.actionOpenWeights.trigger()
    assert window.design == circle
    assert window.path is None and window.undo_stack.isClean()
    wait_until(lambda: len(loaded) == 1)
    assert_same_params(loaded[0], load_weights(path).params)


def test_open_network_file_asks_about_unsaved_changes(monkeypatch, tmp_path, fresh_window):
    window, transfer = fresh_window, transfer_of(fresh_window)
    loaded = record_loads(monkeypatch, window)
    window.push_design(replace(XOR, name="edited"), "rename")
    path = trained_file(tmp_path, replace(XOR, name="from file"))
    seen = []

    def cancel() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, cancel)
            return
        seen.append(box.objectName())
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(0, cancel)
    assert not transfer.open_network_file(path)
    assert seen == ["unsavedChangesDialog"]
    assert window.design.name == "edited" and loaded == []


# --- helpers --------------------------------------------------------------------------------


def test_a_name_typed_without_extension_takes_the_chosen_filters():
    assert suffix_for("/tmp/net", WEIGHT_FORMATS[".onnx"]) == "/tmp/net.onnx"
    assert suffix_for("/tmp/net", WEIGHT_FORMATS[".safetensors"]) == "/tmp/net.safetensors"
    assert suffix_for("/tmp/net.pt", WEIGHT_FORMATS[".npz"]) == "/tmp/net.pt"


def test_file_stems_have_no_separators():
    assert file_stem("xor net") == "xor-net"
    assert file_stem("a/b: c") == "a-b-c"
    assert file_stem("  ") == "network"


def test_imported_weights_reach_the_training_process_and_come_back(fresh_window, tmp_path):
    """Export, reset (new weights), import: the next frame carries the exported weights."""
    transfer = transfer_of(fresh_window)
    path = tmp_path / "exported.safetensors"
    assert transfer.export_weights(str(path))
    exported = load_weights(path).params
    fresh_window.training.reset()
    wait_for_run(fresh_window)
    fresh_window.training.step_epoch()
    wait_until(
        lambda: not np.array_equal(fresh_window.training.latest.params[0][0], exported[0][0])
    )
    assert transfer.import_weights(str(path))
    wait_until(lambda: np.array_equal(fresh_window.training.latest.params[0][0], exported[0][0]))
    for (w, b), (lw, lb) in zip(exported, fresh_window.training.latest.params, strict=True):
        np.testing.assert_array_equal(lw, w)
        np.testing.assert_array_equal(lb, b)


@pytest.mark.parametrize("action", ["actionImportWeights", "actionOpenWeights"])
@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            {"nnviz": np.array("[" * 100_000 + "]" * 100_000)},
            "its nnviz metadata is nested too deeply",
        ),
        ({"layers.0.weight": np.array(["a", "b"])}, "layers.0.weight holds text"),
    ],
)
def test_hostile_weights_files_are_explained_in_the_window(
    monkeypatch, tmp_path, window, transfer, loaded, action, entries, message
):
    """Deep nesting and text tensors were a RecursionError and a TypeError out of the action."""
    path = trained_file(tmp_path, XOR, "hostile.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    np.savez(path, **{**arrays, **entries})
    design = window.design
    answer_open(monkeypatch, transfer, path)
    getattr(transfer, action).trigger()
    assert f"hostile.npz: {message}" in error_text(window)
    assert window.design == design and loaded == []
