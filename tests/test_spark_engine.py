"""The Spark engine: RadonMachine fit and predict on Spark DataFrames."""

import os
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils import check_random_state

from radonlearn import RadonMachineClassifier, RadonMachineRegressor
from radonlearn._engines import _spark
from radonlearn._engines import _spark_shards as ssh
from radonlearn._engines._spark_partitions import deal
from radonlearn._shards import MAX_SEED, ShardPlanner, shard_seeds

if not os.environ.get("CI"):
    pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")

from pyspark import TaskContext, cloudpickle  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module", autouse=True)
def _by_value(spark):
    """Learners defined here travel by value: workers cannot import this module."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _frame(X, y, weight=None):
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["label"] = y
    if weight is not None:
        frame["weight"] = weight
    return frame


@pytest.fixture(scope="module")
def binary(spark):
    """A binary problem: the pandas frame and the same rows as a Spark DataFrame."""
    X, y = make_classification(
        n_samples=3000, n_features=4, n_informative=3, n_redundant=0, random_state=0
    )
    frame = _frame(X, y)
    return frame, spark.createDataFrame(frame).repartition(4).cache()


def test_fit_and_predict_a_spark_dataframe(binary):
    # fit takes the label column by name, fits on the executors and gives a
    # model whose predictions on the collected rows match the prediction
    # column it adds to a Spark DataFrame.
    frame, sdf = binary
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    machine.fit(sdf, y="label")
    assert machine.n_shards_ == 7 and machine.hypotheses_.shape == (7, 5)
    assert list(machine.feature_names_in_) == ["x0", "x1", "x2", "x3"]
    assert machine.height_plan_["backend"] == "spark"
    scored = machine.predict(sdf).toPandas()
    expected = machine.estimator_.predict(scored[["x0", "x1", "x2", "x3"]].to_numpy())
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), expected)
    proba = machine.predict_proba(sdf).select("probability").toPandas()
    assert np.allclose(np.stack(proba["probability"]).sum(axis=1), 1.0)
    local = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    local.fit(frame[["x0", "x1", "x2", "x3"]], frame["label"])
    X = frame[["x0", "x1", "x2", "x3"]]
    assert abs(machine.score(X, frame["label"]) - local.score(X, frame["label"])) < 0.02


def test_same_shard_plan_gives_the_in_memory_model(monkeypatch, spark):
    # For the in-memory engine's shard plan (rows, their order, the seeds),
    # Spark gives the same hypotheses and aggregate to rtol 1e-9.
    X, y = make_regression(n_samples=2000, n_features=3, noise=1.0, random_state=1)
    frame = _frame(X, y)
    plans = []
    original = ShardPlanner.shards

    def recording(self, height):
        plans.append(original(self, height))
        return plans[-1]

    monkeypatch.setattr(ShardPlanner, "shards", recording)
    local = RadonMachineRegressor(Ridge(), height=1, random_state=3)
    local.fit(frame[["x0", "x1", "x2"]], frame["label"])
    shards = plans[-1]
    shard_of = np.empty(len(frame), dtype=np.int64)
    place = np.empty(len(frame), dtype=np.int64)
    for number, rows in enumerate(shards):
        shard_of[rows] = number
        place[rows] = np.arange(len(rows))
    # One partition: a row's monotonically increasing id is its place.
    sdf = spark.createDataFrame(frame).coalesce(1)

    def by_the_local_plan(data, placement, n_shards, seed, fit_shard):
        lookup = F.array(*[F.lit(int(s)) for s in shard_of])
        order = F.array(*[F.lit(int(p)) for p in place])
        index = (F.monotonically_increasing_id() + 1).cast("int")
        placed = data.sdf.withColumn("shard", F.element_at(lookup, index))
        placed = placed.withColumn("order", F.element_at(order, index))
        payloads = ssh.fit_shards_on_rows(
            placed, data.columns, "shard", n_shards, fit_shard, order_column="order"
        )
        return payloads, "the in-memory plan"

    monkeypatch.setattr(_spark, "place_and_fit", by_the_local_plan)
    remote = RadonMachineRegressor(Ridge(), height=1, random_state=3)
    remote.fit(sdf, y="label")
    np.testing.assert_allclose(remote.hypotheses_, local.hypotheses_, rtol=1e-9)
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-9)


def test_partition_shards_are_the_in_memory_fits_of_their_rows(monkeypatch, spark):
    # Default placement: every partition deals its own rows into its shards.
    # Refitting each shard in memory from the partition's rows, dealt with
    # the same seed, gives the same hypotheses (rtol 1e-9), and every row is
    # in exactly one shard.
    X, y = make_classification(
        n_samples=2400, n_features=3, n_informative=3, n_redundant=0, random_state=4
    )
    sdf = spark.createDataFrame(_frame(X, y)).repartition(3).cache()
    recorded = {}
    original = _spark.fit_partitions

    def recording(sdf, columns, numbers, seed, fit_shard, **options):
        recorded.update(numbers=numbers, seed=seed, options=options)
        return original(sdf, columns, numbers, seed, fit_shard, **options)

    monkeypatch.setattr(_spark, "fit_partitions", recording)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=2)
    machine.fit(sdf, y="label")
    assert machine.height_plan_["placement"].startswith("each of 3 partitions")
    assert recorded["options"]["by_class"] and recorded["options"]["groups"] is None
    rows = sdf.withColumn("p", F.spark_partition_id()).toPandas()
    base_seed = int(check_random_state(2).randint(MAX_SEED))
    seen = []
    for partition, numbers in recorded["numbers"].items():
        part = rows[rows["p"] == partition]
        Xp, yp = part[["x0", "x1", "x2"]].to_numpy(), part["label"].to_numpy()
        dealt = deal(yp, len(numbers), [recorded["seed"], partition], by_class=True)
        for number, index in zip(numbers, dealt, strict=True):
            seed = shard_seeds(base_seed, machine.n_shards_)[number]
            model = LogisticRegression(random_state=int(seed)).fit(Xp[index], yp[index])
            vector = np.concatenate([model.coef_.ravel(), model.intercept_])
            np.testing.assert_allclose(machine.hypotheses_[number], vector, rtol=1e-9)
            seen.append(part.index[index])
    assert np.array_equal(np.sort(np.concatenate(seen)), np.arange(len(rows)))


def test_partitions_in_label_order_limit_auto_and_refuse_explicit(spark):
    # Partitions that each hold one class: height="auto" warns and fits one
    # model on all rows, an explicit height is refused with the way out, and
    # dask_shuffle=True deals the rows over all shards instead.
    X, y = make_classification(
        n_samples=6000,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        n_classes=4,
        random_state=5,
    )
    sdf = spark.createDataFrame(_frame(X, y)).repartitionByRange(4, "label").cache()
    with pytest.warns(UserWarning, match="label order") as record:
        auto = RadonMachineClassifier(LogisticRegression(), random_state=0)
        auto.fit(sdf, y="label")
    # The warning names the line of the user's code that called fit.
    named = {item.filename for item in record if "label order" in str(item.message)}
    assert named == {__file__}
    assert auto.height_plan_["chosen"] == 0
    with pytest.raises(ValueError, match="dask_shuffle=True"):
        RadonMachineClassifier(LogisticRegression(), height=1).fit(sdf, y="label")
    shuffled = RadonMachineClassifier(
        LogisticRegression(), height=1, dask_shuffle=True, random_state=0
    ).fit(sdf, y="label")
    assert shuffled.height_plan_["placement"].startswith("rows dealt over all shards")
    plain = LogisticRegression().fit(X, y).score(X, y)
    assert shuffled.score(X, y) > plain - 0.03


class FailsOnceOnShardOne(LogisticRegression):
    """Fails on the first attempt of the task that fits shard 1."""

    def fit(self, X, y, sample_weight=None):
        context = TaskContext.get()
        if context is not None and context.partitionId() == 1:
            if context.attemptNumber() == 0:
                raise RuntimeError("executor lost (simulated)")
        return super().fit(X, y, sample_weight=sample_weight)


def test_a_failed_task_is_retried_and_gives_the_same_model(binary):
    # A shard task that fails on its first attempt is retried by Spark; the
    # fit completes with the model of an undisturbed fit.
    _, sdf = binary
    calm = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    calm.fit(sdf, y="label")
    disturbed = RadonMachineClassifier(FailsOnceOnShardOne(), height=1, random_state=0)
    disturbed.fit(sdf, y="label")
    np.testing.assert_array_equal(disturbed.hypotheses_, calm.hypotheses_)


def test_weights_and_auto_height_on_spark(spark):
    # A weight column is split with the rows; height="auto" plans from a
    # sample drawn with Spark and says why.
    X, y = make_regression(n_samples=4000, n_features=3, noise=1.0, random_state=2)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    sdf = spark.createDataFrame(_frame(X, y, w))
    machine = RadonMachineRegressor(Ridge(), random_state=0)
    machine.fit(sdf, y="label", sample_weight="weight")
    assert machine.height_plan_["reason"]
    assert np.isfinite(machine.coef_).all()
    full = Ridge().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(machine.coef_, full.coef_, rtol=0.05)


@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda f: f.withColumn("x1", F.lit("a")), TypeError, "x1"),
        (lambda f: f.withColumn("x1", F.lit(float("nan"))), ValueError, "x1"),
        (lambda f: f.withColumn("x1", F.lit(float("inf"))), ValueError, "infinite"),
        (lambda f: f.drop("label"), ValueError, "label"),
    ],
)
def test_bad_spark_input_is_refused_clearly(binary, change, error, match):
    # Text features, NaN or infinite values and a missing label column are
    # refused with errors that name the column, and nothing stays fitted.
    _, sdf = binary
    machine = RadonMachineClassifier(height=1)
    with pytest.raises(error, match=match):
        machine.fit(change(sdf), y="label")
    assert not hasattr(machine, "coef_")


@pytest.mark.parametrize("height", [1, "auto"])
def test_one_bad_value_anywhere_is_found_and_named(binary, height):
    # A single NaN in one row, wherever it is, is refused with the column's
    # name and its count of bad rows, before any model is published.
    frame, sdf = binary
    last = float(frame["x0"].max())
    bad = sdf.withColumn(
        "x2", F.when(F.col("x0") == last, float("nan")).otherwise(F.col("x2"))
    )
    machine = RadonMachineClassifier(LogisticRegression(), height=height)
    with pytest.raises(ValueError, match=r"'x2' \(1\)"):
        machine.fit(bad, y="label")
    assert not hasattr(machine, "coef_")


def test_label_given_as_values_is_refused(binary):
    # y must name a column when X is a Spark DataFrame.
    frame, sdf = binary
    with pytest.raises((TypeError, ValueError), match="column"):
        RadonMachineClassifier(height=1).fit(sdf, y=frame["label"].to_numpy())


def test_other_fit_parameters_are_refused(binary):
    # Per-row parameters cannot be split with rows that live on executors.
    _, sdf = binary
    with pytest.raises(ValueError, match="not supported with a Spark"):
        RadonMachineClassifier(height=1).fit(sdf, y="label", offset=np.zeros(3))


def test_predicting_spark_rows_needs_a_spark_fit(binary):
    # A model fitted on arrays says how to predict a Spark DataFrame.
    frame, sdf = binary
    machine = RadonMachineClassifier(height=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        machine.fit(frame[["x0", "x1", "x2", "x3"]], frame["label"])
    with pytest.raises(TypeError, match="not fitted on a Spark DataFrame"):
        machine.predict(sdf)


@pytest.mark.parametrize("height", [0, 1])
def test_partitions_outnumbering_shards_are_grouped_whole(spark, height):
    # With more partitions than shards, whole partitions are grouped into one
    # task per shard (no shuffle): every row is fitted once, and the model
    # is that of a fit on all rows, within the shards' noise.
    X, y = make_regression(n_samples=6000, n_features=3, noise=1.0, random_state=6)
    sdf = spark.createDataFrame(_frame(X, y)).repartition(12).cache()
    machine = RadonMachineRegressor(Ridge(), height=height, random_state=0)
    machine.fit(sdf, y="label")
    assert "grouped whole" in machine.height_plan_["placement"]
    assert machine.n_shards_ == machine.radon_number_**height
    np.testing.assert_allclose(machine.coef_, Ridge().fit(X, y).coef_, rtol=0.02)


def test_string_labels_missing_from_the_first_rows_are_fetched(spark):
    # The layout rows of an explicit height are the first rows plus one row
    # of every class they lack, found by filtering on the label, strings too.
    X, y = make_classification(
        n_samples=2400, n_features=3, n_informative=3, n_redundant=0, random_state=7
    )
    order = np.argsort(y, kind="stable")
    frame = _frame(X[order], np.where(y[order] == 1, "yes", "no"))
    sdf = spark.createDataFrame(frame).cache()
    machine = RadonMachineClassifier(
        LogisticRegression(), height=1, dask_shuffle=True, random_state=0
    ).fit(sdf, y="label")
    assert list(machine.classes_) == ["no", "yes"]
    assert machine.score(frame[["x0", "x1", "x2"]], frame["label"]) > 0.8


@pytest.mark.parametrize("height", [1, "auto"])
def test_empty_partitions_fit_like_any_other_layout(spark, height):
    # Hash repartitioning on a key with fewer values than partitions leaves
    # partitions empty (here 3 keys over 4 partitions, at least one empty):
    # their tasks fit nothing and the fit goes on (it failed inside the
    # worker: "Must pass schema, or at least one RecordBatch").
    X, y = make_regression(n_samples=8000, n_features=3, random_state=0)
    frame = _frame(X, y)
    frame["k"] = np.arange(len(frame)) % 3
    sdf = spark.createDataFrame(frame).repartition(4, "k").drop("k")
    sizes = sdf.rdd.glom().map(len).collect()
    assert 0 in sizes and sum(sizes) == len(frame)
    machine = RadonMachineRegressor(Ridge(), height=height, random_state=0)
    machine.fit(sdf, y="label")
    assert machine.height_ >= (1 if height == 1 else 0)
    full = Ridge().fit(X, y)
    np.testing.assert_allclose(machine.coef_, full.coef_, rtol=0.05)


def test_a_task_of_an_empty_partition_fits_nothing():
    # Spark may hand a task no batch at all, or only empty ones: it answers
    # nothing (pa.Table.from_batches([]) raised "Must pass schema").
    from radonlearn._engines._spark_partitions import _fit_partition

    def never(*args):
        raise AssertionError("no shard to fit")

    options = {
        "columns": None,
        "numbers": {},
        "expected": None,
        "seed": 0,
        "fit_shard": never,
        "by_class": False,
    }
    assert list(_fit_partition(iter([]), **options)) == []
