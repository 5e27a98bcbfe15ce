"""Hostile design files (issue 13): lone surrogates, huge files, duplicate keys."""

import json

import pytest

from nnviz.core.design import DatasetSpec, Design
from nnviz.core.files import design_file
from nnviz.core.files.design_file import (
    DesignFileError,
    design_from_dict,
    design_to_dict,
    load_design,
    save_design,
)
from nnviz.core.schema.problems import MAX_PROBLEMS


def problems_in(path) -> list[str]:
    with pytest.raises(DesignFileError) as caught:
        load_design(path)
    return caught.value.problems


# --- a lone surrogate loads nowhere, so nothing saves it -------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('"name": "\\ud800"', "name"),
        ('"description": "ok \\udfff"', "description"),
        ('"dataset": {"name": "csv", "path": "a\\ud800.csv", "label_column": "y"}', "dataset.path"),
        ('"features": ["x1", "\\ud83d"]', "features[1]"),
    ],
)
def test_a_lone_surrogate_is_refused_on_reading(tmp_path, text, where):
    path = tmp_path / "d.json"
    path.write_text('{"format": "nnviz-design", "version": 1, ' + text + "}")
    assert problems_in(path) == [
        f"{where}: contains a lone surrogate escape (such as \\ud800), not text"
    ]


def test_a_lone_surrogate_in_a_design_is_a_design_error_on_saving(tmp_path):
    with pytest.raises(DesignFileError, match="lone surrogate"):
        save_design(Design(name="\ud800"), tmp_path / "d.json")
    assert not (tmp_path / "d.json").exists()


def test_a_key_with_a_lone_surrogate_is_reported_printably(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"format": "nnviz-design", "version": 1, "na\\ud800me": 1}')
    (problem,) = problems_in(path)
    assert problem.startswith("na\\ud800me: unknown key")
    problem.encode("utf-8")  # a message can always be printed


def test_a_real_astral_character_is_fine(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"format": "nnviz-design", "version": 1, "name": "\\ud83d\\ude00"}')
    assert load_design(path).name == "😀"


# --- huge files: a few dozen problems and a count, linear checks, a size limit ----------------


def test_thousands_of_problems_are_reported_as_the_first_few_dozen_and_a_count():
    document = {**design_to_dict(Design()), **{f"junk{i}": i for i in range(100_000)}}
    with pytest.raises(DesignFileError) as caught:
        design_from_dict(document)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].startswith("junk0: unknown key")
    assert problems[-1] == f"... and {100_000 - MAX_PROBLEMS} more problems"
    assert len(str(caught.value)) < 10_000


def test_many_bad_features_are_capped_too():
    document = design_to_dict(Design())
    document["features"] = list(range(50_000))
    with pytest.raises(DesignFileError) as caught:
        design_from_dict(document)
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[-1] == f"... and {50_000 - MAX_PROBLEMS} more problems"


def test_the_duplicate_name_check_is_linear():
    # 200,000 distinct columns: the old pairwise check took about 3 minutes for this.
    document = design_to_dict(Design())
    columns = [f"c{i}" for i in range(200_000)]
    document["dataset"] = {"name": "iris", "feature_columns": columns}
    assert len(design_from_dict(document).dataset.feature_columns) == 200_000
    document["dataset"]["feature_columns"] = [*columns, "c7"]
    with pytest.raises(DesignFileError) as caught:
        design_from_dict(document)
    assert caught.value.problems == ["dataset.feature_columns[200000]: 'c7' is listed twice"]


def test_a_file_far_larger_than_a_design_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({**design_to_dict(Design()), "junk": "x" * 2_000_000}))
    monkeypatch.setattr(design_file.Path, "read_bytes", lambda self: pytest.fail("read"))
    monkeypatch.setattr(design_file, "MAX_FILE_SIZE", 1_000_000)
    assert problems_in(path) == [
        "the file has 2.0 MB, and nnviz opens design files of up to 1 MB (a design is a few "
        "kilobytes): is this really a design file?"
    ]


def test_the_size_limit_leaves_room_for_a_wide_csv_design(tmp_path):
    # MNIST's 784 columns, and then some: a design with 50,000 named columns still opens.
    columns = tuple(f"pixel_{i}" for i in range(50_000))
    dataset = DatasetSpec(name="csv", path="wide.csv", label_column="y", feature_columns=columns)
    design = Design(dataset=dataset, features=())
    save_design(design, tmp_path / "wide.json")
    assert (tmp_path / "wide.json").stat().st_size < design_file.MAX_FILE_SIZE
    assert load_design(tmp_path / "wide.json") == design


# --- duplicate keys are reported like unknown keys ---------------------------------------------


def test_a_key_given_twice_is_reported_with_its_path(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(
        '{"format": "nnviz-design", "version": 1, "name": "a", "name": "b",\n'
        ' "training": {"epochs": 10, "optimizer": {"learning_rate": 0.1, "learning_rate": 5}}}'
    )
    assert problems_in(path) == [
        "name: given more than once; keep one",
        "training.optimizer.learning_rate: given more than once; keep one",
    ]


def test_a_layer_with_a_key_given_twice(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(
        '{"format": "nnviz-design", "version": 1, '
        '"layers": [{"units": 3}, {"units": 3, "units": 4, "units": 5}]}'
    )
    assert problems_in(path) == ["layers[1].units: given more than once; keep one"]
