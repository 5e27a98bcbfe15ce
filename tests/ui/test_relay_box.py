"""The relay's message box puts a run's input pictures back into views sent without them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnviz.core.run.frames import Frame, Views
from nnviz.core.run.protocol import Notice
from nnviz.ui.session.worker import MessageBox


def views(inputs) -> Views:
    return Views(output=np.zeros((2, 2, 1)), neurons=(np.zeros((3, 2, 2)),), inputs=inputs)


def test_later_views_get_the_runs_first_inputs_and_another_run_does_not():
    box = MessageBox()
    pictures = np.ones((4, 2, 2), np.float32)
    box.put(Frame(1, (), "s1", views(pictures)))
    box.put(Notice("between"))  # keeps the frames apart: no merging here
    box.put(Frame(1, (), "s2", views(None)))
    box.put(Frame(1, (), "s3", None))
    first, _, second = box.take_all()
    assert first.views.inputs is pictures and second.views.inputs is pictures
    assert second.snapshot == "s3"  # merged with the frame without views, keeping its views
    box.put(Frame(2, (), "t", views(None)))  # a new run's, before its own inputs came
    (other,) = box.take_all()
    assert other.views.inputs is None
    again = replace(views(pictures * 2))
    box.put(Frame(2, (), "u", again))
    assert box.take_all()[0].views.inputs is again.inputs
