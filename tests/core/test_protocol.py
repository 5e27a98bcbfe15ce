"""The window <-> training process protocol and the one "new run or live update" rule."""

import dataclasses
import multiprocessing
import pickle
import typing
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.design import Design, LayerSpec, OptimizerSpec, OutputSpec, ScheduleSpec
from nnviz.core.run import protocol
from nnviz.core.run.live import LIVE_FIELDS, LIVE_PATHS, needs_new_run
from nnviz.core.run.protocol import (
    Failure,
    NewRun,
    Notice,
    Play,
    Reset,
    RunStarted,
    SessionState,
    StateChanged,
    Update,
)
from nnviz.core.run.service import TrainingService
from nnviz.core.run.snapshot import Status
from nnviz.core.run.trainer import Trainer


def every_class(union):
    return typing.get_args(union)


def test_every_command_and_message_is_a_frozen_dataclass():
    classes = every_class(protocol.Command) + every_class(protocol.Message)
    assert len(classes) == 24
    for cls in classes:
        assert dataclasses.is_dataclass(cls), cls
        assert cls.__dataclass_params__.frozen, cls


def test_commands_and_messages_cross_a_pipe_unchanged():
    design = Design(name="over the pipe")
    out, into = multiprocessing.Pipe(duplex=False)
    sent = [
        NewRun(design, "/some/folder", 3),
        Update(design),
        Play(),
        StateChanged(SessionState.PAUSED),
    ]
    for item in sent:
        into.send(item)
    received = [out.recv() for _ in sent]
    assert [type(item) for item in received] == [type(item) for item in sent]
    assert received[0].design == design and received[0].generation == 3
    assert received[0].dataset is None
    assert received[2] == Play() and received[3].state is SessionState.PAUSED
    out.close()
    into.close()


def test_states_are_enums_that_still_read_as_their_words():
    assert SessionState.RUNNING == "running" and Status.EARLY_STOPPED == "early_stopped"
    assert SessionState("diverged") is SessionState.DIVERGED
    assert pickle.loads(pickle.dumps(Status.DIVERGED)) is Status.DIVERGED
    # The two sets mean different things: a session pauses, a run is early-stopped.
    assert "paused" in {s.value for s in SessionState} - {s.value for s in Status}
    assert "early_stopped" in {s.value for s in Status} - {s.value for s in SessionState}


def test_a_run_message_carries_class_names_not_the_data():
    sent = []
    service = TrainingService(sent.append)
    service.handle(NewRun(Design(), None, 1))
    (run,) = [m for m in sent if isinstance(m, RunStarted)]
    assert [f.name for f in dataclasses.fields(run)] == ["info", "pipeline"]
    assert run.info.class_names == ("0", "1") and run.info.dataset_name == "xor"
    # the message is small: points for the panels, no Dataset (which would be shipped whole)
    assert len(pickle.dumps(run)) < 50_000


def test_a_window_side_dataset_is_used_instead_of_loading_again():
    design = Design()
    data = Trainer(design).dataset
    sent = []
    service = TrainingService(sent.append)
    service.handle(NewRun(design, None, 1, data))
    assert service.trainer.dataset is data
    service.handle(Reset(2))  # a reset trains on the same arrays, not read again
    assert service.trainer.dataset is data and service.generation == 2


def test_what_is_not_a_command_is_reported_not_raised():
    sent = []
    service = TrainingService(sent.append)
    service.handle(("play",))  # the old tuple protocol
    assert isinstance(sent[0], Failure) and "not a command" in sent[0].text
    assert sent[1] == StateChanged(SessionState.ERROR)
    service.handle(Play())
    assert isinstance(sent[-1], Notice) and "no design yet" in sent[-1].text


# --- the rule ---------------------------------------------------------------------------------


def test_every_live_field_is_a_design_path():
    design = Design()
    for path in LIVE_FIELDS:
        value = design
        for name in path.split("."):
            assert name in {f.name for f in dataclasses.fields(value)}, path
            value = getattr(value, name)


def test_the_live_paths_cover_every_field_of_the_live_sections():
    """Every field below a live section is one of the schema's live paths, so a change to
    it continues the run (a field the schema lacked would start a new one)."""
    design = Design()
    for path in LIVE_FIELDS:
        value = design
        for name in path.split("."):
            value = getattr(value, name)
        if dataclasses.is_dataclass(value):
            below = {f"{path}.{f.name}" for f in dataclasses.fields(value)}
            assert below <= set(LIVE_PATHS), below - set(LIVE_PATHS)
        else:
            assert path in LIVE_PATHS


LIVE_CHANGES = {
    "name": lambda d: replace(d, name="renamed"),
    "description": lambda d: replace(d, description="a lesson"),
    "training.optimizer": lambda d: training(d, optimizer=OptimizerSpec("adam", 0.01)),
    "training.schedule": lambda d: training(d, schedule=ScheduleSpec("cosine")),
    "training.l1": lambda d: training(d, l1=0.001),
    "training.l2": lambda d: training(d, l2=0.01),
    "training.batch_size": lambda d: training(d, batch_size=32),
    "training.epochs": lambda d: training(d, epochs=5),
    "training.patience": lambda d: training(d, patience=3),
    "training.early_stopping": lambda d: training(d, early_stopping=True),
}

NEW_RUN_CHANGES = {
    "dataset": lambda d: replace(d, dataset=replace(d.dataset, name="circle")),
    "dataset.noise": lambda d: replace(d, dataset=replace(d.dataset, noise=0.3)),
    "features": lambda d: replace(d, features=("x1",)),
    "layers": lambda d: replace(d, layers=(LayerSpec(3),)),
    "layers.dropout": lambda d: replace(d, layers=(replace(d.layers[0], dropout=0.1),)),
    "output": lambda d: replace(d, output=OutputSpec("sigmoid", "mse")),
    "training.seed": lambda d: training(d, seed=9),
    "training.initializer": lambda d: training(d, initializer="he"),
    "training.engine": lambda d: training(d, engine="torch"),
    "training.device": lambda d: training(d, device="cpu"),
    "training.dtype": lambda d: training(d, dtype="float64"),
}


def training(design, **changes):
    return replace(design, training=replace(design.training, **changes))


def test_live_fields_are_exactly_the_changes_that_continue_a_run():
    design = Design()
    assert set(LIVE_CHANGES) == set(LIVE_FIELDS)
    for path, change in LIVE_CHANGES.items():
        assert change(design) != design, path
        assert not needs_new_run(design, change(design)), path
    for path, change in NEW_RUN_CHANGES.items():
        assert change(design) != design, path
        assert needs_new_run(design, change(design)), path
    assert needs_new_run(None, design)
    both = LIVE_CHANGES["training.l2"](NEW_RUN_CHANGES["training.seed"](design))
    assert needs_new_run(design, both)


@pytest.mark.parametrize("path", ["training.batch_size", "training.optimizer", "training.l2"])
def test_a_live_change_takes_effect_in_the_running_trainer(path):
    """What the rule calls live, ``Trainer.set_training`` really applies: the run goes on
    (same epoch count) and from then on trains as a fresh run with those settings would."""
    design = Design()
    changed = LIVE_CHANGES[path](design)
    trainer, reference = Trainer(design), Trainer(changed)
    trainer.set_training(changed.training)
    trainer.step_epoch()
    reference.step_epoch()
    assert trainer.epoch == 1 and trainer.step == reference.step
    for (w, b), (rw, rb) in zip(
        trainer.engine.get_params(), reference.engine.get_params(), strict=True
    ):
        np.testing.assert_allclose(w, rw, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b, rb, rtol=1e-5, atol=1e-6)
