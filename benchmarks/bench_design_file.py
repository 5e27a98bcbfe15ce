"""How long nnviz takes to refuse (or read) huge and hostile design files, in one run.

    python benchmarks/bench_design_file.py

The cases of issue 13 item 4: before the schema's checks, 50 MB of unknown keys took 89 s and
3.2 GB, 50 MB of non-string features 52 s, and 50,000 feature columns (0.5 MB) 15 s, because
every problem was collected and the duplicate-name check compared every pair. Now a file above
the size limit is refused unread, a few dozen problems and a count are reported, and the checks
are linear. Each figure is the best of three, with the message's length.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from nnviz.core.design import Design
from nnviz.core.files.design_file import (
    MAX_FILE_SIZE,
    DesignFileError,
    design_to_dict,
    load_design,
)


def _document(**changes) -> dict:
    return {**design_to_dict(Design()), **changes}


def _cases(size: int) -> dict[str, str]:
    keys = {f"junk{i:08d}": i for i in range(size // 24)}
    features = list(range(size // 8))
    columns = [f"c{i}" for i in range(50_000)]
    return {
        f"unknown keys, {size / 1e6:.0f} MB": json.dumps(_document(**keys)),
        f"non-string features, {size / 1e6:.0f} MB": json.dumps(_document(features=features)),
        "50,000 feature columns, 0.5 MB": json.dumps(
            _document(dataset={"name": "iris", "feature_columns": columns})
        ),
        "50 MB of anything (over the limit)": json.dumps(_document(junk="x" * 50_000_000)),
    }


def _time(path: Path) -> tuple[float, int, str]:
    best = float("inf")
    message = ""
    for _ in range(3):
        start = time.perf_counter()
        try:
            load_design(path)
            message = "loaded"
        except DesignFileError as error:
            message = str(error)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    with contextlib.suppress(DesignFileError):
        load_design(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, message


def main() -> None:
    print(f"size limit {MAX_FILE_SIZE / 1e6:g} MB")
    with tempfile.TemporaryDirectory() as folder:
        for name, text in _cases(int(MAX_FILE_SIZE * 0.95)).items():
            path = Path(folder) / "d.json"
            path.write_text(text)
            seconds, peak, message = _time(path)
            size = path.stat().st_size / 1e6
            first = message.splitlines()[-1][:70]
            print(
                f"{name:38s} {size:5.1f} MB  {seconds:6.2f} s  peak {peak / 1e6:6.0f} MB  "
                f"message {len(message):5d} chars  last line: {first}"
            )


if __name__ == "__main__":
    main()
