"""The Spark engine: fit a Spark DataFrame where its partitions live.

The label (and the weight) are columns named in ``fit``; the features are
the other numeric columns, or one MLlib vector column
(``_spark_data.resolve_columns``). The engine first checks, once per
session, that the executors import this radonlearn
(``_spark_workers.check_spark``), then counts the rows and classes on
the executors, plans from a sample drawn with Spark and gathered to the
driver (the same pilots and height rule as the Dask engine), deals the rows
into shards on the executors (``_spark_shards.fit_shards``: every shard
gets an even share of every partition, so data stored in label or time
order gives unbiased shards) and fits each shard there. Only the shards'
coefficient vectors, their timings and warnings, and two shard models for
the transplant check come back; the aggregation runs on the driver.
"""

import os
import pickle
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import sparse

from .._fitting import ShardTask, fit_shard_rows
from .._hypotheses import layout_of
from .._planning import (
    EngineCosts,
    choose_height,
    growth_range,
    height_limits,
    memory_min_height,
)
from .._result import FitTimes, collect_shards
from .._shards import MAX_SEED, shard_seeds
from .._validation import check_n_classes
from .._warn import warn
from . import _spark_shards
from ._sample import LAYOUT_ROWS, Sample, layout_rows_first, sample_pilots, time_pilot
from ._spark_data import (
    collect_first_rows,
    collect_sample,
    count_rows,
    nonfinite_counts,
    raise_on_missing,
    resolve_columns,
)
from ._spark_partitions import (
    PartitionsChanged,
    fit_partitions,
    place_shards,
    survey,
)
from ._spark_workers import check_spark

__all__ = []

# Rows drawn to the driver for the pilots.
_PILOT_ROWS = 20_000
# Rows of a class missing from the sample fetched for it.
_CLASS_ROWS = 20
# Worker-seconds one shard task costs Spark beyond its fit (scheduling, the
# Python worker, the pandas/Arrow round trip): measured with
# benchmarks/spark_mllib.py on local[2], 441 shards of 1,000,000 x 18 rows
# took 19.3 s for 1.4 s of fits (about 0.08 s per shard on two cores). The
# shuffle that deals the rows is paid at every height, so it is no start-up.
_TASK_OVERHEAD = 0.08
# A task holds its shard about this many times over.
_SHARD_MEMORY_FACTOR = 4
# Worker-seconds a shard cut from its partition costs beyond its fit (its
# rows copied out, the result pickled and sent back).
_SHARD_OVERHEAD = 0.005
_SHUFFLE_ADVICE = (
    "Pass dask_shuffle=True to deal the rows over all shards with a shuffle, "
    "or use a lower height."
)
# What to do when a shard lacks a class.
_CLASS_ADVICE = (
    "its partitions hold too few rows of that class for this many shards. "
    + _SHUFFLE_ADVICE
)


@dataclass(frozen=True)
class SparkData:
    """A Spark DataFrame, the columns a fit reads, and the feature metadata."""

    sdf: Any
    columns: Any
    meta: Any
    regressor: bool


def prepare(sdf, y, sample_weight, fit_params, regressor):
    """Resolve the columns of a Spark fit; refuse what it cannot take.

    ``y`` and ``sample_weight`` name columns of ``sdf``; other fit
    parameters are refused (they cannot be split with rows that live on
    the executors).
    """
    if fit_params:
        raise ValueError(
            f"Fit parameter(s) {sorted(fit_params)} are not supported with a Spark "
            "DataFrame; only sample_weight, as a column name, is split with the rows."
        )
    columns = resolve_columns(sdf, y, sample_weight)
    names = columns.feature_names
    if names is None:
        meta = np.empty((0, columns.n_features))
    else:
        import pandas as pd

        meta = pd.DataFrame(np.empty((0, len(names))), columns=list(names))
    return SparkData(sdf, columns, meta, regressor)


def _n_workers(sdf):
    """The cores Spark runs tasks on (its default parallelism)."""
    try:
        return max(int(sdf.sparkSession.sparkContext.defaultParallelism), 1)
    except Exception:  # Spark Connect has no SparkContext on the client
        return os.cpu_count() or 1


def _pilot_rows(data, classes, n_samples, seed, first):
    """Rows for the pilots, one of every class first: a random sample drawn
    with Spark for height="auto", else ``first``, the first rows (the
    layout alone)."""
    from pyspark.sql import functions as F

    auto = first is None

    def draw(sdf, n_rows):
        if auto:
            return collect_sample(sdf, data.columns, n_rows, seed)
        return collect_first_rows(sdf, data.columns, n_rows)

    if auto:
        n_rows = min(_PILOT_ROWS, n_samples)
        X, y, w = collect_sample(
            data.sdf, data.columns, n_rows, seed, n_total=n_samples
        )
    else:
        X, y, w = first
    missing = [] if classes is None else np.setdiff1d(classes, np.unique(y))
    for label in missing:
        value = label.item() if isinstance(label, np.generic) else label
        rows = data.sdf.filter(F.col(data.columns.label) == value)
        extra = draw(rows, _CLASS_ROWS if auto else 1)
        X = (
            sparse.vstack([X, extra[0]], format="csr")
            if sparse.issparse(X)
            else np.concatenate([X, extra[0]])
        )
        y = np.concatenate([y, extra[1]])
        w = None if w is None else np.concatenate([w, extra[2]])
    bad = nonfinite_counts(X, y, w, data.columns)
    if bad:  # name every column with its count over all rows
        count_rows(data.sdf, data.columns)
        raise_on_missing(data.columns, bad)
    return layout_rows_first(Sample(X, y, w), classes)


def _n_partitions(found):
    """Partitions of the DataFrame, empty ones too, as far as the survey saw
    (not ``sdf.rdd``: a DataFrame's first ``.rdd`` costs most of a second).
    Empty partitions after the last one with rows are not seen; should a
    group of partitions come out empty, the fit deals the rows by shuffle."""
    return int(found.partitions.max()) + 1


def _task_memory(sdf, n_workers):
    """Bytes one task's Python worker may hold: ``spark.executor.pyspark.
    memory`` when set, else a worker's share of this machine (local mode)
    or of ``spark.executor.memory`` (a cluster)."""
    conf = sdf.sparkSession.conf
    value = conf.get("spark.executor.pyspark.memory", None)
    if value:
        return _bytes(value)
    master = str(conf.get("spark.master", "local"))
    if master.startswith("local"):
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return None
        return total / max(n_workers, 1)
    cores = int(conf.get("spark.executor.cores", "1") or 1)
    return _bytes(conf.get("spark.executor.memory", "1g")) / max(cores, 1)


def _bytes(text):
    """Spark's memory notation ("512m", "4g", "1t") in bytes."""
    text = str(text).strip().lower().rstrip("b")
    scale = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}.get(text[-1:], None)
    return float(text[:-1]) * scale if scale else float(text) * 2**20


def _memory_min_height(sdf, n_samples, columns, plan, n_workers):
    """The lowest height whose shards fit a task's memory (height="auto").

    A task holds a whole shard about ``_SHARD_MEMORY_FACTOR`` times over
    (Arrow batches, the float64 matrix, the learner's copies) when shards
    are groups of partitions or rows dealt by a shuffle; height 0 holds all
    rows in one task. Sparse input (its size unknown here) is not bounded.
    """
    try:
        budget = None if columns.sparse else _task_memory(sdf, n_workers)
    except Exception:  # an unreadable setting only loses the bound
        budget = None
    shard_bytes = _SHARD_MEMORY_FACTOR * 8.0 * (columns.n_features + 2) * n_samples
    return memory_min_height(
        shard_bytes, budget, plan.radon_number, plan.largest_height
    )


def fit(data, spec, started):
    """Fit Spark ``data`` as ``spec`` says: shards on the executors."""
    sdf, columns = data.sdf, data.columns
    check_spark(sdf.sparkSession)
    first_seed, rng = spec.streams()
    auto = spec.height == "auto"
    with ThreadPoolExecutor(1) as pool:
        # An explicit height reads its layout from the first rows, fetched
        # while the survey counts.
        first = (
            None if auto else pool.submit(collect_first_rows, sdf, columns, LAYOUT_ROWS)
        )
        found = survey(sdf, columns, classifier=not data.regressor)
        first = None if first is None else first.result()
    n_samples, classes, counts = found.n_samples, found.classes, found.counts
    if classes is not None:
        check_n_classes(classes)
    pilot_start = time.perf_counter()
    sample_seed = int(rng.integers(MAX_SEED))
    sample = _pilot_rows(data, classes, n_samples, sample_seed, first)
    pilot, seconds = time_pilot(spec, sample, first_seed, {}, rows=LAYOUT_ROWS)
    layout = layout_of(pilot)
    n_workers = _n_workers(sdf)
    plan = height_limits(spec, n_samples, layout.n_parameters, classes, counts)
    plan = replace(plan, n_workers=n_workers, backend="spark")
    placing = _Placing(found, _n_partitions(found), n_workers, spec, rng)
    if spec.height == "auto":
        plan = _limit_by_classes(plan, placing)
    if plan.chosen is None:
        lowest = _memory_min_height(sdf, n_samples, columns, plan, n_workers)
        plan = replace(plan, memory_min_height=lowest)
        if lowest >= plan.largest_height:
            reason = (
                f"Height {plan.largest_height}: the only height whose shards "
                "fit an executor's memory and the rows allow."
            )
            plan = replace(plan, chosen=plan.largest_height, reason=reason)
    if plan.chosen is None:
        per_shard = placing.per_shard(plan.radon_number**plan.largest_height)
        costs = EngineCosts("spark", n_workers, 0.9 * n_workers, 0.0, per_shard, lowest)
        pilots = sample_pilots(
            spec, sample, first_seed, {}, seconds, n_samples // plan.radon_number
        )
        bounds = growth_range(spec.template)
        plan = choose_height(plan, n_samples, pilots, costs, bounds)
    placement = placing.at(plan.radon_number**plan.chosen)
    if placement.lacks_class(found):
        raise ValueError(
            f"At height {plan.chosen} some shards would lack a class: the "
            f"partitions hold the classes unevenly (data stored in label "
            f"order?). {_SHUFFLE_ADVICE}"
        )
    times = FitTimes(
        validation=pilot_start - started, pilot=time.perf_counter() - pilot_start
    )
    return _fit_shards(data, spec, layout, plan, placement, (classes, times, rng))


class _Placing:
    """Where the shards of each height would be cut, drawn once per fit."""

    def __init__(self, found, n_partitions, n_workers, spec, rng):
        self.found = found
        self.n_partitions = n_partitions
        self.n_workers = n_workers
        self.shuffle = spec.dask_shuffle
        self.seed = int(rng.integers(MAX_SEED))
        self._placements = {}

    def at(self, n_shards):
        """The ``Placement`` of ``n_shards`` shards (made once per count)."""
        if n_shards not in self._placements:
            self._placements[n_shards] = place_shards(
                self.found,
                self.n_partitions,
                n_shards,
                self.n_workers,
                self.shuffle,
                [self.seed, n_shards],
            )
        return self._placements[n_shards]

    def per_shard(self, n_shards):
        """Worker-seconds one shard costs beyond its fit, at ``n_shards``."""
        if self.at(n_shards).kind == "shuffle":
            return _TASK_OVERHEAD
        return _SHARD_OVERHEAD


def _limit_by_classes(plan, placing):
    """height="auto": the largest height whose shards all hold every class."""
    if plan.chosen is not None or placing.found.partition_counts is None:
        return plan
    allowed = plan.largest_height
    while allowed > 0 and placing.at(plan.radon_number**allowed).lacks_class(
        placing.found
    ):
        allowed -= 1
    if allowed == plan.largest_height:
        return plan
    warn(
        "The partitions of the Spark DataFrame hold the classes unevenly (data "
        f"stored in label order?), so some shards at height {allowed + 1} would "
        f"lack a class; using at most height {allowed}. Pass dask_shuffle=True "
        "to deal the rows over all shards with a shuffle.",
        UserWarning,
    )
    plan = replace(plan, largest_height=allowed)
    if allowed == 0:
        reason = "One fit on all rows: every higher height leaves a shard classless."
        plan = replace(plan, chosen=0, reason=reason)
    return plan


class _ShardFit:
    """The callable each executor runs on its shard: pickled results out."""

    def __init__(self, task, seeds, columns):
        self.task = task
        self.seeds = seeds
        self.columns = columns

    def __call__(self, number, X, y, w):
        # cloudpickle: a model of a class defined in a notebook or a script
        # (not importable by name on the driver) travels by value.
        from pyspark import cloudpickle

        return cloudpickle.dumps(
            self._result(number, X, y, w), protocol=pickle.HIGHEST_PROTOCOL
        )

    def _result(self, number, X, y, w):
        bad = nonfinite_counts(X, y, w, self.columns)
        if bad:  # counted over all shards on the driver, then refused
            return {"nonfinite": bad}
        if w is not None and not (w > 0).any():
            return {
                "error": f"Shard {number} has no rows with nonzero sample_weight: "
                "too few weighted rows for this many shards. Use a lower height."
            }
        params = {} if w is None else {"sample_weight": w}
        try:
            return fit_shard_rows(
                self.task, number, int(self.seeds[number]), X, y, params, ""
            )
        except ValueError as error:
            if "has no rows of class" not in str(error):
                raise  # Spark retries other failures
            # A shard without a class fails the same way on every attempt:
            # reported in the result, not retried.
            return {"error": f"{error}{_CLASS_ADVICE}"}


def place_and_fit(data, placement, n_shards, seed, fit_shard):
    """Fit the shards where ``placement`` cuts them: their bytes in order,
    and where they were cut in the end."""
    if placement.kind != "shuffle":
        try:
            return fit_partitions(
                data.sdf,
                data.columns,
                placement.numbers,
                seed,
                fit_shard,
                by_class=not data.regressor,
                expected=placement.expected,
                groups=n_shards if placement.kind == "groups" else None,
            )[1], placement.note
        except PartitionsChanged:
            note = "rows dealt over all shards by a shuffle: the partitions "
            note += "differed between counting and fitting."
    else:
        note = placement.note
    payloads = _spark_shards.fit_shards(
        data.sdf, data.columns, n_shards, seed, fit_shard
    )
    return payloads, note


def _fit_shards(data, spec, layout, plan, placement, state):
    """Fit the shards of the chosen height on the executors."""
    classes, times, rng = state
    height, radon_number = plan.chosen, plan.radon_number
    n_shards = radon_number**height
    keep = frozenset({0, 1} if n_shards > 1 else {0})
    task = ShardTask(spec.template, layout, keep, spec.config, 0, classes)
    fit_shard = _ShardFit(task, shard_seeds(spec.base_seed, n_shards), data.columns)
    shards_start = time.perf_counter()
    spec.progress.begin_shards(n_shards)
    placement_seed = int(rng.integers(MAX_SEED))
    answers, note = place_and_fit(data, placement, n_shards, placement_seed, fit_shard)
    plan = replace(plan, placement=note)
    results = [pickle.loads(answer) for answer in answers]
    spec.progress.shards_done(n_shards)
    spec.progress.end_shards()
    nonfinite = Counter()
    for result in results:
        nonfinite.update(result.get("nonfinite", {}))
    raise_on_missing(data.columns, nonfinite)
    failed = [result["error"] for result in results if "error" in result]
    if failed:
        raise ValueError(failed[0])
    return collect_shards(
        results, layout, plan, times, shards_start, input_columns=data.columns
    )
