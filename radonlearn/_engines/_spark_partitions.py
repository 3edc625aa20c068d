"""Shards cut from Spark partitions where they live: one survey, one fit pass.

The Spark engine's default placement. A first job (``survey``) counts, on
the executors, every partition's rows, and a classifier's rows of every
class in every partition, reading only the label column; only that small
table reaches the driver. The driver then
gives every partition a number of shards in proportion to its rows
(``allocate_shards``), and a second job (``fit_partitions``, one
``mapInPandas`` pass) fits them: each task reads its partition, deals its
rows at random into its shards (class by class, so every shard holds every
class of its partition in proportion) and fits them one after the other.
No row crosses the network; what comes back is one row per shard (the
bytes of its result).

When there are more partitions than shards, ``coalesce`` groups whole
partitions into one task per shard instead (still no shuffle: each task
reads its group's partitions). The engine falls back to dealing every row
over all shards through one Spark shuffle (``_spark_shards.fit_shards``)
when partitions are too few for the workers or too uneven for even shards,
and when asked to (``dask_shuffle=True``).

Locality has a price: a shard is drawn from one partition (or one group),
not from all rows, so data stored in label or time order gives shards that
differ. Classes are checked before any fit: a shard that would lack a class
limits ``height="auto"`` and is refused for an explicit height.
"""

import functools
import heapq
from dataclasses import dataclass

import numpy as np

from ._spark_data import (
    _LABEL,
    _PREFIX,
    _SHARD,
    REFUSED,
    STRAY,
    _collect,
    _labels,
    _select,
    arrow_arrays,
    arrow_batch_rows,
    raise_on_missing,
    shard_answers,
)

__all__ = []

_PARTITION = _PREFIX + "partition"
_ROWS = "rows"
# A partition-local plan is used only if its smallest shard holds at least
# this share of the mean shard's rows.
MIN_BALANCE = 0.5
# Rows per Arrow batch on the way to the shard fits: a task holds its whole
# partition anyway, and fewer, larger batches cost less to read.
_BATCH_ROWS = 200_000


@dataclass(frozen=True)
class Survey:
    """What one pass over a DataFrame's partitions found.

    ``partitions`` are the indices of the partitions that hold rows and
    ``rows`` their row counts; for a classifier, ``classes`` (sorted) and
    ``partition_counts[i, k]``, the rows of class ``k`` in partition
    ``partitions[i]``.
    """

    partitions: np.ndarray
    rows: np.ndarray
    classes: np.ndarray | None = None
    partition_counts: np.ndarray | None = None

    @property
    def n_samples(self):
        return int(self.rows.sum())

    @property
    def counts(self):
        """Rows of every class over all partitions (None for a regressor)."""
        if self.partition_counts is None:
            return None
        return self.partition_counts.sum(axis=0)


def survey(sdf, columns, classifier):
    """Count rows per partition (and per class).

    One Spark job, ``groupBy(spark_partition_id()[, label]).count()``,
    which reads only the label column (Parquet and other columnar sources
    skip the rest); one row per partition (and class) reaches the driver.
    The feature values are checked where they are read for the fit.

    Raises
    ------
    ValueError
        When the DataFrame has no rows, or a classifier's label column holds
        nulls.
    TimeoutError, ConnectionError
        When the job outlasts ``spark.radonlearn.timeout``, or the session
        goes away.
    """
    from pyspark.sql import functions as F

    keys = [_PARTITION, _LABEL] if classifier else [_PARTITION]
    frame = _select(sdf, columns, F.spark_partition_id().alias(_PARTITION))
    table = _collect(frame.groupBy(*keys).count(), "counting rows")
    if table.empty:
        raise ValueError("The Spark DataFrame has no rows; a fit needs at least one.")
    partitions, where = np.unique(table[_PARTITION].to_numpy(), return_inverse=True)
    counted = table["count"].to_numpy()
    rows = np.bincount(where, weights=counted, minlength=partitions.size)
    if not classifier:
        return Survey(partitions, rows.astype(np.int64))
    if table[_LABEL].isna().any():
        raise_on_missing(columns, {_LABEL: int(counted[table[_LABEL].isna()].sum())})
    classes, label_of = np.unique(_labels(table[_LABEL]), return_inverse=True)
    counts = np.zeros((partitions.size, classes.size), dtype=np.int64)
    np.add.at(counts, (where, label_of), counted)
    return Survey(partitions, rows.astype(np.int64), classes, counts)


def allocate_shards(rows, n_shards):
    """Shards per partition: at least one each, the rest where shards are largest.

    Parameters
    ----------
    rows : array_like of int, shape (n_partitions,)
        Rows of every partition, all positive.
    n_shards : int
        Shards in all, at least ``n_partitions``.

    Returns
    -------
    ndarray of int64, shape (n_partitions,)
        Shards of every partition, summing to ``n_shards``.

    Notes
    -----
    Every partition starts with one shard; each further shard goes to the
    partition whose shards are currently the largest (rows per shard), the
    largest-quotient (D'Hondt) rule, so the largest shard is as small as it
    can be. ``O(n_shards log n_partitions)``.

    Examples
    --------
    >>> allocate_shards([300, 100], 4).tolist()
    [3, 1]
    """
    rows = np.asarray(rows, dtype=np.int64)
    if n_shards < rows.size:
        raise ValueError(f"{n_shards} shards cannot cover {rows.size} partitions.")
    shards = np.ones(rows.size, dtype=np.int64)
    heap = [(-float(count), index) for index, count in enumerate(rows)]
    heapq.heapify(heap)
    for _ in range(n_shards - rows.size):
        _, index = heapq.heappop(heap)
        shards[index] += 1
        heapq.heappush(heap, (-rows[index] / shards[index], index))
    return shards


def smallest_shard(rows, shards):
    """Rows of the smallest shard when every partition deals its rows evenly."""
    return int((np.asarray(rows) // np.asarray(shards)).min())


def lacking_class(partition_counts, shards):
    """Whether some shard of a partition would lack one of its classes.

    A partition's rows of class ``k`` are dealt over its ``s`` shards, so
    every shard holds one when the partition holds at least ``s``. A class a
    partition does not hold at all is lacking too (the shard fit needs every
    class).
    """
    return bool((np.asarray(partition_counts) < np.asarray(shards)[:, None]).any())


def deal(y, n_shards, seed, by_class, weighted=None):
    """Random, near-equal shards of one partition's rows (index arrays).

    The rows are put in a random order, then grouped class by class when
    ``by_class`` (and rows of nonzero weight apart from the others when
    ``weighted``, a boolean mask, is given) by a stable sort of small
    integer keys, and dealt round the shards from a random first shard: so
    the shards' sizes, and their rows of every class and of nonzero weight,
    differ by at most one. A shard's rows are a random subset in random
    order. Costs one permutation and one radix sort, ``O(n)``.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    key = None
    if by_class:
        key = np.unique(np.asarray(y), return_inverse=True)[1].astype(np.int64)
    if weighted is not None:
        weight_key = np.asarray(weighted, dtype=np.int64)
        key = weight_key if key is None else 2 * key + weight_key
    if key is not None:
        small = np.int16 if key.max(initial=0) < 2**15 else np.int64
        order = order[np.argsort(key[order].astype(small), kind="stable")]
    start = int(rng.integers(n_shards))
    return [order[(shard - start) % n_shards :: n_shards] for shard in range(n_shards)]


def _answer(number, rows, payload):
    import pyarrow as pa

    return pa.RecordBatch.from_pydict(
        {_SHARD: [number], _ROWS: [rows], "payload": [payload]}, schema=_schema()
    )


def _schema():
    import pyarrow as pa

    return pa.schema(
        [(_SHARD, pa.int32()), (_ROWS, pa.int64()), ("payload", pa.binary())]
    )


def _fit_partition(batches, *, columns, numbers, expected, seed, fit_shard, by_class):
    """Run on an executor: fit the shards of the partition this task reads."""
    import pyarrow as pa
    from pyspark import TaskContext

    batches = [batch for batch in batches if batch.num_rows]
    if not batches:  # an empty partition (hash repartitioning, a filter): no shard
        return
    table = pa.Table.from_batches(batches)
    partition = TaskContext.get().partitionId()
    mine = numbers.get(partition, ())
    wrong = expected is not None and expected.get(partition) != table.num_rows
    if wrong or table.num_rows < len(mine) or not len(mine):
        # Not the rows the survey counted here: reported, not fitted.
        yield _answer(STRAY, table.num_rows, b"")
        return
    try:
        X, y, w = arrow_arrays(table, columns)
    except ValueError as error:  # a null vector, a vector of another size
        yield _answer(REFUSED, table.num_rows, str(error).encode())
        return
    del table
    if len(mine) == 1:  # the task is one shard: its rows as they are, no copy
        yield _answer(int(mine[0]), len(y), bytes(fit_shard(int(mine[0]), X, y, w)))
        return
    weighted = None if w is None else w > 0
    shards = deal(y, len(mine), [seed, partition], by_class, weighted)
    for number, rows in zip(mine, shards, strict=True):
        weights = None if w is None else w[rows]
        payload = fit_shard(int(number), X[rows], y[rows], weights)
        yield _answer(int(number), len(rows), bytes(payload))


class PartitionsChanged(ValueError):
    """The fit pass met other partitions than the survey counted."""


def fit_partitions(
    sdf,
    columns,
    numbers,
    seed,
    fit_shard,
    *,
    by_class,
    expected=None,
    groups=None,
):
    """Fit every partition's shards in the task that reads it (or its group).

    ``numbers`` maps a partition index to the shard numbers it fits (every
    number once). With ``groups``, the partitions are first coalesced into
    that many groups (no shuffle) and ``numbers`` is keyed by group.
    ``fit_shard(number, X, y, w) -> bytes`` runs once per shard on the
    executors. ``expected`` maps a partition to the rows the survey
    counted there: a task that finds another count fits nothing. Returns
    the rows of every shard and the results, both in shard-number order.

    Raises
    ------
    PartitionsChanged
        When a task holds other rows than counted, or rows but no shards, or
        a shard is missing: the partitions changed between the survey and
        the fit (a DataFrame computed anew, or one Spark plans differently
        when it only counts, such as a small local one), or a group of
        partitions came out empty.
    """
    frame = _select(sdf, columns)
    if groups is not None:
        frame = frame.coalesce(int(groups))
    fitted = frame.mapInArrow(
        functools.partial(
            _fit_partition,
            columns=columns,
            numbers=numbers,
            expected=expected,
            seed=int(seed),
            fit_shard=fit_shard,
            by_class=by_class,
        ),
        schema=f"`{_SHARD}` int, {_ROWS} long, payload binary",
    )
    with arrow_batch_rows(sdf.sparkSession, _BATCH_ROWS):
        table = _collect(fitted, "fitting the shards")
    n_shards = sum(len(value) for value in numbers.values())
    stray, missing, found = shard_answers(table, n_shards)
    if stray or missing.size:
        raise PartitionsChanged(
            f"{stray:,} rows reached a Spark task without shards and "
            f"{missing.size} of the {n_shards} shards received no rows: the "
            "DataFrame's partitions changed between counting and fitting (or "
            "a group of partitions was empty). Cache or checkpoint a DataFrame "
            "whose partitions are not stable (the output of a shuffle, a random "
            "sample), or pass dask_shuffle=True to deal the rows with a shuffle."
        )
    return found[_ROWS].to_numpy(), [bytes(payload) for payload in found["payload"]]


@dataclass(frozen=True)
class Placement:
    """Where the shards of one height are cut: ``kind`` and what it needs.

    ``"partitions"``: every partition deals its rows into its own shards
    (``numbers`` maps a partition to its shard numbers, ``shards`` counts
    them); ``"groups"``: ``coalesce`` makes one group of whole partitions
    per shard (``numbers`` keyed by group); ``"shuffle"``: every row is
    dealt over all shards through one Spark shuffle. ``note`` says why;
    ``expected`` maps a partition to the rows the survey counted there.
    """

    kind: str
    note: str
    numbers: dict | None = None
    shards: np.ndarray | None = None
    expected: dict | None = None

    def lacks_class(self, found):
        """Whether a shard is sure to lack a class its fit needs."""
        if self.kind != "partitions" or found.partition_counts is None:
            return False
        return lacking_class(found.partition_counts, self.shards)


def _shuffled(note):
    return Placement("shuffle", f"rows dealt over all shards by a shuffle: {note}")


def place_shards(found, n_partitions, n_shards, n_workers, shuffle, seed):
    """Decide where the ``n_shards`` shards of ``found``'s rows are cut.

    Partition-local shards unless ``shuffle``, or the partitions with rows
    could keep at most half the workers (or shards) busy, or so uneven that the
    smallest shard would hold less than ``MIN_BALANCE`` of the mean. Shard
    numbers are handed out in a random order (``seed``), so that every
    group of the aggregation tree mixes partitions.
    """
    if shuffle:
        return _shuffled("dask_shuffle=True.")
    rows = found.rows
    mean = found.n_samples / n_shards
    numbers = np.random.default_rng(seed).permutation(n_shards)
    if rows.size > n_shards:
        padded = np.sort(np.concatenate([rows, np.zeros(n_partitions - rows.size)]))
        if padded[: n_partitions // n_shards].sum() < MIN_BALANCE * mean:
            return _shuffled(
                f"{n_partitions} partitions of uneven size cannot be grouped into "
                f"{n_shards} even shards."
            )
        groups = {group: numbers[group : group + 1] for group in range(n_shards)}
        note = f"{n_partitions} partitions grouped whole into {n_shards} shards."
        return Placement("groups", note, groups)
    if 2 * rows.size <= min(n_shards, n_workers):
        return _shuffled(
            f"{rows.size} partition(s) with rows for {n_workers} workers; "
            "repartition the DataFrame to fit without it."
        )
    shards = allocate_shards(rows, n_shards)
    if smallest_shard(rows, shards) < MIN_BALANCE * mean:
        return _shuffled(f"partitions of {rows.min():,} to {rows.max():,} rows.")
    bounds = np.concatenate([[0], np.cumsum(shards)])
    by_partition = {
        int(partition): numbers[start:stop]
        for partition, start, stop in zip(
            found.partitions, bounds[:-1], bounds[1:], strict=True
        )
    }
    note = f"each of {rows.size} partitions dealt into its own shards."
    expected = dict(zip(found.partitions.tolist(), rows.tolist(), strict=True))
    return Placement("partitions", note, by_partition, shards, expected)
