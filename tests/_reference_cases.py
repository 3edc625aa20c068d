"""Fits whose coefficients were recorded before the engine redesign.

``tests/reference/make_reference.py`` ran these on the code before the fit
pipeline was split into engines and stored the results in
``tests/reference/coefficients.npz``; ``test_reference.py`` checks that the
same fits still give the same numbers, bit for bit.
"""

import numpy as np
from scipy import sparse
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import (
    HuberRegressor,
    LogisticRegression,
    QuantileRegressor,
    Ridge,
    SGDClassifier,
)
from sklearn.svm import LinearSVC

from radonlearn import RadonMachineClassifier, RadonMachineRegressor


def _binary():
    return make_classification(
        n_samples=4000, n_features=5, n_informative=3, random_state=3
    )


def _multiclass():
    return make_classification(
        n_samples=6000,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        random_state=4,
    )


def _regression():
    return make_regression(n_samples=3000, n_features=4, noise=3.0, random_state=5)


def _weights(n):
    return np.random.default_rng(6).uniform(0.5, 2.0, size=n)


def cases():
    """``name -> (machine, X, y, fit_kwargs)`` for every recorded fit."""
    Xb, yb = _binary()
    Xm, ym = _multiclass()
    Xr, yr = _regression()
    return {
        "logistic_h1": (
            RadonMachineClassifier(LogisticRegression(), height=1, random_state=0),
            Xb,
            yb,
            {},
        ),
        "logistic_h2_threads": (
            RadonMachineClassifier(
                LogisticRegression(), height=2, n_jobs=2, random_state=1
            ),
            Xb,
            yb,
            {},
        ),
        "logistic_weighted": (
            RadonMachineClassifier(LogisticRegression(), height=1, random_state=2),
            Xb,
            yb,
            {"sample_weight": _weights(len(yb))},
        ),
        "logistic_sparse": (
            RadonMachineClassifier(LogisticRegression(), height=1, random_state=3),
            sparse.csr_matrix(np.where(np.abs(Xb) > 0.5, Xb, 0.0)),
            yb,
            {},
        ),
        "sgd_h1_seeded": (
            RadonMachineClassifier(
                SGDClassifier(random_state=0), height=1, random_state=4
            ),
            Xb,
            yb,
            {},
        ),
        "linear_svc_processes": (
            RadonMachineClassifier(
                LinearSVC(dual=True), height=1, n_jobs=2, random_state=5
            ),
            Xb,
            yb,
            {},
        ),
        "multiclass_h1": (
            RadonMachineClassifier(LogisticRegression(), height=1, random_state=6),
            Xm,
            ym,
            {},
        ),
        "multiclass_block": (
            RadonMachineClassifier(
                LogisticRegression(), height=1, block_size=4, random_state=7
            ),
            Xm,
            ym,
            {},
        ),
        "ridge_h2": (
            RadonMachineRegressor(Ridge(), height=2, random_state=8),
            Xr,
            yr,
            {},
        ),
        "ridge_mean": (
            RadonMachineRegressor(
                Ridge(), height=1, aggregation="mean", random_state=9
            ),
            Xr,
            yr,
            {},
        ),
        "huber_median": (
            RadonMachineRegressor(
                HuberRegressor(), height=1, aggregation="median", random_state=10
            ),
            Xr,
            yr,
            {},
        ),
        "quantile_geometric_median": (
            RadonMachineRegressor(
                QuantileRegressor(alpha=0.0),
                height=1,
                aggregation="geometric_median",
                random_state=11,
            ),
            Xr[:1500],
            yr[:1500],
            {},
        ),
        "ridge_h0": (
            RadonMachineRegressor(Ridge(), height=0, random_state=12),
            Xr,
            yr,
            {},
        ),
    }


def record(machine):
    """The numbers compared: the hypotheses and every level of the tree."""
    out = {"hypotheses": machine.hypotheses_, "coef": np.asarray(machine.coef_)}
    out["intercept"] = np.atleast_1d(np.asarray(machine.intercept_, dtype=float))
    for number, level in enumerate(machine.aggregation_levels_):
        out[f"level{number}"] = level
    return out
