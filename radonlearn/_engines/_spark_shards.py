"""Shard fits on the Spark executors: which row goes to which shard, and the fits.

How rows become shards (``fit_shards``). Every row receives a shard number
from an expression evaluated on the executor that holds it, in the same
stage that reads it: no pass over the data beforehand, no sort. By default
each partition deals its rows over *all* shards in blocks of ``n_shards``
consecutive rows: within a block every shard receives exactly one row, the
block's rows going round the shards from a starting shard drawn from a hash
of ``(seed, partition index, block index)``. A shard therefore holds one row
from every block of every partition, and shard sizes differ by at most the
number of partitions. ``shuffle=True`` draws every row's shard independently
at random instead (a hash of ``(seed, partition index, row index)``).
Either way the number is a pure function of the seed and the row's place
(partition index and position within it, as Spark's
``monotonically_increasing_id`` reports them), so a retried or recomputed
task assigns the same rows to the same shards, as long as the DataFrame's
partitions hold the same rows in the same order when they are recomputed
(true of files, tables and cached or checkpointed DataFrames).

The rows then travel once, executor to executor, through one Spark shuffle
(``repartition`` on a key chosen so that Spark's hash partitioner sends
shard ``s`` to partition ``s``: one task per shard), and
``groupBy(...).applyInPandas`` hands each shard to the callable as NumPy
arrays, in the task of that partition. Only the columns the fit reads
cross the network, features already cast to double; what comes back to the
driver is one row per shard holding the callable's bytes.
"""

import functools

import numpy as np

from ._spark_data import (
    _KEY,
    _MURMUR3_SEED,
    _ORDER,
    _ROW_BITS,
    _SHARD,
    REFUSED,
    STRAY,
    _arrays,
    _collect,
    _column,
    _column_name,
    _select,
    shard_answers,
)

__all__ = []

# ---------------------------------------------------------------------------
# Shard fits on the executors
# ---------------------------------------------------------------------------


def murmur3_int(values, seed=_MURMUR3_SEED):
    """Spark's ``hash()`` of 32-bit integers (Murmur3 x86_32, seed 42), vectorised.

    Parameters
    ----------
    values : array_like of int
        Values of an ``int`` column, in ``[0, 2**31)``.
    seed : int, default=42
        Spark's seed for ``hash()`` and hash partitioning.

    Returns
    -------
    ndarray of int64
        The signed 32-bit hashes Spark computes.

    Examples
    --------
    >>> murmur3_int([0, 1]).tolist()
    [933211791, -559580957]
    """

    def multiply(state, factor):
        return (state * factor) & 0xFFFFFFFF

    def rotate(state, bits):
        return multiply(state, 1 << bits) | (state >> np.uint64(32 - bits))

    block = np.asarray(values, dtype=np.uint64) & 0xFFFFFFFF
    block = multiply(rotate(multiply(block, 0xCC9E2D51), 15), 0x1B873593)
    state = multiply(rotate(np.uint64(seed) ^ block, 13), 5) + 0xE6546B64
    state = (state & 0xFFFFFFFF) ^ np.uint64(4)  # then mix in the length, 4 bytes
    for shift, factor in ((16, 0x85EBCA6B), (13, 0xC2B2AE35), (16, 1)):
        state = multiply(state ^ (state >> np.uint64(shift)), factor)
    return state.astype(np.int64) - (state >= 2**31) * 2**32


def partition_keys(n_partitions):
    """For every partition ``s``, an int key that Spark's partitioner sends there.

    ``repartition(n_partitions, key)`` puts a row in partition
    ``pmod(hash(key), n_partitions)``. Keyed with ``keys[s]``, shard ``s``
    lands alone in partition ``s``: one task per shard, none idle, none
    doubled up (plain shard numbers would collide, about a third of the
    partitions left empty). Should Spark change its partitioner, only the
    balance suffers: the grouping stays by shard.

    Parameters
    ----------
    n_partitions : int
        Number of partitions (shards), at least 1.

    Returns
    -------
    ndarray of shape (n_partitions,), dtype int32
        The smallest such key for every partition.

    Examples
    --------
    >>> keys = partition_keys(5)
    >>> (murmur3_int(keys) % 5).tolist()
    [0, 1, 2, 3, 4]
    """
    keys = np.full(n_partitions, -1, dtype=np.int64)
    start = 0
    while (keys < 0).any():
        candidates = np.arange(start, start + 4 * n_partitions + 64, dtype=np.int64)
        buckets = murmur3_int(candidates) % n_partitions
        bucket, first = np.unique(buckets, return_index=True)
        empty = keys[bucket] < 0
        keys[bucket[empty]] = candidates[first[empty]]
        start += candidates.size
    return keys.astype(np.int32)


def _check_shard_count(n_shards):
    if isinstance(n_shards, bool) or not isinstance(n_shards, int | np.integer):
        raise TypeError(f"n_shards must be an int, got {n_shards!r}.")
    if not 1 <= n_shards < 2**31:
        raise ValueError(f"n_shards={n_shards} must be between 1 and 2**31 - 1.")


def _fit_one_shard(table, *, columns, fit_shard):
    """Run on an executor: fit one shard (one group) with the caller's callable."""
    import pandas as pd

    number = table[_SHARD].iloc[0]
    if pd.isna(table[_KEY].iloc[0]):
        # Rows whose shard number is out of range or null: reported, not fitted.
        return pd.DataFrame({_SHARD: [STRAY], "rows": [len(table)], "payload": [b""]})
    table = table.sort_values(_ORDER, kind="stable", ignore_index=True)
    try:
        X, y, w = _arrays(table, columns)
    except ValueError as error:  # a null vector, a vector of another size
        message = str(error).encode()
        return pd.DataFrame(
            {_SHARD: [REFUSED], "rows": [len(table)], "payload": [message]}
        )
    payload = fit_shard(int(number), X, y, w)
    if not isinstance(payload, bytes | bytearray):
        raise TypeError(
            f"fit_shard must return bytes (e.g. a pickle), got a "
            f"{type(payload).__name__} for shard {number}."
        )
    return pd.DataFrame(
        {_SHARD: [int(number)], "rows": [len(table)], "payload": [bytes(payload)]}
    )


def _fit_groups(frame, columns, n_shards, fit_shard):
    """Fit every shard of ``frame`` (with _SHARD and _ORDER columns) where it lands."""
    from pyspark.sql import functions as F

    shard = F.col(_SHARD)
    keys = F.element_at(F.lit(partition_keys(n_shards)), shard.cast("int") + 1)
    key = F.when(shard.isNotNull() & (shard >= 0) & (shard < n_shards), keys)
    fitted = (
        frame.withColumn(_KEY, key)
        .repartition(n_shards, _KEY)
        .groupBy(_KEY)
        .applyInPandas(
            functools.partial(_fit_one_shard, columns=columns, fit_shard=fit_shard),
            schema=f"`{_SHARD}` int, rows long, payload binary",
        )
    )
    table = _collect(fitted, "fitting the shards")
    stray, missing, found = shard_answers(table, n_shards)
    if stray or missing.size:
        raise ValueError(
            f"{stray:,} rows have a shard number that is null or outside "
            f"0..{n_shards - 1}, and {missing.size} of the {n_shards} shards "
            "received no rows (too few rows, or a plan that skips shards)."
        )
    return [bytes(payload) for payload in found["payload"]]


def fit_shards(sdf, columns, n_shards, seed, fit_shard, *, shuffle=False):
    """Deal the rows into shards and fit each shard on the executors.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        The training rows.
    columns : SparkColumns
        From ``resolve_columns``.
    n_shards : int
        Number of shards, at least 1 and at most the number of rows.
    seed : int
        Seed of the deal: the same seed and partitions give the same shards.
    fit_shard : callable
        ``fit_shard(number, X, y, w) -> bytes``, run once per shard on an
        executor (and again if its task is retried). ``X`` is a float64
        array ``(n, n_features)`` (a CSR matrix when ``columns.sparse``),
        ``y`` the labels, ``w`` the weights or None, rows in their order in
        the DataFrame. Pickled with cloudpickle and shipped with the tasks;
        it must be importable there (radonlearn installed on the executors).
    shuffle : bool, default=False
        Draw every row's shard independently at random instead of dealing
        each partition's rows evenly over the shards.

    Returns
    -------
    list of bytes
        ``fit_shard``'s result for shard 0, 1, ..., ``n_shards - 1``.

    Raises
    ------
    ValueError
        When a shard received no rows (fewer rows than shards).
    TimeoutError, ConnectionError
        When the job outlasts ``spark.radonlearn.timeout``, or the session
        goes away.
    pyspark.errors.PythonException
        When ``fit_shard`` raises in every attempt of a task
        (``spark.task.maxFailures``); return expected failures in the bytes
        instead, so that Spark does not retry them.

    See Also
    --------
    fit_shards_on_rows : The same with the caller's own shard numbers.

    Notes
    -----
    How partitions become shards. Every row's shard is computed on the
    executor that holds it, from ``monotonically_increasing_id()`` (the
    partition index and the row's position in it): by default the rows of
    each partition are dealt in blocks of ``n_shards`` consecutive rows,
    one row of every block to every shard, each block starting at a shard
    drawn from ``xxhash64(seed, partition, block)``. So every shard gets an
    equal share of every partition, and shard sizes differ by at most the
    number of partitions. Partitions stored in label or time order do not
    bias the shards: each shard receives rows from all along every
    partition, i.e. from every label and every period in their proportions
    (nearly stratified, better balanced than a random split). With
    ``shuffle=True`` each row's shard is instead a hash of ``(seed,
    partition, position)``: a uniform random split with multinomial sizes.
    Neither needs an extra pass or an extra shuffle.

    The shard of a row is a deterministic function of the seed and the
    row's place, so a retried task (it re-reads the shuffle's output) or a
    recomputed one reproduces it, provided the input partitions are
    recomputed with the same rows in the same order. That holds for files,
    tables and cached or checkpointed DataFrames, not necessarily for the
    output of a shuffle (a join, a ``groupBy``) that is recomputed: cache
    or checkpoint such a DataFrame before fitting.

    What crosses the network: one Spark shuffle moves the columns the fit
    reads (features as doubles, label, weight, two integers for shard and
    order) once, executor to executor; the rows are keyed so that shard
    ``s`` is partition ``s`` (``partition_keys``), one task per shard, and
    ``groupBy(...).applyInPandas`` hands the shard to ``fit_shard`` in its
    task; only one row per shard (its bytes) reaches the driver. A shard is
    held in the Python worker's memory whole (pandas frame plus arrays,
    about twice its size). ``mapInPandas`` over the original partitions
    would save the shuffle but tie shards to partitions: uneven shards,
    biased ones when partitions are stored in order, and no way to have
    fewer or more shards than partitions. Within a shard the rows are sorted
    by their place, so a retried task sees them in the same order and
    returns the same bytes.

    Examples
    --------
    With ``columns = resolve_columns(sdf, y="label")`` (not run here)::

        def fit_shard(number, X, y, w):
            model = LogisticRegression().fit(X, y, sample_weight=w)
            return pickle.dumps(model)

        models = [pickle.loads(b) for b in fit_shards(sdf, columns, 9, 0, fit_shard)]
    """
    from pyspark.sql import functions as F

    _check_shard_count(n_shards)
    frame = _select(sdf, columns, F.monotonically_increasing_id().alias(_ORDER))
    place = F.col(_ORDER)
    seed = F.lit(int(seed)).cast("long")
    if shuffle:
        shard = F.pmod(F.xxhash64(seed, place), F.lit(n_shards))
    else:
        partition = F.shiftright(place, _ROW_BITS)
        position = place.bitwiseAND((1 << _ROW_BITS) - 1)
        in_block = F.pmod(position, F.lit(n_shards))
        block = ((position - in_block) / n_shards).cast("long")
        start = F.pmod(F.xxhash64(seed, partition, block), F.lit(n_shards))
        shard = F.pmod(in_block + start, F.lit(n_shards))
    frame = frame.withColumn(_SHARD, shard.cast("int"))
    return _fit_groups(frame, columns, n_shards, fit_shard)


def fit_shards_on_rows(
    sdf, columns, shard_column, n_shards, fit_shard, *, order_column=None
):
    """Fit each shard on the executors, with the shards given by a column.

    For an exact shard plan, e.g. the one an in-memory fit of the same rows
    used: the row in shard ``s`` at place ``i`` of the in-memory plan gets
    ``shard_column = s`` and ``order_column = i``, and ``fit_shard`` sees
    the same arrays as in memory.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        The training rows.
    columns : SparkColumns
        From ``resolve_columns``.
    shard_column : str
        Integer column: every row's shard, in ``0..n_shards - 1``.
    n_shards : int
        Number of shards.
    fit_shard : callable
        ``fit_shard(number, X, y, w) -> bytes``, as in ``fit_shards``.
    order_column : str or None, default=None
        Column by which the rows of a shard are ordered (ties and None:
        their place in the DataFrame).

    Returns
    -------
    list of bytes
        ``fit_shard``'s result for shard 0, 1, ..., ``n_shards - 1``.

    Raises
    ------
    TypeError
        When ``shard_column`` is not an integer column.
    ValueError
        When a row's shard is null or out of range, or a shard has no rows.
    TimeoutError, ConnectionError
        When the job outlasts ``spark.radonlearn.timeout``, or the session
        goes away.

    See Also
    --------
    fit_shards : The same with shards dealt on the executors.

    Notes
    -----
    The rows travel and are fitted as in ``fit_shards`` (one shuffle, one
    task per shard, bytes back).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegralType

    _check_shard_count(n_shards)
    shard_type = sdf.schema[_column_name(shard_column, "shard_column", sdf.columns)]
    if not isinstance(shard_type.dataType, IntegralType):
        raise TypeError(f"shard_column {shard_column!r} must hold integers.")
    order = F.monotonically_increasing_id()
    if order_column is not None:
        order = _column(_column_name(order_column, "order_column", sdf.columns))
    shard = _column(shard_column).alias(_SHARD)
    frame = _select(sdf, columns, shard, order.alias(_ORDER))
    return _fit_groups(frame, columns, n_shards, fit_shard)
