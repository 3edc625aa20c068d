"""The Radon machine meta-estimators: validate, dispatch to an engine, publish.

The estimators only orchestrate: ``fit`` validates the input with
scikit-learn's own checks, packs its parameters into a ``FitSpec``, hands
the data to an engine (in memory, Dask) and publishes the checked result
in ``_set_fitted``, the one place fitted attributes are set.
"""

from __future__ import annotations

import time
from numbers import Integral
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse
from sklearn import get_config
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
from sklearn.utils.validation import check_is_fitted, validate_data

try:  # scikit-learn >= 1.9 has a callback API (progress bars, monitors).
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in when scikit-learn has no callback API."""

    def with_callbacks(method):
        """Stand-in decorator: the method unchanged."""
        return method


from ._aggregate import AGGREGATORS
from ._engines import _local, is_dask_collection, is_spark_dataframe
from ._fitting import fit_one, summarise_warnings
from ._hypotheses import layout_of
from ._inner import check_kind, make_ordinary, unnamed
from ._planning import FitSpec, HeightPlan
from ._progress import NO_PROGRESS, Progress
from ._result import FitTimes, RadonFit, finish, spreads
from ._shards import MAX_SEED
from ._streaming import RadonStream
from ._typing import Aggregator, MatrixLike, Predictions, RandomStateLike
from ._validation import (
    check_row_params,
    check_sample_weight,
    class_mismatch,
    classifier_targets,
    shard_params,
    weighted_strata,
)

__all__ = ["RadonMachineClassifier", "RadonMachineRegressor"]

# The class of the machine ``fit`` and ``partial_fit`` return (``typing.Self``
# needs Python 3.11).
_Machine = TypeVar("_Machine", bound="_BaseRadonMachine")

# The column each prediction method adds to a Spark DataFrame.
_OUTPUTS = {
    "predict": "prediction",
    "predict_proba": "probability",
    "predict_log_proba": "log_probability",
    "decision_function": "decision_function",
}


def _plan_lines(result):
    """The plan of a fit in two lines, for ``verbose``."""
    plan = result.plan
    first = (
        f"[{type(result.estimator).__name__}] height {result.height}: "
        f"{result.n_shards:,} shard(s) (radon number {result.radon_number}) on "
        f"{plan.n_workers or 1} worker(s), {plan.backend or 'sequential'}; "
        f"fit in {result.times.total:.3g} s."
    )
    return f"{first}\n  why: {plan.reason}"


def _inner_has(attribute):
    """``available_if`` check: the (fitted or template) inner model has it."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attribute)
        return hasattr(self._template(), attribute)

    return check


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
    # Set by partial_fit (an annotation only: no class attribute, so
    # hasattr(self, "_stream") still says whether a stream has begun).
    _stream: RadonStream
    # Predictions go through estimator_ (coef_ is a copy): what aggregate()
    # and the hypotheses read the coefficients from.
    _predicts_with_estimator: ClassVar[bool] = True

    def __init__(
        self,
        estimator: Any = None,
        *,
        height: int | Literal["auto"] = "auto",
        min_samples_per_shard: int | Literal["auto"] = "auto",
        aggregation: Aggregator = "radon",
        block_size: int | None = None,
        dask_shuffle: bool = False,
        n_jobs: int | None = None,
        random_state: RandomStateLike = None,
        verbose: int = 0,
    ) -> None:
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

    def _checked_template(self):
        """``_template()``, refused (``check_kind``) unless of this machine's kind."""
        template = self._template()
        check_kind(template, self._is_regressor(), type(self).__name__)
        return template

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

    def _is_regressor(self):
        """Whether targets are numbers (regression), not classes."""
        return isinstance(self, RegressorMixin)

    def _validate_targets(self, y):
        """Check ``y``; returns classes, their counts and every row's class index.

        All three are None for regression.
        """
        return None, None, None

    def _shard_params(self, template, sample_weight, fit_params, n_samples):
        """The metadata each shard fit receives, before row selection."""
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            params = dict(routed.estimator.fit)
        else:
            params = shard_params(template, sample_weight, fit_params, n_samples)
        check_row_params(params, n_samples)
        return params

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self: _Machine,
        X: MatrixLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        **fit_params: Any,
    ) -> _Machine:
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
        started = time.perf_counter()
        try:
            engine, data, spec = self._prepare(X, y, sample_weight, fit_params)
            result = finish(engine.fit(data, spec, started), spec, started)
            self._set_fitted(result)
            spec.progress.end()
            if self.verbose:
                print(_plan_lines(result))
            return self
        except BaseException:
            self._clear_fitted()
            raise

    def _prepare(self, X, y, sample_weight, fit_params):
        """Validate the input; the engine for it, its data and the spec."""
        template = self._checked_template()
        if is_spark_dataframe(X):
            from ._engines import _spark

            data = _spark.prepare(X, y, sample_weight, fit_params, self._is_regressor())
            validate_data(self, data.meta, reset=True, skip_check_array=True)
            return _spark, data, self._spec(template, self._progress(None, None))
        if is_dask_collection(X) or is_dask_collection(y):
            from ._engines import _dask, _dask_data

            data = _dask_data.prepare(
                X, y, sample_weight, fit_params, self._is_regressor()
            )
            validate_data(self, data.meta, reset=True, skip_check_array=True)
            return _dask, data, self._spec(template, NO_PROGRESS)
        allow_nan = get_tags(template).input_tags.allow_nan
        # dtype="numeric": object arrays become float64 before the finiteness
        # check (which cannot see an infinity in an object array); numeric
        # dtypes are kept.
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            ensure_all_finite="allow-nan" if allow_nan else True,
            multi_output=self._is_regressor(),
            y_numeric=self._is_regressor(),
            dtype="numeric",
        )
        if sparse.issparse(X):
            X = X.tocsr()
        classes, counts, codes = self._validate_targets(y)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        params = self._shard_params(template, sample_weight, fit_params, X.shape[0])
        strata, counts, n_weighted = weighted_strata(codes, counts, sample_weight)
        data = _local.InMemoryData(
            X, y, params, classes, counts, strata, n_weighted=n_weighted
        )
        return _local, data, self._spec(template, self._progress(X, y))

    def _spec(self, template, progress):
        """The ``FitSpec`` of this fit: parameters, seeds drawn once, settings."""
        return FitSpec(
            template=template,
            height=self.height,
            min_samples_per_shard=self.min_samples_per_shard,
            aggregation=self.aggregation,
            block_size=self.block_size,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            dask_shuffle=self.dask_shuffle,
            base_seed=int(check_random_state(self.random_state).randint(MAX_SEED)),
            config=get_config(),
            progress=progress,
            regressor=self._is_regressor(),
        )

    def _progress(self, X, y):
        """The fit's progress, reported to scikit-learn's callbacks."""
        if not hasattr(self, "_init_callback_context"):
            return NO_PROGRESS
        context = self._init_callback_context(task_name="fit", max_subtasks=2)
        progress = Progress(context, self)
        progress.begin(X=X, y=y)
        return progress

    def _clear_fitted(self):
        """Remove every fitted attribute, so a failed fit leaves none behind."""
        for name in [key for key in vars(self) if key.endswith("_")]:
            if not name.startswith("_"):
                delattr(self, name)

    def _set_fitted(self, result):
        """Publish a ``RadonFit``: the one place fitted attributes are set.

        ``estimator_`` becomes an ordinary model of its class
        (``make_ordinary``): the machine's ``n_features_in_`` and
        ``feature_names_in_``, the parameters the user gave (not the
        per-shard seeds), and, when it aggregates more than one model, none
        of one shard's fitted attributes.
        """
        estimator = result.estimator
        make_ordinary(
            estimator,
            self._template(),
            result.n_shards,
            self.n_features_in_,
            getattr(self, "feature_names_in_", None),
        )
        self.estimator_ = estimator
        self.coef_ = estimator.coef_
        if hasattr(estimator, "intercept_"):
            self.intercept_ = estimator.intercept_
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_
        self.height_ = result.height
        self.radon_number_ = result.radon_number
        self.n_shards_ = result.n_shards
        self.fit_times_ = result.times.as_dict()
        self.height_plan_ = result.plan.as_dict()
        self.hypotheses_ = result.hypotheses
        self.aggregation_levels_ = result.levels
        self.aggregation_spread_ = spreads(result.levels)
        # The columns a Spark DataFrame to predict must have (None otherwise).
        self._input_columns = result.input_columns

    def _from_aggregate(self, estimator, levels, reason, seconds):
        """A new fitted machine with this one's parameters holding ``aggregate``'s
        combination of fitted machines (this one the first of them).

        ``estimator`` holds the aggregate, ``levels`` runs from the machines'
        vectors (``hypotheses_``, one per machine, so ``n_shards_`` counts
        the machines) to it; ``radon_number_`` is ``D + 2``.
        """
        machine = clone(self)
        machine.n_features_in_ = self.n_features_in_
        if hasattr(self, "feature_names_in_"):
            machine.feature_names_in_ = self.feature_names_in_
        layout = layout_of(estimator)
        height = len(levels) - 1
        radon_number = layout.n_parameters + 2
        machine._set_fitted(
            RadonFit(
                estimator=estimator,
                layout=layout,
                hypotheses=levels[0],
                levels=levels,
                height=height,
                radon_number=radon_number,
                n_shards=len(levels[0]),
                plan=HeightPlan(
                    chosen=height, radon_number=radon_number, reason=reason
                ),
                times=FitTimes(aggregation=seconds, total=seconds),
                input_columns=getattr(self, "_input_columns", None),
            )
        )
        return machine

    def partial_fit(
        self: _Machine,
        X: MatrixLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> _Machine:
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
        started = time.perf_counter()
        template = self._checked_template()
        first = not hasattr(self, "_stream")
        X, y = validate_data(
            self,
            X,
            y,
            reset=first,
            accept_sparse=["csr", "csc"],
            multi_output=self._is_regressor(),
            y_numeric=self._is_regressor(),
            dtype=None,
        )
        if classes is None and first and hasattr(self, "classes_"):
            classes = self.classes_  # after fit: a new stream over the same classes
        if not self._is_regressor():
            self._check_chunk_classes(y, classes, first)
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        if not first:
            seed = (seed + self._stream.n_chunks) % MAX_SEED
        model, caught, _ = fit_one(template, X, y, None, seed, params)
        summarise_warnings([caught], 1)
        if first:
            layout = layout_of(model)
            stream = RadonStream(
                model,
                layout,
                self._spec(None, NO_PROGRESS).radon_number(layout.n_parameters),
            )
        else:
            stream = self._stream
        stream.add(model)
        result = stream.result(time.perf_counter() - started)
        self._stream = stream
        self._set_fitted(result)
        return self

    def _check_chunk_classes(self, y, classes, first):
        """ValueError unless a chunk holds every class, and no other."""
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        known = np.unique(classes) if first else self.classes_
        missing, unknown = class_mismatch(known, y)
        if unknown is not None:
            raise ValueError(
                f"This chunk has label {unknown!r}, which is not among the classes "
                f"{known.tolist()} given on the first call to partial_fit. Pass "
                "every class in classes= on the first call."
            )
        if missing is not None:
            raise ValueError(
                f"This chunk lacks class {missing!r}; every chunk must hold every "
                "class, so that every chunk model has the same coefficients."
            )

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
        """The aggregated model's ``method`` on ``X``; chunk-wise on Dask input,
        a lazy column on a Spark DataFrame."""
        if is_spark_dataframe(X):
            return self._predict_frame(method, X)
        if is_dask_collection(X):
            from ._engines._dask_data import predict_blocks

            check_is_fitted(self)
            return predict_blocks(
                unnamed(self.estimator_),
                method,
                X,
                self.n_features_in_,
                getattr(self, "feature_names_in_", None),
            )
        X = self._predict_input(X)
        return getattr(unnamed(self.estimator_), method)(X)

    def _predict_frame(self, method, X):
        """A Spark DataFrame with ``method``'s output added as a lazy column."""
        from ._engines._spark_predict import predict_frame

        check_is_fitted(self)
        columns = getattr(self, "_input_columns", None)
        if columns is None:
            raise TypeError(
                "This model was not fitted on a Spark DataFrame, so it does not "
                "know which columns of one hold its features. Fit it on a Spark "
                "DataFrame, or predict on arrays (e.g. sdf.toPandas())."
            )
        return predict_frame(
            X, columns, unnamed(self.estimator_), method, _OUTPUTS[method]
        )

    def predict(self, X: MatrixLike) -> Predictions:
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
        Dask and Spark input only. Shards of a Dask array or DataFrame are
        groups of its chunks (a chunk feeding several shards is split at
        random); shards of a Spark DataFrame are drawn at random from one
        partition each (or are whole partitions, when there are more
        partitions than shards). Either way no row moves, but data stored
        in an order (by time, by label) gives shards that differ.
        ``True`` first shuffles the rows across the chunks once, on the
        workers, with Dask's DataFrame shuffle; on Spark it deals every row
        over all shards through one Spark shuffle. In-memory data is always
        shuffled into shards at random.
    n_jobs : int, default=None
        Parallel shard fits, with joblib semantics: ``None`` means 1 unless in
        a ``joblib.parallel_config`` context, ``-1`` means all cores. A backend
        set with ``joblib.parallel_config`` is used as it is; otherwise threads
        are used (no start-up, no copy of the data), unless the first shard
        fits show two threads running two fits slower than one thread does
        (a learner that holds the GIL), which gets processes.
        BLAS and OpenMP inside the workers are limited to one thread. On
        this machine's backends (threads, processes) the workers are capped
        at the cores the process may use (``joblib.cpu_count()``) and at the
        shards, and ``height="auto"`` plans for that count; a non-local
        ``parallel_config`` backend (Dask, Ray, Spark) keeps its own.
    random_state : int, RandomState instance or None, default=None
        Controls the shard assignment and the seeds handed to every shard's
        inner estimator (each shard gets a distinct one).
    verbose : int, default=0
        ``1`` prints the plan after the fit in two lines (height, shards,
        workers, backend, seconds; then why); ``2`` also prints the shards'
        progress on this machine, counted in shards (about ten lines).

    Attributes
    ----------
    estimator_ : estimator object
        A fitted instance of the inner classifier's class (for a search, of
        its best model's class) holding the aggregated coefficients, and an
        ordinary model of that class: it has the machine's
        ``n_features_in_`` and ``feature_names_in_`` (so it checks the
        columns it is given), and ``get_params()`` shows the parameters
        that were passed, not the seeds the shards got (for a search, its
        estimator's: each shard's search may choose other values). With more
        than one shard, the fitted attributes that describe one shard's fit
        are removed, since no solver fitted the aggregate: ``n_iter_``,
        ``t_`` (SGD; its ``partial_fit`` starts the schedule afresh),
        ``solver_``, HuberRegressor's ``scale_`` and ``outliers_`` (a mask
        of shard 0's rows), a cross-validating learner's chosen ``C_`` or
        ``alpha_`` with its scores and paths, LinearRegression's ``rank_``
        and ``singular_``, BayesianRidge's ``sigma_`` and ``X_offset_`` (so
        ``predict(return_std=True)`` raises instead of reporting one shard's
        uncertainty). ``coef_``, ``intercept_``, ``classes_`` and whatever
        its predictions need are kept.
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
        ``"predicted_seconds"`` of each height, the ``"chosen"`` one, the
        ``"measured_seconds"`` of its shard phase beside the prediction, and
        the ``"reason"``: one sentence saying why (the rows the data lacks
        for the next height, what one pilot showed sharding can save at
        most, or the predicted seconds per height).
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
        return classifier_targets(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X: MatrixLike) -> Predictions:
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
    def predict_log_proba(self, X: MatrixLike) -> Predictions:
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
    def decision_function(self, X: MatrixLike) -> Predictions:
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
        Dask and Spark input only. Shards of a Dask array or DataFrame are
        groups of its chunks (a chunk feeding several shards is split at
        random); shards of a Spark DataFrame are drawn at random from one
        partition each (or are whole partitions, when there are more
        partitions than shards). Either way no row moves, but data stored
        in an order (by time, by label) gives shards that differ.
        ``True`` first shuffles the rows across the chunks once, on the
        workers, with Dask's DataFrame shuffle; on Spark it deals every row
        over all shards through one Spark shuffle. In-memory data is always
        shuffled into shards at random.
    n_jobs : int, default=None
        Parallel shard fits, with joblib semantics, capped at the cores and
        the shards as described for :class:`RadonMachineClassifier`.
    random_state : int, RandomState instance or None, default=None
        Controls the shard assignment and the seeds handed to every shard's
        inner estimator.
    verbose : int, default=0
        ``1`` prints the plan after the fit in two lines (height, shards,
        workers, backend, seconds; then why); ``2`` also prints the shards'
        progress on this machine, counted in shards (about ten lines).

    Attributes
    ----------
    estimator_ : estimator object
        A fitted instance of the inner regressor's class holding the
        aggregated coefficients, and an ordinary model of that class, as
        described for :class:`RadonMachineClassifier`: the machine's
        feature names and count, the parameters that were passed, and, with
        more than one shard, none of one shard's fitted attributes
        (``n_iter_``, HuberRegressor's ``scale_`` and ``outliers_``, RidgeCV's
        ``alpha_``, ...).
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
        ``"predicted_seconds"`` of each height, the ``"chosen"`` one, the
        ``"measured_seconds"`` of its shard phase beside the prediction, and
        the ``"reason"``: one sentence saying why (the rows the data lacks
        for the next height, what one pilot showed sharding can save at
        most, or the predicted seconds per height).
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
