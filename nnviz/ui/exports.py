"""What File → Export writes from the window itself: a picture of the window and its data.

Each export asks for a file when none is given, and a file that cannot be written gets the
problems dialog (``exportErrorDialog``) naming the file and why; nothing is lost. Weights,
runs and animations have their own modules (:mod:`nnviz.ui.transfer`, :mod:`nnviz.ui.animation`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QMainWindow

from nnviz.core.data import DatasetError, save_dataset_csv
from nnviz.ui.data_facts import window_dataset
from nnviz.ui.document import show_problems


def export_image(window: QMainWindow, path=None) -> bool:
    """The whole window as PNG, or as SVG when the name ends in .svg."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(
            window,
            "Export image",
            str(Path.home() / "nnviz.png"),
            "PNG image (*.png);;SVG drawing (*.svg)",
        )
        if not path:
            return False
    path = Path(path)
    if path.suffix.lower() == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(window.size())
        generator.setViewBox(window.rect())
        generator.setTitle(window.windowTitle().replace("[*]", ""))
        painter = QPainter(generator)
        window.render(painter, QPoint())
        ok = painter.end()
    else:
        ok = window.grab().save(str(path))
    if not ok:
        show_problems(
            window,
            "exportErrorDialog",
            "Cannot export the image",
            f"{path} cannot be written.",
            ["check the folder and the name"],
        )
    return ok


def export_dataset(window, path=None) -> bool:
    """The design's data (train and test split) as a CSV file; the status bar says where."""
    design = window.design
    if path is None:
        start = Path.home() / f"{design.dataset.name}.csv"
        path, _ = QFileDialog.getSaveFileName(
            window, "Export data", str(start), "CSV files (*.csv)"
        )
        if not path:
            return False
    try:
        dataset = window_dataset(design.dataset, window.document.base_dir())
        save_dataset_csv(dataset, path)
    except (DatasetError, OSError) as error:
        show_problems(
            window,
            "exportErrorDialog",
            "Cannot export the data",
            "The data cannot be exported:",
            [str(error)],
        )
        return False
    window.statusBar().showMessage(f"Exported the data to {path}", 5000)
    return True
