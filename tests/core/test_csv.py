"""CSV import (with clear messages for bad files) and export of generated data sets."""

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core.data import (
    CsvSummary,
    DatasetError,
    inspect_csv,
    load_dataset,
    read_csv_dataset,
    save_dataset_csv,
)
from nnviz.core.design import DatasetSpec

FLOWERS = (
    "sepal_length,petal_width,species\n"
    "5.1,0.2,setosa\n"
    "7.0,1.4,versicolor\n"
    "6.3,2.5,virginica\n"
    "4.9,0.2,setosa\n"
)


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_string_labels_become_sorted_classes(tmp_path):
    path = write(tmp_path, FLOWERS)
    dataset = read_csv_dataset(path, label_column="species", train_fraction=0.5, seed=0)
    assert dataset.task == "classification" and dataset.standardize
    assert dataset.class_names == ("setosa", "versicolor", "virginica")
    assert dataset.raw_names == ("sepal_length", "petal_width")
    assert len(dataset.x_train) == 2 and len(dataset.x_test) == 2
    rows = {
        (tuple(x), dataset.class_names[y])
        for x, y in zip(
            np.concatenate([dataset.x_train, dataset.x_test]).tolist(),
            np.concatenate([dataset.y_train, dataset.y_test]).tolist(),
            strict=True,
        )
    }
    assert rows == {
        ((5.1, 0.2), "setosa"),
        ((7.0, 1.4), "versicolor"),
        ((6.3, 2.5), "virginica"),
        ((4.9, 0.2), "setosa"),
    }


def test_inspect_reports_columns_rows_and_numeric(tmp_path):
    summary = inspect_csv(write(tmp_path, FLOWERS))
    assert isinstance(summary, CsvSummary)
    assert summary.columns == ("sepal_length", "petal_width", "species")
    assert summary.rows == 4
    assert summary.numeric == (True, True, False)
    assert summary.bad_cells == (0, 0, 4)
    assert summary.first_problem == (None, None, "row 2: 'setosa' is not a number")


def test_task_is_guessed_from_the_label(tmp_path):
    ints = "x,y\n" + "".join(f"{i},{i % 12}\n" for i in range(40))
    floats = "x,y\n" + "".join(f"{i},{i / 7}\n" for i in range(40))
    many = "x,y\n" + "".join(f"{i},{i}\n" for i in range(40))
    assert read_csv_dataset(write(tmp_path, ints), label_column="y").task == "classification"
    assert read_csv_dataset(write(tmp_path, floats), label_column="y").task == "regression"
    assert read_csv_dataset(write(tmp_path, many), label_column="y").task == "regression"
    forced = read_csv_dataset(write(tmp_path, ints), label_column="y", task="regression")
    assert forced.task == "regression" and forced.y_train.dtype == np.float64


def test_numeric_labels_sort_as_numbers(tmp_path):
    path = write(tmp_path, "x,y\n1,10\n2,2\n3,2.0\n4,10\n")
    dataset = read_csv_dataset(path, label_column="y")
    assert dataset.class_names == ("2", "10")
    assert np.bincount(np.concatenate([dataset.y_train, dataset.y_test])).tolist() == [2, 2]


def test_chosen_feature_columns_and_other_delimiters(tmp_path):
    path = write(tmp_path, "a;b;c;y\n1;2;3;u\n4;5;6;v\n7;8;9;u\n1;1;1;v\n")
    dataset = read_csv_dataset(path, label_column="y", feature_columns=("c", "a"), seed=2)
    assert dataset.raw_names == ("c", "a")
    x = np.concatenate([dataset.x_train, dataset.x_test])
    assert sorted(map(tuple, x.tolist())) == [(1, 1), (3, 1), (6, 4), (9, 7)]


def test_gzip_files_are_read(tmp_path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(FLOWERS.encode()))
    assert inspect_csv(path).rows == 4


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        (
            FLOWERS.replace("1.4", "abc"),
            {},
            "data.csv, row 3, column 'petal_width': 'abc' is not a number",
        ),
        (
            FLOWERS.replace("6.3", ""),
            {},
            "data.csv, row 4, column 'sepal_length': the cell is empty",
        ),
        (FLOWERS.replace("6.3", "nan"), {}, "row 4, column 'sepal_length': 'nan' is not a finite"),
        (
            FLOWERS,
            {"label_column": "kind"},
            "data.csv has no column 'kind' (columns: sepal_length, petal_width, species)",
        ),
        (FLOWERS, {"feature_columns": ("sepal_length", "petal")}, "data.csv has no column 'petal'"),
        (FLOWERS, {"feature_columns": ("species",)}, "the label column 'species' cannot also be"),
        (FLOWERS, {"feature_columns": ()}, "choose at least one feature column"),
        ("", {}, "data.csv is empty"),
        ("\n\n", {}, "data.csv is empty"),
        ("a,b,species\n", {}, "data.csv has a header but no data rows"),
        ("a,b,species\n1,2,x\n3,4\n", {}, "data.csv, row 3 has 2 cells but the header has 3"),
        ("a,a,species\n1,2,x\n", {}, "the header names column 'a' twice"),
        ("a,,species\n1,2,x\n", {}, "column 2 of the header has no name"),
        ("a,species\n1,x\n2,x\n", {}, "the label column 'species' has only one value ('x')"),
        ("a,species\n1,x\n2,\n", {}, "data.csv, row 3, column 'species': the label is empty"),
        (
            "a,species\n1,x\n2,y\n",
            {"task": "regression"},
            "data.csv, row 2, column 'species': 'x' is not a number",
        ),
        ("a,species\n1,x\n2,y\n", {"task": "clustering"}, "task 'clustering' is not one of"),
        ("a,species\n1,x\n2,y\n", {"train_fraction": 0.4}, "leaves the training or the test"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, text, options, message):
    path = write(tmp_path, text)
    options = {"label_column": "species", **options}
    with pytest.raises(DatasetError) as caught:
        read_csv_dataset(path, **options)
    assert message in str(caught.value)


def test_unreadable_files_raise_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        inspect_csv(tmp_path / "missing.csv")
    with pytest.raises(DatasetError, match="is a folder"):
        inspect_csv(tmp_path)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(DatasetError, match=r"image\.csv is not a UTF-8 text"):
        inspect_csv(binary)


def test_export_then_read_back(tmp_path):
    dataset = load_dataset(DatasetSpec(name="spirals", classes=4, points=200, noise=0.3))
    path = tmp_path / "spirals.csv"
    save_dataset_csv(dataset, path)
    assert path.read_text().splitlines()[0] == "x1,x2,label,split"
    assert inspect_csv(path).rows == 200
    again = read_csv_dataset(
        path, label_column="label", feature_columns=("x1", "x2"), train_fraction=0.5
    )
    assert again.class_names == dataset.class_names

    def rows(d):
        x = np.concatenate([d.x_train, d.x_test])
        y = np.concatenate([d.y_train, d.y_test])
        return sorted(zip(map(tuple, x.tolist()), y.tolist(), strict=True))

    assert rows(again) == rows(dataset)  # floats survive exactly
    splits = [line.rsplit(",", 1)[1] for line in path.read_text().splitlines()[1:]]
    assert splits.count("train") == len(dataset.x_train) == 100
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_export_of_regression_and_named_classes(tmp_path):
    path = tmp_path / "sine.csv"
    dataset = load_dataset(DatasetSpec(name="sine", points=20))
    save_dataset_csv(dataset, path)
    again = read_csv_dataset(path, label_column="label", feature_columns=("x1",), task="regression")
    assert sorted(again.y_train.tolist() + again.y_test.tolist()) == sorted(
        dataset.y_train.tolist() + dataset.y_test.tolist()
    )
    save_dataset_csv(load_dataset(DatasetSpec(name="iris")), path)
    assert path.read_text().splitlines()[1].split(",")[-2] in ("setosa", "versicolor", "virginica")


def test_a_failed_export_raises_and_leaves_the_old_file(tmp_path):
    with pytest.raises(DatasetError, match="cannot write"):
        save_dataset_csv(load_dataset(DatasetSpec(name="xor")), tmp_path / "no" / "x.csv")
    path = write(tmp_path, "old contents", name="x.csv")
    broken = load_dataset(DatasetSpec(name="xor"))
    object.__setattr__(broken, "class_names", ())  # labels that cannot be named: export fails
    with pytest.raises(IndexError):
        save_dataset_csv(broken, path)
    assert path.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_a_label_column_named_like_a_feature_is_renamed(tmp_path):
    dataset = read_csv_dataset(write(tmp_path, "label,split,y\n1,2,a\n3,4,b\n"), label_column="y")
    path = tmp_path / "out.csv"
    save_dataset_csv(dataset, path)
    assert path.read_text().splitlines()[0] == "label,split,label_2,split_2"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(alphabet=st.sampled_from('ab1.-e;,\t"\n\r \x00é'), max_size=60),
    task=st.sampled_from([None, "classification", "regression"]),
)
def test_any_text_is_read_or_refused_with_a_dataset_error(tmp_path, text, task):
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        summary = inspect_csv(path)
        dataset = read_csv_dataset(path, label_column=summary.columns[-1], task=task)
    except DatasetError:
        return
    assert len(dataset.x_train) + len(dataset.x_test) == summary.rows
    assert np.isfinite(dataset.x_train).all()


def test_export_is_saved_like_every_other_file(tmp_path, monkeypatch):
    """Mode from the umask for a new file, the old file's mode kept, fsync before the rename."""
    import os

    dataset = load_dataset(DatasetSpec(name="xor", points=20))
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    old_umask = os.umask(0o022)
    try:
        new = tmp_path / "new.csv"
        save_dataset_csv(dataset, new)
        kept = write(tmp_path, "old", name="kept.csv")
        kept.chmod(0o640)
        save_dataset_csv(dataset, kept)
    finally:
        os.umask(old_umask)
    assert new.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640
    assert kept.read_text().startswith("x1,x2,label,split\n")
    assert len(synced) == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("data\0.csv", "'data\\x00.csv' cannot be a file path: it contains a null character"),
        ("~nosuchuser/x.csv", "there is no user 'nosuchuser' whose home folder ~ names"),
    ],
)
def test_impossible_paths_are_dataset_errors(path, message):
    with pytest.raises(DatasetError) as caught:
        inspect_csv(path)
    assert message in str(caught.value)
    with pytest.raises(DatasetError):
        load_dataset(DatasetSpec(name="csv", path=path, label_column="y"))


def test_row_numbers_count_records_not_lines(tmp_path):
    """A quoted cell with a line break is one row, as a spreadsheet shows it (header row 1)."""
    path = write(tmp_path, 'x,note,label\n1,"two\nlines",0\nbad,"y",1\n')
    with pytest.raises(DatasetError, match=r"data\.csv, row 3, column 'x': 'bad' is not a number"):
        read_csv_dataset(path, label_column="label", feature_columns=("x",))
    assert inspect_csv(path).problem("x") == "column 'x', row 3: 'bad' is not a number"
    path = write(tmp_path, 'x,label\n"1\n\n",0\n2,1\n3\n')
    with pytest.raises(DatasetError, match=r"row 4 has 1 cells"):
        inspect_csv(path)


def _wide(tmp_path, columns: int, rows: int) -> object:
    header = ",".join(f"c{i}" for i in range(columns)) + ",label\n"
    lines = [",".join(["1.5"] * columns) + f",{r % 2}\n" for r in range(rows)]
    return write(tmp_path, header + "".join(lines), name="wide.csv")


def test_wide_files_are_read_in_linear_time(tmp_path):
    """50,000 columns took 30 s (inspect) and 65 s (read): the header check, the column lookups
    and the duplicate check were quadratic. Counted, not timed: the number of comparisons a
    quadratic check makes would be 2.5e9; here every column is looked at a few times."""
    path = _wide(tmp_path, 50_000, 3)
    summary = inspect_csv(path)
    assert len(summary.columns) == 50_001 and summary.rows == 3 and all(summary.numeric)
    dataset = read_csv_dataset(path, label_column="label", train_fraction=0.67)
    assert dataset.x_train.shape == (2, 50_000)
    assert dataset.task == "classification"


def test_cells_are_read_exactly_and_text_columns_keep_their_text(tmp_path):
    path = write(tmp_path, "a;b;kind\n 0.1 ;1e3;x y\n-2;1_0;z\n3;4;x y\n")
    dataset = read_csv_dataset(path, label_column="kind", feature_columns=("a", "b"), seed=1)
    x = np.concatenate([dataset.x_train, dataset.x_test])
    assert sorted(map(tuple, x.tolist())) == [(-2.0, 10.0), (0.1, 1000.0), (3.0, 4.0)]
    assert dataset.class_names == ("x y", "z")


def test_a_bad_cell_is_reported_with_its_row_and_column(tmp_path):
    text = "a,b,label\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(10))
    text = text.replace("4,8,0", "4,abc,0").replace("7,14,1", "7,,1")
    path = write(tmp_path, text)
    summary = inspect_csv(path)
    assert summary.numeric == (True, False, True)
    assert summary.bad_cells == (0, 2, 0)
    assert summary.problem("a") is None
    assert summary.problem("b") == "column 'b', row 6: 'abc' is not a number (and 1 more bad cell)"
    with pytest.raises(DatasetError, match=r"data\.csv, row 6, column 'b': 'abc' is not a number"):
        read_csv_dataset(path, label_column="label")


def test_rows_with_bad_cells_can_be_dropped(tmp_path):
    text = "a,b,label\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(10))
    text = text.replace("4,8,0", "4,abc,0").replace("7,14,1", "7,,1").replace("2,4,0", "2,4,")
    path = write(tmp_path, text)
    dataset = read_csv_dataset(path, label_column="label", drop_bad_rows=True, train_fraction=0.6)
    x = np.concatenate([dataset.x_train, dataset.x_test])
    assert sorted(x[:, 0].tolist()) == [0, 1, 3, 5, 6, 8, 9]
    np.testing.assert_array_equal(x[:, 1], x[:, 0] * 2)
    # leaving the column out keeps every row whose label is there
    dataset = read_csv_dataset(
        path, label_column="label", feature_columns=("a",), drop_bad_rows=True
    )
    assert len(dataset.x_train) + len(dataset.x_test) == 9
    with pytest.raises(DatasetError, match="every row has a bad cell"):
        read_csv_dataset(
            write(tmp_path, "a,label\nx,1\ny,2\n"), label_column="label", drop_bad_rows=True
        )


@pytest.mark.parametrize(
    ("label", "task", "reason"),
    [
        ("price", "regression", "'price' holds fractional numbers such as 0.37"),
        ("count", "regression", "'count' holds more than 20 different whole numbers"),
        ("digit", "classification", "'digit' holds 3 different whole numbers"),
        ("kind", "classification", "'kind' holds text: 2 different values"),
    ],
)
def test_the_task_is_guessed_and_the_guess_explained(tmp_path, label, task, reason):
    rows = [f"{i},{i * 0.37:.2f},{i * 7},{i % 3},{'ab'[i % 2]}\n" for i in range(1, 300)]
    path = write(tmp_path, "x,price,count,digit,kind\n" + "".join(rows))
    summary = inspect_csv(path)
    guess = summary.guesses[summary.columns.index(label)]
    assert (guess.task, guess.reason) == (task, reason)
    features = ("x",)
    assert read_csv_dataset(path, label_column=label, feature_columns=features).task == task


def test_quoted_and_plain_files_read_alike(tmp_path):
    """Files without quotes take a faster way through the parser: it must give the same table."""
    plain = write(tmp_path, "a,b,kind\r\n1,2.5,x\r\n\r\n3,4,y\r\n5,6,x\r\n", name="plain.csv")
    quoted = write(tmp_path, '"a",b,kind\n1,"2.5",x\n\n3,4,"y"\n5,6,x\n', name="quoted.csv")
    for path in (plain, quoted):
        dataset = read_csv_dataset(path, label_column="kind", train_fraction=0.67)
        x = np.concatenate([dataset.x_train, dataset.x_test])
        assert sorted(map(tuple, x.tolist())) == [(1, 2.5), (3, 4), (5, 6)]
        assert dataset.class_names == ("x", "y")
    bad = write(tmp_path, "a,kind\n1,x\n\nz,y\n", name="bad.csv")
    with pytest.raises(DatasetError, match=r"bad\.csv, row 4, column 'a'"):
        read_csv_dataset(bad, label_column="kind")
