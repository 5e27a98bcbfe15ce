"""Built-in data sets: catalog, shapes, determinism and each generator's documented geometry."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.data import CATALOG, DatasetError, load_dataset
from nnviz.core.data.playground import GAUSSIANS
from nnviz.core.data.synthetic import BLOB_CENTRE, BLOB_GAP
from nnviz.core.design import DATASET_NAMES, DatasetSpec

GENERATED = [n for n in DATASET_NAMES if CATALOG[n].group not in ("Real data", "Your data")]
RANDOM = [n for n in GENERATED if CATALOG[n].group != "Logic gates"]


def load(name, **changes):
    return load_dataset(DatasetSpec(name=name, **changes))


def both(dataset):
    """Train and test together: x, y."""
    return (
        np.concatenate([dataset.x_train, dataset.x_test]),
        np.concatenate([dataset.y_train, dataset.y_test]),
    )


def test_catalog_describes_every_design_name_in_order():
    assert tuple(CATALOG) == DATASET_NAMES
    for name, info in CATALOG.items():
        assert info.name == name
        assert info.group in (
            "Playground",
            "Logic gates",
            "2D",
            "1D regression",
            "Real data",
            "Your data",
        )
        assert info.task in ("classification", "regression")
        assert info.uses <= {"noise", "points", "train_fraction", "classes"}
        assert info.title and info.description.endswith(".")
    assert [
        CATALOG[n].n_raw for n in ("circle", "sine", "iris", "breast_cancer", "digits", "csv")
    ] == [2, 1, 4, 30, 64, None]
    assert CATALOG["circle"].default_points == 500
    assert CATALOG["plane"].default_points == 1200
    assert CATALOG["spirals"].uses == {"noise", "points", "train_fraction", "classes"}
    assert CATALOG["iris"].uses == {"train_fraction"}
    assert "same four points" in CATALOG["and"].description


@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_dtypes_and_split(name):
    info = CATALOG[name]
    dataset = load(name, points=200, train_fraction=0.3, noise=0.2)
    x, y = both(dataset)
    assert dataset.name == name
    assert dataset.task == info.task
    assert dataset.n_raw == info.n_raw
    assert dataset.raw_names == (("x1", "x2") if info.n_raw == 2 else ("x1",))
    assert x.dtype == np.float64 and np.isfinite(x).all()
    assert dataset.extent == info.extent
    assert not dataset.standardize
    if info.task == "classification":
        assert y.dtype == np.int64
        assert dataset.class_names == tuple(str(k) for k in range(dataset.n_classes))
        assert set(np.unique(y)) == set(range(dataset.n_classes))
    else:
        assert y.dtype == np.float64 and dataset.class_names == ()
    if name in RANDOM:
        assert len(x) == 200
        assert len(dataset.x_train) == 60  # floor(200 * 0.3): the first share is train
        assert dataset.y_train.shape == (60,)


@pytest.mark.parametrize("name", RANDOM)
def test_same_seed_same_data_other_seed_other_data(name):
    first, again, other = load(name, seed=7), load(name, seed=7), load(name, seed=8)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_points_are_honoured_and_default_to_the_catalog():
    assert len(both(load("plane", points=1200))[0]) == 1200
    assert len(both(load("circle", points=123))[0]) == 123


def test_circle_class_is_the_radius_without_noise():
    x, y = both(load("circle", points=500))
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(int))
    assert np.bincount(y).tolist() == [250, 250]
    assert r[y == 1].max() < 2.5 and r[y == 0].min() >= 3.5 and r.max() <= 5


def test_circle_noise_flips_labels_but_points_stay():
    clean, noisy = load("circle", seed=3), load("circle", seed=3, noise=0.5)
    np.testing.assert_array_equal(clean.x_train, noisy.x_train)
    flipped = (clean.y_train != noisy.y_train).mean()
    assert 0.1 < flipped < 0.5


def test_xor_quadrants_and_margin():
    x, y = both(load("xor", points=1000))
    assert (np.abs(x) >= 0.3).all() and (np.abs(x) <= 5.3).all()
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(int))
    assert 400 < y.sum() < 600


def test_gauss_centres_and_variance():
    x, y = both(load("gauss", points=2000))
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(x[y == 1].var(axis=0), [0.5, 0.5], rtol=0.15)
    x, y = both(load("gauss", points=2000, noise=0.5))
    np.testing.assert_allclose(x[y == 0].var(axis=0), [4, 4], rtol=0.15)


def test_spiral_arms():
    x, y = both(load("spiral", points=500))
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() <= 5
    np.testing.assert_allclose(np.sort(r[y == 1]), 5 * np.arange(250) / 250, atol=1e-12)
    # the second arm is the first turned by π: point for point, opposite
    first = x[y == 1][np.argsort(r[y == 1])]
    second = x[y == 0][np.argsort(r[y == 0])]
    np.testing.assert_allclose(first, -second, atol=1e-12)
    noisy = both(load("spiral", points=500, noise=0.5))[0]
    assert np.hypot(noisy[:, 0], noisy[:, 1]).max() <= 5 + 0.5 * np.sqrt(2)


def test_regression_plane_and_multi_gauss_targets():
    x, y = both(load("plane", points=1200))
    np.testing.assert_allclose(y, x.sum(axis=1) / 10)
    assert np.abs(x).max() <= 6
    x, y = both(load("multi_gauss", points=1200))
    expected = []
    for px, py in x:  # the Playground's loop: keep the bump of largest magnitude
        label = 0.0
        for cx, cy, sign in GAUSSIANS:
            value = sign * min(max(1 - np.hypot(px - cx, py - cy) / 2, 0), 1)
            if abs(value) > abs(label):
                label = value
        expected.append(label)
    np.testing.assert_allclose(y, expected)
    assert y.min() < -0.9 and y.max() > 0.9


@pytest.mark.parametrize(
    ("name", "truth"),
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("nand", [1, 1, 1, 0]),
        ("xor_gate", [0, 1, 1, 0]),
    ],
)
def test_logic_gates_are_their_truth_tables(name, truth):
    dataset = load(name, seed=5, noise=0.5, points=999)
    np.testing.assert_array_equal(dataset.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(dataset.y_train, truth)
    np.testing.assert_array_equal(dataset.x_test, dataset.x_train)
    np.testing.assert_array_equal(dataset.y_test, dataset.y_train)
    assert dataset.extent == (-0.5, 1.5)


def test_moons_are_balanced_and_interlock():
    x, y = both(load("moons", points=400))
    assert np.bincount(y).tolist() == [200, 200]
    assert np.abs(x).max() <= 6
    # the upper moon's centre of mass lies above the lower moon's
    assert x[y == 0, 1].mean() > x[y == 1, 1].mean()


def test_blobs_are_linearly_separable_without_noise():
    x, y = both(load("blobs", points=1000))
    along = x @ (BLOB_CENTRE / np.linalg.norm(BLOB_CENTRE))
    assert (along[y == 1] >= BLOB_GAP).all() and (along[y == 0] <= -BLOB_GAP).all()
    x, y = both(load("blobs", points=1000, noise=0.5))
    along = x @ BLOB_CENTRE
    assert (along[y == 1] < 0).any()  # noise lets the blobs overlap


@pytest.mark.parametrize("k", [3, 6])
def test_k_spirals_and_k_blobs_have_k_balanced_classes(k):
    for name in ("spirals", "blobs_multi"):
        dataset = load(name, classes=k, points=600)
        x, y = both(dataset)
        assert dataset.n_classes == k
        assert np.bincount(y).tolist() == [600 // k] * k
    x, y = both(load("spirals", classes=k, points=600))
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 5
    x, y = both(load("blobs_multi", classes=k, points=600))
    angles = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    for c in range(k):
        np.testing.assert_allclose(x[y == c].mean(axis=0), centres[c], atol=0.25)


def test_checkerboard_alternates_squares_of_three():
    x, y = both(load("checkerboard", points=1000))
    np.testing.assert_array_equal(y, np.floor(x / 3).astype(int).sum(axis=1) % 2)
    assert 400 < y.sum() < 600


@pytest.mark.parametrize(
    ("name", "curve"),
    [
        ("sine", np.sin),
        ("abs", np.abs),
        ("step", lambda x: (x >= 0) * 1.0),
        ("polynomial", lambda x: x**3 / 10 - x / 2),
    ],
)
def test_one_dimensional_curves(name, curve):
    dataset = load(name, points=300)
    x, y = both(dataset)
    assert x.shape == (300, 1)
    assert (np.abs(x) <= np.pi).all() and dataset.extent == pytest.approx((-np.pi, np.pi))
    np.testing.assert_allclose(y, curve(x[:, 0]))
    noisy = both(load(name, points=300, noise=0.3))[1]
    assert 0.2 < np.std(noisy - y) < 0.4  # same x (same seed), Gaussian noise of sd 0.3


@pytest.mark.parametrize(
    ("name", "shape", "counts", "first_feature"),
    [
        ("iris", (150, 4), {"setosa": 50, "versicolor": 50, "virginica": 50}, "sepal length (cm)"),
        ("breast_cancer", (569, 30), {"benign": 357, "malignant": 212}, "mean radius"),
        (
            "digits",
            (1797, 64),
            {
                "0": 178,
                "1": 182,
                "2": 177,
                "3": 183,
                "4": 181,
                "5": 182,
                "6": 181,
                "7": 179,
                "8": 174,
                "9": 180,
            },
            "pixel_0_0",
        ),
    ],
)
def test_real_data_sizes_and_classes(name, shape, counts, first_feature):
    dataset = load(name, train_fraction=0.8, seed=1)
    x, y = both(dataset)
    assert x.shape == shape
    assert dataset.raw_names[0] == first_feature and len(dataset.raw_names) == shape[1]
    assert dict(zip(dataset.class_names, np.bincount(y).tolist(), strict=True)) == counts
    assert len(dataset.x_train) == int(shape[0] * 0.8)
    assert dataset.standardize and dataset.name == name
    assert dataset.image_shape == ((8, 8) if name == "digits" else None)


def test_real_data_seed_changes_the_split_only():
    a, b = load("iris", seed=1), load("iris", seed=2)
    assert not np.array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(np.sort(both(a)[0], axis=0), np.sort(both(b)[0], axis=0))


@pytest.mark.parametrize(
    ("name", "original", "classes"),
    [
        ("iris", "iris.csv", ("setosa", "versicolor", "virginica")),
        ("breast_cancer", "breast_cancer.csv", ("malignant", "benign")),
        ("digits", "digits.csv.gz", tuple("0123456789")),
    ],
)
def test_real_data_equals_scikit_learns_files(name, original, classes):
    """The bundled copies hold the same rows as scikit-learn's files (found without importing
    scikit-learn, which is slow to import)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        pytest.skip("scikit-learn is not installed")
    table = np.loadtxt(
        Path(spec.origin).parent / "datasets" / "data" / original,
        delimiter=",",
        skiprows=0 if original.endswith(".gz") else 1,
    )
    dataset = load(name, train_fraction=0.5)
    x, y = both(dataset)
    ours = np.column_stack([x, [classes.index(dataset.class_names[i]) for i in y]])
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], table[np.lexsort(table.T)])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "circles"}, "unknown data set 'circles'; choose one of circle, xor"),
        ({"name": "circle", "noise": 0.8}, "noise is 0.8; it must lie between 0.0 and 0.5"),
        ({"name": "circle", "points": 3}, "points is 3; it must lie between 4 and 100000"),
        ({"name": "iris", "train_fraction": 0.95}, "train_fraction is 0.95"),
        ({"name": "spirals", "classes": 9}, "classes is 9; it must lie between 3 and 6"),
        ({"name": "csv"}, "the CSV data set needs a file"),
        ({"name": "csv", "path": "x.csv"}, "needs a label column"),
    ],
)
def test_bad_specs_raise_clear_errors(changes, message):
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_dataset(DatasetSpec(**changes))


def test_unused_parameters_are_not_checked():
    assert load("and", points=0, noise=9).n_raw == 2
    assert load("circle", classes=99).n_classes == 2


def test_csv_path_is_relative_to_the_design_folder(tmp_path):
    (tmp_path / "data.csv").write_text(
        "a,b,y\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(10))
    )
    spec = DatasetSpec(name="csv", path="data.csv", label_column="y", train_fraction=0.5)
    dataset = load_dataset(spec, base_dir=tmp_path)
    assert dataset.raw_names == ("a", "b") and dataset.class_names == ("0", "1")
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(spec, base_dir=tmp_path / "elsewhere")
