"""``nnviz animate RUN.nnvizrun OUT.gif|OUT.mp4``: a recorded run as an animation.

Draws the decision regions (or the weights, or every panel) at each checkpoint of the run with
the window's own panels, offscreen, and writes an animated GIF or an MP4 video. No display is
needed. Bad input (a missing, truncated or tampered run file, an unknown format, a missing
library) exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnviz.cli.common import BadInput, Parser, fail, one_line, parse, whole_number
from nnviz.core.data.dataset import DatasetError
from nnviz.core.files.animation import AnimationError, AnimationWriter
from nnviz.core.files.run_file import RunFileError, load_run
from nnviz.core.nn.network import DesignMismatch

PANEL_CHOICES = ("regions", "weights", "window")


def _parser() -> Parser:
    parser = Parser(
        prog="nnviz animate",
        description="Render a recorded run (nnviz train --record, or Save Run in the window) "
        "as an animated GIF or an MP4 video.",
    )
    parser.add_argument("run", type=Path, help="the run file (.nnvizrun)")
    parser.add_argument("output", type=Path, help="the animation to write (.gif or .mp4)")
    parser.add_argument(
        "--panel",
        choices=PANEL_CHOICES,
        default="regions",
        help="what to draw: the decision regions (default), the weights, or every panel",
    )
    parser.add_argument(
        "--fps", type=whole_number(1, 60), default=12, help="frames per second (default 12)"
    )
    parser.add_argument(
        "--frames",
        type=whole_number(2, 2000),
        default=240,
        help="at most this many frames, the run's checkpoints spread over them (default 240)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = parse(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        if not args.output.resolve().parent.is_dir():
            raise BadInput(f"{args.output}: no such folder {args.output.parent}")
        writer = AnimationWriter(args.output, args.fps)
        record = load_run(args.run)
    except (BadInput, AnimationError, RunFileError) as error:
        return fail("animate", one_line(error))

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnviz.core.run.replay import replay
    from nnviz.ui.animation import AnimationJob, render

    app = QApplication.instance() or QApplication(["nnviz animate"])
    try:
        prepared = replay(record, base_dir=args.run.resolve().parent)
    except (DatasetError, DesignMismatch) as error:
        return fail("animate", f"{args.run}: {one_line(error)}")
    job = AnimationJob(prepared, args.panel, writer, args.frames)
    try:
        render(job, lambda done, total: _progress(done, total))
    except OSError as error:
        return fail("animate", f"cannot write {args.output}: {error.strerror or error}")
    except AnimationError as error:
        return fail("animate", one_line(error))
    del app
    print(f"{job.total} frames written to {args.output}")
    return 0


def _progress(done: int, total: int) -> None:
    if done == total or done % 20 == 0:
        print(f"frame {done}/{total}", file=sys.stderr)
