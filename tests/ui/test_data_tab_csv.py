"""The Data tab with a CSV file: bad cells reported with a choice, the task guessed and said,
paths relative to the design file. The window tests use the recording session of
test_main_window (no training process)."""

from __future__ import annotations

import json

from nnviz.core.data import load_dataset
from nnviz.core.design import DatasetSpec, Design
from nnviz.core.files.design_file import save_design
from tests.ui.test_main_window import make_window, settings_dir  # noqa: F401 (fixtures)
from tests.ui.test_settings import panel, pick  # noqa: F401 (fixtures)


def choose_file(panel, path) -> None:  # noqa: F811
    pick(panel.dataset, "csv")
    panel.data_tab.csv_path.setText(str(path))
    panel.data_tab.csv_path.editingFinished.emit()


def numbers_with_two_bad_cells(tmp_path):
    text = "a,b,label\n" + "".join(f"{i},{i * 2},{'xy'[i % 2]}\n" for i in range(10))
    path = tmp_path / "cells.csv"
    path.write_text(text.replace("4,8,x", "4,abc,x").replace("7,14,y", "7,,y"))
    return path


def test_a_bad_cell_is_reported_and_its_column_kept(panel, tmp_path):  # noqa: F811
    """It used to be unchecked silently, and training ran without it."""
    choose_file(panel, numbers_with_two_bad_cells(tmp_path))
    assert panel.design.dataset.feature_columns == ("a", "b")
    tab = panel.data_tab
    assert tab.csv_bad_cells.isVisibleTo(panel)
    assert tab.csv_bad_cells.text() == (
        "Bad cells (nnviz cannot train on them):\n"
        "column 'b', row 6: 'abc' is not a number (and 1 more bad cell)"
    )
    assert tab.csv_drop_columns.isVisibleTo(panel) and tab.csv_drop_rows.isVisibleTo(panel)


def test_the_user_leaves_the_column_out(panel, tmp_path):  # noqa: F811
    choose_file(panel, numbers_with_two_bad_cells(tmp_path))
    panel.data_tab.csv_drop_columns.click()
    assert panel.design.dataset.feature_columns == ("a",)
    assert not panel.data_tab.csv_bad_cells.isVisibleTo(panel)
    assert load_dataset(panel.design.dataset).n_raw == 1
    panel.stack.undo()
    assert panel.design.dataset.feature_columns == ("a", "b")


def test_the_user_drops_the_rows(panel, tmp_path):  # noqa: F811
    choose_file(panel, numbers_with_two_bad_cells(tmp_path))
    panel.data_tab.csv_drop_rows.click()
    spec = panel.design.dataset
    assert spec.drop_bad_rows and spec.feature_columns == ("a", "b")
    assert "nnviz leaves those rows out" in panel.data_tab.csv_bad_cells.text()
    dataset = load_dataset(spec)
    assert len(dataset.x_train) + len(dataset.x_test) == 8
    assert dataset.n_raw == 2


def test_a_regression_file_is_guessed_and_the_guess_shown(panel, tmp_path):  # noqa: F811
    path = tmp_path / "prices.csv"
    rows = "".join(f"{i},{i % 3},{i * 1.37:.2f}\n" for i in range(300))
    path.write_text("size,rooms,price\n" + rows)
    choose_file(panel, path)
    assert panel.design.dataset.task == "regression"
    guess = panel.data_tab.csv_task_guess
    assert guess.isVisibleTo(panel)
    assert guess.text() == "Guessed regression: 'price' holds fractional numbers such as 1.37"
    assert load_dataset(panel.design.dataset).task == "regression"
    label = panel.data_tab.csv_label
    label.setCurrentIndex(label.findText("rooms"))
    label.activated.emit(label.currentIndex())
    assert panel.design.dataset.task == "classification"
    assert guess.text() == "Guessed classification: 'rooms' holds 3 different whole numbers"


def csv_design_beside_its_data(folder):
    folder.mkdir()
    (folder / "big.csv").write_text("x,y,kind\n1,2,a\n2,3,b\n3,1,a\n4,0,b\n")
    design = Design(
        dataset=DatasetSpec("csv", path="big.csv", label_column="kind", task="classification"),
        features=(),
    )
    path = folder / "design.json"
    save_design(design, path)
    return path


def test_a_relative_path_is_read_from_the_design_files_folder(
    make_window,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    """The tab read it from the working directory: a red "no such file", no columns."""
    monkeypatch.chdir(tmp_path)
    path = csv_design_beside_its_data(tmp_path / "project")
    window = make_window()
    assert window.open_design(path)
    tab = window.settings_panel.data_tab
    assert not tab.csv_problem.text()
    assert [tab.csv_label.itemText(i) for i in range(tab.csv_label.count())] == ["x", "y", "kind"]
    assert tab.csv_features.count() == 2
    assert window.design.dataset.path == str(tmp_path / "project" / "big.csv")
    # a relative path typed into the tab starts there too
    (tmp_path / "project" / "other.csv").write_text("p,q\n1,a\n2,b\n")
    tab.csv_path.setText("other.csv")
    tab.csv_path.editingFinished.emit()
    assert window.design.dataset.path == str(tmp_path / "project" / "other.csv")


def test_saving_names_a_csv_below_the_design_relative_to_it(
    make_window,  # noqa: F811
    tmp_path,
):
    path = csv_design_beside_its_data(tmp_path / "project")
    window = make_window()
    assert window.open_design(path)
    assert window.save_as(tmp_path / "project" / "copy.json")
    saved = json.loads((tmp_path / "project" / "copy.json").read_text())
    assert saved["dataset"]["path"] == "big.csv"
    (tmp_path / "project" / "runs").mkdir()
    assert window.save_as(tmp_path / "project" / "runs" / "deeper.json")
    saved = json.loads((tmp_path / "project" / "runs" / "deeper.json").read_text())
    assert saved["dataset"]["path"] == str(tmp_path / "project" / "big.csv")
    # saved beside the data again, the path is relative again, and the folder can move
    assert window.save_as(path)
    assert json.loads(path.read_text())["dataset"]["path"] == "big.csv"
    moved = tmp_path / "moved"
    (tmp_path / "project").rename(moved)
    assert window.open_design(moved / "design.json")
    assert window.design.dataset.path == str(moved / "big.csv")
