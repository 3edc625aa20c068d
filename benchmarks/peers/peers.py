"""The peers: dask-ml and Spark MLlib, each started once and shared.

Both are optional: a missing package or a failure is reported in the
peer's row and the run goes on. The peers run after every in-process
method of every scenario, one peer at a time (see :func:`run_peers`).
"""

import importlib
import math
import os
import shutil
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score

from .measure import local_cluster, time_fits
from .report import Result, record, short_reason, status_text

__all__ = ["DaskPeer", "SparkPeer", "run_peers"]

# Rows per Dask chunk, as a target; chunks are balanced around it.
DASK_CHUNK_ROWS = 100_000


def _warm_up_data(n_samples=2_000, n_features=4):
    """A small binary problem for the peers' untimed warm-up fits."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    y = (X[:, 0] + rng.standard_normal(n_samples) > 0).astype(np.int64)
    return X, y


def _import_failure(*modules):
    """A skip reason naming the first of ``modules`` that does not import."""
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:
            return f"skipped: {module} does not import ({short_reason(error)})"
    return None


def _close_quietly(close, what):
    """Call ``close()``; print a note instead of raising if it fails."""
    try:
        close()
    except Exception as error:
        print(f"note: {what}: {short_reason(error)}")


class _Peer:
    """A peer started once, on first use, and shared by all scenarios.

    Subclasses set ``name`` and ``launch_step`` and define ``unavailable``,
    ``_launch`` (start the engine and run one untimed warm-up fit), ``_fit``
    (fill in a row) and ``stop``; ``_skip_reason`` may refuse a scenario.
    """

    name = None
    launch_step = None

    def __init__(self, n_workers):
        self.n_workers = n_workers
        self.launched = False
        self.error = None
        self.start_seconds = None

    def _skip_reason(self, split):
        """Why this peer leaves out a scenario, or None."""
        return None

    def start(self):
        """Start once; remember a failure instead of retrying."""
        if self.launched or self.error is not None:
            return
        started = time.perf_counter()
        try:
            self._launch()
            self.launched = True
        except Exception as error:
            self.error = f"failed: {self.launch_step}: {short_reason(error)}"
        self.start_seconds = time.perf_counter() - started

    def run(self, scenario, split, repeats):
        """Start if needed, then fit and score; a row that says why not else."""
        result = Result(self.name)
        reason = self._skip_reason(split)
        if reason:
            result.status = reason
            return result
        self.start()
        if self.error:
            result.status = self.error
            return result
        self._fit(result, scenario, split, repeats)
        return result


class DaskPeer(_Peer):
    """``dask_ml.linear_model.LogisticRegression`` on a local Dask cluster."""

    name = "dask-ml"
    launch_step = "cluster start"

    def __init__(self, n_workers):
        super().__init__(n_workers)
        self.client = self.cluster = None

    def unavailable(self):
        """Why this peer cannot run here, or None."""
        return _import_failure("dask_ml", "distributed")

    def _skip_reason(self, split):
        """dask-ml's logistic regression takes binary targets only."""
        if split.task != "binary":
            return "skipped: dask-ml LogisticRegression is binary only"
        return None

    def _launch(self):
        """Start the cluster, then one untimed fit: worker imports, first tasks."""
        import dask.array as da
        from dask_ml.linear_model import LogisticRegression as DaskLogistic
        from distributed import Client

        self.cluster = local_cluster(self.n_workers)
        self.client = Client(self.cluster)
        X, y = _warm_up_data()
        chunks = len(y) // self.n_workers
        DaskLogistic(solver="lbfgs", max_iter=20).fit(
            da.from_array(X, chunks=(chunks, X.shape[1])),
            da.from_array(y, chunks=chunks),
        )

    def _fit(self, result, scenario, split, repeats):
        """Persist the training rows on the cluster, then time ``fit``."""
        import dask.array as da
        from dask_ml.linear_model import LogisticRegression as DaskLogistic
        from distributed import wait

        n_rows, n_features = split.X_train.shape
        n_chunks = max(self.n_workers, math.ceil(n_rows / DASK_CHUNK_ROWS))
        rows = math.ceil(n_rows / n_chunks)
        X = da.from_array(split.X_train, chunks=(rows, n_features))
        y = da.from_array(split.y_train, chunks=rows)
        data = self.client.persist([X, y])
        wait(data)
        try:
            fits = time_fits(
                lambda: DaskLogistic(solver="lbfgs", max_iter=200).fit(*data),
                repeats,
                note_convergence=False,
            )
        finally:
            data.clear()  # let the cluster forget the rows
        model = record(result, fits)
        scores = np.asarray(model.decision_function(split.X_test))
        result.score = roc_auc_score(split.y_test, scores)
        result.notes.append(f"lbfgs, {n_chunks} chunks of {rows:,} rows")

    def stop(self):
        """Close the client and the cluster."""
        for closable in (self.client, self.cluster):
            if closable is not None:
                _close_quietly(closable.close, "closing Dask")


class SparkPeer(_Peer):
    """Spark MLlib's ``LogisticRegression`` on a ``local[N]`` session."""

    name = "spark"
    launch_step = "session start"

    def __init__(self, n_workers):
        super().__init__(n_workers)
        self.session = None

    def unavailable(self):
        """Why this peer cannot run here, or None."""
        reason = _import_failure("pyspark")
        if reason:
            return reason
        if shutil.which("java") is None:
            return "skipped: java is not on PATH"
        return None

    def _launch(self):
        """Start the session, then one untimed fit: class loading, JIT warm-up."""
        from pyspark.ml.classification import LogisticRegression as SparkLogistic
        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        self.session = (
            SparkSession.builder.master(f"local[{self.n_workers}]")
            .appName("radonlearn-compare-peers")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")
        X, y = _warm_up_data()
        SparkLogistic(maxIter=20).fit(self._frame(X, y).cache())

    def _frame(self, X, labels):
        """A DataFrame with a ``features`` vector column and a ``label``."""
        import pandas as pd
        from pyspark.ml.feature import VectorAssembler

        columns = [f"x{i}" for i in range(X.shape[1])]
        table = pd.DataFrame(X, columns=columns)
        table["label"] = labels.astype(np.float64)
        assembler = VectorAssembler(inputCols=columns, outputCol="features")
        frame = assembler.transform(self.session.createDataFrame(table))
        return frame.select("features", "label")

    def _fit(self, result, scenario, split, repeats):
        """Cache the training rows in Spark, then time ``fit``."""
        from pyspark.ml.classification import LogisticRegression as SparkLogistic
        from pyspark.ml.functions import vector_to_array

        classes = np.unique(split.y_train)
        train = self._frame(split.X_train, np.searchsorted(classes, split.y_train))
        train = train.repartition(self.n_workers).cache()
        train.count()
        try:
            model = record(
                result,
                time_fits(
                    lambda: SparkLogistic(maxIter=100).fit(train),
                    repeats,
                    note_convergence=False,
                ),
            )
            test = self._frame(split.X_test, np.zeros(len(split.y_test)))
            column = vector_to_array("probability").alias("p")
            rows = model.transform(test).select(column).toPandas()["p"]
            proba = np.vstack(rows.to_numpy())
            iterations = model.summary.totalIterations
        finally:
            train.unpersist()
        if scenario.metric == "accuracy":
            predicted = classes[proba.argmax(axis=1)]
            result.score = accuracy_score(split.y_test, predicted)
        else:
            result.score = roc_auc_score(split.y_test, proba[:, 1])
        result.notes.append(
            f"L-BFGS, regParam 0, {iterations} iterations, {self.n_workers} partitions"
        )

    def stop(self):
        """Stop the Spark session (and its JVM)."""
        if self.session is not None:
            _close_quietly(self.session.stop, "stopping Spark")


def _run_peer(peer, scenario, split, args):
    """Run one peer on one scenario, or a row that says why not."""
    if not args.with_peers:
        return Result(peer.name, status="skipped: --quick (add --with-peers)")
    reason = peer.unavailable()
    if reason:
        return Result(peer.name, status=reason)
    return peer.run(scenario, split, args.repeats)


def run_peers(peers, reports, args):
    """Each peer on every classification scenario, one peer at a time.

    A peer's processes (the Dask cluster, Spark's JVM) keep working while
    idle (heartbeats, garbage collection) and are counted by the memory
    readings of child processes: so the peers start only after every
    in-process method of every scenario has been measured, and each peer is
    stopped before the next starts. ``reports`` holds ``(scenario, split,
    results)``; each peer's row is appended to ``results``.
    """
    for peer in peers:
        try:
            for scenario, split, results in reports:
                if not split.is_classification:
                    continue
                print(
                    f"   fitting {peer.name} on {scenario.name} ...", end="", flush=True
                )
                try:
                    result = _run_peer(peer, scenario, split, args)
                except Exception as error:
                    result = Result(peer.name, status=f"failed: {short_reason(error)}")
                print(" " + status_text(result))
                results.append(result)
        finally:
            peer.stop()
