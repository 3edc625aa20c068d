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
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        geometric_median(rng.normal(size=(50, 4)), max_iter=1)


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
