"""scikit-learn's estimator checks on both Radon machines."""

from sklearn.base import clone
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.utils.estimator_checks import parametrize_with_checks

from radonlearn import RadonMachineClassifier, RadonMachineRegressor

# min_samples_per_shard=5 lets the checks' small data be really sharded
# (height_ >= 1 whenever every class has at least D + 2 rows).
ESTIMATORS = [
    RadonMachineClassifier(random_state=0),
    RadonMachineClassifier(RidgeClassifier(), random_state=0),
    RadonMachineClassifier(
        SGDClassifier(max_iter=50, tol=None), min_samples_per_shard=5, random_state=0
    ),
    RadonMachineClassifier(
        LogisticRegression(), min_samples_per_shard=5, random_state=0
    ),
    RadonMachineRegressor(random_state=0),
    RadonMachineRegressor(LinearRegression(), random_state=0),
    RadonMachineRegressor(
        SGDRegressor(max_iter=50, tol=None), min_samples_per_shard=5, random_state=0
    ),
    RadonMachineRegressor(Ridge(), min_samples_per_shard=5, random_state=0),
]


def expected_failed_checks(estimator):
    """Checks a Radon machine fails by design, each with its reason."""
    if not isinstance(estimator.estimator, (SGDClassifier, SGDRegressor)):
        return {}
    # scikit-learn grants SGDClassifier and SGDRegressor themselves (and
    # BaggingClassifier) this failure: their sample_weight is not equivalent
    # to repeating rows; the Radon machine passes the weights on unchanged.
    reason = "the inner SGD estimator's sample_weight is not row repetition"
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    # Every scikit-learn estimator check passes, except those listed above.
    check(estimator)


def test_sharded_configurations_really_shard():
    # The min_samples_per_shard=5 configurations fit more than one shard on
    # data the size of the common checks' (200 rows, 10 features; 3 blobs).
    from sklearn.datasets import make_blobs
    from sklearn.utils.estimator_checks import _regression_dataset

    X, y = _regression_dataset()
    X_blobs, y_blobs = make_blobs(n_samples=300, centers=3, random_state=0)
    for estimator in ESTIMATORS:
        if estimator.min_samples_per_shard == "auto":
            continue
        if isinstance(estimator, RadonMachineRegressor):
            fitted = clone(estimator).fit(X, y)
        else:
            fitted = clone(estimator).fit(X_blobs, y_blobs)
        assert fitted.height_ >= 1
        assert fitted.hypotheses_.shape[0] == fitted.n_shards_ > 1
