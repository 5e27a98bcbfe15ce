"""How well training and the window share the machine (issue 6's performance goals).

Prints, for TensorFlow Playground's network (2-8-8-1 tanh, 500 points, batch 10):

- training speed headless, twice: the Trainer alone in this process, and the app's training
  process (a child at lower priority) with no window; then with the main window open, all
  panels visible, training as fast as possible (goal: at least 70 % of headless), and the CPU
  share of the window and of the training process (on a machine shared with other work, the
  lower-priority training process gets less than a core whatever the window does);
- how often the panels repaint (goal: 30 per second or more), and what a frame costs the GUI
  thread (its CPU time per frame taken: the slots, every panel's drawing and repaints; the
  panels keep within their pace, so on a busy machine it shows more than lateness does);
- how late a 5 ms timer in the GUI thread fires, 99th percentile (goal: under 20 ms; the median
  of three runs), and the longest turn of the event loop as CPU time (between two ticks);
- memory of both processes over a 100,000-epoch run (goal: flat; the window keeps every
  history row for export, about 120 bytes an epoch).

Then the same window goals at MNIST's size: 784-256-128-10 ReLU and softmax, Adam, batch 64,
on 60,000 images of 28 x 28 (random MNIST-sized IDX files written to a temporary folder, read
by the training process as a user's folder would be): event-loop lateness, frames and repaints
per second, the CPU shares, memory of both processes at the start, half way and the end of the
run. ``--mnist`` runs only this case.

Run: ``.venv/bin/python benchmarks/bench_gui.py`` (about four minutes; ``--quick`` for one).
Qt runs offscreen when no display is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QGraphicsView

from nnviz.core.data.image_files import IDX_FILES
from nnviz.core.design import DatasetSpec, Design, LayerSpec, OptimizerSpec, TrainingSpec
from nnviz.core.run.trainer import Trainer

TIMER_MS = 5


def playground_design(epochs: int = 10_000_000) -> Design:
    return Design(
        name="benchmark",
        dataset=DatasetSpec(name="circle", points=500, noise=0.1),
        layers=(LayerSpec(8, "tanh"), LayerSpec(8, "tanh")),
        training=TrainingSpec(batch_size=10, epochs=epochs),
    )


def write_mnist_sized(folder: Path, n_train: int = 60_000, n_test: int = 10_000) -> None:
    """Four IDX files of random 28 x 28 images shaped like MNIST's (four pixels in five 0)."""
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        images[rng.random((n, 28, 28)) < 0.8] = 0
        labels = rng.integers(0, 10, n).astype(np.uint8)
        for what, array in (("images", images), ("labels", labels)):
            header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
            header += struct.pack(f">{array.ndim}I", *array.shape)
            (folder / IDX_FILES[split, what]).write_bytes(header + array.tobytes())


def mnist_design(folder: Path, epochs: int = 1000) -> Design:
    return Design(
        name="benchmark-mnist",
        dataset=DatasetSpec(name="idx", path=str(folder)),
        features=(),
        layers=(LayerSpec(256, "relu"), LayerSpec(128, "relu")),
        training=TrainingSpec(
            optimizer=OptimizerSpec("adam", 0.001), batch_size=64, epochs=epochs, initializer="he"
        ),
    )


def headless_epochs_per_second(seconds: float) -> float:
    """The Trainer alone, in this process, at normal priority."""
    trainer = Trainer(playground_design())
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step_epoch()
    return trainer.epoch / (time.perf_counter() - start)


def session_epochs_per_second(seconds: float) -> float:
    """The app's training process (a child at lower priority) with no window to feed."""
    from nnviz.ui.session.training_session import TrainingSession

    session = TrainingSession()
    session.set_design(playground_design(), restart=True)
    wait_until(lambda: session.latest is not None)
    session.play()
    wait_until(lambda: session.state == "running")
    run_for(0.5)
    epoch0, start = session.epoch, time.perf_counter()
    run_for(seconds)
    speed = (session.epoch - epoch0) / (time.perf_counter() - start)
    session.shutdown()
    return speed


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process, from /proc."""
    with open(f"/proc/{pid or 'self'}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PaintCounter(QObject):
    """Counts paint events of the panels' plot views (what the user sees refresh)."""

    def __init__(self, views) -> None:
        super().__init__()
        self.counts = dict.fromkeys(views, 0)
        for view in views:
            view.viewport().installEventFilter(self)
        self._viewports = {view.viewport(): view for view in views}

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self._viewports:
            self.counts[self._viewports[watched]] += 1
        return False


class LatenessProbe(QObject):
    """A 5 ms timer in the GUI thread; records how late each tick comes, and the GUI
    thread's CPU time between ticks (``longest_turn``: the longest stretch the event loop
    was busy, as CPU time, which waiting for a core on a shared machine does not inflate)."""

    def __init__(self) -> None:
        super().__init__()
        self.lateness: list[float] = []
        self.turns: list[float] = []
        self._last = None
        self._last_cpu = 0.0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TIMER_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None:
            self.lateness.append(max(0.0, (now - self._last) * 1000 - TIMER_MS))
            self.turns.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    @property
    def longest_turn(self) -> float:
        """Milliseconds of GUI-thread CPU time between two ticks, at most."""
        return max(self.turns, default=0.0)

    def start(self) -> None:
        self.lateness.clear()
        self.turns.clear()
        self._last = None
        self.timer.start()


def close_window(app, window) -> float:
    """Close without the unsaved-changes question; return how long closing took."""
    window.undo_stack.setClean()
    start = time.perf_counter()
    window.close()
    seconds = time.perf_counter() - start
    window.deleteLater()
    app.processEvents()
    return seconds


def open_window(app, design: Design | None = None):
    from nnviz.ui.main_window import SPEEDS, MainWindow

    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    run_for(0.3)  # the window lays out its docks once shown; split after that
    loss, gradients = (
        window.findChild(QDockWidget, name) for name in ("lossDock", "gradientsDock")
    )
    # Out of the tabs, side by side: every panel visible (splitting a tabbed dock would only
    # add another tab).
    window.removeDockWidget(gradients)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, gradients)
    gradients.show()
    window.splitDockWidget(loss, gradients, Qt.Orientation.Horizontal)
    run_for(0.1)
    # The other docks that are open but behind a tab float on their own, so every open panel
    # draws (docks closed until their mode is on, such as step-through, stay closed).
    for dock in window.findChildren(QDockWidget):
        if dock.isVisible() and dock.visibleRegion().isEmpty():
            dock.setFloating(True)
            dock.resize(480, 320)
            dock.show()
    run_for(0.1)
    hidden = [
        d.objectName()
        for d in window.findChildren(QDockWidget)
        if d.isVisible() and d.visibleRegion().isEmpty()
    ]
    if hidden:
        raise RuntimeError(f"panels not visible: {hidden}")
    design = design or playground_design()
    session = window.training
    wait_until(lambda: session.run_info is not None)  # the window's own first design
    before = session.run_info
    window.push_design(design, "benchmark")
    window.speed.setCurrentIndex(len(SPEEDS) - 1)  # as fast as possible
    # Big data is read off the GUI thread, so the window's first design may still be the
    # one running for a while: wait for this design's run and its first frame.
    wait_until(lambda: session.run_info is not before and session.latest is not None, 600)
    panels = [view for view in window.findChildren(QGraphicsView) if view.isVisible()]
    return window, session, panels


def wait_until(condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        run_for(0.01)


def run_for(seconds: float) -> None:
    """Run the GUI's event loop (a real one, as in the app) for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def cpu_seconds(pid: int | None = None) -> float:
    """User plus system CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid or 'self'}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def window_run(app, seconds: float, design: Design | None = None) -> dict:
    """Train as fast as possible with the window open; measure speed, repaints and lateness."""
    window, session, views = open_window(app, design)
    counter = PaintCounter(views)
    probe = LatenessProbe()
    frames = []
    session.sigFrame.connect(lambda frame: frames.append(frame.views is not None))
    session.play()
    wait_until(lambda: session.state == "running")
    run_for(1.0)  # warm up
    frames.clear()
    counter.counts = dict.fromkeys(counter.counts, 0)
    pid = session.process.pid
    memory0 = (rss_mb(), rss_mb(pid))
    epoch0, start = session.epoch, time.perf_counter()
    window_cpu, training_cpu = cpu_seconds(), cpu_seconds(pid)
    gui_cpu = time.thread_time()  # this thread is the GUI thread
    probe.start()
    run_for(seconds / 2)
    memory_half = (rss_mb(), rss_mb(pid))  # flat memory: the second half adds nothing
    run_for(seconds / 2)
    elapsed = time.perf_counter() - start
    gui_cpu = time.thread_time() - gui_cpu
    window_cpu, training_cpu = cpu_seconds() - window_cpu, cpu_seconds(pid) - training_cpu
    probe.timer.stop()
    epochs = session.epoch - epoch0
    memory1 = (rss_mb(), rss_mb(pid))
    shutdown = close_window(app, window)  # mid-run
    busiest = max(counter.counts.values()) if counter.counts else 0
    return {
        "epochs_per_second": epochs / elapsed,
        "frames_per_second": len(frames) / elapsed,
        "views_per_second": sum(frames) / elapsed,
        "repaints_per_second": busiest / elapsed,
        "repaint_counts": sorted(counter.counts.values(), reverse=True),
        "lateness_p99": float(np.percentile(probe.lateness, 99)),
        "lateness_median": float(np.median(probe.lateness)),
        "longest_turn": probe.longest_turn,
        "shutdown_seconds": shutdown,
        "window_cpu": window_cpu / elapsed,
        "gui_ms_per_frame": gui_cpu / max(1, len(frames)) * 1000,
        "training_cpu": training_cpu / elapsed,
        "memory": (memory0, memory_half, memory1),
    }


def memory_run(app, epochs: int) -> list[tuple[int, float, float, float]]:
    """Train ``epochs`` epochs with the window open; sample both processes' memory."""
    window, session, _ = open_window(app)
    session.play()
    samples = []
    start = time.perf_counter()
    next_sample = 0
    while session.epoch < epochs:
        run_for(0.05)
        if session.epoch >= next_sample and session.process is not None:
            samples.append(
                (session.epoch, time.perf_counter() - start, rss_mb(), rss_mb(session.process.pid))
            )
            next_sample += epochs // 10
    samples.append(
        (session.epoch, time.perf_counter() - start, rss_mb(), rss_mb(session.process.pid))
    )
    close_window(app, window)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-epochs", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="short runs, 10,000 epochs")
    parser.add_argument("--mnist", action="store_true", help="only the MNIST-sized case")
    parser.add_argument(
        "--mnist-seconds", type=float, default=60.0, help="length of the MNIST-sized run"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.runs, args.memory_epochs = 4.0, 1, 10_000

    app = QApplication.instance() or QApplication([])
    app.setOrganizationName("nnviz-benchmark")  # keep the user's window settings untouched
    QSettings().clear()
    if args.mnist:
        mnist_case(app, args.mnist_seconds)
        return

    alone = statistics.median(headless_epochs_per_second(args.seconds) for _ in range(args.runs))
    print(f"training alone (the Trainer in this process, no window): {alone:,.0f} epochs/s")
    headless = statistics.median(session_epochs_per_second(args.seconds) for _ in range(args.runs))
    print(f"training process without a window (nice 10): {headless:,.0f} epochs/s")
    runs = [window_run(app, args.seconds) for _ in range(args.runs)]
    for k, run in enumerate(runs, 1):
        print(
            f"run {k}: {run['epochs_per_second']:,.0f} epochs/s "
            f"({run['epochs_per_second'] / alone:.0%} of alone, "
            f"{run['epochs_per_second'] / headless:.0%} of the process without a window), "
            f"{run['frames_per_second']:.1f} frames/s ({run['views_per_second']:.1f} with views), "
            f"panels repaint {run['repaints_per_second']:.1f}/s, "
            f"timer lateness p99 {run['lateness_p99']:.1f} ms "
            f"(median {run['lateness_median']:.2f} ms; longest turn {run['longest_turn']:.0f} ms "
            f"of CPU), "
            f"CPU: window {run['window_cpu']:.0%}, training {run['training_cpu']:.0%} of a core, "
            f"GUI thread {run['gui_ms_per_frame']:.1f} ms a frame; "
            f"window closed in {run['shutdown_seconds'] * 1000:.0f} ms"
        )

    def median(key):
        return statistics.median(run[key] for run in runs)

    print(
        f"median of {len(runs)}: {median('epochs_per_second') / alone:.0%} of alone, "
        f"{median('epochs_per_second') / headless:.0%} of the process without a window "
        f"(goal >= 70%), {median('repaints_per_second'):.1f} repaints/s (goal >= 30), "
        f"timer p99 {median('lateness_p99'):.1f} ms (goal < 20), "
        f"GUI thread {median('gui_ms_per_frame'):.1f} ms of CPU a frame"
    )
    print(f"memory over {args.memory_epochs:,} epochs (window, training process):")
    for epoch, seconds, gui, child in memory_run(app, args.memory_epochs):
        print(
            f"  epoch {epoch:>7,} at {seconds:6.1f} s: window {gui:6.1f} MB, "
            f"training {child:6.1f} MB"
        )
    mnist_case(app, 20.0 if args.quick else args.mnist_seconds)


def mnist_case(app, seconds: float) -> None:
    """The window while 784-256-128-10 trains on 60,000 MNIST-sized images."""
    with tempfile.TemporaryDirectory() as folder:
        write_mnist_sized(Path(folder))
        run = window_run(app, seconds, mnist_design(Path(folder)))
    (gui0, child0), (gui_half, child_half), (gui1, child1) = run["memory"]
    print(
        f"784-256-128-10 on 60,000 images, {seconds:.0f} s: "
        f"{run['epochs_per_second'] * 60:.1f} epochs/min, "
        f"{run['frames_per_second']:.1f} frames/s (cap 30; {run['views_per_second']:.1f} with "
        f"views), panels repaint {run['repaints_per_second']:.1f}/s, "
        f"timer lateness p99 {run['lateness_p99']:.1f} ms (goal < 20; median "
        f"{run['lateness_median']:.2f} ms; longest turn {run['longest_turn']:.0f} ms of CPU), "
        f"CPU: window {run['window_cpu']:.0%}, training {run['training_cpu']:.0%} of a core, "
        f"GUI thread {run['gui_ms_per_frame']:.1f} ms a frame; "
        f"memory at the start, half way and the end: window {gui0:.0f}, {gui_half:.0f}, "
        f"{gui1:.0f} MB, training {child0:.0f}, {child_half:.0f}, {child1:.0f} MB (its "
        f"timeline grows to its budget, 64 MB); window closed in "
        f"{run['shutdown_seconds'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
