"""What the Sweep dialog offers: the settings a design can sweep and a first range for each.

A learner who picks ``training.optimizer.learning_rate`` should see a sensible range around the
design's own rate, not an empty box; every suggestion is a SPEC that :mod:`.spec` accepts for
the design (checked, so a field with narrow limits never gets a suggestion it would refuse).
"""

from __future__ import annotations

from nnviz.core.design import Design
from nnviz.core.schema import field, paths, value_at
from nnviz.core.sweep.spec import LAYER_COUNT, SpecError, make_setting

SWEEPABLE_KINDS = ("whole", "number", "choice", "flag")
#: Lists that suit a field better than a range around its value.
FIXED = {
    "training.l1": "0,0.0001,0.001,0.01",
    "training.l2": "0,0.0001,0.001,0.01",
    "training.batch_size": "8,16,32,64",
    LAYER_COUNT: "1,2,3",
}


def sweepable_paths(design: Design) -> list[str]:
    """The number of layers, then every number, choice and flag of ``design`` in file order."""
    found = [p for p in paths(design) if field(p).kind in SWEEPABLE_KINDS]
    return [LAYER_COUNT, *found]


def suggested_spec(path: str, design: Design) -> str:
    """A SPEC for ``path`` that the design accepts: a range or list around its value, or
    just its value when nothing wider fits."""
    current = len(design.layers) if path == LAYER_COUNT else value_at(design, path)
    for spec in _candidates(path, current, design):
        try:
            make_setting(path, spec, design)
        except SpecError:
            continue
        return spec
    return _text(current)


def _candidates(path: str, current, design: Design) -> list[str]:
    candidates = [FIXED[path]] if path in FIXED else []
    if path.endswith(".dropout"):
        candidates.append("0,0.1,0.3,0.5")
    if path == LAYER_COUNT:
        return candidates
    rule = field(path).rule
    kind = field(path).kind
    if kind == "choice":
        candidates.append(",".join(o for o in rule.options))
    elif kind == "flag":
        candidates.append("true,false")
    elif kind == "whole":
        if path.endswith(".seed"):
            candidates.append(",".join(str(current + i) for i in range(3)))
        low, high = max(rule.low, current // 2), max(current * 2, current + 2)
        if rule.high is not None:
            high = min(high, rule.high)
        if high - low < 16:
            candidates.append(f"int:{low}:{high}")
        candidates.append(",".join(str(v) for v in sorted({low, current, high})))
    elif kind == "number" and current > 0:
        candidates.append(f"log:{current / 10:.3g}:{current * 10:.3g}")
        candidates.append(f"lin:{current / 2:.3g}:{current:.3g}")
    elif kind == "number":
        candidates.append("0,0.1,0.2")
    return candidates


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
