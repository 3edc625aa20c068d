"""The in-memory engine: shard fits in threads or processes of this machine.

Plans in the calling thread (pilot fits) while a background thread lays out
the shards' rows; fits the first shards in two threads to learn whether
threads suit the learner (a learner that holds the GIL goes to processes);
fits the rest with joblib, whose ``parallel_config`` backend is respected.
"""

import importlib
import os
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from joblib import Parallel, cpu_count, delayed, effective_n_jobs
from joblib.parallel import get_active_backend
from scipy import sparse

from .._cost_model import OVERHEAD_ROWS
from .._fitting import (
    ShardTask,
    fit_one,
    fit_shard_batch,
    time_fit,
    uses_global_rng,
)
from .._hypotheses import PROBE_ROWS, flatten, layout_of
from .._planning import (
    SHARD_SECONDS,
    EngineCosts,
    HeightPlan,
    Pilots,
    cannot_pay,
    choose_height,
    growth_bound,
    growth_range,
    height_limits,
    pilot_bound_growth,
    thread_costs,
    unreachable_reason,
)
from .._result import FitTimes, ShardResults
from .._shards import ShardPlanner, min_rows_per_shard, pilot_rows, shard_seeds
from .._threadpools import find_thread_pools, release_freed_memory, shard_limits
from ._local_backend import choose_backend, limited

__all__ = []

# Rows of the pilot fit that reads the hypothesis layout before planning.
_PILOT_ROWS = 1000
# Predicted start-up of a process pool, plus its data transfer per byte.
_PROCESS_STARTUP = 1.5
# ... and of a pool whose workers are still up from the last fit (measured:
# 0.19 s for LinearSVC's 21 shards of 100,000 rows, predicted 1.59 s cold).
_PROCESS_WARM = 0.1
_PROCESS_SECONDS_PER_BYTE = 1e-9
# Shards fitted per scheduled task: a few tasks per worker balance the load
# without scheduling thousands of tiny tasks.
_TASKS_PER_WORKER = 4
# joblib's process workers stay up this long after their last task (loky
# stops idle workers after 300 s); a fit within it needs no warm-up. The
# time of the last use, per process.
_PROCESSES_IDLE = 240.0
_PROCESSES_USED = [-float("inf")]
# Thread workers take one shard per task (scheduling a task costs
# microseconds), up to this many tasks per worker.
_TASKS_PER_THREAD = 16
# joblib backends whose workers run on this machine's cores: their count is
# capped at the cores (n_jobs=2000 started 2,000 threads for 7 shards and
# planned for 2,000 workers on 2 cores; n_jobs=10**6 failed in joblib's
# pre-dispatch). A user's other backend (Dask, Ray, Spark) is not capped.
_LOCAL_BACKENDS = frozenset(
    {"LokyBackend", "MultiprocessingBackend", "ThreadingBackend", "SequentialBackend"}
)


def available_cores():
    """The cores this process may use: its CPU affinity and cgroup quota
    (``joblib.cpu_count``)."""
    return cpu_count()


def worker_count(n_jobs):
    """The workers a fit really has: ``n_jobs`` resolved as joblib does (with
    the user's ``parallel_config``), at most the cores on a local backend."""
    n_workers = effective_n_jobs(n_jobs)
    backend, _ = get_active_backend()
    if type(backend).__name__ in _LOCAL_BACKENDS:
        n_workers = min(n_workers, available_cores())
    return max(int(n_workers), 1)


@dataclass(frozen=True)
class InMemoryData:
    """Validated in-memory training data.

    ``params`` are the inner estimator's fit parameters (per-row ones are
    split with the rows); ``classes`` and their row ``counts`` are None for
    a regressor. ``codes`` are the strata the shards are dealt by (every
    row's class index, or with zero weights its class and whether it has
    weight), None for a regressor whose rows all have weight;
    ``n_weighted`` is the number of rows with weight when some have none
    (then ``counts`` count weighted rows).
    """

    X: Any
    y: Any
    params: dict
    classes: Any = None
    counts: Any = None
    codes: Any = None
    n_weighted: int | None = None

    @property
    def n_rows(self):
        """The rows the height rules count: those with weight."""
        return self.X.shape[0] if self.n_weighted is None else self.n_weighted


class _Run:
    """One fit on this machine: its data, spec, seeds and workers."""

    def __init__(self, data, spec):
        self.data = data
        self.spec = spec
        self.n_samples = data.X.shape[0]
        self.first_seed, self.rng = spec.streams()
        # Draws the pilots' rows: a stream of its own, so that how many
        # pilots the timings ask for changes no shard.
        self.pilot_rng = spec.pilot_rng()
        self.n_workers = worker_count(spec.n_jobs)
        if self.n_workers > 1:
            find_thread_pools()
        # (rows, seconds) of the pilots' row gathering, timed apart.
        self.gathers = []

    def gather_per_row(self):
        """Seconds per row of gathering a shard's rows, as the largest pilot
        measured it (the smaller ones are timer noise), or 0."""
        if not self.gathers:
            return 0.0
        n_rows, seconds = max(self.gathers)
        return seconds / max(n_rows, 1)

    def limits(self):
        """BLAS and OpenMP as the shard fits will have them."""
        return shard_limits(self.n_workers)

    def start_processes(self):
        """Start the worker processes in the background, while the pilots run.

        Only for learners that will surely fit in processes (those drawing
        from a process-wide generator) on joblib's default process backend:
        the first fit of a fresh Python process would otherwise wait for the
        workers to start and import scikit-learn (about a second) after the
        planning. The real shard fits reuse the started workers.
        """
        self._warm_up = None
        if self.n_workers == 1 or not self.draws_global_rng():
            return
        if time.monotonic() - _PROCESSES_USED[0] < _PROCESSES_IDLE:
            return  # joblib's workers from the last fit are still there
        backend, _ = get_active_backend(prefer="processes")
        if type(backend).__name__ != "LokyBackend":
            return
        module = type(self.spec.template).__module__
        n_workers = self.n_workers

        def warm_up():
            Parallel(n_jobs=n_workers, prefer="processes")(
                delayed(_import_module)(module) for _ in range(n_workers)
            )

        self._warm_up = threading.Thread(target=warm_up, daemon=True)
        self._warm_up.start()

    def processes_started(self):
        """Wait for the background start of the worker processes, if any."""
        warm_up = getattr(self, "_warm_up", None)
        if warm_up is not None:
            warm_up.join()
            self._warm_up = None
            _PROCESSES_USED[0] = time.monotonic()

    def fit(self, rows, seed, timed=False):
        """Fit the learner on ``rows`` (None: all) as a shard fit runs."""
        fit = time_fit if timed else fit_one
        data = self.data
        return fit(
            self.spec.template,
            data.X,
            data.y,
            rows,
            seed,
            data.params,
            validated=True,
            config=self.spec.config,
        )

    def sample(self, size):
        """``size`` random rows (and one of every class) for a pilot."""
        return pilot_rows(self.pilot_rng, self.n_samples, size, self.data.codes)

    def draws_global_rng(self):
        """Whether the shard fits draw from a process-wide generator (so
        they go to processes), judged on the data's shape: a liblinear
        primal solver draws nothing (``uses_global_rng``); should small
        shards turn ``dual="auto"`` to the dual solver, ``fit_one``'s lock
        keeps the threads' fits apart."""
        return uses_global_rng(self.spec.template, np.shape(self.data.X)[:2])

    def costs(self, backend, thread_speedup=2.0):
        """What shard fits cost on ``backend`` (threads, processes, sequential)."""
        n_workers = self.n_workers
        if backend == "threads":
            return thread_costs(n_workers, thread_speedup)
        if backend == "processes":
            X = self.data.X
            nbytes = X.data.nbytes if sparse.issparse(X) else X.nbytes
            warm = time.monotonic() - _PROCESSES_USED[0] < _PROCESSES_IDLE
            startup = (_PROCESS_WARM if warm else _PROCESS_STARTUP) + (
                _PROCESS_SECONDS_PER_BYTE * nbytes
            )
            return EngineCosts(
                backend, n_workers, 0.9 * n_workers, startup, SHARD_SECONDS
            )
        return EngineCosts(backend, n_workers, per_shard=SHARD_SECONDS)


def _import_module(name):
    """Import ``name`` in a worker process (its start-up work)."""
    importlib.import_module(name)
    return os.getpid()


def fit(data, spec, started):
    """Fit ``data`` as ``spec`` says on this machine; returns ``ShardResults``."""
    run = _Run(data, spec)
    times = FitTimes(validation=time.perf_counter() - started)
    if spec.height == 0:
        plan = HeightPlan(chosen=0, reason="height=0 was given explicitly.")
        return _fit_single(run, times, plan, measured=False)
    if spec.height == "auto":
        reason = _surely_unsharded(run)
        if reason:
            plan = HeightPlan(chosen=0, reason=reason)
            return _fit_single(run, times, plan, measured=False)
    run.start_processes()
    # The random order of the rows is drawn meanwhile, on another core.
    planner = ShardPlanner(run.rng, run.n_samples, data.codes)
    try:
        pilot = _layout_pilot(run)
        plan = height_limits(
            spec,
            data.n_rows,
            pilot.layout.n_parameters,
            data.classes,
            data.counts,
            data.n_weighted is not None,
        )
        plan = replace(plan, n_workers=run.n_workers)
        if plan.chosen is None and len(pilot.rows) < run.n_samples:
            reason = cannot_pay(
                data.n_rows,
                len(pilot.rows),
                pilot.seconds,
                plan.radon_number,
                run.n_workers,
                growth_bound(spec.template),
                pilot_bound_growth(spec.template),
            )
            if reason:
                times = replace(times, pilot=time.perf_counter() - pilot.started)
                plan = replace(plan, chosen=0, reason=reason)
                return _fit_single(run, times, plan)
        return _plan_and_fit(run, planner, times, pilot, plan)
    finally:
        planner.close()
        run.processes_started()  # never left running into the next fit


@dataclass(frozen=True)
class _Pilot:
    """The first pilot fit: it reads the hypothesis layout, hence D."""

    rows: Any
    model: Any
    caught: list
    seconds: float
    wall: float
    layout: Any
    started: float


def _layout_pilot(run):
    """Fit the learner on 1,000 random rows (every class among them)."""
    started = time.perf_counter()
    rows = run.sample(_PILOT_ROWS)
    model, caught, seconds, wall, gather = limited(
        run, run.fit, rows, run.first_seed, True
    )
    run.gathers.append((len(rows), gather))
    return _Pilot(rows, model, caught, seconds, wall, layout_of(model), started)


def _surely_unsharded(run):
    """Why even height 1 is out of reach whatever D turns out to be, or ''.

    ``D`` is at least the number of features, and the rows (and, for a
    classifier, the rarest class) needed for height 1 grow with ``D``.
    """
    counts, n_rows = run.data.counts, run.data.n_rows
    d_min = run.data.X.shape[1]
    min_rows = min_rows_per_shard(run.spec.min_samples_per_shard, d_min)
    radon_number = run.spec.radon_number(d_min) if d_min > 0 else 2
    rarest = n_rows if counts is None else counts.min()
    if n_rows < radon_number * min_rows or rarest < radon_number:
        reason = unreachable_reason(
            n_rows,
            radon_number,
            min_rows,
            run.data.classes,
            counts,
            1,
            run.data.n_weighted is not None,
        )
        return (
            f"One fit on all rows: even at the fewest parameters {d_min:,} "
            f"features allow (D = {d_min:,}; this learner may have more), "
            f"{reason}"
        )
    return ""


def _plan_and_fit(run, planner, times, pilot, plan):
    """The remaining pilots, the height, then the fit at that height."""
    spec, n_samples = run.spec, run.n_samples
    rows, caught, seconds, wall = pilot.rows, pilot.caught, pilot.seconds, pilot.wall
    layout = pilot.layout
    if spec.height == "auto" and plan.largest_height > 0:
        planner.nest(plan.radon_number, plan.largest_height)

        def time_at(size):
            sample = run.sample(size)
            _, _, pilot_seconds, pilot_wall, gather = run.fit(
                sample, run.first_seed, True
            )
            run.gathers.append((len(sample), gather))
            return len(sample), pilot_seconds, pilot_wall

        def overhead():
            # The quicker of two tiny fits: the first pays for what is cold.
            sample = run.sample(OVERHEAD_ROWS)
            with run.limits():
                return min(run.fit(sample, run.first_seed)[2] for _ in range(2))

        pilots = Pilots(
            time_at=lambda size: limited(run, time_at, size),
            overhead=overhead,
            first=(len(rows), seconds, wall),
            largest=n_samples // plan.radon_number,
            gather=run.gather_per_row,
        )
        backend = "threads" if run.n_workers > 1 else "sequential"
        plan = choose_height(
            plan, n_samples, pilots, run.costs(backend), growth_range(spec.template)
        )
    elif spec.height != "auto":
        planner.nest(plan.radon_number, spec.height)
    times = replace(times, pilot=time.perf_counter() - pilot.started)
    if plan.chosen > 0:
        return _fit_sharded(run, layout, plan, planner.shards, times)
    if len(rows) < n_samples:
        return _fit_single(run, times, plan)
    # The pilot fitted every row: it is the fit on all rows.
    times = replace(times, shards=seconds, shard_fit_sum=seconds, n_workers=1)
    hypotheses = flatten(pilot.model, layout)[None]
    return ShardResults(
        pilot.model, layout, hypotheses, 0, plan.radon_number, plan, times, [caught]
    )


def _fit_single(run, times, plan, measured=True):
    """Height 0: one fit on all rows, without a copy of X.

    ``measured``: height 0 was chosen from pilots, which were timed with
    BLAS and OpenMP as the shard fits have them (one thread each when
    several workers fit); the fit then runs that way too, so that it takes
    what was predicted (with the libraries' own threads, a loaded 2-core
    machine fitted LogisticRegression on 1M x 18 in 1.37 s against 0.54 s
    with one thread). An explicit height 0, or one decided before any
    pilot, is a plain fit with the libraries' own threads.
    """
    progress = run.spec.progress
    progress.begin_shards(1)
    if measured:
        model, caught, seconds = limited(run, run.fit, None, run.first_seed)
    else:
        model, caught, seconds = run.fit(None, run.first_seed)
    progress.shards_done(1)
    progress.end_shards()
    layout = layout_of(model)
    radon_number = run.spec.radon_number(layout.n_parameters)
    times = replace(times, shards=seconds, shard_fit_sum=seconds, n_workers=1)
    hypotheses = flatten(model, layout)[None]
    return ShardResults(
        model, layout, hypotheses, 0, radon_number, plan, times, [caught]
    )


def _report_shards(spec, done, n_shards, report_at, backend):
    """``verbose > 1``: a line when ``done`` shards pass the next tenth; the
    next ``(count, start)`` to report at."""
    at, start = report_at
    if done < n_shards and done < at:
        return report_at
    print(
        f"[{type(spec.template).__name__}] {done:,} of {n_shards:,} shards "
        f"fitted ({backend}, {time.perf_counter() - start:.3g} s)"
    )
    return done + max(n_shards // 10, 1), start


def _fit_sharded(run, layout, plan, shards_at, times, started=None, spent=0.0):
    """Fit the ``radon_number ** height`` shards in parallel; their results.

    ``shards_at(height)`` gives the shards of a height. When the first
    shard fits send the plan to a deeper height (``_threads_checked``), the
    fit starts again there, once: ``started`` and ``spent`` carry the wall
    clock and the shard seconds of the shards given up.
    """
    spec, data = run.spec, run.data
    shards = shards_at(plan.chosen)
    n_shards = len(shards)
    seeds = shard_seeds(spec.base_seed, n_shards)
    # The planning's temporaries are freed; give them back before the shard
    # copies are made.
    release_freed_memory()
    keep = frozenset({0, 1})
    shards_start = time.perf_counter() if started is None else started
    with run.limits():
        first, prefer, plan = choose_backend(
            run, plan, shards, seeds, may_deepen=started is None
        )
    if prefer is None:
        return _fit_single(run, times, plan)
    if prefer == "deeper":
        given_up = spent + sum(took for *_, took in first)
        return _fit_sharded(run, layout, plan, shards_at, times, shards_start, given_up)
    rest = np.arange(len(first), n_shards)
    # Threads take one shard at a time (cheap to schedule, balanced to the
    # last shard); processes take batches, a few per worker, to keep the
    # transfers few.
    per_worker = _TASKS_PER_THREAD if prefer == "threads" else _TASKS_PER_WORKER
    n_tasks = min(rest.size, 1 if run.n_workers == 1 else per_worker * run.n_workers)
    batches = np.array_split(rest, n_tasks) if rest.size else []
    task = ShardTask(spec.template, layout, keep, spec.config, os.getpid())
    spec.progress.begin_shards(n_shards)
    spec.progress.shards_done(len(first))
    run.processes_started()
    results, report_at = [], (0, shards_start)
    # joblib's own Parallel and delayed: scikit-learn's wrap every task in
    # warnings.catch_warnings(), which is not thread-safe (two threads
    # restoring each other's filters lose warnings or leave filters behind);
    # fit_one carries the caller's configuration into the task instead.
    # Every thread fitting a shard (this one, those of the test and the
    # joblib threads) limits BLAS and OpenMP for itself; process workers
    # limit their own.
    with run.limits():
        # joblib's verbose lines count its tasks, batches of shards: the
        # shards are counted here instead.
        for result in Parallel(
            n_jobs=max(min(run.n_workers, len(batches)), 1),
            prefer=prefer,
            return_as="generator",
        )(
            delayed(fit_shard_batch)(
                task,
                data.X,
                data.y,
                data.params,
                (batch, [shards[i] for i in batch]),
                seeds[batch],
                run.n_workers > 1,
            )
            for batch in batches
        ):
            results.append(result)
            spec.progress.shards_done(len(result[0]))
            if spec.verbose > 1:
                done = len(first) + sum(len(batch[0]) for batch in results)
                report_at = _report_shards(spec, done, n_shards, report_at, prefer)
    spec.progress.end_shards()
    if prefer == "processes":
        _PROCESSES_USED[0] = time.monotonic()
    vectors = [flatten(model, layout) for model, _, _ in first]
    kept = {number: first[number][0] for number in keep if number < len(first)}
    raised = [caught for _, caught, _ in first]
    seconds = [took for *_, took in first]
    for batch_vectors, batch_kept, batch_raised, batch_seconds in results:
        vectors.extend(batch_vectors)
        kept.update(batch_kept)
        raised.extend(batch_raised)
        seconds.extend(batch_seconds)
    times = replace(
        times,
        shards=time.perf_counter() - shards_start,
        shard_fit_sum=float(np.sum(seconds)) + spent,
        n_workers=min(run.n_workers, n_shards),
    )
    probe = data.X[shards[1][:PROBE_ROWS]]
    return ShardResults(
        kept[0],
        layout,
        np.vstack(vectors),
        plan.chosen,
        plan.radon_number,
        plan,
        times,
        raised,
        transplant=(kept[1], kept[0], probe),
    )
