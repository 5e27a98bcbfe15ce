"""The installed command starts: the smoke check trains through the real training process."""

import os
import subprocess
import sys


def _nnviz(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "nnviz", *args], capture_output=True, text=True, env=env, timeout=180
    )


def test_smoke_flag_trains_the_xor_example_and_exits_0():
    result = _nnviz("--smoke")
    assert result.returncode == 0, result.stderr
    assert "smoke: trained" in result.stdout
    assert "Traceback" not in result.stderr


def test_version_and_bad_flag():
    assert _nnviz("--version").stdout.startswith("nnviz ")
    result = _nnviz("--no-such-flag")
    assert result.returncode == 2 and "Traceback" not in result.stderr
