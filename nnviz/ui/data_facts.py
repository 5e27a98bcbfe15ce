"""A design's data on the window's side: read once, kept, and described for the diagram.

The window reads a design's data once (:func:`window_dataset`, through
:data:`nnviz.core.data.kept.KEPT`, off the GUI thread when it is big: see
:mod:`nnviz.ui.data_loading`): the diagram's input list and outputs come from it, the training
process opens the same cached copy (it does not read the file again), and the CSV export
writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from nnviz.core.data.dataset import Dataset, DatasetError
from nnviz.core.data.features import available_features, default_features
from nnviz.core.data.kept import KEPT
from nnviz.core.design import FEATURES_2D, DatasetSpec
from nnviz.core.nn.network import default_output


@dataclass(frozen=True)
class DataFacts:
    """Inputs the user may switch on, the sensible default inputs, and the network's outputs.

    ``problem`` says why the data could not be read (then the diagram falls back to the
    design's own features and one output).
    """

    features: tuple[str, ...] = FEATURES_2D
    defaults: tuple[str, ...] = ("x1", "x2")
    n_outputs: int = 1
    task: str = "classification"
    problem: str = ""

    def output_activation(self, chosen: str) -> str:
        """What an output activation means for this data ("auto" resolved)."""
        if chosen != "auto":
            return chosen
        return default_output(self.task, self.n_outputs if self.n_outputs > 1 else 2)[0]


def window_dataset(spec: DatasetSpec, base_dir: str | None = None) -> Dataset:
    """The data ``spec`` names, read once and kept; raises DatasetError saying why not.

    ``base_dir`` is the folder a relative CSV path starts from (the design file's).
    """
    return KEPT.get(spec, base_dir)


@lru_cache(maxsize=64)
def data_facts(spec: DatasetSpec, base_dir: str | None = None) -> DataFacts:
    """Describe the data (read by :func:`window_dataset`)."""
    try:
        dataset = window_dataset(spec, base_dir)
    except DatasetError as error:
        return DataFacts(features=(), defaults=(), problem=str(error))
    multi = dataset.task == "classification" and dataset.n_classes > 2
    return DataFacts(
        features=tuple(available_features(dataset)),
        defaults=tuple(default_features(dataset)),
        n_outputs=dataset.n_classes if multi else 1,
        task=dataset.task,
    )
