"""Aggregators of hypothesis vectors and of fitted models.

Holds the geometric median, the table of named aggregators, and
``aggregate``, which combines models fitted elsewhere through the same
flatten/load path as the Radon machines.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._hypotheses import flatten, layout_of, linear_model, load
from ._radon import _check_points, _radon_points, iterated_radon_point, radon_levels

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


def geometric_median(points, *, tol=1e-7, max_iter=500):
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
        If ``points`` is not a finite non-empty 2-D array, or ``tol`` or
        ``max_iter`` is not positive.

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

    Examples
    --------
    >>> from radonlearn import geometric_median
    >>> geometric_median([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [100.0, 100.0]]).round(3)
    array([0.5, 0.5])
    """
    points = _check_points(points)
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol!r}.")
    if (
        isinstance(max_iter, bool)
        or not isinstance(max_iter, (int, np.integer))
        or max_iter < 1
    ):
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    current = points.mean(axis=0)
    spread = np.linalg.norm(points - current, axis=1).mean()
    threshold = tol * spread if spread > 0 else tol
    for _ in range(max_iter):
        following = _weiszfeld_step(points, current)
        step = np.linalg.norm(following - current)
        current = following
        if step <= threshold:
            return current
    warnings.warn(
        f"geometric_median did not converge in {max_iter} steps (last step "
        f"{step:.3g}, tolerance {threshold:.3g}); increase max_iter or tol.",
        ConvergenceWarning,
        stacklevel=2,
    )
    return current


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
    """A user's aggregation callable applied and checked: a finite ``(D,)`` vector."""
    point = np.asarray(method(hypotheses), dtype=np.float64)
    if point.shape != hypotheses.shape[1:] or not np.isfinite(point).all():
        raise ValueError(
            "The aggregation callable must return a finite vector of shape "
            f"{hypotheses.shape[1:]}, got shape {point.shape}."
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
    """Iterated Radon point of ``n >= r`` points, ``n`` not necessarily ``r**h``.

    With ``h = floor(log_r n)``, the first level forms ``r**(h-1)`` groups of
    consecutive rows of near-equal size (``r`` to ``r**2 - 1`` points each;
    a Radon point of more than ``r`` points exists and keeps depth two), and
    every later level groups ``r`` at a time, so no point is left out.
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
    return iterated_radon_point(level, branching=radon_number)


def aggregate(models, *, method="radon", random_state=None):
    """One model from linear models fitted elsewhere (other sites, other jobs).

    Every model is flattened into its hypothesis vector (``coef_`` then
    ``intercept_``), the vectors are aggregated, and the result is loaded
    into a copy of the first model, so it predicts with its class's own
    methods.

    Parameters
    ----------
    models : list of fitted estimators
        Fitted models of one class, with coefficients of one shape (and, for
        classifiers, the same ``classes_``). Searches such as ``GridSearchCV``
        contribute their best model.
    method : {"radon", "mean", "median", "geometric_median"} or callable, \
            default="radon"
        How the hypotheses become one; a callable maps the ``(n_models, D)``
        array to a ``(D,)`` vector.
    random_state : int, RandomState instance or None, default=None
        Shuffles the models before they are grouped (method "radon").

    Returns
    -------
    model : estimator
        A fitted instance of the models' class holding the aggregate.

    Raises
    ------
    TypeError
        If the models are of different classes or have no ``coef_``.
    ValueError
        If there are no models, their coefficient shapes or classes differ,
        a model has non-finite coefficients, or method "radon" gets fewer
        than ``r = D + 2`` models.

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
    first = linear_model(models[0])
    kinds = {type(linear_model(model)).__name__ for model in models}
    if len(kinds) > 1:
        raise TypeError(f"aggregate needs models of one class, got {sorted(kinds)}.")
    layout = layout_of(models[0])
    if hasattr(first, "classes_"):
        for number, model in enumerate(models):
            if not np.array_equal(linear_model(model).classes_, first.classes_):
                raise ValueError(
                    f"Model {number} has classes {linear_model(model).classes_}, "
                    f"model 0 has {first.classes_}; all must have the same."
                )
    hypotheses = np.vstack([flatten(model, layout) for model in models])
    finite = np.isfinite(hypotheses).all(axis=1)
    if not finite.all():
        raise ValueError(
            f"Model {np.flatnonzero(~finite)[0]} has non-finite coefficients."
        )
    radon_number = layout.n_parameters + 2
    if callable(method):
        point = call_aggregator(method, hypotheses)
    elif method == "radon":
        if len(models) < radon_number:
            raise ValueError(
                f"method='radon' needs at least r = D + 2 = {radon_number} models "
                f"for D = {layout.n_parameters} coefficients, got {len(models)}. "
                "Use method='geometric_median' or 'mean' for fewer models."
            )
        order = check_random_state(random_state).permutation(len(models))
        point = _radon_of_any_count(hypotheses[order], radon_number)
    elif method in AGGREGATORS:
        point = AGGREGATORS[method](hypotheses)
    else:
        raise ValueError(
            f"method must be one of {sorted(AGGREGATORS)} or a callable, got "
            f"{method!r}."
        )
    return load(models[0], point, layout)


def aggregate_point(method, points):
    """One vector from ``points`` by a method other than the tree of "radon".

    ``method`` is a name of ``AGGREGATORS`` or a callable ``(n, D) -> (D,)``.
    """
    if callable(method):
        return call_aggregator(method, points)
    return AGGREGATORS[method](points)


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
