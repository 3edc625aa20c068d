"""Inner fits: the caller's scikit-learn configuration, warnings, threads."""

import threading
import warnings

import numpy as np
import pytest
from sklearn import config_context, get_config
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC, LinearSVR

from radonlearn import RadonMachineClassifier
from radonlearn import _planning as rplanning
from radonlearn._engines import _local as rlocal
from radonlearn._fitting import recorded_warnings, uses_global_rng

# A setting no default has: every inner fit must run under it.
_MARK = 137
_FITS = []


class _SeesConfig:
    """Mixin: fit refuses to run unless the caller's configuration reached it."""

    def fit(self, X, y, sample_weight=None):
        seen = get_config()["working_memory"]
        _FITS.append((threading.current_thread().name, seen))
        if seen != _MARK:
            raise RuntimeError(f"inner fit saw working_memory={seen}")
        return super().fit(X, y, sample_weight=sample_weight)


class ConfigLR(_SeesConfig, LogisticRegression):
    """LogisticRegression that checks the configuration it runs under."""


class ConfigSVC(_SeesConfig, LinearSVC):
    """LinearSVC (processes: a process-wide generator) that checks it too."""


@pytest.fixture(scope="module")
def data():
    """A binary problem large enough for pilots and the thread test."""
    return make_classification(
        n_samples=30_000, n_features=4, n_informative=3, n_redundant=0, random_state=0
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "inner, height, n_jobs",
    [
        (ConfigLR(), "auto", 2),  # pilots, overhead fit, thread test, threads
        (ConfigLR(), 1, 1),  # sequential shard fits
        (ConfigLR(), 0, 2),  # one fit on all rows
        (ConfigSVC(dual=True, max_iter=200), 1, 2),  # shard fits in processes
    ],
)
def test_every_inner_fit_sees_the_callers_config(
    monkeypatch, data, inner, height, n_jobs
):
    # A config_context setting is observed inside every inner fit: the
    # pilots, the thread test, and shard fits in threads and processes.
    X, y = data
    monkeypatch.setattr(rlocal, "cannot_pay", lambda *args: "")  # plan anyway
    monkeypatch.setattr(rplanning, "fastest_height", lambda predicted: 1)  # shard
    _FITS.clear()
    with config_context(working_memory=_MARK), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        machine = RadonMachineClassifier(
            inner, height=height, n_jobs=n_jobs, random_state=0
        ).fit(X, y)
    assert all(seen == _MARK for _, seen in _FITS)
    if not isinstance(inner, LinearSVC):  # process fits record elsewhere
        assert len(_FITS) >= machine.n_shards_
    if height == "auto":
        # The pilots ran in this thread, the first shard fits in test threads.
        assert len({name for name, _ in _FITS}) >= 2


def test_config_outside_the_fit_is_untouched(data):
    # The fit's own settings (assume_finite inside shard fits) do not leak out.
    X, y = data
    before = get_config()
    RadonMachineClassifier(height=1, n_jobs=2, random_state=0).fit(X, y)
    assert get_config() == before


def _fit_in_thread(X, y, errors):
    try:
        RadonMachineClassifier(
            LogisticRegression(max_iter=2), height=1, n_jobs=2, random_state=0
        ).fit(X, y)
    except Exception as error:  # reported to the main thread
        errors.append(error)


def test_concurrent_fits_leave_warnings_working(data):
    # Fits in several threads at once leave warnings.filters and the warning
    # hook as they were, and a warning raised afterwards is still shown.
    X, y = data
    before = (list(warnings.filters), warnings.showwarning)
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        threads = [
            threading.Thread(target=_fit_in_thread, args=(X, y, errors))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert (list(warnings.filters), warnings.showwarning) == before
    with pytest.warns(UserWarning, match="still shown"):
        warnings.warn("still shown", UserWarning, stacklevel=1)


def test_recorded_warnings_belong_to_their_thread():
    # Two threads recording at once each get exactly their own warnings.
    barrier = threading.Barrier(2)
    logs = {}

    def record(name):
        with recorded_warnings() as log:
            barrier.wait()
            for _ in range(3):
                warnings.warn(name, UserWarning, stacklevel=1)
            barrier.wait()
        logs[name] = log

    threads = [threading.Thread(target=record, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert logs["a"] == [(UserWarning, "a")] * 3
    assert logs["b"] == [(UserWarning, "b")] * 3


class MySVC(LinearSVC):
    """A user's subclass of a liblinear estimator, from another module."""


MySVC.__module__ = "my_package.models"


def test_global_generator_is_decided_by_class_not_module():
    # A subclass of a liblinear estimator defined anywhere draws from the
    # process-wide generator too, so it gets the lock and processes; only
    # liblinear's primal trust-region solvers (L2 penalty) draw nothing,
    # with dual="auto" resolved from the shape as scikit-learn does.
    assert uses_global_rng(MySVC()) and uses_global_rng(MySVC(), (10, 18))
    assert not uses_global_rng(MySVC(), (1000, 18))
    assert not uses_global_rng(LinearSVC(dual=False))
    assert uses_global_rng(LinearSVC(dual=True), (1000, 18))
    assert uses_global_rng(LinearSVC(penalty="l1", dual=False))
    assert uses_global_rng(LinearSVC(multi_class="crammer_singer"), (1000, 18))
    assert not uses_global_rng(LogisticRegression(solver="liblinear"))
    assert uses_global_rng(LogisticRegression(solver="liblinear", dual=True))
    assert uses_global_rng(LogisticRegression(solver="liblinear", penalty="l1"))
    # scikit-learn >= 1.8 takes the penalty from l1_ratio (L1 here, drawing);
    # before, l1_ratio only acts with penalty="elasticnet": an L2 primal fit.
    l1_ratio_decides = LogisticRegression().get_params()["penalty"] == "deprecated"
    learner = LogisticRegression(solver="liblinear", l1_ratio=1.0)
    assert uses_global_rng(learner) == l1_ratio_decides
    assert uses_global_rng(LinearSVR(), (1000, 18))  # epsilon-insensitive: dual
    assert not uses_global_rng(LinearSVR(loss="squared_epsilon_insensitive"), (99, 9))
    assert not uses_global_rng(LogisticRegression())


@pytest.mark.parametrize(
    "learner", [LinearSVC(), LogisticRegression(solver="liblinear")], ids=repr
)
def test_liblinear_primal_shards_in_threads_are_reproducible(learner):
    # liblinear's primal solvers fit their shards in threads, without the
    # lock, and give the hypotheses of one worker bit for bit, every time.
    X, y = make_classification(n_samples=20_000, n_features=8, random_state=3)
    fits = [
        RadonMachineClassifier(learner, height=1, n_jobs=n_jobs, random_state=0).fit(
            X, y
        )
        for n_jobs in (1, 2, 2, 2)
    ]
    assert all(fit.height_plan_["backend"] == "threads" for fit in fits[1:])
    for other in fits[1:]:
        np.testing.assert_array_equal(other.hypotheses_, fits[0].hypotheses_)


@pytest.mark.slow
def test_subclass_of_liblinear_is_reproducible_across_workers():
    # n_jobs=1 and n_jobs=2 give the same model for a LinearSVC subclass.
    X, y = make_classification(n_samples=6000, n_features=6, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [
            RadonMachineClassifier(
                MySVC(dual=True, max_iter=50), height=1, n_jobs=n_jobs, random_state=0
            ).fit(X, y)
            for n_jobs in (1, 2)
        ]
    np.testing.assert_array_equal(fits[0].hypotheses_, fits[1].hypotheses_)
