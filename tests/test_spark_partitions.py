"""Partition-local shards on Spark: the plan (pure) and the one-pass fit."""

import os
import pickle
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radonlearn._engines._spark_partitions import (
    PartitionsChanged,
    Survey,
    allocate_shards,
    deal,
    lacking_class,
    place_shards,
)

if os.environ.get("CI"):
    import pyspark  # noqa: F401
else:
    pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")

from pyspark import cloudpickle  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.integers(1, 10_000), min_size=1, max_size=30),
    extra=st.integers(0, 200),
)
def test_allocation_covers_every_partition_and_minimises_the_largest_shard(rows, extra):
    # Every partition gets at least one shard, the shards add up, and the
    # largest shard is as small as it can be: taking a shard away from any
    # partition would leave that partition's shards at least as large.
    rows = np.array(rows)
    n_shards = rows.size + extra
    shards = allocate_shards(rows, n_shards)
    assert shards.sum() == n_shards and (shards >= 1).all()
    largest = (rows / shards).max()
    several = shards > 1
    assert (rows[several] / (shards[several] - 1) >= largest - 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 3000),
    n_shards=st.integers(1, 40),
    n_classes=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_deal_is_a_stratified_partition_of_the_rows(n, n_shards, n_classes, seed):
    # Every row is in exactly one shard, sizes differ by at most one, every
    # class's rows (and its rows of nonzero weight) by at most one across
    # shards, and the same seed deals the same shards.
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n)
    weighted = rng.random(n) < 0.3
    shards = deal(y, n_shards, [seed, 7], by_class=True, weighted=weighted)
    assert len(shards) == n_shards
    rows = np.concatenate(shards)
    assert np.array_equal(np.sort(rows), np.arange(n))
    sizes = np.array([len(shard) for shard in shards])
    assert sizes.max() - sizes.min() <= 1
    for label in np.unique(y):
        counts = [np.count_nonzero(y[shard] == label) for shard in shards]
        assert max(counts) - min(counts) <= 1
        with_weight = [np.count_nonzero((y == label)[s] & weighted[s]) for s in shards]
        assert max(with_weight) - min(with_weight) <= 1
    again = deal(y, n_shards, [seed, 7], by_class=True, weighted=weighted)
    assert all(np.array_equal(a, b) for a, b in zip(shards, again, strict=True))


def test_a_class_short_of_the_shards_is_lacking():
    # A partition with fewer rows of a class than shards leaves a shard
    # without it; enough rows of every class do not.
    counts = np.array([[5, 3], [4, 4]])
    assert lacking_class(counts, np.array([3, 4])) is False
    assert lacking_class(counts, np.array([4, 4])) is True


def _survey(rows, counts=None):
    rows = np.asarray(rows)
    return Survey(np.arange(rows.size), rows, None, counts)


@pytest.mark.parametrize(
    "rows, n_partitions, n_shards, kind, note",
    [
        ([500, 500], 2, 21, "partitions", "each of 2 partitions"),
        ([1000], 1, 21, "shuffle", "1 partition(s) with rows for 2 workers"),
        ([900, 10, 900], 3, 6, "shuffle", "partitions of 10 to 900 rows"),
        ([100] * 40, 40, 7, "groups", "40 partitions grouped whole into 7"),
        ([100] * 7 + [5] * 3, 10, 7, "shuffle", "cannot be grouped"),
        ([100] * 8, 10, 7, "shuffle", "cannot be grouped"),
        ([100] * 4, 4, 1, "groups", "grouped whole into 1"),
    ],
)
def test_placement_prefers_partitions_and_says_why_it_shuffles(
    rows, n_partitions, n_shards, kind, note
):
    # Partition-local shards when the partitions can keep the workers busy
    # with even shards, whole partitions grouped when they outnumber the
    # shards evenly, a shuffle otherwise; the note says which and why.
    placement = place_shards(_survey(rows), n_partitions, n_shards, 2, False, 0)
    assert placement.kind == kind and note in placement.note
    if kind == "partitions":
        numbers = np.concatenate(list(placement.numbers.values()))
        assert np.array_equal(np.sort(numbers), np.arange(n_shards))
        assert placement.expected == dict(enumerate(rows))
    shuffled = place_shards(_survey(rows), n_partitions, n_shards, 2, True, 0)
    assert shuffled.kind == "shuffle" and "dask_shuffle=True" in shuffled.note


def _fits(number, X, y, w):
    return pickle.dumps((number, len(y)))


@pytest.fixture(scope="module")
def _by_value(spark):
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_partition_with_other_rows_than_counted_fits_nothing(spark, _by_value):
    # The fit pass checks every partition's rows against the survey's count:
    # a mismatch (a DataFrame recomputed differently) raises PartitionsChanged
    # instead of fitting shards of the wrong rows.
    from radonlearn._engines._spark_data import resolve_columns
    from radonlearn._engines._spark_partitions import fit_partitions, survey

    frame = pd.DataFrame({"x0": np.arange(300.0), "label": np.arange(300) % 2})
    sdf = spark.createDataFrame(frame).repartition(3).cache()
    columns = resolve_columns(sdf, "label")
    found = survey(sdf, columns, classifier=True)
    assert found.n_samples == 300 and list(found.classes) == [0, 1]
    placement = place_shards(found, 3, 6, 2, False, 0)
    rows, payloads = fit_partitions(
        sdf,
        columns,
        placement.numbers,
        1,
        _fits,
        by_class=True,
        expected=placement.expected,
    )
    assert rows.sum() == 300 and len(payloads) == 6
    assert [pickle.loads(p)[0] for p in payloads] == list(range(6))
    wrong = {partition: count + 1 for partition, count in placement.expected.items()}
    with pytest.raises(PartitionsChanged, match="Cache or checkpoint"):
        fit_partitions(
            sdf,
            columns,
            placement.numbers,
            1,
            _fits,
            by_class=True,
            expected=wrong,
        )


def test_spark_memory_notation_and_the_memory_floor_of_auto(spark, monkeypatch):
    # Spark's memory settings are read in its notation, a local session's
    # task gets a worker's share of the machine, and height="auto" never
    # considers a height whose shards would not fit a task's memory.
    from types import SimpleNamespace

    from radonlearn._engines import _spark

    assert _spark._bytes("512m") == 512 * 2**20
    assert _spark._bytes("4g") == 4 * 2**30 and _spark._bytes("2048") == 2**31
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert _spark._task_memory(spark.range(1), 2) == machine / 2
    columns = SimpleNamespace(n_features=18, sparse=False)
    plan = SimpleNamespace(largest_height=3, radon_number=21)
    monkeypatch.setattr(_spark, "_task_memory", lambda sdf, n_workers: 2**30)
    # 40M rows of 20 doubles, 4 copies: 25.6 GB at height 0, 1.2 GB at
    # height 1, 58 MB at height 2.
    assert _spark._memory_min_height(spark, 40_000_000, columns, plan, 2) == 2
    assert _spark._memory_min_height(spark, 1000, columns, plan, 2) == 0
    sparse_columns = SimpleNamespace(n_features=10**6, sparse=True)
    assert _spark._memory_min_height(spark, 1000, sparse_columns, plan, 2) == 0
