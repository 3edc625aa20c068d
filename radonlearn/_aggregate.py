"""Aggregators of hypothesis vectors: geometric median and the name table."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._radon import _check_points, iterated_radon_point

__all__ = ["geometric_median"]


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
