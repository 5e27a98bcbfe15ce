"""Train → Sweep… in the real window: a small grid sweep runs in worker processes and fills the
table and the views, a trial opens as one undo step, Stop and closing the window end the
workers, bad settings are named, and without Optuna the menu item says how to install it."""

from __future__ import annotations

import math
import multiprocessing
import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox
from test_transfer import use_settings_in

pytest.importorskip("optuna")

from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.sweep.spec import apply
from nnviz.core.sweep.study import WORKER_PROCESS
from nnviz.core.sweep.worker import train_trial
from nnviz.ui.main_window import MainWindow

WAIT = 120_000  # ms; only a guard against hanging


def sweep_workers() -> list:
    return [p for p in multiprocessing.active_children() if p.name.startswith(WORKER_PROCESS)]


XOR = Design(
    name="xor net",
    dataset=DatasetSpec("xor", points=100, seed=1),
    layers=(LayerSpec(3, "tanh"),),
    training=TrainingSpec(seed=2, optimizer=OptimizerSpec("adam", 0.02), epochs=1_000_000),
)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path / "data"))
    use_settings_in(tmp_path)
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    window.open_document(XOR)
    qtbot.waitUntil(lambda: window.training.run_info is not None, timeout=WAIT)
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()
    assert not multiprocessing.active_children()
    assert not [t for t in threading.enumerate() if t.name.startswith("nnviz-")]


def open_dialog(window, tmp_path, *rows, method="grid", epochs=15, workers=2):
    dialog = window.sweep.open()
    assert dialog.objectName() == "sweepDialog"
    dialog.form.rows.set_design(dialog.design, list(rows))
    dialog.form.method_box.setCurrentIndex(dialog.form.method_box.findData(method))
    dialog.form.epochs.setValue(epochs)
    dialog.form.workers.setValue(workers)
    dialog.form.storage.setText(f"sqlite:///{tmp_path / 'sweeps.db'}")
    return dialog


def test_a_grid_sweep_from_the_dialog_fills_the_table_and_the_views(qtbot, window, tmp_path):
    dialog = open_dialog(
        window,
        tmp_path,
        ("training.optimizer.learning_rate", "0.1,100"),  # 100 diverges
        ("layers[0].units", "2,5"),
    )
    form = dialog.form
    assert form.grid_note.text() == "every combination: 4" and form.trials.value() == 4
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.runner.busy, timeout=WAIT)

    table = dialog.table
    assert table.rowCount() == 4
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:4] == ["trial", "training.optimizer.learning_rate", "layers[0].units",
                           "test_loss"]  # fmt: skip
    combos = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(4)}
    assert combos == {("0.1", "2"), ("0.1", "5"), ("100", "2"), ("100", "5")}
    status = {table.item(r, 1).text(): table.item(r, 4).text() for r in range(4)}
    assert status == {"0.1": "finished", "100": "diverged"}  # kept, and said
    results = dialog.trial_list()
    # every trial is a run of the Runs panel, with its design and figures
    runs = {e.label: e for e in window.runs.panel.entries.values() if e.source == "sweep"}
    assert len(runs) == 4
    for result in results:
        run = runs[f"trial {result.number} of {dialog.plan.study}"]
        assert run.design == apply(dialog.plan.design, result.params)
        assert run.final["test_loss"] == result.value and run.status == result.attrs["status"]
    # each trial's value is what training its design alone gives
    alone, _attrs = train_trial(dialog.plan, results[3].params)
    assert results[3].value == alone

    # the views: a line per trial through both settings and the metric, a point per trial
    assert len(dialog.parallel.curves) == 4
    for number, curve in dialog.parallel.curves.items():
        xs, ys = curve.getData()
        assert list(xs) == [0, 1, 2]
        metric = dialog.parallel.axes[2]
        assert ys[2] == pytest.approx(metric.position(dialog.results[number].value))
    for scatter in dialog.scatter.scatters:
        assert sorted(scatter.data["data"]) == [0, 1, 2, 3]
    dialog.tabs.setCurrentWidget(dialog.importance)
    qtbot.waitUntil(lambda: bool(dialog.importance.shares), timeout=WAIT)
    shares = dialog.importance.shares
    assert set(shares) == {"training.optimizer.learning_rate", "layers[0].units"}
    assert math.isclose(sum(shares.values()), 1.0, rel_tol=1e-6)

    # clicking the best trial's point opens its design as one undo step
    best = min(results, key=lambda r: r.value)
    scatter = dialog.scatter.scatters[0]
    point = next(p for p in scatter.points() if p.data() == best.number)
    before, steps = window.design, window.undo_stack.count()
    scatter.sigClicked.emit(scatter, [point], None)
    assert window.design == apply(dialog.plan.design, best.params)
    assert window.undo_stack.count() == steps + 1
    assert dialog.table.selectedItems()[0].data(Qt.ItemDataRole.UserRole) == best.number
    assert window.runs.panel.selected_ids() == [dialog.run_ids[best.number]]
    window.undo_stack.undo()
    assert window.design == before


def test_stop_ends_the_workers_and_keeps_the_stopped_trials(qtbot, window, tmp_path):
    dialog = open_dialog(
        window, tmp_path, ("training.seed", "1,2,3,4"), method="random", epochs=1_000_000
    )
    dialog.form.trials.setValue(4)
    assert dialog.start()
    qtbot.waitUntil(
        lambda: sum(r.state == "RUNNING" for r in dialog.results.values()) == 2, timeout=WAIT
    )
    assert len(sweep_workers()) == 2
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.runner.busy, timeout=WAIT)
    assert not sweep_workers()
    results = dialog.trial_list()
    assert len(results) == 2
    assert {r.state for r in results} == {"FAIL"}
    assert {r.attrs["status"] for r in results} == {"stopped"}
    assert {dialog.table.item(r, 3).text() for r in range(2)} == {"stopped"}
    assert dialog.start_button.isEnabled()


def test_closing_the_window_ends_a_running_sweep(qtbot, window, tmp_path):
    dialog = open_dialog(window, tmp_path, ("training.seed", "1,2"), method="grid", workers=1,
                         epochs=1_000_000)  # fmt: skip
    assert dialog.start()
    qtbot.waitUntil(lambda: any(r.state == "RUNNING" for r in dialog.results.values()),
                    timeout=WAIT)  # fmt: skip
    window.undo_stack.setClean()
    assert sweep_workers()
    window.close()
    assert not sweep_workers()


def test_a_setting_that_cannot_be_swept_is_named_and_nothing_starts(qtbot, window, tmp_path):
    dialog = open_dialog(window, tmp_path, ("training.optimizer.learning_rate", "log:0:1"))
    row = dialog.form.rows.rows[0]
    assert not dialog.start_button.isEnabled()
    assert "a log range must start above 0" in row.problem.text()
    row.path.setCurrentText("training.optimizer.learnig_rate")
    row.spec.setText("0.1")
    assert "did you mean 'training.optimizer.learning_rate'" in row.problem.text()
    assert not dialog.start()
    row.path.setCurrentText("training.optimizer.learning_rate")
    assert row.problem.text() == "" and dialog.start_button.isEnabled()


def test_a_picked_setting_gets_a_range_the_schema_accepts(qtbot, window, tmp_path):
    dialog = open_dialog(window, tmp_path)
    row = dialog.form.rows.add_row()
    row.path.setCurrentIndex(row.path.findText("training.optimizer.learning_rate"))
    assert row.spec.text() == "log:0.002:0.2"
    row.path.setCurrentIndex(row.path.findText("training.optimizer.name"))
    assert row.spec.text().startswith("sgd,")
    assert dialog.start_button.isEnabled()

    # an edit in the window is what the next sweep varies; the rows stay as typed
    wider = replace(window.design, layers=(LayerSpec(6, "relu"),))
    window.push_design(wider, "wider")
    assert dialog.design == wider and row.spec.text().startswith("sgd,")


def test_without_optuna_the_menu_item_says_how_to_install_it(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("nnviz.ui.sweep.optuna_installed", lambda: False)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    window = MainWindow()
    qtbot.addWidget(window)
    assert "needs Optuna" in window.sweep.action.text()
    assert 'pip install "nnviz[sweep]"' in window.sweep.action.statusTip()
    box = window.sweep.open()
    assert isinstance(box, QMessageBox) and box.objectName() == "sweepInstallDialog"
    assert 'pip install "nnviz[sweep]"' in box.informativeText()
    box.close()
    window.close()
