"""Where nnviz keeps what it makes for the user: the sweeps' study file and the runs of a
session, in the platform's data folder (``~/.local/share/nnviz`` on Linux, found by
platformdirs); ``NNVIZ_DATA_DIR`` puts them elsewhere (a portable install, the tests)."""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "NNVIZ_DATA_DIR"


def user_data_dir() -> Path:
    """The folder (not created here)."""
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("nnviz", appauthor=False))
