"""The command line, driven as a user would: a subprocess, output, exit code."""

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
from sklearn.linear_model import QuantileRegressor, Ridge

from radonlearn._cli_compare import MethodRow, print_table, run_methods
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
    assert "HuberRegressor (regression)" in result.stdout
    assert "R2" in result.stdout


@pytest.mark.slow
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
