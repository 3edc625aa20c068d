"""Threads or processes for the in-memory engine's shards, from the first ones.

The first shard fits run in two threads while they are timed against one:
a learner that releases the GIL stays on threads, one that fights over it
goes to processes. With height="auto" the plan is checked again at the
speed measured, and may give way to one fit or to a deeper height.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from .._cost_model import SPEED_MARGIN, predict_fit_seconds
from .._planning import predict_heights

__all__ = []

# Threads are preferred (no start-up, no data transfer; measured here to run
# liblinear, HiGHS, lbfgs and SGD shard fits at 0.7-0.95 parallel
# efficiency) unless two threads run two shard fits slower than this
# fraction of one thread, twice (the first shard fits are the test). A
# learner that simply holds the GIL reads about 1.0 (two fits take twice
# one) and stays on threads, which cost it nothing over one worker; on a
# shared 2-core machine with one core busy, lbfgs readings of 0.67-0.97 were
# seen, so only a clear slow-down (threads fighting over the GIL) moves the
# shards to processes, whose memory-mapped copies and start-up are costly.
_THREAD_SPEEDUP_NEEDED = 0.7
_THREAD_TEST_MIN = 0.005
_THREAD_TESTS = 2

def limited(run, function, *args):
    """``function(*args)`` with BLAS and OpenMP as the shard fits have them."""
    with run.limits():
        return function(*args)


def _first_shards(run, shards, seeds, alone=None):
    """Fit the first shards, timing whether two threads beat one.

    Shard 0 is fitted alone, then shards 1 and 2 side by side in two
    threads (a slow reading is repeated once, on shards 3 to 5):
    ``2 * alone / together`` is near 2 when the learner releases the GIL
    (threads suit it) and near 1 or below when it holds it (processes may
    suit it). The fits are real shard fits, kept in the result, and of the
    real shard size, so the test sees the learner as the shard fits will. A
    first fit quicker than a few milliseconds is mostly timer noise: then
    2.0 is returned after that one fit, so such learners keep the cheap
    default, threads. ``alone``, the seconds of one shard fit predicted by
    the pilots' cost model (height="auto"), replaces the lone fit, so that
    no worker idles: shards 0 and 1 are the first pair.

    Returns ``[(model, warnings, seconds), ...]`` for shards ``0, 1, ...``
    and the speed-up; None, untimed, for a learner whose fits draw from a
    process-wide random generator (threads would serialise on its lock).
    """

    def one(number):
        return limited(run, run.fit, shards[number], seeds[number])

    if run.draws_global_rng():
        # Fits in threads would serialise on the lock: processes, untimed.
        return [], None
    first, speedup = [], 0.0
    estimated = alone is not None
    # Not a with-block: its exit joins the pool's threads, so a shard fit
    # hanging in one kept the caller waiting after Ctrl-C (a second one was
    # needed). The threads are left to end on their own instead.
    pool = ThreadPoolExecutor(2, thread_name_prefix="radonlearn-thread-test")
    try:
        # A slow reading is taken again on the next shards (the machine may
        # have been busy): only a learner that is slow in threads both
        # times goes to processes.
        for _ in range(_THREAD_TESTS):
            if len(first) + (2 if estimated else 3) > len(shards):
                break
            if not estimated:
                first.append(one(len(first)))
                alone = first[-1][2]
            if alone < _THREAD_TEST_MIN:
                return first, 2.0
            start = time.perf_counter()
            first.extend(pool.map(one, [len(first), len(first) + 1]))
            speedup = max(speedup, 2 * alone / (time.perf_counter() - start))
            if speedup >= _THREAD_SPEEDUP_NEEDED:
                break
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return first, speedup if first else 2.0


def choose_backend(run, plan, shards, seeds, may_deepen=True):
    """The first shard fits, the backend for the rest, and the plan updated.

    Returns ``(first, backend, plan)``; ``backend`` is None when processes
    turn out to cost too much start-up for this data, or threads run too
    slowly (``_threads_checked``): one fit instead; "deeper" when the
    plan's height should give way to the deeper one it now names.
    """
    if run.n_workers == 1:
        return [], "threads", replace(plan, backend=plan.backend or "sequential")
    alone = None
    if plan.cost_model is not None:
        size = run.n_samples / len(shards)
        alone = predict_fit_seconds(size, plan.cost_model)
        alone += plan.cost_model.get("gather_per_row", 0.0) * size
    first, speedup = _first_shards(run, shards, seeds, alone)
    plan = replace(plan, thread_speedup=speedup)
    if speedup is not None and speedup >= _THREAD_SPEEDUP_NEEDED:
        done = len(first) / len(shards)
        return first, *_threads_checked(run, plan, speedup, done, may_deepen)
    if run.spec.height == "auto":
        height = plan.chosen
        plan = predict_heights(plan, run.n_samples, run.costs("processes"))
        if plan.chosen == 0:
            # Processes cost too much start-up for this data: one fit.
            return first, None, replace(plan, backend="sequential")
        why = (
            "The learner's fits draw from a process-wide random generator "
            "(liblinear's), which threads would take turns at"
            if speedup is None
            else f"Two threads ran two shard fits at {speedup:.2f} times the "
            "speed of one"
        )
        plan = replace(
            plan,
            chosen=height,
            reason=f"{plan.reason} {why}, so the shards of height {height} "
            "went to processes.",
        )
    return first, "processes", replace(plan, backend="processes")


def _threads_checked(run, plan, speedup, done=0.0, may_deepen=False):
    """The backend and plan once two threads ran shard fits ``speedup`` times one.

    With height="auto", the heights are predicted again at the measured
    speed (which also reads how far the first shards' cost strayed from the
    cost model: a busy machine, or shards dearer than the pilots said, as
    large shards are when two threads share the caches). What is left of
    the chosen height (the ``done`` share of its shards is fitted already)
    gives way, when another plan is predicted faster by ``SPEED_MARGIN``:
    one fit on all rows at the measured speed (backend None), or, with
    ``may_deepen``, a deeper height as first predicted, whose smaller
    shards the pilots timed more closely (backend "deeper", the plan naming
    it). The stray may well hold for the one fit too, whose prediction is
    extrapolated further, and the deeper height starts from scratch: hence
    the margin.
    """
    if run.spec.height != "auto" or plan.cost_model is None or speedup >= 2.0:
        return "threads", replace(plan, backend="threads")
    height = plan.chosen
    costs = run.costs("threads", speedup)
    checked = predict_heights(plan, run.n_samples, costs)
    left = (checked.predicted_seconds[height] - costs.startup) * (1.0 - done)
    options = {0: checked.predicted_seconds[0]}
    if may_deepen and plan.predicted_seconds:
        options.update({h: t for h, t in plan.predicted_seconds.items() if h > height})
    best = min(options, key=options.get)
    if SPEED_MARGIN * options[best] >= left:
        return "threads", replace(plan, backend="threads")
    slow = (
        f"Two threads ran the first shard fits of height {height} at "
        f"{speedup:.2f} times the speed of one (predicted: 2), so what is "
        f"left of them ({left:.3g} s) would take longer than"
    )
    if best == 0:
        return None, replace(
            checked,
            chosen=0,
            backend="sequential",
            reason=f"{checked.reason} {slow} one fit on all rows; the fit "
            "went on as one fit on all rows.",
        )
    return "deeper", replace(
        plan,
        chosen=best,
        reason=f"{plan.reason} {slow} height {best} "
        f"({options[best]:.3g} s); the fit went on at height {best}.",
    )
