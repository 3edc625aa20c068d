"""Independent geometric checks used by the tests (linear programming)."""

import numpy as np
from scipy.optimize import linprog


def hull_distance(points, target):
    """Smallest max-norm distance from ``target`` to the convex hull of ``points``.

    Solved as a linear programme over convex weights ``w`` and a slack ``t``:
    minimise ``t`` subject to ``|points^T w - target| <= t``.
    """
    points = np.asarray(points, dtype=float)
    target = np.asarray(target, dtype=float)
    # Work in centred unit coordinates: the solver's tolerances are absolute.
    top = max(np.abs(points).max(), np.abs(target).max())
    if top == 0:
        return 0.0
    points, target = points / top, target / top
    centre = points.mean(axis=0)
    unit = max(np.abs(points - centre).max(), np.abs(target - centre).max())
    if unit == 0:
        return 0.0
    points = (points - centre) / unit
    target = (target - centre) / unit
    n, d = points.shape
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    upper = np.hstack([points.T, -np.ones((d, 1))])
    lower = np.hstack([-points.T, -np.ones((d, 1))])
    result = linprog(
        cost,
        A_ub=np.vstack([upper, lower]),
        b_ub=np.concatenate([target, -target]),
        A_eq=np.hstack([np.ones((1, n)), np.zeros((1, 1))]),
        b_eq=[1.0],
        bounds=[(0, None)] * n + [(0, None)],
        method="highs",
    )
    assert result.status == 0, result.message
    return result.x[-1] * unit * top


def min_halfspace_count(points, target, n_directions=200, seed=0, rtol=0.0):
    """Fewest points in a closed halfspace through ``target``, on random directions.

    A point counts when it is within ``rtol`` times the points' spread (plus
    ``1e-12`` of their magnitude) of the halfspace.
    """
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(n_directions, points.shape[1]))
    # Scale to unit magnitude first so that extreme inputs cannot overflow.
    top = max(np.abs(points).max(), np.abs(target).max(), np.finfo(float).tiny)
    points, target = points / top, target / top
    tol = rtol * np.ptp(points, axis=0).max() + 1e-12
    projections = (points - target) @ directions.T
    return int(
        min(
            (projections >= -tol).sum(axis=0).min(),
            (projections <= tol).sum(axis=0).min(),
        )
    )
