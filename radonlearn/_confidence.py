"""The confidence guarantee of the Radon machine."""

from __future__ import annotations

from numbers import Integral, Real

__all__ = ["radon_failure_probability"]


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
    for _ in range(height):
        good = 1.0 - probability
        probability = (
            1.0
            - good**radon_number
            - (radon_number * probability * good ** (radon_number - 1))
        )
        probability = min(max(probability, 0.0), 1.0)
    return probability
