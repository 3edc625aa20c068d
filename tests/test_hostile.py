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
and 6 (the command line) are written here. Families 1, 3, 4, 5 and 7 belong
to the core developer, who is restructuring the estimators, and are added
by them; there are deliberately no placeholders for them.

Every case is seeded and states one property in its leading comment. Each
either failed on the code before issue 14 or guards a promised behaviour.
"""

import copy

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge

from radonlearn import RadonMachineRegressor, aggregate, geometric_median
from radonlearn._aggregate import AGGREGATORS, call_aggregator

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
