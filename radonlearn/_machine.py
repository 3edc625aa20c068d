"""The Radon machine meta-estimators: plan shards, fit them, aggregate, load."""

import ctypes
import os
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from numbers import Integral
from typing import ClassVar

import numpy as np
from joblib import effective_n_jobs
from scipy import sparse
from sklearn import config_context, get_config
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data
from threadpoolctl import ThreadpoolController

try:  # scikit-learn >= 1.9 has a callback API (progress bars, monitors).
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:
        """Stand-in when scikit-learn has no callback API."""

    def with_callbacks(method):
        """Stand-in decorator: the method unchanged."""
        return method


from ._aggregate import AGGREGATORS, blockwise_radon_levels, call_aggregator
from ._dask import fit_dask, is_dask_collection, predict_blocks
from ._hypotheses import (
    PROBE_ROWS,
    check_finite,
    check_transplant,
    flatten,
    layout_of,
    load,
)
from ._shards import (
    MAX_SEED,
    OVERHEAD_ROWS,
    PILOT_REPEAT_BELOW,
    PILOT_REPEATS,
    check_height,
    explicit_min_rows,
    fastest_height,
    fit_cost_model,
    grow_pilots,
    largest_height,
    min_rows_per_shard,
    nest_shards,
    predict_fit_seconds,
    predict_wall_seconds,
    random_order,
    shard_seeds,
)

__all__ = ["RadonMachineClassifier", "RadonMachineRegressor"]

# Rows of the pilot fit that reads the hypothesis layout before planning.
_PILOT_ROWS = 1000
# The pilots' rows are drawn from the stream ``[base_seed, _PILOT_STREAM]``.
_PILOT_STREAM = 1
# Pilot fits quicker than this are repeated (keeping the fastest) to tame
# timer noise; pilots stop growing once one fit takes longer than the budget.
# Threads are preferred (no start-up, no data transfer; measured here to run
# liblinear, HiGHS, lbfgs and SGD shard fits at 0.7-0.95 parallel
# efficiency) unless two threads run two shard fits slower than this
# fraction of one thread, twice (the first shard fits are the test). A
# learner that simply holds the GIL reads about 1.0 (two fits take twice
# one) and stays on threads, which cost it nothing over one worker; on a
# shared 2-core machine with one core busy, lbfgs readings of 0.67-0.97 were
# seen, so only a clear slow-down (threads fighting over the GIL) moves the
# shards to processes, whose memory-mapped copies and start-up are costly.
_THREAD_SPEEDUP_NEEDED = 0.7
_THREAD_TEST_MIN = 0.005
_THREAD_TESTS = 2
# Predicted start-up of a process pool, plus its data transfer per byte.
_PROCESS_STARTUP = 1.5
_PROCESS_SECONDS_PER_BYTE = 1e-9
# Shards fitted per scheduled task: a few tasks per worker balance the load
# without scheduling thousands of tiny tasks.
_TASKS_PER_WORKER = 4
# Thread workers take one shard per task (scheduling a task costs
# microseconds), up to this many tasks per worker.
_TASKS_PER_THREAD = 16


# One thread-pool controller per process: finding the BLAS and OpenMP
# libraries costs milliseconds, limiting them with a known controller
# microseconds, so shard fits in threads can each limit their own.
_CONTROLLERS = {}
# liblinear (LinearSVC, LinearSVR, solver="liblinear") and libsvm draw from one
# random generator per process, seeded at the start of every fit: two fits in
# threads of one process interleave their draws and neither is reproducible.
# Such fits hold this lock, and their shards go to processes.
_GLOBAL_RNG_LOCK = threading.Lock()


def _find_thread_pools():
    """Look for the BLAS and OpenMP libraries of this process again.

    Libraries loaded since the last look (a learner's first import) are
    then limited too. Only looks: limits nothing.
    """
    _CONTROLLERS[os.getpid()] = ThreadpoolController()


class _OneThread:
    """Context limiting BLAS and OpenMP to one thread for the calling thread.

    OpenMP's thread count is a per-thread setting: a limit set in the main
    thread does not reach the worker threads, whose shard fits would then
    each start a full OpenMP team and oversubscribe the cores. So every
    thread that fits a shard enters this itself. The limit is set on entry
    and the previous counts are restored on exit (threadpoolctl's limiter
    sets its limits as soon as it is made, so it is made only on entry).
    """

    def __enter__(self):
        pid = os.getpid()
        if pid not in _CONTROLLERS:
            _find_thread_pools()
        self._limiter = _CONTROLLERS[pid].limit(limits=1)
        return self

    def __exit__(self, *exc_info):
        self._limiter.restore_original_limits()
        return False


def _one_thread():
    """A context limiting BLAS and OpenMP to one thread (see ``_OneThread``)."""
    return _OneThread()


def _take(value, indices, n_samples):
    """Rows ``indices`` of a per-sample value; anything else passes unchanged."""
    if sparse.issparse(value):
        return value[indices]
    if hasattr(value, "iloc") and len(value) == n_samples:
        return value.iloc[indices]
    if hasattr(value, "__len__") and not isinstance(value, (str, bytes, dict)):
        if len(value) == n_samples:
            return np.asarray(value)[indices]
    return value


def _rows(array, indices):
    """``array[indices]``; for a dense array by ``np.take``, the same rows.

    ``np.take(X, indices, axis=0)`` gathers the rows of a 2-D array about
    three times faster than fancy indexing (numpy 2.4: 3 ms instead of 9 ms
    for 35,714 random rows of a 750,000 x 18 array), with the same values
    and a C-contiguous result either way.
    """
    if type(array) is np.ndarray:
        return np.take(array, indices, axis=0)
    return array[indices]


def _find_malloc_trim():
    """glibc's ``malloc_trim``, or None (another C library, another system)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_MALLOC_TRIM = _find_malloc_trim() if sys.platform.startswith("linux") else None


def release_freed_memory():
    """Return memory freed in this process to the system, where glibc allows.

    glibc keeps freed blocks for reuse, and once a large block has been
    freed it serves even multi-megabyte arrays from its heap, where they stay
    resident after they are freed. The planning of a fit (the random order,
    the shard assignment) frees tens of megabytes of temporaries at 10**6
    rows; kept, they add to the shard phase's peak, which the fit would then
    hold above the full-data fit's (measured here on a 1,000,000 x 18
    logistic fit, before the planning's own temporaries were trimmed down:
    53 to 56 MB resident at peak, 25 to 35 MB when given back, against 33 MB
    for the full-data fit). ``malloc_trim(0)`` gives them back, in about a
    millisecond. Elsewhere nothing is done.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _encode_classes(y):
    """``np.unique(y, return_inverse=True, return_counts=True)``, faster.

    Integer labels spanning a range no wider than the number of rows are
    counted with ``np.bincount`` in linear time (10 ms instead of 25 ms for
    750,000 binary labels: the sort behind ``np.unique``); anything else goes to
    ``np.unique``. Same classes (sorted, same dtype) and counts; the codes
    come in the smallest unsigned integer type that holds them (one byte per
    row for up to 256 classes instead of eight).
    """
    if y.dtype.kind in "iu" and y.size:
        low, high = int(y.min()), int(y.max())
        span = max(y.size, 1024)
        if high - low <= span and -(2**62) < low and high < 2**62:
            if 0 <= low and high <= span and np.can_cast(y.dtype, np.intp):
                offset = y  # no n-sized temporary
            else:
                offset = y.astype(np.int64, copy=False) - low
            counts = np.bincount(offset)
            present = np.flatnonzero(counts)
            lookup = np.zeros(counts.size, dtype=np.min_scalar_type(present.size))
            lookup[present] = np.arange(present.size)
            return (present + low).astype(y.dtype), lookup[offset], counts[present]
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return classes, codes.astype(np.min_scalar_type(classes.size)), counts


def _seed(estimator, seed):
    """Set every ``random_state`` parameter, nested ones too, to ``seed``."""
    keys = [
        key
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    ]
    if keys:
        estimator.set_params(**dict.fromkeys(keys, int(seed)))
    return estimator


def uses_global_rng(estimator):
    """Whether fitting ``estimator`` draws from a process-wide random generator.

    True for the liblinear and libsvm estimators of ``sklearn.svm``, and for
    any estimator, nested ones included, with ``solver="liblinear"``.
    """
    found = [estimator]
    for key, value in estimator.get_params(deep=True).items():
        if key == "solver" or key.endswith("__solver"):
            if value == "liblinear":
                return True
        elif hasattr(value, "get_params"):
            found.append(value)
    return any(
        type(item).__module__.startswith("sklearn.svm") and not isinstance(item, type)
        for item in found
    )


def _fit_one(estimator, X, y, indices, seed, params, capture=True, validated=False):
    """Fit a seeded clone on the rows ``indices`` (``None``: all rows, uncopied).

    Returns the model, the warnings its fit raised (recorded only with
    ``capture``: recording is not thread-safe, so fits that run in threads
    leave it to their caller) and the seconds the task took: cloning,
    gathering the rows and fitting (the work a shard costs a worker), not
    waiting for the lock of the estimators that need one. ``validated`` says
    that ``X`` was checked for non-finite values already (by ``fit``), so
    the inner estimator skips that pass over the rows (scikit-learn's
    ``assume_finite``).
    """
    started = time.perf_counter()
    n_samples = X.shape[0]
    model = _seed(clone(estimator), seed)
    if indices is None:
        shard_params, X_shard, y_shard = dict(params), X, y
    else:
        shard_params = {
            key: _take(value, indices, n_samples) for key, value in params.items()
        }
        X_shard, y_shard = _rows(X, indices), _rows(y, indices)
    recorder = warnings.catch_warnings(record=True) if capture else nullcontext([])
    lock = _GLOBAL_RNG_LOCK if uses_global_rng(model) else nullcontext()
    checks = config_context(assume_finite=True) if validated else nullcontext()
    seconds = time.perf_counter() - started
    with recorder as caught, lock, checks:
        if capture:
            warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X_shard, y_shard, **shard_params)
        seconds += time.perf_counter() - start
    return model, [(w.category, str(w.message)) for w in caught], seconds


def time_fit(estimator, X, y, indices, seed, params, capture=True, validated=False):
    """``_fit_one``, repeated while quick; the fastest time is kept.

    Returns the first fit's model and warnings, the fastest seconds and the
    wall seconds spent on all the fits.
    """
    args = (estimator, X, y, indices, seed, params, capture, validated)
    started = time.perf_counter()
    model, caught, best = _fit_one(*args)
    for _ in range(PILOT_REPEATS):
        if best >= PILOT_REPEAT_BELOW:
            break
        *_, seconds = _fit_one(*args)
        best = min(best, seconds)
    return model, caught, best, time.perf_counter() - started


def _fit_shard_batch(
    estimator, X, y, shards, seeds, params, layout, keep, parent, limit=True
):
    """Fit a batch of shards in one task.

    Returns the hypothesis vectors, the models whose shard number is in
    ``keep`` (for the transplant check and as the template of the result),
    the warnings each fit raised and the seconds each fit took. In a worker
    process (not ``parent``) BLAS and OpenMP are limited to one thread, so
    that the workers never oversubscribe the cores, and warnings are recorded
    per fit; in the parent process (threads) the caller records them. With
    ``limit`` the fits in a thread of the parent get one BLAS and OpenMP
    thread each as well.
    """
    vectors, kept, raised, seconds = [], {}, [], []
    in_worker = os.getpid() != parent
    with _one_thread() if in_worker or limit else nullcontext():
        for number, indices, seed in zip(shards[0], shards[1], seeds, strict=True):
            model, caught, took = _fit_one(
                estimator, X, y, indices, seed, params, in_worker, validated=True
            )
            vectors.append(flatten(model, layout))
            if number in keep:
                kept[number] = model
            raised.append(caught)
            seconds.append(took)
    return vectors, kept, raised, seconds


def _summarise_warnings(raised, n_shards):
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
        warnings.warn(message, category, stacklevel=3)


class _FitContext:
    """What every fit of one ``fit`` call shares: learner, data, seeds."""

    def __init__(
        self, template, X, y, codes, params, seed, pilot_rng, base_seed, n_workers=1
    ):
        self.base_seed = base_seed
        self.template = template
        self.X = X
        self.y = y
        self.codes = codes
        self.params = params
        self.seed = seed
        # Draws the pilots' rows: a stream of its own, so that how many
        # pilots the timings ask for changes no shard.
        self.pilot_rng = pilot_rng
        self.n_workers = n_workers

    def limits(self):
        """BLAS and OpenMP as the shard fits will have them.

        Parallel shard fits run with one BLAS/OpenMP thread each; timing a
        pilot with the libraries' own thread pools would measure a different
        (on a busy machine, often several times slower) fit.
        """
        return _one_thread() if self.n_workers > 1 else nullcontext()


class _ShardPlanner:
    """Lays out the shards' rows in a background thread while the pilots run.

    Drawing the random order of all rows and laying it out in stratified
    shards (``nest_shards``) costs tens of milliseconds per million rows,
    spent in numpy calls that release the GIL. The pilot fits run one at a
    time in the calling thread, so this work is done meanwhile on another
    core, for every height the pilots may choose. The planner owns ``rng``
    from its start: nothing else may draw from it.
    """

    def __init__(self, rng, n_samples, codes):
        self._rng = rng
        self._codes = codes
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="radonlearn-plan")
        self._order = self._executor.submit(random_order, rng, n_samples)
        self._layout = None

    def nest(self, radon_number, depth):
        """Start laying out the rows for every height up to ``depth``."""
        order = self._order

        def lay_out():
            return nest_shards(
                order.result(), radon_number, depth, self._rng, self._codes
            )

        self._layout = self._executor.submit(lay_out)

    def shards(self, height):
        """The shards of ``height`` (at most the depth given to ``nest``)."""
        shards = self._layout.result().shards(height)
        self._order = self._layout = None  # the shards hold every row
        return shards

    def close(self):
        """Wait for the background thread (dropping work not yet started)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def _report_shards(machine, progress, count):
    """Report ``count`` finished shard fits as leaf subtasks of ``progress``."""
    for _ in range(count):
        shard = progress.subcontext(task_name="shard")
        shard.call_on_fit_task_begin(estimator=machine)
        shard.call_on_fit_task_end(estimator=machine)


def _spread(points):
    """Median distance of the points to their coordinate-wise median."""
    return float(np.median(np.linalg.norm(points - np.median(points, axis=0), axis=1)))


def _inner_has(attribute):
    """``available_if`` check: the (fitted or template) inner model has it."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attribute)
        return hasattr(self._template(), attribute)

    return check


class _NoCallbacks:
    """A callback context that does nothing (no callbacks set, or none supported)."""

    def subcontext(self, **kwargs):
        """Itself: subtasks do nothing either."""
        return self

    def call_on_fit_task_begin(self, **kwargs):
        """Nothing."""

    def call_on_fit_task_end(self, **kwargs):
        """Nothing."""


class _BaseRadonMachine(CallbackSupportMixin, MetaEstimatorMixin, BaseEstimator):
    """Shared fit and prediction logic of the two Radon machines."""

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit"]), None],
        "height": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "min_samples_per_shard": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "aggregation": [StrOptions(set(AGGREGATORS)), callable],
        "block_size": [Interval(Integral, 1, None, closed="left"), None],
        "dask_shuffle": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        height="auto",
        min_samples_per_shard="auto",
        aggregation="radon",
        block_size=None,
        dask_shuffle=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.height = height
        self.min_samples_per_shard = min_samples_per_shard
        self.aggregation = aggregation
        self.block_size = block_size
        self.dask_shuffle = dask_shuffle
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _template(self):
        """An unfitted clone of the inner estimator (or the default)."""
        if self.estimator is None:
            return self._default_estimator()
        return clone(self.estimator)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._template())
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

    def get_metadata_routing(self):
        """Metadata routing: ``fit`` metadata goes to every shard's ``fit``.

        Returns
        -------
        routing : MetadataRouter
        """
        return MetadataRouter(owner=self).add(
            estimator=self._template(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    def _shard_params(self, template, sample_weight, fit_params, n_samples):
        """The metadata each shard fit receives, before row selection."""
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)
            if sample_weight.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got "
                    f"{sample_weight.shape}."
                )
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            return dict(routed.estimator.fit)
        params = dict(fit_params)
        if sample_weight is not None:
            if not has_fit_parameter(template, "sample_weight"):
                raise ValueError(
                    f"{type(template).__name__}.fit does not accept sample_weight, "
                    "so the Radon machine cannot pass it to the shard fits. Use an "
                    "inner estimator that takes sample_weight, or resample rows."
                )
            params["sample_weight"] = sample_weight
        return params

    def _validate_targets(self, y):
        """Check ``y``; returns classes, their counts and every row's class index.

        All three are None for regression.
        """
        return None, None, None

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the inner estimator on every shard and aggregate the models.

        Parameters
        ----------
        X : {array-like, sparse matrix, Dask array, Dask DataFrame} of shape \
                (n_samples, n_features)
            Training rows. Sparse input is accepted when the inner estimator
            accepts it. Dask input is fitted where it lives: shards are groups
            of its chunks, fitted on the workers (with the active
            ``distributed.Client``, else Dask's local scheduler), the
            aggregation tree runs there too, and only coefficient vectors
            come back (see the "Scaling out" guide and ``dask_shuffle``).
        y : array-like, Dask array or Dask Series of shape (n_samples,) or \
                (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, split with the rows and passed to each shard fit.
        **fit_params : dict
            Other metadata for the inner estimator's ``fit``; per-row arrays
            are split with the rows.

        Returns
        -------
        self : object
            The fitted Radon machine.
        """
        self._clear_fitted()
        self.__dict__.pop("_stream", None)
        try:
            if is_dask_collection(X) or is_dask_collection(y):
                return fit_dask(
                    self, X, y, sample_weight, fit_params, time.perf_counter()
                )
            return self._fit(X, y, sample_weight, fit_params)
        except BaseException:
            self._clear_fitted()
            raise

    def _clear_fitted(self):
        """Remove every fitted attribute, so a failed fit leaves none behind."""
        for name in [key for key in vars(self) if key.endswith("_")]:
            if not name.startswith("_"):
                delattr(self, name)

    def _fit(self, X, y, sample_weight, fit_params):
        """The body of ``fit``: validate, plan, fit shards, aggregate, load."""
        started = time.perf_counter()
        template = self._template()
        allow_nan = get_tags(template).input_tags.allow_nan
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            ensure_all_finite="allow-nan" if allow_nan else True,
            multi_output=is_regressor_machine(self),
            y_numeric=is_regressor_machine(self),
            dtype=None,
        )
        if sparse.issparse(X):
            X = X.tocsr()
        classes, counts, codes = self._validate_targets(y)
        n_samples = X.shape[0]
        params = self._shard_params(template, sample_weight, fit_params, n_samples)
        base_seed = check_random_state(self.random_state).randint(MAX_SEED)
        rng = np.random.default_rng(base_seed)
        first_seed = int(rng.integers(MAX_SEED))
        pilot_rng = np.random.default_rng([base_seed, _PILOT_STREAM])
        times = {"validation": time.perf_counter() - started}
        n_workers = effective_n_jobs(self.n_jobs)
        if n_workers > 1:
            _find_thread_pools()
        fit = _FitContext(
            template, X, y, codes, params, first_seed, pilot_rng, base_seed, n_workers
        )
        fit.callbacks = self._callback_root(X, y)

        if self.height == 0 or (
            self.height == "auto" and self._surely_unsharded(X, counts)
        ):
            return self._fit_single(fit, times, started, {"chosen": 0})
        planner = _ShardPlanner(rng, n_samples, codes)
        try:
            return self._plan_and_fit(fit, planner, counts, classes, times, started)
        finally:
            planner.close()

    def _plan_and_fit(self, fit, planner, counts, classes, times, started):
        """Pilot fits, the height, then the fit at that height."""
        n_samples = fit.X.shape[0]
        n_workers = fit.n_workers
        # Pilot fit: the hypothesis layout, hence D and the Radon number.
        pilot_start = time.perf_counter()
        pilot_rows = self._sample_rows(fit, _PILOT_ROWS)
        pilot, caught, pilot_seconds, pilot_wall = self._time_fit(fit, pilot_rows)
        layout = layout_of(pilot)
        radon_number = self._radon_number(layout.n_parameters)
        plan = {"radon_number": radon_number, "n_workers": n_workers}
        if self.height == "auto":
            min_rows = min_rows_per_shard(
                self.min_samples_per_shard, layout.n_parameters
            )
            allowed = largest_height(n_samples, radon_number, min_rows, counts)
            plan.update(min_rows_per_shard=min_rows, largest_height=allowed)
            height = 0
            if allowed > 0:
                planner.nest(radon_number, allowed)
                height = self._plan_speed(
                    fit,
                    plan,
                    radon_number,
                    allowed,
                    (len(pilot_rows), pilot_seconds, pilot_wall),
                )
        else:
            height = self.height
            min_rows = explicit_min_rows(self.min_samples_per_shard)
            check_height(height, n_samples, radon_number, min_rows, classes, counts)
            if height > 0:
                planner.nest(radon_number, height)
        plan["chosen"] = height
        times["pilot"] = time.perf_counter() - pilot_start
        if height == 0:
            if len(pilot_rows) == n_samples:
                _summarise_warnings([caught], 1)
                times.update(shards=pilot_seconds, shard_fit_sum=pilot_seconds)
                return self._finish(
                    pilot,
                    layout,
                    flatten(pilot, layout)[None],
                    0,
                    radon_number,
                    times,
                    started,
                    plan,
                    n_workers=1,
                )
            return self._fit_single(fit, times, started, plan)
        shards = planner.shards(height)
        return self._fit_sharded(
            fit, layout, height, radon_number, shards, times, started, plan
        )

    def _surely_unsharded(self, X, counts):
        """Whether even height 1 is out of reach, whatever D turns out to be.

        ``D`` is at least the number of features, and the rows (and, for a
        classifier, the rarest class) needed for height 1 grow with ``D``.
        """
        d_min = X.shape[1]
        min_rows = min_rows_per_shard(self.min_samples_per_shard, d_min)
        radon_number = self._radon_number(d_min) if d_min > 0 else 2
        rarest = X.shape[0] if counts is None else counts.min()
        return X.shape[0] < radon_number * min_rows or rarest < radon_number

    def _callback_root(self, X, y):
        """The root callback context: subtasks "shard fits" and "aggregation"."""
        if not hasattr(self, "_init_callback_context"):
            return _NoCallbacks()
        context = self._init_callback_context(task_name="fit", max_subtasks=2)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)
        return context

    def _sample_rows(self, fit, size):
        """``size`` rows drawn at random, plus one of every class; sorted.

        Drawn from the pilots' own stream, without replacement.
        """
        n_samples = fit.X.shape[0]
        if size >= n_samples:
            return np.arange(n_samples)
        rows = fit.pilot_rng.choice(n_samples, size, replace=False)
        if fit.codes is not None:
            n_classes = int(fit.codes.max()) + 1
            present = np.bincount(fit.codes[rows], minlength=n_classes) > 0
            if not present.all():
                # A random row of every missing class: one pass over the
                # labels, whatever the number of classes missing.
                missing = np.flatnonzero(~present)
                candidates = np.flatnonzero(np.isin(fit.codes, missing))
                candidates = fit.pilot_rng.permutation(candidates)
                _, first = np.unique(fit.codes[candidates], return_index=True)
                rows = np.union1d(rows, candidates[first])
        return np.sort(rows)

    def _time_fit(self, fit, rows):
        """Fit on ``rows`` as the shard fits will run; see ``time_fit``."""
        with fit.limits():
            return time_fit(
                fit.template, fit.X, fit.y, rows, fit.seed, fit.params, validated=True
            )

    def _first_shards(self, fit, shards, seeds, alone=None):
        """Fit the first shards, timing whether two threads beat one.

        Shard 0 is fitted alone, then shards 1 and 2 side by side in two
        threads (a slow reading is repeated once, on shards 3 to 5):
        ``2 * alone / together`` is near 2 when the learner releases the GIL
        (threads suit it) and near 1 or below when it holds it (processes
        may suit it). The fits are real shard fits, kept in the
        result, and of the real shard size, so the test sees the learner as
        the shard fits will. A first fit quicker than a few milliseconds is
        mostly timer noise: then 2.0 is returned after that one fit, so such
        learners keep the cheap default, threads. Runs with BLAS limited and
        warnings recorded by the caller. ``alone``, the seconds of one shard
        fit predicted by the pilots' cost model (height="auto"), replaces the
        lone fit, so that no worker idles: shards 0 and 1 are the first pair.

        Returns ``[(model, seconds), ...]`` for shards ``0, 1, ...`` and the
        speed-up.
        """

        def one(number):
            with fit.limits():
                model, _, seconds = _fit_one(
                    fit.template,
                    fit.X,
                    fit.y,
                    shards[number],
                    seeds[number],
                    fit.params,
                    capture=False,
                    validated=True,
                )
            return model, seconds

        if uses_global_rng(fit.template):
            # Fits in threads would serialise on the lock: processes.
            return [], 0.0
        first, speedup = [], 0.0
        estimated = alone is not None
        with ThreadPoolExecutor(2) as pool:
            # A slow reading is taken again on the next shards (the machine
            # may have been busy): only a learner that is slow in threads
            # both times goes to processes.
            for _ in range(_THREAD_TESTS):
                if len(first) + (2 if estimated else 3) > len(shards):
                    break
                if not estimated:
                    first.append(one(len(first)))
                    alone = first[-1][1]
                if alone < _THREAD_TEST_MIN:
                    return first, 2.0
                start = time.perf_counter()
                first.extend(pool.map(one, [len(first), len(first) + 1]))
                speedup = max(speedup, 2 * alone / (time.perf_counter() - start))
                if speedup >= _THREAD_SPEEDUP_NEEDED:
                    break
        return first, speedup if first else 2.0

    def _time_overhead(self, fit):
        """Seconds of a fit on a tiny sample: the learner's per-fit overhead.

        Fitted once: noise only adds time, and the cost model takes at most
        half the quickest pilot anyway. ``None`` when the learner cannot fit
        so few rows (its error is left to the real fits); the cost model
        then assumes half its quickest pilot.
        """
        rows = self._sample_rows(fit, OVERHEAD_ROWS)
        try:
            with fit.limits():
                return _fit_one(
                    fit.template,
                    fit.X,
                    fit.y,
                    rows,
                    fit.seed,
                    fit.params,
                    validated=True,
                )[2]
        except Exception:  # any failure only loses the estimate
            return None

    def _plan_speed(self, fit, plan, radon_number, allowed, first_timing):
        """Choose the height with the least predicted wall time (height="auto").

        Times the learner on a tiny sample (its per-fit overhead) and on
        growing samples, from the shard size of the deepest allowed height
        upwards by factors of four, until the growth can be read (or the
        shard size of height 1 is reached), with BLAS and OpenMP limited as
        in the shard fits; fits ``t(m) = overhead + coefficient * m**exponent``
        to the timings; and predicts each height's
        wall time on the workers, assuming threads (see ``fastest_height``).
        Whether two threads beat one is measured later, on the first shard
        fits (see ``_first_shards``).
        """
        n_samples = fit.X.shape[0]

        def time_at(size):
            rows = self._sample_rows(fit, size)
            _, _, seconds, wall = self._time_fit(fit, rows)
            return len(rows), seconds, wall

        overhead = self._time_overhead(fit)
        timings = grow_pilots(
            time_at,
            first_timing,
            n_samples // radon_number**allowed,
            n_samples // radon_number,
            n_samples,
            overhead,
        )
        plan["cost_model"] = fit_cost_model(
            *zip(*timings, strict=True), overhead=overhead
        )
        # Threads are assumed here (no start-up, every worker busy); the
        # shard fits check that assumption on their first shards and
        # re-plan if the learner turns out to need processes.
        backend = "threads" if plan["n_workers"] > 1 else "sequential"
        return self._predict_height(fit, plan, backend)

    def _predict_height(self, fit, plan, backend, thread_speedup=2.0):
        """Predict every allowed height's wall time on ``backend``; the fastest.

        Threads run ``min(thread_speedup, 2) * n_workers / 2`` times faster
        than one worker; processes ``0.9 * n_workers`` times, after a start-up
        and the transfer of ``X``.
        """
        n_workers = plan["n_workers"]
        speedup, startup = 1.0, 0.0
        if backend == "threads":
            speedup = min(thread_speedup, 2.0) * n_workers / 2
        elif backend == "processes":
            speedup = 0.9 * n_workers
            nbytes = fit.X.data.nbytes if sparse.issparse(fit.X) else fit.X.nbytes
            startup = _PROCESS_STARTUP + _PROCESS_SECONDS_PER_BYTE * nbytes
        predicted = predict_wall_seconds(
            fit.X.shape[0],
            plan["radon_number"],
            range(plan["largest_height"] + 1),
            plan["cost_model"],
            n_workers,
            speedup,
            startup,
        )
        plan.update(backend=backend, predicted_seconds=predicted)
        return fastest_height(predicted)

    def _fit_single(self, fit, times, started, plan):
        """Height 0: one fit on all rows."""
        shards = fit.callbacks.subcontext(task_name="shard fits", max_subtasks=1)
        shards.call_on_fit_task_begin(estimator=self)
        # All rows, without a copy of X.
        model, caught, seconds = _fit_one(
            fit.template, fit.X, fit.y, None, fit.seed, fit.params, validated=True
        )
        _report_shards(self, shards, 1)
        shards.call_on_fit_task_end(estimator=self)
        _summarise_warnings([caught], 1)
        layout = layout_of(model)
        hypotheses = flatten(model, layout)[None]
        times.update(shards=seconds, shard_fit_sum=seconds)
        return self._finish(
            model,
            layout,
            hypotheses,
            0,
            self._radon_number(layout.n_parameters),
            times,
            started,
            plan,
            n_workers=1,
        )

    def _fit_sharded(
        self, fit, layout, height, radon_number, shards, times, started, plan
    ):
        """Fit the ``radon_number ** height`` shards in parallel, aggregate them."""
        X, y = fit.X, fit.y
        n_shards = radon_number**height
        seeds = shard_seeds(fit.base_seed, n_shards)
        # The planning's temporaries are freed; give them back before the
        # shard copies are made.
        release_freed_memory()
        n_workers = fit.n_workers
        keep = {0, 1}
        shards_start = time.perf_counter()
        # Every thread fitting a shard (this one, those of the test and the
        # joblib threads) limits BLAS and OpenMP for itself; process workers
        # limit their own.
        first, tested = [], []
        prefer = "threads"
        if n_workers > 1:
            with fit.limits(), warnings.catch_warnings(record=True) as tested:
                warnings.simplefilter("always")
                alone = None
                if "cost_model" in plan:
                    alone = predict_fit_seconds(
                        X.shape[0] / n_shards, plan["cost_model"]
                    )
                first, speedup = self._first_shards(fit, shards, seeds, alone)
            plan["thread_speedup"] = speedup
            if speedup < _THREAD_SPEEDUP_NEEDED:
                prefer = "processes"
                if self.height == "auto" and not self._predict_height(
                    fit, plan, prefer
                ):
                    # Processes cost too much start-up for this data: one fit.
                    plan["chosen"] = 0
                    return self._fit_single(fit, times, started, plan)
            plan["backend"] = prefer
        else:
            plan.setdefault("backend", "sequential")
        rest = np.arange(len(first), n_shards)
        # Threads take one shard at a time (cheap to schedule, balanced to the
        # last shard); processes take batches, a few per worker, to keep the
        # transfers few.
        per_worker = _TASKS_PER_THREAD if prefer == "threads" else _TASKS_PER_WORKER
        n_tasks = min(rest.size, 1 if n_workers == 1 else per_worker * n_workers)
        batches = np.array_split(rest, n_tasks) if rest.size else []
        progress = fit.callbacks.subcontext(
            task_name="shard fits", max_subtasks=n_shards
        )
        progress.call_on_fit_task_begin(estimator=self)
        _report_shards(self, progress, len(first))
        with fit.limits(), warnings.catch_warnings(record=True) as in_process:
            warnings.simplefilter("always")
            batch_results = Parallel(
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                prefer=prefer,
                return_as="generator",
            )(
                delayed(_fit_shard_batch)(
                    fit.template,
                    X,
                    y,
                    (batch, [shards[i] for i in batch]),
                    seeds[batch],
                    fit.params,
                    layout,
                    keep,
                    os.getpid(),
                    n_workers > 1,
                )
                for batch in batches
            )
            results = []
            for result in batch_results:
                results.append(result)
                _report_shards(self, progress, len(result[0]))
        progress.call_on_fit_task_end(estimator=self)
        vectors = [flatten(model, layout) for model, _ in first]
        kept = {number: first[number][0] for number in keep if number < len(first)}
        seconds = [took for _, took in first]
        # Warnings of fits in this process (threads) were recorded here, one
        # entry each; those of worker processes come back per fit.
        raised = [[(w.category, str(w.message))] for w in [*tested, *in_process]]
        for batch_vectors, batch_kept, batch_raised, batch_seconds in results:
            vectors.extend(batch_vectors)
            kept.update(batch_kept)
            raised.extend(batch_raised)
            seconds.extend(batch_seconds)
        times.update(
            shards=time.perf_counter() - shards_start,
            shard_fit_sum=float(np.sum(seconds)),
        )
        _summarise_warnings(raised, n_shards)
        hypotheses = np.vstack(vectors)
        check_finite(hypotheses)
        check_transplant(kept[1], kept[0], X[shards[1][:PROBE_ROWS]], layout)
        return self._finish(
            kept[0],
            layout,
            hypotheses,
            height,
            radon_number,
            times,
            started,
            plan,
            n_workers=n_workers,
        )

    def _radon_number(self, n_parameters):
        """Branching factor: ``D + 2``, or ``block_size + 2`` for smaller blocks."""
        if self.block_size is not None and self.block_size < n_parameters:
            return self.block_size + 2
        return n_parameters + 2

    def _aggregate(self, hypotheses, radon_number):
        """One vector from the shard hypotheses, and every level of the tree.

        "radon" aggregates the whole vector, or each block of ``block_size``
        coordinates separately, by iterated Radon points; the other methods
        have two levels: the hypotheses and their aggregate.
        """
        if len(hypotheses) == 1:
            return hypotheses[0], [hypotheses]
        if callable(self.aggregation):
            point = call_aggregator(self.aggregation, hypotheses)
        elif self.aggregation == "radon":
            levels = blockwise_radon_levels(hypotheses, radon_number)
            return levels[-1][0], levels
        else:
            point = AGGREGATORS[self.aggregation](hypotheses)
        return point, [hypotheses, point[None]]

    def _finish(
        self,
        template_model,
        layout,
        hypotheses,
        height,
        radon_number,
        times,
        started,
        plan,
        n_workers,
        aggregated=None,
    ):
        """Aggregate, load the result into ``estimator_`` and set fitted attributes.

        ``aggregated`` is the ``(point, levels)`` of a tree already computed
        (on Dask workers); otherwise the aggregation runs here.
        """
        aggregation_start = time.perf_counter()
        if aggregated is None:
            point, levels = self._aggregate(hypotheses, radon_number)
        else:
            point, levels = aggregated
        callbacks = getattr(self, "_callback_fit_ctx", None) or _NoCallbacks()
        tree = callbacks.subcontext(
            task_name="aggregation", max_subtasks=len(levels) - 1
        )
        tree.call_on_fit_task_begin(estimator=self)
        for _ in levels[1:]:
            level = tree.subcontext(task_name="level")
            level.call_on_fit_task_begin(estimator=self)
            level.call_on_fit_task_end(estimator=self)
        tree.call_on_fit_task_end(estimator=self)
        estimator = load(template_model, point, layout)
        times["aggregation"] = time.perf_counter() - aggregation_start
        times["n_workers"] = n_workers
        times["total"] = time.perf_counter() - started
        self.estimator_ = estimator
        self.coef_ = estimator.coef_
        if hasattr(estimator, "intercept_"):
            self.intercept_ = estimator.intercept_
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_
        self.height_ = height
        self.radon_number_ = radon_number
        self.n_shards_ = radon_number**height
        self.fit_times_ = times
        self.height_plan_ = plan
        self.hypotheses_ = hypotheses
        self.aggregation_levels_ = levels
        self.aggregation_spread_ = np.array([_spread(level) for level in levels])
        callbacks.call_on_fit_task_end(estimator=self)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Fit one base model on this chunk and fold it into the tree.

        Streaming and out-of-core training: every call fits a clone of the
        inner estimator on the chunk, and every completed group of ``r``
        models at one level is replaced by its Radon point one level up, so
        at most ``r - 1`` models wait at each level and memory stays
        ``O(h * r * D)`` however many chunks arrive.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets. For a classifier every chunk must hold every class.
        classes : array-like of shape (n_classes,), default=None
            All class labels; required on the first call of a classifier.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights for this chunk's fit.

        Returns
        -------
        self : object

        Notes
        -----
        After every call the model is usable: it is the mean of the models
        still waiting in the tree, each weighted by the number of chunks it
        stands for (``r ** level``); with ``r ** h`` chunks the tree is
        complete and the model is their iterated Radon point, as in ``fit``
        with one shard per chunk. ``hypotheses_`` then holds the waiting
        models, ``n_shards_`` counts the chunks and ``height_`` is the
        highest level reached. ``height``, ``min_samples_per_shard`` and
        ``aggregation`` do not apply; ``block_size`` does.
        """
        first = not hasattr(self, "_stream")
        X, y = validate_data(
            self,
            X,
            y,
            reset=first,
            accept_sparse=["csr", "csc"],
            multi_output=is_regressor_machine(self),
            y_numeric=is_regressor_machine(self),
            dtype=None,
        )
        if classes is None and first and hasattr(self, "classes_"):
            classes = self.classes_  # after fit: a new stream over the same classes
        if not is_regressor_machine(self):
            if first and classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            known = np.unique(classes) if first else self.classes_
            missing = np.setdiff1d(known, np.unique(y))
            if missing.size:
                raise ValueError(
                    f"This chunk lacks class {missing[0].item()!r}; every chunk "
                    "must hold every class, so that every chunk model has the "
                    "same coefficients."
                )
        template = self._template()
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        if not first:
            seed = (seed + self.n_shards_) % MAX_SEED
        model, caught, _ = _fit_one(template, X, y, None, seed, params)
        _summarise_warnings([caught], 1)
        if first:
            layout = layout_of(model)
            self._stream = {
                "layout": layout,
                "radon_number": self._radon_number(layout.n_parameters),
                "levels": [],
                "template": model,
            }
        stream = self._stream
        vector = flatten(model, stream["layout"])
        if not np.isfinite(vector).all():
            raise ValueError("The chunk model has non-finite coefficients.")
        self._fold(vector, 0)
        self.n_shards_ = getattr(self, "n_shards_", 0) + 1
        self._publish()
        return self

    def _fold(self, vector, level):
        """Add a vector at ``level``; a full group moves up as its Radon point."""
        stream = self._stream
        radon_number = stream["radon_number"]
        while len(stream["levels"]) <= level:
            stream["levels"].append([])
        stream["levels"][level].append(vector)
        if len(stream["levels"][level]) == radon_number:
            group = np.vstack(stream["levels"][level])
            stream["levels"][level] = []
            self._fold(blockwise_radon_levels(group, radon_number)[-1][0], level + 1)

    def _publish(self):
        """Set the fitted attributes from the waiting models (weighted mean)."""
        stream = self._stream
        radon_number = stream["radon_number"]
        vectors, weights = [], []
        for level, waiting in enumerate(stream["levels"]):
            vectors.extend(waiting)
            weights.extend([float(radon_number) ** level] * len(waiting))
        vectors = np.vstack(vectors)
        point = np.average(vectors, axis=0, weights=weights)
        estimator = load(stream["template"], point, stream["layout"])
        self.estimator_ = estimator
        self.coef_ = estimator.coef_
        if hasattr(estimator, "intercept_"):
            self.intercept_ = estimator.intercept_
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_
        self.radon_number_ = radon_number
        self.height_ = max(
            (level for level, waiting in enumerate(stream["levels"]) if waiting),
            default=0,
        )
        self.hypotheses_ = vectors

    def _predict_input(self, X):
        """Validate ``X`` for prediction against the fitted features."""
        check_is_fitted(self)
        allow_nan = get_tags(self.estimator_).input_tags.allow_nan
        return validate_data(
            self,
            X,
            reset=False,
            accept_sparse=["csr", "csc"],
            ensure_all_finite="allow-nan" if allow_nan else True,
            dtype=None,
        )

    def _call_inner(self, method, X):
        """The aggregated model's ``method`` on ``X``; chunk-wise on Dask input."""
        if is_dask_collection(X):
            return predict_blocks(self, method, X)
        X = self._predict_input(X)
        return getattr(self.estimator_, method)(X)

    def predict(self, X):
        """Predict with the aggregated model.

        Parameters
        ----------
        X : {array-like, sparse matrix, Dask array, Dask DataFrame} of shape \
                (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The inner estimator's own ``predict`` on the aggregated model; a
            lazy Dask array, computed chunk by chunk, for Dask input.
        """
        return self._call_inner("predict", X)


def is_regressor_machine(machine):
    """Whether ``machine`` is the regressor (targets are numbers, not classes)."""
    return isinstance(machine, RadonMachineRegressor)


class RadonMachineClassifier(ClassifierMixin, _BaseRadonMachine):
    """Parallel training of a linear classifier by the Radon machine.

    The rows are split into ``r ** h`` stratified shards, a clone of the inner
    classifier is fitted on each shard in parallel, every fitted model is
    flattened into a hypothesis vector (``coef_`` then ``intercept_``) and the
    vectors are aggregated by iterated Radon points into one model of the
    inner classifier's own class.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier whose fitted predictions depend only on ``coef_``,
        ``intercept_`` and ``classes_``, or a search (``GridSearchCV``,
        ``LogisticRegressionCV``) whose best model does. ``None`` means
        ``LogisticRegression()``.
    height : "auto" or int, default="auto"
        Height ``h`` of the aggregation tree; ``r ** h`` shards are fitted,
        with ``r = D + 2`` for ``D`` coefficients and intercepts. ``"auto"``
        considers the heights whose shards hold at least
        ``min_samples_per_shard`` rows and every class, and takes the one
        predicted to finish soonest: the inner estimator is timed on pilot
        samples (a tiny one for the per-fit overhead, then from the shard
        size of the deepest height up by fours, until the growth with the
        rows can be read or the pilots' budget is spent),
        ``t(m) = overhead + c * m**exponent`` is fitted to the timings, each
        height's wall time on the ``n_jobs`` workers is predicted, and the
        lowest height within 15 % of the fastest wins. Learners whose cost
        grows faster than linearly in the rows get deep trees; linear-cost
        ones at most one level, and none on small data. Timings vary, so
        near a tie the chosen height may differ between runs (the model for
        a given height is fixed by ``random_state``); pass an integer for
        exact reproducibility. An explicit height is always obeyed when
        every shard can get a row of every class (and
        ``min_samples_per_shard`` rows, when that is an int), else it raises
        ``ValueError``. ``0`` is one fit on all rows.
    min_samples_per_shard : "auto" or int, default="auto"
        Fewest rows per shard allowed when the height is chosen. ``"auto"``
        is ``max(15 * D, 50)``.
    aggregation : {"radon", "mean", "median", "geometric_median"} or callable, \
            default="radon"
        How the shard hypotheses become one: iterated Radon points, their
        mean, coordinate-wise median, geometric median, or a callable mapping
        the ``(n_shards, D)`` array to a ``(D,)`` vector. All use the same
        shard plan.
    block_size : int, default=None
        Block-wise aggregation for high-dimensional models: the hypothesis
        coordinates are split into consecutive blocks of ``block_size`` and
        each block is aggregated by iterated Radon points with branching
        ``block_size + 2``, so ``(block_size + 2) ** h`` shards are fitted
        instead of ``(D + 2) ** h``. ``None`` (or ``block_size >= D``) is
        the exact Radon machine; ``1`` is the iterated median of three per
        coordinate. The convex-hull guarantee then holds per block only, not
        for the vector as a whole.
    dask_shuffle : bool, default=False
        Dask input only. Shards of a Dask array or DataFrame are groups of
        its chunks (a chunk feeding several shards is split at random), so
        data stored in an order (by time, by label) gives biased shards.
        ``True`` first shuffles the rows across the chunks once, on the
        workers, with Dask's DataFrame shuffle. In-memory data is always
        shuffled into shards at random.
    n_jobs : int, default=None
        Parallel shard fits, with joblib semantics: ``None`` means 1 unless in
        a ``joblib.parallel_config`` context, ``-1`` means all cores. A backend
        set with ``joblib.parallel_config`` is used as it is; otherwise threads
        are used (no start-up, no copy of the data), unless the first shard
        fits show two threads running two fits slower than one thread does
        (a learner that holds the GIL), which gets processes.
        BLAS and OpenMP inside the workers are limited to one thread.
    random_state : int, RandomState instance or None, default=None
        Controls the shard assignment and the seeds handed to every shard's
        inner estimator (each shard gets a distinct one).
    verbose : int, default=0
        Verbosity of the parallel shard fits.

    Attributes
    ----------
    estimator_ : estimator object
        A fitted instance of the inner classifier's class (for a search, of
        its best model's class) holding the aggregated coefficients.
    coef_ : ndarray
        ``estimator_.coef_``.
    intercept_ : ndarray or float
        ``estimator_.intercept_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    height_ : int
        Height of the aggregation tree that was used.
    radon_number_ : int
        ``D + 2``: the branching factor of the tree.
    n_shards_ : int
        ``radon_number_ ** height_``.
    hypotheses_ : ndarray of shape (n_shards_, D)
        The shard models, flattened.
    aggregation_levels_ : list of ndarray
        Every level of the aggregation tree, from ``hypotheses_`` (first) to
        the aggregate ``(1, D)`` (last); two levels for the aggregations
        other than "radon".
    aggregation_spread_ : ndarray of shape (len(aggregation_levels_),)
        Median distance of each level's points to their coordinate-wise
        median: how the tree contracts the shard models.
    fit_times_ : dict
        Seconds spent on ``"validation"``, ``"pilot"`` (layout and planning),
        ``"shards"`` (wall time of the shard fits), ``"aggregation"`` and in
        ``"total"``, with ``"shard_fit_sum"`` (the shard tasks' own times
        added up: gathering each shard's rows and fitting it) and
        ``"n_workers"``: ``shard_fit_sum / (n_workers * shards)`` is the
        parallel efficiency. For Dask input the
        aggregation tree runs on the workers and is part of ``"shards"``.
    height_plan_ : dict
        How the height was chosen: ``"largest_height"`` the data allows,
        the pilot sizes and seconds, the fitted ``"cost_model"``, the
        measured ``"thread_speedup"``, the ``"backend"``, the
        ``"predicted_seconds"`` of each height and the ``"chosen"`` one.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` had string column
        names.

    See Also
    --------
    RadonMachineRegressor : The same for regression.
    sklearn.ensemble.BaggingClassifier : Averages predictions of bootstrap fits.

    Notes
    -----
    Before planning, the inner classifier is fitted once on a random sample
    of at most 1,000 rows (holding every class) to read the shape of its
    coefficients. The shard fits cost about ``r ** h`` fits on ``n / r ** h``
    rows each, spread over ``n_jobs`` workers; the aggregation costs about
    ``r ** (h - 1)`` LU solves of size ``D``. After the fits, the
    coefficients of one shard model are loaded into another and their
    predictions compared (the transplant check): an estimator whose
    predictions depend on other fitted state is refused with ``TypeError``.

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from radonlearn import RadonMachineClassifier
    >>> X, y = make_classification(n_samples=20_000, n_features=5, random_state=0)
    >>> machine = RadonMachineClassifier(LogisticRegression(), height=2, random_state=0)
    >>> machine.fit(X, y).height_, machine.n_shards_
    (2, 64)
    >>> full = LogisticRegression().fit(X, y)
    >>> round(machine.score(X, y), 2), round(full.score(X, y), 2)
    (0.84, 0.84)
    """

    def _default_estimator(self):
        """``LogisticRegression()``."""
        return LogisticRegression()

    def _validate_targets(self, y):
        """Classification targets with at least two classes."""
        if not (np.ndim(y) == 1 and np.asarray(y).dtype.kind in "biu"):
            # One column of integers or booleans is always binary or
            # multiclass; the check (a pass to find the unique values, 18 ms
            # for a million labels) is left for other targets.
            check_classification_targets(y)
        if np.ndim(y) != 1:
            raise ValueError(
                "RadonMachineClassifier supports one target column; got y of "
                f"shape {np.shape(y)}."
            )
        classes, codes, counts = _encode_classes(np.asarray(y))
        if classes.size < 2:
            raise ValueError(
                f"y has only one class ({classes[0].item()!r}); a classifier needs at "
                "least two."
            )
        return classes, counts, codes.reshape(-1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the aggregated model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_inner("predict_proba", X)

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the aggregated model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return self._call_inner("predict_log_proba", X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the aggregated model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        return self._call_inner("decision_function", X)


class RadonMachineRegressor(RegressorMixin, _BaseRadonMachine):
    """Parallel training of a linear regressor by the Radon machine.

    The rows are split into ``r ** h`` random shards, a clone of the inner
    regressor is fitted on each shard in parallel, every fitted model is
    flattened into a hypothesis vector (``coef_`` then ``intercept_``) and the
    vectors are aggregated by iterated Radon points into one model of the
    inner regressor's own class.

    Parameters
    ----------
    estimator : estimator object, default=None
        A regressor whose fitted predictions depend only on ``coef_`` and
        ``intercept_``, or a search whose best model does. ``None`` means
        ``Ridge()``.
    height : "auto" or int, default="auto"
        Height ``h`` of the aggregation tree; ``r ** h`` shards are fitted,
        with ``r = D + 2`` for ``D`` coefficients and intercepts. ``"auto"``
        considers the heights whose shards hold at least
        ``min_samples_per_shard`` rows and takes the one predicted to finish
        soonest, as described for :class:`RadonMachineClassifier`. An
        explicit height is always obeyed when every shard can get a row (and
        ``min_samples_per_shard`` rows, when that is an int), else it raises
        ``ValueError``. ``0`` is one fit on all rows.
    min_samples_per_shard : "auto" or int, default="auto"
        Fewest rows per shard allowed when the height is chosen. ``"auto"``
        is ``max(15 * D, 50)``.
    aggregation : {"radon", "mean", "median", "geometric_median"} or callable, \
            default="radon"
        How the shard hypotheses become one: iterated Radon points, their
        mean, coordinate-wise median, geometric median, or a callable mapping
        the ``(n_shards, D)`` array to a ``(D,)`` vector. All use the same
        shard plan.
    block_size : int, default=None
        Block-wise aggregation for high-dimensional models: the hypothesis
        coordinates are split into consecutive blocks of ``block_size`` and
        each block is aggregated by iterated Radon points with branching
        ``block_size + 2``, so ``(block_size + 2) ** h`` shards are fitted
        instead of ``(D + 2) ** h``. ``None`` (or ``block_size >= D``) is
        the exact Radon machine; ``1`` is the iterated median of three per
        coordinate. The convex-hull guarantee then holds per block only, not
        for the vector as a whole.
    dask_shuffle : bool, default=False
        Dask input only. Shards of a Dask array or DataFrame are groups of
        its chunks (a chunk feeding several shards is split at random), so
        data stored in an order (by time, by label) gives biased shards.
        ``True`` first shuffles the rows across the chunks once, on the
        workers, with Dask's DataFrame shuffle. In-memory data is always
        shuffled into shards at random.
    n_jobs : int, default=None
        Parallel shard fits, with joblib semantics.
    random_state : int, RandomState instance or None, default=None
        Controls the shard assignment and the seeds handed to every shard's
        inner estimator.
    verbose : int, default=0
        Verbosity of the parallel shard fits.

    Attributes
    ----------
    estimator_ : estimator object
        A fitted instance of the inner regressor's class holding the
        aggregated coefficients.
    coef_ : ndarray
        ``estimator_.coef_``.
    intercept_ : ndarray or float
        ``estimator_.intercept_``.
    height_ : int
        Height of the aggregation tree that was used.
    radon_number_ : int
        ``D + 2``: the branching factor of the tree.
    n_shards_ : int
        ``radon_number_ ** height_``.
    hypotheses_ : ndarray of shape (n_shards_, D)
        The shard models, flattened.
    aggregation_levels_ : list of ndarray
        Every level of the aggregation tree, from ``hypotheses_`` (first) to
        the aggregate ``(1, D)`` (last); two levels for the aggregations
        other than "radon".
    aggregation_spread_ : ndarray of shape (len(aggregation_levels_),)
        Median distance of each level's points to their coordinate-wise
        median: how the tree contracts the shard models.
    fit_times_ : dict
        Seconds spent on ``"validation"``, ``"pilot"`` (layout and planning),
        ``"shards"`` (wall time of the shard fits), ``"aggregation"`` and in
        ``"total"``, with ``"shard_fit_sum"`` (the shard tasks' own times
        added up: gathering each shard's rows and fitting it) and
        ``"n_workers"``: ``shard_fit_sum / (n_workers * shards)`` is the
        parallel efficiency. For Dask input the
        aggregation tree runs on the workers and is part of ``"shards"``.
    height_plan_ : dict
        How the height was chosen: ``"largest_height"`` the data allows,
        the pilot sizes and seconds, the fitted ``"cost_model"``, the
        measured ``"thread_speedup"``, the ``"backend"``, the
        ``"predicted_seconds"`` of each height and the ``"chosen"`` one.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` had string column
        names.

    See Also
    --------
    RadonMachineClassifier : The same for classification.

    Notes
    -----
    See :class:`RadonMachineClassifier`; the shards are not stratified.

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import Ridge
    >>> from radonlearn import RadonMachineRegressor
    >>> X, y = make_regression(20_000, n_features=5, noise=1.0, random_state=0)
    >>> machine = RadonMachineRegressor(Ridge(), height=2, random_state=0).fit(X, y)
    >>> machine.height_, machine.n_shards_
    (2, 64)
    >>> round(machine.score(X, y), 3)
    1.0
    """

    def _default_estimator(self):
        """``Ridge()``."""
        return Ridge()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._template())
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        return tags
