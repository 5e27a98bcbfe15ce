"""Qt views of nnviz. ``from nnviz.ui import MainWindow`` imports Qt only when asked."""


def __getattr__(name: str):
    if name == "MainWindow":
        from nnviz.ui.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module 'nnviz.ui' has no attribute {name!r}")
