"""What an engine hands back, and the one way it becomes a published model.

Every engine returns its shard models as ``ShardResults``; ``finish``
checks them (finite, linear in ``coef_``/``intercept_``), aggregates them
(unless the engine ran the tree itself), checks the aggregate and loads it
into a fitted model: a frozen ``RadonFit``, which the estimator publishes.
"""

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ._aggregate import aggregate_vectors
from ._fitting import summarise_warnings
from ._hypotheses import Layout, check_finite, check_transplant, load
from ._planning import HeightPlan, present_fields

__all__ = []


@dataclass(frozen=True)
class FitTimes:
    """Seconds spent per phase; ``as_dict()`` is the public ``fit_times_``."""

    validation: float | None = None
    pilot: float | None = None
    shards: float | None = None
    shard_fit_sum: float | None = None
    aggregation: float | None = None
    n_workers: int | None = None
    total: float | None = None

    def as_dict(self):
        """The times as a dict, without the phases this fit did not have."""
        return present_fields(self)


@dataclass(frozen=True)
class ShardResults:
    """The shard models of one fit, as an engine returns them.

    ``model`` is a fitted shard model the aggregate is loaded into;
    ``raised`` the warnings of every shard fit; ``transplant`` the
    ``(donor, recipient, probe_rows)`` of the transplant check (None with
    one shard); ``levels`` the aggregation tree when the engine ran it
    itself (on Dask workers), else None; ``input_columns`` the columns of a
    Spark DataFrame the model reads, for predictions on one.
    """

    model: Any
    layout: Layout
    hypotheses: np.ndarray
    height: int
    radon_number: int
    plan: HeightPlan
    times: FitTimes
    raised: list
    transplant: tuple | None = None
    levels: list | None = None
    input_columns: Any = None


def collect_shards(results, layout, plan, times, shards_start, **extra):
    """``ShardResults`` from the per-shard dicts of a cluster engine.

    Each dict holds a shard's ``vector``, ``seconds``, ``warnings`` and, for
    shards 0 and 1, its ``model`` (1 also its ``probe`` rows), as
    ``_fitting.fit_shard_rows`` makes them. ``extra`` goes to
    ``ShardResults`` (``levels``, ``input_columns``).
    """
    n_shards = len(results)
    times = replace(
        times,
        shards=time.perf_counter() - shards_start,
        shard_fit_sum=float(sum(result["seconds"] for result in results)),
        n_workers=plan.n_workers,
    )
    transplant = None
    if n_shards > 1:
        transplant = (results[1]["model"], results[0]["model"], results[1]["probe"])
    return ShardResults(
        results[0]["model"],
        layout,
        np.vstack([result["vector"] for result in results]),
        plan.chosen,
        plan.radon_number,
        plan,
        times,
        [result["warnings"] for result in results],
        transplant=transplant,
        **extra,
    )


@dataclass(frozen=True)
class RadonFit:
    """A checked, aggregated fit, ready to publish as fitted attributes."""

    estimator: Any
    layout: Layout
    hypotheses: np.ndarray
    levels: list
    height: int
    radon_number: int
    n_shards: int
    plan: HeightPlan
    times: FitTimes
    input_columns: Any = None


def _spread(points):
    """Median distance of the points to their coordinate-wise median."""
    return float(np.median(np.linalg.norm(points - np.median(points, axis=0), axis=1)))


def spreads(levels):
    """``_spread`` of every level of a tree."""
    return np.array([_spread(level) for level in levels])


def _method_name(method):
    return getattr(method, "__name__", repr(method)) if callable(method) else method


def check_aggregate(point, method):
    """ValueError unless the aggregate of finite hypotheses is finite."""
    if not np.isfinite(point).all():
        raise ValueError(
            f"aggregation={_method_name(method)!r} turned finite shard models "
            "into non-finite coefficients (an overflow: the coefficients are "
            "too large to combine). Scale the features or strengthen the inner "
            "estimator's regularisation, or use aggregation='radon' or "
            "'median', which work on the coefficients' own scale."
        )


def finish(results, spec, started):
    """Check the shard models, aggregate them, check and load the aggregate."""
    n_shards = len(results.hypotheses)
    summarise_warnings(results.raised, n_shards)
    check_finite(results.hypotheses)
    if results.transplant is not None:
        check_transplant(*results.transplant, results.layout)
    aggregation_start = time.perf_counter()
    levels = results.levels
    if levels is None:
        point, levels = aggregate_vectors(
            results.hypotheses, spec.aggregation, results.radon_number
        )
    else:
        point = levels[-1][0]
    check_aggregate(point, spec.aggregation)
    spec.progress.aggregated(len(levels) - 1)
    estimator = load(results.model, point, results.layout)
    now = time.perf_counter()
    times = replace(
        results.times, aggregation=now - aggregation_start, total=now - started
    )
    plan = results.plan
    if plan.predicted_seconds and times.shards is not None:
        plan = replace(plan, measured_seconds=times.shards)
    return RadonFit(
        estimator=estimator,
        layout=results.layout,
        hypotheses=results.hypotheses,
        levels=levels,
        height=results.height,
        radon_number=results.radon_number,
        n_shards=results.radon_number**results.height,
        plan=plan,
        times=times,
        input_columns=results.input_columns,
    )
