"""radon_failure_probability: exact for the recursion at any delta, bounded work."""

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import brentq

from radonlearn import _confidence, radon_failure_probability

EPS = np.finfo(float).eps
TINY = np.finfo(float).tiny  # smallest normal float
# Per level, the float recursion may add this much relative error (measured:
# below one epsilon); the levels before it are amplified by its conditioning.
LEVEL_ROUNDING = 4 * EPS

DELTAS = [
    1e-300, 1e-200, 1e-160, 1e-100, 1e-50, 1e-20, 1e-12, 1e-10, 1e-9, 1e-6,
    1e-4, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-9,
]  # fmt: skip
HEIGHTS = [1, 2, 3, 5]


def _f_decimal(d, r):
    """f(d) = P(Binomial(r, d) >= 2) as a sum of positive terms (no cancellation)."""
    if d in (0, 1):
        return d
    term = (1 - d) ** r
    total = Decimal(0)
    ratio = d / (1 - d)
    for k in range(r):
        term = term * (r - k) / (k + 1) * ratio  # P(X = k + 1)
        if k + 1 >= 2:
            total += term
    return total


def _reference(delta, r, height):
    """The recursion in 60-digit decimals from the exact float ``delta``, and the
    relative tolerance its conditioning allows a float evaluation."""
    with localcontext() as context:
        context.prec, context.Emin, context.Emax = 60, -(10**8), 10**8
        d = Decimal(delta)
        tolerance = 0.0
        for _ in range(height):
            following = _f_decimal(d, r)
            if following > 0 and d < 1:
                slope = r * (r - 1) * d * (1 - d) ** (r - 2)  # f'(d)
                condition = float(d * slope / following)
            else:
                condition = 0.0
            tolerance = condition * tolerance + LEVEL_ROUNDING
            d = following
        return d, tolerance


def _f_fraction(d, r):
    return 1 - (1 - d) ** r - r * d * (1 - d) ** (r - 1)


@pytest.mark.parametrize("delta", [1e-9, 1e-5, 0.3, 0.5])
@pytest.mark.parametrize("r", [3, 7])
def test_decimal_reference_agrees_with_exact_fractions(delta, r):
    # The 60-digit reference is itself checked against exact rational arithmetic.
    exact = Fraction(delta)
    for _ in range(2):
        exact = _f_fraction(exact, r)
    reference, _ = _reference(delta, r, 2)
    assert abs(Fraction(reference) - exact) <= Fraction(1, 10**50) * exact


@pytest.mark.parametrize("r", [3, 4, 7, 10, 50, 1000])
def test_matches_exact_recursion_at_rounding_level(r):
    # Relative error at rounding level (times the recursion's conditioning)
    # for every delta down to 1e-300; results below the normal range are
    # right to the smallest normal float.
    for delta in DELTAS:
        for height in HEIGHTS:
            got = radon_failure_probability(delta, r, height)
            exact, rtol = _reference(delta, r, height)
            error = abs(Decimal(got) - exact)
            assert error <= Decimal(rtol) * exact + Decimal(TINY), (
                delta,
                r,
                height,
                got,
                exact,
            )


def test_small_delta_is_not_cancelled():
    # The figures: (1e-9, 3, 1) gave 0.0, (1e-10, 10, 1) was 186x too big.
    assert radon_failure_probability(1e-9, 3, 1) == pytest.approx(
        3e-18 - 2e-27, rel=4 * EPS, abs=0
    )
    assert radon_failure_probability(1e-10, 10, 1) == pytest.approx(
        float(_reference(1e-10, 10, 1)[0]), rel=4 * EPS, abs=0
    )


@pytest.mark.parametrize("r", [3, 10, 1000])
@pytest.mark.parametrize("delta", [1e-300, 1e-12, 1e-4, 0.01])
def test_below_the_quadratic_bound(delta, r):
    # The documented bound f(d) <= C(r, 2) * d**2 holds for the computed values.
    pairs = r * (r - 1) / 2
    assert radon_failure_probability(delta, r, 1) <= pairs * delta**2 * (1 + 4 * EPS)


@pytest.mark.parametrize(
    ("delta", "r", "limit"),
    [(0.5, 10, 1.0), (0.3, 3, 0.0), (0.7, 3, 1.0), (0.5, 3, 0.5), (1e-3, 1000, 1.0),
     (1e-7, 1000, 0.0), (0.0, 5, 0.0), (1.0, 5, 1.0)],
)  # fmt: skip
def test_enormous_height_is_the_limit_in_bounded_work(monkeypatch, delta, r, limit):
    # Heights of 10**10 and 10**18 cost a few dozen levels and give the limit
    # of the recursion (r = 3, delta = 1/2 is its exact unstable fixed point).
    levels = []
    step = _confidence._bad_group_probability
    monkeypatch.setattr(
        _confidence,
        "_bad_group_probability",
        lambda d, radon: levels.append(d) or step(d, radon),
    )
    for height in (10**10, 10**18):
        assert radon_failure_probability(delta, r, height) == limit
    assert len(levels) <= 2 * 128


@pytest.mark.parametrize("r", [3, 5, 10, 1000, 10**6])
def test_stops_within_a_hundred_levels_near_the_unstable_fixed_point(r):
    # From the floats nearest the unstable fixed point (the hardest starts)
    # the rounded recursion stops changing within 128 levels, far below the
    # loop's cap.
    f = _confidence._bad_group_probability
    fixed = 0.5 if r == 3 else brentq(lambda d: f(d, r) - d, 1e-14, 0.9)
    for offset in range(-100, 101):
        delta = fixed + offset * np.spacing(fixed)
        levels = 0
        while f(delta, r) != delta:
            delta = f(delta, r)
            levels += 1
            assert levels <= 128
    assert _confidence._MAX_STEPS >= 128


def test_stays_a_probability():
    # Seeded random arguments (r from 2): every result is in [0, 1], and
    # height 0 returns delta itself.
    rng = np.random.default_rng(0)
    for _ in range(200):
        delta = float(rng.random()) ** 8
        r = int(rng.integers(2, 2000))
        height = int(rng.integers(0, 50))
        value = radon_failure_probability(delta, r, height)
        assert 0.0 <= value <= 1.0
        assert radon_failure_probability(delta, r, 0) == delta
