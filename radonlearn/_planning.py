"""What a fit is asked to do (``FitSpec``) and how its height is chosen.

The estimator validates its input and packs its parameters, the caller's
scikit-learn configuration and the seeds (drawn once) into a frozen
``FitSpec``; every engine plans from it with the functions here, so the
height rule, the pilots and the prediction are written once, with each
engine's costs passed in as ``EngineCosts``.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.linear_model import (
    ElasticNet,
    GammaRegressor,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Perceptron,
    PoissonRegressor,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
    TweedieRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from ._cost_model import (
    EXPONENT_BOUNDS,
    SPEED_MARGIN,
    fastest_height,
    fit_cost_model,
    grow_pilots,
    predict_wall_seconds,
)
from ._shards import (
    MAX_SEED,
    check_height,
    explicit_min_rows,
    largest_height,
    min_rows_per_shard,
)
from ._warn import warn

__all__ = []

# The pilots' rows are drawn from the stream ``[base_seed, _PILOT_STREAM]``.
_PILOT_STREAM = 1
# Learners whose fit costs about linear time in the rows (a fixed number of
# passes or iterations over them, or one solve of a D x D system): a pilot on
# 1,000 rows, scaled linearly, bounds the fit on all rows (its time is
# mostly per-fit overhead; the cheap "no" rests on this, and it holds up to
# 1M rows in the ``growth`` section of benchmarks/cheap_no.py, except
# SGDRegressor's above 100k, far beyond where a "no" can be said), and
# sharding saves them at most the share of the work the other workers take.
# LinearSVC and liblinear's primal solvers grow faster (3.3 s for 10**6 rows
# against 7 x 0.31 s for shards of 143,000 rows here) and so do HiGHS's
# quantile LPs. The epoch learners (SGD, Perceptron) stay: their epochs vary
# with the rows, but 21 shards cost them 0.5 to 1.1 times one fit in all
# (the ``split`` section).
_LINEAR_COST = (
    ElasticNet,
    GammaRegressor,
    HuberRegressor,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Perceptron,
    PoissonRegressor,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
    TweedieRegressor,
)
# ... but some of them slow down per row above the sizes pilots reach (a few
# thousand rows), which the pilots never see: their growth exponent, read
# from pilots, is raised to at least this when extrapolated to all rows.
# HuberRegressor's per-row cost of one L-BFGS iteration rises from 0.12 to
# 0.17 microseconds between 10k and 1M rows at the same 8-9 iterations
# (exponents 1.10 and 1.19 between 10k, 100k and 1M in the ``growth``
# section); SGDRegressor's epochs grow with the rows (1.32 and 1.59).
# Ridge (1.02) and SGDClassifier (1.01) do not slow down; the others, whose
# exponents below 100k stay under 1, keep 1.
_GROWTH_FLOOR = ((HuberRegressor, 1.1), (SGDRegressor, 1.3))
# The largest growth read from such a learner's pilots (a guard against
# timer noise, as EXPONENT_BOUNDS is for any learner).
FLOORED_GROWTH_MAX = 2.0
_LIBLINEAR_COST = (LinearSVC, LinearSVR)
LIBLINEAR_GROWTH = 1.25
# What planning and sharding cost whatever the data: the pilots and the
# layout (PLANNING_SECONDS, median 0.028 s in the panel), the shard phase's
# start-up on threads (THREAD_STARTUP, wall seconds: the thread test, the
# pool, the first gathering) and each shard's fixed work outside its fit
# (SHARD_SECONDS, worker-seconds: scheduling, flattening, gathering; the
# fit's own fixed work is in the pilots' timings), from the ``constants``
# section of benchmarks/cheap_no.py (shards of 50 rows at heights 1 and 2).
PLANNING_SECONDS = 0.03
THREAD_STARTUP = 0.025
SHARD_SECONDS = 0.0002


def present_fields(record):
    """A dataclass record as a dict, without its fields that are None."""
    return {key: value for key, value in asdict(record).items() if value is not None}


@dataclass(frozen=True)
class FitSpec:
    """Everything a fit needs besides the data: plain values, fixed once.

    ``template`` is an unfitted clone of the inner estimator; ``base_seed``
    is drawn once from ``random_state`` and every other seed derives from
    it; ``config`` is the caller's ``sklearn.get_config()``, applied inside
    every inner fit; ``progress`` reports to scikit-learn's callbacks.
    """

    template: Any
    height: Any = "auto"
    min_samples_per_shard: Any = "auto"
    aggregation: Any = "radon"
    block_size: int | None = None
    n_jobs: int | None = None
    verbose: int = 0
    dask_shuffle: bool = False
    base_seed: int = 0
    config: dict = field(default_factory=dict)
    progress: Any = None
    regressor: bool = False

    def radon_number(self, n_parameters):
        """Branching factor: ``D + 2``, or ``block_size + 2`` for smaller blocks."""
        if self.block_size is not None and self.block_size < n_parameters:
            return self.block_size + 2
        return n_parameters + 2

    def streams(self):
        """The seed of whole-data fits and the generator of the shard plan.

        The first draw of ``default_rng(base_seed)`` seeds the fits on all
        rows and the pilots; the generator, past that draw, is the shard
        plan's own.
        """
        rng = np.random.default_rng(self.base_seed)
        first_seed = int(rng.integers(MAX_SEED))
        return first_seed, rng

    def pilot_rng(self):
        """The generator the pilots draw their rows from (a stream of its own)."""
        return np.random.default_rng([self.base_seed, _PILOT_STREAM])


@dataclass(frozen=True)
class HeightPlan:
    """How the height was chosen; ``as_dict()`` is the public ``height_plan_``."""

    chosen: int | None = None
    reason: str = ""
    radon_number: int | None = None
    n_workers: int | None = None
    min_rows_per_shard: int | None = None
    largest_height: int | None = None
    memory_min_height: int | None = None
    cost_model: dict | None = None
    predicted_seconds: dict | None = None
    thread_speedup: float | None = None
    backend: str | None = None
    placement: str | None = None
    # The shard phase's wall seconds as measured, beside the prediction for
    # the chosen height (``predicted_seconds[chosen]``), when one was made.
    measured_seconds: float | None = None

    def as_dict(self):
        """The plan as a dict, without the entries this fit did not reach."""
        return present_fields(self)


@dataclass(frozen=True)
class EngineCosts:
    """What running shard fits costs on an engine, for the prediction.

    ``n_workers`` run together ``speedup`` times faster than one, after a
    fixed ``startup``; every shard adds ``per_shard`` seconds of
    scheduling spread over the workers; heights below ``lowest`` are not
    considered (Dask data too big for one worker).
    """

    backend: str
    n_workers: int
    speedup: float = 1.0
    startup: float = 0.0
    per_shard: float = 0.0
    lowest: int = 0


@dataclass(frozen=True)
class Pilots:
    """An engine's way of timing its learner on samples of its data.

    ``time_at(size)`` fits about ``size`` rows as a shard fit runs and
    returns ``(rows, seconds, wall_seconds)``; ``overhead()`` the seconds
    of a tiny fit; ``first`` is the layout pilot's timing, in the same form;
    pilots grow up to ``largest`` rows. ``gather()``, after the pilots, is
    what gathering a shard's rows costs per row (seconds), where the pilots
    timed it apart from their fits.
    """

    time_at: Callable
    overhead: Callable
    first: tuple
    largest: int
    gather: Callable = lambda: 0.0


def _is_liblinear(template):
    """Whether the learner fits with liblinear (by class, or its solver)."""
    return isinstance(template, _LIBLINEAR_COST) or (
        isinstance(template, LogisticRegression)
        and template.get_params().get("solver") == "liblinear"
    )


def memory_min_height(shard_bytes, budget, radon_number, largest, lowest=0):
    """The lowest height from ``lowest`` whose shards fit ``budget`` bytes.

    ``shard_bytes`` is what one shard of height 0 (all rows) holds in
    memory; a shard of height ``h`` holds ``radon_number ** h`` times less.
    ``largest`` when none fits below it, ``lowest`` without a budget.
    """
    height = lowest
    while budget and height < largest and shard_bytes / radon_number**height > budget:
        height += 1
    return height


def growth_range(template):
    """The bounds ``(low, high)`` of the growth exponent of the learner's cost.

    By class (subclasses too): at least ``LIBLINEAR_GROWTH`` for liblinear;
    ``(floor, FLOORED_GROWTH_MAX)`` for the linear-cost learners that slow
    down per row above the pilots' sizes (``_GROWTH_FLOOR``); ``(1, 1)``
    for the other linear-cost learners (``_LINEAR_COST``, LogisticRegression
    except with liblinear); else the cost model's ``EXPONENT_BOUNDS``. The
    pilots' growth is clipped to it.
    """
    if _is_liblinear(template):
        return LIBLINEAR_GROWTH, EXPONENT_BOUNDS[1]
    for kind, floor in _GROWTH_FLOOR:
        if isinstance(template, kind):
            return floor, FLOORED_GROWTH_MAX
    if isinstance(template, _LINEAR_COST):
        return 1.0, 1.0
    return EXPONENT_BOUNDS


def growth_bound(template):
    """The largest growth exponent of the learner's cost in the rows."""
    return growth_range(template)[1]


def pilot_bound_growth(template):
    """The exponent that scales a 1,000-row pilot's time to a bound on one
    fit on all rows: 1 for the linear-cost learners (``_LINEAR_COST``:
    their pilot's per-row time, mostly overhead, bounds the full fit's),
    else the largest growth (``growth_bound``)."""
    if isinstance(template, _LINEAR_COST) and not _is_liblinear(template):
        return 1.0
    return growth_bound(template)


def thread_costs(n_workers, thread_speedup=2.0):
    """What shard fits cost in threads of this machine (``EngineCosts``).

    ``thread_speedup``: how much faster two threads ran two shard fits
    than one thread (2 until measured).
    """
    speedup = min(thread_speedup, 2.0) * n_workers / 2
    return EngineCosts("threads", n_workers, speedup, THREAD_STARTUP, SHARD_SECONDS)


def cannot_pay(
    n_rows, pilot_rows, pilot_seconds, radon_number, n_workers, growth, bound
):
    """Why sharding cannot beat one fit on all rows, from one pilot, or ''.

    The full fit is at most ``pilot_seconds * (n_rows / pilot_rows) **
    bound`` (``pilot_bound_growth``), where
    ``growth`` is the largest growth exponent of the learner's cost
    (``growth_bound``). Its ``r`` shards of height 1 cost at least ``r ** (1
    - growth)`` times it in all, spread over the workers, so with ``growth
    <= 1`` sharding saves at most ``1 - r ** (1 - growth) / n_workers`` of
    it (deeper heights save less), otherwise at most all of it; the shards
    also cost the threads' start-up and ``SHARD_SECONDS`` each, and planning
    ``PLANNING_SECONDS`` (``thread_costs``, the cheapest engine). When that
    best case saves nothing, the answer is no, before any other pilot.
    """
    full = pilot_seconds * (n_rows / max(pilot_rows, 1)) ** bound
    share = 1.0 - radon_number ** (1.0 - growth) / n_workers if growth <= 1 else 1.0
    costs = thread_costs(n_workers)
    saving = full * share - costs.startup - radon_number * costs.per_shard / n_workers
    if saving > PLANNING_SECONDS:
        return ""
    kind = "linear-cost learner" if bound == 1.0 else "learner"
    return (
        f"One fit on all rows: predicted at most {full:.3g} s for this "
        f"{kind} (a pilot on {pilot_rows:,} rows took {pilot_seconds:.2g} s), "
        f"so sharding over {n_workers} worker(s) can save at most "
        f"{max(saving, 0.0):.3g} s, less than planning costs "
        f"({PLANNING_SECONDS:g} s)."
    )


def _class_shortfall(classes, counts, n_shards, rows="rows"):
    """The first class with fewer rows than shards, as text, or ''."""
    if counts is None:
        return ""
    short = np.flatnonzero(np.asarray(counts) < n_shards)
    if not short.size:
        return ""
    label = np.asarray(classes)[short[0]].item()
    return f"class {label!r} has only {int(counts[short[0]]):,} {rows}"


def unreachable_reason(
    n_samples, radon_number, min_rows, classes, counts, height, weighted=False
):
    """Why height ``height`` is out of reach, in one sentence.

    ``weighted``: the rows and counts are those with nonzero sample_weight.
    """
    n_shards = radon_number**height
    rows = "rows with nonzero sample_weight" if weighted else "rows"
    why = _class_shortfall(classes, counts, n_shards, rows)
    if n_shards * min_rows > n_samples:
        shortfall = n_shards * min_rows - n_samples
        why = f"X has {n_samples:,} {rows}, {shortfall:,} short" + (
            f", and {why}" if why else ""
        )
    return (
        f"height {height} needs {n_shards:,} shards of at least {min_rows:,} rows "
        f"({n_shards * min_rows:,} rows) with every class in each, but {why}."
        if counts is not None
        else f"height {height} needs {n_shards:,} shards of at least {min_rows:,} "
        f"rows ({n_shards * min_rows:,} rows), but {why}."
    )


def height_limits(
    spec, n_samples, n_parameters, classes=None, counts=None, weighted=False
):
    """The plan before any timing: the explicit height checked, or the range.

    An explicit height is checked against the rows and classes (ValueError
    when it cannot be filled) and chosen; for "auto", the largest height
    whose shards keep ``min_samples_per_shard`` rows and every class.
    ``weighted``: the rows and counts are those with nonzero sample_weight.
    """
    radon_number = spec.radon_number(n_parameters)
    if spec.height != "auto":
        min_rows = explicit_min_rows(spec.min_samples_per_shard)
        check_height(
            spec.height, n_samples, radon_number, min_rows, classes, counts, weighted
        )
        _warn_if_starved(spec, n_samples, n_parameters, radon_number, counts)
        return HeightPlan(
            chosen=spec.height,
            reason=f"height={spec.height} was given explicitly.",
            radon_number=radon_number,
        )
    min_rows = min_rows_per_shard(spec.min_samples_per_shard, n_parameters)
    allowed = largest_height(n_samples, radon_number, min_rows, counts)
    plan = HeightPlan(
        radon_number=radon_number, min_rows_per_shard=min_rows, largest_height=allowed
    )
    if allowed == 0:
        reason = unreachable_reason(
            n_samples, radon_number, min_rows, classes, counts, 1, weighted
        )
        plan = replace(plan, chosen=0, reason=f"One fit on all rows: {reason}")
    return plan


def _warn_if_starved(spec, n_samples, n_parameters, radon_number, counts):
    """UserWarning when an explicit height's shards are below the quality rule."""
    if spec.height == 0 or spec.min_samples_per_shard != "auto":
        return  # an int min_samples_per_shard is checked, not warned about
    rule = min_rows_per_shard("auto", n_parameters)
    n_shards = radon_number**spec.height
    per_shard = n_samples // n_shards
    if per_shard >= rule:
        return
    best = largest_height(n_samples, radon_number, rule, counts)
    warn(
        f"height={spec.height} gives {n_shards:,} shards of about {per_shard:,} "
        f"rows, fewer than the {rule:,} rows per shard the quality rule asks "
        f"(max(15 * D, 50) for D = {n_parameters}), so the shard models may be "
        f"poor and slow to aggregate. The largest height that meets the rule is "
        f"{best}; height='auto' chooses among those.",
        UserWarning,
    )


def _seconds_text(predicted):
    return ", ".join(
        f"{height}: {seconds:.3g} s" for height, seconds in predicted.items()
    )


def predict_heights(plan, n_samples, costs):
    """Predict every allowed height's wall time on an engine; choose the fastest."""
    heights = range(costs.lowest, plan.largest_height + 1)
    predicted = predict_wall_seconds(
        n_samples,
        plan.radon_number,
        heights,
        plan.cost_model,
        costs.n_workers,
        costs.speedup,
        costs.startup,
    )
    for height in predicted:
        if height > 0:
            predicted[height] += (
                plan.radon_number**height * costs.per_shard / costs.n_workers
            )
    chosen = fastest_height(predicted)
    reason = (
        f"Predicted seconds per height on {costs.n_workers} worker(s) "
        f"({costs.backend}): {_seconds_text(predicted)}; height {chosen} is the "
        f"lowest within {SPEED_MARGIN - 1:.0%} of the fastest."
    )
    return replace(
        plan,
        backend=costs.backend,
        n_workers=costs.n_workers,
        predicted_seconds=predicted,
        chosen=chosen,
        reason=reason,
    )


def choose_height(plan, n_samples, pilots, costs, bounds=EXPONENT_BOUNDS):
    """Time the pilots, fit the cost model and choose the fastest height.

    The pilots grow from the shard size of the deepest allowed height by
    fours (``grow_pilots``) after one tiny fit timing the learner's per-fit
    overhead (whose failure only loses that estimate); ``bounds``, the
    learner's ``growth_range``, bound the growth read from them.
    """
    try:
        overhead = pilots.overhead()
    except Exception:  # any failure only loses the estimate
        overhead = None

    def fastest(model):
        return min(
            predict_heights(
                replace(plan, cost_model=model), n_samples, costs
            ).predicted_seconds.values()
        )

    timings = grow_pilots(
        pilots.time_at,
        pilots.first,
        n_samples // plan.radon_number**plan.largest_height,
        pilots.largest,
        n_samples,
        overhead,
        bounds,
        fastest,
    )
    cost_model = fit_cost_model(
        *zip(*timings, strict=True), overhead=overhead, bounds=bounds
    )
    cost_model["gather_per_row"] = float(pilots.gather())
    return predict_heights(replace(plan, cost_model=cost_model), n_samples, costs)
