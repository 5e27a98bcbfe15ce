"""A finished trial as a run of the Runs panel: its design, figures, epochs, time and status.

A worker keeps no history or weights of a trial (only what ends up in the study), so the run
has its final figures and no curves; restoring it gives the trial's design, which trains the
same run again (same seed).
"""

from __future__ import annotations

import math
import time

from nnviz.core.nn.network import CLASSIFICATION, REGRESSION
from nnviz.core.runs.entry import LOWER_IS_BETTER, SWEEP, RunEntry
from nnviz.core.sweep.plan import SweepPlan, TrialResult
from nnviz.core.sweep.spec import apply


def trial_run(plan: SweepPlan, result: TrialResult) -> RunEntry:
    """The run of trial ``result`` of ``plan``'s study."""
    attrs = result.attrs
    final = {
        name: math.nan if attrs[name] is None else float(attrs[name])
        for name in LOWER_IS_BETTER
        if name in attrs
    }
    seconds = float(attrs.get("seconds") or 0.0)
    status = str(attrs.get("status") or result.state.lower())
    return RunEntry(
        design=apply(plan.design, result.params),
        started=time.time() - seconds,
        source=SWEEP,
        label=f"trial {result.number} of {plan.study}",
        status=status,
        message=str(attrs.get("message") or ""),
        epochs=int(attrs.get("epochs") or 0),
        seconds=seconds,
        task=REGRESSION if "test_r2" in attrs else CLASSIFICATION,
        final=final,
    )
