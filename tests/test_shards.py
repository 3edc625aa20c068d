"""The shard plan: assignment of rows and the height rules."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from radonlearn import RadonMachineClassifier
from radonlearn._cost_model import (
    PILOT_BEST_FRACTION,
    PILOT_TOTAL,
    fastest_height,
    fit_cost_model,
    grow_pilots,
    predict_fit_seconds,
    predict_wall_seconds,
)
from radonlearn._shards import (
    ROWS_PER_PARAMETER,
    assign_shards,
    check_height,
    largest_height,
    min_rows_per_shard,
    nest_shards,
    random_order,
)


@given(
    n_samples=st.integers(1, 500),
    n_shards=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_shards_partition_the_rows_evenly(n_samples, n_shards, seed):
    # Every row lands in exactly one shard; sizes differ by at most one.
    n_shards = min(n_shards, n_samples)
    shards = assign_shards(n_samples, n_shards, np.random.default_rng(seed))
    assert len(shards) == n_shards
    np.testing.assert_array_equal(np.sort(np.concatenate(shards)), np.arange(n_samples))
    sizes = [len(shard) for shard in shards]
    assert max(sizes) - min(sizes) <= 1


@given(
    counts=st.lists(st.integers(1, 60), min_size=2, max_size=5),
    n_shards=st.integers(1, 20),
    seed=st.integers(0, 2**32 - 1),
)
def test_stratified_shards_split_every_class_evenly(counts, n_shards, seed):
    # Each class is spread over the shards with floor/ceil(count / n_shards)
    # rows per shard, so a class with n_shards rows reaches every shard.
    y = np.repeat(np.arange(len(counts)), counts)
    rng = np.random.default_rng(seed)
    y = rng.permutation(y)
    shards = assign_shards(len(y), n_shards, rng, y)
    np.testing.assert_array_equal(np.sort(np.concatenate(shards)), np.arange(len(y)))
    for label, count in enumerate(counts):
        per_shard = np.array([(y[shard] == label).sum() for shard in shards])
        assert per_shard.min() == count // n_shards
        assert per_shard.max() == -(-count // n_shards)
    sizes = [len(shard) for shard in shards]
    assert max(sizes) - min(sizes) <= len(counts)


def test_assignment_is_reproducible():
    # The same generator state gives the same shards.
    y = np.arange(100) % 3
    first = assign_shards(100, 7, np.random.default_rng(4), y)
    second = assign_shards(100, 7, np.random.default_rng(4), y)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@given(n_samples=st.integers(0, 3000), seed=st.integers(0, 2**32 - 1))
def test_random_order_is_a_reproducible_permutation(n_samples, seed):
    # Every row once, in 32-bit indices, the same for the same generator.
    order = random_order(np.random.default_rng(seed), n_samples)
    assert order.dtype == np.int32
    np.testing.assert_array_equal(np.sort(order), np.arange(n_samples))
    again = random_order(np.random.default_rng(seed), n_samples)
    np.testing.assert_array_equal(order, again)


def test_shards_follow_a_given_order():
    # With the fit's own random order the shards are cut from it: without
    # classes, consecutive pieces of it; with classes, each shard's rows keep
    # their relative order in it.
    rng = np.random.default_rng(3)
    order = random_order(rng, 1000)
    pieces = assign_shards(1000, 7, rng, order=order)
    np.testing.assert_array_equal(np.concatenate(pieces), order)
    y = np.arange(1000) % 3
    shards = assign_shards(1000, 7, rng, y, order=order)
    position = np.argsort(order)
    for shard in shards:
        assert np.all(np.diff(position[shard]) > 0)
        assert np.ptp(np.bincount(y[shard], minlength=3)) <= 1


@given(
    counts=st.lists(st.integers(1, 400), min_size=1, max_size=4),
    radon_number=st.integers(2, 5),
    depth=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_nested_layout_serves_every_height(counts, radon_number, depth, seed):
    # One layout holds the shards of every height up to its depth: each
    # height's shards partition the rows, split every class evenly, and a
    # shard of height h is the union of radon_number consecutive shards of
    # height h + 1.
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    layout = nest_shards(random_order(rng, len(y)), radon_number, depth, rng, y)
    for height in range(depth + 1):
        shards = layout.shards(height)
        assert len(shards) == radon_number**height
        np.testing.assert_array_equal(
            np.sort(np.concatenate(shards)), np.arange(len(y))
        )
        per_class = np.array(
            [np.bincount(y[shard], minlength=len(counts)) for shard in shards]
        )
        for label, count in enumerate(counts):
            assert per_class[:, label].min() == count // radon_number**height
            assert per_class[:, label].max() == -(-count // radon_number**height)
        if height < depth:
            deeper = layout.shards(height + 1)
            for number, shard in enumerate(shards):
                members = deeper[number * radon_number : (number + 1) * radon_number]
                np.testing.assert_array_equal(shard, np.concatenate(members))
    with pytest.raises(ValueError, match="not in"):
        layout.shards(depth + 1)


@pytest.mark.parametrize("classes", [None, 3])
def test_a_height_gets_the_same_shards_at_every_depth(classes):
    # Laid out for a deeper tree or not, the same generator gives a height
    # the same rows in each shard (so height="auto", which lays out every
    # allowed height, and an explicit height agree).
    y = None if classes is None else np.arange(5000) % classes
    layouts = [
        nest_shards(random_order(rng, 5000), 4, depth, rng, y)
        for depth in (1, 2, 3)
        for rng in [np.random.default_rng(11)]
    ]
    for height in (0, 1):
        reference = [np.sort(shard) for shard in layouts[0].shards(height)]
        for layout in layouts[1:]:
            for shard, expected in zip(layout.shards(height), reference, strict=True):
                np.testing.assert_array_equal(np.sort(shard), expected)


def test_largest_height():
    # The largest h with r**h * min_rows <= n and r**h <= the rarest class.
    assert largest_height(999, 10, 10) == 1
    assert largest_height(1000, 10, 10) == 2
    assert largest_height(10**6, 10, 10, class_counts=[10**6, 99]) == 1
    assert largest_height(5, 10, 1) == 0


def test_min_rows_rule():
    # "auto" is 15 rows per parameter with a floor of 50; ints pass through.
    assert min_rows_per_shard("auto", 21) == 15 * 21
    assert min_rows_per_shard("auto", 2) == 50
    assert min_rows_per_shard(7, 21) == 7


def test_check_height_messages():
    # Errors say how many rows, or which class, fall short.
    with pytest.raises(ValueError, match=r"12,167 shards.*short"):
        check_height(3, 100_000, 23, 10)
    with pytest.raises(ValueError, match="class 'b' has only 5 rows"):
        check_height(1, 1000, 9, 1, np.array(["a", "b"]), np.array([995, 5]))
    check_height(1, 1000, 9, 1, np.array(["a", "b"]), np.array([991, 9]))


@pytest.mark.slow
def test_rows_per_parameter_experiment():
    # The experiment behind the "auto" rule: with D = 21 (20 features) and
    # 23 shards (height 1), shards of 15 rows per parameter lose under 0.005
    # test AUC against the full fit, while shards of 3 rows per parameter lose
    # clearly more (over three seeds, the sample and the shard plan both).
    X, y = make_classification(
        n_samples=40_000, n_features=20, n_informative=10, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    full = LogisticRegression().fit(X_train, y_train)
    full_auc = roc_auc_score(y_test, full.decision_function(X_test))
    gaps = {3: [], ROWS_PER_PARAMETER: []}
    for seed in range(3):
        for per_parameter in gaps:
            machine = RadonMachineClassifier(
                height=1, min_samples_per_shard=1, random_state=seed
            )
            sample = np.random.default_rng(seed).permutation(len(y_train))
            sample = sample[: per_parameter * 21 * 23]
            machine.fit(X_train[sample], y_train[sample])
            auc = roc_auc_score(y_test, machine.decision_function(X_test))
            gaps[per_parameter].append(full_auc - auc)
    assert max(gaps[ROWS_PER_PARAMETER]) < 0.005
    assert np.mean(gaps[3]) > 2 * np.mean(gaps[ROWS_PER_PARAMETER])


@pytest.mark.parametrize("exponent", [1.0, 1.5, 2.0, 2.5])
def test_cost_model_reads_the_growth_exponent(exponent):
    # Pilot times t(m) = o + c m**a give back a from the pilots well above
    # the overhead, and predictions grow with the rows.
    sizes = np.array([40.0, 160.0, 640.0, 2560.0])
    seconds = 0.003 + (sizes / 2560) ** exponent
    model = fit_cost_model(sizes, seconds)
    # Half the overhead is taken off: the slope comes out within a few hundredths.
    assert model["exponent"] == pytest.approx(exponent, abs=0.05)
    predicted = [predict_fit_seconds(m, model) for m in (10, 100, 1000, 10**5)]
    assert predicted == sorted(predicted)
    # Beyond the largest pilot the time above the overhead grows as m**a.
    overhead = model["overhead"]
    assert predicted[-1] == pytest.approx(
        overhead + (seconds[-1] - overhead) * (10**5 / 2560) ** model["exponent"]
    )


def test_cost_model_never_below_linear():
    # Overhead-dominated pilots (flat times) extrapolate linearly beyond the
    # overhead, not flat: ten times the rows, ten times the time above it.
    model = fit_cost_model([1000, 4000, 16000], [0.005, 0.005, 0.006])
    assert model["exponent"] == 1.0
    assert model["overhead"] == pytest.approx(0.0025)
    assert predict_fit_seconds(160_000, model) == pytest.approx(0.0025 + 0.035)


def test_cost_model_predicts_a_full_fit_from_overhead_heavy_pilots():
    # lbfgs LogisticRegression on 245,509 x 6 (flights), measured here with
    # one thread: 5.3 ms on 1,000 rows, 9.1 ms on 5,376 and 215 ms on all;
    # half the quickest pilot is per-fit overhead and does not grow, so the
    # full fit is predicted within 40 % (scaling all of 9.1 ms overshoots 2x).
    model = fit_cost_model([336, 1000, 5376], [0.0054, 0.0053, 0.0091])
    assert predict_fit_seconds(245_509, model) == pytest.approx(0.215, rel=0.4)


def test_superlinear_learner_gets_a_deeper_tree():
    # Pilot times of QuantileRegressor (HiGHS) measured here on 40,000 x 8.
    model = fit_cost_model([247, 988, 1000], [0.0167, 0.0999, 0.1005])
    predicted = predict_wall_seconds(40_000, 11, range(4), model, 2, 1.8, 0.0)
    assert predicted[0] > predicted[1] > predicted[2] < predicted[3]
    assert fastest_height(predicted) == 2


def test_linear_learner_stops_at_one_level():
    # Linear cost: only parallelism helps, once; deeper trees add overhead,
    # and small data stays in one fit.
    sizes = np.array([1000, 4000, 16000, 64000])
    model = fit_cost_model(sizes, 0.004 + 5e-6 * sizes)
    predicted = predict_wall_seconds(1_000_000, 21, range(3), model, 2, 1.8, 0.0)
    assert fastest_height(predicted) == 1
    small = predict_wall_seconds(5_000, 21, range(2), model, 2, 1.8, 0.0)
    assert fastest_height(small) == 0


def test_fastest_height_prefers_the_lower_of_near_ties():
    # Within the margin the lower height wins, so jitter cannot flip it.
    assert fastest_height({0: 1.0, 1: 0.9, 2: 2.0}) == 0
    assert fastest_height({0: 3.0, 1: 1.1, 2: 1.0}) == 1
    assert fastest_height({0: 3.0, 1: 2.0, 2: 1.0}) == 2


def test_stratification_with_many_classes():
    # Beyond 32 classes the ranks come from a sort; the split is as even.
    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat(np.arange(40), rng.integers(5, 30, size=40)))
    shards = assign_shards(len(y), 4, rng, y)
    np.testing.assert_array_equal(np.sort(np.concatenate(shards)), np.arange(len(y)))
    for label in range(40):
        per_shard = np.array([(y[shard] == label).sum() for shard in shards])
        assert per_shard.max() - per_shard.min() <= 1


def test_cost_model_reads_growth_past_the_overhead():
    # Pilot times of QuantileRegressor on 6,000 rows measured here: small
    # pilots are mostly overhead, yet the growth between the two largest
    # (about m**1.6 to m**2) is read, not the flat start.
    model = fit_cost_model([49, 196, 545, 1000], [0.010, 0.014, 0.035, 0.090])
    assert model["exponent"] > 1.4


def test_measured_overhead_reads_a_mildly_superlinear_learner():
    # LinearSVC (dual) pilots on 200,000 x 18 measured here: 17 ms on 453
    # rows, 36 ms on 1,000, 77 ms on 1,812, and 2.7 ms for a 64-row fit.
    # Height 2 (441 shards of 453 rows) then took 4.3-4.9 s on 2 workers and
    # height 1 (21 shards of 9,524 rows) 6.4-6.5 s. Half the quickest pilot
    # (8.7 ms) is far above the real overhead and overstates the growth;
    # the measured overhead reads it from the widest span, and height 2 wins.
    sizes, seconds = [453, 1000, 1812], [0.0174, 0.0361, 0.0772]
    assumed = fit_cost_model(sizes, seconds)
    measured = fit_cost_model(sizes, seconds, overhead=0.0027)
    assert measured["overhead"] == 0.0027
    assert 1.05 < measured["exponent"] < 1.3 < assumed["exponent"]
    predicted = predict_wall_seconds(200_000, 21, range(3), measured, 2, 2.0, 0.0)
    assert predicted[1] / predicted[2] == pytest.approx(6.45 / 4.6, rel=0.15)
    assert fastest_height(predicted) == 2
    # A tiny fit slower than half the quickest pilot is not all overhead.
    assert fit_cost_model(sizes, seconds, overhead=0.05)["overhead"] == 0.0087


def test_gathering_rows_is_charged_to_the_shards_only():
    # Ridge on 327,346 x 25 Fortran-ordered rows (flights_delay, measured
    # here): its pilots fit in 0.49 ms on 417 rows and 0.58 ms on 1,668
    # once their rows are gathered, and gathering costs 0.15 microseconds a
    # row; one fit on all rows took 0.034 s and gathers nothing (predicted
    # within 2x from pilots this small). The shards gather every row, spread
    # over the workers, and one fit wins.
    model = fit_cost_model([417, 1000, 1668], [0.00049, 0.00068, 0.00058])
    plain = predict_wall_seconds(327_346, 28, range(3), model, 2, 2.0, 0.025)
    model["gather_per_row"] = 0.15e-6
    gathered = predict_wall_seconds(327_346, 28, range(3), model, 2, 2.0, 0.025)
    assert gathered[0] == plain[0] < 2 * 0.034
    for height in (1, 2):
        assert gathered[height] - plain[height] == pytest.approx(0.15e-6 * 327_346 / 2)
    assert fastest_height(gathered) == 0


def test_pilots_cost_at_most_a_share_of_the_fastest_height():
    # QuantileRegressor-like (measured here on 40k x 8: 9.5 ms on 330 rows,
    # 47 ms on 1,000, growth 1.75): the next pilot, on 3,400 rows, would
    # cost about 0.4 s, within the half second of PILOT_TOTAL but most of a
    # 0.6 s fit at the fastest height: it is not made.
    def time_at(size):
        return size, 0.003 + 0.044 * (size / 1000) ** 1.75

    first = (1000, 0.047)
    unbounded = grow_pilots(time_at, first, 330, 3_400, overhead=0.003)
    assert max(size for size, _ in unbounded) == 3_400
    bounded = grow_pilots(
        time_at, first, 330, 3_400, overhead=0.003, fastest=lambda model: 0.6
    )
    assert max(size for size, _ in bounded) == 1000
    assert sum(seconds for _, seconds in bounded) <= PILOT_BEST_FRACTION * 0.6


@pytest.mark.parametrize("exponent", [1.0, 2.0, 3.0])
def test_pilots_stay_within_budget_whatever_the_growth(exponent):
    # Simulated learners: 3 ms of overhead plus a cost growing as m**exponent,
    # 60 ms at 1,000 rows (the layout pilot).
    timed = []

    def time_at(size):
        seconds = 0.003 + 0.057 * (size / 1000) ** exponent
        timed.append((size, seconds))
        return size, seconds

    timings = grow_pilots(time_at, (1000, 0.06), 300, 20_000)
    assert sum(seconds for _, seconds in timed) <= PILOT_TOTAL
    assert (1000, 0.06) in timings  # the layout pilot is reused, not redone
    assert all(not 1000 / 1.5 <= size <= 1500 for size, _ in timed)
    # The growth is read between two sizes at least.
    assert len(timings) >= 2
    assert fit_cost_model(*zip(*timings, strict=True))["exponent"] >= 1.0


def test_pilots_grow_to_the_largest_size_for_cheap_learners():
    timings = grow_pilots(lambda size: (size, 1e-7 * size), (1000, 1e-4), 100, 50_000)
    assert max(size for size, _ in timings) == 50_000


def test_pilots_cost_a_fraction_of_a_quick_full_fit():
    # A linear learner (4 ms of overhead, 1 us per row; quick fits are timed
    # twice). On 300,000 rows its full fit takes about 0.3 s, so the pilots
    # stop early, though the absolute budget would let them reach the shard
    # size; the more rows there are to save time on, the further they go.
    def time_at(size):
        seconds = 0.004 + 1e-6 * size
        return size, seconds, 2 * seconds

    first = (1000, 0.005, 0.010)

    def largest_pilot(n_samples):
        timings = grow_pilots(time_at, first, 200, 30_000, n_samples=n_samples)
        return max(size for size, _ in timings)

    reached = [largest_pilot(n) for n in (300_000, 3_000_000, 30_000_000)]
    assert reached[0] < 30_000
    assert reached == sorted(reached)
    assert reached[-1] == 30_000
    # Without the size of the data only the absolute budget applies.
    unbounded = grow_pilots(time_at, first, 200, 30_000)
    assert max(size for size, _ in unbounded) == 30_000
