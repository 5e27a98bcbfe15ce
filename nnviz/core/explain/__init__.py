"""Show the maths: every number one training step makes for one sample, and its formulas.

:mod:`~nnviz.core.explain.trace` computes the step (forward, loss, backward, update) from the
engine's own activations, losses and optimizers; :mod:`~nnviz.core.explain.formulas` and
:mod:`~nnviz.core.explain.update_formulas` write each number's calculation out with its values;
:mod:`~nnviz.core.explain.stages` orders the walk for the window's step-through mode;
:mod:`~nnviz.core.explain.sample` builds a trace from a design file for ``nnviz explain``.
"""
