"""New run or live update? The one rule, for the window and the training process alike.

On every edit the window asks :func:`needs_new_run`. When it says no, the new design goes to
the running run, which takes on its :data:`LIVE_FIELDS` from the next step
(:meth:`~nnviz.core.run.trainer.Trainer.set_training`) and painted points from the next epoch
(:meth:`~nnviz.core.run.trainer.Trainer.set_dataset`). Fields are named by their schema paths
(:mod:`nnviz.core.schema.paths`).
"""

from __future__ import annotations

import dataclasses

from nnviz.core.data.painted import takes_on
from nnviz.core.design import Design
from nnviz.core.schema.paths import paths, replaced, value_at

#: The design fields, by path, that a running run takes over (a section's path covers every
#: field below it). A change anywhere else in a design (the data, the inputs, the layers, the
#: output, or the seed, initializer, engine, device, dtype that only matter when a run
#: starts) needs a new run.
LIVE_FIELDS = (
    "name",
    "description",
    "training.optimizer",
    "training.schedule",
    "training.l1",
    "training.l2",
    "training.batch_size",
    "training.epochs",
    "training.patience",
    "training.early_stopping",
)


def _covered(path: str) -> bool:
    return any(path == live or path.startswith(live + ".") for live in LIVE_FIELDS)


#: Every field path that :data:`LIVE_FIELDS` covers.
LIVE_PATHS = tuple(path for path in paths() if _covered(path))


def needs_new_run(old: Design | None, new: Design) -> bool:
    """Whether ``new`` cannot continue ``old``'s run: they differ outside :data:`LIVE_FIELDS`
    and other than by painted points the run can take on (:func:`takes_on`)."""
    if old is None:
        return True
    if takes_on(old.dataset, new.dataset):
        new = dataclasses.replace(new, dataset=old.dataset)
    for path in LIVE_PATHS:
        new = replaced(new, path, value_at(old, path))
    return new != old
