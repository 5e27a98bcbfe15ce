"""Training speed of nnviz's NumPy engine next to torch and scikit-learn, in one run.

    python benchmarks/bench_engines.py

Each problem is trained by every row of :data:`ROWS`; a row is a name and a ``setup(problem)``
that returns a function doing one optimizer step on the next batch. Adding an implementation
is adding a row. The figure is the median of three timed runs of at least ``--seconds`` each,
after a warm-up. Torch runs with one thread on the small network (where per-call overhead
dominates and a second thread never helps); on the wide one NumPy's BLAS and torch both use
every core, or ``--threads N`` each.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.core.design import OptimizerSpec
from nnviz.core.nn.engine import EngineUnavailable
from nnviz.core.nn.initializers import init_params
from nnviz.core.nn.network import CLASSIFICATION, NetworkSpec, encode_targets


@dataclass(frozen=True, eq=False)
class Problem:
    """A network, its data cut into batches, and how to train it."""

    name: str
    spec: NetworkSpec
    optimizer: str
    learning_rate: float
    batch_size: int
    x: np.ndarray  # float32 inputs
    y: np.ndarray  # class indices
    small: bool  # per-call overhead dominates: torch gets one thread

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def batches(self, x, targets):
        """An endless cycle over the epoch's batches of (inputs, targets), cut once."""
        size = self.batch_size
        return itertools.cycle(
            [(x[s : s + size], targets[s : s + size]) for s in range(0, len(x), size)]
        )


def playground_problem() -> Problem:
    """TensorFlow Playground's network on its circle data: 2-8-8-1 tanh (tanh output and
    squared loss on -1/+1 labels, as the Playground trains), 500 points, batch 10, SGD 0.03."""
    rng = np.random.default_rng(0)
    radius = np.concatenate([rng.uniform(0, 2.5, 250), rng.uniform(3.5, 5, 250)])
    angle = rng.uniform(0, 2 * np.pi, 500)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1).astype(np.float32)
    y = (radius < 2.5).astype(np.int64)
    spec = NetworkSpec((2, 8, 8, 1), ("tanh", "tanh", "tanh"), (0.0, 0.0, 0.0), "mse")
    return Problem("2-8-8-1 tanh, batch 10, SGD", spec, "sgd", 0.03, 10, x, y, small=True)


def wide_problem(optimizer: str) -> Problem:
    """A digit-classifier-sized network, 784-256-128-10 ReLU and softmax, on random
    standardised inputs (as nnviz's input pipeline makes them)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6400, 784), dtype=np.float32)
    y = rng.integers(0, 10, 6400)
    spec = NetworkSpec(
        (784, 256, 128, 10),
        ("relu", "relu", "softmax"),
        (0.0, 0.0, 0.0),
        "categorical_cross_entropy",
        CLASSIFICATION,
        10,
    )
    lr = 0.01 if optimizer == "sgd" else 0.001
    name = f"784-256-128-10 ReLU, batch 64, {'SGD' if optimizer == 'sgd' else 'Adam'}"
    return Problem(name, spec, optimizer, lr, 64, x, y, small=False)


# --- the rows: setup(problem) -> one training step ------------------------------------------


def nnviz_engine(kind: str, dtype: str = "float32"):
    """A row for one of nnviz's engines, built the way the training loop builds it."""

    def setup(problem: Problem) -> Callable[[], float]:
        from nnviz.core.nn.engine import create_engine

        spec = problem.spec
        params = init_params(spec, "xavier", np.random.default_rng(0), dtype)
        optimizer = OptimizerSpec(name=problem.optimizer, learning_rate=problem.learning_rate)
        engine = create_engine(kind, spec, params, optimizer, dtype=dtype, device="cpu")
        targets = encode_targets(spec, problem.y, np.dtype(dtype))
        batches = problem.batches(problem.x.astype(dtype), targets)
        lr = problem.learning_rate
        return lambda: engine.train_batch(*next(batches), lr)

    return setup


def torch_eager(problem: Problem) -> Callable[[], float]:
    """The usual torch loop: nn.Sequential, a torch.optim optimizer, loss.item() each step."""
    import torch

    torch.set_num_threads(1 if problem.small else _wide_threads)
    spec, nn = problem.spec, torch.nn
    layers = []
    activations = {"tanh": nn.Tanh, "relu": nn.ReLU}
    for k, (n_in, n_out) in enumerate(itertools.pairwise(spec.sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if spec.activations[k] in activations:  # softmax is folded into the cross-entropy
            layers.append(activations[spec.activations[k]]())
    model = nn.Sequential(*layers)
    if problem.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=problem.learning_rate)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=problem.learning_rate)
    if spec.loss == "mse":
        loss_function = nn.MSELoss()
        targets = torch.from_numpy(encode_targets(spec, problem.y))
    else:
        loss_function = nn.CrossEntropyLoss()
        targets = torch.from_numpy(problem.y)
    batches = problem.batches(torch.from_numpy(problem.x), targets)

    def step() -> float:
        xb, tb = next(batches)
        optimizer.zero_grad()
        loss = loss_function(model(xb), tb)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def sklearn_partial_fit(problem: Problem) -> Callable[[], float]:
    """scikit-learn's MLPClassifier, one partial_fit call (one step) per batch."""
    from sklearn.neural_network import MLPClassifier

    spec = problem.spec
    model = MLPClassifier(
        hidden_layer_sizes=spec.sizes[1:-1],
        activation=spec.activations[0],
        solver="sgd" if problem.optimizer == "sgd" else "adam",
        momentum=0.0,
        learning_rate_init=problem.learning_rate,
        batch_size=problem.batch_size,
        alpha=0.0,
        random_state=0,
    )
    classes = np.unique(problem.y)
    batches = problem.batches(problem.x, problem.y)

    def step() -> float:
        model.partial_fit(*next(batches), classes=classes)
        return model.loss_

    return step


_wide_threads = 1  # torch's threads on the wide network; main() sets it


def nnviz_torch(problem: Problem) -> Callable[[], float]:
    """nnviz's torch engine (float32, CPU), with the same threads as the torch eager row."""
    import torch

    step = nnviz_engine("torch")(problem)
    torch.set_num_threads(1 if problem.small else _wide_threads)
    return step


ROWS: list[tuple[str, Callable[[Problem], Callable[[], float]]]] = [
    ("nnviz numpy (float32)", nnviz_engine("numpy")),
    ("nnviz torch (float32)", nnviz_torch),
    ("torch eager", torch_eager),
    ("scikit-learn partial_fit", sklearn_partial_fit),
]
REFERENCE = "torch eager"  # the ratios compare every row with this one


# --- timing and the table -------------------------------------------------------------------


def seconds_per_step(setup, problem: Problem, seconds: float) -> float:
    """Median of three runs, each on a fresh network from the same start: a short warm-up
    estimates the step time, then enough steps to last ``seconds`` are timed.

    Fresh networks keep every run in the same regime: trained for long on random labels, a
    network saturates, its gradients shrink to subnormal numbers, and subnormal arithmetic is
    many times slower (in NumPy and torch alike), which would measure that instead.
    """
    runs = []
    for _ in range(3):
        step = setup(problem)
        start = time.perf_counter()
        for _ in range(10):
            step()
        n = max(10, round(seconds / ((time.perf_counter() - start) / 10)))
        start = time.perf_counter()
        for _ in range(n):
            step()
        runs.append((time.perf_counter() - start) / n)
    return statistics.median(runs)


def run(problems: list[Problem], seconds: float) -> dict[tuple[str, str], float]:
    results = {}
    for problem in problems:
        print(f"\n{problem.name} ({len(problem.x)} points, {problem.steps_per_epoch} steps/epoch)")
        print(
            f"  {'implementation':28s} {'µs/step':>10s} {'epochs/s':>10s} {'vs ' + REFERENCE:>16s}"
        )
        times = {}
        for name, setup in ROWS:
            try:
                times[name] = seconds_per_step(setup, problem, seconds)
            except (ImportError, EngineUnavailable) as error:
                print(f"  {name:28s} unavailable ({error})")
                continue
            results[problem.name, name] = times[name]
        reference = times.get(REFERENCE)
        for name, t in times.items():
            ratio = f"{reference / t:.1f}x faster" if reference else "-"
            if reference and t > reference:
                ratio = f"{t / reference:.1f}x slower"
            epochs = 1.0 / (t * problem.steps_per_epoch)
            print(f"  {name:28s} {t * 1e6:10,.1f} {epochs:10,.1f} {ratio:>16s}", flush=True)
    return results


def thread_limit(threads: int | None):
    """Limit NumPy's BLAS to ``threads`` (through threadpoolctl, which scikit-learn brings)."""
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def main(argv: list[str] | None = None) -> int:
    global _wide_threads
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=0.5,
        help="minimum length of each of the three timed runs (default 0.5)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="threads for NumPy's BLAS and torch on the wide network "
        "(default: torch's and OpenBLAS's own choice, every core)",
    )
    args = parser.parse_args(argv)
    try:
        import torch

        _wide_threads = args.threads or torch.get_num_threads()
    except ImportError:
        pass
    threads = args.threads or "all"
    print(
        f"NumPy {np.__version__}, Python {sys.version.split()[0]}; median of 3 runs of "
        f">= {args.seconds} s each; {threads} threads on the wide network"
    )
    problems = [playground_problem(), wide_problem("sgd"), wide_problem("adam")]
    with thread_limit(args.threads):
        results = run(problems, args.seconds)

    print("\nGoals")
    ours, torch_row = ROWS[0][0], REFERENCE
    goals = [(problems[0].name, 15.0)] + [(p.name, 1.0) for p in problems[1:]]
    for problem_name, factor in goals:
        if (problem_name, torch_row) not in results:
            continue
        speedup = results[problem_name, torch_row] / results[problem_name, ours]
        verdict = "met" if speedup >= factor else "NOT met"
        print(f"  {problem_name}: {speedup:.1f}x torch (goal >= {factor:g}x) {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
