"""The command line, driven as a user would: a subprocess, output, exit code."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression


def run(*args):
    """Run ``python -m radonlearn ARGS``; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "radonlearn", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


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


@pytest.mark.parametrize("command", [[], ["demo"], ["compare"]])
def test_help(command):
    # Every subcommand answers --help with its usage and exits 0.
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "usage: radonlearn" in result.stdout


def test_demo_prints_the_three_methods():
    # The demo prints one aligned row per method with time and scores.
    result = run("demo", "--n-samples", "3000", "--n-jobs", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("method"))
    assert "speed-up" in header and "MAE" in header and "R2" in header
    for method in ("all rows", "Radon machine", "averaging"):
        assert any(line.startswith(method) for line in lines)


def test_compare_classification_and_save(classification_csv, tmp_path):
    # A text target is classification; ROC AUC is reported and the fitted
    # Radon machine is saved and loads back.
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
    assert set(model.predict(np.zeros((2, 5)))) <= {"yes", "no"}


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
    assert "HuberRegressor (regression)" in result.stdout
    assert "R2" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--target", "y"], "no such file"),
        (["{classes}", "--target", "nope"], "no column 'nope'"),
        (["{text}", "--target", "label"], "non-numeric feature column(s): word"),
        (["{one}", "--target", "label"], "only one class"),
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
    paths = {"classes": classification_csv, "text": text_path, "one": one_path}
    result = run("compare", *[arg.format(**paths) for arg in args], "--n-jobs", "1")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_compare_reads_parquet(classification_csv, tmp_path):
    # Parquet files are read through pandas when pyarrow is installed.
    pytest.importorskip("pyarrow")
    path = tmp_path / "classes.parquet"
    pd.read_csv(classification_csv).to_parquet(path)
    result = run("compare", str(path), "--target", "label", "--n-jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "ROC AUC" in result.stdout
