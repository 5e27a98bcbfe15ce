"""The loader answers any document with a design or a DesignFileError, never another exception.

Hypothesis feeds it random JSON and valid designs with a few random changes (values swapped
for other types, limits, huge numbers, NaN, words of the vocabulary; keys removed or added).
Whatever loads must also save and load back unchanged.
"""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import design as vocabulary
from nnviz.core.design import Design, LayerSpec
from nnviz.core.files.design_file import (
    FORMAT,
    DesignFileError,
    design_from_dict,
    design_to_dict,
    dumps_design,
    load_design,
)

# About 2,500 documents in all, most of them mutated designs (they reach the deepest checks).
MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = sorted(
    {
        *vocabulary.ACTIVATIONS,
        *vocabulary.OUTPUT_ACTIVATIONS,
        *vocabulary.LOSSES,
        *vocabulary.OPTIMIZERS,
        *vocabulary.SCHEDULES,
        *vocabulary.INITIALIZERS,
        *vocabulary.ENGINES,
        *vocabulary.DEVICES,
        *vocabulary.DTYPES,
        *vocabulary.FEATURES_2D,
        *vocabulary.DATASET_NAMES,
        "classification",
        "regression",
        FORMAT,
    }
)

EDGES = [
    0,
    1,
    -1,
    2,
    3,
    4,
    6,
    7,
    32,
    33,
    4096,
    4097,
    100_000,
    100_001,
    10_000_000,
    2**32 - 1,
    2**32,
    10**400,
    -(10**400),
    0.0,
    0.1,
    0.5,
    0.9,
    0.99,
    1.0,
    100.0,
    100.5,
    1e-300,
    -0.0,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
    None,
    "",
    "x" * 5000,
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
    | st.sampled_from(EDGES)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(WORDS), children, max_size=4)
    ),
    max_leaves=6,
)

BASES = [
    Design(),
    Design(layers=()),
    Design(
        dataset=vocabulary.DatasetSpec(name="csv", path="a.csv", label_column="y"),
        features=("a", "b"),
        layers=(LayerSpec(3, "relu", 0.2),),
    ),
    Design(dataset=vocabulary.DatasetSpec(name="and"), layers=()),
]


def _paths(node, prefix=()):
    """Every place in a document: tuples of keys and list indices."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _mutate(document, path, operation, value, new_key):
    if not path:
        return value if operation == "replace" else document
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if operation == "replace":
        parent[last] = value
    elif operation == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[new_key] = value
    else:
        parent.insert(last, value)
    return document


@st.composite
def mutated_documents(draw):
    base = draw(st.sampled_from(BASES))
    if base.output.activation == "auto" and not base.layers and draw(st.booleans()):
        base = Design(dataset=base.dataset, layers=(), output=vocabulary.OutputSpec("step"))
    document = json.loads(json.dumps(design_to_dict(base)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(document))))
        operation = draw(st.sampled_from(["replace", "replace", "delete", "insert"]))
        value = draw(json_values)
        new_key = draw(st.sampled_from(WORDS) | st.text(max_size=6))
        document = _mutate(document, path, operation, value, new_key)
    return document


def _answers_cleanly(document) -> None:
    try:
        design = design_from_dict(document)
    except DesignFileError as error:
        assert error.problems
        assert all(isinstance(p, str) and ": " in p for p in error.problems)
        assert str(error)
        return
    assert isinstance(design, Design)
    assert design_from_dict(json.loads(dumps_design(design))) == design


@MANY
@given(mutated_documents())
def test_mutated_designs_load_or_fail_cleanly(document):
    _answers_cleanly(document)


@SOME
@given(json_values)
def test_random_json_fails_cleanly(document):
    _answers_cleanly(document)


@SOME
@given(st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=8), json_values, max_size=6))
def test_random_objects_that_claim_to_be_designs_fail_cleanly(body):
    _answers_cleanly({"format": FORMAT, "version": 1, **body})


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_files_fail_cleanly(tmp_path, content):
    path = tmp_path / "random.json"
    path.write_bytes(content)
    try:
        load_design(path)
    except DesignFileError as error:
        assert error.file == str(path)
