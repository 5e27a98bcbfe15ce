"""Hyperparameter sweeps: settings varied by their schema paths (:mod:`.spec`), trials run by
Optuna in worker processes (:mod:`.study`)."""
