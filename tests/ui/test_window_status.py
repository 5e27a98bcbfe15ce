"""The status bar in the real window: it describes the current run, not an earlier one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nnviz.core.design import DatasetSpec, Design, LayerSpec, TrainingSpec
from nnviz.ui import main_window
from nnviz.ui.main_window import MainWindow
from tests.ui.test_transfer import use_settings_in, wait_until


@pytest.fixture
def window(qapp, tmp_path):
    use_settings_in(tmp_path / "settings")
    window = MainWindow()
    window.show()
    yield window
    window.undo_stack.setClean()
    window.close()
    window.deleteLater()


def test_opening_another_design_leaves_no_word_of_the_finished_run(window):
    """The status bar describes the current run (issue 14 item 13)."""
    done = Design(dataset=DatasetSpec("xor", points=40), layers=(LayerSpec(2),))
    window.open_document(replace(done, training=TrainingSpec(epochs=3)))
    session = window.training
    wait_until(lambda: session.run_info is not None and session.latest is not None)
    window.actionPlay.trigger()
    wait_until(lambda: session.state == "finished")
    wait_until(lambda: window.statusBar().currentMessage() == "finished 3 epochs")
    window.undo_stack.setClean()
    window.open_document(Design(dataset=DatasetSpec("circle", points=40)))
    generation = session.generation
    wait_until(lambda: session.run_info.generation == generation)
    assert window.statusBar().currentMessage() == ""
    window.statusBar().showMessage("Saved elsewhere")
    window.open_document(Design(dataset=DatasetSpec("gauss", points=40)))
    assert window.statusBar().currentMessage() == "Saved elsewhere"  # other words stay


def test_a_new_document_is_no_change_of_data_that_restarts_training(window):
    """ "The data changed: training starts again." came after File → New or an example."""
    folder = main_window.examples_dir()
    session = window.training
    for open_next in (
        lambda: window.open_example(folder.joinpath("xor-mlp.json")),
        lambda: window.open_example(folder.joinpath("sine-regression.json")),
        window.actionNew.trigger,
    ):
        generation = session.generation
        open_next()
        wait_until(lambda g=generation: session.run_info and session.run_info.generation > g)
        assert "starts again" not in window.statusBar().currentMessage()
        window.undo_stack.setClean()
