"""The cost model behind height="auto": pilot timings to predicted seconds.

Pilot fits on growing samples give ``(rows, seconds)`` timings; a fit's
cost is modelled as ``overhead + c * rows**exponent`` above the largest
pilot (interpolated in log-log space below it), and each height's wall time
on the workers is predicted from it.
"""

import numpy as np

__all__ = []

# Pilot fits: quicker ones are fitted twice (the faster kept) to tame timer
# noise; pilots stop growing once two take a noticeable time, or before the
# next one would take the total over budget.
PILOT_REPEAT_BELOW = 0.02
PILOT_REPEATS = 1
PILOT_NOTICEABLE = 0.03
PILOT_TOTAL = 0.5
PILOT_FRACTION = 0.05
# ... nor more than this share of the fastest height as predicted so far:
# where sharding wins big, a pilot that costs most of the sharded fit buys
# little (QuantileRegressor on 40k x 8: a 0.41 s pilot on 3,636 rows, the
# shards of height 1, before a 0.6 s fit at height 2 that it did not change).
PILOT_BEST_FRACTION = 0.25
# Rows of the fit that times a learner's per-fit overhead.
OVERHEAD_ROWS = 64
# The overhead is at most this share of the quickest pilot: a tiny fit
# slower than that is not all overhead (lbfgs LogisticRegression runs more
# iterations on 64 rows: 2.1-2.5 ms there against 2.4-3.0 ms on 1,000 rows
# of 1M x 18).
OVERHEAD_SHARE = 0.5

# The speed model behind height="auto" is built from pilot fit times: timings
# are interpolated in log-log space and extrapolated beyond the largest pilot
# with the growth exponent of the pilots whose time is well above the
# per-fit overhead, kept within these bounds (no learner is cheaper than
# linear in the rows; the cap guards against timer noise).
EXPONENT_BOUNDS = (1.0, 3.0)
# A deeper tree must be predicted this much faster to be chosen: timings are
# noisy and fewer, larger shards are the safer model.
SPEED_MARGIN = 1.15


def _growth_pair(sizes, seconds, overhead):
    """Indices of the two pilots the growth is read between.

    The largest pilot and the largest one at most a third of its size whose
    time is mostly work (at least three times the overhead): a wide span
    reads the growth through timer noise. Without such a pilot, the two
    largest.
    """
    last = len(sizes) - 1
    for index in range(last - 1, -1, -1):
        if 3 * sizes[index] <= sizes[last] and seconds[index] >= 3 * overhead:
            return index, last
    return last - 1, last


def fit_cost_model(sizes, seconds, overhead=None, bounds=EXPONENT_BOUNDS):
    """A cost model of one fit from pilot ``(rows, seconds)`` timings.

    Returns a dict with the measured ``sizes`` and ``seconds`` (sorted, the
    fastest time kept per size), the per-fit ``overhead`` (what a fit costs
    whatever its rows: the ``overhead`` measured on a tiny fit, if given,
    but at most ``OVERHEAD_SHARE`` of the quickest pilot's time) and the
    growth ``exponent``:
    the log-log slope of the time above the overhead between two pilots
    (see ``_growth_pair``), clipped to ``bounds`` (the learner's growth
    range, within ``EXPONENT_BOUNDS``); with a single pilot size, 1 clipped
    to them.
    """
    by_size = {}
    for size, time in zip(sizes, seconds, strict=True):
        by_size[int(size)] = min(by_size.get(int(size), np.inf), max(time, 1e-6))
    sizes = np.array(sorted(by_size), dtype=float)
    seconds = np.array([by_size[int(size)] for size in sizes])
    share = OVERHEAD_SHARE * float(seconds.min())
    overhead = share if overhead is None else min(overhead, share)
    exponent = 1.0
    if sizes.size >= 2:
        small, large = _growth_pair(sizes, seconds, overhead)
        exponent = np.log(
            (seconds[large] - overhead) / (seconds[small] - overhead)
        ) / np.log(sizes[large] / sizes[small])
    exponent = float(np.clip(exponent, *bounds))
    return {
        "sizes": sizes.tolist(),
        "seconds": seconds.tolist(),
        "overhead": overhead,
        "exponent": exponent,
    }


def grow_pilots(
    time_at,
    first_timing,
    smallest,
    largest,
    n_samples=None,
    overhead=None,
    bounds=EXPONENT_BOUNDS,
    fastest=None,
):
    """Pilot ``(rows, seconds)`` timings, from ``smallest`` rows up by fours.

    ``time_at(size)`` fits on about ``size`` rows and returns the rows used,
    the seconds of one fit and, optionally, the wall seconds it spent (its
    repeats; else the seconds count); ``first_timing`` is a pilot already
    made (the layout pilot), in the same form, reused for a size within a
    factor 1.5 of it; ``overhead``, the seconds of a tiny fit, if measured
    (see ``fit_cost_model``), and ``bounds`` on the growth exponent, as
    ``fit_cost_model`` takes them. Growth stops at ``largest`` rows, once the two
    pilots the growth is read between both take a noticeable time,
    or before the next pilot would take the pilots' wall time over the
    budget: ``PILOT_TOTAL``, and, given ``n_samples``, ``PILOT_FRACTION`` of
    one fit on all of them as predicted so far (pilots must not cost what
    sharding could save), and, given ``fastest`` (the predicted seconds of
    the fastest height under a cost model), ``PILOT_BEST_FRACTION`` of
    that. The next pilot's cost is predicted with the growth
    seen so far, since a superlinear learner's pilot four times larger costs
    far more than four times as much.
    """
    timings = [tuple(first_timing[:2])]
    spent = first_timing[-1]
    size = max(min(smallest, largest), 2)
    while True:
        close = [item for item in timings if size / 1.5 <= item[0] <= 1.5 * size]
        if close:
            timings.append(timings.pop(timings.index(close[0])))
        else:
            measured = time_at(size)
            timings.append(tuple(measured[:2]))
            spent += measured[-1]
        model = fit_cost_model(
            *zip(*timings, strict=True), overhead=overhead, bounds=bounds
        )
        readable = False
        if len(model["sizes"]) >= 2:
            small, large = _growth_pair(
                model["sizes"], model["seconds"], model["overhead"]
            )
            readable = (
                model["seconds"][small] >= PILOT_NOTICEABLE
                and model["sizes"][large] >= 1.5 * model["sizes"][small]
            )
        next_size = min(4 * size, largest)
        growth = (next_size / model["sizes"][-1]) ** model["exponent"]
        next_cost = model["seconds"][-1] * growth
        budget = PILOT_TOTAL
        if n_samples is not None:
            budget = min(budget, PILOT_FRACTION * predict_fit_seconds(n_samples, model))
        if fastest is not None:
            budget = min(budget, PILOT_BEST_FRACTION * fastest(model))
        if size >= largest or readable or spent + next_cost > budget:
            return timings
        size = next_size


def predict_fit_seconds(n_rows, cost_model):
    """Predicted seconds of one fit on ``n_rows`` rows under the cost model."""
    sizes = np.asarray(cost_model["sizes"])
    seconds = np.asarray(cost_model["seconds"])
    if n_rows >= sizes[-1]:
        # The overhead stays; the rest grows with the rows.
        overhead = cost_model["overhead"]
        growth = (n_rows / sizes[-1]) ** cost_model["exponent"]
        return float(overhead + (seconds[-1] - overhead) * growth)
    if n_rows <= sizes[0]:
        return float(seconds[0])
    # Keep the interpolation monotone: more rows never cost less.
    rising = np.maximum.accumulate(seconds)
    return float(np.exp(np.interp(np.log(n_rows), np.log(sizes), np.log(rising))))


def predict_wall_seconds(
    n_samples, radon_number, heights, cost_model, n_workers, speedup, startup
):
    """Predicted wall time of a fit at each height, as a dict.

    Height 0 is one fit on all rows. A height ``h >= 1`` runs ``r**h`` fits
    of ``n / r**h`` rows on ``n_workers`` workers that together run
    ``speedup`` times faster than one (measured: at most ``n_workers``; with
    fewer shards than workers, only ``r**h`` of them have work), plus
    a fixed ``startup`` for the worker pool and the data transfer; its
    shards also gather their rows, all ``n`` of them, at the cost model's
    ``gather_per_row`` (if timed), which one fit on all rows does not.
    """
    predicted = {}
    gather = cost_model.get("gather_per_row", 0.0) * n_samples
    for height in heights:
        shards = radon_number**height
        one = predict_fit_seconds(n_samples / shards, cost_model)
        if height == 0:
            predicted[height] = one
        else:
            work = shards * one + gather
            busy = speedup * min(shards, n_workers) / max(n_workers, 1)
            predicted[height] = work / max(busy, 1.0) + startup
    return predicted


def fastest_height(predicted, margin=SPEED_MARGIN):
    """The lowest height whose predicted time is within ``margin`` of the best.

    Preferring the lower of near-ties keeps the choice stable under timing
    noise and keeps shards as large as the speed allows.
    """
    best = min(predicted.values())
    return min(h for h, seconds in predicted.items() if seconds <= margin * best)
