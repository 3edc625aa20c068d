"""One shard fit, timed, seeded, with its warnings and the caller's settings.

Every fit the package makes (pilots, the thread test, shard fits in threads,
processes or on Dask and Spark workers) goes through ``fit_one``, which
carries the caller's scikit-learn configuration into whatever thread runs
it and records the fit's warnings without leaving process-wide state
changed.
"""

import os
import threading
import time
import warnings
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR, NuSVC, NuSVR, OneClassSVM

from ._cost_model import PILOT_REPEAT_BELOW, PILOT_REPEATS
from ._hypotheses import PROBE_ROWS, flatten
from ._threadpools import one_thread
from ._validation import class_mismatch
from ._warn import warn

__all__ = []

# liblinear (LinearSVC, LinearSVR, solver="liblinear") and libsvm draw from one
# random generator per process, seeded at the start of every fit: two fits in
# threads of one process interleave their draws and neither is reproducible.
# Such fits hold this lock, and their shards go to processes.
GLOBAL_RNG_LOCK = threading.Lock()
_GLOBAL_RNG_CLASSES = (LinearSVC, LinearSVR, SVC, NuSVC, SVR, NuSVR, OneClassSVM)

# Warnings of fits are recorded per thread: while any fit records, one
# process-wide hook sends each warning to the list of the thread that raised
# it, and the last fit to finish restores the filters and the hook as they
# were, however the fits of several threads interleave. Warnings of other
# threads meanwhile go through the filters as they were before (see
# ``_pass_on``), so recording changes nothing they see.
_RECORDING_LOCK = threading.Lock()
_RECORDING = {"depth": 0, "saved": None, "show": None, "filters": ()}
_THREAD_LOG = threading.local()


def _module_of(filename):
    """A dotted module name guessed from a file name, for module filters."""
    path = os.path.splitext(filename)[0].replace(os.sep, ".")
    return path.rpartition("site-packages.")[2]


def _pass_on(message, category, filename, lineno, file, line):
    """Treat a warning of a thread that is not recording as the filters say."""
    text = str(message)
    for action, pattern, kind, module, number in _RECORDING["filters"]:
        if (
            (pattern is None or pattern.match(text))
            and issubclass(category, kind)
            and (module is None or module.match(_module_of(filename)))
            and number in (0, lineno)
        ):
            if action == "ignore":
                return
            if action == "error":
                raise message if isinstance(message, Warning) else category(text)
            break
    _RECORDING["show"](message, category, filename, lineno, file, line)


def _dispatch_warning(message, category, filename, lineno, file=None, line=None):
    """Record a warning for the fit of this thread, or pass it on."""
    log = getattr(_THREAD_LOG, "log", None)
    if log is not None:
        log.append((category, str(message)))
    else:
        _pass_on(message, category, filename, lineno, file, line)


@contextmanager
def recorded_warnings():
    """Record the warnings the calling thread raises, as ``(category, text)``.

    Thread-safe, unlike ``warnings.catch_warnings``: concurrent fits in
    several threads each get their own warnings, other threads' warnings
    meet the filters they met before, and the warnings filters are left
    exactly as they were once the last of the fits ends.
    """
    with _RECORDING_LOCK:
        if _RECORDING["depth"] == 0:
            filters = tuple(warnings.filters)
            saved = warnings.catch_warnings()
            saved.__enter__()
            warnings.simplefilter("always")
            _RECORDING.update(saved=saved, show=warnings.showwarning, filters=filters)
            warnings.showwarning = _dispatch_warning
        _RECORDING["depth"] += 1
    outer = getattr(_THREAD_LOG, "log", None)
    log = []
    _THREAD_LOG.log = log
    try:
        yield log
    finally:
        _THREAD_LOG.log = outer
        with _RECORDING_LOCK:
            _RECORDING["depth"] -= 1
            if _RECORDING["depth"] == 0:
                _RECORDING["saved"].__exit__(None, None, None)
                _RECORDING.update(saved=None, show=None, filters=())


def summarise_warnings(raised, n_shards):
    """Re-issue shard warnings once per category, with the number of shards."""
    by_category = {}
    for caught in raised:
        for category, message in dict(caught).items():
            count, first = by_category.get(category, (0, message))
            by_category[category] = (count + 1, first)
    for category, (count, first) in by_category.items():
        message = (
            first
            if n_shards == 1
            else f"{first} (raised {count} times in {n_shards} shard fits)"
        )
        warn(message, category)


def take(value, indices, n_samples):
    """Rows ``indices`` of a per-sample value; anything else passes unchanged."""
    if sparse.issparse(value):
        return value[indices]
    if hasattr(value, "iloc") and len(value) == n_samples:
        return value.iloc[indices]
    if hasattr(value, "__len__") and not isinstance(value, (str, bytes, dict)):
        if len(value) == n_samples:
            return np.asarray(value)[indices]
    return value


def rows(array, indices):
    """``array[indices]``; for a C-contiguous array by ``np.take``, the same rows.

    ``np.take(X, indices, axis=0)`` gathers the rows of a C-contiguous 2-D
    array about three times faster than fancy indexing (numpy 2.4: 3 ms
    instead of 9 ms for 35,714 random rows of a 750,000 x 18 array), with
    the same values and a C-contiguous result either way. On any other
    layout (a Fortran-ordered array, as ``DataFrame.to_numpy()`` gives, or a
    strided view) ``np.take`` first copies the whole array: 9 ms for any
    number of rows of a 327,346 x 25 array, and a full copy of the data in
    every thread at once, where fancy indexing gathers 1,000 rows in 0.1 ms.
    """
    if type(array) is np.ndarray and array.flags.c_contiguous:
        return np.take(array, indices, axis=0)
    return array[indices]


def gather(X, y, params, indices):
    """``X``, ``y`` and the per-row fit ``params`` of the rows ``indices``
    (``None``: all rows, uncopied)."""
    if indices is None:
        return X, y, dict(params)
    n_samples = X.shape[0]
    params = {key: take(value, indices, n_samples) for key, value in params.items()}
    return rows(X, indices), rows(y, indices), params


def seed_estimator(estimator, seed):
    """Set every ``random_state`` parameter, nested ones too, to ``seed``."""
    keys = [
        key
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    ]
    if keys:
        estimator.set_params(**dict.fromkeys(keys, int(seed)))
    return estimator


def _liblinear_primal(estimator, shape):
    """Whether a top-level liblinear estimator fits with a primal trust-region
    solver (L2 penalty), which draws nothing from liblinear's generator.

    ``dual="auto"`` is resolved as scikit-learn resolves it, from ``shape``
    (rows, features); unknown shape or settings count as not primal.
    """
    try:
        from sklearn.svm._classes import _validate_dual_parameter

        params = estimator.get_params(deep=False)
        if isinstance(estimator, LogisticRegression):
            penalty = params.get("penalty", "l2")
            if penalty == "deprecated":  # scikit-learn >= 1.8: l1_ratio decides
                penalty = "l2" if not params.get("l1_ratio") else "other"
            return penalty == "l2" and params.get("dual", False) is False
        loss = params.get("loss")
        dual = params.get("dual", "auto")
        if isinstance(estimator, LinearSVC):
            if params.get("penalty") != "l2" or params.get("multi_class") != "ovr":
                return False
            primal_loss = "squared_hinge"
        else:
            primal_loss = "squared_epsilon_insensitive"
        if loss != primal_loss:
            return False
        if dual == "auto":
            if shape is None:
                return False
            dual = _validate_dual_parameter(dual, loss, "l2", "ovr", np.empty(shape))
        return dual is False
    except Exception:  # private helpers moved, or odd settings: assume draws
        return False


def uses_global_rng(estimator, shape=None):
    """Whether fitting ``estimator`` draws from a process-wide random generator.

    True for the liblinear and libsvm estimators of ``sklearn.svm`` and
    their subclasses (decided by class, not by module name), and for any
    estimator, nested ones included, with ``solver="liblinear"``; except a
    top-level liblinear estimator whose fit of ``shape`` (rows, features)
    runs a primal trust-region solver (``_liblinear_primal``), which draws
    nothing.
    """
    if isinstance(estimator, (LinearSVC, LinearSVR)) or (
        isinstance(estimator, LogisticRegression)
        and estimator.get_params(deep=False).get("solver") == "liblinear"
    ):
        if _liblinear_primal(estimator, shape):
            return False
    found = [estimator]
    for key, value in estimator.get_params(deep=True).items():
        if key == "solver" or key.endswith("__solver"):
            if isinstance(value, str) and value == "liblinear":
                return True
        elif hasattr(value, "get_params") and not isinstance(value, type):
            found.append(value)
    return any(isinstance(item, _GLOBAL_RNG_CLASSES) for item in found)


def _settings(config, validated):
    """The scikit-learn configuration a fit runs under."""
    settings = dict(config or {})
    if validated:
        # fit checked X for non-finite values already: skip that pass.
        settings["assume_finite"] = True
    return config_context(**settings) if settings else nullcontext()


def fit_one(estimator, X, y, indices, seed, params, *, validated=False, config=None):
    """Fit a seeded clone on the rows ``indices`` (``None``: all rows, uncopied).

    Returns the model, the warnings its fit raised as ``(category, text)``
    pairs, and the seconds the task took: cloning, gathering the rows and
    fitting (the work a shard costs a worker), not waiting for the lock of
    the estimators that need one. ``config`` is the caller's scikit-learn
    configuration (``sklearn.get_config()``), applied in whatever thread
    runs the fit; ``validated`` says that ``X`` was checked for non-finite
    values already, so the inner estimator skips that pass over the rows.
    """
    started = time.perf_counter()
    model = seed_estimator(clone(estimator), seed)
    X_shard, y_shard, shard_params = gather(X, y, params, indices)
    drawing = uses_global_rng(model, np.shape(X_shard)[:2])
    lock = GLOBAL_RNG_LOCK if drawing else nullcontext()
    seconds = time.perf_counter() - started
    with recorded_warnings() as caught, lock, _settings(config, validated):
        start = time.perf_counter()
        model.fit(X_shard, y_shard, **shard_params)
        seconds += time.perf_counter() - start
    return model, caught, seconds


def time_fit(estimator, X, y, indices, seed, params, **options):
    """``fit_one`` on the rows ``indices``, repeated while quick; the fastest
    time is kept.

    The rows are gathered once, first, and timed apart: one fit on all rows
    gathers nothing, while every shard fit gathers its rows (cheap from a
    C-ordered array, about ten times dearer per row from a Fortran-ordered
    one). Returns the first fit's model and warnings, the fastest seconds of
    the fit alone, the wall seconds spent on all of it, and the seconds the
    gathering took.
    """
    started = time.perf_counter()
    X, y, params = gather(X, y, params, indices)
    gathered = time.perf_counter() - started
    model, caught, best = fit_one(estimator, X, y, None, seed, params, **options)
    for _ in range(PILOT_REPEATS):
        if best >= PILOT_REPEAT_BELOW:
            break
        *_, seconds = fit_one(estimator, X, y, None, seed, params, **options)
        best = min(best, seconds)
    return model, caught, best, time.perf_counter() - started, gathered


@dataclass(frozen=True)
class ShardTask:
    """What every shard fit of one fit shares, sent once to each worker.

    ``keep`` holds the shard numbers whose models come back whole (for the
    transplant check and as the model the aggregate is loaded into);
    ``parent`` is the process id of the fit's caller; ``classes`` the
    classes every shard must hold (cluster engines check them there).
    """

    estimator: Any
    layout: Any
    keep: frozenset
    config: dict
    parent: int
    classes: Any = None


def fit_shard_batch(task, X, y, params, shards, seeds, limit=True):
    """Fit a batch of shards in one task (a thread, a process or a worker).

    ``task`` is a ``ShardTask``: the learner, the hypothesis layout, the
    shard numbers whose models are kept, the configuration; ``X``, ``y``
    and ``params`` are the data (separate arguments, so that joblib can
    memory-map or scatter them once), ``shards`` the ``(numbers, rows)`` of
    the batch.
    Returns the hypothesis vectors, the kept models by shard number, the
    warnings each fit raised and the seconds each fit took. In a worker
    process, and with ``limit`` in threads of the caller's, BLAS and OpenMP
    get one thread per fit, so that parallel workers never oversubscribe
    the cores.
    """
    vectors, kept, raised, seconds = [], {}, [], []
    limit = limit or os.getpid() != task.parent
    with one_thread() if limit else nullcontext():
        for number, indices, seed in zip(shards[0], shards[1], seeds, strict=True):
            model, caught, took = fit_one(
                task.estimator,
                X,
                y,
                indices,
                seed,
                params,
                validated=True,
                config=task.config,
            )
            vectors.append(flatten(model, task.layout))
            if number in task.keep:
                kept[number] = model
            raised.append(caught)
            seconds.append(took)
    return vectors, kept, raised, seconds


def fit_shard_rows(task, number, seed, X, y, params, advice):
    """Fit shard ``number`` from its own rows, on a cluster worker.

    Checks that the shard holds every class (``advice`` says what to do when
    it does not), fits with one BLAS/OpenMP thread (the worker's threads
    share its cores) and returns a dict: the hypothesis ``vector``, its
    ``seconds`` and ``warnings``, the ``model`` for the kept shard numbers
    and the first rows as ``probe`` of the last kept one.
    """
    classes = task.classes
    missing = None if classes is None else class_mismatch(classes, y)[0]
    if missing is not None:
        raise ValueError(f"Shard {number} has no rows of class {missing!r}: {advice}")
    with one_thread():
        model, caught, seconds = fit_one(
            task.estimator, X, y, None, seed, params, config=task.config
        )
    return {
        "vector": flatten(model, task.layout),
        "seconds": seconds,
        "warnings": caught,
        "model": model if number in task.keep else None,
        "probe": X[:PROBE_ROWS] if number == max(task.keep) else None,
    }
