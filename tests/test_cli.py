"""The command line, driven as a user would: arguments in, output and exit
code out (in this process through ``main``, or as a subprocess, marked slow)."""

import io
import re
import subprocess
import sys
from argparse import Namespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, QuantileRegressor, Ridge

from radonlearn._cli import main
from radonlearn._cli_compare import NO_AVERAGING, MethodRow, print_table, run_methods
from radonlearn._cli_inputs import (
    UserError,
    estimator_and_task,
    parse_estimator,
    split_table,
)
from radonlearn._cli_preprocess import MAX_CATEGORIES, default_preprocessing
from radonlearn._cli_sites import bad_sites, run_sites, site_blocks


def run(*args):
    """Run ``python -m radonlearn ARGS``; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "radonlearn", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


class TerminalStream(io.StringIO):
    """A text stream that claims to be a terminal."""

    def isatty(self):
        return True


def options(**given_options):
    """The command line's options as the fitting code reads them."""
    return Namespace(
        **{"n_jobs": 1, "random_state": 0, "quiet": True, "height": None}
        | given_options
    )


def heavy_tailed_regression(n_samples, seed):
    """Train and test rows of a linear target with heavy-tailed noise."""
    X, y = make_regression(
        n_samples=n_samples, n_features=4, noise=5.0, random_state=seed
    )
    y = y + 5.0 * np.random.default_rng(seed).standard_t(2, size=len(y))
    cut = n_samples * 3 // 4
    return X[:cut], y[:cut], X[cut:], y[cut:]


def table_after(text, first_cell):
    """The rows of the table in ``text`` whose header starts with ``first_cell``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_cell))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        rows.append(line)
    return lines[start], rows


@pytest.fixture(scope="module")
def classification_csv(tmp_path_factory):
    """A CSV with numeric features and a text target."""
    X, y = make_classification(n_samples=3000, n_features=5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["label"] = np.where(y == 1, "yes", "no")
    path = tmp_path_factory.mktemp("data") / "classes.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def regression_csv(tmp_path_factory):
    """A CSV with numeric features and a numeric target."""
    X, y = make_regression(n_samples=3000, n_features=4, noise=1.0, random_state=0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["target"] = y
    path = tmp_path_factory.mktemp("data") / "values.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("command", [[], ["demo"], ["compare"]])
def test_help(command):
    # Every subcommand answers --help with its usage and exits 0.
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "usage: radonlearn" in result.stdout


@pytest.mark.slow
def test_demo_prints_speed_and_robustness_on_one_screen():
    # The demo prints one aligned row per method with time and scores, the
    # Radon machine's reason under its row and what each time includes;
    # then Radon points and averaging over sites side by side: both good on
    # clean sites, and only the Radon points still good with a few bad ones.
    result = run("demo", "--n-samples", "3000", "--n-jobs", "1")
    assert result.returncode == 0, result.stderr
    header, rows = table_after(result.stdout, "method")
    assert "speed-up" in header and "MAE" in header and "R2" in header
    notes = rows.index("Each fit time includes:")
    methods = [row.split("  ")[0] for row in rows[:notes] if not row.startswith(" ")]
    assert methods == ["all rows", "Radon machine", "averaging"]
    radon = next(i for i, row in enumerate(rows) if row.startswith("Radon machine"))
    assert rows[radon + 1].startswith("  why: ")
    assert "Each fit time includes:" in result.stdout
    header, rows = table_after(result.stdout, "sites")
    expected = "sites Radon MAE averaging MAE Radon R2 averaging R2"
    assert header.split() == expected.split()
    clean, corrupted = (row.split()[-4:] for row in rows)
    clean_r2, corrupted_r2 = float(clean[2]), float(corrupted[2])
    assert clean_r2 > 0.8 and abs(float(clean[3]) - clean_r2) < 0.01
    assert abs(corrupted_r2 - clean_r2) < 0.01
    assert float(corrupted[3]) < 0.0
    assert re.match(r"1 of \d+ corrupted", rows[1])


@pytest.mark.parametrize("height", [None, 1])
def test_averaging_fits_the_radon_machines_shards_and_is_charged_its_planning(
    height,
):
    # Averaging has the Radon machine's height, shards and shard models (so
    # only the combination differs), and both rows are charged the Radon
    # machine's planning, as the notes under the table say.
    data = heavy_tailed_regression(1600, seed=3)
    rows, radon = run_methods(
        "regression", QuantileRegressor(alpha=0.0), *data, options(height=height)
    )
    base, machine, averaging = rows
    assert [row.method for row in rows] == ["all rows", "Radon machine", "averaging"]
    assert (averaging.height, averaging.shards) == (machine.height, machine.shards)
    np.testing.assert_allclose(
        averaging.model[-1].hypotheses_, radon[-1].hypotheses_, rtol=1e-9
    )
    planning = radon[-1].fit_times_["pilot"]
    assert machine.planning == averaging.planning == planning
    assert averaging.seconds >= planning and machine.seconds >= planning
    for row in (machine, averaging):
        assert f"({planning:.2f} s)" in row.includes
    assert machine.reason == radon[-1].height_plan_["reason"]
    assert base.planning is None and not base.reason


def method_rows(reason):
    """Three table rows with made-up numbers and ``reason`` for the Radon row."""
    scores = [("MAE", 1.0), ("R2", 0.9)]
    return [
        MethodRow("all rows", "-", 1, 4.0, scores, "one fit on all rows"),
        MethodRow("Radon machine", 2, 121, 1.0, scores, "planning", 0.2, reason),
        MethodRow("averaging", 2, 121, 1.0, scores, "the same planning", 0.2),
    ]


def test_reason_is_under_the_radon_row_wrapped_to_the_terminal(monkeypatch):
    # On a terminal the reason follows the Radon row, wrapped to the
    # terminal's width with its words intact; in a pipe it is one line.
    reason = " ".join(f"word{i} of the plan's reason;" for i in range(30))
    monkeypatch.setenv("COLUMNS", "60")
    terminal = TerminalStream()
    print_table(method_rows(reason), terminal)
    lines = terminal.getvalue().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  why: "))
    assert lines[first - 1].startswith("Radon machine")
    end = next(
        i for i in range(first + 1, len(lines)) if not lines[i].startswith(" " * 7)
    )
    why = lines[first:end]
    assert all(len(line) <= 60 for line in why)
    assert " ".join(" ".join(why)[len("  why: ") :].split()) == reason
    assert lines[first + len(why)].startswith("averaging")
    pipe = io.StringIO()
    print_table(method_rows(reason), pipe)
    assert f"\n  why: {reason}\naveraging" in pipe.getvalue()


@pytest.mark.slow
def test_starved_explicit_height_warns_once(regression_csv):
    # An explicit height whose shards starve the quality rule is warned
    # about once on stderr, under the Radon machine's step; averaging, fitted
    # at the same height, does not repeat it.
    result = run("compare", str(regression_csv), "--target", "target", "--height", "3")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "height=3 gives" in line]
    assert len(warned) == 1, result.stderr
    assert warned[0].startswith("radonlearn: warning: Radon machine: UserWarning: ")
    assert "fewer than the" in warned[0] and "quality rule" in warned[0]


@given(n_rows=st.integers(1, 5000), n_sites=st.integers(1, 200))
def test_sites_are_contiguous_blocks_of_near_equal_size(n_rows, n_sites):
    # The sites cover every row once, in order, with sizes differing by at
    # most one.
    n_sites = min(n_sites, n_rows)
    blocks = site_blocks(n_rows, n_sites)
    assert len(blocks) == n_sites
    np.testing.assert_array_equal(np.concatenate(blocks), np.arange(n_rows))
    sizes = [len(block) for block in blocks]
    assert max(sizes) - min(sizes) <= 1


@given(n_sites=st.integers(1, 2000), seed=st.integers(0, 2**16))
def test_a_few_distinct_sites_are_bad(n_sites, seed):
    # At least one site and about 2.5 % of them are bad, each once, and the
    # same seed picks the same sites.
    bad = bad_sites(n_sites, seed)
    assert 1 <= len(bad) <= max(1, 0.025 * n_sites + 0.5)
    assert len(set(bad.tolist())) == len(bad) and bad.max() < n_sites
    np.testing.assert_array_equal(bad, bad_sites(n_sites, seed))


@pytest.mark.parametrize("seed", [0, 1])
def test_radon_points_survive_a_few_bad_sites_that_break_averaging(seed):
    # With clean sites Radon points and averaging score alike; when a few
    # sites record the target in the wrong unit, the Radon points keep their
    # score and averaging loses it.
    data = heavy_tailed_regression(4000, seed)
    clean, corrupted = run_sites(Ridge(), *data, 49, options(random_state=seed))
    assert clean.sites == "49 clean" and corrupted.sites == "1 of 49 corrupted"
    r2 = {name: dict(getattr(clean, name))["R2"] for name in ("radon", "mean")}
    corrupted_r2 = {
        name: dict(getattr(corrupted, name))["R2"] for name in ("radon", "mean")
    }
    assert r2["radon"] > 0.8 and abs(r2["radon"] - r2["mean"]) < 0.01
    assert abs(corrupted_r2["radon"] - r2["radon"]) < 0.01
    assert corrupted_r2["mean"] < 0.0


@pytest.mark.slow
def test_compare_classification_and_save(classification_csv, tmp_path):
    # A text target is classification; ROC AUC is reported and the fitted
    # Radon machine is saved and loads back, predicting from the file's columns.
    import joblib

    model_path = tmp_path / "model.joblib"
    result = run(
        "compare",
        str(classification_csv),
        "--target",
        "label",
        "--height",
        "1",
        "--n-jobs",
        "1",
        "--save",
        str(model_path),
    )
    assert result.returncode == 0, result.stderr
    assert "ROC AUC" in result.stdout and "classification" in result.stdout
    model = joblib.load(model_path)
    assert model[-1].height_ == 1
    rows = pd.read_csv(classification_csv).drop(columns="label").head(2)
    assert set(model.predict(rows)) <= {"yes", "no"}


@pytest.mark.slow
def test_compare_regression_with_named_estimator(regression_csv):
    # A continuous target is regression; --estimator takes a class name.
    result = run(
        "compare",
        str(regression_csv),
        "--target",
        "target",
        "--estimator",
        "HuberRegressor",
        "--n-jobs",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "HuberRegressor() (regression)" in result.stdout
    assert "R2" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--target", "y"], "no such file"),
        (["{classes}", "--target", "nope"], "no column 'nope'"),
        (
            ["{text}", "--target", "label", "--no-preprocess"],
            "non-numeric feature column(s): word",
        ),
        (["{one}", "--target", "label"], "only one class"),
        (["{folder}", "--target", "label"], "is a directory"),
        (["{header}", "--target", "label"], "has no data rows, only a header"),
        (["{classes}", "--target", "label", "--height", "4"], "height=4 needs"),
        (["{classes}", "--target", "label", "--estimator", "Nope"], "unknown"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    args, message, classification_csv, tmp_path
):
    # A user's mistake is one line on stderr and exit code 2, no traceback.
    frame = pd.read_csv(classification_csv)
    text = frame.assign(word="a")
    text_path = tmp_path / "text.csv"
    text.to_csv(text_path, index=False)
    one_path = tmp_path / "one.csv"
    frame.assign(label="yes").to_csv(one_path, index=False)
    header_path = tmp_path / "header.csv"
    frame.head(0).to_csv(header_path, index=False)
    paths = {
        "classes": classification_csv,
        "text": text_path,
        "one": one_path,
        "folder": tmp_path,
        "header": header_path,
    }
    result = run("compare", *[arg.format(**paths) for arg in args], "--n-jobs", "1")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_compare_reads_parquet(classification_csv, tmp_path):
    # Parquet files are read through pandas when pyarrow is installed.
    pytest.importorskip("pyarrow")
    path = tmp_path / "classes.parquet"
    pd.read_csv(classification_csv).to_parquet(path)
    result = run("compare", str(path), "--target", "label", "--n-jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "ROC AUC" in result.stdout


def test_progress_follows_the_shards_without_a_callback_api():
    # The command line's progress follows a Radon machine's shards through
    # the package's own reports (every shard counted once, the same with or
    # without scikit-learn's callback API), and only inside its block.
    from radonlearn import RadonMachineRegressor
    from radonlearn._progress import following_shards

    X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
    started, advanced = [], []
    machine = RadonMachineRegressor(Ridge(), height=2, n_jobs=2, random_state=0)
    with following_shards(started.append, advanced.append):
        machine.fit(X, y)
    assert started == [machine.n_shards_] == [machine.radon_number_**2]
    assert sum(advanced) == machine.n_shards_
    machine.fit(X, y)
    assert len(started) == 1


def penguins_like(n_rows, seed):
    """A table like the penguins data: numbers, text columns, a text label."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], size=n_rows)
    centres = {
        "Adelie": (38.8, 18.3, 190.0, 3700.0),
        "Chinstrap": (48.8, 18.4, 196.0, 3730.0),
        "Gentoo": (47.5, 15.0, 217.0, 5080.0),
    }
    spread = np.array([2.7, 1.1, 6.5, 450.0])
    values = np.array([centres[name] for name in species])
    values += rng.normal(size=(n_rows, 4)) * spread
    frame = pd.DataFrame(
        values, columns=["bill_length", "bill_depth", "flipper_length", "body_mass"]
    )
    islands = rng.choice(["Biscoe", "Dream", "Torgersen"], size=n_rows)
    frame["island"] = np.where(species == "Gentoo", "Biscoe", islands)
    frame["sex"] = rng.choice(["female", "male"], size=n_rows)
    frame["species"] = species
    return frame


def diabetes_with_text():
    """scikit-learn's bundled diabetes table with a text column added."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    rng = np.random.default_rng(0)
    frame.insert(0, "clinic", rng.choice(["north", "south", "east"], size=len(frame)))
    return frame


def run_main(capsys, *args):
    """``radonlearn ARGS`` in this process: exit code, stdout, stderr."""
    code = main([*args, "--n-jobs", "1", "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def scores_in(out, method):
    """The score cells of ``method``'s row of the printed table, as floats."""
    header, rows = table_after(out, "method")
    row = next(row for row in rows if row.startswith(method))
    names = header.split()[6:]  # after method, height, shards, fit time, speed-up
    return dict(zip(names, map(float, row.split()[-len(names) :]), strict=True))


def test_compare_encodes_text_columns_and_classifies_text_labels(tmp_path, capsys):
    # A table with text feature columns and a text label is compared as it
    # is: the numbers are scaled and the text one-hot encoded by the printed
    # default ColumnTransformer, and the labels come back as the same text.
    path = tmp_path / "penguins.csv"
    penguins_like(3000, seed=0).to_csv(path, index=False)
    model_path = tmp_path / "model.joblib"
    code, out, err = run_main(
        capsys, "compare", str(path), "--target", "species", "--save", str(model_path)
    )
    assert code == 0, err
    assert "LogisticRegression() (classification)" in out
    preprocessing = next(line for line in out.splitlines() if "preprocessing" in line)
    assert "StandardScaler() on 4 columns (bill_length," in preprocessing
    assert (
        "OneHotEncoder(" in preprocessing and "2 columns (island, sex)" in preprocessing
    )
    assert scores_in(out, "Radon machine")["accuracy"] > 0.9
    import joblib

    model = joblib.load(model_path)
    assert set(model.predict(penguins_like(50, seed=1).drop(columns="species"))) <= {
        "Adelie",
        "Chinstrap",
        "Gentoo",
    }


@pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")
def test_the_preprocessing_is_fitted_on_the_training_rows_only():
    # Every pipeline starts with its own clone of the preprocessing, fitted
    # on the training rows: the scaler's means are the training rows' means,
    # and the encoder knows only the training rows' values.
    frame = penguins_like(2000, seed=2)
    X, y, _ = split_table(frame, "species", drop_missing=False)
    X_train, X_test, y_train, y_test = X[:1500], X[1500:], y[:1500], y[1500:]
    X_test = X_test.assign(island="Atlantis")  # never seen in training
    preprocessing = default_preprocessing(
        ["bill_length", "bill_depth", "flipper_length", "body_mass"], ["island", "sex"]
    )
    rows, _ = run_methods(
        "classification",
        LogisticRegression(),
        X_train,
        y_train,
        X_test,
        y_test,
        options(),
        preprocessing,
    )
    for row in rows:
        fitted = row.model[0]
        assert fitted is not preprocessing
        np.testing.assert_allclose(
            fitted.named_transformers_["scale"].mean_,
            X_train.iloc[:, :4].mean().to_numpy(),
        )
        islands = fitted.named_transformers_["one-hot"].categories_[0]
        assert "Atlantis" not in islands
    assert not hasattr(preprocessing, "transformers_")


def test_many_valued_text_columns_are_capped():
    # A text column with many values gets at most MAX_CATEGORIES one-hot
    # columns (the rarest share one), so it cannot blow up the Radon number.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"code": rng.integers(0, 500, size=2000).astype(str)})
    encoded = default_preprocessing([], ["code"]).fit_transform(frame)
    assert encoded.shape == (2000, MAX_CATEGORIES)


def test_averaging_is_left_out_when_the_radon_machine_fits_once(tmp_path, capsys):
    # At height 0 the Radon machine fitted all rows once: there is no
    # averaging row, and a note says why. On shards both rows are there.
    path = tmp_path / "diabetes.csv"
    diabetes_with_text().to_csv(path, index=False)
    code, out, err = run_main(capsys, "compare", str(path), "--target", "target")
    assert code == 0, err
    _, rows = table_after(out, "method")
    notes = rows.index("Each fit time includes:")
    methods = [row.split("  ")[0] for row in rows[:notes] if not row.startswith(" ")]
    assert methods == ["all rows", "Radon machine"]
    assert rows[-1] == NO_AVERAGING
    data = heavy_tailed_regression(3000, seed=0)
    rows, _ = run_methods("regression", Ridge(), *data, options(height=1))
    assert [row.method for row in rows] == ["all rows", "Radon machine", "averaging"]


@pytest.mark.parametrize("estimator", [None, "QuantileRegressor"])
def test_regression_defaults_beat_predicting_the_mean(estimator, tmp_path, capsys):
    # On an ordinary table the default regressor (Ridge), and QuantileRegressor
    # with the command line's default alpha=0, have a test R2 above 0.
    path = tmp_path / "diabetes.csv"
    diabetes_with_text().to_csv(path, index=False)
    given = [] if estimator is None else ["--estimator", estimator]
    code, out, err = run_main(
        capsys, "compare", str(path), "--target", "target", *given
    )
    assert code == 0, err
    if estimator == "QuantileRegressor":
        assert "QuantileRegressor(alpha=0.0) (regression)" in out
    for method in ("all rows", "Radon machine"):
        assert scores_in(out, method)["R2"] > 0.3


def test_no_preprocess_gives_the_numbers_as_they_are(tmp_path, capsys):
    # --no-preprocess leaves the pipeline without a first step and says so;
    # a text column is then refused with what to do.
    path = tmp_path / "values.csv"
    X, y = make_regression(n_samples=600, n_features=3, noise=1.0, random_state=0)
    pd.DataFrame(X, columns=list("abc")).assign(y=y).to_csv(path, index=False)
    saved = tmp_path / "model.joblib"
    code, out, err = run_main(
        capsys,
        "compare",
        str(path),
        "--target",
        "y",
        "--no-preprocess",
        "--save",
        str(saved),
    )
    assert code == 0, err
    assert "preprocessing: none (--no-preprocess)" in out
    import joblib

    assert len(joblib.load(saved).steps) == 1
    pd.read_csv(path).assign(word="a").to_csv(path, index=False)
    code, _, err = run_main(
        capsys, "compare", str(path), "--target", "y", "--no-preprocess"
    )
    assert code == 2 and "leave out --no-preprocess" in err


def test_columns_of_dates_are_refused():
    # A column that is neither numbers nor text is refused, by name.
    frame = pd.DataFrame(
        {"day": pd.date_range("2024-01-01", periods=4), "x": 1.0, "y": [0, 1, 0, 1]}
    )
    with pytest.raises(UserError, match=r"neither numbers nor text: day \(datetime"):
        split_table(frame, "y", drop_missing=False)


def test_missing_text_values_are_counted_like_missing_numbers():
    # A missing value in a text column makes its row incomplete, as in a
    # numeric one: refused, or dropped and counted.
    frame = penguins_like(40, seed=0)
    frame.loc[3, "island"] = None
    frame.loc[5, "bill_depth"] = np.nan
    with pytest.raises(UserError, match=r"2 of 40 rows .* bill_depth \(1\), island"):
        split_table(frame, "species", drop_missing=False)
    X, y, note = split_table(frame, "species", drop_missing=True)
    assert len(X) == len(y) == 38 and note.startswith("dropped 2 of 40 rows")


@pytest.mark.parametrize(
    ("text", "name", "params"),
    [
        ("Ridge", "Ridge", {}),
        ("QuantileRegressor(alpha=0)", "QuantileRegressor", {"alpha": 0}),
        (
            "sklearn.svm.LinearSVC(C=0.5, dual=True, class_weight={'a': 2})",
            "sklearn.svm.LinearSVC",
            {"C": 0.5, "dual": True, "class_weight": {"a": 2}},
        ),
        (
            "SGDRegressor(alpha=-1e-3, penalty=None)",
            "SGDRegressor",
            {"alpha": -1e-3, "penalty": None},
        ),
    ],
)
def test_estimator_arguments_are_parsed_as_literals(text, name, params):
    # A class name with keyword arguments gives the name and the literal values.
    assert parse_estimator(text) == (name, params)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ridge(alpha=__import__('os').getpid())", "is not a literal"),
        ("Ridge(alpha=np.inf)", "is not a literal"),
        ("Ridge(alpha=1 + 1)", "is not a literal"),
        ("Ridge(alpha=[i for i in range(3)])", "is not a literal"),
        ("Ridge(1.0)", "positional arguments"),
        ("Ridge(**{'alpha': 1})", "unpacks a mapping"),
        ("Ridge(alpha=1, alpha=2)", "gives alpha twice"),
        ("Ridge(", "cannot parse"),
        ("make_estimator()(alpha=1)", "not a class name"),
        ("'Ridge'", "not a class name"),
    ],
)
def test_estimator_text_is_never_evaluated(text, message, monkeypatch):
    # Anything but a name with literal keyword values is refused before any
    # of it runs: no call, no name is looked up while parsing.
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("evaluated")

    monkeypatch.setattr(builtins, "__import__", forbidden)
    with pytest.raises(UserError, match=message):
        parse_estimator(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ridge(nope=1)", "unexpected keyword argument 'nope'"),
        ("Ridge(alpha='big')", "'alpha' parameter of Ridge"),
    ],
)
def test_bad_estimator_parameters_fail_before_fitting(text, message):
    # An unknown parameter or a bad value is one line, exit 2, before any
    # output or fit.
    frame = penguins_like(30, seed=0)
    _, y, _ = split_table(frame, "body_mass", drop_missing=False)
    with pytest.raises(UserError, match=message):
        estimator_and_task(y, target="body_mass", estimator_name=text)
