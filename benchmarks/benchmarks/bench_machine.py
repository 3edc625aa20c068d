"""Fit time, peak memory and test score of the Radon machines (asv)."""

import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, QuantileRegressor
from sklearn.metrics import mean_absolute_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from radonlearn import RadonMachineClassifier, RadonMachineRegressor


def _classification(n_samples):
    """A synthetic binary problem with 18 features, split 3:1."""
    X, y = make_classification(
        n_samples, 18, n_informative=12, n_redundant=0, random_state=0
    )
    return train_test_split(X, y, random_state=0)


def _quantile(n_samples):
    """A synthetic regression with heavy-tailed noise, split 3:1."""
    X, y = make_regression(n_samples, 8, noise=10, random_state=0)
    y = y + 10 * np.random.default_rng(0).standard_t(2, size=n_samples)
    return train_test_split(X, y, random_state=0)


class ClassifierFit:
    """LogisticRegression and LinearSVC, on all rows (height 0) or sharded."""

    params = (["logistic", "linearsvc"], [0, 1, "auto"])
    param_names = ["learner", "height"]
    timeout = 300

    def setup(self, learner, height):
        self.X_train, self.X_test, self.y_train, self.y_test = _classification(40_000)
        inner = LogisticRegression() if learner == "logistic" else LinearSVC()
        self.machine = RadonMachineClassifier(
            inner, height=height, n_jobs=2, random_state=0
        )
        warnings.simplefilter("ignore", ConvergenceWarning)

    def time_fit(self, learner, height):
        self.machine.fit(self.X_train, self.y_train)

    def peakmem_fit(self, learner, height):
        self.machine.fit(self.X_train, self.y_train)

    def track_test_score(self, learner, height):
        self.machine.fit(self.X_train, self.y_train)
        scores = self.machine.decision_function(self.X_test)
        return roc_auc_score(self.y_test, scores)


class QuantileFit:
    """Median regression, whose cost grows faster than linearly in the rows."""

    params = [0, 1, 2, "auto"]
    param_names = ["height"]
    timeout = 300

    def setup(self, height):
        self.X_train, self.X_test, self.y_train, self.y_test = _quantile(8_000)
        self.machine = RadonMachineRegressor(
            QuantileRegressor(alpha=0.0), height=height, n_jobs=2, random_state=0
        )

    def time_fit(self, height):
        self.machine.fit(self.X_train, self.y_train)

    def peakmem_fit(self, height):
        self.machine.fit(self.X_train, self.y_train)

    def track_test_mae(self, height):
        self.machine.fit(self.X_train, self.y_train)
        return mean_absolute_error(self.y_test, self.machine.predict(self.X_test))
