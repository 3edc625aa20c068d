"""Fitted model <-> hypothesis vector, and the transplant check."""

import numpy as np
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import (
    HuberRegressor,
    LogisticRegression,
    QuantileRegressor,
    Ridge,
    SGDRegressor,
)
from sklearn.model_selection import GridSearchCV
from sklearn.svm import LinearSVC

from radonlearn._hypotheses import check_transplant, flatten, layout_of, load

X_class, y_binary = make_classification(n_samples=300, n_features=4, random_state=0)
_, y_three = make_classification(
    n_samples=300,
    n_features=4,
    n_informative=3,
    n_redundant=0,
    n_classes=3,
    random_state=0,
)
X_reg, y_reg = make_regression(n_samples=300, n_features=4, random_state=0)

FITTED = {
    "binary": LogisticRegression().fit(X_class, y_binary),
    "multiclass": LogisticRegression().fit(X_class, y_three),
    "ovr_svc": LinearSVC().fit(X_class, y_three),
    "no_intercept": LogisticRegression(fit_intercept=False).fit(X_class, y_binary),
    "multi_output": Ridge().fit(X_reg, np.column_stack([y_reg, y_reg])),
    "scalar_intercept": HuberRegressor().fit(X_reg, y_reg),
    "array_intercept": SGDRegressor(random_state=0).fit(X_reg, y_reg),
    "quantile": QuantileRegressor(alpha=0.0).fit(X_reg[:100], y_reg[:100]),
    "search": GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}).fit(
        X_class, y_binary
    ),
}
EXPECTED_D = {
    "binary": 5,
    "multiclass": 15,
    "ovr_svc": 15,
    "no_intercept": 4,
    "multi_output": 10,
    "scalar_intercept": 5,
    "array_intercept": 5,
    "quantile": 5,
    "search": 5,
}


@pytest.mark.parametrize("name", sorted(FITTED))
def test_flatten_load_round_trip(name):
    # Loading a model's own vector into a copy reproduces every prediction,
    # and the vector has D = coefficients (+ intercepts when fitted) entries.
    model = FITTED[name]
    layout = layout_of(model)
    vector = flatten(model, layout)
    assert vector.shape == (EXPECTED_D[name],)
    assert layout.n_parameters == EXPECTED_D[name]
    copy = load(model, vector, layout)
    inner = getattr(model, "best_estimator_", model)
    assert type(copy) is type(inner)
    np.testing.assert_array_equal(copy.predict(X_reg), inner.predict(X_reg))
    assert np.shape(copy.intercept_) == np.shape(inner.intercept_)
    assert (
        type(copy.intercept_) is type(inner.intercept_)
        or np.ndim(inner.intercept_) == 0
    )


def test_load_changes_only_the_copy():
    # Loading another vector leaves the template untouched.
    model = FITTED["binary"]
    layout = layout_of(model)
    before = model.coef_.copy()
    copy = load(model, np.arange(5.0), layout)
    np.testing.assert_array_equal(copy.coef_, [[0.0, 1.0, 2.0, 3.0]])
    assert copy.intercept_[0] == 4.0
    np.testing.assert_array_equal(model.coef_, before)


def test_transplant_accepts_linear_models():
    # Two LogisticRegression fits pass: predictions follow the coefficients.
    first = LogisticRegression().fit(X_class[:150], y_binary[:150])
    second = LogisticRegression().fit(X_class[150:], y_binary[150:])
    check_transplant(second, first, X_class[:20], layout_of(first))


def test_transplant_refuses_pls():
    # PLSRegression also uses fitted means: moving coef_ alone changes
    # predictions, so it is refused by name.
    first = PLSRegression(n_components=2).fit(X_reg[:150], y_reg[:150] + 100)
    second = PLSRegression(n_components=2).fit(X_reg[150:] + 5, y_reg[150:])
    with pytest.raises(TypeError, match="PLSRegression"):
        check_transplant(second, first, X_reg[:20], layout_of(first))


def test_layout_refuses_models_without_coef():
    # No coef_: a TypeError that says where preprocessing belongs.
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier().fit(X_class, y_binary)
    with pytest.raises(TypeError, match="outside"):
        layout_of(tree)
