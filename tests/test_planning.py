"""Planning: the cheap "no", reasons, warnings for starved explicit heights."""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import (
    HuberRegressor,
    LogisticRegression,
    Perceptron,
    QuantileRegressor,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from radonlearn import RadonMachineClassifier, RadonMachineRegressor
from radonlearn._cost_model import (
    EXPONENT_BOUNDS,
    fastest_height,
    fit_cost_model,
    predict_fit_seconds,
)
from radonlearn._planning import (
    _GROWTH_FLOOR,
    LIBLINEAR_GROWTH,
    PLANNING_SECONDS,
    SHARD_SECONDS,
    THREAD_STARTUP,
    HeightPlan,
    cannot_pay,
    growth_bound,
    growth_range,
    pilot_bound_growth,
    predict_heights,
    thread_costs,
)
from radonlearn._shards import largest_height

# The growth ranges a pilot allows, by kind of learner.
_KINDS = {
    "linear": Ridge(),
    "floored": HuberRegressor(),
    "liblinear": LinearSVC(),
    "other": QuantileRegressor(),
}


@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(
    n_rows=st.integers(1_001, 10**6),
    pilot_seconds=st.floats(1e-8, 1e-3),
    overhead_share=st.floats(0.0, 0.5),
    position=st.floats(0.0, 1.0),
    radon_number=st.integers(3, 60),
    n_workers=st.integers(1, 8),
    kind=st.sampled_from(sorted(_KINDS)),
)
# HuberRegressor on 10k rows (a 2.4 ms pilot, as measured here), at its floor.
@example(10_000, 0.0024, 0.5, 0.0, 21, 2, "floored")
@example(10_000, 0.0024, 0.4, 0.05, 21, 2, "floored")
def test_cheap_no_never_rejects_a_height_the_planner_would_take(
    n_rows, pilot_seconds, overhead_share, position, radon_number, n_workers, kind
):
    # Whenever one pilot says sharding cannot pay, the full planner, given any
    # cost model that pilot allows (an exponent in the learner's growth
    # range, and a fit on all rows within the pilot's bound: for the
    # linear-cost learners, the pilot's time scaled linearly, which the
    # growth section of benchmarks/cheap_no.py measures) on the threads of
    # this machine and charged the same planning, picks height 0 too.
    learner = _KINDS[kind]
    low, high = growth_range(learner)
    bound = pilot_bound_growth(learner)
    exponent = low + position * (high - low)
    assume(
        cannot_pay(n_rows, 1000, pilot_seconds, radon_number, n_workers, high, bound)
    )
    allowed = largest_height(n_rows, radon_number, 1)
    assume(allowed >= 1)
    cost_model = {
        "sizes": [1000.0],
        "seconds": [pilot_seconds],
        "overhead": overhead_share * pilot_seconds,
        "exponent": exponent,
    }
    assume(
        predict_fit_seconds(n_rows, cost_model)
        <= pilot_seconds * (n_rows / 1000) ** bound * (1 + 1e-12)
    )
    plan = HeightPlan(
        radon_number=radon_number, largest_height=allowed, cost_model=cost_model
    )
    predicted = predict_heights(plan, n_rows, thread_costs(n_workers))
    charged = {
        height: seconds + (PLANNING_SECONDS if height else 0.0)
        for height, seconds in predicted.predicted_seconds.items()
    }
    assert fastest_height(charged) == 0


def test_linear_cost_families_by_class():
    # Known linear-cost learners (and their subclasses) grow at most
    # linearly; liblinear and unknown learners get the cost model's bound.
    class MyRidge(Ridge):
        pass

    assert growth_bound(Ridge()) == growth_bound(MyRidge()) == 1.0
    assert growth_bound(LogisticRegression()) == 1.0
    assert growth_bound(LogisticRegression(solver="liblinear")) == 3.0
    assert growth_bound(LinearSVC()) == growth_bound(QuantileRegressor()) == 3.0


@pytest.mark.parametrize(
    "learner",
    [
        Ridge(),
        LogisticRegression(),
        LogisticRegression(solver="liblinear"),
        LinearSVC(),
        LinearSVR(),
        SGDClassifier(),
        SGDRegressor(tol=None),
        Perceptron(),
        HuberRegressor(),
        QuantileRegressor(),
    ],
    ids=repr,
)
def test_growth_ranges_by_family(learner):
    # Every range lies within the cost model's bounds; the linear-cost
    # learners (the epoch learners too) grow exactly linearly, except those
    # that slow down per row above the pilots' sizes, which grow at least
    # their floor; liblinear never slower than LIBLINEAR_GROWTH, unknown
    # learners within the bounds. A linear-cost learner's pilot bounds its
    # full fit linearly, whatever its range.
    low, high = growth_range(learner)
    assert EXPONENT_BOUNDS[0] <= low <= high <= EXPONENT_BOUNDS[1]
    floors = dict(_GROWTH_FLOOR)
    if isinstance(learner, (LinearSVC, LinearSVR)) or "liblinear" in repr(learner):
        assert low == LIBLINEAR_GROWTH > 1.0
        assert pilot_bound_growth(learner) == high
    elif type(learner) in floors:
        assert low == floors[type(learner)] > 1.0 and high > low
        assert pilot_bound_growth(learner) == 1.0
    elif isinstance(
        learner, (Ridge, LogisticRegression, SGDClassifier, Perceptron, SGDRegressor)
    ):
        assert (low, high) == (1.0, 1.0)
    else:
        assert (low, high) == EXPONENT_BOUNDS


@given(
    sizes=st.lists(st.integers(10, 10**6), min_size=1, max_size=5),
    seconds=st.lists(st.floats(1e-5, 10.0), min_size=5, max_size=5),
    low=st.floats(0.5, 2.0),
    width=st.floats(0.0, 1.0),
)
def test_cost_model_growth_stays_in_the_learners_range(sizes, seconds, low, width):
    # Whatever the pilots read, the exponent the cost model extrapolates
    # with lies in the bounds it was given.
    model = fit_cost_model(sizes, seconds[: len(sizes)], bounds=(low, low + width))
    assert low <= model["exponent"] <= low + width


def test_thread_costs_charge_a_start_up_and_each_shard():
    # Threads start up once and charge each shard; a measured slow-down
    # lowers their speed-up, never above the workers' count.
    costs = thread_costs(2)
    assert costs.startup == THREAD_STARTUP and costs.per_shard == SHARD_SECONDS
    assert costs.speedup == 2.0
    assert thread_costs(2, 1.0).speedup == 1.0
    assert thread_costs(4, 3.0).speedup == 4.0


class _AutoRun:
    """What ``_threads_checked`` reads of a fit: height="auto" on 2 threads."""

    spec = type("Spec", (), {"height": "auto"})()
    n_workers = 2

    def __init__(self, n_samples):
        self.n_samples = n_samples

    def costs(self, backend, thread_speedup=2.0):
        return thread_costs(self.n_workers, thread_speedup)


def test_slow_threads_send_an_auto_fit_back_to_one_fit():
    # When two threads run the first shard fits slower than planned, the
    # heights are predicted again at that speed; a linear-cost learner whose
    # gain rested on two workers then goes on as one fit on all rows, when
    # that is clearly faster than the shards left to fit.
    from radonlearn._engines import _local_backend

    cost_model = {
        "sizes": [4761.0],
        "seconds": [0.05],
        "overhead": 0.02,
        "exponent": 1.0,
    }
    run = _AutoRun(100_000)
    plan = HeightPlan(radon_number=21, largest_height=1, cost_model=cost_model)
    plan = predict_heights(plan, 100_000, thread_costs(2))
    assert plan.chosen == 1
    # One fit: 0.02 + 21 x 0.03 = 0.65 s; 21 shards at one thread's speed:
    # 21 x 0.05 = 1.05 s, far slower.
    backend, checked = _local_backend._threads_checked(run, plan, 1.0)
    assert backend is None and checked.chosen == 0
    assert "one fit on all rows" in checked.reason
    backend, kept = _local_backend._threads_checked(run, plan, 1.9)
    assert backend == "threads" and kept.chosen == 1
    # What is fitted already counts: at 1.3 times one thread, all 21 shards
    # (0.81 s) lose to one fit by more than the margin (0.75 s), the 18 left
    # (0.69 s) do not.
    assert _local_backend._threads_checked(run, plan, 1.3)[0] is None
    assert _local_backend._threads_checked(run, plan, 1.3, 3 / 21)[0] == "threads"


def test_slow_large_shards_give_way_to_a_deeper_height():
    # LinearSVC on 1M x 18, pilots as measured here: height 1 (21 shards of
    # 47,619 rows) is predicted 0.38 s, height 2 (441 of 2,268) 0.49 s. When
    # two threads then run the large shards at one thread's speed (they
    # share the caches), what is left of height 1 loses to height 2 as
    # first predicted, by more than the margin: the fit goes on there, once.
    from radonlearn._engines import _local_backend

    cost_model = {
        "sizes": [1000.0, 2267.0, 9068.0, 36272.0],
        "seconds": [0.0014, 0.0019, 0.0063, 0.0243],
        "overhead": 0.0007,
        "exponent": 1.25,
    }
    run = _AutoRun(1_000_000)
    plan = HeightPlan(radon_number=21, largest_height=2, cost_model=cost_model)
    plan = predict_heights(plan, 1_000_000, thread_costs(2))
    assert plan.chosen == 1
    backend, deeper = _local_backend._threads_checked(run, plan, 1.0, 3 / 21, True)
    assert backend == "deeper" and deeper.chosen == 2
    assert "went on at height 2" in deeper.reason
    checked = _local_backend._threads_checked
    assert checked(run, plan, 1.0, 3 / 21, False)[0] == "threads"
    assert _local_backend._threads_checked(run, plan, 1.9, 3 / 21, True)[0] == "threads"


def test_a_fit_sent_deeper_fits_there(monkeypatch):
    # Planned at height 1 and sent deeper by its first shards: the fit goes
    # on at height 2, without a second change, and its model is as good as
    # the plain fit's.
    from radonlearn._engines import _local, _local_backend

    calls = []

    def deepen_once(run, plan, speedup, done=0.0, may_deepen=False):
        calls.append(may_deepen)
        if may_deepen:
            return "deeper", replace(plan, chosen=2, reason="sent deeper")
        return "threads", replace(plan, backend="threads")

    planned = _local.choose_height

    def at_height_one(*args, **kwargs):
        return replace(planned(*args, **kwargs), chosen=1)

    monkeypatch.setattr(_local_backend, "_threads_checked", deepen_once)
    monkeypatch.setattr(_local, "choose_height", at_height_one)
    monkeypatch.setattr(_local, "cannot_pay", lambda *args: "")
    monkeypatch.setattr(_local_backend, "_THREAD_TEST_MIN", 0.0)
    # Never processes:
    monkeypatch.setattr(_local_backend, "_THREAD_SPEEDUP_NEEDED", 0.0)
    X, y = make_classification(n_samples=60_000, n_features=5, random_state=0)
    machine = RadonMachineClassifier(
        LogisticRegression(), n_jobs=2, random_state=0
    ).fit(X, y)
    assert calls[0] is True and all(not flag for flag in calls[1:])
    assert machine.height_ == 2 and machine.height_plan_["chosen"] == 2
    assert machine.fit_times_["shard_fit_sum"] > 0
    assert machine.score(X, y) > LogisticRegression().fit(X, y).score(X, y) - 0.01


def test_cheap_learner_on_mid_sized_data_fits_once_and_says_why(monkeypatch):
    # Ridge on 40,000 rows whose 1,000-row pilot takes 0.6 ms (as measured
    # here on an idle machine; fixed so that load cannot change the answer):
    # sharding cannot pay, so the fit is one fit on all rows, the plan says
    # why, and the model is Ridge's.
    from radonlearn._engines import _local

    original = _local.time_fit

    def quick_pilot(*args, **kwargs):
        model, caught, *_ = original(*args, **kwargs)
        return model, caught, 0.0006, 0.0006, 0.0

    monkeypatch.setattr(_local, "time_fit", quick_pilot)
    X, y = make_regression(n_samples=40_000, n_features=27, noise=1.0, random_state=0)
    machine = RadonMachineRegressor(n_jobs=2, random_state=0).fit(X, y)
    assert machine.height_ == 0
    reason = machine.height_plan_["reason"]
    assert "can save at most" in reason and "planning" in reason
    assert machine.height_plan_["largest_height"] >= 1
    np.testing.assert_allclose(machine.coef_, Ridge().fit(X, y).coef_, rtol=1e-10)


def test_one_worker_never_shards_a_linear_cost_learner():
    # On one worker a linear-cost learner cannot gain from shards.
    X, y = make_classification(n_samples=200_000, n_features=5, random_state=0)
    machine = RadonMachineClassifier(LogisticRegression(), random_state=0).fit(X, y)
    assert machine.height_ == 0
    assert "1 worker" in machine.height_plan_["reason"]


def test_superlinear_learner_is_still_planned():
    # A learner outside the linear-cost families is planned with pilots.
    X, y = make_regression(n_samples=6000, n_features=3, noise=1.0, random_state=0)
    machine = RadonMachineRegressor(
        QuantileRegressor(alpha=0.0), n_jobs=2, random_state=0
    ).fit(X, y)
    assert "cost_model" in machine.height_plan_
    assert "Predicted seconds per height" in machine.height_plan_["reason"]


def test_starved_explicit_height_is_obeyed_with_a_warning():
    # An explicit height whose shards have fewer rows than the quality rule
    # asks is obeyed, and the warning gives the rows per shard, the rule and
    # the largest height that meets it.
    X, y = make_regression(n_samples=4000, n_features=5, random_state=0)
    with pytest.warns(UserWarning) as record:
        machine = RadonMachineRegressor(Ridge(), height=2, random_state=0).fit(X, y)
    assert machine.height_ == 2
    message = str(record[0].message)
    assert "64 shards of about 62 rows" in message
    assert "90 rows per shard" in message
    assert "largest height that meets the rule is 1" in message


def test_explicit_height_that_meets_the_rule_is_silent():
    # Shards of enough rows raise no warning.
    X, y = make_regression(n_samples=4000, n_features=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RadonMachineRegressor(Ridge(), height=1, random_state=0).fit(X, y)


def test_every_plan_has_a_reason():
    # Explicit heights, the cheap no and too few rows each give one sentence.
    X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
    reasons = [
        RadonMachineRegressor(height=h, random_state=0).fit(X, y).height_plan_["reason"]
        for h in (0, 1)
    ]
    reasons.append(RadonMachineRegressor().fit(X[:100], y[:100]).height_plan_["reason"])
    assert reasons[0] == "height=0 was given explicitly."
    assert reasons[1] == "height=1 was given explicitly."
    assert "needs" in reasons[2] and "rows" in reasons[2]


def test_verbose_prints_the_plan_in_two_lines(capsys):
    # verbose=1 prints the height, shards, workers and backend, then why.
    X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
    RadonMachineRegressor(height=1, verbose=1, random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert lines[0].startswith("[Ridge] height 1: 6 shard(s) (radon number 6)")
    assert lines[1].strip() == "why: height=1 was given explicitly."


def test_reason_of_a_table_too_small_for_any_layout_says_its_d_is_a_floor():
    # Before the first fit only the features bound D from below: the reason
    # quotes the shard count of that floor and says the learner may have
    # more (it has: 3 classes of 7 coefficients and an intercept each).
    X, y = make_classification(
        n_samples=344, n_features=7, n_informative=5, n_classes=3, random_state=0
    )
    machine = RadonMachineClassifier(LogisticRegression(), random_state=0).fit(X, y)
    reason = machine.height_plan_["reason"]
    assert machine.height_ == 0
    assert "D = 7" in reason and "may have more" in reason
    assert "needs 9 shards" in reason
    assert machine.radon_number_ == 26


def test_processes_for_a_global_generator_quote_no_thread_timing(monkeypatch):
    # liblinear's dual solver draws from a process-wide generator: its shards
    # go to processes without a thread test, and the plan neither records a
    # thread speed-up nor quotes one.
    from radonlearn import _planning as planning
    from radonlearn._engines import _local

    monkeypatch.setattr(planning, "fastest_height", lambda predicted: 1)
    monkeypatch.setattr(_local, "cannot_pay", lambda *args: "")  # plan anyway
    X, y = make_classification(n_samples=12_000, n_features=4, random_state=0)
    machine = RadonMachineClassifier(
        LinearSVC(dual=True), n_jobs=2, random_state=0
    ).fit(X, y)
    plan = machine.height_plan_
    assert machine.height_ == 1 and plan["backend"] == "processes"
    assert "thread_speedup" not in plan
    assert "Two threads" not in plan["reason"]
    assert "process-wide random generator" in plan["reason"]


def test_verbose_two_counts_shards_not_joblib_tasks(capsys):
    # verbose=2 reports progress in shards, about ten lines whatever their
    # number (64 here): the last line says all of them are fitted; joblib's
    # own task lines ("Done 8 out of 8") are not printed.
    X, y = make_regression(n_samples=20_000, n_features=5, random_state=0)
    machine = RadonMachineRegressor(
        Ridge(), height=2, n_jobs=2, verbose=2, random_state=0
    ).fit(X, y)
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if "shards fitted" in line]
    total = machine.n_shards_
    assert 1 <= len(lines) <= 12
    assert lines[-1].startswith(f"[Ridge] {total} of {total} shards fitted")
    assert "out of" not in captured.out + captured.err


def test_plan_records_measured_beside_predicted_seconds():
    # A planned fit keeps, beside the seconds predicted for the height it
    # chose, the seconds its shard phase took; an explicit height predicts
    # nothing and records neither.
    X, y = make_regression(n_samples=20_000, n_features=4, random_state=0)
    auto = RadonMachineRegressor(
        QuantileRegressor(alpha=0.0), n_jobs=2, random_state=0
    ).fit(X[:6000], y[:6000])
    plan = auto.height_plan_
    assert plan["chosen"] in plan["predicted_seconds"]
    assert plan["measured_seconds"] == auto.fit_times_["shards"] > 0
    explicit = RadonMachineRegressor(Ridge(), height=1, random_state=0).fit(X, y)
    assert "measured_seconds" not in explicit.height_plan_
    assert "predicted_seconds" not in explicit.height_plan_
