"""The shard plan: how many shards (the height) and which rows go to each."""

import numpy as np

__all__ = []

# "auto" for min_samples_per_shard: this many rows per aggregated parameter.
# Measured with lbfgs LogisticRegression (see tests/test_shards.py and the
# user guide): about 18 rows per parameter lose ~2e-4 test AUC against the
# full-data fit, 9 per parameter lose ~0.017.
ROWS_PER_PARAMETER = 15
# ... and never fewer rows than this in a shard chosen by "auto".
MIN_ROWS_AUTO = 50


# Seeds drawn for shards, chunks and the fit itself stay below this.
MAX_SEED = np.iinfo(np.int32).max
# Pilot fits: quicker ones are fitted twice (the faster kept) to tame timer
# noise; pilots stop growing once two take a noticeable time, or before the
# next one would take the total over budget.
PILOT_REPEAT_BELOW = 0.02
PILOT_REPEATS = 1
PILOT_NOTICEABLE = 0.03
PILOT_TOTAL = 0.5
PILOT_FRACTION = 0.05
# Rows of the fit that times a learner's per-fit overhead.
OVERHEAD_ROWS = 64

# Up to this many classes, ranks within a class are found class by class.
_CLASSES_BY_MASK = 32
# Classes start their round-robin deal at a random shard drawn below this.
_START_RANGE = 2**62


def min_rows_per_shard(min_samples_per_shard, n_parameters):
    """Resolve ``min_samples_per_shard`` ("auto" or int) to a row count."""
    if min_samples_per_shard == "auto":
        return max(ROWS_PER_PARAMETER * n_parameters, MIN_ROWS_AUTO)
    return int(min_samples_per_shard)


def explicit_min_rows(min_samples_per_shard):
    """Fewest rows per shard an explicit height needs: the int, or 1 for "auto"."""
    return 1 if min_samples_per_shard == "auto" else int(min_samples_per_shard)


def largest_height(n_samples, radon_number, min_rows, class_counts=None):
    """Largest ``h``: ``r**h`` shards of ``min_rows`` rows, every class in each."""
    height = 0
    while True:
        shards = radon_number ** (height + 1)
        if shards * min_rows > n_samples:
            return height
        if class_counts is not None and min(class_counts) < shards:
            return height
        height += 1


def check_height(height, n_samples, radon_number, min_rows, classes=None, counts=None):
    """Raise ValueError when an explicit height cannot be filled."""
    n_shards = radon_number**height
    if n_shards * min_rows > n_samples:
        raise ValueError(
            f"height={height} needs {n_shards:,} shards (radon number "
            f"{radon_number} to the power {height}) of at least {min_rows:,} "
            f"rows each, i.e. {n_shards * min_rows:,} rows, but X has "
            f"n_samples = {n_samples:,}, {n_shards * min_rows - n_samples:,} short. "
            "Use a lower height, height='auto', or a smaller min_samples_per_shard."
        )
    if counts is not None:
        short = np.flatnonzero(counts < n_shards)
        if short.size:
            label = np.asarray(classes)[short[0]].item()
            raise ValueError(
                f"height={height} needs every class in each of its {n_shards:,} "
                f"shards, but class {label!r} has only {counts[short[0]]:,} "
                f"rows. Use a lower height or height='auto'."
            )


def shard_seeds(base_seed, n_shards):
    """The seed of every shard's inner estimator, from the fit's base seed.

    Drawn from a stream of their own, so the in-memory and the Dask paths
    hand shard ``i`` the same seed whatever their shard plans consumed.
    """
    rng = np.random.default_rng([base_seed, n_shards])
    return rng.integers(MAX_SEED, size=n_shards)


def random_order(rng, n_samples):
    """A random permutation of ``range(n_samples)`` drawn from ``rng``.

    ``rng`` is a ``numpy.random.Generator``. The indices are ``int32`` when
    they fit, shuffled in place: half the memory of ``rng.permutation`` and
    no 64-bit temporary.
    """
    order = np.arange(n_samples, dtype=np.int32 if n_samples < 2**31 else np.int64)
    rng.shuffle(order)
    return order


def assign_shards(n_samples, n_shards, rng, codes=None, order=None):
    """Split all row indices into ``n_shards`` shards of near-equal size.

    ``rng`` is a ``numpy.random.Generator``; ``order``, a random permutation
    of the rows already drawn (``random_order``), saves drawing one. With
    ``codes`` (the class index of every row, for classification) the split is
    stratified: the rows of each class are dealt round-robin over the shards
    from a random start, so each shard receives the floor or the ceiling of
    ``count / n_shards`` rows of every class. Within a shard the rows keep
    their relative place in the random order. Linear time for a moderate
    number of classes. Returns a list of ``n_shards`` index arrays.
    """
    if order is None:
        order = random_order(rng, n_samples)
    return nest_shards(order, n_shards, 1, rng, codes).shards(1)


class ShardLayout:
    """The rows, arranged so that every height's shards are contiguous.

    ``rows`` holds every row index once; the shards of height ``h`` (up to
    ``depth``) are ``radon_number ** h`` consecutive pieces of it: near-equal
    cuts without classes, and with classes each made of
    ``radon_number ** (depth - h)`` whole shards of height ``depth``.
    """

    def __init__(self, rows, radon_number, depth, counts=None):
        self.rows = rows
        self.radon_number = radon_number
        self.depth = depth
        # Rows in each deepest shard, in their order along ``rows``; None
        # when the pieces are simply equal cuts of ``rows``.
        self._counts = counts

    def shards(self, height):
        """The ``radon_number ** height`` shards of ``height``: views of ``rows``."""
        if not 0 <= height <= self.depth:
            raise ValueError(f"height {height} is not in 0..{self.depth}")
        n_shards = self.radon_number**height
        if self._counts is None:
            return np.array_split(self.rows, n_shards)
        sizes = self._counts.reshape(n_shards, -1).sum(axis=1)
        return np.split(self.rows, np.cumsum(sizes)[:-1])


def _reversed_digits(radon_number, depth):
    """``j`` -> ``j`` with its ``depth`` base-``radon_number`` digits reversed."""
    numbers = np.arange(radon_number**depth)
    reversed_ = np.zeros_like(numbers)
    for _ in range(depth):
        numbers, digit = np.divmod(numbers, radon_number)
        reversed_ = reversed_ * radon_number + digit
    return reversed_


def nest_shards(order, radon_number, depth, rng, codes=None):
    """Lay out the rows for the shards of every height up to ``depth``.

    ``order`` is a random permutation of the rows (``random_order``), and
    ``rng`` a ``numpy.random.Generator``. Without ``codes`` the shards of a
    height are consecutive, near-equal pieces of ``order``. With ``codes``
    (every row's class index) they are stratified: the rows of each class,
    in their order in ``order``, are dealt round-robin over the
    ``radon_number ** depth`` deepest shards from a random start. Shard
    ``j`` of the deepest height belongs to shard ``j mod radon_number ** h``
    of height ``h``, and as ``radon_number ** h`` divides the number of
    deepest shards, the rows of every class are dealt round-robin over the
    shards of every height: each receives the floor or the ceiling of its
    share. Sorting the deepest shards by their number with its base-
    ``radon_number`` digits reversed puts the members of every shallower
    shard side by side, so one stable (radix) sort serves every height, and
    which height is used can be decided later. Within a shard the rows come
    deepest shard by deepest shard, each in its order in ``order``.

    Returns a ``ShardLayout``.
    """
    n_samples = order.shape[0]
    if codes is None:
        return ShardLayout(order, radon_number, depth)
    n_deepest = radon_number**depth
    ordered_codes = codes[order]
    counts = np.bincount(ordered_codes)
    # Drawn below a multiple of every shard count the depths can have, so a
    # height's shards hold the same rows whatever the depth laid out.
    starts = rng.integers(0, _START_RANGE, size=counts.size) % n_deepest
    # Deepest shard of each row: its rank among the rows of its class (in
    # the random order) plus the class's start, modulo the shard count.
    dtype = np.uint16 if n_deepest <= 2**16 else np.int64
    shard_of = np.empty(n_samples, dtype=dtype)
    if counts.size <= _CLASSES_BY_MASK:
        for label, count in enumerate(counts):
            if count:
                # The shard numbers from the class's start, round and round,
                # built in the small type (no n-sized 64-bit temporary).
                turn = np.roll(np.arange(n_deepest, dtype=dtype), -starts[label])
                shard_of[ordered_codes == label] = np.resize(turn, count)
    else:
        by_class = np.argsort(ordered_codes, kind="stable")
        rank = np.arange(n_samples) - np.repeat(np.cumsum(counts) - counts, counts)
        shard_of[by_class] = (rank + starts[ordered_codes[by_class]]) % n_deepest
        del by_class, rank
    del ordered_codes
    sizes = np.bincount(shard_of, minlength=n_deepest)
    if depth > 1:
        key = _reversed_digits(radon_number, depth).astype(dtype)
        shard_of = key[shard_of]
        sizes_by_key = np.empty_like(sizes)
        sizes_by_key[key] = sizes
        sizes = sizes_by_key
    # A stable sort on 16-bit keys is a radix sort: linear in the rows.
    grouped = np.argsort(shard_of, kind="stable")
    del shard_of
    return ShardLayout(np.take(order, grouped), radon_number, depth, sizes)


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


def fit_cost_model(sizes, seconds, overhead=None):
    """A cost model of one fit from pilot ``(rows, seconds)`` timings.

    Returns a dict with the measured ``sizes`` and ``seconds`` (sorted, the
    fastest time kept per size), the per-fit ``overhead`` (what a fit costs
    whatever its rows: the ``overhead`` measured on a tiny fit, if given,
    but at most half the quickest pilot's time) and the growth ``exponent``:
    the log-log slope of the time above the overhead between two pilots
    (see ``_growth_pair``), clipped to ``EXPONENT_BOUNDS``; 1 with a single
    pilot size.
    """
    by_size = {}
    for size, time in zip(sizes, seconds, strict=True):
        by_size[int(size)] = min(by_size.get(int(size), np.inf), max(time, 1e-6))
    sizes = np.array(sorted(by_size), dtype=float)
    seconds = np.array([by_size[int(size)] for size in sizes])
    half_quickest = 0.5 * float(seconds.min())
    overhead = half_quickest if overhead is None else min(overhead, half_quickest)
    exponent = 1.0
    if sizes.size >= 2:
        small, large = _growth_pair(sizes, seconds, overhead)
        exponent = np.log(
            (seconds[large] - overhead) / (seconds[small] - overhead)
        ) / np.log(sizes[large] / sizes[small])
    exponent = float(np.clip(exponent, *EXPONENT_BOUNDS))
    return {
        "sizes": sizes.tolist(),
        "seconds": seconds.tolist(),
        "overhead": overhead,
        "exponent": exponent,
    }


def grow_pilots(
    time_at, first_timing, smallest, largest, n_samples=None, overhead=None
):
    """Pilot ``(rows, seconds)`` timings, from ``smallest`` rows up by fours.

    ``time_at(size)`` fits on about ``size`` rows and returns the rows used,
    the seconds of one fit and, optionally, the wall seconds it spent (its
    repeats; else the seconds count); ``first_timing`` is a pilot already
    made (the layout pilot), in the same form, reused for a size within a
    factor 1.5 of it; ``overhead``, the seconds of a tiny fit, if measured
    (see ``fit_cost_model``). Growth stops at ``largest`` rows, once the two
    pilots the growth is read between both take a noticeable time,
    or before the next pilot would take the pilots' wall time over the
    budget: ``PILOT_TOTAL``, and, given ``n_samples``, ``PILOT_FRACTION`` of
    one fit on all of them as predicted so far (pilots must not cost what
    sharding could save). The next pilot's cost is predicted with the growth
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
        model = fit_cost_model(*zip(*timings, strict=True), overhead=overhead)
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
    ``speedup`` times faster than one (measured: at most ``n_workers``), plus
    a fixed ``startup`` for the worker pool and the data transfer.
    """
    predicted = {}
    for height in heights:
        shards = radon_number**height
        one = predict_fit_seconds(n_samples / shards, cost_model)
        if height == 0:
            predicted[height] = one
        else:
            predicted[height] = shards * one / max(speedup, 1.0) + startup
    return predicted


def fastest_height(predicted, margin=SPEED_MARGIN):
    """The lowest height whose predicted time is within ``margin`` of the best.

    Preferring the lower of near-ties keeps the choice stable under timing
    noise and keeps shards as large as the speed allows.
    """
    best = min(predicted.values())
    return min(h for h, seconds in predicted.items() if seconds <= margin * best)
