"""Radon points and iterated Radon points (pure NumPy).

A Radon point of ``n >= d + 2`` points in R^d is a point that lies in the
convex hulls of both parts of a partition of the points (Radon's theorem).
It is found from one nonzero vector ``lam`` in the null space of the
``(d + 1) x n`` matrix ``[P^T; 1^T]``: the rows with ``lam > 0`` form one part,
the rows with ``lam < 0`` the other, and the point is the ``lam``-weighted
average of either part.
"""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["iterated_radon_point", "radon_point"]

# The LU answer is accepted when every equation's residual is below
# _RESIDUAL_RTOL times the size of its terms. LU with partial pivoting is
# backward stable, so healthy solves sit near machine epsilon.
_RESIDUAL_RTOL = 1e-10
# Two LU null vectors of one group agree when their directions differ by
# less than this (rounding gives 1e-15 on well-spread groups).
_LU_AGREE = 1e-8
# Singular values of the scaled system below this fraction of the largest
# are taken as rounding: flat directions of the group (test_radon.py shows
# flat groups at 1e-16 and spread shard models at 1e-3 and above).
_RANK_RTOL = 1e-10
# A projected probe shorter than this (relative) is discarded for another.
_PROBE_RTOL = 1e-6
# Rows of the LU system are equilibrated when their norms differ by more.
_SCALE_SPREAD = 1e4
# Coordinates whose root-mean-square spread falls outside this range are
# rescaled by their largest magnitude instead, so squaring cannot under- or
# overflow.
_SAFE_LOW, _SAFE_HIGH = 1e-150, 1e150


def _check_points(points: ArrayLike, name: str = "points") -> NDArray[np.float64]:
    """Return ``points`` as a finite float64 2-D array or raise ValueError."""
    array = np.asarray(points)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise ValueError(
            f"{name} must be numeric, got an array of dtype {array.dtype}."
        )
    if np.iscomplexobj(array):
        raise ValueError(f"{name} must be real, got a complex array.")
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_points, n_dims), got an "
            f"array with {array.ndim} dimension(s) and shape {array.shape}."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty: got shape {array.shape}, need rows.")
    array = np.asarray(array, dtype=np.float64)
    if not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} must be finite, found {array[tuple(bad)]} at row {bad[0]}, "
            f"column {bad[1]}. Remove or impute non-finite values first."
        )
    return array


def _scaled_system(groups):
    """Centred, coordinate-scaled points with a column of ones, ``(g, n, d + 1)``.

    Its transpose is ``A = [P^T; 1^T]`` up to row operations, which keep the
    null space; every coordinate row of ``A`` gets unit root-mean-square.
    Constant coordinates are filled by ``_fill_constant`` first; a zero row
    left all the same (the constraint ``0 = 0``) is replaced by a fixed
    pseudo-random row, which only adds constraints and keeps the division
    by its scale finite.
    """
    g, n, d = groups.shape
    system = np.empty((g, n, d + 1))
    centred = system[:, :, :d]
    np.subtract(groups, (np.full(n, 1.0 / n) @ groups)[:, None, :], out=centred)
    scale = np.sqrt(np.einsum("gnd,gnd->gd", centred, centred) / n)
    extreme = ~((scale > _SAFE_LOW) & (scale < _SAFE_HIGH))
    if extreme.any():
        # Squares under- or overflowed: rescale, which leaves the null space.
        if not np.isfinite(centred).all():
            top = np.abs(groups).max(axis=(1, 2), keepdims=True)
            return _scaled_system(groups / top)
        scale[extreme] = np.abs(centred).max(axis=1)[extreme]
    constant = scale == 0.0
    if constant.any():
        scale[constant] = 1.0
        filler = np.random.default_rng(0).standard_normal((n, d))
        np.copyto(centred, filler, where=constant[:, None, :])
    np.divide(centred, scale[:, None, :], out=centred)
    system[:, :, d] = 1.0
    return system


def _solve_groups(matrix, target, ok):
    """Batched ``solve(matrix, target)``; ``(mu, ok)``, ``ok`` cleared where it fails.

    NumPy's batched solve raises for the whole stack when one matrix meets
    an exact zero pivot. Groups already not ``ok`` and those ``slogdet``
    calls singular are left out; as the two can disagree (seen with NumPy
    1.24 and 1.26 on duplicated points: a nonzero sign, then a zero pivot),
    a stack that still raises is halved until each failing group stands
    alone. A few such groups cost a few more batched solves; nothing raises.
    """
    if ok.all():
        try:
            return np.linalg.solve(matrix, target[:, :, None])[:, :, 0], ok
        except np.linalg.LinAlgError:
            pass
    ok = ok.copy()
    mu = np.zeros(target.shape)
    try:
        sign, _ = np.linalg.slogdet(np.where(ok[:, None, None], matrix, 1.0))
        ok &= sign != 0
    except np.linalg.LinAlgError:
        pass  # the halving below finds the singular groups on its own
    pending = [np.flatnonzero(ok)]
    while pending:
        rows = pending.pop()
        try:
            mu[rows] = np.linalg.solve(matrix[rows], target[rows, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            if rows.size == 1:
                ok[rows] = False
            else:
                pending += [rows[: rows.size // 2], rows[rows.size // 2 :]]
    return mu, ok


def _lu_null_vectors(groups):
    """Null vectors of ``d + 2`` points by batched LU solves of ``d x d`` systems.

    With ``lam`` fixed to ``-1`` on the last point, the others' entries are
    the affine (barycentric) coordinates ``mu`` of the last point with respect
    to the first ``d + 1``: ``sum_i mu_i (x_i - x_0) = x_last - x_0`` over
    ``i = 1..d`` and ``lam_0 = 1 - sum(mu)``. Returns ``(lam, ok)``; ``ok`` is
    False where this path cannot vouch for its answer (singular or extreme
    systems, or a residual above tolerance) and the SVD must decide.
    Expects floating-point errors to be ignored by the caller, and constant
    coordinates filled (``_fill_constant``).
    """
    g, n, _ = groups.shape
    edges = groups[:, 1 : n - 1, :] - groups[:, :1, :]
    target = groups[:, n - 1, :] - groups[:, 0, :]
    row_norm2 = np.einsum("gid,gid->gd", edges, edges)
    ok = np.ones(g, dtype=bool)
    # Scalar screens first: the common case pays for one reduction each.
    if not np.isfinite(row_norm2.sum() + target.sum()):
        ok &= np.isfinite(row_norm2).all(axis=1) & np.isfinite(target).all(axis=1)
    if row_norm2.min() < _SAFE_LOW**2:
        # A faint coordinate goes to the SVD path (constant ones were
        # filled before, by _fill_constant).
        ok &= ~(row_norm2 < _SAFE_LOW**2).any(axis=1)
    row_norm = np.sqrt(row_norm2)
    if not row_norm.max() <= _SCALE_SPREAD * row_norm.min():
        # Coordinates on very different scales: equilibrate the rows so that
        # partial pivoting sees them alike (row scaling keeps the solution).
        scale = np.where(row_norm > 0, row_norm, 1.0)
        edges /= scale[:, None, :]
        target /= scale
        row_norm = row_norm / scale
    mu, ok = _solve_groups(edges.transpose(0, 2, 1), target, ok)
    residual = np.abs((mu[:, None, :] @ edges)[:, 0, :] - target)
    mu_norm = np.sqrt(np.einsum("gi,gi->g", mu, mu))
    bound = _RESIDUAL_RTOL * (row_norm * mu_norm[:, None] + np.abs(target))
    if not (residual <= bound).all():
        ok &= (residual <= bound).all(axis=1)
    lam = np.empty((g, n))
    lam[:, 0] = 1.0 - mu.sum(axis=1)
    lam[:, 1 : n - 1] = mu
    lam[:, n - 1] = -1.0
    return lam, ok


def _parallel(first, second):
    """Per group: do the rows of ``first`` and ``second`` point alike (or opposite)?"""
    first = first / np.sqrt(np.einsum("gn,gn->g", first, first))[:, None]
    second = second / np.sqrt(np.einsum("gn,gn->g", second, second))[:, None]
    same = np.abs(first - second).max(axis=1)
    opposite = np.abs(first + second).max(axis=1)
    return np.minimum(same, opposite) <= _LU_AGREE


def _svd_null_vectors(system):
    """One null vector per group, canonical and stable (the robust fallback).

    The singular values of ``A = [P^T; 1^T]`` (centred, coordinate-scaled)
    give its numerical rank: those below ``_RANK_RTOL`` times the largest
    are rounding in directions where the points do not spread (redundant
    features, coefficients that sum to zero over classes). The null space
    ``N`` is then of dimension ``n - rank``, often more than one, and its
    basis, the trailing singular vectors, is not unique: rounding alone may
    rotate it. The null vector used is the projection of one fixed vector
    onto ``N``, which is unique and moves with the points only by rounding.
    """
    g, n, _ = system.shape
    _, values, vh = np.linalg.svd(system.transpose(0, 2, 1), full_matrices=False)
    kept = values > _RANK_RTOL * values[:, :1]
    row_space = vh * kept[:, :, None]
    lam = np.zeros((g, n))
    pending = np.ones(g, dtype=bool)
    for draw in range(3):
        probe = np.random.default_rng(draw).standard_normal(n)
        candidate = probe - np.einsum("gkn,gk->gn", row_space, row_space @ probe)
        usable = pending & (
            np.sqrt(np.einsum("gn,gn->g", candidate, candidate))
            > _PROBE_RTOL * np.sqrt(n)
        )
        lam[usable] = candidate[usable]
        pending &= ~usable
        if not pending.any():
            return lam
    # Unreachable for n >= d + 2 but by a measure-zero accident: a fixed
    # vector with no component in the null space three times over.
    lam[pending] = _basis_null_vectors(row_space[pending])
    return lam


def _basis_null_vectors(row_space):
    """Per group, the projection onto the null space of its best basis vector.

    ``row_space`` is ``(g, k, n)`` with orthonormal (or zero) rows. The
    squared length of ``e_i``'s projection onto the null space is
    ``1 - |row_space[:, i]|**2``; these sum to ``n - rank >= 1`` over ``i``,
    so the longest is at least ``1 / n`` long: a null vector always, found
    in ``O(k n)`` time and memory (a full SVD would build ``n x n``).
    """
    g = row_space.shape[0]
    leverage = np.einsum("gkn,gkn->gn", row_space, row_space)
    best = np.argmin(leverage, axis=1)
    column = np.take_along_axis(row_space, best[:, None, None], axis=2)[:, :, 0]
    lam = -np.einsum("gkn,gk->gn", row_space, column)
    lam[np.arange(g), best] += 1.0
    return lam


def _fill_constant(groups):
    """``groups`` with every coordinate constant across a group replaced by
    fixed pseudo-random values, one per point.

    A constant coordinate is the constraint ``0 = 0``; the values put in its
    place add the constraint ``sum(lam_i * v_i) = 0``, so every null vector
    of the filled group is one of the group. Filled per point (not per edge),
    the group is one point set whichever point the LU path fixes, and zero
    coefficients shared by all shard models keep the fast path.
    """
    constant = (groups == groups[:, :1, :]).all(axis=1)
    if not constant.any():
        return groups
    filler = np.random.default_rng(0).standard_normal(groups.shape[1:])
    filled = groups.copy()
    np.copyto(filled, filler, where=constant[:, None, :])
    return filled


def _null_vectors(groups):
    """One Radon null vector per group: LU fast path, SVD where it fails."""
    g, n, d = groups.shape
    groups = _fill_constant(groups)
    if n == d + 2 and d > 0:
        lam, ok = _lu_null_vectors(groups)
        # A group whose null space has one dimension gives the same null
        # vector, up to scale, whichever point's entry is fixed. A flat group
        # (points in a lower-dimensional affine subspace) has more null
        # vectors, and LU returns one chosen by rounding; so does a group
        # too ill-conditioned for LU to vouch for. Solving again with the
        # first point's entry fixed tells them apart; they go to the SVD.
        again, ok_again = _lu_null_vectors(np.roll(groups, -1, axis=1))
        ok &= ok_again & _parallel(lam, np.roll(again, 1, axis=1))
    else:
        lam, ok = np.empty((g, n)), np.zeros(g, dtype=bool)
    if not ok.all():
        system = _scaled_system(groups[~ok])
        lam[~ok] = _svd_null_vectors(system)
    return lam


def _radon_points(groups):
    """Radon points and partitions of a stack of groups ``(g, n, d)``.

    The point is taken as the weighted average of the part with fewer members
    (positive part on ties), so a part of one point gives that point exactly.
    """
    with np.errstate(all="ignore"):
        lam = _null_vectors(groups)
        positive = lam > 0
        use_positive = positive.sum(axis=1) <= (lam < 0).sum(axis=1)
        weights = np.maximum(np.where(use_positive[:, None], lam, -lam), 0.0)
        weights /= weights.sum(axis=1, keepdims=True)
        points = (weights[:, None, :] @ groups)[:, 0, :]
        if not np.isfinite(points.sum()):
            # Near the float64 limit a rounding can overflow: average in
            # scaled units and keep the result inside its group's bounding box.
            top = np.abs(groups).max(axis=(1, 2), keepdims=True)
            points = (weights[:, None, :] @ (groups / top))[:, 0, :] * top[:, 0, :]
            points = np.clip(points, groups.min(axis=1), groups.max(axis=1))
    return points, positive


@overload
def radon_point(
    points: ArrayLike, *, return_partition: Literal[False] = ...
) -> NDArray[np.float64]: ...
@overload
def radon_point(
    points: ArrayLike, *, return_partition: Literal[True]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]: ...
@overload
def radon_point(
    points: ArrayLike, *, return_partition: bool = ...
) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.bool_]]: ...
def radon_point(
    points: ArrayLike, *, return_partition: bool = False
) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Radon point of ``n >= d + 2`` points in ``d`` dimensions.

    Parameters
    ----------
    points : (n, d) array_like
        Finite points, one per row, with ``n >= d + 2``. Duplicated, identical
        or affinely dependent rows are valid input.
    return_partition : bool, default=False
        Also return the Radon partition as a boolean mask.

    Returns
    -------
    point : (d,) ndarray of float64
        A point in the convex hull of ``points[mask]`` and of
        ``points[~mask]``.
    mask : (n,) ndarray of bool
        One part of the partition; only returned when ``return_partition``.

    Raises
    ------
    ValueError
        If ``points`` is not 2-D, is empty, holds non-finite values, or has
        fewer than ``d + 2`` rows.

    See Also
    --------
    iterated_radon_point : Radon points of Radon points, level by level.

    Notes
    -----
    The null vector ``lam`` of ``A = [P^T; 1^T]`` is found with its last
    entry fixed to ``-1``: the other entries are then the affine coordinates
    of the last point with respect to the first ``d + 1``, the solution of the
    ``d x d`` system ``sum_i mu_i (x_i - x_0) = x_last - x_0``, solved by LU
    with partial pivoting in ``O(d^3 / 3)`` flops. Working with differences
    makes the arithmetic independent of the data's offset; rows are
    equilibrated when coordinates differ in scale by more than ``1e4``; a
    coordinate constant across the points (the equation ``0 = 0``) is
    replaced by fixed pseudo-random values, which keeps every solution a
    null vector of ``A``. The system is solved twice, with the last and with
    the first entry fixed, and the answer is accepted when it is finite,
    every equation's residual is below ``1e-10`` times the size of its terms
    and the two null vectors agree in direction: they do exactly when the
    null space has one dimension and LU can vouch for it. Otherwise (a
    singular or ill-conditioned system: duplicated, affinely dependent or
    flat points, values near the float64 limits) the null vector comes from
    an SVD of the centred, coordinate-scaled ``A``, about ten times slower:
    singular values below ``1e-10`` times the largest are taken as rounding,
    and a fixed vector projected onto the null space so found is the null
    vector, which makes the Radon point of flat points canonical (rounding,
    such as another BLAS kernel's, does not move it). For ``n > d + 2`` the
    SVD is used directly; it is the thin SVD of the ``(d + 1) x n`` matrix,
    so many points cost ``O(n d**2)`` time and ``O(n d)`` memory (no
    ``n x n`` array is ever formed). The point is the
    ``lam``-weighted average of the part with fewer points, so it is a convex
    combination of input points, never NaN, and a part of one point gives
    that point exactly. For points in general position with ``n = d + 2`` the
    partition, and so the point, is unique.

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> import numpy as np
    >>> from radonlearn import radon_point
    >>> radon_point([[0.0], [5.0], [1.0]])
    array([1.])
    >>> square = np.array([[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]])
    >>> point, mask = radon_point(square, return_partition=True)
    >>> point
    array([1., 1.])
    >>> int(mask.sum())
    2
    """
    points = _check_points(points)
    n, d = points.shape
    if n < d + 2:
        raise ValueError(
            f"A Radon point of points in {d} dimensions needs at least "
            f"{d + 2} points (d + 2), got {n}. Pass more points or fewer "
            "dimensions."
        )
    point, mask = _radon_points(points[None])
    if return_partition:
        return point[0], mask[0]
    return point[0]


def _nearest_powers(n, base):
    """The powers of ``base`` just below and just above ``n``."""
    low = 1
    while low * base <= n:
        low *= base
    return low, low * base


def iterated_radon_point(
    points: ArrayLike, *, branching: int | None = None
) -> NDArray[np.float64]:
    """Iterated Radon point of ``r ** h`` points.

    Consecutive groups of ``r`` rows are replaced by their Radon point, and
    the same is done to the results, ``h`` times, until one point is left.

    Parameters
    ----------
    points : (r ** h, d) array_like
        Finite points, one per row. The caller shuffles them: groups are
        consecutive rows.
    branching : int, default=None
        The number of points per group, ``r``. Must be at least ``d + 2``.
        ``None`` means ``d + 2``, the Radon number of R^d.

    Returns
    -------
    point : (d,) ndarray of float64
        The iterated Radon point. One row (``h = 0``) is returned as is.

    Raises
    ------
    ValueError
        If the row count is not a power of ``branching``, if ``branching``
        is below ``d + 2``, or for the invalid input listed in
        :func:`radon_point`.

    See Also
    --------
    radon_point : The Radon point of one group.

    Notes
    -----
    Each level is one batched LU solve over all of its groups (see
    :func:`radon_point`), so the whole tree costs about
    ``r ** (h - 1) * (1 + 1 / r + ...)`` small solves of size ``d + 1``,
    done in compiled code. If every point of the input lies in a convex set,
    so does the result; if at most one point of every group is bad at each
    level, the result is as good as the good ones (the argument of [1]_).

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> import numpy as np
    >>> from radonlearn import iterated_radon_point
    >>> rng = np.random.default_rng(0)
    >>> cloud = rng.normal(size=(4 ** 3, 2))
    >>> iterated_radon_point(cloud).shape
    (2,)
    """
    points = _check_points(points)
    n, d = points.shape
    if branching is None:
        branching = d + 2
    if isinstance(branching, bool) or not isinstance(branching, (int, np.integer)):
        raise ValueError(f"branching must be an integer or None, got {branching!r}.")
    if branching < d + 2:
        raise ValueError(
            f"branching must be at least d + 2 = {d + 2} for points in {d} "
            f"dimensions, got {branching}."
        )
    low, high = _nearest_powers(n, branching)
    if low != n:
        raise ValueError(
            f"The number of points must be a power of the branching factor "
            f"{branching}; got {n}. The nearest valid counts are {low} and "
            f"{high}."
        )
    return radon_levels(points, branching)[-1][0]


def radon_levels(points, branching):
    """Every level of the iterated Radon tree, from ``points`` to the root.

    ``points`` is a validated float64 ``(r**h, d)`` array; returns a list of
    ``h + 1`` arrays of shapes ``(r**h, d)``, ..., ``(1, d)``.
    """
    d = points.shape[1]
    levels = [points]
    while levels[-1].shape[0] > 1:
        groups = levels[-1].reshape(-1, branching, d)
        levels.append(_radon_points(groups)[0])
    return levels
