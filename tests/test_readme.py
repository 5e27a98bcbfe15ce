"""The README's two set-up commands are the ones CI proves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    head = (ROOT / "README.md").read_text().splitlines()[:6]
    return [m[1] for line in head for m in [re.search(r"`([^`]+)`", line)] if m]


def test_readme_opens_with_install_and_test_commands():
    launch, test = _readme_commands()[:2]
    assert launch.endswith("nnviz") and "pip install" in launch
    assert test.endswith("python -m pytest") and "torch==2.13.0" in test


def test_ci_runs_the_readme_test_command():
    test = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()
