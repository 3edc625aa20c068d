"""Hostile input (issue 14): what radonlearn promises when its input is bad.

The cases are organised by principle:

1. checked inputs
2. checked outputs
3. behaviour not names
4. thread safety
5. bounded work
6. honest command line
7. weights

Families 2 (``aggregate``, ``geometric_median`` and aggregation callables)
and 6 (the command line) come first; families 1, 3, 4, 5 and 7 (the
estimators themselves) follow them.

Every case is seeded and states one property in its leading comment. Each
either failed on the code before issue 14 or guards a promised behaviour.
"""

import copy
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge, SGDRegressor

from radonlearn import (
    RadonMachineClassifier,
    RadonMachineRegressor,
    aggregate,
    geometric_median,
)
from radonlearn._aggregate import AGGREGATORS, call_aggregator
from radonlearn._cli import main

pd = pytest.importorskip("pandas")

METHODS = sorted(AGGREGATORS)


def _ridges(n_models=9, n_features=3, seed=0, frame=False):
    """Ridge models fitted on disjoint slices of one regression problem."""
    X, y = make_regression(
        n_samples=60 * n_models, n_features=n_features, noise=1.0, random_state=seed
    )
    if frame:
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
        return [
            Ridge().fit(X.iloc[i::n_models], y[i::n_models]) for i in range(n_models)
        ]
    return [Ridge().fit(X[i::n_models], y[i::n_models]) for i in range(n_models)]


def _logistics(n_models=7, seed=0, labels=(0, 1)):
    """Binary logistic regressions on disjoint slices, with the given labels."""
    X, y = make_classification(
        n_samples=200 * n_models,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        random_state=seed,
    )
    y = np.asarray(labels)[y]
    return [
        LogisticRegression().fit(X[i::n_models], y[i::n_models])
        for i in range(n_models)
    ]


def _scaled(models, factor):
    """Copies of the models with coef_ and intercept_ multiplied by ``factor``."""
    out = []
    for model in models:
        model = copy.deepcopy(model)
        model.coef_ = model.coef_ * factor
        model.intercept_ = model.intercept_ * factor
        out.append(model)
    return out


def _vector(model):
    """The model's hypothesis vector: coef_ then intercept_."""
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


# 2. Checked outputs: aggregate, geometric_median and aggregation callables.


class TestCheckedOutputs:
    """Every aggregate is finite, aligned and owned, or a clear error."""

    @pytest.mark.parametrize("scale", [1e155, 1e300, 1e-170, 1e-300])
    def test_geometric_median_is_scale_equivariant_at_extreme_scales(self, scale):
        # geometric_median(s * P) == s * geometric_median(P) and is finite,
        # however large or small s is (squared distances no longer overflow).
        points = np.random.default_rng(0).normal(size=(9, 3))
        median = geometric_median(points * scale)
        assert np.isfinite(median).all()
        np.testing.assert_allclose(median, geometric_median(points) * scale, rtol=1e-9)

    def test_geometric_median_of_the_largest_floats_is_finite(self):
        # Points next to the largest float (|x| ~ 1.7e308) give a finite median
        # inside their bounding box.
        points = np.random.default_rng(1).uniform(-1, 1, size=(7, 2)) * 1.7e308
        median = geometric_median(points)
        assert np.isfinite(median).all()
        assert (median >= points.min(axis=0)).all()
        assert (median <= points.max(axis=0)).all()

    @pytest.mark.parametrize("method", METHODS)
    def test_every_method_gives_a_finite_model_from_huge_models(self, method):
        # Models about 1e155 (and 30 models near 1e307, whose plain sum
        # overflows) aggregate to a finite model inside their bounding box.
        for factor, n_models in ((1e155, 9), (3e306, 30)):
            models = _scaled(_ridges(n_models, seed=2), factor)
            combined = aggregate(models, method=method, random_state=0)
            vectors = np.array([_vector(m) for m in models])
            point = _vector(combined)
            assert np.isfinite(point).all(), (method, factor)
            span = vectors.max(axis=0) - vectors.min(axis=0)
            assert (point >= vectors.min(axis=0) - 1e-9 * span).all()
            assert (point <= vectors.max(axis=0) + 1e-9 * span).all()

    @pytest.mark.parametrize("method", METHODS)
    def test_named_methods_keep_their_answer_at_ordinary_scale(self, method):
        # Scaling inside aggregate is exact: on ordinary models each method
        # gives exactly its own answer on the raw hypotheses.
        models = _ridges(36, seed=3)  # r**2 for r = D + 2 = 6
        vectors = np.array([_vector(m) for m in models])
        if method == "radon":
            order = np.random.RandomState(0).permutation(36)
            expected = AGGREGATORS[method](vectors[order])
        else:
            expected = AGGREGATORS[method](vectors)
        got = _vector(aggregate(models, method=method, random_state=0))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)

    def test_unfitted_model_is_not_fitted_error(self):
        # An unfitted model among fitted ones raises NotFittedError naming
        # its position, and nothing is aggregated.
        models = [*_ridges(8), Ridge()]
        with pytest.raises(NotFittedError, match="Model 8 \\(Ridge\\) is not fitted"):
            aggregate(models, method="mean")

    def test_different_feature_names_are_refused_with_the_names(self):
        # Models fitted on different columns are refused, naming the missing
        # and extra columns, instead of averaging unrelated coefficients.
        models = _ridges(5, frame=True)
        X = pd.DataFrame(
            np.random.default_rng(4).normal(size=(50, 3)), columns=["x0", "x1", "price"]
        )
        other = Ridge().fit(X, np.arange(50.0))
        with pytest.raises(ValueError, match=r"missing \['x2'\], extra \['price'\]"):
            aggregate([*models, other], method="mean")

    def test_same_features_in_another_order_are_refused(self):
        # The same columns in another order are refused, naming the first
        # column that differs, since coefficient i would mean another feature.
        models = _ridges(5, frame=True)
        X = pd.DataFrame(
            np.random.default_rng(5).normal(size=(50, 3)), columns=["x0", "x2", "x1"]
        )
        other = Ridge().fit(X, np.arange(50.0))
        with pytest.raises(ValueError, match="another order: column 1 is 'x2'"):
            aggregate([*models, other], method="median")

    @pytest.mark.parametrize("named_first", [True, False])
    def test_named_and_unnamed_models_are_refused(self, named_first):
        # Mixing models fitted on DataFrames and on arrays is refused, in
        # either order, because their columns cannot be matched.
        named, unnamed = _ridges(4, frame=True), _ridges(4)
        models = [*named, *unnamed] if named_first else [*unnamed, *named]
        with pytest.raises(ValueError, match=r"named features .* unnamed ones"):
            aggregate(models, method="geometric_median")

    def test_different_n_features_are_refused_with_both_counts(self):
        # Models with different n_features_in_ are refused, naming both counts.
        models = [*_ridges(5, n_features=3), _ridges(1, n_features=4)[0]]
        with pytest.raises(
            ValueError, match=r"n_features_in_ = 4 .* n_features_in_ = 3"
        ):
            aggregate(models, method="mean")

    def test_different_classes_are_refused_with_both_label_sets(self):
        # Classifiers with different classes_ are refused with both label sets.
        models = [*_logistics(6), *_logistics(1, labels=(0, 2))]
        with pytest.raises(ValueError, match=r"classes \[0 2\], model 0 has \[0 1\]"):
            aggregate(models, method="mean")

    def test_different_fit_intercept_is_refused(self):
        # A model without an intercept among models with one is refused by
        # name, not by a numpy shape error.
        X, y = make_regression(n_samples=100, n_features=3, random_state=6)
        models = [*_ridges(5), Ridge(fit_intercept=False).fit(X, y)]
        with pytest.raises(ValueError, match="fit_intercept"):
            aggregate(models, method="mean")

    def test_refusals_leave_every_model_untouched(self):
        # A refused aggregation changes no model's coefficients.
        models = [*_ridges(5, frame=True), *_ridges(2)]
        before = [_vector(m).copy() for m in models]
        with pytest.raises(ValueError):
            aggregate(models, method="mean")
        for model, vector in zip(models, before, strict=True):
            np.testing.assert_array_equal(_vector(model), vector)

    def test_callable_sees_a_read_only_view(self):
        # An aggregation callable receives the hypotheses read-only.
        seen = {}

        def spy(points):
            seen["writeable"] = points.flags.writeable
            return points.mean(axis=0)

        aggregate(_ridges(5), method=spy)
        assert seen == {"writeable": False}

    def test_callable_writing_into_its_input_cannot_corrupt_the_machine(self):
        # A callable that writes into the hypotheses raises a ValueError
        # naming it and saying to copy first; nothing is silently zeroed.
        def zero_first(points):
            points[0] = 0.0
            return points.mean(axis=0)

        X, y = make_regression(n_samples=600, n_features=2, random_state=7)
        machine = RadonMachineRegressor(
            Ridge(), height=1, aggregation=zero_first, n_jobs=1, random_state=0
        )
        with pytest.raises(ValueError, match=r"zero_first failed .* read-only"):
            machine.fit(X, y)

    def test_callable_answer_never_shares_memory_with_the_hypotheses(self):
        # A callable returning a row of its input still yields a model whose
        # coefficients are its own, writeable, and not a view of hypotheses_.
        X, y = make_regression(n_samples=600, n_features=2, random_state=8)
        machine = RadonMachineRegressor(
            Ridge(),
            height=1,
            aggregation=lambda points: points[0],
            n_jobs=1,
            random_state=0,
        ).fit(X, y)
        assert not np.shares_memory(machine.estimator_.coef_, machine.hypotheses_)
        assert machine.estimator_.coef_.flags.writeable

    def test_failing_callable_is_surfaced_with_its_name_and_cause(self):
        # A callable that raises comes back as a ValueError naming it and the
        # original error, which stays attached as __cause__.
        def broken(points):
            raise ZeroDivisionError("no median today")

        with pytest.raises(
            ValueError, match=r"broken failed .* ZeroDivisionError"
        ) as info:
            aggregate(_ridges(5), method=broken)
        assert isinstance(info.value.__cause__, ZeroDivisionError)

    @pytest.mark.parametrize(
        ("answer", "found"),
        [
            (lambda p: p[:, :2].mean(axis=0), "shape \\(2,\\)"),
            (lambda p: np.full(p.shape[1], np.inf), "non-finite"),
            (lambda p: p.mean(axis=0) * 1j, "complex"),
            (lambda p: "median", "dtype <U6"),
        ],
    )
    def test_callable_answers_are_checked_by_name(self, answer, found):
        # A callable's answer must be a finite real (D,) vector; otherwise the
        # error names the callable, the expected shape and what was found.
        hypotheses = np.random.default_rng(9).normal(size=(6, 4))
        with pytest.raises(
            ValueError, match=f"<lambda> must return .*\\(4,\\).*{found}"
        ):
            call_aggregator(answer, hypotheses)

    def test_non_finite_model_is_named_with_advice(self):
        # A model with non-finite coefficients is refused by its position
        # with what to do about it.
        models = _ridges(6)
        models[4].coef_ = models[4].coef_.copy()
        models[4].coef_[1] = np.nan
        with pytest.raises(ValueError, match=r"Model 4 has non-finite .* Leave it out"):
            aggregate(models, method="median")


# 6. Honest command line.

# Every fit of the recording estimators below: (class name, rows, random_state).
FITS = []


class CountingLogistic(LogisticRegression):
    """LogisticRegression that records each fit in FITS."""

    def fit(self, X, y, *args, **kwargs):
        FITS.append((type(self).__name__, len(X), self.random_state))
        return super().fit(X, y, *args, **kwargs)


class CountingRidge(Ridge):
    """Ridge that records each fit in FITS."""

    def fit(self, X, y, *args, **kwargs):
        FITS.append((type(self).__name__, len(X), self.random_state))
        return super().fit(X, y, *args, **kwargs)


class CountingSGD(SGDRegressor):
    """A stochastic regressor that records each fit in FITS."""

    def fit(self, X, y, *args, **kwargs):
        FITS.append((type(self).__name__, len(X), self.random_state))
        return super().fit(X, y, *args, **kwargs)


class WarningRidge(Ridge):
    """Ridge whose every fit raises the same ConvergenceWarning."""

    def fit(self, X, y, *args, **kwargs):
        warnings.warn("toy solver stopped early", ConvergenceWarning, stacklevel=2)
        return super().fit(X, y, *args, **kwargs)


class TerminalStream(io.StringIO):
    """A text stream that claims to be a terminal."""

    def isatty(self):
        return True


PROGRESS = re.compile(r"^radonlearn: \[(\d)/3\] ([a-zA-Z ]+): fitting", re.M)


def cli(*args):
    """Run the command line in this process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    FITS.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = main([str(arg) for arg in args])
    return code, out.getvalue(), err.getvalue()


def run(*args):
    """Run ``python -m radonlearn ARGS`` with stderr a pipe (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "radonlearn", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """Paths of small CSVs: classes (text target), values (continuous target)."""
    folder = tmp_path_factory.mktemp("tables")
    X, y = make_classification(n_samples=2000, n_features=4, random_state=0)
    classes = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    classes["label"] = np.where(y == 1, "yes", "no")
    classes.to_csv(folder / "classes.csv", index=False)
    X, y = make_regression(n_samples=2000, n_features=3, noise=5.0, random_state=0)
    values = pd.DataFrame(X, columns=list("abc"))
    values["target"] = y
    values.to_csv(folder / "values.csv", index=False)
    holes = classes.copy()
    holes.loc[[3, 5, 8], "x1"] = np.nan
    holes.loc[13, "x2"] = np.inf
    holes.loc[21, "label"] = None
    # NumPy 1.24.0 warns while pandas writes NaN as text (numpy#22843).
    with np.errstate(invalid="ignore"):
        holes.to_csv(folder / "holes.csv", index=False)
    endless = values.copy()
    endless.loc[[4, 9], "target"] = np.inf
    endless.to_csv(folder / "endless.csv", index=False)
    return {
        name: folder / f"{name}.csv"
        for name in ("classes", "values", "holes", "endless")
    }


def one_error_line(code, err):
    """The single error line of a refused command (exit code 2, no traceback)."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("radonlearn: error: ")
    return lines[0]


@pytest.mark.slow
class TestHonestCommandLine:
    """The command line says what it did to the data and checks before fitting."""

    def test_missing_values_are_refused_with_counts_by_default(self, tables):
        # Rows with missing or non-finite values are refused by default, with
        # the count, the share, the columns and the flag that drops them.
        code, _, err = cli("compare", tables["holes"], "--target", "label")
        line = one_error_line(code, err)
        assert "5 of 2,000 rows (0.2 %) with missing or non-finite values" in line
        assert "x1 (3), x2 (1), label (1)" in line
        assert "--drop-missing" in line
        assert FITS == []

    def test_drop_missing_reports_the_rows_it_dropped(self, tables):
        # --drop-missing drops the incomplete rows and says how many on stdout;
        # the rows fitted and tested add up to the rows kept.
        code, out, err = cli(
            "compare",
            tables["holes"],
            "--target",
            "label",
            "--drop-missing",
            "--n-jobs",
            1,
            "--quiet",
        )
        assert code == 0, err
        assert "dropped 5 of 2,000 rows (0.2 %) with missing or non-finite" in out
        train, test = re.search(
            r"on ([\d,]+) rows .*; ([\d,]+) test rows", out
        ).groups()
        assert int(train.replace(",", "")) + int(test.replace(",", "")) == 1995

    def test_infinite_targets_count_as_missing(self, tables):
        # An infinite target value is counted with the missing ones, by column.
        code, _, err = cli("compare", tables["endless"], "--target", "target")
        line = one_error_line(code, err)
        assert "2 of 2,000 rows (0.1 %)" in line and "target (2)" in line

    @pytest.mark.parametrize(
        ("path", "what"),
        [
            ("builtins.exit", "a Quitter, not a class"),
            ("os.abort", "a builtin_function_or_method, not a class"),
            ("sklearn.linear_model.ridge_regression", "a function, not a class"),
            ("pathlib.Path", "a class that is not a scikit-learn estimator"),
        ],
    )
    def test_estimator_must_be_an_estimator_class_and_is_never_called(
        self, path, what, tables
    ):
        # A dotted --estimator that is not a scikit-learn estimator class is
        # refused in one line without being called (exit and abort included).
        result = run(
            "compare", tables["values"], "--target", "target", "--estimator", path
        )
        line = one_error_line(result.returncode, result.stderr)
        assert f"--estimator {path!r} is {what}" in line

    def test_estimator_from_any_module_is_accepted(self, tables):
        # A scikit-learn estimator class from outside scikit-learn runs, and
        # is the class that is fitted.
        code, out, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "test_hostile.CountingRidge",
            "--n-jobs",
            1,
            "--quiet",
        )
        assert code == 0, err
        assert "CountingRidge() (regression)" in out
        assert {name for name, _, _ in FITS} == {"CountingRidge"}

    def test_transformer_is_refused_up_front(self, tables):
        # An estimator that is neither classifier nor regressor is refused
        # before anything is fitted.
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "sklearn.preprocessing.StandardScaler",
        )
        assert "neither a classifier nor a regressor" in one_error_line(code, err)

    def test_classifier_on_a_continuous_target_is_refused_before_fitting(self, tables):
        # A classifier on a continuous target is one line naming the target
        # and a regressor to use, and nothing is fitted.
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "test_hostile.CountingLogistic",
        )
        line = one_error_line(code, err)
        assert "classifier but the target 'target' is continuous" in line
        assert "--estimator Ridge" in line
        assert FITS == []

    def test_regressor_on_a_text_target_is_refused_before_fitting(self, tables):
        # A regressor on a text target is one line naming the target and a
        # classifier to use, and nothing is fitted.
        code, _, err = cli(
            "compare",
            tables["classes"],
            "--target",
            "label",
            "--estimator",
            "test_hostile.CountingRidge",
        )
        line = one_error_line(code, err)
        assert "regressor but the target 'label' holds text" in line
        assert FITS == []

    def test_task_contradicting_the_estimator_is_refused(self, tables):
        # --task regression with a classifier is refused, naming both.
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--task",
            "regression",
            "--estimator",
            "LogisticRegression",
        )
        line = one_error_line(code, err)
        assert "--task regression but LogisticRegression is a classifier" in line

    def test_height_the_data_cannot_fill_fails_before_the_all_rows_fit(self, tables):
        # An explicit height that the data cannot fill is refused before the
        # base learner is fitted on all training rows, with no progress line.
        code, _, err = cli(
            "compare",
            tables["classes"],
            "--target",
            "label",
            "--height",
            4,
            "--estimator",
            "test_hostile.CountingLogistic",
            "--n-jobs",
            1,
        )
        assert "height=4 needs" in one_error_line(code, err)
        assert all(rows < 1500 for _, rows, _ in FITS), FITS

    @pytest.mark.parametrize(
        "where",
        [
            "no-such-folder/model.joblib",
            ".",
            pytest.param(
                "/proc/model.joblib",
                marks=pytest.mark.skipif(
                    not Path("/proc/self").exists(), reason="needs Linux /proc"
                ),
            ),
        ],
    )
    def test_save_path_is_checked_before_fitting(self, where, tables, tmp_path):
        # --save into a missing or unwritable directory, or onto a directory,
        # is refused before anything is fitted.
        target = where if where.startswith("/") else tmp_path / where
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "test_hostile.CountingRidge",
            "--save",
            target,
        )
        assert f"--save {target}" in one_error_line(code, err)
        assert FITS == []

    def test_stochastic_baseline_gets_the_seed(self, tables):
        # The fit on all rows of a learner with random_state gets
        # --random-state, so its score is reproducible.
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "test_hostile.CountingSGD",
            "--height",
            1,
            "--random-state",
            7,
            "--n-jobs",
            1,
            "--quiet",
        )
        assert code == 0, err
        largest = max(rows for _, rows, _ in FITS)
        assert {seed for _, rows, seed in FITS if rows == largest} == {7}

    def test_stochastic_comparison_is_reproducible(self, tables):
        # Two runs with one seed print the same scores for every method.
        def scores():
            result = run(
                "compare",
                tables["values"],
                "--target",
                "target",
                "--estimator",
                "SGDRegressor",
                "--n-jobs",
                1,
                "--quiet",
            )
            assert result.returncode == 0, result.stderr
            table = result.stdout[result.stdout.index("method") :]
            return [line.split()[-2:] for line in table.splitlines()[2:]]

        assert scores() == scores()

    def test_warnings_are_shown_once_per_kind_and_step(self, tables):
        # A warning raised in every fit is shown on stderr for every step,
        # once per kind: the machine's shard summary says how many shards.
        code, _, err = cli(
            "compare",
            tables["values"],
            "--target",
            "target",
            "--estimator",
            "test_hostile.WarningRidge",
            "--height",
            1,
            "--n-jobs",
            1,
            "--quiet",
        )
        assert code == 0, err
        shown = [line for line in err.splitlines() if "toy solver" in line]
        assert len(shown) == len(set(shown))
        for step in ("Radon machine", "all rows", "averaging"):
            assert any(
                line.startswith(f"radonlearn: warning: {step}: ConvergenceWarning")
                for line in shown
            ), err
        assert any("shard fits" in line for line in shown)

    def test_a_user_warning_of_the_machine_reaches_the_command_line(
        self, tables, monkeypatch
    ):
        # A UserWarning raised by the Radon machine itself (such as one about
        # starved shards) is shown on stderr under its step.
        fit = RadonMachineClassifier.fit

        def warning_fit(self, X, y, **kwargs):
            warnings.warn(
                "shards of 12 rows starve the quality rule", UserWarning, stacklevel=2
            )
            return fit(self, X, y, **kwargs)

        monkeypatch.setattr(RadonMachineClassifier, "fit", warning_fit)
        code, _, err = cli(
            "compare",
            tables["classes"],
            "--target",
            "label",
            "--n-jobs",
            1,
            "--quiet",
        )
        assert code == 0, err
        assert (
            "radonlearn: warning: Radon machine: UserWarning: shards of 12 rows "
            "starve the quality rule" in err
        )

    @pytest.mark.parametrize("command", ["demo", "compare"])
    def test_plain_progress_has_one_line_per_fitted_method(self, command, tables):
        # With stderr not a terminal, every method fitted gets one progress
        # line, in fitting order; the Radon machine's names its shard count.
        args = (
            ["demo", "--n-samples", 3000]
            if command == "demo"
            # An explicit height: the averaging row is fitted only when the
            # Radon machine shards.
            else ["compare", tables["classes"], "--target", "label", "--height", 1]
        )
        result = run(*args, "--n-jobs", 1)
        assert result.returncode == 0, result.stderr
        steps = PROGRESS.findall(result.stderr)
        assert steps == [("1", "Radon machine"), ("2", "all rows"), ("3", "averaging")]
        shards = re.search(r"^Radon machine +\d+ +([\d,]+)", result.stdout, re.M)
        assert re.search(
            rf"Radon machine: .* in {shards.group(1)} shards?$", result.stderr, re.M
        )

    def test_quiet_silences_progress(self, tables):
        # --quiet leaves stderr free of progress lines.
        result = run(
            "compare", tables["classes"], "--target", "label", "--n-jobs", 1, "--quiet"
        )
        assert result.returncode == 0, result.stderr
        assert PROGRESS.findall(result.stderr) == []

    def test_rich_bars_on_a_terminal_cover_every_method(self, tables, monkeypatch):
        # On a terminal with rich, live bars cover the three methods and the
        # Radon machine's bar ends full, one step per shard.
        pytest.importorskip("rich")
        terminal = TerminalStream()
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert (
            main(
                [
                    "compare",
                    str(tables["classes"]),
                    "--target",
                    "label",
                    "--height",
                    "1",
                    "--n-jobs",
                    "1",
                ]
            )
            == 0
        )
        shown = terminal.getvalue()
        for step in ("[1/3] Radon machine: ", "[2/3] all rows", "[3/3] averaging"):
            assert step in shown
        n_shards = re.search(r"Radon machine: (\d+) shards", shown).group(1)
        assert f"{n_shards}/{n_shards}" in shown

    def test_terminal_without_rich_gets_plain_lines(self, tables, monkeypatch):
        # On a terminal without rich, progress falls back to one plain line
        # per fitted method.
        monkeypatch.setitem(sys.modules, "rich", None)
        monkeypatch.setitem(sys.modules, "rich.progress", None)
        terminal = TerminalStream()
        monkeypatch.setattr(sys, "stderr", terminal)
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert (
            main(
                [
                    "compare",
                    str(tables["classes"]),
                    "--target",
                    "label",
                    "--height",
                    "1",
                    "--n-jobs",
                    "1",
                ]
            )
            == 0
        )
        assert [step for _, step in PROGRESS.findall(terminal.getvalue())] == [
            "Radon machine",
            "all rows",
            "averaging",
        ]

    def test_help_documents_the_honest_choices(self, capsys):
        # compare --help documents --drop-missing, the save check and where
        # progress and warnings go.
        with pytest.raises(SystemExit):
            main(["compare", "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--drop-missing" in text and "refused unless --drop-missing" in text
        assert "checked before fitting" in text
        assert "Progress goes to stderr" in text and "once per kind" in text


# 1. Checked inputs: whatever the shard fits skip, the package checks once.


class OffsetRidge(Ridge):
    """Ridge whose fit takes a per-row ``offset`` (subtracted from y)."""

    def fit(self, X, y, sample_weight=None, offset=None):
        y = np.asarray(y) - (0.0 if offset is None else np.asarray(offset))
        return super().fit(X, y, sample_weight=sample_weight)


def _binary(n=6000, seed=0):
    return make_classification(
        n_samples=n, n_features=4, n_informative=3, n_redundant=0, random_state=seed
    )


def _no_fitted_state(machine):
    return not [k for k in vars(machine) if k.endswith("_") and not k.startswith("_")]


class TestCheckedInputs:
    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_non_finite_sample_weight_is_refused(self, bad):
        # A NaN or infinite weight is refused as scikit-learn refuses it,
        # instead of training an all-zero model; nothing stays fitted.
        X, y = _binary()
        w = np.ones(len(y))
        w[17] = bad
        machine = RadonMachineClassifier(height=1, random_state=0)
        with pytest.raises(ValueError, match="sample_weight contains"):
            machine.fit(X, y, sample_weight=w)
        assert _no_fitted_state(machine)

    def test_all_zero_weights_are_refused(self):
        # Weights that are all zero train nothing: the package's own clear
        # error, whatever the installed scikit-learn allows.
        X, y = _binary()
        with pytest.raises(ValueError, match=r"zero for all 6,000 rows.*non-zero"):
            RadonMachineClassifier(height=1).fit(X, y, sample_weight=np.zeros(len(y)))

    def test_weights_of_the_wrong_length_are_refused(self):
        # sample_weight must have one entry per row.
        X, y = _binary()
        with pytest.raises(ValueError, match="sample_weight"):
            RadonMachineClassifier(height=1).fit(X, y, sample_weight=np.ones(5))

    @pytest.mark.parametrize("bad", [np.inf, np.nan])
    def test_object_array_with_non_finite_values_is_refused(self, bad):
        # An object-dtype X holding inf or NaN is refused, not fitted to zeros.
        X, y = _binary()
        X = X.astype(object)
        X[5, 1] = bad
        with pytest.raises(ValueError, match="Input X contains"):
            RadonMachineClassifier(height=1).fit(X, y)

    def test_object_array_of_numbers_fits_like_floats(self):
        # An object-dtype X of plain numbers gives the float64 model.
        X, y = _binary()
        a = RadonMachineClassifier(height=1, random_state=0).fit(X, y)
        b = RadonMachineClassifier(height=1, random_state=0).fit(X.astype(object), y)
        np.testing.assert_array_equal(a.coef_, b.coef_)

    def test_pandas_nullable_features_with_missing_values_are_refused(self):
        # A Float64 (nullable) column holding pd.NA is refused.
        X, y = _binary()
        frame = pd.DataFrame(X, columns=list("abcd")).astype("Float64")
        frame.iloc[2, 0] = pd.NA
        with pytest.raises(ValueError, match="NaN"):
            RadonMachineClassifier(height=1).fit(frame, y)

    def test_pandas_nullable_labels_with_missing_values_are_refused(self):
        # An Int64 (nullable) target holding pd.NA is refused.
        X, y = _binary()
        labels = pd.Series(y).astype("Int64")
        labels.iloc[4] = pd.NA
        with pytest.raises(ValueError, match="NaN"):
            RadonMachineClassifier(height=1).fit(X, labels)

    def test_infinite_regression_target_is_refused(self):
        # An infinite y is refused before any shard fit.
        X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
        y[7] = np.inf
        with pytest.raises(ValueError, match="Input y contains infinity"):
            RadonMachineRegressor(height=1).fit(X, y)

    def test_non_finite_per_row_fit_parameter_is_refused(self):
        # A per-row numeric fit parameter with NaN is named in the error.
        X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
        offset = np.zeros(len(y))
        offset[11] = np.nan
        with pytest.raises(ValueError, match="'offset' has NaN"):
            RadonMachineRegressor(OffsetRidge(), height=1).fit(X, y, offset=offset)

    def test_finite_per_row_fit_parameter_is_split_with_the_rows(self):
        # A finite per-row parameter reaches every shard with its rows: an
        # offset equal to y leaves nothing to learn.
        X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
        machine = RadonMachineRegressor(OffsetRidge(), height=1, random_state=0)
        machine.fit(X, y, offset=y)
        np.testing.assert_allclose(machine.coef_, 0.0, atol=1e-9)

    def test_failed_refit_leaves_no_stale_model(self):
        # A fitted machine refitted on bad weights keeps no attribute of the
        # earlier fit.
        X, y = _binary()
        machine = RadonMachineClassifier(height=1, random_state=0).fit(X, y)
        w = np.ones(len(y))
        w[0] = np.nan
        with pytest.raises(ValueError):
            machine.fit(X, y, sample_weight=w)
        assert _no_fitted_state(machine)

    def test_partial_fit_refuses_labels_outside_classes(self):
        # A chunk with a label not among classes= is refused, not made a class.
        X, y = _binary()
        y = y.copy()
        y[:10] = 2
        machine = RadonMachineClassifier()
        with pytest.raises(ValueError, match="label 2"):
            machine.partial_fit(X, y, classes=[0, 1])

    def test_partial_fit_after_fit_describes_the_stream(self):
        # After fit, a first partial_fit starts a stream whose attributes
        # agree: one chunk, its model, its levels, no stale plan or times.
        X, y = _binary()
        machine = RadonMachineClassifier(height=1, random_state=0).fit(X, y)
        machine.partial_fit(X[:2000], y[:2000])
        assert machine.n_shards_ == 1
        assert "partial_fit" in machine.height_plan_["reason"]
        np.testing.assert_array_equal(
            machine.aggregation_levels_[0], machine.hypotheses_
        )
        assert machine.hypotheses_.shape == (1, machine.coef_.size + 1)
        assert set(machine.fit_times_) <= {"shards", "total", "n_workers"}


# 3. Behaviour, not names.


class ReadOnlyCoef(LogisticRegression):
    """A classifier whose coef_ is computed, so it cannot be set."""

    @property
    def coef_(self):
        return self._inner.coef_

    def fit(self, X, y, sample_weight=None):
        self._inner = LogisticRegression().fit(X, y, sample_weight)
        self.classes_ = self._inner.classes_
        self.intercept_ = self._inner.intercept_
        self.n_features_in_ = self._inner.n_features_in_
        return self


class TestBehaviourNotNames:
    def test_svc_with_a_linear_kernel_gets_the_packages_type_error(self):
        # SVC's coef_ is a read-only property: refused with the package's
        # TypeError before any shard fit, not an AttributeError.
        from sklearn.svm import SVC

        X, y = _binary(3000)
        with pytest.raises(TypeError, match="does not take coefficients"):
            RadonMachineClassifier(SVC(kernel="linear"), height=1).fit(X, y)

    def test_any_learner_that_cannot_take_coefficients_is_refused(self):
        # The check tries the learner instead of reading its name.
        X, y = _binary(3000)
        with pytest.raises(TypeError, match="ReadOnlyCoef does not take"):
            RadonMachineClassifier(ReadOnlyCoef(), height=1).fit(X, y)

    def test_a_nested_liblinear_learner_holds_the_process_generator(self):
        # A LinearSVC inside a search still counts as drawing from the
        # process-wide generator.
        from sklearn.model_selection import GridSearchCV
        from sklearn.svm import LinearSVC

        from radonlearn._fitting import uses_global_rng

        assert uses_global_rng(GridSearchCV(LinearSVC(), {"C": [1.0]}))


# 4. Thread safety: concurrent fits change no process-wide state.


class TestThreadSafety:
    def test_concurrent_fits_leave_blas_threads_as_they_were(self):
        # Fits in three threads at once restore every BLAS/OpenMP thread count.
        import threading

        from threadpoolctl import threadpool_info

        X, y = _binary(20_000)
        before = [pool["num_threads"] for pool in threadpool_info()]

        def run():
            RadonMachineClassifier(height=1, n_jobs=2, random_state=0).fit(X, y)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [pool["num_threads"] for pool in threadpool_info()] == before

    def test_concurrent_fits_give_the_sequential_model(self):
        # Three threads fitting the same machine each get the model a lone
        # fit gets.
        import threading

        X, y = _binary(20_000)
        alone = RadonMachineClassifier(height=1, n_jobs=2, random_state=3).fit(X, y)
        models = []

        def run():
            models.append(
                RadonMachineClassifier(height=1, n_jobs=2, random_state=3).fit(X, y)
            )

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for machine in models:
            np.testing.assert_array_equal(machine.hypotheses_, alone.hypotheses_)

    def test_seeded_fit_leaves_the_global_generator_alone(self):
        # A fit with an integer random_state draws nothing from numpy's
        # global generator.
        X, y = _binary()
        np.random.seed(5)  # noqa: NPY002 - the legacy global generator is the subject
        expected = np.random.random_sample()  # noqa: NPY002
        np.random.seed(5)  # noqa: NPY002
        RadonMachineClassifier(height=1, random_state=0).fit(X, y)
        assert np.random.random_sample() == expected  # noqa: NPY002


# 5. Bounded work on absurd parameters.


class TestBoundedWork:
    @pytest.mark.parametrize("height", [5000, 100_000, 10**9])
    def test_absurd_height_fails_with_a_short_message(self, height):
        # The feasibility check compares logarithms: no hang, no
        # thousand-digit number, no integer-conversion error.
        X, y = _binary(2000)
        with pytest.raises(ValueError, match="far more than X has rows") as error:
            RadonMachineClassifier(height=height).fit(X, y)
        assert len(str(error.value)) < 300

    def test_absurd_min_samples_per_shard_falls_back_to_one_fit(self):
        # An enormous min_samples_per_shard makes "auto" fit once, saying why.
        X, y = _binary(2000)
        machine = RadonMachineClassifier(min_samples_per_shard=10**30).fit(X, y)
        assert machine.height_ == 0
        assert "needs" in machine.height_plan_["reason"]

    def test_absurd_block_size_is_the_exact_machine(self):
        # block_size beyond D changes nothing: the exact Radon machine.
        X, y = _binary(6000)
        a = RadonMachineClassifier(height=1, random_state=0).fit(X, y)
        b = RadonMachineClassifier(height=1, block_size=10**9, random_state=0).fit(X, y)
        np.testing.assert_array_equal(a.coef_, b.coef_)


# 7. Weights that leave rows without weight.


def _sparse_weights(n, n_weighted, seed=0):
    w = np.zeros(n)
    w[np.random.default_rng(seed).choice(n, n_weighted, replace=False)] = 1.0
    return w


class TestWeights:
    def test_auto_counts_only_weighted_rows(self):
        # With 300 weighted rows of 20,000, "auto" plans for 300 rows and
        # says so.
        X, y = _binary(20_000)
        machine = RadonMachineClassifier(random_state=0).fit(
            X, y, sample_weight=_sparse_weights(len(y), 300)
        )
        assert machine.height_ == 0
        assert "nonzero sample_weight" in machine.height_plan_["reason"]

    def test_every_shard_of_an_explicit_height_gets_weighted_rows(self):
        # Weighted rows are dealt over the shards like a class: every shard
        # of height 2 (49 shards) trains on weighted rows of both classes.
        X, y = _binary(20_000)
        w = _sparse_weights(len(y), 400)
        machine = RadonMachineClassifier(height=2, random_state=0).fit(
            X, y, sample_weight=w
        )
        assert machine.n_shards_ == 49
        assert np.isfinite(machine.hypotheses_).all()
        assert (np.abs(machine.hypotheses_[:, :-1]).sum(axis=1) > 0).all()

    def test_regressor_shards_get_weighted_rows(self):
        # The same for a regressor: no shard is left with weightless rows.
        X, y = make_regression(n_samples=20_000, n_features=3, random_state=0)
        w = _sparse_weights(len(y), 200)
        machine = RadonMachineRegressor(height=1, random_state=0).fit(
            X, y, sample_weight=w
        )
        assert machine.n_shards_ == 6
        assert (np.abs(machine.hypotheses_[:, :-1]).sum(axis=1) > 0).all()

    def test_explicit_height_beyond_the_weighted_rows_is_refused(self):
        # An explicit height with more shards than weighted rows is an
        # error that names the weights.
        X, y = _binary(20_000)
        with pytest.raises(ValueError, match="nonzero sample_weight"):
            RadonMachineClassifier(height=2).fit(
                X, y, sample_weight=_sparse_weights(len(y), 40)
            )

    def test_class_without_enough_weighted_rows_is_named(self):
        # A class whose weighted rows are fewer than the shards is named.
        X, y = _binary(20_000)
        w = np.ones(len(y))
        w[np.flatnonzero(y == 1)[3:]] = 0.0
        with pytest.raises(ValueError, match="class 1 has only 3 rows with nonzero"):
            RadonMachineClassifier(height=1).fit(X, y, sample_weight=w)

    def test_positive_weights_keep_the_plain_shards(self):
        # When every row has weight the shards are those of an unweighted fit.
        X, y = make_regression(n_samples=6000, n_features=3, random_state=0)
        plain = RadonMachineRegressor(height=1, random_state=0).fit(X, y)
        weighted = RadonMachineRegressor(height=1, random_state=0).fit(
            X, y, sample_weight=np.ones(len(y))
        )
        np.testing.assert_allclose(weighted.hypotheses_, plain.hypotheses_, rtol=1e-8)
