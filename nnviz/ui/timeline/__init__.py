"""The training timeline in the window: look back at any checkpoint, replay, fork, run files.

:func:`install_timeline` puts the :class:`~nnviz.ui.timeline.bar.TimelineBar` under the
panels (a bottom toolbar, ``timelineToolBar``), drives it with
:class:`~nnviz.ui.timeline.controller.Timeline`, and adds File → Save Run…, Export →
Animation… and Train → Timeline Memory… (:mod:`~nnviz.ui.timeline.run_files`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from nnviz.ui.timeline.bar import TimelineBar
from nnviz.ui.timeline.controller import Timeline
from nnviz.ui.timeline.run_files import RunFiles
from nnviz.ui.window_menus import make_action

__all__ = ["TimelineParts", "install_timeline"]


@dataclass(frozen=True)
class TimelineParts:
    bar: TimelineBar
    timeline: Timeline
    files: RunFiles

    def shutdown(self) -> None:
        self.timeline.stop()
        self.files.shutdown()


def install_timeline(window) -> TimelineParts:
    """The timeline of ``window`` (after its panels: it drives ``window.live_panels``)."""
    bar = TimelineBar()
    toolbar = QToolBar("Timeline", window)
    toolbar.setObjectName("timelineToolBar")
    toolbar.setMovable(False)
    toolbar.addWidget(bar)
    window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, toolbar)
    timeline = Timeline(window, window.training, window.live_panels, bar)
    files = RunFiles(window)

    window.actionSaveRun = make_action(
        window,
        "actionSaveRun",
        "Save &Run…",
        files.save_run,
        tip="Save the run with its whole timeline as a run file (.nnvizrun)",
    )
    window.actionExportAnimation = make_action(
        window,
        "actionExportAnimation",
        "&Animation…",
        files.export_animation,
        tip="The run's timeline as an animated GIF or an MP4 video",
    )
    window.actionTimelineMemory = make_action(
        window,
        "actionTimelineMemory",
        "Timeline &Memory…",
        files.ask_budget,
        tip="How much memory each run's checkpoints may fill",
    )
    window.file_menu.insertAction(window.export_menu.menuAction(), window.actionSaveRun)
    window.export_menu.addAction(window.actionExportAnimation)
    window.train_menu.addAction(window.actionTimelineMemory)
    window.view_menu.addAction(toolbar.toggleViewAction())
    return TimelineParts(bar, timeline, files)
