"""The distributed path: fit Dask arrays and DataFrames where their chunks live.

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
import sys
import time
import warnings

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._aggregate import AGGREGATORS, blockwise_radon_levels, call_aggregator
from ._hypotheses import PROBE_ROWS, check_finite, check_transplant, flatten, layout_of
from ._shards import (
    MAX_SEED,
    OVERHEAD_ROWS,
    check_height,
    explicit_min_rows,
    fastest_height,
    fit_cost_model,
    grow_pilots,
    largest_height,
    min_rows_per_shard,
    predict_wall_seconds,
    shard_seeds,
)

__all__ = []

# Rows gathered to the client for the pilot fits (layout and speed), at most
# this many bytes of them.
_PILOT_ROWS = 20_000
_PILOT_BYTES = 16e6
_PILOT_CHUNKS = 16
# Rows of the pilot fit that reads the hypothesis layout (as in memory).
_LAYOUT_ROWS = 1000
# A shard fit holds about this many copies of its rows at once.
_SHARD_MEMORY_FACTOR = 4
# Scheduling cost of one task on a distributed cluster, in seconds.
_TASK_OVERHEAD = 0.002
# A shard whose share of a class differs from the class's overall share by
# more than this factor makes the plan "uneven" (a warning).
_UNEVEN_FACTOR = 2.0
# How often a waiting fit checks that the scheduler is still there.
_POLL_SECONDS = 1.0


def is_dask_collection(value):
    """Whether ``value`` is a Dask collection (without importing Dask)."""
    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection as check

    return check(value)


def _require_dask():
    try:
        import dask.array  # noqa: F401
    except ImportError as error:  # pragma: no cover - dask is there when used
        raise ImportError(
            "Fitting Dask collections needs Dask: pip install 'radonlearn[dask]'."
        ) from error


def _client():
    """The active distributed client, or None (Dask's local scheduler)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_client

    try:
        return get_client()
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# Input conversion
# ---------------------------------------------------------------------------


def _meta_frame(value):
    """An empty pandas frame with the column names of a Dask DataFrame, else None."""
    meta = getattr(value, "_meta", None)
    if meta is not None and hasattr(meta, "columns"):
        return meta
    return None


def as_dask_array(value, name, n_rows=None):
    """A Dask array of ``value`` (Dask array, DataFrame, Series or array-like).

    DataFrames and Series are converted with their partition lengths; an
    in-memory array next to Dask ``X`` becomes a Dask array with ``n_rows``
    rows.
    """
    import dask.array as da

    if hasattr(value, "to_dask_array") and is_dask_collection(value):
        value = value.to_dask_array(lengths=True)
    elif not is_dask_collection(value):
        value = np.asarray(value)
        if n_rows is not None and value.shape[:1] != (n_rows,):
            raise ValueError(
                f"{name} has {value.shape[:1]} rows but X has {n_rows}; they "
                "must have the same number of rows."
            )
        value = da.from_array(value, chunks=-1)
    elif not isinstance(value, da.Array):
        raise TypeError(
            f"{name} is a {type(value).__name__}; the Radon machine takes Dask "
            "arrays, DataFrames and Series. Convert it with to_dask_array()."
        )
    if any(np.isnan(size) for size in value.chunks[0]):
        value = value.compute_chunk_sizes()
    return value


def _check_features(machine, X, X_original):
    """Validate the Dask ``X``'s shape and dtype; set the feature attributes."""
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D Dask array for X, got {X.ndim} dimension(s); "
            "reshape it, e.g. X.reshape(-1, 1) for a single feature."
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"X has dtype {X.dtype}; the Radon machine fits numeric Dask "
            "arrays. Encode categorical columns before fitting."
        )
    meta = _meta_frame(X_original)
    if meta is None:
        meta = np.empty((0, X.shape[1]), dtype=X.dtype)
    validate_data(machine, meta, reset=True, skip_check_array=True)


def _aligned(value, X, name):
    """``value`` (Dask) rechunked to X's row chunks, one chunk across columns."""
    if value.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {value.shape[0]} rows but X has {X.shape[0]}; they "
            "must have the same number of rows."
        )
    chunks = {0: X.chunks[0]}
    if value.ndim == 2:
        chunks[1] = -1
    return value.rechunk(chunks)


# ---------------------------------------------------------------------------
# The shard plan
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Tasks (run on the workers)
# ---------------------------------------------------------------------------


def _class_counts(y_block):
    """Labels and counts of one chunk of targets."""
    return np.unique(np.asarray(y_block), return_counts=True)


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


def _fit_shard(template, seed, params, layout, number, keep, classes, *pieces):
    """Fit one shard (the concatenation of its pieces) on a worker."""
    from ._machine import _fit_one, _one_thread

    X = _concat([piece[0] for piece in pieces])
    y = _concat([piece[1] for piece in pieces])
    params = dict(params)
    if pieces[0][2] is not None:
        params["sample_weight"] = _concat([piece[2] for piece in pieces])
    if classes is not None:
        missing = np.setdiff1d(classes, np.unique(y))
        if missing.size:
            raise ValueError(
                f"Shard {number} has no rows of class {missing[0].item()!r}: its "
                "chunks hold the classes unevenly. Shuffle the rows across "
                "chunks (dask_shuffle=True) or use a lower height."
            )
    # One BLAS/OpenMP thread per fit: the worker's threads share its cores.
    with _one_thread():
        model, caught, seconds = _fit_one(template, X, y, None, seed, params)
    vector = flatten(model, layout)
    return {
        "vector": vector,
        "seconds": seconds,
        "warnings": caught,
        "model": model if number in keep else None,
        "probe": X[:PROBE_ROWS] if number == max(keep) else None,
    }


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
    if callable(method):
        return call_aggregator(method, points)
    return AGGREGATORS[method](points)


def _head(rows, *columns):
    return tuple(None if c is None else c[:rows] for c in columns)


def _rows_of_class(label, rows, *columns):
    mask = np.flatnonzero(np.asarray(columns[1]) == label)[:rows]
    return tuple(None if c is None else c[mask] for c in columns)


# ---------------------------------------------------------------------------
# Running the graph
# ---------------------------------------------------------------------------


def compute(objects):
    """Compute Dask objects on the active client (bounded waits) or locally."""
    import dask

    client = _client()
    if client is None:
        return list(dask.compute(*objects))
    return _compute_on(client, objects)


def _compute_on(client, objects):
    """Compute on a distributed client; fail clearly when the cluster goes away."""
    import dask
    from dask.utils import parse_timedelta
    from distributed import wait

    timeout = parse_timedelta(
        dask.config.get("distributed.comm.timeouts.connect"), default="s"
    )
    address = getattr(client, "scheduler", None)
    address = getattr(address, "address", None) or "the scheduler"
    if client.status != "running":
        raise ConnectionError(
            f"The Dask client is {client.status!r}, not connected to {address}. "
            "Start the cluster (or a new Client) before fitting."
        )
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as error:
        raise TimeoutError(
            f"The Dask cluster at {address} has no workers after {timeout:g} s "
            "(distributed.comm.timeouts.connect). Start workers, or check the "
            "cluster."
        ) from error
    futures = client.compute(objects)
    lost = (
        f"Lost the Dask scheduler at {address} during the fit (the client is "
        "{status!r}). The fit was abandoned; fit again once the cluster is back."
    )
    lost_since = None
    try:
        while True:
            try:
                wait(futures, timeout=_POLL_SECONDS)
                break
            except TimeoutError:
                pass
            if client.status == "running":
                lost_since = None
                continue
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > timeout:
                raise ConnectionError(lost.format(status=client.status))
        return client.gather(futures)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        if client.status == "running":
            client.cancel(futures)
            raise
        if isinstance(error, ConnectionError):
            raise
        # The scheduler went away: its futures were cancelled or failed.
        raise ConnectionError(lost.format(status=client.status)) from error


def n_cluster_workers():
    """Worker threads of the active client, or of Dask's local scheduler."""
    import os

    client = _client()
    if client is None:
        return os.cpu_count() or 1
    return max(sum(client.nthreads().values()), 1)


# ---------------------------------------------------------------------------
# Fit
# ---------------------------------------------------------------------------


def _shuffled(X, y, w, seed):
    """The rows shuffled across chunks once, on the workers (a Dask shuffle).

    Every row draws a random destination chunk; Dask's DataFrame shuffle
    moves it there (peer-to-peer on a distributed cluster), and the result is
    persisted, on the workers when there is a client.
    """
    import dask
    import dask.dataframe as dd
    import pandas as pd

    n_chunks = len(X.chunks[0])
    x_names = [f"x{i}" for i in range(X.shape[1])]
    y_names = [f"y{i}" for i in range(y.shape[1])] if y.ndim == 2 else ["y"]

    def frame(block_seed, x_block, y_block, w_block):
        result = pd.DataFrame(x_block, columns=x_names)
        y_block = y_block.reshape(len(result), len(y_names))
        for i, name in enumerate(y_names):
            result[name] = y_block[:, i]
        if w_block is not None:
            result["w"] = w_block
        result["_key"] = np.random.default_rng(block_seed).integers(
            n_chunks, size=len(result)
        )
        return result

    seeds = np.random.default_rng(seed).integers(MAX_SEED, size=n_chunks)
    blocks = [X.to_delayed().ravel(), y.to_delayed().ravel()]
    blocks.append([None] * n_chunks if w is None else w.to_delayed().ravel())
    meta = frame(
        0,
        np.empty((0, X.shape[1]), dtype=X.dtype),
        np.empty((0, len(y_names)), dtype=y.dtype),
        None if w is None else np.empty(0, dtype=w.dtype),
    )
    parts = [
        dask.delayed(frame)(int(seeds[i]), *[b[i] for b in blocks])
        for i in range(n_chunks)
    ]
    mixed = dd.from_delayed(parts, meta=meta, verify_meta=False)
    mixed = mixed.shuffle("_key", npartitions=n_chunks).drop(columns="_key")
    client = _client()
    mixed = client.persist(mixed) if client is not None else mixed.persist()
    lengths = tuple(int(n) for n in compute([mixed.map_partitions(len)])[0])
    X_new = mixed[x_names].to_dask_array(lengths=lengths).astype(X.dtype)
    y_new = mixed[y_names].to_dask_array(lengths=lengths)
    y_new = (y_new if y.ndim == 2 else y_new[:, 0]).astype(y.dtype)
    w_new = None
    if w is not None:
        w_new = mixed["w"].to_dask_array(lengths=lengths).astype(w.dtype)
    return X_new, y_new, w_new


def fit_dask(machine, X, y, sample_weight, fit_params, started):
    """``machine.fit`` for Dask input: shards and aggregation on the workers."""
    _require_dask()
    import dask

    from ._machine import _summarise_warnings, is_regressor_machine

    template = machine._template()
    X_original = X
    X = as_dask_array(X, "X")
    _check_features(machine, X, X_original)
    n_samples = int(X.shape[0])
    X = X.rechunk({1: -1})
    y = _aligned(as_dask_array(y, "y", n_samples), X, "y")
    regressor = is_regressor_machine(machine)
    if y.ndim == 2 and not regressor and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim > (2 if regressor else 1):
        raise ValueError(
            f"y has {y.ndim} dimensions; expected 1 (or 2 for regressors)."
        )
    if regressor and y.dtype.kind not in "biuf":
        raise ValueError(f"y has dtype {y.dtype}; regression targets must be numeric.")
    w = None
    if sample_weight is not None:
        w = _aligned(
            as_dask_array(sample_weight, "sample_weight", n_samples), X, "sample_weight"
        )
        if w.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D, got shape {w.shape}.")
    params = {}
    for key, value in fit_params.items():
        if is_dask_collection(value) or (
            hasattr(value, "__len__")
            and not isinstance(value, (str, bytes, dict))
            and len(value) == n_samples
        ):
            raise ValueError(
                f"Per-row fit parameter {key!r} is not supported with Dask input; "
                "only sample_weight is split with the rows."
            )
        params[key] = value

    base = check_random_state(machine.random_state).randint(MAX_SEED)
    rng = np.random.default_rng(base)
    first_seed = int(rng.integers(MAX_SEED))
    if machine.dask_shuffle:
        X, y, w = _shuffled(X, y, w, int(rng.integers(MAX_SEED)))

    blocks = [X.to_delayed().ravel(), y.to_delayed().ravel()]
    blocks.append([None] * len(blocks[0]) if w is None else w.to_delayed().ravel())
    chunk_sizes = np.asarray(X.chunks[0], dtype=np.int64)

    classes = chunk_counts = counts = None
    if not regressor:
        found = compute([dask.delayed(_class_counts)(b) for b in blocks[1]])
        classes = np.unique(np.concatenate([labels for labels, _ in found]))
        check_classification_targets(classes)
        chunk_counts = np.zeros((len(found), classes.size), dtype=np.int64)
        for chunk, (labels, number) in enumerate(found):
            chunk_counts[chunk, np.searchsorted(classes, labels)] = number
        counts = chunk_counts.sum(axis=0)
        if classes.size < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in y; got "
                f"only class {classes[0].item()!r}."
            )

    # Pilot: a small sample gathered to the client, for the layout and timing.
    pilot_start = time.perf_counter()
    sample = _pilot_sample(blocks, chunk_sizes, X.shape[1], classes, chunk_counts, rng)
    sample = _layout_rows_first(sample, classes)
    pilot, pilot_seconds = _time_pilot(
        template, sample, first_seed, params, rows=_LAYOUT_ROWS
    )
    layout = layout_of(pilot)
    radon_number = machine._radon_number(layout.n_parameters)
    n_workers = n_cluster_workers()
    plan = {"radon_number": radon_number, "n_workers": n_workers, "backend": "dask"}
    times = {"validation": pilot_start - started}

    def shard_plan(height):
        return plan_chunk_shards(
            chunk_sizes, radon_number**height, np.random.default_rng([base, height])
        )

    if machine.height == "auto":
        min_rows = min_rows_per_shard(
            machine.min_samples_per_shard, layout.n_parameters
        )
        allowed = largest_height(n_samples, radon_number, min_rows, counts)
        plan.update(min_rows_per_shard=min_rows, largest_height=allowed)
        while allowed > 0 and chunk_counts is not None:
            expected = _expected_class_counts(
                shard_plan(allowed)[0], chunk_sizes, chunk_counts
            )
            if (expected >= 1).all():
                break
            allowed -= 1
            warnings.warn(
                "The chunks of y hold the classes unevenly (data stored in label "
                f"order?), so some shards at height {allowed + 1} would lack a "
                f"class; using at most height {allowed}. Pass dask_shuffle=True "
                "to shuffle the rows across chunks first.",
                UserWarning,
                stacklevel=4,
            )
        lowest = _memory_min_height(
            n_samples, _row_bytes(X, y, w), radon_number, allowed
        )
        plan["memory_min_height"] = lowest
        height = allowed
        if allowed > lowest:
            height = _plan_speed(
                template,
                sample,
                first_seed,
                params,
                plan,
                n_samples,
                radon_number,
                allowed,
                (min(_LAYOUT_ROWS, len(sample[1])), pilot_seconds),
            )
    else:
        height = machine.height
        min_rows = explicit_min_rows(machine.min_samples_per_shard)
        check_height(height, n_samples, radon_number, min_rows, classes, counts)
    plan["chosen"] = height
    times["pilot"] = time.perf_counter() - pilot_start

    n_shards = radon_number**height
    pieces, split = shard_plan(height)
    if chunk_counts is not None and n_shards > 1:
        _check_class_plan(pieces, chunk_sizes, chunk_counts, classes, counts)
    seeds = shard_seeds(base, n_shards)
    keep = (0, 1) if n_shards > 1 else (0,)

    shards_start = time.perf_counter()
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
    template_d = dask.delayed(template)
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
                template_d,
                int(seeds[number]),
                params,
                layout,
                number,
                keep,
                classes,
                *inputs,
            )
        )
    levels = [shard_tasks]
    if n_shards > 1 and machine.aggregation == "radon":
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
    elif n_shards > 1:
        levels.append([dask.delayed(_aggregate_all)(machine.aggregation, *shard_tasks)])
    flat = [task for level in levels for task in level]
    results = compute(flat)
    times["shards"] = time.perf_counter() - shards_start
    shard_results = results[:n_shards]
    computed_levels, start = [], n_shards
    for level in levels[1:]:
        computed_levels.append(np.vstack(results[start : start + len(level)]))
        start += len(level)
    hypotheses = np.vstack([result["vector"] for result in shard_results])
    times["shard_fit_sum"] = float(sum(result["seconds"] for result in shard_results))
    _summarise_warnings([result["warnings"] for result in shard_results], n_shards)
    check_finite(hypotheses)
    models = {number: shard_results[number]["model"] for number in keep}
    if n_shards > 1:
        check_transplant(models[1], models[0], shard_results[1]["probe"], layout)
    levels_out = [hypotheses, *computed_levels]
    aggregated = (levels_out[-1][0], levels_out)
    return machine._finish(
        models[0],
        layout,
        hypotheses,
        height,
        radon_number,
        times,
        started,
        plan,
        n_workers=n_workers,
        aggregated=aggregated,
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
        warnings.warn(
            "The shards' class proportions differ from the overall ones by more "
            f"than a factor {_UNEVEN_FACTOR:g} (e.g. {share.min():.3f} to "
            f"{share.max():.3f}), because shards are groups of chunks and the "
            "chunks hold the classes unevenly. Biased shards can give a worse "
            "model: pass dask_shuffle=True to shuffle the rows across chunks.",
            UserWarning,
            stacklevel=4,
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


def _layout_rows_first(sample, classes):
    """The sample reordered so its first rows hold one row of every class."""
    if classes is None:
        return sample
    _, first = np.unique(np.asarray(sample[1]), return_index=True)
    order = np.concatenate([first, np.setdiff1d(np.arange(len(sample[1])), first)])
    return tuple(None if c is None else c[order] for c in sample)


def _time_pilot(template, sample, seed, params, rows=None):
    """Fit on the first ``rows`` of the sample as a shard fit runs (one BLAS
    thread), warnings ignored; returns the model and the fastest seconds."""
    from ._machine import _one_thread, time_fit

    X, y, w = sample
    rows = np.arange(X.shape[0] if rows is None else min(rows, X.shape[0]))
    fit_params = dict(params) if w is None else {**params, "sample_weight": w}
    with warnings.catch_warnings(), _one_thread():
        warnings.simplefilter("ignore")
        model, _, seconds, _ = time_fit(
            template, X, y, rows, seed, fit_params, capture=False
        )
    return model, seconds


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
    client = _client()
    if client is None or allowed <= 1:
        return min(1, allowed)
    workers = client.scheduler_info(n_workers=-1).get("workers", {}).values()
    limits = [info.get("memory_limit") or 0 for info in workers]
    limit = min((value for value in limits if value > 0), default=0)
    height = 1
    while (
        limit
        and height < allowed
        and _SHARD_MEMORY_FACTOR * row_bytes * n_samples / radon_number**height > limit
    ):
        height += 1
    return height


def _plan_speed(
    template, sample, seed, params, plan, n_samples, radon_number, allowed, first_timing
):
    """Among heights 1 (or the memory's lowest) to ``allowed``, the fastest.

    Pilot fits on the gathered sample, from the deepest height's shard size
    up by fours within the sample and the time budget (``grow_pilots``); their
    growth
    exponent predicts each height's shard fits, spread over the cluster's
    worker threads, plus a scheduling cost per task. Height 0 (all rows on
    one worker) is not considered: Dask data is assumed too big for that.
    """

    def time_at(size):
        return size, _time_pilot(template, sample, seed, params, rows=size)[1]

    try:  # the per-fit overhead, as in memory; a failure only loses it
        overhead = time_at(OVERHEAD_ROWS)[1]
    except Exception:
        overhead = None
    timings = grow_pilots(
        time_at,
        first_timing,
        n_samples // radon_number**allowed,
        min(n_samples // radon_number, len(sample[1])),
        n_samples,
        overhead,
    )
    cost_model = fit_cost_model(*zip(*timings, strict=True), overhead=overhead)
    n_workers = plan["n_workers"]
    lowest = plan.get("memory_min_height", 1)
    predicted = predict_wall_seconds(
        n_samples,
        radon_number,
        range(lowest, allowed + 1),
        cost_model,
        n_workers,
        0.9 * n_workers,
        0.0,
    )
    for height in predicted:
        predicted[height] += radon_number**height * _TASK_OVERHEAD / n_workers
    plan.update(cost_model=cost_model, predicted_seconds=predicted)
    return fastest_height(predicted)


# ---------------------------------------------------------------------------
# Prediction
# ---------------------------------------------------------------------------


def predict_blocks(machine, method, X):
    """``machine.<method>`` chunk by chunk: a Dask array, computed lazily."""
    check_is_fitted(machine)
    meta = _meta_frame(X)
    if meta is not None:
        names = getattr(machine, "feature_names_in_", None)
        if names is not None and list(meta.columns) != list(names):
            raise ValueError(
                "The Dask DataFrame's columns differ from the feature names seen "
                f"in fit: {list(meta.columns)} against {list(names)}."
            )
        X = X.to_dask_array()
    if X.ndim != 2 or X.shape[1] != machine.n_features_in_:
        raise ValueError(
            f"X has shape {X.shape} but the model was fitted with "
            f"{machine.n_features_in_} features."
        )
    X = X.rechunk({1: -1})
    func = getattr(machine.estimator_, method)
    sample = func(
        np.zeros(
            (1, X.shape[1]), dtype=X.dtype if X.dtype.kind in "biuf" else np.float64
        )
    )
    if sample.ndim == 1:
        return X.map_blocks(
            func,
            drop_axis=1,
            dtype=sample.dtype,
            meta=np.empty((0,), dtype=sample.dtype),
        )
    return X.map_blocks(
        func,
        chunks=(X.chunks[0], sample.shape[1]),
        dtype=sample.dtype,
        meta=np.empty((0, 0), dtype=sample.dtype),
    )
