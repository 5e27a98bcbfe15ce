"""Sweeps: settings by schema path, every grid point once, studies shared and resumed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

pytest.importorskip("optuna")

from nnviz.cli.sweep import main as sweep
from nnviz.cli.train import main as train
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.files.design_file import save_design
from nnviz.core.sweep.plan import SweepPlan
from nnviz.core.sweep.spec import SpecError, apply, parse_setting
from nnviz.core.sweep.storage import trial_results
from nnviz.core.sweep.study import run_sweep

BASE = Design(
    name="sweep base",
    dataset=DatasetSpec("xor", points=100, noise=0.1),
    layers=(LayerSpec(3, "tanh"),),
    training=TrainingSpec(optimizer=OptimizerSpec("sgd", 0.03), epochs=15, seed=4),
)


@pytest.fixture
def design_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "base.json"
    save_design(BASE, path)
    return path


def sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'study.db'}"


# --- specs ----------------------------------------------------------------------------------


def test_lists_and_ranges_become_the_values_of_a_grid():
    assert parse_setting("training.optimizer.learning_rate=0.01,0.1,1", BASE).grid_values() == (
        0.01,
        0.1,
        1.0,
    )
    assert parse_setting("training.optimizer.learning_rate=log:1e-4:1", BASE).grid_values() == (
        0.0001,
        0.001,
        0.01,
        0.1,
        1.0,
    )
    assert parse_setting("dataset.noise=lin:0:0.5:3", BASE).grid_values() == (0.0, 0.25, 0.5)
    assert parse_setting("layers[0].units=int:2:5", BASE).grid_values() == (2, 3, 4, 5)
    assert parse_setting("training.optimizer.name=sgd,adam", BASE).grid_values() == ("sgd", "adam")
    assert parse_setting("training.early_stopping=true,false", BASE).values == (True, False)
    assert parse_setting("layers=1,2,3", BASE).values == (1, 2, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("training.optimizer.learnig_rate=0.1", "did you mean 'training.optimizer.learning_rate'"),
        ("training.optimizer.learning_rate=0,0.1", "out of range (above 0 and at most 100)"),
        ("training.optimizer.learning_rate=log:0:1", "a log range must start above 0"),
        ("training.optimizer.learning_rate=lin:1:0.1", "must be below its high end"),
        ("training.optimizer.learning_rate=exp:1:2", "unknown range 'exp'"),
        ("training.optimizer.name=sgd,adamm", "did you mean 'adam'"),
        ("layers[0].units=int:0:4", "layers[0].units: 0 is out of range (1 to 4096)"),
        ("layers[0].units=2.5", "'2.5' is not a whole number"),
        ("layers[0].dropout=lin:0:1", "out of range"),
        ("name=a,b", "a text field cannot be swept"),
        ("training=1", "is a section, not a field"),
        ("layers=0,99", "99 hidden layers is out of range"),
        ("dataset.noise", "expected PATH=SPEC"),
        ("training.seed=1,1", "listed twice"),
    ],
)
def test_a_setting_that_cannot_be_swept_is_named(text, message):
    with pytest.raises(SpecError, match=None) as error:
        parse_setting(text, BASE)
    assert message in str(error.value)


def test_a_trials_values_land_at_their_paths():
    design = apply(
        BASE, {"layers": 3, "layers[2].units": 7, "training.optimizer.learning_rate": 0.5}
    )
    assert [layer.units for layer in design.layers] == [3, 3, 7]
    assert design.training.optimizer.learning_rate == 0.5


# --- the command ------------------------------------------------------------------------------


def test_a_grid_sweep_tries_every_combination_once_with_the_values_train_gives(
    design_file, tmp_path, capsys
):
    status = sweep(
        [
            str(design_file),
            "--set",
            "training.optimizer.learning_rate=0.03,0.3",
            "--set",
            "layers[0].units=2,5",
            "--method",
            "grid",
            "--jobs",
            "2",
            "--storage",
            sqlite(tmp_path),
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    combos = {
        (t["params"]["training.optimizer.learning_rate"], t["params"]["layers[0].units"])
        for t in out["trials"]
    }
    assert combos == {(0.03, 2), (0.03, 5), (0.3, 2), (0.3, 5)}
    assert len(out["trials"]) == 4 and all(t["state"] == "COMPLETE" for t in out["trials"])
    for trial in out["trials"]:
        alone = tmp_path / f"alone{trial['number']}.json"
        save_design(apply(BASE, trial["params"]), alone)
        assert train([str(alone), "--json"]) == 0
        trained = json.loads(capsys.readouterr().out)
        assert trial["value"] == trained["test_loss"]
    best = min(out["trials"], key=lambda t: t["value"])
    assert out["best"] == {k: best[k] for k in ("number", "params", "value")}
    assert out["study"] == "base"


def test_a_resumed_study_keeps_its_trials_and_adds_new_ones(design_file, tmp_path, capsys):
    argv = [
        str(design_file),
        "--set",
        "training.optimizer.learning_rate=log:0.001:1",
        "--method",
        "random",
        "--trials",
        "2",
        "--jobs",
        "1",
        "--seed",
        "1",
        "--storage",
        sqlite(tmp_path),
        "--json",
    ]
    assert sweep(argv) == 0
    first = json.loads(capsys.readouterr().out)["trials"]
    assert sweep([*argv[:-5], "--seed", "2", *argv[-3:]]) == 0
    second = json.loads(capsys.readouterr().out)["trials"]
    assert len(first) == 2 and len(second) == 4
    assert second[:2] == first
    assert len({t["params"]["training.optimizer.learning_rate"] for t in second}) == 4


def _concurrent_sweeps(design_file, storage: str, study: str) -> list[dict]:
    """Two ``nnviz sweep`` processes of three trials each on one study; the study's trials."""
    argv = [
        sys.executable,
        "-m",
        "nnviz",
        "sweep",
        str(design_file),
        "--set",
        "training.optimizer.learning_rate=log:0.001:1",
        "--set",
        "layers[0].units=int:1:8",
        "--method",
        "random",
        "--trials",
        "3",
        "--jobs",
        "1",
        "--storage",
        storage,
        "--study",
        study,
        "--json",
    ]
    env = dict(os.environ)
    processes = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for p, (_, err) in zip(processes, outputs, strict=True):
        assert p.returncode == 0, err
    # The study as it stands once both have ended: either process's own --json shows it when
    # that process ended, maybe with the other's last trial still running.
    optuna = pytest.importorskip("optuna")
    loaded = optuna.load_study(study_name=study, storage=storage)
    return [result.as_json() for result in trial_results(loaded)]


def test_two_sweeps_share_one_sqlite_study_without_losing_or_duplicating_trials(
    design_file, tmp_path
):
    trials = _concurrent_sweeps(design_file, sqlite(tmp_path), "shared")
    assert len(trials) == 6
    assert all(t["state"] == "COMPLETE" for t in trials)
    assert sorted(t["number"] for t in trials) == list(range(6))
    assert len({json.dumps(t["params"], sort_keys=True) for t in trials}) == 6


def test_two_sweeps_share_one_postgresql_study(design_file, tmp_path):
    """The multi-machine path: workers anywhere pointing at one PostgreSQL server."""
    url = os.environ.get("NNVIZ_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("no PostgreSQL server: set NNVIZ_TEST_POSTGRES_URL (.ci/run starts one)")
    sqlalchemy = pytest.importorskip("sqlalchemy")
    try:
        sqlalchemy.create_engine(url).connect().close()
    except Exception as error:
        pytest.skip(f"the PostgreSQL server at NNVIZ_TEST_POSTGRES_URL is not running: {error}")
    study = f"shared-{os.getpid()}-{threading.get_ident()}"
    trials = _concurrent_sweeps(design_file, url, study)
    assert len(trials) == 6
    assert all(t["state"] == "COMPLETE" for t in trials)
    assert len({json.dumps(t["params"], sort_keys=True) for t in trials}) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "training.optimizer.lerning_rate=0.1"], "did you mean"),
        ([], "nothing to vary"),
        (["--set", "layers[0].units=1", "--metric", "test_r2"], "this design is a classification"),
        (["--set", "layers[0].units=1", "--jobs", "0"], "expected a number from 1"),
        (["--set", "layers[0].units=1", "--storage", "nosuchdb://x"], "cannot open the storage"),
    ],
)
def test_bad_input_exits_2_with_one_line(design_file, tmp_path, capsys, argv, message):
    assert sweep([str(design_file), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_missing_design_exits_2(tmp_path, capsys):
    assert sweep([str(tmp_path / "none.json"), "--set", "layers[0].units=1"]) == 2
    assert "file not found" in capsys.readouterr().err


# --- stopping ---------------------------------------------------------------------------------


def test_stopping_a_sweep_ends_its_workers_and_records_the_stopped_trial(tmp_path):
    import multiprocessing

    long = Design(
        dataset=DatasetSpec("xor", points=2000),
        layers=(LayerSpec(8),),
        training=TrainingSpec(epochs=1_000_000, batch_size=1),
    )
    plan = SweepPlan(
        design=long,
        base_dir=None,
        settings=(parse_setting("training.seed=1,2", long),),
        method="grid",
        metric="test_loss",
        storage=sqlite(tmp_path),
        study="stop",
    )
    stop = multiprocessing.get_context("spawn").Event()
    started = []

    def poll():
        running = [t for t in trial_results(plan) if t.state == "RUNNING"]
        if running:
            started.append(running)
            stop.set()

    run_sweep(plan, 2, jobs=1, stop=stop, poll=poll)
    assert started
    results = trial_results(plan)
    assert [r.state for r in results] == ["FAIL"]
    assert results[0].attrs["status"] == "stopped"


def test_the_trial_of_a_terminated_worker_is_recorded_as_stopped(tmp_path):
    """A worker that did not stop in time is terminated; its trial must not stay running."""
    from nnviz.core.sweep.storage import open_study
    from nnviz.core.sweep.study import record_stopped
    from nnviz.core.sweep.worker import WORKER_ATTR

    plan = SweepPlan(
        design=BASE,
        base_dir=None,
        settings=(parse_setting("training.seed=1,2", BASE),),
        method="grid",
        metric="test_loss",
        storage=sqlite(tmp_path),
        study="terminated",
    )
    study = open_study(plan)
    mine, elsewhere = study.ask(), study.ask()
    mine.set_user_attr(WORKER_ATTR, "here:101")
    elsewhere.set_user_attr(WORKER_ATTR, "there:101")  # same pid on another machine
    record_stopped(plan, ["here:101"])
    states = {r.number: (r.state, r.attrs.get("status")) for r in trial_results(plan)}
    assert states == {0: ("FAIL", "stopped"), 1: ("RUNNING", None)}


def test_a_worker_that_fails_is_said_not_silently_lost(tmp_path):
    """A study whose setting had another kind of range: the worker cannot suggest it."""
    from nnviz.core.sweep.plan import SweepError

    def plan(spec: str) -> SweepPlan:
        return SweepPlan(
            design=BASE,
            base_dir=None,
            settings=(parse_setting(f"training.seed={spec}", BASE),),
            method="random",
            metric="test_loss",
            storage=sqlite(tmp_path),
            study="mixed",
            seed=0,
        )

    run_sweep(plan("1,2"), 1, jobs=1)
    with pytest.raises(SweepError, match="1 of 1 worker processes failed"):
        run_sweep(plan("int:1:5"), 1, jobs=1)
    assert [r.state for r in trial_results(plan("1,2"))] == ["COMPLETE", "FAIL"]
