"""The confidence guarantee of the Radon machine."""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["radon_failure_probability"]

# Below this value of (r - 1) * delta, log(1 - f(delta)) is summed as its
# power series (terms shrink by about this factor each); above it the two
# logarithms cancel by at most a factor of about four.
_SERIES_BELOW = 0.5
# The rounded recursion stops changing (at 0, 1 or the unstable fixed
# point) within about 100 steps from any float: at most 99 in a scan of the
# 601 floats nearest the unstable fixed point for r = 3 to 10**6 (201 of
# them are checked in test_confidence.py). This cap bounds the loop for any
# height, even if rounding made the map cycle.
_MAX_STEPS = 10_000


def _log_good_group(delta, radon_number):
    """``log(1 - f(delta))``: log of the chance that a group has at most one bad model.

    ``1 - f(d) = (1 - d)**m * (1 + m*d)`` with ``m = r - 1``, so its log is
    ``m*log1p(-d) + log1p(m*d)``; the two terms cancel to
    ``-m*(m + 1)*d**2/2`` for small ``m*d``, where the series
    ``-d * m * sum_(j>=1) (d**j - (-m*d)**j) / (j + 1)`` is summed instead
    (no cancellation, no underflow of ``d**2`` before the last product).
    """
    m = radon_number - 1
    spread = m * delta
    if spread > _SERIES_BELOW:
        return m * math.log1p(-delta) + math.log1p(spread)
    total, own, others, j = 0.0, 1.0, 1.0, 1
    while True:
        own *= delta
        others *= -spread
        term = (own - others) / (j + 1)
        total += term
        if abs(term) <= 1e-17 * abs(total):
            return -delta * m * total
        j += 1


def _bad_group_probability(delta, radon_number):
    """``f(delta)``: the chance that at least two of ``r`` models are bad."""
    if delta == 0.0 or delta == 1.0:
        return delta
    return min(-math.expm1(_log_good_group(delta, radon_number)), 1.0)


def radon_failure_probability(delta: float, radon_number: int, height: int) -> float:
    """Probability that a Radon machine's model is bad, from its base learner's.

    Parameters
    ----------
    delta : float in [0, 1]
        Probability that one shard model is bad (its risk above the level
        of interest), the shard models being independent.
    radon_number : int
        ``r >= 2``: models per group of the aggregation tree (``D + 2``, or
        ``block_size + 2`` per block).
    height : int
        Height ``h >= 0`` of the tree.

    Returns
    -------
    probability : float
        Upper bound on the probability that the aggregate is bad, exact for
        the recursion below; ``delta`` itself at height 0.

    Raises
    ------
    ValueError
        If ``delta`` is outside ``[0, 1]``, ``radon_number < 2`` or
        ``height < 0``.

    See Also
    --------
    RadonMachineClassifier, RadonMachineRegressor

    Notes
    -----
    Radon's theorem splits the ``r`` points of a group into two parts whose
    convex hulls share the Radon point. If at most one of the ``r`` models is
    bad, one part holds good models only, and for a convex risk every point
    of its hull, the Radon point included, is as good as they are. So a
    group's Radon point can be bad only if at least two of its ``r`` inputs
    are, which for independent inputs bad with probability ``d`` happens with
    probability

    ``f(d) = 1 - (1 - d)**r - r * d * (1 - d)**(r - 1) <= C(r, 2) * d**2``.

    The groups of one level are disjoint, hence independent, so the bound
    applies level after level: ``delta_0 = delta``,
    ``delta_(k+1) = f(delta_k)``, and the machine fails with probability at
    most ``delta_h``. Unrolling the quadratic bound gives
    ``delta_h <= (C(r, 2) * delta) ** (2 ** h) / C(r, 2)``: once
    ``C(r, 2) * delta < 1`` the failure probability falls doubly
    exponentially with the height.

    The recursion is evaluated without cancellation:
    ``1 - f(d) = (1 - d)**(r - 1) * (1 + (r - 1) * d)``, whose logarithm is
    ``(r - 1) * log1p(-d) + log1p((r - 1) * d)`` for ``(r - 1) * d > 0.5``
    and its power series below, and ``f(d) = -expm1(log(1 - f(d)))``. Each
    level so has a relative error of a few units of rounding, at any
    ``delta`` down to the smallest float; over ``h`` levels the recursion's
    own conditioning (about 2 per level for small ``delta``) multiplies it.
    The loop stops when a level leaves the value unchanged (0, 1, or the
    fixed point between them), which takes at most about 100 levels, so the
    cost is bounded whatever the height.

    References
    ----------
    .. [1] M. Kamp, M. Boley, O. Missura, T. Gärtner. "Effective
       Parallelisation for Machine Learning". NeurIPS 2017.
       arXiv:1810.03530.

    Examples
    --------
    >>> from radonlearn import radon_failure_probability
    >>> round(radon_failure_probability(0.01, 10, 1), 6)
    0.004266
    >>> radon_failure_probability(0.001, 10, 3) < 1e-12
    True
    """
    if not isinstance(delta, Real) or not 0.0 <= delta <= 1.0:
        raise ValueError(f"delta must be a probability in [0, 1], got {delta!r}.")
    if not isinstance(radon_number, Integral) or radon_number < 2:
        raise ValueError(f"radon_number must be an integer >= 2, got {radon_number!r}.")
    if not isinstance(height, Integral) or height < 0:
        raise ValueError(f"height must be an integer >= 0, got {height!r}.")
    probability = float(delta)
    for _ in range(min(height, _MAX_STEPS)):
        following = _bad_group_probability(probability, int(radon_number))
        if following == probability:
            break  # 0, 1 or a fixed point: every further level gives it again
        probability = following
    return probability
