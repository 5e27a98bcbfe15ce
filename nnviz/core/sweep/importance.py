"""How much each swept setting decides the metric: Optuna's fANOVA importance evaluator.

fANOVA fits a random forest from the settings to the metric over the complete trials and
splits the metric's variance among the settings; the shares add up to 1. It reads the study
from its storage, so it runs wherever the storage can be reached (a worker thread of the
window, never the GUI thread: a forest over many trials takes a while).
"""

from __future__ import annotations

from collections.abc import Generator

from nnviz.core.sweep.plan import SweepError
from nnviz.core.sweep.storage import import_optuna, storage_of

#: Trees of the forest: Optuna's default is 64; fewer keep a study of a few dozen trials quick
#: and the shares steady to about a percent.
TREES = 32


def importance_steps(storage: str, study: str, seed: int = 0) -> Generator[float, None, dict]:
    """Yield progress, then return ``{path: share}`` (largest first) for the study's complete
    trials; :class:`SweepError` when there are too few or the settings do not vary."""
    optuna = import_optuna()
    loaded = optuna.load_study(study_name=study, storage=storage_of(storage))
    yield 0.3
    complete = [t for t in loaded.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    if len(complete) < 2:
        raise SweepError("importance needs at least two complete trials")
    evaluator = optuna.importance.FanovaImportanceEvaluator(n_trees=TREES, seed=seed)
    try:
        shares = optuna.importance.get_param_importances(loaded, evaluator=evaluator)
    except ImportError:
        raise SweepError('importance needs scikit-learn: pip install "nnviz[sweep]"') from None
    except (ValueError, RuntimeError) as error:
        raise SweepError(f"importance cannot be computed: {error}") from None
    yield 1.0
    return {path: float(share) for path, share in shares.items()}
