"""Input features: derived values, standardisation fitted on the training split, round trips."""

import json

import numpy as np
import pytest

from nnviz.core.data import Dataset, DatasetError, load_dataset
from nnviz.core.data.features import InputPipeline, available_features, default_features
from nnviz.core.design import FEATURES_2D, DatasetSpec


def wide(x_train, x_test=None, standardize=True):
    x_train = np.asarray(x_train, dtype=float)
    x_test = x_train if x_test is None else np.asarray(x_test, dtype=float)
    return Dataset(
        name="csv",
        task="regression",
        x_train=x_train,
        y_train=np.zeros(len(x_train)),
        x_test=x_test,
        y_test=np.zeros(len(x_test)),
        raw_names=("a", "b", "c"),
        standardize=standardize,
    )


def test_two_dimensional_features_are_the_playgrounds():
    dataset = load_dataset(DatasetSpec(name="xor"))
    assert available_features(dataset) == FEATURES_2D
    assert default_features(dataset) == ("x1", "x2")
    pipeline = InputPipeline.fit(dataset, FEATURES_2D)
    derived = pipeline.derive(np.array([[1.5, -2.0], [0.0, 3.0]]))
    np.testing.assert_allclose(
        derived,
        [
            [1.5, -2.0, 2.25, 4.0, -3.0, np.sin(1.5), np.sin(-2.0)],
            [0.0, 3.0, 0.0, 9.0, 0.0, 0.0, np.sin(3.0)],
        ],
    )
    assert pipeline.features == FEATURES_2D and pipeline.raw_names == ("x1", "x2")


def test_features_keep_the_designs_order():
    dataset = load_dataset(DatasetSpec(name="circle"))
    pipeline = InputPipeline.fit(dataset, ("x2^2", "x1"))
    np.testing.assert_allclose(pipeline.transform(np.array([[2.0, 3.0]])), [[9.0, 2.0]])


def test_generated_data_is_not_standardised():
    dataset = load_dataset(DatasetSpec(name="gauss"))
    pipeline = InputPipeline.fit(dataset, ("x1", "x2", "x1*x2"))
    np.testing.assert_array_equal(pipeline.mean, [0, 0, 0])
    np.testing.assert_array_equal(pipeline.std, [1, 1, 1])
    np.testing.assert_array_equal(
        pipeline.transform(dataset.x_test), pipeline.derive(dataset.x_test)
    )


def test_one_dimensional_features():
    dataset = load_dataset(DatasetSpec(name="sine"))
    assert available_features(dataset) == ("x1", "x1^2", "sin(x1)")
    assert default_features(dataset) == ("x1",)
    pipeline = InputPipeline.fit(dataset, ("x1", "x1^2", "sin(x1)"))
    np.testing.assert_allclose(pipeline.derive(np.array([[2.0]])), [[2.0, 4.0, np.sin(2.0)]])
    with pytest.raises(
        DatasetError,
        match=r"unknown input feature 'x2'; this data set offers "
        r"x1, x1\^2, sin\(x1\)",
    ):
        InputPipeline.fit(dataset, ("x1", "x2"))


def test_standardisation_is_fitted_on_the_training_split_only():
    dataset = load_dataset(DatasetSpec(name="iris", seed=4))
    pipeline = InputPipeline.fit(dataset, ())
    assert pipeline.features == dataset.raw_names
    train = pipeline.transform(dataset.x_train)
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train.std(axis=0), 1)
    np.testing.assert_allclose(pipeline.mean, dataset.x_train.mean(axis=0))
    all_rows = np.concatenate([dataset.x_train, dataset.x_test])
    assert not np.allclose(pipeline.mean, all_rows.mean(axis=0))
    assert pipeline.transform(dataset.x_test).dtype == np.float64


def test_wide_data_select_columns_by_name():
    dataset = wide([[1, 10, 5], [3, 30, 5]], standardize=False)
    assert available_features(dataset) == ("a", "b", "c")
    assert default_features(dataset) == ()
    pipeline = InputPipeline.fit(dataset, ("c", "a"))
    np.testing.assert_array_equal(pipeline.transform(dataset.x_train), [[5, 1], [5, 3]])
    with pytest.raises(
        DatasetError, match="unknown input feature 'x1'; this data set offers a, b, c"
    ):
        InputPipeline.fit(dataset, ("x1",))
    with pytest.raises(DatasetError, match="'a' is chosen twice"):
        InputPipeline.fit(dataset, ("a", "a"))


def test_a_constant_column_gets_std_one():
    pipeline = InputPipeline.fit(wide([[1, 10, 5], [3, 30, 5], [5, 20, 5]]), ())
    np.testing.assert_allclose(pipeline.mean, [3, 20, 5])
    np.testing.assert_allclose(pipeline.std, [np.sqrt(8 / 3), np.sqrt(200 / 3), 1])
    assert np.isfinite(pipeline.transform(np.array([[0, 0, 7]]))).all()


def test_no_feature_is_an_error_for_2d_data():
    dataset = load_dataset(DatasetSpec(name="xor"))
    with pytest.raises(DatasetError, match="choose at least one input feature"):
        InputPipeline.fit(dataset, ())


def test_round_trip_through_json():
    dataset = load_dataset(DatasetSpec(name="breast_cancer"))
    pipeline = InputPipeline.fit(dataset, ("mean radius", "worst area"))
    again = InputPipeline.from_dict(json.loads(json.dumps(pipeline.to_dict())))
    assert again == pipeline
    assert again.features == ("mean radius", "worst area")
    np.testing.assert_array_equal(
        again.transform(dataset.x_test), pipeline.transform(dataset.x_test)
    )


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"raw_names": ["x1", "x2"], "features": ["x1"]}, "malformed"),
        (
            {"raw_names": ["x1", "x2"], "features": ["x3"], "mean": [0], "std": [1]},
            "unknown input feature 'x3'",
        ),
        (
            {"raw_names": ["x1", "x2"], "features": ["x1"], "mean": [0, 1], "std": [1]},
            "1 features but 2 means",
        ),
        (
            {"raw_names": ["x1", "x2"], "features": ["x1"], "mean": [0], "std": [0]},
            "spreads must be positive",
        ),
        ({"raw_names": ["x1", "x2"], "features": ["x1"], "mean": ["a"], "std": [1]}, "malformed"),
        ([], "malformed"),
    ],
)
def test_bad_records_are_clear_errors(record, message):
    with pytest.raises(DatasetError, match=message):
        InputPipeline.from_dict(record)


def test_raw_rows_of_the_wrong_width_are_an_error():
    pipeline = InputPipeline.fit(load_dataset(DatasetSpec(name="xor")), ("x1", "x2"))
    with pytest.raises(DatasetError, match=r"expected rows of 2 raw values \(x1, x2\)"):
        pipeline.transform(np.zeros((3, 4)))
