"""The shard plan: how many shards (the height) and which rows go to each."""

import math
from concurrent.futures import ThreadPoolExecutor

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


def check_height(
    height, n_samples, radon_number, min_rows, classes=None, counts=None, weighted=False
):
    """Raise ValueError when an explicit height cannot be filled.

    Decided on logarithms first, so an absurd height (``10**9``) costs no
    more than a sensible one and its message stays short. ``weighted``: the
    rows and counts are those with nonzero ``sample_weight``.
    """
    rows = "rows with nonzero sample_weight" if weighted else "rows"
    if height * math.log(radon_number) > math.log(max(n_samples, 1)) + 1:
        raise ValueError(
            f"height={height} needs {radon_number}**{height} shards (radon number "
            f"to the power height), far more than X has rows (n_samples = "
            f"{n_samples:,}). "
            f"Use height='auto' or at most height="
            f"{largest_height(n_samples, radon_number, min_rows)}."
        )
    n_shards = radon_number**height
    if n_shards * min_rows > n_samples:
        raise ValueError(
            f"height={height} needs {n_shards:,} shards (radon number "
            f"{radon_number} to the power {height}) of at least {min_rows:,} "
            f"rows each, i.e. {n_shards * min_rows:,} rows, but X has "
            + (f"{n_samples:,} {rows}" if weighted else f"n_samples = {n_samples:,}")
            + f", {n_shards * min_rows - n_samples:,} short. "
            "Use a lower height, height='auto', or a smaller min_samples_per_shard."
        )
    if counts is not None:
        short = np.flatnonzero(counts < n_shards)
        if short.size:
            label = np.asarray(classes)[short[0]].item()
            raise ValueError(
                f"height={height} needs every class in each of its {n_shards:,} "
                f"shards, but class {label!r} has only {counts[short[0]]:,} "
                f"{rows}. Use a lower height or height='auto'."
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


def pilot_rows(rng, n_samples, size, codes=None):
    """``size`` rows drawn at random, plus one of every class; sorted.

    Drawn from ``rng`` (the pilots' own stream), without replacement;
    ``codes`` is every row's class index, for a classifier.
    """
    if size >= n_samples:
        return np.arange(n_samples)
    rows = rng.choice(n_samples, size, replace=False)
    if codes is not None:
        n_classes = int(codes.max()) + 1
        present = np.bincount(codes[rows], minlength=n_classes) > 0
        if not present.all():
            # A random row of every missing class: one pass over the
            # labels, whatever the number of classes missing.
            missing = np.flatnonzero(~present)
            candidates = np.flatnonzero(np.isin(codes, missing))
            candidates = rng.permutation(candidates)
            _, first = np.unique(codes[candidates], return_index=True)
            rows = np.union1d(rows, candidates[first])
    return np.sort(rows)


class ShardPlanner:
    """Lays out the shards' rows in a background thread while the pilots run.

    Drawing the random order of all rows and laying it out in stratified
    shards (``nest_shards``) costs tens of milliseconds per million rows,
    spent in numpy calls that release the GIL. The pilot fits run one at a
    time in the calling thread, so this work is done meanwhile on another
    core, for every height the pilots may choose. The planner owns ``rng``
    from its start: nothing else may draw from it.
    """

    def __init__(self, rng, n_samples, codes):
        self._rng = rng
        self._codes = codes
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="radonlearn-plan")
        self._order = self._executor.submit(random_order, rng, n_samples)
        self._layout = None

    def nest(self, radon_number, depth):
        """Start laying out the rows for every height up to ``depth``."""
        order = self._order

        def lay_out():
            return nest_shards(
                order.result(), radon_number, depth, self._rng, self._codes
            )

        self._layout = self._executor.submit(lay_out)

    def shards(self, height):
        """The shards of ``height`` (at most the depth given to ``nest``); of
        any other height too, later (they are views of one layout)."""
        shards = self._layout.result().shards(height)
        self._order = None  # the layout holds every row
        return shards

    def close(self):
        """Wait for the background thread (dropping work not yet started)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
