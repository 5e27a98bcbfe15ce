"""Shared test set-up: Qt runs offscreen, and no test may leave a thread or process behind."""

import atexit
import gc
import os
import shutil
import tempfile
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if "NNVIZ_CACHE_DIR" not in os.environ:  # parsed data goes to a folder of the test run's own
    _cache = tempfile.mkdtemp(prefix="nnviz-test-cache-")
    os.environ["NNVIZ_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, True)

import pytest


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Fail a test that leaves a Python thread running (as napari's conftest does)."""
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
    ]
    for t in leftover:
        t.join(timeout=2)
    leftover = [t for t in leftover if t.is_alive()]
    assert not leftover, f"test left threads running: {leftover}"


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    """The user's data folder (the runs database, sweeps) of each test is its own."""
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path_factory.mktemp("nnviz-data")))


@pytest.fixture(autouse=True)
def _collect_garbage_in_the_gui_thread(request):
    """While a Qt test runs, Python's garbage collector runs only in the GUI thread, as in the
    app (nnviz/app.py): run in a worker thread (a sweep's, the data loader's) it would delete a
    previous test's Qt objects there, which deadlocks or crashes. ``fixturenames`` holds every
    fixture a test uses, directly or through another (a ``window`` built on ``qapp``)."""
    if "qapp" not in request.fixturenames:
        yield
        return
    from pyqtgraph.util.garbage_collector import GarbageCollector

    request.getfixturevalue("qapp")  # the collector's timer needs the application
    collector = GarbageCollector(interval=0.5)
    try:
        yield
    finally:
        collector.timer.stop()
        gc.collect()
        gc.enable()
