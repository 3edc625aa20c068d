"""Warnings from a fit name the line of the user's code that called it."""

import threading
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from radonlearn import RadonMachineClassifier, RadonMachineRegressor, _warn


def _only(record, category):
    found = [item for item in record if issubclass(item.category, category)]
    assert found, f"no {category.__name__} raised"
    return found


def test_starved_height_warning_names_the_callers_line():
    # The quality-rule warning of an explicit height points at fit's caller.
    X, y = make_regression(n_samples=4000, n_features=5, random_state=0)
    with pytest.warns(UserWarning) as record:
        RadonMachineRegressor(Ridge(), height=2, random_state=0).fit(X, y)
    for item in _only(record, UserWarning):
        assert item.filename == __file__


def test_shard_warnings_name_the_callers_line():
    # Warnings re-issued from the shard fits (here lbfgs stopping at its
    # iteration limit) point at fit's caller, not into radonlearn.
    X, y = make_classification(n_samples=2000, n_features=4, random_state=0)
    machine = RadonMachineClassifier(
        LogisticRegression(max_iter=1), height=1, random_state=0
    )
    with pytest.warns(ConvergenceWarning) as record:
        machine.fit(X, y)
    for item in _only(record, ConvergenceWarning):
        assert item.filename == __file__


def test_partial_fit_warnings_name_the_callers_line():
    X, y = make_classification(n_samples=600, n_features=4, random_state=0)
    machine = RadonMachineClassifier(LogisticRegression(max_iter=1), random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        machine.partial_fit(X, y, classes=np.unique(y))
    for item in _only(record, ConvergenceWarning):
        assert item.filename == __file__


def test_warnings_through_pipeline_and_search_name_the_callers_line():
    # scikit-learn's frames between the user and the machine are skipped too.
    X, y = make_classification(n_samples=3000, n_features=4, random_state=0)
    machine = RadonMachineClassifier(
        LogisticRegression(max_iter=1), height=1, random_state=0
    )
    search = GridSearchCV(
        make_pipeline(StandardScaler(), machine),
        {"radonmachineclassifier__random_state": [0, 1]},
        cv=2,
    )
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X, y)
    for item in _only(record, ConvergenceWarning):
        assert item.filename == __file__


def test_a_thread_with_no_user_frame_gets_a_valid_level():
    # With every frame inside (a worker thread's bootstrap is threading's),
    # the level found still lies on the stack: the warning is raised, once.
    caught = []

    def worker():
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            _warn.warn("from a thread")
        caught.extend(record)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert [str(item.message) for item in caught] == ["from a thread"]
