"""The Spark building blocks, against a real local Spark (two cores, task retries)."""

import dataclasses
import functools
import os
import pickle
import subprocess
import sys
import time
from decimal import Decimal

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

import radonlearn._engines._spark_data as sio
import radonlearn._engines._spark_predict as spr
import radonlearn._engines._spark_shards as ssh
from radonlearn._engines._spark_partitions import survey
from radonlearn._engines._spark_workers import check_spark

# In CI the spark extra is installed: a broken pyspark must fail, not skip.
if os.environ.get("CI"):
    import pyspark  # noqa: F401
else:
    pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")

from pyspark import TaskContext, cloudpickle  # noqa: E402
from pyspark.ml.linalg import Vectors  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

# pyspark's own warnings about pandas 3, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

N_PARTITIONS = 4


@pytest.fixture(scope="module", autouse=True)
def _by_value(spark):
    """The fit_shard callables below travel by value: the workers cannot
    import this test module."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _table(n=1200, n_classes=2, seed=0):
    """Rows stored in label order (the hard case for locality); ``id`` = place."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    scores = X @ rng.standard_normal((3, n_classes)) + rng.gumbel(size=(n, n_classes))
    y = np.sort(scores.argmax(axis=1))
    return pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64),
            "x0": X[:, 0],
            "x1": X[:, 1],
            "x2": X[:, 2],
            "label": y,
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )


@pytest.fixture(scope="module")
def table():
    return _table()


@pytest.fixture(scope="module")
def sdf(spark, table):
    frame = spark.createDataFrame(table)
    assert frame.rdd.getNumPartitions() == N_PARTITIONS
    return frame


def _row_ids(number, X, y, w):
    """fit_shard for the tests: the shard's row ids, labels, weights and task."""
    context = TaskContext.get()
    return pickle.dumps(
        {
            "number": number,
            "ids": X[:, 0].astype(np.int64),
            "y": y,
            "w": w,
            "partition": context.partitionId(),
        }
    )


# ---------------------------------------------------------------------------
# Detection and column resolution
# ---------------------------------------------------------------------------


def test_is_spark_dataframe(sdf, table):
    # True for a Spark DataFrame only.
    assert sio.is_spark_dataframe(sdf)
    assert not sio.is_spark_dataframe(table)
    assert not sio.is_spark_dataframe(table.to_numpy())
    assert not sio.is_spark_dataframe(None)


def test_is_spark_dataframe_imports_no_pyspark():
    # Asking about an array does not import pyspark.
    code = (
        "import sys; import radonlearn._engines._spark_data as m; "
        "assert not m.is_spark_dataframe([1.0]); "
        "assert not any(name.startswith('pyspark') for name in sys.modules)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(sio.__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_resolve_numeric_columns_of_every_kind(spark):
    # Ints, floats, booleans and decimals are features; the label keeps its type.
    frame = spark.createDataFrame(
        [(1, 2.0, True, Decimal("1.50"), 3, 0.5)],
        "a int, `b.c` double, d boolean, e decimal(10,2), label bigint, w float",
    )
    columns = sio.resolve_columns(frame, y="label", sample_weight="w")
    assert columns.features == ("a", "b.c", "d", "e")
    assert columns.vector is None
    assert columns.n_features == 4
    assert columns.label_type == "bigint"
    assert columns.weight == "w"
    assert list(columns.feature_names) == ["a", "b.c", "d", "e"]
    only = sio.resolve_columns(frame, y="label", features=["e", "a"])
    assert only.features == ("e", "a") and only.weight is None
    decimal_label = sio.resolve_columns(frame, y="e", features="a")
    assert decimal_label.label_type == "double"


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"y": "target"}, ValueError, "y='target': that column is missing.*'label'"),
        ({"y": None}, ValueError, "y is required"),
        ({"y": np.zeros(3)}, TypeError, "name of a column.*not a ndarray"),
        ({"y": "label", "sample_weight": [1.0]}, TypeError, "not a list"),
        ({"y": "label", "sample_weight": "label"}, ValueError, "both name"),
        ({"y": "label", "sample_weight": "city"}, TypeError, "weights must be"),
        ({"y": "label"}, TypeError, "'city' \\(string\\).*StringIndexer"),
        ({"y": "label", "features": ["x", "v"]}, ValueError, "'v' comes with"),
        ({"y": "label", "features": ["v", "u"]}, ValueError, "'v' comes with"),
        ({"y": "label", "features": ["x", "label"]}, ValueError, "other than the"),
        ({"y": "label", "features": []}, ValueError, "no feature columns"),
        ({"y": "v", "features": "x"}, TypeError, "label must be numeric"),
    ],
)
def test_resolve_columns_errors_say_what_to_do(spark, arguments, error, match):
    # Every misuse is an error that names the column and the remedy.
    frame = spark.createDataFrame(
        [(1.0, "a", Vectors.dense([1.0]), Vectors.dense([2.0]), 1)],
        ["x", "city", "v", "u", "label"],
    )
    with pytest.raises(error, match=match):
        sio.resolve_columns(frame, **arguments)


def test_resolve_columns_rejects_a_column_object(spark, sdf):
    # A Column expression is not a name.
    with pytest.raises(TypeError, match="not a Column"):
        sio.resolve_columns(sdf, y=F.col("label"))


def test_resolve_columns_rejects_no_features_and_duplicates(spark):
    # Only a label, or a column name used twice, is refused.
    with pytest.raises(ValueError, match="no feature columns besides"):
        sio.resolve_columns(spark.createDataFrame([(1,)], ["label"]), y="label")
    twice = spark.createDataFrame([(1.0, 2.0, 1)], ["x", "x", "label"])
    with pytest.raises(ValueError, match="appears 2 times"):
        sio.resolve_columns(twice, y="label")


def test_resolve_vector_column_size_and_format(spark):
    # The size comes from the first vector; wide vectors are read sparse.
    narrow = spark.createDataFrame(
        [(Vectors.sparse(5, [1], [2.0]), 0)], ["features", "label"]
    )
    columns = sio.resolve_columns(narrow, y="label")
    assert (columns.vector, columns.n_features, columns.sparse) == (
        "features",
        5,
        False,
    )
    assert columns.feature_names is None
    wide = spark.createDataFrame(
        [(Vectors.sparse(5000, [1], [2.0]), 0)], ["features", "label"]
    )
    assert sio.resolve_columns(wide, y="label").sparse


# ---------------------------------------------------------------------------
# Counts and samples
# ---------------------------------------------------------------------------


def _class_counts(sdf, columns):
    """The classes and their counts, from the survey by partition and class."""
    found = survey(sdf, columns, classifier=True)
    return found.classes, found.counts


def test_count_rows_and_class_counts(sdf, table):
    # Counts agree with the rows in memory; classes sorted like numpy.unique.
    columns = sio.resolve_columns(sdf, y="label", sample_weight="weight")
    assert sio.count_rows(sdf, columns) == len(table)
    labels, counts = _class_counts(sdf, columns)
    expected_labels, expected_counts = np.unique(table["label"], return_counts=True)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(counts, expected_counts)


def test_class_counts_of_string_labels(spark):
    # String labels come back as an object array, as scikit-learn holds them.
    frame = spark.createDataFrame([(1.0, "b"), (2.0, "a"), (3.0, "b")], ["x", "label"])
    labels, counts = _class_counts(frame, sio.resolve_columns(frame, y="label"))
    assert labels.dtype == object
    assert labels.tolist() == ["a", "b"] and counts.tolist() == [1, 2]


def test_count_rows_names_columns_with_nulls_or_nan(spark):
    # Nulls and NaN in columns the fit reads are found before any fit.
    frame = spark.createDataFrame(
        [(1.0, None, 1), (float("nan"), 2.0, 0), (3.0, 4.0, 1)],
        "x double, z double, label int",
    )
    columns = sio.resolve_columns(frame, y="label")
    with pytest.raises(ValueError, match=r"'x' \(1\), 'z' \(1\)"):
        sio.count_rows(frame, columns)


def test_collect_sample_size_classes_and_seed(sdf, table):
    # Exactly n_rows real rows, every class present, reproducible by seed.
    columns = sio.resolve_columns(sdf, y="label", sample_weight="weight")
    X, y, w = sio.collect_sample(sdf, columns, 300, seed=1, n_total=len(table))
    assert X.shape == (300, 4) and y.shape == (300,) and w.shape == (300,)
    ids = X[:, 0].astype(np.int64)
    assert np.unique(ids).size == 300
    np.testing.assert_array_equal(y, table["label"].to_numpy()[ids])
    np.testing.assert_array_equal(w, table["weight"].to_numpy()[ids])
    assert set(y) == set(table["label"])
    again, _, _ = sio.collect_sample(sdf, columns, 300, seed=1, n_total=len(table))
    np.testing.assert_array_equal(again, X)
    # A stale, too large row count makes the first draw fall short: topped up.
    topped, _, _ = sio.collect_sample(
        sdf, columns, 300, seed=2, n_total=20 * len(table)
    )
    assert topped.shape == (300, 4)
    everything, _, _ = sio.collect_sample(
        sdf, columns, 10**6, seed=1, n_total=len(table)
    )
    assert np.sort(everything[:, 0]).tolist() == list(range(len(table)))


@pytest.mark.parametrize("n_total", [10, 1000, 10**6])
def test_sample_fraction_draws_enough_on_average(n_total):
    # The expected draw is n_rows plus four standard deviations (or everything).
    n_rows = 500
    fraction = sio._sample_fraction(n_rows, n_total)
    mean = fraction * n_total
    spread = np.sqrt(n_total * fraction * (1 - fraction))
    assert fraction == 1.0 or mean - 4 * spread >= n_rows


# ---------------------------------------------------------------------------
# Shard fits
# ---------------------------------------------------------------------------


def test_murmur3_matches_sparks_hash(spark):
    # partition_keys relies on Spark's hash(): compare on a range of ints.
    values = np.arange(0, 5000, 7)
    hashed = (
        spark.createDataFrame(pd.DataFrame({"k": values.astype(np.int32)}))
        .select(F.hash("k").alias("h"))
        .toPandas()["h"]
        .to_numpy()
    )
    np.testing.assert_array_equal(ssh.murmur3_int(values), hashed)


def _unpickled(payloads):
    return [pickle.loads(payload) for payload in payloads]


def test_fit_shards_partitions_the_rows_evenly(sdf, table):
    # n_shards results that partition the rows: near-equal sizes, every class
    # in each shard in its share although partitions are stored by label,
    # rows in storage order, and each shard fitted alone in its own task.
    columns = sio.resolve_columns(sdf, y="label", sample_weight="weight")
    n_shards = 9
    first = ssh.fit_shards(sdf, columns, n_shards, 5, _row_ids)
    shards = _unpickled(first)
    assert [shard["number"] for shard in shards] == list(range(n_shards))
    ids = np.concatenate([shard["ids"] for shard in shards])
    assert np.sort(ids).tolist() == list(range(len(table)))
    sizes = np.array([shard["ids"].size for shard in shards])
    assert sizes.max() - sizes.min() <= N_PARTITIONS
    labels = table["label"].to_numpy()
    share = np.bincount(labels) / n_shards
    for shard in shards:
        assert np.all(np.diff(shard["ids"]) > 0)
        np.testing.assert_array_equal(shard["y"], labels[shard["ids"]])
        np.testing.assert_array_equal(
            shard["w"], table["weight"].to_numpy()[shard["ids"]]
        )
        assert np.all(np.abs(np.bincount(shard["y"]) - share) <= N_PARTITIONS + 1)
    assert [shard["partition"] for shard in shards] == list(range(n_shards))
    # The same seed and partitions give the same shards, byte for byte.
    assert ssh.fit_shards(sdf, columns, n_shards, 5, _row_ids) == first


def test_fit_shards_shuffle_and_seed_change_the_assignment(sdf, table):
    # Another seed, or shuffle=True, deals differently but still partitions.
    columns = sio.resolve_columns(sdf, y="label", features=["id", "x0"])
    reference = _unpickled(ssh.fit_shards(sdf, columns, 3, 5, _row_ids))
    for seed, shuffle in [(6, False), (5, True)]:
        shards = _unpickled(
            ssh.fit_shards(sdf, columns, 3, seed, _row_ids, shuffle=shuffle)
        )
        ids = np.concatenate([shard["ids"] for shard in shards])
        assert np.sort(ids).tolist() == list(range(len(table)))
        assert any(
            not np.array_equal(a["ids"], b["ids"])
            for a, b in zip(shards, reference, strict=True)
        )


def _fails_once(marker, number, X, y, w):
    """Shard 1's first attempt dies (leaving ``marker``); the others return rows."""
    if number == 1 and TaskContext.get().attemptNumber() == 0:
        marker.write_text("attempt 0 failed")
        raise RuntimeError("simulated executor failure")
    return _row_ids(number, X, y, w)


def test_fit_shards_survives_a_failed_task(sdf, tmp_path):
    # A task retried after a failure gives the results of an undisturbed run.
    columns = sio.resolve_columns(sdf, y="label", features=["id", "x0"])
    undisturbed = ssh.fit_shards(sdf, columns, 3, 11, _row_ids)
    marker = tmp_path / "failed"
    retried = ssh.fit_shards(
        sdf, columns, 3, 11, functools.partial(_fails_once, marker)
    )
    assert marker.exists()
    assert retried == undisturbed


def _logistic_coefficients(number, X, y, w):
    model = LogisticRegression(max_iter=500).fit(X, y, sample_weight=w)
    return pickle.dumps(np.concatenate([model.coef_.ravel(), model.intercept_]))


def test_fit_shards_on_rows_matches_in_memory_fits(spark, table):
    # For the same shard plan (and row order) Spark's shard models are the
    # in-memory ones.
    rng = np.random.default_rng(3)
    plan = np.array_split(rng.permutation(len(table)), 4)
    shard = np.empty(len(table), dtype=np.int64)
    order = np.empty(len(table), dtype=np.int64)
    for number, rows in enumerate(plan):
        shard[rows] = number
        order[rows] = np.arange(rows.size)
    frame = spark.createDataFrame(table.assign(shard=shard, order=order))
    columns = sio.resolve_columns(
        frame, y="label", sample_weight="weight", features=["x0", "x1", "x2"]
    )
    payloads = ssh.fit_shards_on_rows(
        frame, columns, "shard", 4, _logistic_coefficients, order_column="order"
    )
    X = table[["x0", "x1", "x2"]].to_numpy()
    y, w = table["label"].to_numpy(), table["weight"].to_numpy()
    for rows, payload in zip(plan, payloads, strict=True):
        expected = _logistic_coefficients(0, X[rows], y[rows], w[rows])
        np.testing.assert_allclose(
            pickle.loads(payload), pickle.loads(expected), rtol=1e-9, atol=0
        )


def test_fit_shards_on_rows_rejects_bad_plans(spark, table):
    # Shard numbers out of range, or shards without rows, are refused.
    frame = spark.createDataFrame(table.assign(shard=table["id"] % 3))
    columns = sio.resolve_columns(frame, y="label", features=["id", "x0"])
    with pytest.raises(ValueError, match=r"^400 rows .* outside 0\.\.1, and 0 of"):
        ssh.fit_shards_on_rows(frame, columns, "shard", 2, _row_ids)
    with pytest.raises(ValueError, match=r"^0 rows .* and 1 of the 4 shards"):
        ssh.fit_shards_on_rows(frame, columns, "shard", 4, _row_ids)
    with pytest.raises(TypeError, match="must hold integers"):
        ssh.fit_shards_on_rows(frame, columns, "x0", 4, _row_ids)


def _sleeps(number, X, y, w):
    time.sleep(60)
    return b""


@pytest.mark.filterwarnings("ignore:toPandas attempted Arrow optimization")
def test_fit_shards_timeout_cancels_the_job(spark, sdf):
    # A job that outlasts the session's spark.radonlearn.timeout is
    # cancelled; the session stays usable.
    columns = sio.resolve_columns(sdf, y="label", features=["id"])
    started = time.monotonic()
    spark.conf.set(sio.TIMEOUT_SETTING, "1")
    try:
        with pytest.raises(TimeoutError, match=r"timeout=1 s \(spark.radonlearn"):
            ssh.fit_shards(sdf, columns, 2, 0, _sleeps)
    finally:
        spark.conf.unset(sio.TIMEOUT_SETTING)
    assert time.monotonic() - started < 30
    assert spark.range(3).count() == 3


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_timeout_setting_that_is_not_a_positive_number_is_refused(spark, value):
    # The setting is read before the job starts, and a bad value is named.
    spark.conf.set(sio.TIMEOUT_SETTING, value)
    try:
        with pytest.raises(ValueError, match=r"spark\.radonlearn\.timeout must be"):
            sio._collect(spark.range(3), "counting rows")
    finally:
        spark.conf.unset(sio.TIMEOUT_SETTING)


class _Context:
    """A classic SparkContext's tag methods; ``_jsc`` None once it is stopped."""

    def __init__(self, stopped):
        self._jsc = None if stopped else self

    def sc(self):
        return self

    def isStopped(self):
        return self._jsc is None

    def addJobTag(self, tag):
        pass

    cancelJobsWithTag = removeJobTag = addJobTag


class _Session:
    """A classic SparkSession, as far as tags go."""

    def getTags(self):
        return set()


class _Frame:
    """A DataFrame whose collection fails with ``error``."""

    def __init__(self, error, stopped):
        self.error = error
        self.sparkSession = _Session()
        self.sparkSession.sparkContext = _Context(stopped)

    def toPandas(self):
        raise self.error


@pytest.mark.parametrize(
    ("error", "stopped", "expected"),
    [
        # What pyspark raises when the session is stopped mid-job ...
        (
            AttributeError("'NoneType' has no attribute 'setCallSite'"),
            True,
            ConnectionError,
        ),
        # ... or, before the Python side has noticed, in the JVM's words ...
        (
            RuntimeError("Job 6 cancelled because SparkContext was shut down"),
            False,
            ConnectionError,
        ),
        # ... and when the driver JVM dies (the py4j socket is refused).
        (ConnectionRefusedError(111, "Connection refused"), False, ConnectionError),
        # Other errors pass through.
        (ValueError("bad input"), False, ValueError),
    ],
)
def test_collect_says_when_the_driver_is_gone(error, stopped, expected):
    # A stopped session or a dead JVM becomes a ConnectionError that says so.
    with pytest.raises(expected) as raised:
        sio._collect(_Frame(error, stopped), "fitting the shards")
    if expected is ConnectionError:
        assert "Lost the Spark driver while fitting the shards" in str(raised.value)


@pytest.mark.parametrize("timeout", [None, 30])
def test_collect_passes_quick_errors_through(timeout):
    # An error before the timeout is the error, not a TimeoutError.
    with pytest.raises(ValueError, match="bad input"):
        sio._collect(_Frame(ValueError("bad input"), False), "counting", timeout)


def test_collect_abandons_a_driver_that_does_not_answer(monkeypatch):
    # A hung driver (collection never returns, cancelling does nothing) does
    # not hang the caller beyond timeout plus the grace period.
    monkeypatch.setattr(sio, "_CANCEL_GRACE", 0.2)
    hung = _Frame(None, False)
    hung.toPandas = lambda: time.sleep(5)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="Spark did not answer"):
        sio._collect(hung, "fitting the shards", timeout=0.3)
    assert time.monotonic() - started < 2


# ---------------------------------------------------------------------------
# Vector columns and predictions
# ---------------------------------------------------------------------------


def _vector_table(spark, table, mixed):
    """Features (id, x0, 0, x2) as dense vectors, or as dense and sparse in turn."""
    rows = []
    for place, record in enumerate(table.itertuples()):
        values = [float(record.id), record.x0, 0.0, record.x2]
        vector = Vectors.dense(values)
        if mixed and place % 2:
            vector = Vectors.sparse(4, {i: v for i, v in enumerate(values) if v})
        rows.append((vector, int(record.label)))
    return spark.createDataFrame(rows, ["features", "label"])


def _matrix_kind(number, X, y, w):
    """fit_shard for the tests: the matrix's type and its rows, densified."""
    dense = X.toarray() if hasattr(X, "toarray") else X
    return pickle.dumps((type(X).__name__, dense))


def test_vector_columns_dense_or_sparse_read_the_same(spark, table):
    # Dense and sparse vectors give the same rows; columns.sparse gives CSR.
    dense = _vector_table(spark, table, mixed=False)
    mixed = _vector_table(spark, table, mixed=True)
    columns = sio.resolve_columns(dense, y="label")
    expected = np.column_stack(
        [table["id"], table["x0"], np.zeros(len(table)), table["x2"]]
    )
    for frame, as_sparse in [(dense, False), (mixed, True)]:
        read = dataclasses.replace(columns, sparse=as_sparse)
        shards = _unpickled(ssh.fit_shards(frame, read, 2, 0, _matrix_kind))
        kinds = {kind for kind, _ in shards}
        assert kinds == {"csr_matrix" if as_sparse else "ndarray"}
        X = np.vstack([matrix for _, matrix in shards])
        np.testing.assert_array_equal(X[np.argsort(X[:, 0])], expected)


def test_predict_frame_matches_the_model(spark, sdf, table):
    # Predictions added lazily equal the model's own on the same rows.
    table3 = _table(n=600, n_classes=3, seed=4)
    frame = spark.createDataFrame(table3.drop(columns=["weight"]))
    columns = sio.resolve_columns(frame, y="label", features=["x0", "x1", "x2"])
    X = table3[["x0", "x1", "x2"]].to_numpy()
    classifier = LogisticRegression().fit(X, table3["label"])
    regressor = Ridge().fit(X, table3["x0"] + table3["x1"])
    context = spark.sparkContext
    # The workers' check (one job, once per session) is not the prediction.
    check_spark(spark)
    context.setJobGroup("predict-frame-is-lazy", "no job expected")
    scored = spr.predict_frame(frame, columns, classifier, "predict", "prediction")
    scored = spr.predict_frame(scored, columns, classifier, "predict_proba", "proba")
    scored = spr.predict_frame(scored, columns, regressor, "predict", "fitted")
    assert context.statusTracker().getJobIdsForGroup("predict-frame-is-lazy") == []
    context.setLocalProperty("spark.jobGroup.id", None)
    types = dict(scored.dtypes)
    assert (types["prediction"], types["proba"], types["fitted"]) == (
        "bigint",
        "array<double>",
        "double",
    )
    result = scored.orderBy("id").toPandas()
    np.testing.assert_array_equal(result["prediction"], classifier.predict(X))
    np.testing.assert_allclose(
        np.stack(result["proba"]), classifier.predict_proba(X), rtol=1e-12
    )
    np.testing.assert_allclose(result["fitted"], regressor.predict(X), rtol=1e-12)
    with pytest.raises(ValueError, match="already a column"):
        spr.predict_frame(scored, columns, classifier, "predict", "fitted")
    with pytest.raises(ValueError, match="lacks the numeric feature column"):
        spr.predict_frame(frame.drop("x1"), columns, classifier)


def test_predict_frame_on_a_vector_column(spark, table):
    # A vector column is read as at fit time; binary decision_function is a double.
    part = table.iloc[::4]
    frame = _vector_table(spark, part, mixed=True)
    columns = sio.resolve_columns(frame, y="label")
    X = np.column_stack([part["id"], part["x0"], np.zeros(len(part)), part["x2"]])
    model = LogisticRegression(max_iter=1000).fit(X, part["label"])
    scored = spr.predict_frame(frame, columns, model, "decision_function", "score")
    assert dict(scored.dtypes)["score"] == "double"
    result = scored.toPandas()
    order = np.argsort([vector[0] for vector in result["features"]])
    np.testing.assert_allclose(
        result["score"].to_numpy()[order], model.decision_function(X), rtol=1e-12
    )
