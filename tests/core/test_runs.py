"""The kept runs: their summary figures, the SQLite store, a damaged database, and which
settings tell runs apart."""

import math
import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.design import Design, LayerSpec
from nnviz.core.nn.network import REGRESSION
from nnviz.core.run.history import MetricsHistory
from nnviz.core.run.snapshot import EpochMetrics
from nnviz.core.runs import (
    SWEEP,
    RunEntry,
    RunStore,
    RunStoreError,
    differing_settings,
    open_store,
    setting,
    setting_text,
    summarise,
    thin_history,
)
from nnviz.core.runs.entry import HISTORY_COLUMNS
from nnviz.core.schema import with_value

LR = "training.optimizer.learning_rate"


def _row(epoch, train_loss, test_loss, train_metric, test_metric):
    nan = math.nan
    return EpochMetrics(
        epoch, epoch * 10, train_loss, test_loss, train_metric, test_metric, nan, nan, 0.03, (), ()
    )


def _entry(**changes) -> RunEntry:
    table = np.array([[1, 0.9, 1.0, 0.5, 0.4], [2, 0.5, 0.6, 0.8, 0.7], [3, 0.4, 0.7, 0.9, 0.6]])
    final, best = summarise(table, "classification")
    entry = RunEntry(
        design=Design(),
        started=1_700_000_000.0,
        status="finished",
        epochs=3,
        seconds=1.5,
        final=final,
        best=best,
        history=thin_history(table),
        regions=np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3),
        extent=(-6.0, 6.0, -5.0, 5.0),
    )
    return replace(entry, **changes)


def test_history_columns_and_summary_match_the_rows():
    rows = [_row(1, 0.9, 1.0, 0.5, 0.4), _row(2, 0.5, 0.6, 0.8, 0.7), _row(3, 0.4, 0.7, 0.9, 0.6)]
    history = MetricsHistory(rows)
    table = history.columns(*HISTORY_COLUMNS)
    assert table.tolist() == [[r.epoch, r.train_loss, r.test_loss, r.train_metric,
                               r.test_metric] for r in rows]  # fmt: skip
    final, best = summarise(table, "classification")
    assert final == {"train_loss": 0.4, "test_loss": 0.7, "train_accuracy": 0.9,
                     "test_accuracy": 0.6}  # fmt: skip
    assert best == {"train_loss": 0.4, "test_loss": 0.6, "train_accuracy": 0.9,
                    "test_accuracy": 0.7}  # fmt: skip
    final, best = summarise(table, REGRESSION)
    assert set(final) == {"train_loss", "test_loss", "train_r2", "test_r2"}


def test_best_ignores_a_diverged_epoch_and_thinning_keeps_the_ends():
    table = np.array([[1, 1.0, 1.0, 0.5, 0.5], [2, math.inf, math.nan, math.nan, math.nan]])
    final, best = summarise(table, "classification")
    assert math.isnan(final["test_loss"]) and best["test_loss"] == 1.0
    long = np.column_stack([np.arange(1, 10_001)] + [np.linspace(1, 0, 10_000)] * 4)
    thinned = thin_history(long, points=100)
    assert len(thinned["epoch"]) == 100
    assert thinned["epoch"][0] == 1 and thinned["epoch"][-1] == 10_000
    assert np.all(np.diff(thinned["epoch"]) > 0)


def test_the_store_adds_updates_lists_and_deletes(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    first = store.add(_entry())
    second = store.add(_entry(source=SWEEP, label="trial 0", history={}, regions=None))
    assert (first.id, second.id) == (1, 2)
    store.update(replace(first, status="diverged", final={"test_loss": math.nan}, epochs=9))
    store.close()

    again = RunStore(tmp_path / "runs.db")
    runs = again.runs()
    assert [r.id for r in runs] == [1, 2] and not again.problems
    got = runs[0]
    assert got.status == "diverged" and got.epochs == 9 and math.isnan(got.final["test_loss"])
    assert got.design == Design() and got.started == 1_700_000_000.0
    assert got.best == _entry().best
    for name in HISTORY_COLUMNS:
        np.testing.assert_array_equal(got.history[name], _entry().history[name])
    np.testing.assert_array_equal(got.regions, _entry().regions)
    assert got.extent == (-6.0, 6.0, -5.0, 5.0)
    assert runs[1].source == SWEEP and runs[1].history == {} and runs[1].regions is None
    assert again.get(2).label == "trial 0" and again.get(3) is None

    again.delete([1])
    assert [r.id for r in again.runs()] == [2]
    assert again.add(_entry()).id == 3  # ids are never reused
    with pytest.raises(ValueError, match="stored run"):
        again.update(_entry())


def test_a_hand_edited_row_is_named_and_the_others_still_read(tmp_path):
    path = tmp_path / "runs.db"
    store = RunStore(path)
    for _ in range(3):
        store.add(_entry())
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET design = '{\"layers\": 7}' WHERE id = 2")
        db.execute("UPDATE runs SET arrays = x'00ff' WHERE id = 3")
    store = RunStore(path)
    assert [r.id for r in store.runs()] == [1]
    assert [p.split(":")[0] for p in store.problems] == ["run 2 cannot be read",
                                                          "run 3 cannot be read"]  # fmt: skip
    with pytest.raises(RunStoreError, match="run 3 cannot be read"):
        store.get(3)


def test_a_file_that_is_not_a_database_is_moved_aside_and_nothing_is_lost(tmp_path):
    path = tmp_path / "runs.db"
    path.write_bytes(b"this is not SQLite, it was a text file all along\n" * 100)
    store, message = open_store(path)
    assert "not a database" in message and "renamed" in message
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("runs.db.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not SQLite")
    assert store.path == path and store.add(_entry()).id == 1


def test_a_database_from_a_newer_nnviz_is_left_alone(tmp_path):
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    store, message = open_store(path)
    assert "newer nnviz" in message and "will not be saved" in message
    assert store.path is None and store.add(_entry()).id == 1  # in memory: the app goes on
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_locked_database_says_so_and_keeps_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr("nnviz.core.runs.store.BUSY_TIMEOUT", 0.01)
    path = tmp_path / "runs.db"
    store = RunStore(path)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RunStoreError, match=r"Cannot store the run in .*locked"):
            store.add(_entry())
    finally:
        other.rollback()
        other.close()
    assert store.add(_entry()).id == 1


def test_the_default_store_lives_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path / "data"))
    store, message = open_store()
    assert message == "" and store.path == tmp_path / "data" / "runs.db"
    assert store.path.is_file()


def test_differing_settings_are_the_paths_whose_values_differ():
    base = Design()
    fast = with_value(base, LR, 0.3)
    wide = with_value(base, "layers[0].units", 7)
    assert differing_settings([base]) == []
    assert differing_settings([base, fast]) == [LR]
    assert differing_settings([base, fast, wide]) == ["layers[0].units", LR]
    deeper = replace(base, layers=(*base.layers, LayerSpec(units=3)))
    extra = len(base.layers)
    found = differing_settings([base, deeper])
    assert found[0] == "layers" and f"layers[{extra}].units" in found
    assert setting(base, "layers") == extra and setting(base, f"layers[{extra}].units") == "—"
    assert setting(fast, LR) == 0.3


def test_setting_text_is_short():
    assert setting_text(0.0123456) == "0.01235"
    assert setting_text(True) == "yes"
    assert setting_text(("x1", "x2")) == "x1, x2"
    assert setting_text(((0.0, 1.0, 1.0), (1.0, 0.0, 0.0))) == "2 rows"
    assert len(setting_text("a" * 100)) == 24
