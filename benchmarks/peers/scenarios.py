"""The scenarios: a data set, an inner estimator and the test score.

The data come from ``benchmarks/datasets.py`` (imported as ``datasets``). The
synthetic scenarios generate a third more rows than their stated size, so
that the stated size is fitted after the 25% test split.
"""

from collections.abc import Callable
from dataclasses import dataclass

import datasets
import numpy as np
from sklearn.linear_model import LogisticRegression, QuantileRegressor, Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

__all__ = [
    "METRIC_LABELS",
    "SCENARIOS",
    "Scenario",
    "Split",
    "estimator_text",
    "evaluate",
    "prepare",
]

METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "accuracy": "accuracy",
    "mae": "MAE (lower is better)",
}


def _sized(loader, quick_size, full_size, **kwargs):
    """A ``load(quick)`` function for ``quick_size``/``full_size`` training rows.

    One third more rows are generated, so that the 25 % test split leaves
    the stated size (the size the targets speak of) to fit on.
    """

    def load(quick):
        return loader((quick_size if quick else full_size) * 4 // 3, **kwargs)

    return load


def _fixed(loader):
    """A ``load(quick)`` function for a data set of fixed size."""

    def load(quick):
        return loader()

    return load


@dataclass(frozen=True)
class Scenario:
    """A data set, an inner estimator and the score to report.

    Attributes
    ----------
    name : str
        Name used by ``--scenarios``.
    load : callable
        ``load(quick) -> (X, y, task, description)``.
    estimator : callable
        Returns a fresh, unfitted inner estimator.
    metric : {"roc_auc", "accuracy", "mae"}
        Test score.
    scale : bool
        Standardise the features (fitted on the training rows) first.
    """

    name: str
    load: Callable
    estimator: Callable
    metric: str
    scale: bool = False


SCENARIOS = {
    scenario.name: scenario
    for scenario in [
        Scenario(
            "quantile",
            _sized(datasets.heavy_tailed_regression, 12_000, 40_000),
            lambda: QuantileRegressor(alpha=0, solver="highs"),
            "mae",
        ),
        Scenario(
            "linearsvc",
            _sized(datasets.classification, 40_000, 200_000, name="linearsvc"),
            lambda: LinearSVC(dual=True),
            "roc_auc",
        ),
        Scenario(
            "logistic",
            _sized(datasets.classification, 150_000, 1_000_000, name="logistic"),
            LogisticRegression,
            "roc_auc",
        ),
        Scenario(
            "breast_cancer",
            _fixed(datasets.breast_cancer),
            LogisticRegression,
            "roc_auc",
            scale=True,
        ),
        Scenario(
            "digits",
            _fixed(datasets.digits),
            LogisticRegression,
            "accuracy",
            scale=True,
        ),
        Scenario("diabetes", _fixed(datasets.diabetes), Ridge, "mae", scale=True),
        Scenario(
            "flights",
            _fixed(datasets.flights),
            LogisticRegression,
            "roc_auc",
            scale=True,
        ),
    ]
}


@dataclass(frozen=True)
class Split:
    """The train and test rows of one scenario."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    task: str
    description: datasets.Description

    @property
    def is_classification(self):
        """Whether the target holds class labels."""
        return self.task != "regression"


def prepare(scenario, quick):
    """Load a scenario's data and split off a stratified 25% test set."""
    X, y, task, description = scenario.load(quick)
    stratify = None if task == "regression" else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    if scenario.scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return Split(X_train, X_test, y_train, y_test, task, description)


def evaluate(metric, model, X, y):
    """Test score of a fitted scikit-learn-style model."""
    if metric == "mae":
        return mean_absolute_error(y, model.predict(X))
    if metric == "accuracy":
        return accuracy_score(y, model.predict(X))
    if hasattr(model, "decision_function"):
        scores = model.decision_function(X)
    else:
        scores = model.predict_proba(X)[:, 1]
    return roc_auc_score(y, np.asarray(scores))


def estimator_text(scenario):
    """The inner estimator as written in code, e.g. ``LinearSVC(dual=True)``."""
    text = repr(scenario.estimator())
    return f"StandardScaler, then {text}" if scenario.scale else text
