"""Recorded fits: the golden masters of ``tests/test_reference.py``.

Two records per case, made by ``tests/reference/make_reference.py``:

- ``tests/reference/coefficients.npz``: the shard models, every level of the
  tree and the aggregate of the real learner. Floating point, so compared
  with a tolerance chosen per case (``Case.shard_rtol``,
  ``Case.aggregate_rtol``). The shard models are those recorded before the
  fit pipeline was split into engines (bit for bit, with the Haswell
  kernel); the levels above were re-recorded when radon_point began to
  choose the Radon point of flat groups canonically.
- ``tests/reference/layouts.npz``: what is exact on every CPU. The same
  machine (same parameters, rows, labels and seeds) is fitted with
  a row-signature model in place of the learner: a linear model whose
  coefficients are integer statistics of the row numbers it was given and
  the seed it was given, so its shard models name each shard's rows and
  seed exactly, whatever BLAS kernel the machine runs.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
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

# Tolerances, relative to the largest magnitude of each recorded row (a shard
# model, a point of the tree). Measured on 2026-12-08 (AMD EPYC, AVX-512) with
# every OpenBLAS kernel that machine runs (OPENBLAS_CORETYPE = Haswell,
# SkylakeX, Cooperlake, SapphireRapids, Zen, Sandybridge, Nehalem, Prescott),
# against the records made with the Haswell kernel; the largest difference
# of each family is quoted where it is used.
#
# Closed-form solvers (Ridge's Cholesky solve, an LP's vertex): the answer is
# a well-conditioned function of the rows, so it moves by a few ulps times
# the condition number (at most 4e-16 seen for Ridge, 3e-13 for HiGHS).
CLOSED_FORM = 1e-10
# Deterministic iterative solvers (lbfgs for LogisticRegression and
# HuberRegressor): a rounding-level change in a gradient stays at rounding
# level unless it flips a stopping test, which a 1e-16 change does with
# negligible probability (at most 5e-13 seen, on sparse input).
ITERATIVE = 1e-8
# liblinear's dual coordinate descent and SGD use no BLAS in their inner
# loops (bit-identical on all eight kernels), but they stop on a tolerance
# (1e-4 and 1e-3): were a rounding change in the data to move a stopping
# decision by one pass, the coefficients would move by about one pass's
# update, a fraction of that tolerance.
STOPPING_RULE = 1e-3
# The aggregate moves with the shard models by at most their difference
# times the condition of the aggregation: a Radon point of a group spread at
# least WELL_SPREAD in every direction it spans (smallest over largest
# nonzero singular value of the centred group; 1.7e-2 and more here) moves
# by at most about 1 / WELL_SPREAD times as much.
WELL_SPREAD = 1e-2
# Shard models in a lower-dimensional affine subspace (redundant features,
# or a multinomial model's coefficients summing to zero over the classes)
# are "flat": their singular values below FLAT times the largest are
# rounding. radon_point then takes its canonical Radon point (the SVD path),
# which rounding does not move; the LU path's choice used to differ by up to
# 20% between kernels.
FLAT = 1e-10
# Weiszfeld's iteration stops on a step below its tol (1e-7): one step more
# or fewer moves the geometric median by about that much.
WEISZFELD = 1e-6


@dataclass(frozen=True)
class Case:
    """One recorded fit and how its floating point is compared."""

    machine: Any
    X: Any
    y: np.ndarray
    shard_rtol: float
    flat: bool = False
    fit_params: dict = field(default_factory=dict)

    @property
    def aggregate_rtol(self):
        """Tolerance of every level above the shard models, and the aggregate."""
        rtol = self.shard_rtol / WELL_SPREAD
        if self.machine.aggregation == "geometric_median":
            rtol = max(rtol, WEISZFELD)
        return rtol


def _binary():
    # Two of the five features are redundant (linear combinations of the
    # informative ones): the shard models are flat.
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
    """``name -> Case`` for every recorded fit."""
    Xb, yb = _binary()
    Xm, ym = _multiclass()
    Xr, yr = _regression()
    classifier, regressor = RadonMachineClassifier, RadonMachineRegressor
    return {
        "logistic_h1": Case(
            classifier(LogisticRegression(), height=1, random_state=0),
            Xb,
            yb,
            ITERATIVE,
            flat=True,
        ),
        "logistic_h2_threads": Case(
            classifier(LogisticRegression(), height=2, n_jobs=2, random_state=1),
            Xb,
            yb,
            ITERATIVE,
            flat=True,
        ),
        "logistic_weighted": Case(
            classifier(LogisticRegression(), height=1, random_state=2),
            Xb,
            yb,
            ITERATIVE,
            flat=True,
            fit_params={"sample_weight": _weights(len(yb))},
        ),
        # Zeroing the small entries breaks the redundancy: not flat.
        "logistic_sparse": Case(
            classifier(LogisticRegression(), height=1, random_state=3),
            sparse.csr_matrix(np.where(np.abs(Xb) > 0.5, Xb, 0.0)),
            yb,
            ITERATIVE,
        ),
        "sgd_h1_seeded": Case(
            classifier(SGDClassifier(random_state=0), height=1, random_state=4),
            Xb,
            yb,
            STOPPING_RULE,
            flat=True,
        ),
        "linear_svc_processes": Case(
            classifier(LinearSVC(dual=True), height=1, n_jobs=2, random_state=5),
            Xb,
            yb,
            STOPPING_RULE,
            flat=True,
        ),
        "multiclass_h1": Case(
            classifier(LogisticRegression(), height=1, random_state=6),
            Xm,
            ym,
            ITERATIVE,
            flat=True,
        ),
        "multiclass_block": Case(
            classifier(LogisticRegression(), height=1, block_size=4, random_state=7),
            Xm,
            ym,
            ITERATIVE,
            flat=True,
        ),
        "ridge_h2": Case(
            regressor(Ridge(), height=2, random_state=8), Xr, yr, CLOSED_FORM
        ),
        "ridge_mean": Case(
            regressor(Ridge(), height=1, aggregation="mean", random_state=9),
            Xr,
            yr,
            CLOSED_FORM,
        ),
        "huber_median": Case(
            regressor(
                HuberRegressor(), height=1, aggregation="median", random_state=10
            ),
            Xr,
            yr,
            ITERATIVE,
        ),
        "quantile_geometric_median": Case(
            regressor(
                QuantileRegressor(alpha=0.0),
                height=1,
                aggregation="geometric_median",
                random_state=11,
            ),
            Xr[:1500],
            yr[:1500],
            CLOSED_FORM,
        ),
        "ridge_h0": Case(
            regressor(Ridge(), height=0, random_state=12), Xr, yr, CLOSED_FORM
        ),
    }


def record(machine):
    """The floating-point numbers compared: shard models and every level."""
    out = {"hypotheses": machine.hypotheses_, "coef": np.asarray(machine.coef_)}
    out["intercept"] = np.atleast_1d(np.asarray(machine.intercept_, dtype=float))
    for number, level in enumerate(machine.aggregation_levels_):
        out[f"level{number}"] = level
    return out


class _Signature(BaseEstimator):
    """Coefficients that name the rows and the seed a shard was fitted on.

    Column 0 of ``X`` holds row numbers. Coefficient row ``k`` (one per
    class for a multiclass classifier, else one) holds, over the rows of
    class ``k`` (all rows for one row): their count, the sum of their
    numbers, the seed, then the sums of their squares and cubes, cut or
    zero-padded to the number of features. Integers below 2**53 add exactly
    in any order, so every entry is exact on any CPU.
    """

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _signature(self, X, rows):
        numbers = X[rows, 0]
        if sparse.issparse(numbers):
            numbers = numbers.toarray()
        numbers = np.asarray(numbers).ravel()
        seed = -1.0 if self.random_state is None else float(self.random_state)
        values = [float(numbers.size), float(np.sum(numbers)), seed]
        values += [float(np.sum(numbers**2)), float(np.sum(numbers**3))]
        return np.array((values + [0.0] * X.shape[1])[: X.shape[1]])

    def _fit_rows(self, X, groups, sample_weight):
        if sample_weight is not None:
            kept = np.asarray(sample_weight) != 0
            groups = [group & kept for group in groups]
        self.coef_ = np.array([self._signature(X, group) for group in groups])
        self.intercept_ = np.zeros(len(groups))
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        scores = X @ self.coef_.T + self.intercept_
        return np.asarray(scores)


class SignatureRegressor(RegressorMixin, _Signature):
    """``_Signature`` as a regressor (one coefficient row)."""

    def fit(self, X, y, sample_weight=None):
        self._fit_rows(X, [np.ones(len(y), dtype=bool)], sample_weight)
        self.coef_, self.intercept_ = self.coef_[0], 0.0
        return self

    def predict(self, X):
        return self.decision_function(X)


class SignatureClassifier(ClassifierMixin, _Signature):
    """``_Signature`` as a classifier (one row, or one per class)."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        if len(self.classes_) == 2:
            groups = [np.ones(len(y), dtype=bool)]
        else:
            groups = [np.asarray(y) == label for label in self.classes_]
        return self._fit_rows(X, groups, sample_weight)

    def predict(self, X):
        scores = self.decision_function(X)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]


def signature_case(case):
    """The machine of ``case`` with a signature model, and rows numbered."""
    signature = (
        SignatureClassifier()
        if isinstance(case.machine, RadonMachineClassifier)
        else SignatureRegressor()
    )
    machine = clone(case.machine).set_params(estimator=signature)
    n_samples, n_features = case.X.shape
    X = np.zeros((n_samples, n_features))
    X[:, 0] = np.arange(n_samples)
    if sparse.issparse(case.X):
        X = sparse.csr_matrix(X)
    return machine, X


def layout_record(machine):
    """The exact numbers compared: the plan and the signature shard models."""
    return {
        "height": np.array(machine.height_),
        "n_shards": np.array(machine.n_shards_),
        "radon_number": np.array(machine.radon_number_),
        "hypotheses": machine.hypotheses_,
        "level_rows": np.array([len(level) for level in machine.aggregation_levels_]),
    }
