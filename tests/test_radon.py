"""Properties of radon_point and iterated_radon_point."""

import numpy as np
import pytest
from _geometry import hull_distance, min_halfspace_count
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from radonlearn import iterated_radon_point, radon_point

seeds = st.integers(0, 2**32 - 1)
dims = st.integers(1, 8)


def general_position(seed, d, n=None):
    """Gaussian points: in general position with probability one."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(d + 2 if n is None else n, d))


def degenerate(seed, d, family):
    """Point sets of one degenerate family, ``d + 2`` rows in ``d`` dimensions."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(d + 2, d))
    if family == "duplicated":
        base[-1] = base[0]
    elif family == "many_duplicates":
        base = base[rng.integers(0, 2, size=d + 2)]
    elif family == "identical":
        base = np.repeat(base[:1], d + 2, axis=0)
    elif family == "affinely_dependent":
        rank = int(rng.integers(0, d))
        base = rng.normal(size=(d + 2, rank)) @ rng.normal(size=(rank, d))
        base += rng.normal(size=d)
    elif family == "near_duplicates":
        base = base[0] + 1e-12 * rng.normal(size=(d + 2, d))
    elif family == "one_near_duplicate":
        base[-1] = base[0] + 1e-12 * rng.normal(size=d)
    elif family == "huge":
        base *= 1e8
    elif family == "tiny":
        base *= 1e-8
    elif family == "offset":
        base = 1e8 + base
    elif family == "mixed_scales":
        base *= np.logspace(-8, 8, d)
    elif family == "constant_coordinate":
        base[:, rng.integers(0, d)] = 3.0
    return base


FAMILIES = [
    "general",
    "duplicated",
    "many_duplicates",
    "identical",
    "affinely_dependent",
    "near_duplicates",
    "one_near_duplicate",
    "huge",
    "tiny",
    "offset",
    "mixed_scales",
    "constant_coordinate",
]
# Families whose Radon partition is unique, so the point is well defined.
UNIQUE = ["general", "duplicated", "identical", "huge", "tiny", "mixed_scales"]
# A rotation mixes coordinates, and mixing 1e-8 with 1e8 loses the small ones
# to rounding in the input itself, so equivariance is checked without them.
EQUIVARIANT = [family for family in UNIQUE if family != "mixed_scales"]


def assert_radon(points, point, mask):
    """The point lies in both hulls and has Tukey depth at least two."""
    scale = max(np.abs(points).max(), np.finfo(float).tiny)
    assert point.shape == (points.shape[1],)
    assert np.isfinite(point).all()
    assert mask.any() and (~mask).any()
    # Both hulls, up to rounding relative to the coordinates' magnitude.
    tol = 1e-7 * scale
    assert hull_distance(points[mask], point) <= tol
    assert hull_distance(points[~mask], point) <= tol
    assert min_halfspace_count(points, point, rtol=1e-9) >= 2


@given(seed=seeds, d=dims, family=st.sampled_from(FAMILIES))
def test_point_in_both_hulls_and_deep(seed, d, family):
    # The Radon point lies in the hull of each part and every closed halfspace
    # containing it contains two input points, on every family of input.
    points = degenerate(seed, d, family)
    point, mask = radon_point(points, return_partition=True)
    assert_radon(points, point, mask)


@given(
    points=st.integers(1, 5).flatmap(
        lambda d: hnp.arrays(
            np.float64,
            (d + 2, d),
            elements=st.floats(allow_nan=False, allow_infinity=False),
        )
    )
)
@example(points=np.array([[-2.10923477e304], [1.79748221e308], [1.79748221e308]]))
@example(points=np.array([[0.0, 4.76554085e307]] + [[0.0, 0.0]] * 3))
@example(points=np.array([[1.87065017e-180], [0.0], [0.0]]))
@example(points=np.full((7, 5), np.finfo(float).max))
def test_arbitrary_finite_points(points):
    # Whatever finite points Hypothesis finds (zeros, repeats, extremes),
    # the result is a valid Radon point.
    point, mask = radon_point(points, return_partition=True)
    assert_radon(points, point, mask)


@given(seed=seeds, d=dims, family=st.sampled_from(EQUIVARIANT))
def test_affine_equivariance(seed, d, family):
    # radon_point(P A^T + b) == A radon_point(P) + b for well-conditioned A.
    rng = np.random.default_rng(seed + 1)
    points = degenerate(seed, d, family)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    transform = rotation * rng.uniform(0.5, 2.0, size=d)
    shift = rng.normal(size=d) * np.abs(points).max()
    expected = transform @ radon_point(points) + shift
    got = radon_point(points @ transform.T + shift)
    scale = np.abs(points).max() + np.abs(shift).max()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8 * scale)


@given(seed=seeds, d=dims, family=st.sampled_from(UNIQUE))
# NumPy 1.24 and 1.26: slogdet finds this shuffled group nonsingular, solve
# then meets a zero pivot.
@example(seed=8, d=8, family="duplicated")
def test_row_order_invariance(seed, d, family):
    # For a unique partition, shuffling the rows does not move the point.
    points = degenerate(seed, d, family)
    order = np.random.default_rng(seed + 2).permutation(d + 2)
    scale = np.abs(points).max()
    np.testing.assert_allclose(
        radon_point(points[order]), radon_point(points), rtol=1e-7, atol=1e-9 * scale
    )


@given(seed=seeds, d=dims)
def test_partition_weights_sum_to_zero(seed, d):
    # In general position the partition is the sign pattern of the unique
    # null vector of [P^T; 1^T], found here independently by SVD.
    points = general_position(seed, d)
    _, mask = radon_point(points, return_partition=True)
    matrix = np.vstack([points.T, np.ones(d + 2)])
    null = np.linalg.svd(matrix)[2][-1]
    signs = null > 0
    assert np.array_equal(mask, signs) or np.array_equal(mask, ~signs)


def test_one_dimension_gives_the_median():
    # Three points on a line: the Radon point is the middle one, exactly.
    rng = np.random.default_rng(0)
    for _ in range(100):
        values = rng.normal(size=(3, 1)) * 10.0 ** rng.integers(-8, 9)
        assert radon_point(values)[0] == np.median(values)


def test_more_points_than_needed():
    # n > d + 2 rows still give a valid Radon point and partition.
    points = general_position(0, 3, n=9)
    point, mask = radon_point(points, return_partition=True)
    assert_radon(points, point, mask)


def test_integer_input_is_float64():
    # Integer input is computed in float64.
    point = radon_point([[0, 0], [4, 0], [0, 4], [1, 1]])
    assert point.dtype == np.float64
    np.testing.assert_allclose(point, [1.0, 1.0])


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (np.zeros((3, 2)), "needs at least 4 points"),
        (np.zeros(4), "2-D array"),
        (np.zeros((2, 2, 2)), "2-D array"),
        (np.zeros((0, 2)), "empty"),
        (np.array([[0.0, 1.0], [np.nan, 0.0], [1.0, 1.0], [2.0, 2.0]]), "finite"),
        (np.array([[0.0, 1.0], [np.inf, 0.0], [1.0, 1.0], [2.0, 2.0]]), "finite"),
        (np.array([["a", "b"]] * 4), "numeric"),
    ],
)
def test_invalid_input_raises(points, message):
    # Bad input gets a ValueError that names the problem.
    with pytest.raises(ValueError, match=message):
        radon_point(points)


@given(seed=seeds, d=st.integers(1, 4), height=st.integers(1, 2))
def test_iterated_point_in_hull_and_equals_hand_iteration(seed, d, height):
    # The iterated Radon point lies in the hull of all points and equals
    # radon_point applied group by group, level by level.
    r = d + 2
    points = general_position(seed, d, n=r**height)
    got = iterated_radon_point(points)
    level = points
    while len(level) > 1:
        level = np.array([radon_point(group) for group in level.reshape(-1, r, d)])
    np.testing.assert_allclose(got, level[0], rtol=1e-9, atol=1e-12)
    assert hull_distance(points, got) <= 1e-9


@given(seed=seeds, d=st.integers(1, 4), family=st.sampled_from(FAMILIES))
def test_iterated_point_on_degenerate_input(seed, d, family):
    # Degenerate groups never produce NaN and stay inside the hull.
    r = d + 2
    points = np.vstack([degenerate(seed + k, d, family) for k in range(r)])
    got = iterated_radon_point(points)
    assert np.isfinite(got).all()
    assert hull_distance(points, got) <= 1e-7 * max(np.abs(points).max(), 1e-300)


def test_iterated_point_with_larger_branching():
    # A branching factor above d + 2 is allowed and still lands in the hull.
    points = general_position(3, 2, n=5**2)
    got = iterated_radon_point(points, branching=5)
    assert hull_distance(points, got) <= 1e-9


def test_iterated_point_height_zero():
    # A single row is its own iterated Radon point.
    np.testing.assert_array_equal(iterated_radon_point([[1.0, 2.0]]), [1.0, 2.0])


def test_iterated_point_wrong_count_names_nearest_counts():
    # A row count that is not a power of the branching factor is refused,
    # naming the nearest valid counts.
    with pytest.raises(
        ValueError, match=r"got 30\. The nearest valid counts are 25 and 125"
    ):
        iterated_radon_point(np.zeros((30, 3)))


@pytest.mark.parametrize("branching", [2, 1.5, True])
def test_iterated_point_bad_branching(branching):
    # A branching factor below d + 2, or not an integer, is refused.
    with pytest.raises(ValueError, match="branching"):
        iterated_radon_point(np.zeros((16, 2)), branching=branching)


def test_iterated_point_resists_one_outlier_per_group():
    # One wild point per group does not drag the iterated point away.
    rng = np.random.default_rng(0)
    d = 3
    points = rng.normal(size=((d + 2) ** 2, d))
    points[:: d + 2] = 1e6
    got = iterated_radon_point(points)
    assert np.abs(got).max() < 10


@pytest.mark.parametrize(
    "family", ["general", "constant_coordinate", "offset", "mixed_scales", "huge"]
)
def test_fast_path_needs_no_svd(family, monkeypatch):
    # The LU path alone answers for well-posed input, including coordinates
    # constant across a group (zero coefficients in every shard model).
    from radonlearn import _radon

    def refuse(system):
        raise AssertionError("SVD fallback used")

    monkeypatch.setattr(_radon, "_svd_null_vectors", refuse)
    for seed in range(20):
        points = degenerate(seed, 6, family)
        point, mask = radon_point(points, return_partition=True)
        assert_radon(points, point, mask)


def _duplicated_inside(seed, d):
    """General points but for two equal ones in the middle: a singular system."""
    points = degenerate(seed, d, "general")
    points[2] = points[1]
    return points


def test_singular_groups_go_to_the_fallback_whatever_the_solver_says(monkeypatch):
    # When solve raises for singular groups that slogdet calls nonsingular
    # (as NumPy 1.24 and 1.26 can on duplicated points), every group of the
    # batch still gets a finite Radon point in both of its hulls.
    from radonlearn import _radon

    d = 5
    groups = np.stack(
        [degenerate(seed, d, "general") for seed in range(12)]
        + [_duplicated_inside(seed, d) for seed in range(3)]
        + [degenerate(seed, d, "many_duplicates") for seed in range(3)]
    )
    groups = groups[np.random.default_rng(0).permutation(len(groups))]
    real_solve = np.linalg.solve
    calls = []

    def solve(matrix, target):
        # A zero pivot for any stack holding a matrix with two equal columns.
        calls.append(len(matrix))
        for one in matrix.reshape(-1, d, d):
            if len(np.unique(one, axis=1).T) < d:
                raise np.linalg.LinAlgError("Singular matrix")
        return real_solve(matrix, target)

    def slogdet(matrix):
        # Every matrix called nonsingular.
        return np.ones(matrix.shape[:-2]), np.zeros(matrix.shape[:-2])

    monkeypatch.setattr(np.linalg, "solve", solve)
    monkeypatch.setattr(np.linalg, "slogdet", slogdet)
    points, masks = _radon._radon_points(groups)
    single, single_mask = radon_point(groups[-1], return_partition=True)
    monkeypatch.undo()
    assert len(calls) > 2  # the failing groups were singled out
    for group, point, mask in zip(groups, points, masks, strict=True):
        assert_radon(group, point, mask)
    assert_radon(groups[-1], single, single_mask)


def _flat(seed, d, rank, rows=None):
    """``rows`` points (default ``d + 2``) spread in a ``rank``-dimensional
    affine subspace of R^d, rounded as computed: flat up to rounding."""
    rng = np.random.default_rng(seed)
    rows = d + 2 if rows is None else rows
    inside = rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, d))
    return inside + rng.normal(size=d)


@pytest.mark.parametrize("rank", [1, 3, 5])
def test_flat_points_have_a_radon_point_rounding_does_not_move(rank):
    # Points flat up to rounding (redundant features, coefficients that sum
    # to zero over classes) have many Radon points. The one returned is
    # canonical: a relative perturbation of 1e-14, the size of a change of
    # BLAS kernel, moves it by rounding only, and it stays a Radon point.
    d = 7
    for seed in range(10):
        points = _flat(seed, d, rank)
        noise = np.random.default_rng(100 + seed).normal(size=points.shape)
        nudged = points * (1 + 1e-14 * noise)
        point, mask = radon_point(points, return_partition=True)
        again, mask_again = radon_point(nudged, return_partition=True)
        assert_radon(points, point, mask)
        assert_radon(nudged, again, mask_again)
        scale = np.abs(points).max()
        assert np.abs(point - again).max() <= 1e-9 * scale


def test_flat_groups_of_a_tree_are_stable_too():
    # The same holds for every group of a batched, iterated aggregation.
    d = 6
    points = np.vstack([_flat(seed, d, 4) for seed in range(d + 2)])
    nudged = points * (1 + 1e-14 * np.random.default_rng(0).normal(size=points.shape))
    got, again = iterated_radon_point(points), iterated_radon_point(nudged)
    assert np.abs(got - again).max() <= 1e-9 * np.abs(points).max()


def test_more_points_than_needed_give_a_stable_radon_point():
    # n > d + 2 points leave a null space of several dimensions even when
    # they spread in every direction; the point chosen still moves with the
    # points by rounding only.
    points = _flat(3, 4, 4, rows=12)
    nudged = points * (1 + 1e-14 * np.random.default_rng(1).normal(size=points.shape))
    point, mask = radon_point(points, return_partition=True)
    again = radon_point(nudged)
    assert_radon(points, point, mask)
    assert np.abs(point - again).max() <= 1e-9 * np.abs(points).max()


def _peak_bytes(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and the peak of its traced allocations."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_radon_of_many(points, point, mask):
    """The Radon property for many points: both parts nonempty, the point in
    both hulls (one linear programme each; depth two follows from it)."""
    assert point.shape == (points.shape[1],) and np.isfinite(point).all()
    assert 0 < mask.sum() < len(mask)
    tol = 1e-7 * np.abs(points).max()
    assert hull_distance(points[mask], point) <= tol
    assert hull_distance(points[~mask], point) <= tol


# Bytes of working memory per byte of input a Radon point of many points may
# take (measured: 7 in R^2, 6 in R^3; the n x n SVD took 1,500 at n = 3,000).
MANY_POINTS_MEMORY = 16


@pytest.mark.parametrize(("n", "d"), [(30_000, 2), (200_000, 3)])
def test_many_points_need_linear_memory(n, d):
    # 30,000 points in R^2 raised MemoryError (a 6.7 GiB n x n SVD); the
    # working memory is now a small multiple of the input's n * d * 8 bytes.
    points = np.random.default_rng(n).normal(size=(n, d))
    (point, mask), peak = _peak_bytes(radon_point, points, return_partition=True)
    assert peak <= MANY_POINTS_MEMORY * n * d * 8
    assert_radon_of_many(points, point, mask)


@pytest.mark.parametrize(("n", "d"), [(5_000, 2), (30_000, 2), (20_000, 5)])
def test_last_resort_null_vector_needs_linear_memory(n, d, monkeypatch):
    # The measure-zero case where no random probe has a component in the
    # null space (forced here by discarding every probe) takes the null
    # space's best basis vector: linear memory, still a Radon point.
    from radonlearn import _radon

    monkeypatch.setattr(_radon, "_PROBE_RTOL", np.inf)
    points = np.random.default_rng(d).normal(size=(n, d))
    (point, mask), peak = _peak_bytes(radon_point, points, return_partition=True)
    assert peak <= MANY_POINTS_MEMORY * n * d * 8
    assert_radon_of_many(points, point, mask)


def _more_than_needed(seed, d, family):
    """``d + 2`` or more points of one kind, for the null-space fallback."""
    rng = np.random.default_rng(seed)
    if family == "general":
        return rng.normal(size=(d + 2 + seed, d))
    if family == "flat":
        return _flat(seed, d, 2, rows=d + 2 + seed)
    if family == "duplicated":
        return np.repeat(rng.normal(size=(3, d)), 3, axis=0)
    return np.c_[rng.normal(size=(d + 4, d - 1)), np.ones(d + 4)]


@pytest.mark.parametrize("family", ["general", "flat", "duplicated", "constant"])
def test_last_resort_null_vector_is_a_null_vector(family, monkeypatch):
    # On small groups of every kind, the basis-vector answer solves
    # sum(lam * x) = 0 and sum(lam) = 0 with lam nonzero, as Radon's theorem
    # asks, and gives a point in both hulls.
    from radonlearn import _radon

    monkeypatch.setattr(_radon, "_PROBE_RTOL", np.inf)
    d = 4
    for seed in range(10):
        points = _more_than_needed(seed, d, family)
        lam = _radon._null_vectors(points[None])[0]
        scale = np.abs(lam).max() * max(np.abs(points).max(), 1.0)
        assert np.abs(lam).max() > 0
        assert np.abs(lam @ points).max() <= 1e-9 * scale * len(points)
        assert abs(lam.sum()) <= 1e-9 * scale * len(points)
        point, mask = radon_point(points, return_partition=True)
        assert_radon(points, point, mask)
