"""Aggregators of hypothesis vectors and of fitted models.

Holds the geometric median, the table of named aggregators, and
``aggregate``, which combines models fitted elsewhere through the same
flatten/load path as the Radon machines.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._hypotheses import flatten, layout_of, linear_model, load, without_shard_state
from ._radon import _check_points, _radon_points, iterated_radon_point, radon_levels
from ._typing import Aggregator, RandomStateLike
from ._warn import warn

__all__ = ["aggregate", "geometric_median"]


def _weiszfeld_step(points, current):
    """One Weiszfeld step with the Vardi-Zhang fix; returns the next iterate."""
    offsets = points - current
    distances = np.linalg.norm(offsets, axis=1)
    away = distances > 0
    if not away.any():
        return current
    inverse = 1.0 / distances[away]
    target = inverse @ points[away] / inverse.sum()
    coincident = points.shape[0] - away.sum()
    if coincident == 0:
        return target
    # The iterate sits on data points: move only if the pull of the others
    # beats the weight of the coincident points (Vardi & Zhang, 2000).
    pull = np.linalg.norm(inverse @ offsets[away])
    if pull <= coincident:
        return current
    share = coincident / pull
    return (1.0 - share) * target + share * current


def geometric_median(
    points: ArrayLike, *, tol: float = 1e-7, max_iter: int = 500
) -> NDArray[np.float64]:
    """Geometric median of points: the point with least summed distance.

    Parameters
    ----------
    points : (n, d) array_like
        Finite points, one per row.
    tol : float, default=1e-7
        Stop when a step moves the estimate by less than ``tol`` times the
        mean distance of the points to their mean (or ``tol`` when all points
        coincide).
    max_iter : int, default=500
        Largest number of Weiszfeld steps.

    Returns
    -------
    median : (d,) ndarray of float64

    Raises
    ------
    ValueError
        If ``points`` is not a finite non-empty 2-D array, ``tol`` is not a
        positive finite number, or ``max_iter`` is not an integer ``>= 1``.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        If ``max_iter`` steps end before the tolerance is met.

    See Also
    --------
    iterated_radon_point : A cheaper robust centre with a depth guarantee.

    Notes
    -----
    Weiszfeld's iteration from the coordinate-wise mean, each step a
    distance-weighted mean, ``O(n d)``. An iterate that lands on a data point
    is moved by the modification of Vardi and Zhang (2000) rather than
    dividing by zero, which makes the iteration converge to the median from
    any start. The median has breakdown point 1/2: fewer than half of the
    points, however far away, move it a bounded distance.

    Distances square the coordinates, which overflows beyond about 1e154 and
    underflows below about 1e-154. The points are therefore divided by the
    power of two nearest above their largest magnitude before the iteration
    and the median multiplied back: exact in floating point, so the result
    is the same as unscaled wherever that was finite, and finite for any
    finite input.

    Examples
    --------
    >>> from radonlearn import geometric_median
    >>> geometric_median([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [100.0, 100.0]]).round(3)
    array([0.5, 0.5])
    """
    points = _check_points(points)
    if (
        isinstance(tol, (bool, np.bool_))
        or not isinstance(tol, Real)
        or not (np.isfinite(tol) and tol > 0)
    ):
        raise ValueError(
            f"tol must be a positive finite number, got {tol!r}. It is the "
            "step, relative to the points' spread, below which the iteration "
            "stops: pass e.g. tol=1e-7 (the default)."
        )
    if (
        isinstance(max_iter, (bool, np.bool_))
        or not isinstance(max_iter, Integral)
        or max_iter < 1
    ):
        raise ValueError(
            f"max_iter must be an integer >= 1, got {max_iter!r}. It is the "
            "largest number of Weiszfeld steps: pass e.g. max_iter=500 (the "
            "default)."
        )
    top = np.abs(points).max()
    if top == 0.0:
        return np.zeros(points.shape[1])
    # Largest magnitude into [0.5, 1) by a power of two: exact, and no
    # squared distance can overflow or (for the points that matter) underflow.
    exponent = int(np.frexp(top)[1])
    points = np.ldexp(points, -exponent)
    current = points.mean(axis=0)
    spread = np.linalg.norm(points - current, axis=1).mean()
    threshold = tol * spread if spread > 0 else tol
    for _ in range(max_iter):
        following = _weiszfeld_step(points, current)
        step = np.linalg.norm(following - current)
        current = following
        if step <= threshold:
            return np.ldexp(current, exponent)
    warn(
        f"geometric_median did not converge in {max_iter} steps (last step "
        f"{np.ldexp(step, exponent):.3g}, tolerance "
        f"{np.ldexp(threshold, exponent):.3g}); increase max_iter or tol.",
        ConvergenceWarning,
    )
    return np.ldexp(current, exponent)


def _mean(points):
    """Coordinate-wise mean."""
    return points.mean(axis=0)


def _median(points):
    """Coordinate-wise median."""
    return np.median(points, axis=0)


AGGREGATORS = {
    "radon": iterated_radon_point,
    "mean": _mean,
    "median": _median,
    "geometric_median": geometric_median,
}


def call_aggregator(method, hypotheses):
    """A user's aggregation callable applied and checked: a finite ``(D,)`` vector.

    The callable sees a read-only view of ``hypotheses`` (writing into it
    raises instead of corrupting the shard models), its own errors come back
    as a ValueError that names it, and its answer is copied, so the model
    never shares memory with the hypotheses.
    """
    name = getattr(method, "__qualname__", None) or repr(method)
    expected = hypotheses.shape[1:]
    view = hypotheses.view()
    view.flags.writeable = False
    try:
        answer = np.asarray(method(view))
    except Exception as error:
        raise ValueError(
            f"The aggregation callable {name} failed on the hypotheses of shape "
            f"{hypotheses.shape}: {type(error).__name__}: {error}. It gets a "
            "read-only (n_models, D) float64 array and must return a (D,) "
            "vector; copy the array first (np.array(points)) to change it."
        ) from error
    numeric = answer.dtype == bool or (
        np.issubdtype(answer.dtype, np.number)
        and not np.issubdtype(answer.dtype, np.complexfloating)
    )
    point = np.array(answer, dtype=np.float64) if numeric else None
    if point is None or point.shape != expected or not np.isfinite(point).all():
        found = (
            f"an array of dtype {answer.dtype}"
            if point is None
            else f"shape {point.shape}"
            + ("" if np.isfinite(point).all() else " with non-finite values")
        )
        raise ValueError(
            f"The aggregation callable {name} must return a finite real vector "
            f"of shape {expected}, got {found}. Make it map the (n_models, D) "
            "hypotheses to one finite (D,) vector."
        )
    return point


def blockwise_radon_levels(hypotheses, radon_number):
    """Levels of the iterated Radon tree, each block of ``r - 2`` coordinates apart.

    With ``r - 2 >= D`` this is the exact tree of whole vectors. Returns the
    levels from ``hypotheses`` itself to the ``(1, D)`` root.
    """
    width = radon_number - 2
    blocks = [
        radon_levels(hypotheses[:, start : start + width], radon_number)
        for start in range(0, hypotheses.shape[1], width)
    ]
    levels = [np.hstack(parts) for parts in zip(*blocks, strict=True)]
    levels[0] = hypotheses
    return levels


def _radon_of_any_count(points, radon_number):
    """Iterated Radon tree of ``n >= r`` points, ``n`` not necessarily ``r**h``.

    With ``h = floor(log_r n)``, the first level forms ``r**(h-1)`` groups of
    consecutive rows of near-equal size (``r`` to ``r**2 - 1`` points each;
    a Radon point of more than ``r`` points exists and keeps depth two), and
    every later level groups ``r`` at a time, so no point is left out.
    Returns the ``h`` levels above ``points``, the last ``(1, D)``.
    """
    n = len(points)
    height = 0
    while radon_number ** (height + 1) <= n:
        height += 1
    n_groups = radon_number ** (height - 1)
    sizes = np.full(n_groups, n // n_groups)
    sizes[: n % n_groups] += 1
    level = np.empty((n_groups, points.shape[1]))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for size in np.unique(sizes):
        which = np.flatnonzero(sizes == size)
        starts = bounds[which]
        groups = np.stack([points[start : start + size] for start in starts])
        level[which] = _radon_points(groups)[0]
    return radon_levels(level, radon_number)


def _check_fitted(models):
    """NotFittedError naming the first model that is not fitted."""
    for number, model in enumerate(models):
        try:
            check_is_fitted(model)
        except NotFittedError:
            raise NotFittedError(
                f"Model {number} ({type(model).__name__}) is not fitted. "
                "aggregate combines fitted models: fit it first or leave it out."
            ) from None


def _check_feature_names(number, other, names):
    """ValueError unless model ``number`` has the feature names of model 0."""
    its_names = getattr(other, "feature_names_in_", None)
    if (its_names is None) != (names is None):
        named, unnamed = (number, 0) if names is None else (0, number)
        raise ValueError(
            f"Model {named} was fitted on named features (a DataFrame) and "
            f"model {unnamed} on unnamed ones (an array), so their columns "
            "cannot be matched. Fit every model on DataFrames with the same "
            "columns, or every model on arrays."
        )
    if names is not None and not np.array_equal(its_names, names):
        if len(its_names) == len(names) and set(its_names) == set(names):
            column = int(np.flatnonzero(np.asarray(its_names) != names)[0])
            raise ValueError(
                f"Model {number} has the features of model 0 in another "
                f"order: column {column} is {its_names[column]!r} there and "
                f"{names[column]!r} in model 0. Fit every model with the "
                "columns in one order, e.g. X[list(model0.feature_names_in_)]."
            )
        raise ValueError(
            f"Model {number} was fitted on other features than model 0: "
            f"missing {sorted(set(names) - set(its_names))}, extra "
            f"{sorted(set(its_names) - set(names))}. Fit every model on "
            "the same columns."
        )


def _predictor(model):
    """The model ``aggregate`` returns one of: a search's best model, else itself.

    A Radon machine is its own predictor (``aggregate`` returns a machine);
    its coefficients are read from its ``estimator_`` (``linear_model``).
    """
    while not hasattr(model, "coef_") and hasattr(model, "best_estimator_"):
        model = model.best_estimator_
    return model


def _check_aligned(models, layout):
    """Refuse every way two models can disagree about what a coefficient means.

    Runs before any coefficient is read: one class (of the models and of
    the linear models inside them), the same feature names in the same
    order (or none on every model), the same number of features,
    coefficient shape, classes and intercept layout.
    """
    first = linear_model(models[0])
    outer = _predictor(models[0])
    names = getattr(outer, "feature_names_in_", None)
    for number, model in enumerate(models[1:], start=1):
        other = linear_model(model)
        for its, kind in ((_predictor(model), outer), (other, first)):
            if type(its) is not type(kind):
                raise TypeError(
                    f"aggregate needs models of one class: model {number} is a "
                    f"{type(its).__module__}.{type(its).__qualname__}, model 0 "
                    f"a {type(kind).__module__}.{type(kind).__qualname__}. "
                    "Aggregate each class separately."
                )
        _check_feature_names(number, _predictor(model), names)
        its_layout = layout_of(model)
        n_features = getattr(outer, "n_features_in_", None)
        its_n_features = getattr(_predictor(model), "n_features_in_", None)
        if its_n_features != n_features or its_layout.coef_shape != (layout.coef_shape):
            raise ValueError(
                f"Model {number} has n_features_in_ = {its_n_features} and "
                f"coef_ of shape {its_layout.coef_shape}, model 0 has "
                f"n_features_in_ = {n_features} and coef_ of shape "
                f"{layout.coef_shape}. Aggregate models fitted on the same "
                "features, classes and outputs."
            )
        if hasattr(first, "classes_") and not np.array_equal(
            other.classes_, first.classes_
        ):
            raise ValueError(
                f"Model {number} has classes {other.classes_}, model 0 has "
                f"{first.classes_}; all must have the same. Fit every model "
                "with every class present (or pass classes= to partial_fit)."
            )
        if its_layout != layout:
            raise ValueError(
                f"Model {number} has an intercept_ of shape "
                f"{its_layout.intercept_shape} (fit_intercept="
                f"{its_layout.has_intercept}), model 0 of shape "
                f"{layout.intercept_shape} (fit_intercept={layout.has_intercept})."
                " Fit every model with the same fit_intercept."
            )


def aggregate(
    models: Iterable[Any],
    *,
    method: Aggregator = "radon",
    random_state: RandomStateLike = None,
) -> Any:
    """One model from linear models fitted elsewhere (other sites, other jobs).

    Every model is flattened into its hypothesis vector (``coef_`` then
    ``intercept_`` of the model it predicts with), the vectors are
    aggregated, and the result is loaded into a copy of the first model, so
    it predicts with its class's own methods.

    Parameters
    ----------
    models : list of fitted estimators
        Fitted models of one class, with coefficients of one shape (and, for
        classifiers, the same ``classes_``). Searches such as ``GridSearchCV``
        contribute their best model; Radon machines (the sites' own
        ``RadonMachineClassifier`` or ``RadonMachineRegressor``) their
        ``estimator_``, the model they predict with.
    method : {"radon", "mean", "median", "geometric_median"} or callable, \
            default="radon"
        How the hypotheses become one; a callable maps the ``(n_models, D)``
        array to a ``(D,)`` vector.
    random_state : int, RandomState instance or None, default=None
        Shuffles the models before they are grouped (method "radon").

    Returns
    -------
    model : estimator
        A fitted instance of the models' class holding the aggregate: for
        searches, of their best model's class; for Radon machines, a new
        fitted machine with the first machine's parameters whose
        ``estimator_`` (a model of the inner class), ``coef_`` and
        ``intercept_`` hold the aggregate. Its ``hypotheses_`` are the
        machines' models, one row each (``n_shards_`` counts them),
        ``aggregation_levels_`` runs from them to the aggregate,
        ``radon_number_`` is ``D + 2`` and ``height_plan_["reason"]`` says
        it is an aggregate. The input models are left unchanged. Fitted
        attributes of model 0 that describe its own fit rather than the
        aggregate (``n_iter_``, HuberRegressor's ``scale_`` and
        ``outliers_``, RidgeCV's ``alpha_``, ...) are removed, as for a Radon
        machine's ``estimator_``; its parameters are model 0's.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If a model is not fitted.
    TypeError
        If the models are of different classes (a Radon machine among plain
        models of its inner class, too) or have no ``coef_``.
    ValueError
        If the models cannot be aligned coefficient by coefficient: there
        are none, or their ``n_features_in_``, ``feature_names_in_`` (names
        or column order; or some have names and others not), ``classes_``,
        coefficient shapes or intercepts differ. Also if a model has
        non-finite coefficients, the aggregate is not finite, a callable
        ``method`` fails or returns something else than a finite ``(D,)``
        vector, or method "radon" gets fewer than ``r = D + 2`` models.

    See Also
    --------
    RadonMachineClassifier, RadonMachineRegressor : Fit the shards and
        aggregate them in one estimator.

    Notes
    -----
    Method "radon" needs at least ``r = D + 2`` models for ``D`` aggregated
    numbers. With ``r**h <= n < r**(h+1)`` models, the first level of the
    tree makes ``r**(h-1)`` groups of near-equal size (``r`` to
    ``r**2 - 1`` models each) and later levels group ``r`` at a time, so
    every model takes part; with ``n = r**h`` this is the iterated Radon
    point. What each method tolerates: "radon" keeps the guarantee of the
    paper (a bad aggregate needs two bad models in a group, at every level);
    "geometric_median" tolerates fewer than half of the models being
    arbitrarily bad; "median" the same per coordinate; "mean" none.

    Nothing misaligned is ever averaged: every model is checked against
    the first before any coefficient is read. The named methods are
    computed on the hypotheses divided by a power of two near their largest
    magnitude and multiplied back (exact in floating point), so no sum or
    square overflows; a callable sees the hypotheses as they are, read-only.

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.linear_model import Ridge
    >>> from radonlearn import aggregate
    >>> X, y = make_regression(n_samples=900, n_features=3, random_state=0)
    >>> sites = [Ridge().fit(X[i::9], y[i::9]) for i in range(9)]
    >>> combined = aggregate(sites, random_state=0)
    >>> type(combined).__name__, combined.coef_.shape
    ('Ridge', (3,))
    """
    models = list(models)
    if not models:
        raise ValueError("aggregate needs at least one fitted model, got none.")
    _check_fitted(models)
    layout = layout_of(models[0])
    _check_aligned(models, layout)
    hypotheses = np.vstack([flatten(model, layout) for model in models])
    finite = np.isfinite(hypotheses).all(axis=1)
    if not finite.all():
        raise ValueError(
            f"Model {np.flatnonzero(~finite)[0]} has non-finite coefficients "
            f"({np.count_nonzero(~finite)} of {len(models)} models do). Leave "
            "it out, or refit it with more regularisation or scaled features."
        )
    radon_number = layout.n_parameters + 2
    started = time.perf_counter()
    if callable(method):
        point = call_aggregator(method, hypotheses)
        return _published(
            models, point, layout, [hypotheses, point[None]], method, started
        )
    if not isinstance(method, str) or method not in AGGREGATORS:
        raise ValueError(
            f"method must be one of {sorted(AGGREGATORS)} or a callable, got "
            f"{method!r}."
        )
    if method == "radon" and len(models) < radon_number:
        raise ValueError(
            f"method='radon' needs at least r = D + 2 = {radon_number} models "
            f"for D = {layout.n_parameters} coefficients, got {len(models)}. "
            "Use method='geometric_median' or 'mean' for fewer models."
        )
    if method == "radon":
        order = check_random_state(random_state).permutation(len(models))
        tree = _exactly_scaled(
            lambda points: _radon_of_any_count(points, radon_number),
            hypotheses[order],
        )
        levels = [hypotheses, *tree]
        point = levels[-1][0]
    else:
        point = aggregate_point(method, hypotheses)
        levels = [hypotheses, point[None]]
    if not np.isfinite(point).all():
        raise ValueError(
            f"method={method!r} gave non-finite coefficients from finite models "
            f"whose largest coefficient is {np.abs(hypotheses).max():.3g}, next to "
            "the largest float. Refit the models with more regularisation or "
            "scaled features."
        )
    return _published(models, point, layout, levels, method, started)


def _published(models, point, layout, levels, method, started):
    """The aggregate ``point`` as a fitted model of the models' class.

    Loaded into a copy of model 0's linear model (a search's best model, a
    Radon machine's ``estimator_``); for Radon machines that model becomes
    the ``estimator_`` of a new fitted machine with model 0's parameters,
    which publishes it through its own ``_set_fitted``.
    """
    estimator = load(models[0], point, layout)
    first = _predictor(models[0])
    if not getattr(first, "_predicts_with_estimator", False):
        if len(models) > 1:
            without_shard_state(estimator)
        return estimator
    name = getattr(method, "__qualname__", None) or repr(method)
    reason = (
        f"aggregate: {len(models)} fitted {type(first).__name__} models "
        f"combined by method={method if isinstance(method, str) else name!r}; "
        f"hypotheses_ holds one vector per model."
    )
    return first._from_aggregate(
        estimator, levels, reason, time.perf_counter() - started
    )


def _exactly_scaled(function, points):
    """``function(points)`` computed on points scaled into ``[-1, 1]``.

    Every named method commutes with scaling by a positive number; a power
    of two scales exactly, and brings the largest magnitude into [0.5, 1),
    so no sum of many models and no squared distance overflows. A list of
    arrays (the levels of a tree) is scaled back array by array.
    """
    top = np.abs(points).max()
    exponent = int(np.frexp(top)[1]) if top > 0 else 0
    result = function(np.ldexp(points, -exponent))
    with np.errstate(over="ignore"):
        if isinstance(result, list):
            return [np.ldexp(level, exponent) for level in result]
        return np.ldexp(result, exponent)


def aggregate_point(method, points):
    """One vector from ``points`` by a method other than the tree of "radon".

    ``method`` is a name of ``AGGREGATORS`` (computed scale-safely) or a
    callable ``(n, D) -> (D,)``, which sees the points as they are.
    """
    if callable(method):
        return call_aggregator(method, points)
    return _exactly_scaled(AGGREGATORS[method], points)


def aggregate_vectors(hypotheses, method, radon_number):
    """The aggregate of the shard hypotheses, and every level of the tree.

    "radon" aggregates the whole vector, or each block of ``radon_number -
    2`` coordinates separately, by iterated Radon points; the other methods
    have two levels: the hypotheses and their aggregate. One hypothesis is
    its own aggregate. Returns ``(point, levels)``.
    """
    if len(hypotheses) == 1:
        return hypotheses[0], [hypotheses]
    if isinstance(method, str) and method == "radon":
        levels = blockwise_radon_levels(hypotheses, radon_number)
        return levels[-1][0], levels
    point = aggregate_point(method, hypotheses)
    return point, [hypotheses, point[None]]
