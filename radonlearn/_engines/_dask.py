"""The Dask engine: fit Dask arrays and DataFrames where their chunks live.

The shard plan works on whole chunks: the chunks are put in a random order and
the rows, laid end to end in that order, are cut into ``r ** h`` ranges of
near-equal length. A shard is therefore a run of whole chunks plus a slice at
either end; a chunk that feeds several shards is permuted on its worker first,
so its slices are random subsets of its rows. The graph holds one split task
per such chunk, one fit task per shard and one task per Radon point of the
aggregation tree: it grows with shards plus chunks, never with their product.
Only hypothesis vectors (and two shard models, for the transplant check)
come back to the client.

Locality has a price: a shard is a few chunks, not a random sample of all
rows, so data stored in an order (by time, by label) gives biased shards.
Classifiers check the class counts of every chunk and warn (or refuse, when a
shard would surely lack a class); ``dask_shuffle=True`` shuffles the rows
across chunks once, on the workers, before planning.
"""

import itertools
import time
from dataclasses import replace

import numpy as np
from scipy import sparse

from .._aggregate import aggregate_point, blockwise_radon_levels
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
from ._dask_data import client, compute, n_cluster_workers, shuffled
from ._sample import (
    LAYOUT_ROWS,
    Sample,
    layout_rows_first,
    sample_pilots,
    time_pilot,
)

__all__ = []

# Rows gathered to the client for the pilot fits (layout and speed), at most
# this many bytes of them.
_PILOT_ROWS = 20_000
_PILOT_BYTES = 16e6
_PILOT_CHUNKS = 16
# A shard fit holds about this many copies of its rows at once.
_SHARD_MEMORY_FACTOR = 4
# Scheduling cost of one task on a distributed cluster, in seconds.
_TASK_OVERHEAD = 0.002
# What to do when a shard lacks a class.
_UNEVEN_ADVICE = (
    "its chunks hold the classes unevenly. Shuffle the rows across chunks "
    "(dask_shuffle=True) or use a lower height."
)
_WEIGHT_ADVICE = (
    "the chunks hold the rows with nonzero sample_weight unevenly. Shuffle "
    "the rows across chunks (dask_shuffle=True) or use a lower height."
)
# A shard whose share of a class differs from the class's overall share by
# more than this factor makes the plan "uneven" (a warning).
_UNEVEN_FACTOR = 2.0


def plan_chunk_shards(chunk_sizes, n_shards, rng):
    """Cut the rows of the chunks, in a random chunk order, into shards.

    Returns ``(pieces, split)``: ``pieces[s]`` lists the ``(chunk, start,
    stop)`` slices of shard ``s`` (positions within the chunk after its
    permutation), and ``split`` maps every chunk that feeds more than one
    shard to the seed of its permutation. Shards get ``floor`` or ``ceil``
    of ``n / n_shards`` rows.
    """
    sizes = np.asarray(chunk_sizes, dtype=np.int64)
    order = rng.permutation(sizes.size)
    n_rows = int(sizes.sum())
    bounds = (np.arange(n_shards + 1) * n_rows) // n_shards
    starts = np.concatenate([[0], np.cumsum(sizes[order])])
    pieces = [[] for _ in range(n_shards)]
    seeds = rng.integers(MAX_SEED, size=sizes.size)
    split = {}
    for position, chunk in enumerate(order):
        begin, end = starts[position], starts[position + 1]
        if begin == end:
            continue
        first = int(np.searchsorted(bounds, begin, side="right")) - 1
        last = int(np.searchsorted(bounds, end, side="left")) - 1
        for shard in range(first, last + 1):
            lo, hi = max(bounds[shard], begin), min(bounds[shard + 1], end)
            if hi > lo:
                pieces[shard].append((int(chunk), int(lo - begin), int(hi - begin)))
        if last > first:
            split[int(chunk)] = int(seeds[chunk])
    return pieces, split


def plan_rows(pieces, split, chunk_sizes):
    """The global row indices of every shard, in the order the shard sees them."""
    offsets = np.concatenate([[0], np.cumsum(chunk_sizes)]).astype(np.int64)
    rows = []
    for shard in pieces:
        parts = []
        for chunk, lo, hi in shard:
            local = (
                _permutation(chunk_sizes[chunk], split[chunk])
                if chunk in split
                else np.arange(chunk_sizes[chunk])
            )
            parts.append(offsets[chunk] + local[lo:hi])
        rows.append(np.concatenate(parts))
    return rows


def _permutation(size, seed):
    return np.random.default_rng(seed).permutation(int(size))


def _expected_class_counts(pieces, chunk_sizes, chunk_counts):
    """Expected rows of each class in each shard, from the chunks' counts."""
    expected = np.zeros((len(pieces), chunk_counts.shape[1]))
    for shard, shard_pieces in enumerate(pieces):
        for chunk, lo, hi in shard_pieces:
            expected[shard] += chunk_counts[chunk] * (hi - lo) / chunk_sizes[chunk]
    return expected


def _class_counts(y_block, w_block=None):
    """Labels and counts of one chunk of targets (of its weighted rows only,
    with weights)."""
    y_block = np.asarray(y_block)
    if w_block is not None:
        y_block = y_block[np.asarray(w_block) != 0]
    return np.unique(y_block, return_counts=True)


def _weighted_rows(w_block):
    """Rows of one chunk with nonzero sample_weight."""
    return int(np.count_nonzero(np.asarray(w_block)))


def _split_chunk(seed, bounds, *columns):
    """Permute one chunk's rows and cut them at ``bounds``: one tuple per slice."""
    order = _permutation(columns[0].shape[0], seed)
    return tuple(
        tuple(None if c is None else c[order[lo:hi]] for c in columns)
        for lo, hi in itertools.pairwise(bounds)
    )


def _concat(blocks):
    if len(blocks) == 1:
        return blocks[0]
    if sparse.issparse(blocks[0]):
        return sparse.vstack(blocks, format="csr")
    return np.concatenate(blocks)


def _fit_shard(template, shared, seed, params, number, *pieces):
    """Fit one shard (the concatenation of its pieces) on a worker."""
    layout, keep, config, classes = shared
    task = ShardTask(template, layout, keep, config, 0, classes)
    X = _concat([piece[0] for piece in pieces])
    y = _concat([piece[1] for piece in pieces])
    params = dict(params)
    if pieces[0][2] is not None:
        params["sample_weight"] = _concat([piece[2] for piece in pieces])
        if not np.any(params["sample_weight"]):
            raise ValueError(
                f"Shard {number} holds {len(y):,} rows, none with nonzero "
                f"sample_weight: {_WEIGHT_ADVICE}"
            )
    return fit_shard_rows(task, number, seed, X, y, params, _UNEVEN_ADVICE)


def _vectors(children):
    return np.vstack(
        [child["vector"] if isinstance(child, dict) else child for child in children]
    )


def _radon_group(radon_number, *children):
    """The Radon point of one group of ``r`` (block-wise with ``block_size``)."""
    points = _vectors(children)
    if not np.isfinite(points).all():
        return np.full(points.shape[1], np.nan)
    return blockwise_radon_levels(points, radon_number)[-1][0]


def _aggregate_all(method, *children):
    """One aggregate of all shard vectors (the methods other than "radon")."""
    points = _vectors(children)
    if not np.isfinite(points).all():
        return np.full(points.shape[1], np.nan)
    return aggregate_point(method, points)


def _head(rows, *columns):
    return tuple(None if c is None else c[:rows] for c in columns)


def _rows_of_class(label, rows, *columns):
    mask = np.flatnonzero(np.asarray(columns[1]) == label)[:rows]
    return tuple(None if c is None else c[mask] for c in columns)


def fit(data, spec, started):
    """Fit Dask ``data`` as ``spec`` says: shards and the tree on the workers."""
    X, y, w = data.X, data.y, data.w
    first_seed, rng = spec.streams()
    if spec.dask_shuffle:
        X, y, w = shuffled(X, y, w, int(rng.integers(MAX_SEED)))
    blocks = [X.to_delayed().ravel(), y.to_delayed().ravel()]
    blocks.append([None] * len(blocks[0]) if w is None else w.to_delayed().ravel())
    chunks = _Chunks(np.asarray(X.chunks[0], dtype=np.int64), spec.base_seed)
    weights = None if w is None else blocks[2]
    if not data.regressor:
        chunks.count_classes(blocks[1], weights)
    elif weights is not None:
        chunks.count_weighted(weights)

    # Pilot: a small sample gathered to the client, for the layout and timing.
    pilot_start = time.perf_counter()
    sample = _pilot_sample(
        blocks, chunks.sizes, X.shape[1], chunks.classes, chunks.counts, rng
    )
    sample = layout_rows_first(Sample(*sample), chunks.classes)
    pilot, pilot_seconds = time_pilot(
        spec, sample, first_seed, data.params, rows=LAYOUT_ROWS
    )
    layout = layout_of(pilot)
    n_workers = n_cluster_workers()
    weighted = chunks.weighted is not None
    n_rows = int(chunks.weighted.sum()) if weighted else data.n_samples
    plan = height_limits(
        spec, n_rows, layout.n_parameters, chunks.classes, chunks.totals, weighted
    )
    plan = replace(plan, n_workers=n_workers, backend="dask")
    if spec.height == "auto":
        plan = _choose_height(
            spec, data, plan, chunks, sample, pilot_seconds, (X, y, w)
        )
    times = FitTimes(
        validation=pilot_start - started, pilot=time.perf_counter() - pilot_start
    )
    return _fit_shards(spec, data.params, blocks, chunks, layout, plan, times)


class _Chunks:
    """The chunks' row counts, their class counts, and their shard plans."""

    def __init__(self, sizes, base_seed):
        self.sizes = sizes
        self.base_seed = base_seed
        self.classes = self.counts = self.totals = self.weighted = None

    def count_classes(self, label_blocks, weight_blocks=None):
        """Count every chunk's rows of every class, on the workers (with
        weights, the classes' rows with nonzero weight: the rows that count)."""
        import dask

        found = compute([dask.delayed(_class_counts)(b) for b in label_blocks])
        self.classes = np.unique(np.concatenate([labels for labels, _ in found]))
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(self.classes)
        if weight_blocks is not None:
            found = compute(
                [
                    dask.delayed(_class_counts)(b, w)
                    for b, w in zip(label_blocks, weight_blocks, strict=True)
                ]
            )
        self.counts = np.zeros((len(found), self.classes.size), dtype=np.int64)
        for chunk, (labels, number) in enumerate(found):
            self.counts[chunk, np.searchsorted(self.classes, labels)] = number
        self.totals = self.counts.sum(axis=0)
        check_n_classes(self.classes)
        if weight_blocks is not None:
            self.weighted = self.counts.sum(axis=1)

    def count_weighted(self, weight_blocks):
        """Count every chunk's rows with nonzero sample_weight, on the workers."""
        import dask

        found = compute([dask.delayed(_weighted_rows)(w) for w in weight_blocks])
        self.weighted = np.asarray(found, dtype=np.int64)

    def weighted_short(self, pieces):
        """The first shard of ``pieces`` expected to hold no weighted row, or None."""
        if self.weighted is None:
            return None
        expected = _expected_class_counts(pieces, self.sizes, self.weighted[:, None])
        empty = np.flatnonzero(expected[:, 0] < 1)
        return int(empty[0]) if empty.size else None

    def plan(self, n_shards, height):
        """``plan_chunk_shards`` for ``height``, from its own seeded stream."""
        rng = np.random.default_rng([self.base_seed, height])
        return plan_chunk_shards(self.sizes, n_shards, rng)

    def holds_every_class(self, pieces):
        """Whether every shard of ``pieces`` is expected to hold every class."""
        expected = _expected_class_counts(pieces, self.sizes, self.counts)
        return bool((expected >= 1).all())


def _choose_height(spec, data, plan, chunks, sample, first_seconds, arrays):
    """height="auto" on Dask: class evenness and memory bound it, pilots choose."""
    radon_number = plan.radon_number
    allowed = plan.largest_height
    while allowed > 0 and chunks.weighted is not None:
        pieces = chunks.plan(radon_number**allowed, allowed)[0]
        if chunks.weighted_short(pieces) is None:
            break
        allowed -= 1
    while allowed > 0 and chunks.counts is not None:
        if chunks.holds_every_class(chunks.plan(radon_number**allowed, allowed)[0]):
            break
        allowed -= 1
        warn(
            "The chunks of y hold the classes unevenly (data stored in label "
            f"order?), so some shards at height {allowed + 1} would lack a "
            f"class; using at most height {allowed}. Pass dask_shuffle=True "
            "to shuffle the rows across chunks first.",
            UserWarning,
        )
    lowest = _memory_min_height(
        data.n_samples, _row_bytes(*arrays), radon_number, allowed
    )
    plan = replace(plan, largest_height=allowed, memory_min_height=lowest)
    if allowed <= lowest:
        reason = plan.reason or (
            f"Height {allowed}: the only height the rows, the classes' spread "
            "over the chunks and the workers' memory allow."
        )
        return replace(plan, chosen=allowed, reason=reason)

    costs = EngineCosts(
        "dask", plan.n_workers, 0.9 * plan.n_workers, 0.0, _TASK_OVERHEAD, lowest
    )
    pilots = sample_pilots(
        spec,
        sample,
        spec.streams()[0],
        data.params,
        first_seconds,
        data.n_samples // radon_number,
    )
    bounds = growth_range(spec.template)
    return choose_height(plan, data.n_samples, pilots, costs, bounds)


def _split_tasks(blocks, pieces, split):
    """One task per chunk feeding several shards: its rows permuted and cut."""
    import dask

    cuts = {chunk: set() for chunk in split}
    for shard_pieces in pieces:
        for chunk, lo, hi in shard_pieces:
            if chunk in cuts:
                cuts[chunk].update((lo, hi))
    parts = {}
    for chunk, seed in split.items():
        bounds = sorted(cuts[chunk])
        task = dask.delayed(_split_chunk, nout=len(bounds) - 1)(
            seed, bounds, *[b[chunk] for b in blocks]
        )
        parts[chunk] = (task, {lo: i for i, lo in enumerate(bounds[:-1])})
    return parts


def _graph(spec, params, blocks, pieces, split, layout, keep, classes, radon_number):
    """The graph: every shard fit and every level of the aggregation tree."""
    import dask

    parts = _split_tasks(blocks, pieces, split)
    seeds = shard_seeds(spec.base_seed, len(pieces))
    # The learner travels once; the other fields of the task are small.
    # (A dataclass given to Dask is taken apart as a collection.)
    template = dask.delayed(spec.template)
    shared = (layout, frozenset(keep), spec.config, classes)
    shard_tasks = []
    for number, shard_pieces in enumerate(pieces):
        inputs = []
        for chunk, lo, _hi in shard_pieces:
            if chunk in parts:
                task, index = parts[chunk]
                inputs.append(task[index[lo]])
            else:
                inputs.append(dask.delayed(tuple)([b[chunk] for b in blocks]))
        shard_tasks.append(
            dask.delayed(_fit_shard, pure=False)(
                template, shared, int(seeds[number]), params, number, *inputs
            )
        )
    levels = [shard_tasks]
    if len(pieces) > 1 and spec.aggregation == "radon":
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [
                    dask.delayed(_radon_group)(
                        radon_number, *below[i : i + radon_number]
                    )
                    for i in range(0, len(below), radon_number)
                ]
            )
    elif len(pieces) > 1:
        levels.append([dask.delayed(_aggregate_all)(spec.aggregation, *shard_tasks)])
    return levels


def _fit_shards(spec, params, blocks, chunks, layout, plan, times):
    """Fit the shards of the chosen height on the workers, run the tree there."""
    height, radon_number = plan.chosen, plan.radon_number
    n_shards = radon_number**height
    pieces, split = chunks.plan(n_shards, height)
    short = chunks.weighted_short(pieces) if n_shards > 1 else None
    if short is not None:
        raise ValueError(
            f"Shard {short} of {n_shards:,} would hold no rows with nonzero "
            f"sample_weight ({int(chunks.weighted.sum()):,} of "
            f"{int(chunks.sizes.sum()):,} rows have one): {_WEIGHT_ADVICE}"
        )
    if chunks.counts is not None and n_shards > 1:
        _check_class_plan(
            pieces, chunks.sizes, chunks.counts, chunks.classes, chunks.totals
        )
    keep = (0, 1) if n_shards > 1 else (0,)
    shards_start = time.perf_counter()
    levels = _graph(
        spec,
        params,
        blocks,
        pieces,
        split,
        layout,
        keep,
        chunks.classes,
        radon_number,
    )
    spec.progress.begin_shards(n_shards)
    results = compute([task for level in levels for task in level])
    spec.progress.shards_done(n_shards)
    spec.progress.end_shards()
    shard_results = results[:n_shards]
    computed, start = [], n_shards
    for level in levels[1:]:
        computed.append(np.vstack(results[start : start + len(level)]))
        start += len(level)
    hypotheses = np.vstack([result["vector"] for result in shard_results])
    return collect_shards(
        shard_results,
        layout,
        plan,
        times,
        shards_start,
        levels=[hypotheses, *computed],
    )


def _check_class_plan(pieces, chunk_sizes, chunk_counts, classes, counts):
    """Refuse shards that surely lack a class; warn about uneven class shares."""
    expected = _expected_class_counts(pieces, chunk_sizes, chunk_counts)
    empty = np.argwhere(expected == 0)
    if empty.size:
        shard, label = empty[0]
        raise ValueError(
            f"Shard {shard} of {len(pieces)} would hold no rows of class "
            f"{classes[label].item()!r}: the chunks of y hold the classes unevenly "
            "(data stored in label order?). Pass dask_shuffle=True to shuffle the "
            "rows across chunks first, or use a lower height."
        )
    share = expected / expected.sum(axis=1, keepdims=True)
    overall = counts / counts.sum()
    ratio = share / overall
    if (ratio > _UNEVEN_FACTOR).any() or (ratio < 1 / _UNEVEN_FACTOR).any():
        warn(
            "The shards' class proportions differ from the overall ones by more "
            f"than a factor {_UNEVEN_FACTOR:g} (e.g. {share.min():.3f} to "
            f"{share.max():.3f}), because shards are groups of chunks and the "
            "chunks hold the classes unevenly. Biased shards can give a worse "
            "model: pass dask_shuffle=True to shuffle the rows across chunks.",
            UserWarning,
        )


def _pilot_sample(blocks, chunk_sizes, n_features, classes, chunk_counts, rng):
    """A few thousand rows from chunks spread over the data, every class in it."""
    import dask

    rows_wanted = int(
        min(_PILOT_ROWS, max(_PILOT_BYTES / (8 * n_features), 100), chunk_sizes.sum())
    )
    nonempty = np.flatnonzero(chunk_sizes > 0)
    chosen = np.sort(rng.permutation(nonempty)[:_PILOT_CHUNKS])
    per_chunk = int(np.ceil(rows_wanted / chosen.size))
    tasks = [dask.delayed(_head)(per_chunk, *[b[c] for b in blocks]) for c in chosen]
    if chunk_counts is not None:
        seen = chunk_counts[chosen].sum(axis=0) > 0
        for label in np.flatnonzero(~seen):
            chunk = int(np.flatnonzero(chunk_counts[:, label])[0])
            tasks.append(
                dask.delayed(_rows_of_class)(
                    classes[label], 20, *[b[chunk] for b in blocks]
                )
            )
    pieces = compute(tasks)
    X = _concat([p[0] for p in pieces])
    y = _concat([p[1] for p in pieces])
    w = None if pieces[0][2] is None else _concat([p[2] for p in pieces])
    order = rng.permutation(X.shape[0])
    return X[order], y[order], None if w is None else w[order]


def _row_bytes(X, y, w):
    """Bytes of one row of ``X``, ``y`` and the weights."""
    row = X.dtype.itemsize * X.shape[1]
    row += y.dtype.itemsize * (y.shape[1] if y.ndim == 2 else 1)
    return row + (0 if w is None else w.dtype.itemsize)


def _memory_min_height(n_samples, row_bytes, radon_number, allowed):
    """The lowest height whose shards fit the smallest worker's memory limit.

    A shard fit holds its rows about ``_SHARD_MEMORY_FACTOR`` times over (the
    pieces, their concatenation, the solver's copies); a height whose shards
    would need more than a worker's ``memory_limit`` is not considered by
    height="auto". 1 without a client or without memory limits.
    """
    active = client()
    if active is None or allowed <= 1:
        return min(1, allowed)
    workers = active.scheduler_info(n_workers=-1).get("workers", {}).values()
    limits = [info.get("memory_limit") or 0 for info in workers]
    limit = min((value for value in limits if value > 0), default=0)
    shard_bytes = _SHARD_MEMORY_FACTOR * row_bytes * n_samples
    return memory_min_height(shard_bytes, limit, radon_number, allowed, lowest=1)
