"""docs/design.schema.json: generated from the schema, and every design we ship fits it."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from nnviz.core.design import Design
from nnviz.core.files.design_file import design_from_dict, design_to_dict, load_design
from nnviz.core.schema import SCHEMA_FILE, schema_text

ROOT = Path(__file__).parents[2]
DESIGNS = sorted(
    [
        *(ROOT / "tests" / "data").glob("design-v*.json"),
        *(ROOT / "resources" / "examples").glob("*.json"),
    ]
)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/design.schema.json is stale: run python -m nnviz.core.schema"
    )


def test_there_are_fixtures_and_examples():
    assert len(DESIGNS) >= 10


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.name)
def test_every_fixture_and_example_validates(validator, path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(document)) == []
    load_design(path)


def test_a_saved_design_validates(validator):
    assert list(validator.iter_errors(design_to_dict(Design()))) == []


@pytest.mark.parametrize(
    "change",
    [
        {"layers": [{"units": 0}]},
        {"layers": [{"dropout": 1}]},
        {"training": {"optimizer": {"learning_rate": 0}}},
        {"training": {"optimizer": {"learing_rate": 0.1}}},
        {"dataset": {"seed": 2**32}},
        {"dataset": {"name": "xorr"}},
        {"output": {"loss": "hinge"}},
        {"features": ["x1", "x1"]},
        {"colour": "red"},
    ],
)
def test_what_the_loader_refuses_field_by_field_the_schema_refuses_too(validator, change):
    document = {**design_to_dict(Design()), **change}
    assert list(validator.iter_errors(document))
    with pytest.raises(ValueError):
        design_from_dict(document)


def test_an_editors_schema_key_is_allowed(validator, tmp_path):
    document = {"$schema": "../docs/design.schema.json", **design_to_dict(Design())}
    assert list(validator.iter_errors(document)) == []
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document))
    assert load_design(path) == Design()
