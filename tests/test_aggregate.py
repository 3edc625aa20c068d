"""Properties of geometric_median and the aggregator table."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from radonlearn import geometric_median
from radonlearn._aggregate import AGGREGATORS


def total_distance(points, centre):
    """Sum of Euclidean distances from ``centre`` to the points."""
    return np.linalg.norm(points - centre, axis=1).sum()


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), d=st.integers(1, 6))
def test_no_direction_improves_the_median(seed, n, d):
    # The result minimises the summed distance: no small step in any of many
    # random directions lowers it by more than rounding.
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, d))
    median = geometric_median(points, tol=1e-10, max_iter=10_000)
    best = total_distance(points, median)
    spread = np.abs(points).max() + 1.0
    for step in (1e-2, 1e-4):
        for direction in rng.normal(size=(30, d)):
            moved = median + step * spread * direction / np.linalg.norm(direction)
            assert total_distance(points, moved) >= best - 1e-9 * best


def test_collinear_odd_count_is_the_middle_point():
    # On a line the geometric median of an odd count is the middle point.
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [10.0, 10.0], [50.0, 50.0]])
    np.testing.assert_allclose(
        geometric_median(points, tol=1e-12), [2.0, 2.0], atol=1e-6
    )


def test_vertex_with_wide_angle_is_the_median():
    # A triangle with an angle of at least 120 degrees has its median at that
    # vertex: the iterate lands on a data point and must stay there.
    points = np.array([[0.0, 0.0], [1.0, 0.1], [-1.0, 0.1]])
    np.testing.assert_allclose(geometric_median(points), [0.0, 0.0], atol=1e-6)


def test_duplicated_points_and_single_point():
    # Repeated rows and a single row are valid input.
    np.testing.assert_array_equal(geometric_median([[3.0, 4.0]]), [3.0, 4.0])
    np.testing.assert_allclose(geometric_median(np.ones((7, 3))), np.ones(3))


def test_robust_to_a_minority_of_outliers():
    # Moving fewer than half of the points far away moves the median a
    # bounded distance, unlike the mean.
    rng = np.random.default_rng(0)
    points = rng.normal(size=(21, 3))
    points[:10] += 1e6
    assert np.linalg.norm(geometric_median(points)) < 5
    assert np.linalg.norm(points.mean(axis=0)) > 1e5


def test_warns_when_not_converged():
    # Too few steps give a ConvergenceWarning, not a silent answer.
    rng = np.random.default_rng(1)
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        geometric_median(rng.normal(size=(50, 4)), max_iter=1)
    assert record[0].filename == __file__  # the caller's line


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tol": 0.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"),
    ],
)
def test_invalid_parameters(kwargs, message):
    # Non-positive tolerances and step counts are refused by name.
    with pytest.raises(ValueError, match=message):
        geometric_median(np.zeros((3, 2)), **kwargs)


@pytest.mark.parametrize(
    "tol",
    [np.inf, np.nan, -1e-7, "1e-7", True, None, 1j],
    ids=["inf", "nan", "negative", "string", "bool", "none", "complex"],
)
def test_invalid_tol_says_what_to_pass(tol):
    # An infinite tolerance stopped after one step and a string raised a
    # TypeError from a comparison: now one ValueError names the value and a
    # valid choice.
    with pytest.raises(ValueError, match=r"tol must be a positive finite.*tol=1e-7"):
        geometric_median(np.eye(3), tol=tol)


@pytest.mark.parametrize(
    "max_iter",
    [-3, True, np.float64(3.0), "10", None, np.int64(0)],
    ids=["negative", "bool", "float", "string", "none", "numpy_zero"],
)
def test_invalid_max_iter_says_what_to_pass(max_iter):
    # Step counts that are not integers >= 1 are refused with the value.
    with pytest.raises(ValueError, match=r"max_iter must be an integer >= 1.*500"):
        geometric_median(np.eye(3), max_iter=max_iter)


def test_numpy_scalars_are_valid_settings():
    # NumPy scalars are ordinary numbers here: same median as Python ones.
    points = np.random.default_rng(2).normal(size=(20, 3))
    expected = geometric_median(points, tol=1e-9, max_iter=1000)
    got = geometric_median(points, tol=np.float32(1e-9), max_iter=np.int64(1000))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_invalid_points():
    # Non-finite points are refused.
    with pytest.raises(ValueError, match="finite"):
        geometric_median([[0.0], [np.nan]])


@pytest.mark.parametrize("name", sorted(AGGREGATORS))
def test_every_aggregator_maps_a_cloud_to_one_point_inside_its_box(name):
    # Each named aggregator takes (r**h, D) hypotheses to one D-vector inside
    # their bounding box.
    rng = np.random.default_rng(2)
    points = rng.normal(size=(5**2, 3))
    centre = AGGREGATORS[name](points)
    assert centre.shape == (3,)
    assert (centre >= points.min(axis=0) - 1e-12).all()
    assert (centre <= points.max(axis=0) + 1e-12).all()


def _site_models(n_models, seed=0):
    """Logistic regressions fitted on disjoint slices of one problem."""
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(
        n_samples=300 * n_models,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        random_state=seed,
    )
    models = [
        LogisticRegression().fit(X[i::n_models], y[i::n_models])
        for i in range(n_models)
    ]
    return models, X, y


def test_aggregate_power_count_is_the_iterated_radon_point():
    # With r**h models (r = D + 2 = 7 here) and no shuffle effect on the
    # set, the result holds the iterated Radon point of their hypotheses.
    from radonlearn import aggregate, iterated_radon_point

    models, _, _ = _site_models(49)
    combined = aggregate(models, random_state=0)
    vectors = np.array(
        [np.concatenate([m.coef_.ravel(), m.intercept_]) for m in models]
    )
    order = np.random.RandomState(0).permutation(49)
    expected = iterated_radon_point(vectors[order])
    np.testing.assert_allclose(
        np.concatenate([combined.coef_.ravel(), combined.intercept_]), expected
    )


@pytest.mark.parametrize("n_models", [7, 10, 48, 50, 60])
def test_aggregate_any_count_uses_every_model_and_stays_in_the_hull(n_models):
    # Counts that are not powers of r still give a model inside the hull of
    # the hypotheses that scores like the sites.
    from _geometry import hull_distance

    from radonlearn import aggregate

    models, X, y = _site_models(n_models)
    combined = aggregate(models, random_state=1)
    vectors = np.array(
        [np.concatenate([m.coef_.ravel(), m.intercept_]) for m in models]
    )
    point = np.concatenate([combined.coef_.ravel(), combined.intercept_])
    assert hull_distance(vectors, point) <= 1e-9
    assert combined.score(X, y) >= min(m.score(X, y) for m in models) - 0.01


def test_aggregate_methods_and_errors():
    # "mean" averages; too few models for "radon", mixed classes, mixed
    # shapes and unknown methods are refused with the reason.
    from sklearn.linear_model import LogisticRegression, Ridge

    from radonlearn import aggregate

    models, X, y = _site_models(7)
    mean = aggregate(models, method="mean")
    np.testing.assert_allclose(mean.coef_, np.mean([m.coef_ for m in models], axis=0))
    assert aggregate(models, method="geometric_median").coef_.shape == (1, 4)
    with pytest.raises(ValueError, match="at least r = D \\+ 2 = 7 models"):
        aggregate(models[:6])
    with pytest.raises(TypeError, match="one class"):
        aggregate([*models, Ridge().fit(X, y)])
    with pytest.raises(ValueError, match="coef_ of shape"):
        aggregate([*models, LogisticRegression().fit(X[:, :3], y)], method="mean")
    with pytest.raises(ValueError, match="method must be"):
        aggregate(models, method="vote")
    with pytest.raises(ValueError, match="at least one"):
        aggregate([])


# aggregate() of every kind of model the package produces: Radon machines
# predict through estimator_, searches through best_estimator_.


def _site_machines(kind, n_sites=9, frame=False, seed=0):
    """Radon machines fitted on disjoint slices of one problem (height 1), and X."""
    import pandas as pd
    from sklearn.base import clone
    from sklearn.datasets import make_classification, make_regression
    from sklearn.linear_model import LogisticRegression, Ridge

    from radonlearn import RadonMachineClassifier, RadonMachineRegressor

    if kind == "classifier":
        X, y = make_classification(
            800 * n_sites, n_features=4, n_informative=3, n_redundant=0,
            random_state=seed,
        )
        machine = RadonMachineClassifier(LogisticRegression(), height=1)
    else:
        X, y = make_regression(
            800 * n_sites, n_features=4, noise=5.0, random_state=seed
        )
        machine = RadonMachineRegressor(Ridge(), height=1)
    if frame:
        X = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    rows = [np.arange(site, len(y), n_sites) for site in range(n_sites)]
    sites = [
        clone(machine)
        .set_params(random_state=site)
        .fit(X.iloc[part] if frame else X[part], y[part])
        for site, part in enumerate(rows)
    ]
    return sites, X


def _aggregated_vector(models, method):
    """The sites' coefficient vectors aggregated independently of aggregate()."""
    from radonlearn import radon_point

    vectors = np.array(
        [np.r_[np.ravel(m.estimator_.coef_), np.ravel(m.estimator_.intercept_)]
         for m in models]
    )  # fmt: skip
    if method == "radon":
        # r <= n < r**2 sites: the tree is one Radon point of them all.
        assert vectors.shape[1] + 2 <= len(models) < (vectors.shape[1] + 2) ** 2
        order = np.random.RandomState(0).permutation(len(models))
        return radon_point(vectors[order])
    return vectors.mean(axis=0) if method == "mean" else method(vectors)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize(
    "method", ["radon", "mean", lambda points: points[::2].mean(axis=0)],
    ids=["radon", "mean", "callable"],
)  # fmt: skip
def test_aggregate_of_machines_predicts_with_the_aggregate(kind, method):
    # The aggregate of site machines predicts exactly like a plain inner
    # model loaded with the aggregated coefficients, not like site 0 (it
    # returned site 0 with coef_ replaced, which predicts through estimator_).
    import copy

    sites, X = _site_machines(kind)
    combined = aggregate_models(sites, method=method)
    vector = _aggregated_vector(sites, method)
    loaded = copy.deepcopy(sites[0].estimator_)
    loaded.coef_ = vector[:-1].reshape(loaded.coef_.shape)
    loaded.intercept_ = vector[-1:].reshape(np.shape(loaded.intercept_))
    score = "decision_function" if kind == "classifier" else "predict"
    got = getattr(combined, score)(X)
    np.testing.assert_allclose(got, getattr(loaded, score)(X), rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(combined.predict(X), loaded.predict(X))
    site_0 = getattr(sites[0], score)(X)
    assert np.abs(got - site_0).max() > 1e-3 * np.abs(site_0).max()


def aggregate_models(models, **kwargs):
    """``radonlearn.aggregate`` with the seed the tests' own aggregation uses."""
    from radonlearn import aggregate

    return aggregate(models, random_state=0, **kwargs)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_aggregate_of_machines_is_a_complete_fitted_machine(kind):
    # The result is a fitted machine of the sites' class and parameters whose
    # estimator_, coef_, intercept_ and feature names describe the aggregate,
    # whose hypotheses_ are the sites' models, and which leaves them alone.
    from sklearn.base import clone
    from sklearn.utils.validation import check_is_fitted

    sites, X = _site_machines(kind, frame=True)
    before = [site.predict(X) for site in sites]
    combined = aggregate_models(sites)
    check_is_fitted(combined)
    assert type(combined) is type(sites[0])
    assert type(combined.estimator_) is type(sites[0].estimator_)
    assert repr(combined.get_params()) == repr(sites[0].get_params())
    assert combined.estimator_ is not sites[0].estimator_
    np.testing.assert_array_equal(combined.coef_, combined.estimator_.coef_)
    np.testing.assert_array_equal(combined.intercept_, combined.estimator_.intercept_)
    assert list(combined.feature_names_in_) == ["a", "b", "c", "d"]
    assert combined.n_features_in_ == 4
    expected_rows = [
        np.r_[np.ravel(s.estimator_.coef_), np.ravel(s.estimator_.intercept_)]
        for s in sites
    ]
    np.testing.assert_array_equal(combined.hypotheses_, expected_rows)
    assert combined.n_shards_ == len(sites)
    assert combined.radon_number_ == combined.hypotheses_.shape[1] + 2
    assert len(combined.aggregation_levels_) == combined.height_ + 1
    np.testing.assert_array_equal(
        combined.aggregation_levels_[-1][0],
        np.r_[np.ravel(combined.coef_), np.ravel(combined.intercept_)],
    )
    assert "aggregate: 9 fitted" in combined.height_plan_["reason"]
    if kind == "classifier":
        np.testing.assert_array_equal(combined.classes_, sites[0].classes_)
        np.testing.assert_allclose(
            combined.predict_proba(X), combined.estimator_.predict_proba(X)
        )
    assert 0.5 < combined.score(X, sites[0].predict(X)) <= 1.0
    for site, predictions in zip(sites, before, strict=True):
        np.testing.assert_array_equal(site.predict(X), predictions)
    clone(combined).fit(X.iloc[:2000], sites[0].predict(X.iloc[:2000]))


def test_aggregate_of_searches_aggregates_their_best_models():
    # GridSearchCV sites contribute their best_estimator_: the aggregate is a
    # model of the best model's class holding the aggregate of those.
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = make_classification(2700, n_features=3, n_redundant=0, random_state=1)
    searches = [
        GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=3).fit(
            X[i::9], y[i::9]
        )
        for i in range(9)
    ]
    best = [search.best_estimator_ for search in searches]
    combined = aggregate_models(searches, method="mean")
    assert type(combined) is LogisticRegression
    expected = aggregate_models(best, method="mean")
    np.testing.assert_array_equal(combined.coef_, expected.coef_)
    np.testing.assert_array_equal(combined.intercept_, expected.intercept_)
    np.testing.assert_allclose(
        combined.coef_, np.mean([m.coef_ for m in best], axis=0), rtol=1e-12
    )


def test_aggregate_of_searches_over_machines_is_a_machine():
    # A search whose best model is a Radon machine gives a machine holding
    # the aggregate of the machines' estimator_s.
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    sites, X = _site_machines("regressor", n_sites=6)
    y = sites[0].predict(X)
    searches = [
        GridSearchCV(clone(site), {"height": [0, 1]}, cv=2)
        .fit(X[i::3], y[i::3])
        for i, site in enumerate(sites[:3])
    ]
    combined = aggregate_models(searches, method="mean")
    best = [search.best_estimator_ for search in searches]
    assert type(combined) is type(sites[0])
    expected = np.mean([m.estimator_.coef_ for m in best], axis=0)
    np.testing.assert_allclose(combined.estimator_.coef_, expected, rtol=1e-12)
    np.testing.assert_allclose(
        combined.predict(X), combined.estimator_.predict(X), rtol=1e-12
    )


def test_machines_and_plain_models_are_not_mixed():
    # A Radon machine among plain models of its inner class is refused by
    # name: aggregate returns one model of one class.
    sites, _ = _site_machines("regressor", n_sites=6)
    plain = [site.estimator_ for site in sites]
    with pytest.raises(TypeError, match=r"model 3 is a .*Ridge, model 0 a .*Radon"):
        aggregate_models([*sites[:3], *plain[3:]], method="mean")
    with pytest.raises(TypeError, match=r"model 3 is a .*Radon.*model 0 a .*Ridge"):
        aggregate_models([*plain[:3], *sites[3:]], method="mean")


def test_aggregate_of_plain_models_keeps_no_site_state():
    # A plain aggregate is model 0's copy: its n_iter_, and HuberRegressor's
    # scale_ and outliers_ (a mask of site 0's rows) are removed; it predicts
    # with the aggregated coefficients and keeps model 0's parameters.
    from sklearn.datasets import make_regression
    from sklearn.linear_model import HuberRegressor

    from radonlearn import aggregate

    X, y = make_regression(900, n_features=3, noise=5.0, random_state=0)
    sites = [HuberRegressor(epsilon=1.5).fit(X[i::9], y[i::9]) for i in range(9)]
    combined = aggregate(sites, method="mean")
    for name in ("n_iter_", "scale_", "outliers_"):
        assert hasattr(sites[0], name) and not hasattr(combined, name)
    coef = np.mean([site.coef_ for site in sites], axis=0)
    intercept = np.mean([site.intercept_ for site in sites])
    np.testing.assert_allclose(combined.predict(X), X @ coef + intercept, rtol=1e-12)
    assert combined.get_params() == sites[0].get_params()
