"""Behaviour of RadonMachineClassifier and RadonMachineRegressor."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import config_context, get_config
from sklearn.base import clone
from sklearn.cross_decomposition import PLSRegression
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import (
    BayesianRidge,
    ElasticNet,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    Perceptron,
    PoissonRegressor,
    QuantileRegressor,
    Ridge,
    RidgeClassifier,
    RidgeCV,
    SGDClassifier,
    SGDRegressor,
    TweedieRegressor,
)
from sklearn.metrics import mean_absolute_error, roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeRegressor

from radonlearn import RadonMachineClassifier, RadonMachineRegressor
from radonlearn import _planning as rplanning
from radonlearn._engines import _local as rlocal
from radonlearn._fitting import rows as _rows
from radonlearn._fitting import uses_global_rng
from radonlearn._threadpools import release_freed_memory


@pytest.fixture(scope="module")
def binary():
    """A standardised binary problem split into train and test."""
    X, y = make_classification(
        n_samples=6000, n_features=6, n_informative=4, n_redundant=0, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def multiclass():
    """A standardised three-class problem split into train and test."""
    X, y = make_classification(
        n_samples=6000,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        random_state=1,
    )
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def regression():
    """A standardised linear regression problem split into train and test."""
    X, y = make_regression(n_samples=6000, n_features=5, noise=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.3, random_state=0)


CLASSIFIERS = [
    LogisticRegression(),
    SGDClassifier(loss="log_loss", random_state=0),
    SGDClassifier(loss="hinge", random_state=0),
    LinearSVC(),
    RidgeClassifier(),
    Perceptron(random_state=0),
    # Searches refit many times: left out of the fast loop.
    pytest.param(LogisticRegressionCV(Cs=3, cv=3), marks=pytest.mark.slow),
    pytest.param(
        GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3),
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize("inner", CLASSIFIERS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("problem", ["binary", "multiclass"])
def test_classifiers_score_like_the_full_fit(inner, problem, request):
    # Every supported linear classifier, sharded (height >= 1), scores close
    # to the same classifier fitted on all rows.
    X_train, X_test, y_train, y_test = request.getfixturevalue(problem)
    machine = RadonMachineClassifier(inner, height=1, random_state=0).fit(
        X_train, y_train
    )
    full = clone(inner).fit(X_train, y_train)
    assert machine.height_ >= 1
    assert machine.hypotheses_.shape == (machine.n_shards_, machine.radon_number_ - 2)
    assert type(machine.estimator_) is type(getattr(full, "best_estimator_", full))
    assert machine.score(X_test, y_test) >= full.score(X_test, y_test) - 0.03
    np.testing.assert_array_equal(machine.classes_, np.unique(y_train))


REGRESSORS = [
    (LinearRegression(), "r2"),
    (Ridge(), "r2"),
    (Lasso(alpha=0.1), "r2"),
    (ElasticNet(alpha=0.1), "r2"),
    (SGDRegressor(random_state=0), "r2"),
    (HuberRegressor(), "r2"),
    (QuantileRegressor(alpha=0.0, solver="highs"), "mae"),
    (LinearSVR(), "mae"),
]


@pytest.mark.parametrize(("inner", "metric"), REGRESSORS, ids=lambda e: str(e)[:20])
def test_regressors_score_like_the_full_fit(inner, metric, regression):
    # Every supported linear regressor, sharded, scores close to the full fit.
    X_train, X_test, y_train, y_test = regression
    if isinstance(inner, QuantileRegressor):
        X_train, y_train = X_train[:2000], y_train[:2000]
    machine = RadonMachineRegressor(inner, height=1, random_state=0)
    machine.fit(X_train, y_train)
    full = clone(inner).fit(X_train, y_train)
    assert machine.height_ >= 1
    if metric == "r2":
        assert machine.score(X_test, y_test) >= full.score(X_test, y_test) - 0.02
    else:
        full_error = mean_absolute_error(y_test, full.predict(X_test))
        error = mean_absolute_error(y_test, machine.predict(X_test))
        assert error <= 1.1 * full_error


@pytest.mark.parametrize("inner", [PoissonRegressor(), TweedieRegressor(power=1.5)])
def test_positive_target_regressors(inner):
    # Log-link GLMs aggregate like the rest: close deviance score to the full fit.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 4))
    y = rng.poisson(np.exp(0.3 * X @ np.array([1.0, -0.5, 0.2, 0.0]) + 1.0))
    machine = RadonMachineRegressor(inner, height=1, random_state=0)
    machine.fit(X, y)
    full = clone(inner).fit(X, y)
    assert machine.height_ >= 1
    assert machine.score(X, y) >= full.score(X, y) - 0.02


def test_multi_output_and_no_intercept(regression):
    # Multi-output coefficients (k, d) round-trip, and an intercept fixed at
    # zero is not aggregated (D counts the coefficients only).
    X_train, _, y_train, _ = regression
    Y = np.column_stack([y_train, -2 * y_train + 1])
    machine = RadonMachineRegressor(Ridge(), height=1, random_state=0)
    machine.fit(X_train, Y)
    assert machine.coef_.shape == (2, X_train.shape[1])
    assert machine.radon_number_ == 2 * (X_train.shape[1] + 1) + 2
    assert machine.predict(X_train).shape == Y.shape
    plain = RadonMachineRegressor(
        Ridge(fit_intercept=False), height=1, random_state=0
    ).fit(X_train, y_train)
    assert plain.radon_number_ == X_train.shape[1] + 2
    assert plain.intercept_ == 0.0


def test_height_zero_is_the_inner_estimator(binary):
    # Height 0 is one fit on all rows: the same model as fitting the inner
    # estimator directly.
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(LogisticRegression(), height=0).fit(
        X_train, y_train
    )
    full = LogisticRegression().fit(X_train, y_train)
    assert machine.n_shards_ == 1
    np.testing.assert_allclose(machine.coef_, full.coef_)
    np.testing.assert_allclose(machine.intercept_, full.intercept_)


def test_radon_point_of_hypotheses_is_the_model(binary):
    # The fitted model holds the iterated Radon point of hypotheses_.
    from radonlearn import iterated_radon_point

    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    expected = iterated_radon_point(machine.hypotheses_)
    np.testing.assert_allclose(
        np.concatenate([machine.coef_.ravel(), machine.intercept_]), expected
    )


@pytest.mark.parametrize("aggregation", ["mean", "median", "geometric_median"])
def test_aggregations_share_one_shard_plan(aggregation, binary):
    # Every aggregation sees the same shard models for the same random_state,
    # and "mean" is their plain average.
    X_train, _, y_train, _ = binary
    radon = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    other = RadonMachineClassifier(
        height=1, aggregation=aggregation, random_state=0
    ).fit(X_train, y_train)
    np.testing.assert_allclose(other.hypotheses_, radon.hypotheses_)
    if aggregation == "mean":
        vector = np.concatenate([other.coef_.ravel(), other.intercept_])
        np.testing.assert_allclose(vector, radon.hypotheses_.mean(axis=0))


def test_callable_aggregation(binary):
    # A callable aggregation receives the (n_shards, D) hypotheses.
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(
        height=1, aggregation=lambda h: h[0], random_state=0
    ).fit(X_train, y_train)
    np.testing.assert_allclose(machine.coef_.ravel(), machine.hypotheses_[0, :-1])


def test_bad_callable_aggregation(binary):
    # A callable returning the wrong shape is refused and leaves no fit behind.
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(height=1, aggregation=lambda h: h[:2])
    with pytest.raises(ValueError, match="shape"):
        machine.fit(X_train, y_train)
    with pytest.raises(NotFittedError):
        machine.predict(X_train)


def test_auto_height_follows_the_rows_per_parameter_rule():
    # "auto" considers the heights whose shards hold 15 D rows (and at least
    # 50): D = 6 gives r = 8; 8**2 * 90 = 5760 rows allow height 2. Within
    # them it picks the fastest, never a larger one.
    X, y = make_regression(n_samples=5760, n_features=5, random_state=0)
    for rows, allowed in [(5760, 2), (5759, 1), (719, 0)]:
        machine = RadonMachineRegressor(random_state=0).fit(X[:rows], y[:rows])
        assert machine.height_plan_.get("largest_height", 0) == allowed
        assert machine.height_ <= allowed


@pytest.mark.slow
def test_stratified_shards_hold_every_class():
    # A rare class is spread so that every shard sees it, which lets the
    # machine shard as far as the rarest class allows.
    X, y = make_classification(
        n_samples=20_000,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        weights=[0.99],
        flip_y=0,
        random_state=0,
    )
    rare = np.bincount(y).min()
    machine = RadonMachineClassifier(random_state=0).fit(X, y)
    assert 6 ** machine.height_plan_["largest_height"] <= rare
    machine = RadonMachineClassifier(height=2, random_state=0).fit(X, y)
    assert machine.n_shards_ == 36 <= rare


@pytest.mark.parametrize(
    "machine_class, inner",
    [(RadonMachineClassifier, RidgeClassifier()), (RadonMachineRegressor, Ridge())],
)
def test_auto_and_explicit_height_fit_the_same_shards(
    monkeypatch, machine_class, inner
):
    # height="auto" lays out the rows for every allowed height and draws its
    # pilots' rows from a stream of its own; the height it picks gets the
    # shards an explicit height gets from the same random_state.
    X, y = make_classification(
        n_samples=12_000, n_features=4, n_informative=3, n_redundant=0, random_state=3
    )
    if machine_class is RadonMachineRegressor:
        y = X @ np.arange(1.0, 5.0) + np.random.default_rng(0).normal(size=len(y))
    monkeypatch.setattr(rplanning, "fastest_height", lambda predicted: 1)
    monkeypatch.setattr(rlocal, "cannot_pay", lambda *args: "")  # plan anyway
    auto = machine_class(inner, random_state=5).fit(X, y)
    assert auto.height_ == 1 and auto.height_plan_["largest_height"] >= 2
    explicit = machine_class(inner, height=1, random_state=5).fit(X, y)
    np.testing.assert_allclose(auto.hypotheses_, explicit.hypotheses_, rtol=1e-9)
    np.testing.assert_allclose(auto.coef_, explicit.coef_, rtol=1e-9)


class NeedsManyRows(LogisticRegression):
    """A classifier that refuses to fit fewer than 100 rows."""

    def fit(self, X, y, sample_weight=None):
        if len(X) < 100:
            raise ValueError("needs 100 rows")
        return super().fit(X, y, sample_weight)


def test_overhead_pilot_failure_falls_back_to_the_pilots(monkeypatch):
    # The per-fit overhead is timed on a tiny sample; a learner that cannot
    # fit it is planned from its other pilots (half the quickest), and fits.
    X, y = make_classification(
        n_samples=60_000, n_features=5, n_redundant=0, random_state=0
    )
    monkeypatch.setattr(rlocal, "cannot_pay", lambda *args: "")  # plan anyway
    machine = RadonMachineClassifier(NeedsManyRows(), random_state=0).fit(X, y)
    model = machine.height_plan_["cost_model"]
    assert model["overhead"] == pytest.approx(0.5 * min(model["seconds"]))
    plain = RadonMachineClassifier(LogisticRegression(), random_state=0).fit(X, y)
    plain_model = plain.height_plan_["cost_model"]
    assert plain_model["overhead"] <= 0.5 * min(plain_model["seconds"])


@pytest.mark.slow
def test_pilot_rows_hold_every_class(monkeypatch):
    # A class too rare to be drawn among the pilot rows is added to them,
    # so that the pilot models have every class.
    rng = np.random.default_rng(0)
    y = np.zeros(200_000, dtype=int)
    y[rng.choice(len(y), 30, replace=False)] = 1
    y[rng.choice(np.flatnonzero(y == 0), 30, replace=False)] = 2
    X = rng.normal(size=(len(y), 2)) + y[:, None]
    seen = []
    original = rlocal.time_fit

    def recording(estimator, X, y, indices, *args, **kwargs):
        seen.append(np.unique(y[indices]).size)
        return original(estimator, X, y, indices, *args, **kwargs)

    monkeypatch.setattr(rlocal, "time_fit", recording)
    RadonMachineClassifier(random_state=0).fit(X, y)
    assert seen and min(seen) == 3


def test_explicit_height_too_high_names_the_shortfall(binary):
    # An explicit height the data cannot fill says how many rows, or which
    # class, fall short, and leaves nothing fitted.
    X_train, _, y_train, _ = binary
    y_rare = y_train.copy()
    y_rare[np.flatnonzero(y_rare == 1)[50:]] = 0
    machine = RadonMachineClassifier(height=2)
    with pytest.raises(ValueError, match=r"class 1 has only 50 rows"):
        machine.fit(X_train, y_rare)
    assert not hasattr(machine, "estimator_")
    assert not hasattr(machine, "n_features_in_")
    with pytest.raises(ValueError, match=r"rows each.*short"):
        RadonMachineClassifier(height=2, min_samples_per_shard=100).fit(
            X_train, y_train
        )


@pytest.mark.parametrize(
    "inner",
    [DecisionTreeRegressor(), make_pipeline(StandardScaler(), Ridge())],
    ids=["tree", "pipeline"],
)
def test_estimator_without_coef_is_refused(inner, regression):
    # Estimators without coef_ get a TypeError that says to move preprocessing
    # outside the Radon machine.
    X_train, _, y_train, _ = regression
    machine = RadonMachineRegressor(inner)
    with pytest.raises(TypeError, match="outside"):
        machine.fit(X_train, y_train)
    assert not hasattr(machine, "n_features_in_")


def test_knn_classifier_is_refused(binary):
    # k-NN has no coefficients either.
    X_train, _, y_train, _ = binary
    with pytest.raises(TypeError, match="coef_"):
        RadonMachineClassifier(KNeighborsClassifier()).fit(X_train, y_train)


@pytest.mark.parametrize(
    "inner",
    [
        Ridge(),
        SGDRegressor(),
        LinearSVR(),
        GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}),
        RadonMachineRegressor(Ridge()),
    ],
    ids=["ridge", "sgd_regressor", "linear_svr", "search_of_ridge", "machine"],
)
def test_classifier_machine_refuses_a_regressor(inner, binary):
    # RadonMachineClassifier(Ridge()) "classified" with floats: refused before
    # any fit, naming the estimator and the machine to use instead, and
    # leaving no fitted state (not even after an earlier successful fit).
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(height=0).fit(X_train, y_train)
    machine.set_params(estimator=inner)
    with pytest.raises(
        ValueError,
        match=r"needs a classifier as its estimator, got .*a regressor.*"
        r"Use RadonMachineRegressor\(",
    ):
        machine.fit(X_train, y_train)
    assert not [name for name in vars(machine) if name.endswith("_")]
    with pytest.raises(ValueError, match="needs a classifier"):
        RadonMachineClassifier(inner).partial_fit(X_train, y_train, classes=[0, 1])


@pytest.mark.parametrize(
    "inner",
    [
        LogisticRegression(),
        RidgeClassifier(),
        LinearSVC(),
        GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}),
        LogisticRegressionCV(),
    ],
    ids=["logistic", "ridge_classifier", "linear_svc", "search_of_logistic", "lrcv"],
)
def test_regressor_machine_refuses_a_classifier(inner, regression):
    # RadonMachineRegressor(LogisticRegression()) predicted labels: refused,
    # naming the classifier machine instead.
    X_train, _, y_train, _ = regression
    machine = RadonMachineRegressor(inner)
    with pytest.raises(
        ValueError,
        match=r"needs a regressor as its estimator, got .*a classifier.*"
        r"Use RadonMachineClassifier\(",
    ):
        machine.fit(X_train, np.round(y_train))
    assert not hasattr(machine, "n_features_in_")


class _Untyped(Ridge):
    """A Ridge that scikit-learn calls neither classifier nor regressor."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        return tags


def test_estimator_of_no_kind_is_refused_with_the_mixin_to_use(regression):
    # An estimator with no declared kind is refused, naming the mixin that
    # declares it.
    X_train, _, y_train, _ = regression
    with pytest.raises(ValueError, match=r"neither a classifier.*RegressorMixin"):
        RadonMachineRegressor(_Untyped()).fit(X_train, y_train)


@pytest.mark.parametrize(
    ("machine", "inner"),
    [
        (RadonMachineClassifier, GridSearchCV(LogisticRegression(), {"C": [1.0]})),
        (RadonMachineClassifier, LogisticRegressionCV(Cs=2)),
        (RadonMachineClassifier, RadonMachineClassifier(height=0)),
        (RadonMachineRegressor, GridSearchCV(Ridge(), {"alpha": [1.0]})),
        (RadonMachineRegressor, RadonMachineRegressor(height=0)),
    ],
    ids=["search_classifier", "lrcv", "machine_classifier", "search_regressor",
         "machine_regressor"],
)  # fmt: skip
@pytest.mark.filterwarnings("ignore::FutureWarning")  # LogisticRegressionCV 1.9
def test_searches_and_machines_of_the_right_kind_are_accepted(
    machine, inner, binary, regression
):
    # A search is judged by the estimator it searches over, a machine by its
    # own kind: of the right kind, they fit and predict like their best model.
    X_train, X_test, y_train, _ = (
        binary if machine is RadonMachineClassifier else regression
    )
    fitted = machine(inner, height=1, random_state=0).fit(X_train, y_train)
    np.testing.assert_array_equal(
        fitted.predict(X_test), fitted.estimator_.predict(X_test)
    )


def test_transplant_check_refuses_pls(regression):
    # PLSRegression predicts with fitted means besides coef_: refused by name.
    X_train, _, y_train, _ = regression
    with pytest.raises(TypeError, match="PLSRegression"):
        RadonMachineRegressor(PLSRegression(n_components=2), height=1).fit(
            X_train, y_train
        )


class PoisonedRidge(Ridge):
    """Ridge that returns infinite coefficients on shards holding a huge row."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        if (np.abs(X[:, 0]) > 100).any():
            self.coef_ = np.full_like(self.coef_, np.inf)
        return self


def test_non_finite_shard_model_is_named(regression):
    # A shard model with non-finite coefficients is reported by shard number.
    X_train, _, y_train, _ = regression
    X = X_train.copy()
    X[7, 0] = 1e3
    machine = RadonMachineRegressor(PoisonedRidge(), height=1, random_state=0)
    with pytest.raises(ValueError, match=r"Shard \d+ \(of 8; 1 in all\).*non-finite"):
        machine.fit(X, y_train)
    assert not hasattr(machine, "hypotheses_")


def test_nan_in_X_gets_sklearns_error(binary):
    # NaN for an inner estimator that cannot take it: scikit-learn's error.
    X_train, _, y_train, _ = binary
    X = X_train.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RadonMachineClassifier().fit(X, y_train)


_SEEN_CONFIG = []


class ConfigRecordingLR(LogisticRegression):
    """LogisticRegression that records scikit-learn's ``assume_finite``."""

    def fit(self, X, y, sample_weight=None):
        _SEEN_CONFIG.append(get_config()["assume_finite"])
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("height", [0, 1, "auto"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_inner_fits_skip_the_finiteness_pass_fit_already_made(binary, height, n_jobs):
    # fit checks X for NaN and infinity once; the pilots and shard fits (in
    # this thread and in joblib threads) are told so, and the caller's
    # configuration is left as it was.
    X_train, _, y_train, _ = binary
    _SEEN_CONFIG.clear()
    RadonMachineClassifier(
        ConfigRecordingLR(), height=height, n_jobs=n_jobs, random_state=0
    ).fit(X_train, y_train)
    assert _SEEN_CONFIG and all(_SEEN_CONFIG)
    assert get_config()["assume_finite"] is False
    X = X_train.copy()
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        RadonMachineClassifier(ConfigRecordingLR(), height=height).fit(X, y_train)


def test_integer_labels_skip_the_target_check_float_labels_do_not(binary):
    # Integer and boolean labels are always classes; continuous floats are
    # still refused with scikit-learn's error.
    X_train, _, y_train, _ = binary
    for labels in (
        y_train.astype(np.int8),
        y_train.astype(bool),
        y_train.astype(np.uint64) + 2**40,  # far from zero, unsigned 64-bit
        y_train.astype(np.uint64),
    ):
        machine = RadonMachineClassifier(height=1, random_state=0).fit(X_train, labels)
        np.testing.assert_array_equal(machine.classes_, np.unique(labels))
    with pytest.raises(ValueError, match="continuous"):
        RadonMachineClassifier().fit(X_train, y_train + 0.5 * X_train[:, 0])


def test_one_class_is_refused(binary):
    # A target with one class cannot train a classifier.
    X_train, _, _, _ = binary
    with pytest.raises(ValueError, match="only one class"):
        RadonMachineClassifier().fit(X_train, np.zeros(len(X_train)))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_rows_match_dense(fmt, binary):
    # Sparse CSR and CSC rows give the same model as the dense rows.
    X_train, X_test, y_train, _ = binary
    dense = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    sparse_X = sparse.csr_matrix(X_train).asformat(fmt)
    fitted = RadonMachineClassifier(height=1, random_state=0).fit(sparse_X, y_train)
    np.testing.assert_allclose(fitted.coef_, dense.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        fitted.decision_function(sparse.csr_matrix(X_test)),
        dense.decision_function(X_test),
        rtol=1e-6,
        atol=1e-8,
    )


def test_dataframe_feature_names(binary):
    # Feature names are kept and checked at prediction time.
    X_train, X_test, y_train, _ = binary
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    frame = pd.DataFrame(X_train, columns=columns)
    machine = RadonMachineClassifier(height=1, random_state=0).fit(frame, y_train)
    np.testing.assert_array_equal(machine.feature_names_in_, columns)
    machine.predict(pd.DataFrame(X_test, columns=columns))
    with pytest.raises(ValueError, match="feature names"):
        machine.predict(pd.DataFrame(X_test, columns=columns[::-1]))


@pytest.mark.parametrize("height", [0, 1])
def test_estimator_checks_the_columns_like_the_machine(height, binary):
    # After a DataFrame fit, estimator_ has the machine's feature names and
    # count: reordered columns are an error (they only warned, and agreed
    # with the right predictions on about half of the rows), the right
    # columns predict like the machine, and neither warns.
    X_train, X_test, y_train, _ = binary
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    frame, test = (
        pd.DataFrame(X_train, columns=columns),
        pd.DataFrame(X_test, columns=columns),
    )
    machine = RadonMachineClassifier(height=height, random_state=0).fit(frame, y_train)
    inner = machine.estimator_
    np.testing.assert_array_equal(inner.feature_names_in_, machine.feature_names_in_)
    assert inner.n_features_in_ == machine.n_features_in_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(inner.predict(test), machine.predict(test))
        machine.predict_proba(test)
    with pytest.raises(ValueError, match="feature names should match"):
        inner.predict(test[columns[::-1]])
    with pytest.warns(UserWarning, match="RadonMachineClassifier was fitted with"):
        machine.predict(X_test)  # one warning, the machine's (not the inner's too)


def test_estimator_of_an_array_fit_has_no_feature_names(binary):
    # Fitted on an array, estimator_ has the count and no names, as a plain
    # fit would.
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    assert machine.estimator_.n_features_in_ == X_train.shape[1]
    assert not hasattr(machine.estimator_, "feature_names_in_")


@pytest.mark.parametrize(
    ("machine", "inner"),
    [
        (RadonMachineClassifier, LogisticRegression()),
        (RadonMachineClassifier, SGDClassifier(random_state=7, alpha=1e-3)),
        (RadonMachineClassifier, LinearSVC(C=0.5)),
        (RadonMachineClassifier,
         GridSearchCV(LogisticRegression(random_state=3), {"C": [0.1, 1.0]})),
        (RadonMachineRegressor, Ridge(alpha=2.0, random_state=None)),
        (RadonMachineRegressor, SGDRegressor(random_state=None)),
    ],
    ids=["logistic", "sgd", "linear_svc", "search", "ridge", "sgd_regressor"],
)  # fmt: skip
def test_estimator_shows_the_parameters_that_were_passed(
    machine, inner, binary, regression
):
    # estimator_.get_params() is what the user passed (for a search: its
    # estimator), not the per-shard seed (it showed a random_state the user
    # never set).
    X_train, _, y_train, _ = binary if machine is RadonMachineClassifier else regression
    fitted = machine(inner, height=1, random_state=0).fit(X_train, y_train)
    given = inner.estimator if isinstance(inner, GridSearchCV) else inner
    assert repr(fitted.estimator_.get_params()) == repr(given.get_params())
    assert fitted.estimator_.get_params()["random_state"] == given.random_state


# The learners the issue names, and the cross-validating ones, whose fitted
# attributes besides the coefficients described shard 0's fit.
_SHARD_STATE_LEARNERS = [
    (RadonMachineClassifier, LogisticRegression()),
    (RadonMachineClassifier, SGDClassifier(random_state=0)),
    (RadonMachineClassifier, LinearSVC()),
    (RadonMachineClassifier, LogisticRegressionCV(Cs=3)),
    (RadonMachineRegressor, Ridge()),
    (RadonMachineRegressor, HuberRegressor()),
    (RadonMachineRegressor, RidgeCV()),
    (RadonMachineRegressor, LinearRegression()),
    (RadonMachineRegressor, BayesianRidge()),
]
_SHARD_STATE_IDS = [
    "logistic", "sgd", "linear_svc", "logistic_cv", "ridge", "huber", "ridge_cv",
    "linear_regression", "bayesian_ridge",
]  # fmt: skip


@pytest.mark.filterwarnings("ignore::FutureWarning")  # LogisticRegressionCV 1.9
@pytest.mark.parametrize(
    ("machine", "inner"), _SHARD_STATE_LEARNERS, ids=_SHARD_STATE_IDS
)
def test_estimator_keeps_no_attribute_of_one_shard(machine, inner, binary, regression):
    # With shards, estimator_'s public fitted attributes are the aggregate's
    # (n_iter_, t_, solver_, Huber's scale_ and outliers_ of shard 0's rows,
    # a CV learner's chosen C_/alpha_ are gone); it is fitted, predicts like
    # the machine and refits as its class.
    from sklearn.utils.validation import check_is_fitted

    from radonlearn._hypotheses import AGGREGATE_ATTRIBUTES

    X_train, X_test, y_train, _ = (
        binary if machine is RadonMachineClassifier else regression
    )
    fitted = machine(inner, height=1, random_state=0).fit(X_train, y_train)
    model = fitted.estimator_
    public = {name for name in vars(model) if name.endswith("_") and name[0] != "_"}
    assert public <= AGGREGATE_ATTRIBUTES
    check_is_fitted(model)
    np.testing.assert_array_equal(model.predict(X_test), fitted.predict(X_test))
    clone(model).fit(X_train[:500], y_train[:500])


def test_one_fit_keeps_its_own_attributes(binary):
    # Height 0 is one fit on all rows: its n_iter_ describes estimator_.
    X_train, _, y_train, _ = binary
    fitted = RadonMachineClassifier(height=0).fit(X_train, y_train)
    plain = LogisticRegression().fit(X_train, y_train)
    np.testing.assert_array_equal(fitted.estimator_.n_iter_, plain.n_iter_)


def test_bayesian_ridge_has_no_one_shard_uncertainty(regression):
    # Without shard 0's sigma_, predict(return_std=True) raises instead of
    # reporting one shard's uncertainty as the aggregate's.
    X_train, X_test, y_train, _ = regression
    fitted = RadonMachineRegressor(BayesianRidge(), height=1, random_state=0)
    fitted.fit(X_train, y_train)
    with pytest.raises(AttributeError, match=r"X_offset_|sigma_"):
        fitted.estimator_.predict(X_test, return_std=True)


def test_sgd_estimator_continues_with_partial_fit(binary):
    # SGD's partial_fit on estimator_ starts its schedule afresh (t_ is one
    # shard's count of updates) and moves on from the aggregate.
    X_train, _, y_train, _ = binary
    fitted = RadonMachineClassifier(
        SGDClassifier(random_state=0), height=1, random_state=0
    )
    model = fitted.fit(X_train, y_train).estimator_
    start = model.coef_.copy()
    model.partial_fit(X_train[:200], y_train[:200])
    assert model.t_ == 1.0 + 200 and not np.array_equal(model.coef_, start)


def test_partial_fit_estimator_is_an_ordinary_model(binary):
    # The streaming tree publishes the same way: the chunks' names and count,
    # the parameters passed, no chunk's fitted attributes after two chunks.
    X_train, _, y_train, _ = binary
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    frame = pd.DataFrame(X_train, columns=columns)
    machine = RadonMachineClassifier(SGDClassifier(random_state=None), random_state=0)
    machine.partial_fit(frame.iloc[:2000], y_train[:2000], classes=[0, 1])
    assert hasattr(machine.estimator_, "n_iter_")  # one chunk: its own fit
    machine.partial_fit(frame.iloc[2000:], y_train[2000:])
    model = machine.estimator_
    assert not hasattr(model, "n_iter_") and not hasattr(model, "t_")
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    assert model.get_params()["random_state"] is None


def test_sample_weight_is_split_with_the_rows(binary):
    # Zero weights act like removed rows: the shards are the same, so
    # weighting a class to zero in every shard removes its influence, and
    # unit weights change nothing.
    X_train, _, y_train, _ = binary
    base = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    ones = RadonMachineClassifier(height=1, random_state=0).fit(
        X_train, y_train, sample_weight=np.ones(len(y_train))
    )
    np.testing.assert_allclose(ones.coef_, base.coef_, rtol=1e-6)
    weights = np.where(np.arange(len(y_train)) % 2 == 0, 1.0, 3.0)
    weighted = RadonMachineClassifier(height=1, random_state=0).fit(
        X_train, y_train, sample_weight=weights
    )
    assert not np.allclose(weighted.coef_, base.coef_)


def test_sample_weight_refused_when_inner_cannot_take_it(binary):
    # An inner estimator without sample_weight gets a clear error.
    X_train, _, y_train, _ = binary
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        RadonMachineClassifier(KNeighborsClassifier()).fit(
            X_train, y_train, sample_weight=np.ones(len(y_train))
        )


def test_sample_weight_through_metadata_routing(binary):
    # With metadata routing on, sample_weight reaches the shards when the
    # inner estimator requests it, and is refused when it does not.
    X_train, _, y_train, _ = binary
    weights = np.where(np.arange(len(y_train)) % 2 == 0, 1.0, 3.0)
    plain = RadonMachineClassifier(height=1, random_state=0).fit(
        X_train, y_train, sample_weight=weights
    )
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        routed = RadonMachineClassifier(inner, height=1, random_state=0).fit(
            X_train, y_train, sample_weight=weights
        )
        with pytest.raises(ValueError, match="sample_weight"):
            RadonMachineClassifier(LogisticRegression(), height=1).fit(
                X_train, y_train, sample_weight=weights
            )
    np.testing.assert_allclose(routed.coef_, plain.coef_)


def test_class_weight_through_the_inner_estimator(binary):
    # class_weight is the inner estimator's business and changes the model.
    X_train, _, y_train, _ = binary
    base = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    weighted = RadonMachineClassifier(
        LogisticRegression(class_weight={0: 1.0, 1: 5.0}), height=1, random_state=0
    ).fit(X_train, y_train)
    assert weighted.intercept_[0] > base.intercept_[0]


def test_n_jobs_does_not_change_the_model(binary):
    # Seeds and shards are drawn in the parent: n_jobs=1 and 2 agree exactly.
    X_train, _, y_train, _ = binary
    inner = SGDClassifier(random_state=0)
    one = RadonMachineClassifier(inner, height=1, n_jobs=1, random_state=3)
    two = RadonMachineClassifier(inner, height=1, n_jobs=2, random_state=3)
    np.testing.assert_array_equal(
        one.fit(X_train, y_train).hypotheses_, two.fit(X_train, y_train).hypotheses_
    )
    np.testing.assert_array_equal(one.coef_, two.coef_)


def _recording_parallel(monkeypatch):
    """Patch the local engine's joblib ``Parallel``; the ``n_jobs`` it gets."""
    from joblib import Parallel

    asked = []

    def parallel(*args, **kwargs):
        asked.append(kwargs.get("n_jobs"))
        return Parallel(*args, **kwargs)

    monkeypatch.setattr(rlocal, "Parallel", parallel)
    return asked


@pytest.mark.parametrize("n_jobs", [10**6, 2000, -1], ids=["million", "2000", "-1"])
def test_absurd_n_jobs_fits_on_the_cores(n_jobs, binary, monkeypatch):
    # n_jobs=10**6 failed in joblib's pre-dispatch and n_jobs=2000 started
    # 2,000 threads for 7 shards: the workers are the cores at most (and the
    # tasks), and the model is the n_jobs=1 model.
    X_train, _, y_train, _ = binary
    asked = _recording_parallel(monkeypatch)
    inner = SGDClassifier(random_state=0)
    big = RadonMachineClassifier(inner, height=1, n_jobs=n_jobs, random_state=3)
    one = RadonMachineClassifier(inner, height=1, n_jobs=1, random_state=3)
    big.fit(X_train, y_train)
    cores = rlocal.available_cores()
    assert big.height_plan_["n_workers"] <= cores
    assert big.fit_times_["n_workers"] <= min(cores, big.n_shards_)
    assert asked and max(asked) <= min(cores, big.n_shards_)
    np.testing.assert_array_equal(big.coef_, one.fit(X_train, y_train).coef_)


@pytest.mark.parametrize("cores", [1, 3, 8])
def test_planner_and_workers_see_the_capped_count(cores, binary, monkeypatch):
    # With the cores patched, height="auto" plans for min(n_jobs, cores)
    # workers (the cost model, the cheap no and the plan all get that count)
    # and joblib is never asked for more, nor for more than the tasks.
    X_train, _, y_train, _ = binary
    monkeypatch.setattr(rlocal, "available_cores", lambda: cores)
    planned = []
    real_choose = rlocal.choose_height

    def cannot_pay(*args):
        planned.append(args[4])  # n_workers
        return ""  # go on planning, so that the cost model is asked too

    def choose_height(plan, n_samples, pilots, costs, *rest):
        planned.append(costs.n_workers)
        return real_choose(plan, n_samples, pilots, costs, *rest)

    monkeypatch.setattr(rlocal, "cannot_pay", cannot_pay)
    monkeypatch.setattr(rlocal, "choose_height", choose_height)
    asked = _recording_parallel(monkeypatch)
    for height in ("auto", 1):
        machine = RadonMachineClassifier(
            LogisticRegression(),
            height=height,
            min_samples_per_shard=50,
            n_jobs=2000,
            random_state=0,
        ).fit(X_train, y_train)
        assert machine.height_plan_["n_workers"] == min(cores, 2000)
    assert len(planned) >= 2 and set(planned) == {cores}
    assert all(n_jobs <= cores for n_jobs in asked)


def test_a_cluster_backend_is_not_capped_by_local_cores(binary, monkeypatch):
    # A user's non-local joblib backend (Dask, Ray, Spark) keeps its own
    # worker count: here a registered backend that reports 16 workers on a
    # machine patched to one core; a local backend in the same context is
    # capped.
    from joblib import parallel_config, register_parallel_backend
    from joblib._parallel_backends import ThreadingBackend

    class ClusterBackend(ThreadingBackend):
        """Stands in for a cluster backend (threads underneath)."""

    register_parallel_backend("radonlearn_test_cluster", ClusterBackend)
    monkeypatch.setattr(rlocal, "available_cores", lambda: 1)
    X_train, _, y_train, _ = binary
    with parallel_config(backend="radonlearn_test_cluster", n_jobs=16):
        assert rlocal.worker_count(None) == 16
        clustered = RadonMachineClassifier(height=1, random_state=0).fit(
            X_train, y_train
        )
    assert clustered.height_plan_["n_workers"] == 16
    with parallel_config(backend="threading", n_jobs=16):
        assert rlocal.worker_count(None) == 1
    assert rlocal.worker_count(10**6) == 1


def test_shards_fewer_than_workers_predict_no_faster():
    # The cost model counts only the workers that have a shard: beyond r**h
    # workers, more workers do not make height h faster.
    from radonlearn._cost_model import predict_wall_seconds

    model = {"sizes": [100, 1000], "seconds": [0.002, 0.02], "overhead": 0.001}
    model["exponent"] = 1.5
    seconds = {
        n_workers: predict_wall_seconds(
            10**6, 7, [1, 2], model, n_workers, n_workers, 0.0
        )
        for n_workers in (2, 7, 49, 2000)
    }
    assert seconds[7][1] == seconds[49][1] == seconds[2000][1] < seconds[2][1]
    assert seconds[49][2] == seconds[2000][2] < seconds[7][2]


def test_shards_get_distinct_seeds(binary):
    # An inner estimator with random_state gets a different seed per shard,
    # and the same random_state reproduces the model.
    X_train, _, y_train, _ = binary
    inner = SGDClassifier(random_state=0)
    first = RadonMachineClassifier(inner, height=1, random_state=5).fit(
        X_train, y_train
    )
    again = RadonMachineClassifier(inner, height=1, random_state=5).fit(
        X_train, y_train
    )
    np.testing.assert_array_equal(first.coef_, again.coef_)
    assert len(np.unique(first.hypotheses_[:, 0])) == first.n_shards_


def test_shard_warnings_arrive_as_one_summary(binary):
    # Hundreds of shard ConvergenceWarnings become one warning with the count.
    X_train, _, y_train, _ = binary
    machine = RadonMachineClassifier(
        LogisticRegression(max_iter=1), height=1, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        machine.fit(X_train, y_train)
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 1
    assert f"in {machine.n_shards_} shard fits" in str(convergence[0].message)


@pytest.mark.slow
def test_works_in_pipeline_grid_search_and_cross_validation(binary):
    # The usual scikit-learn workflows: Pipeline, GridSearchCV over the inner
    # C and the height, cross_val_score, clone, pickle.
    X_train, X_test, y_train, _ = binary
    pipeline = make_pipeline(
        StandardScaler(), RadonMachineClassifier(LogisticRegression(), random_state=0)
    )
    search = GridSearchCV(
        pipeline,
        {
            "radonmachineclassifier__estimator__C": [0.1, 1.0],
            "radonmachineclassifier__height": [0, 1],
        },
        cv=3,
    ).fit(X_train, y_train)
    reference = cross_val_score(LogisticRegression(), X_train, y_train, cv=3).mean()
    assert search.best_score_ > reference - 0.02
    scores = cross_val_score(RadonMachineClassifier(random_state=0), X_train, y_train)
    assert scores.mean() > reference - 0.02
    fitted = RadonMachineClassifier(height=1, random_state=0).fit(X_train, y_train)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), fitted.predict_proba(X_test)
    )
    assert clone(fitted).get_params() == fitted.get_params()


def test_optional_methods_follow_the_inner_estimator():
    # predict_proba exists exactly when the inner classifier has it.
    assert hasattr(RadonMachineClassifier(LogisticRegression()), "predict_proba")
    assert not hasattr(RadonMachineClassifier(LinearSVC()), "predict_proba")
    assert hasattr(RadonMachineClassifier(LinearSVC()), "decision_function")
    assert not hasattr(
        RadonMachineClassifier(SGDClassifier(loss="hinge")), "predict_log_proba"
    )


def test_roc_auc_close_to_full_fit_with_auto_height():
    # The auto rule keeps test ROC AUC within 0.005 of the full-data fit.
    X, y = make_classification(n_samples=60_000, n_features=20, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    machine = RadonMachineClassifier(random_state=0).fit(X_train, y_train)
    full = LogisticRegression().fit(X_train, y_train)
    gap = roc_auc_score(y_test, full.decision_function(X_test)) - roc_auc_score(
        y_test, machine.decision_function(X_test)
    )
    assert gap < 0.005


@pytest.mark.parametrize("backend", ["threading", "loky", "sequential"])
def test_warning_filters_are_left_as_they_were(backend, binary):
    # Recording shard warnings never leaves a filter behind, whatever the
    # backend, and the summary still arrives.
    from joblib import parallel_config

    X_train, _, y_train, _ = binary
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        with parallel_config(backend=backend):
            RadonMachineClassifier(
                LogisticRegression(max_iter=1), height=1, n_jobs=2, random_state=0
            ).fit(X_train, y_train)
    assert list(warnings.filters) == before
    assert sum(issubclass(w.category, ConvergenceWarning) for w in caught) == 1


@pytest.mark.slow
def test_liblinear_shards_are_reproducible_with_two_workers():
    # liblinear draws from one generator per process: fits in threads would
    # interleave their draws, so such learners fit in processes.

    X, y = make_classification(
        n_samples=20_000,
        n_features=18,
        n_informative=12,
        n_redundant=0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dual coordinate descent: slow to converge
        fits = [
            RadonMachineClassifier(
                LinearSVC(dual=True), height=1, n_jobs=n_jobs, random_state=0
            ).fit(X, y)
            for n_jobs in (1, 2, 2)
        ]
    assert fits[1].height_plan_["backend"] == "processes"
    for other in fits[1:]:
        np.testing.assert_array_equal(other.hypotheses_, fits[0].hypotheses_)
    assert uses_global_rng(LinearSVC())  # dual="auto", shape unknown: may draw
    assert uses_global_rng(LogisticRegression(solver="liblinear", dual=True))
    assert uses_global_rng(GridSearchCV(LinearSVC(), {"C": [1.0]}))
    assert not uses_global_rng(LogisticRegression())
    assert not uses_global_rng(SGDClassifier())


@pytest.mark.parametrize("order", ["C", "F", "strided"])
@pytest.mark.parametrize("n_rows", [10, 40_000])
def test_row_copies_equal_fancy_indexing(order, n_rows):
    # The rows gathered from C- and F-ordered arrays and strided views equal
    # X[indices], C-contiguous, writable and independent of X.
    rng = np.random.default_rng(0)
    if order == "strided":
        X = rng.normal(size=(50_000, 10))[:, ::2]
    else:
        X = np.asarray(rng.normal(size=(50_000, 5)), order=order)
    indices = rng.permutation(50_000)[:n_rows].astype(np.int32)
    rows = _rows(X, indices)
    np.testing.assert_array_equal(rows, X[indices])
    assert rows.flags.c_contiguous and rows.flags.writeable
    before = X[indices[0], 0]
    rows[0, 0] = np.inf
    assert X[indices[0], 0] == before
    release_freed_memory()  # a no-op or glibc's malloc_trim; never an error


def test_thread_pools_are_looked_for_again_only_after_new_imports(monkeypatch):
    # Reading the process's libraries costs milliseconds per fit: the
    # controller is kept until a module is imported (which may bring a BLAS
    # or OpenMP library), then made again.
    import os
    import sys
    import types

    from radonlearn import _threadpools

    _threadpools.find_thread_pools()
    first = _threadpools._CONTROLLERS[os.getpid()]
    _threadpools.find_thread_pools()
    assert _threadpools._CONTROLLERS[os.getpid()] is first
    monkeypatch.setitem(sys.modules, "_radonlearn_new", types.ModuleType("new"))
    _threadpools.find_thread_pools()
    assert _threadpools._CONTROLLERS[os.getpid()] is not first


@pytest.mark.parametrize("order", ["C", "F"])
def test_pilots_time_the_gathering_apart(order):
    # A pilot's seconds are its fit's alone; the rows are gathered once,
    # timed apart, and the model is the one fit_one makes on those rows.
    from radonlearn._fitting import fit_one, time_fit

    rng = np.random.default_rng(0)
    X = np.asarray(rng.normal(size=(20_000, 8)), order=order)
    y = (X[:, 0] > 0).astype(int)
    indices = np.sort(rng.choice(len(y), 5_000, replace=False))
    model, _, seconds, wall, gather = time_fit(
        LogisticRegression(), X, y, indices, 3, {}
    )
    assert 0 < gather < wall and 0 < seconds <= wall
    reference, _, _ = fit_one(LogisticRegression(), X, y, indices, 3, {})
    np.testing.assert_array_equal(model.coef_, reference.coef_)


def test_fortran_ordered_input_fits_the_same_model(binary):
    # A Fortran-ordered X (what DataFrame.to_numpy() gives) is sharded into
    # the same rows as its C-ordered copy: the same model, bit for bit.
    X_train, _, y_train, _ = binary
    c_order = RadonMachineClassifier(height=1, random_state=0).fit(
        np.ascontiguousarray(X_train), y_train
    )
    f_order = RadonMachineClassifier(height=1, random_state=0).fit(
        np.asfortranarray(X_train), y_train
    )
    np.testing.assert_array_equal(f_order.coef_, c_order.coef_)
    np.testing.assert_array_equal(f_order.intercept_, c_order.intercept_)


_SEEN_POOLS = []


class PoolRecordingLR(LogisticRegression):
    """LogisticRegression that records the BLAS/OpenMP thread counts it sees."""

    def fit(self, X, y, sample_weight=None):
        from threadpoolctl import threadpool_info

        counts = {pool["num_threads"] for pool in threadpool_info()}
        _SEEN_POOLS.append((len(X), counts))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("height", [1, "auto"])
def test_thread_pools_are_limited_in_shard_fits_and_restored_after(binary, height):
    # With two workers every shard fit and pilot sees one BLAS/OpenMP thread
    # (a fit on all rows, height 0, keeps the library's own); after the fit
    # (and after a failed fit) this process has its own counts back,
    # whatever they were. A limit left behind once made every later numpy
    # call in the user's process single-threaded.
    from threadpoolctl import threadpool_info, threadpool_limits

    X_train, _, y_train, _ = binary

    def counts():
        return [pool["num_threads"] for pool in threadpool_info()]

    for outer in (None, 2):
        with threadpool_limits(limits=outer):
            before = counts()
            _SEEN_POOLS.clear()
            RadonMachineClassifier(
                PoolRecordingLR(), height=height, n_jobs=2, random_state=0
            ).fit(X_train, y_train)
            sharded = [seen for rows, seen in _SEEN_POOLS if rows < len(X_train)]
            assert sharded and all(seen == {1} for seen in sharded)
            assert counts() == before
            with pytest.raises(ValueError):
                RadonMachineClassifier(PoolRecordingLR(), height=height, n_jobs=2).fit(
                    X_train, np.zeros(len(y_train))
                )
            assert counts() == before
