"""Side-by-side benchmark of the Radon machine and its peers, in one process.

For each scenario (an inner linear estimator on a data set) this script fits,
on the same training rows and the same cores:

``base``
    the inner scikit-learn estimator on all training rows;
``radon``
    ``RadonMachineClassifier`` / ``RadonMachineRegressor`` with
    ``height="auto"`` and ``n_jobs=N``;
``mean``
    the same shard plan, averaged instead (``aggregation="mean"``);
``bagging``
    scikit-learn's ``BaggingClassifier`` / ``BaggingRegressor`` with ``N``
    bags of ``1/N`` of the rows each, fitted in parallel;
``dask-ml``
    ``dask_ml.linear_model.LogisticRegression`` on a local Dask cluster of
    ``N`` single-threaded worker processes (binary classification only);
``spark``
    Spark MLlib's ``LogisticRegression`` on a ``local[N]`` Spark session
    (classification only).

It reports the median fit wall time over ``--repeats`` runs, the speed-up
over ``base``, the peak memory of the fit (the resident set size of this
process, read every 2 ms, plus the proportional set size, PSS, of all its
children on Linux, else their resident set size, read every 20 ms; minus
the value just before the fit; in one more fit after the timed ones, so
that the sampling does not slow them) and a score on a
held-out 25% of the rows (the synthetic scenarios generate a third more rows
than their stated size, so that the stated size is fitted), prints one table per
scenario and writes them to a Markdown file (``docs/benchmarks.md`` by
default). dask-ml and Spark are optional: a missing package or a failure is
reported in its row and the run goes on. They are left out of ``--quick``
runs unless ``--with-peers`` is given.

Usage::

    python benchmarks/compare_peers.py --quick
    python benchmarks/compare_peers.py --n-jobs 2 --repeats 3
    python benchmarks/compare_peers.py --quick --with-peers --scenarios logistic

Optional requirements are listed in ``benchmarks/requirements.txt``.
"""

import argparse
import gc
import importlib
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import datasets
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, QuantileRegressor, Ridge
from sklearn.metrics import accuracy_score, mean_absolute_error, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.validation import has_fit_parameter
from threadpoolctl import threadpool_info, threadpool_limits

from radonlearn import RadonMachineClassifier, RadonMachineRegressor
from radonlearn._machine import release_freed_memory

try:
    import psutil
except ImportError:  # peak memory is then reported as n/a
    psutil = None


def _pss_available():
    """Whether psutil reports the proportional set size here (Linux)."""
    try:
        return hasattr(psutil.Process().memory_full_info(), "pss")
    except (AttributeError, psutil.Error):
        return False


PSS_AVAILABLE = psutil is not None and _pss_available()


def _release_free_memory():
    """Collect garbage and give freed memory back to the system (glibc only).

    glibc keeps freed blocks, and after the first large free it serves even
    large arrays from its heap, where they stay resident when freed. A fit
    measured after another would then reuse that memory and seem to need
    none; radonlearn's ``release_freed_memory`` (``malloc_trim(0)``) returns
    it, so every fit starts from the same footing.
    """
    gc.collect()
    release_freed_memory()


REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
METHODS = ("base", "radon", "mean", "bagging", "dask-ml", "spark")
PEERS = ("dask-ml", "spark")
# Rows per Dask chunk, as a target; chunks are balanced around it.
DASK_CHUNK_ROWS = 100_000
SAMPLE_INTERVAL = 0.002
# Imported in every joblib worker before the first timed fit.
WORKER_MODULES = (
    "scipy.optimize",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "sklearn.svm",
    "radonlearn",
)
METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "accuracy": "accuracy",
    "mae": "MAE (lower is better)",
}


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A data set, an inner estimator and the score to report.

    Attributes
    ----------
    name : str
        Name used by ``--scenarios``.
    load : callable
        ``load(quick) -> (X, y, task, description)``.
    estimator : callable
        Returns a fresh, unfitted inner estimator.
    metric : {"roc_auc", "accuracy", "mae"}
        Test score.
    scale : bool
        Standardise the features (fitted on the training rows) first.
    """

    name: str
    load: Callable
    estimator: Callable
    metric: str
    scale: bool = False


def _sized(loader, quick_size, full_size, **kwargs):
    """A ``load(quick)`` function for ``quick_size``/``full_size`` training rows.

    One third more rows are generated, so that the 25 % test split leaves
    the stated size (the size the targets speak of) to fit on.
    """

    def load(quick):
        return loader((quick_size if quick else full_size) * 4 // 3, **kwargs)

    return load


def _fixed(loader):
    """A ``load(quick)`` function for a data set of fixed size."""

    def load(quick):
        return loader()

    return load


SCENARIOS = {
    scenario.name: scenario
    for scenario in [
        Scenario(
            "quantile",
            _sized(datasets.heavy_tailed_regression, 12_000, 40_000),
            lambda: QuantileRegressor(alpha=0, solver="highs"),
            "mae",
        ),
        Scenario(
            "linearsvc",
            _sized(datasets.classification, 40_000, 200_000, name="linearsvc"),
            lambda: LinearSVC(dual=True),
            "roc_auc",
        ),
        Scenario(
            "logistic",
            _sized(datasets.classification, 150_000, 1_000_000, name="logistic"),
            LogisticRegression,
            "roc_auc",
        ),
        Scenario(
            "breast_cancer",
            _fixed(datasets.breast_cancer),
            LogisticRegression,
            "roc_auc",
            scale=True,
        ),
        Scenario(
            "digits",
            _fixed(datasets.digits),
            LogisticRegression,
            "accuracy",
            scale=True,
        ),
        Scenario("diabetes", _fixed(datasets.diabetes), Ridge, "mae", scale=True),
        Scenario(
            "flights",
            _fixed(datasets.flights),
            LogisticRegression,
            "roc_auc",
            scale=True,
        ),
    ]
}


@dataclass
class Split:
    """The train and test rows of one scenario."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    task: str
    description: datasets.Description

    @property
    def is_classification(self):
        """Whether the target holds class labels."""
        return self.task != "regression"


def prepare(scenario, quick):
    """Load a scenario's data and split off a stratified 25% test set."""
    X, y, task, description = scenario.load(quick)
    stratify = None if task == "regression" else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    if scenario.scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return Split(X_train, X_test, y_train, y_test, task, description)


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------


def _process_memory(process):
    """PSS of ``process`` when available (Linux), else its RSS, in bytes."""
    if PSS_AVAILABLE:
        return process.memory_full_info().pss
    return process.memory_info().rss


class PeakMemory:
    """Peak memory of this process and its children during a block.

    A background thread reads the resident set size (RSS) of this process
    every ``interval`` seconds (a cheap read, so short peaks are seen) and
    the memory of all its descendants (joblib, Dask and Spark workers) every
    ``CHILD_EVERY`` readings: their proportional set size (PSS) on Linux,
    which counts a page shared by k processes (a memory-mapped array that
    joblib hands to its workers) 1/k in each, else their RSS. ``peak_mb`` is
    the largest sum seen minus the sum just before the block, in MiB, or
    None when psutil is not installed.
    """

    CHILD_EVERY = 10

    def __init__(self, interval=SAMPLE_INTERVAL):
        self.interval = interval
        self.baseline = self.peak = 0
        self._children = 0
        self._stop = threading.Event()
        self._thread = None
        self._me = psutil.Process() if psutil is not None else None

    def _own(self):
        """RSS of this process, in bytes."""
        return self._me.memory_info().rss

    def _descendants(self):
        """Memory of all descendants of this process, in bytes (see above)."""
        try:
            processes = self._me.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += _process_memory(process)
            except psutil.Error:  # ended between listing and reading
                pass
        return total

    def _total(self):
        """This process's RSS plus its descendants' last reading."""
        return self._own() + self._children

    def _sample(self):
        """Thread body: keep the largest total until told to stop."""
        reading = 0
        while not self._stop.wait(self.interval):
            if reading % self.CHILD_EVERY == 0:
                self._children = self._descendants()
            reading += 1
            self.peak = max(self.peak, self._total())

    def __enter__(self):
        if psutil is not None:
            _release_free_memory()
            self._children = self._descendants()
            self.baseline = self.peak = self._total()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._children = self._descendants()
            self.peak = max(self.peak, self._total())
        return False

    @property
    def peak_mb(self):
        """Peak increase over the baseline in MiB (None without psutil)."""
        if psutil is None:
            return None
        return (self.peak - self.baseline) / 2**20


@dataclass
class Result:
    """One row of a scenario's table."""

    method: str
    times: list = field(default_factory=list)
    peak_mb: float | None = None
    score: float | None = None
    height: int | None = None
    shards: int | None = None
    notes: list = field(default_factory=list)
    status: str | None = None
    speedup: float | None = None

    @property
    def seconds(self):
        """Median fit time, or None when the method did not run."""
        return statistics.median(self.times) if self.times else None


@dataclass
class Fits:
    """What :func:`time_fits` measured."""

    model: object
    times: list
    peaks: list
    unconverged: bool


def time_fits(fit, repeats, note_convergence=True):
    """Call ``fit()`` ``repeats`` times timed, then once more for memory.

    The timed fits run without the memory sampler: reading a process's
    proportional set size makes the kernel walk its page tables (about 6 ms
    for a process holding a 1,000,000 x 18 array), which every 20 ms would
    take a third of one core from the fit being timed, and more from a fit
    that needs both cores. The extra fit measures the peak memory alone.
    Each fit runs in its own ``warnings.catch_warnings(record=True)``: a fit
    that leaves the warning filters changed cannot change them for the next
    one, and with ``note_convergence`` a ``ConvergenceWarning`` raised in
    this process is noted rather than printed. Other warnings are shown as
    usual. Leave ``note_convergence`` off for fits in joblib workers, which
    inherit this process's filters but not its recording, so would print
    them.

    Returns
    -------
    Fits
        The last model, the wall times, the peak memory of the memory fit
        and whether any fit warned that it did not converge.
    """
    times, peaks, model, unconverged = [], [], None, False
    for attempt in range(repeats + 1):
        timed = attempt < repeats
        model = None  # release the previous model before measuring again
        with (
            warnings.catch_warnings(record=True) as caught,
            nullcontext() if timed else PeakMemory() as memory,
        ):
            if note_convergence:
                warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model = fit()
            seconds = time.perf_counter() - start
        if timed:
            times.append(seconds)
        else:
            peaks.append(memory.peak_mb)
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                unconverged = True
            else:
                warnings.showwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
    return Fits(model, times, peaks, unconverged)


def record(result, fits):
    """Store the times, the largest peak and a convergence note in ``result``."""
    result.times = fits.times
    known = [peak for peak in fits.peaks if peak is not None]
    result.peak_mb = max(known) if known else None
    if fits.unconverged:
        result.notes.append("ConvergenceWarning")
    return fits.model


def short_reason(error, limit=90):
    """First line of an exception, prefixed with its type, at most ``limit``."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def evaluate(metric, model, X, y):
    """Test score of a fitted scikit-learn-style model."""
    if metric == "mae":
        return mean_absolute_error(y, model.predict(X))
    if metric == "accuracy":
        return accuracy_score(y, model.predict(X))
    if hasattr(model, "decision_function"):
        scores = model.decision_function(X)
    else:
        scores = model.predict_proba(X)[:, 1]
    return roc_auc_score(y, np.asarray(scores))


# --------------------------------------------------------------------------
# scikit-learn methods: base, radon, mean, bagging
# --------------------------------------------------------------------------


def make_sklearn_method(method, scenario, split, n_jobs, height="auto"):
    """A factory of fresh, unfitted models for one of the scikit-learn methods.

    ``height`` is passed to the Radon machine (``radon`` and ``mean``).
    """
    inner = scenario.estimator()
    classify = split.is_classification
    if method == "base":
        return lambda: clone(inner)
    if method in ("radon", "mean"):
        machine = RadonMachineClassifier if classify else RadonMachineRegressor
        aggregation = "radon" if method == "radon" else "mean"
        return lambda: machine(
            clone(inner),
            height=height,
            aggregation=aggregation,
            n_jobs=n_jobs,
            random_state=0,
        )
    bagging = BaggingClassifier if classify else BaggingRegressor
    return lambda: bagging(
        clone(inner),
        n_estimators=n_jobs,
        max_samples=1 / n_jobs,
        n_jobs=n_jobs,
        random_state=0,
    )


def machine_notes(model):
    """Pilot time, parallel efficiency and aggregation time from ``fit_times_``.

    Efficiency and aggregation are left out at height 0 (one fit, nothing
    to aggregate); nothing is reported when the model has no ``fit_times_``.
    """
    times = getattr(model, "fit_times_", None)
    if not isinstance(times, dict):
        return []
    notes = []
    if isinstance(times.get("pilot"), int | float):
        notes.append(f"pilot {format_seconds(times['pilot'])} s")
    if not model.height_:
        return notes
    try:
        capacity = times["n_workers"] * times["shards"]
        if capacity > 0:
            notes.append(f"eff {times['shard_fit_sum'] / capacity:.2f}")
    except (KeyError, TypeError):
        pass
    if isinstance(times.get("aggregation"), int | float):
        notes.append(f"agg {format_seconds(times['aggregation'])} s")
    return notes


def plan_notes(model):
    """How ``height="auto"`` chose, from ``height_plan_``, if the model has it."""
    plan = getattr(model, "height_plan_", None)
    if not isinstance(plan, dict):
        return []
    notes = []
    if "largest_height" in plan:
        notes.append(f"max h {plan['largest_height']}")
    if plan.get("backend"):
        notes.append(str(plan["backend"]))
    return notes


def run_sklearn_method(method, scenario, split, n_jobs, repeats, height="auto"):
    """Fit and score ``base``, ``radon``, ``mean`` or ``bagging``.

    ``height`` is the Radon machine's: ``mean`` gets the height ``radon``
    chose, so that both aggregate the same shards.
    """
    result = Result(method)
    make = make_sklearn_method(method, scenario, split, n_jobs, height)
    heights = []

    def fit():
        model = make().fit(split.X_train, split.y_train)
        heights.append(getattr(model, "height_", None))
        return model

    model = record(result, time_fits(fit, repeats, method != "bagging"))
    result.score = evaluate(scenario.metric, model, split.X_test, split.y_test)
    if method in ("radon", "mean"):
        result.height, result.shards = model.height_, model.n_shards_
        if len(set(heights)) > 1:
            result.notes.append(f"heights over repeats {heights}")
        if height != "auto":
            result.notes.append("height set to radon's")
        result.notes += machine_notes(model)
        if method == "radon":
            result.notes += plan_notes(model)
    elif method == "bagging":
        result.notes.append(f"{n_jobs} bags x 1/{n_jobs} rows, bootstrap")
        if has_fit_parameter(scenario.estimator(), "sample_weight"):
            result.notes.append("rows drawn as sample_weight")
    return result


# --------------------------------------------------------------------------
# Peers: dask-ml and Spark, each started once and shared by all scenarios
# --------------------------------------------------------------------------


def warm_up_data(n_samples=2_000, n_features=4):
    """A small binary problem for the peers' untimed warm-up fits."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, n_features))
    y = (X[:, 0] + rng.standard_normal(n_samples) > 0).astype(np.int64)
    return X, y


class DaskPeer:
    """``dask_ml.linear_model.LogisticRegression`` on a local Dask cluster."""

    name = "dask-ml"

    def __init__(self, n_workers):
        self.n_workers = n_workers
        self.client = self.cluster = None
        self.error = None
        self.start_seconds = None

    def unavailable(self):
        """Why this peer cannot run here, or None."""
        for module in ("dask_ml", "distributed"):
            try:
                importlib.import_module(module)
            except Exception as error:
                return f"skipped: {module} does not import ({short_reason(error)})"
        return None

    def start(self):
        """Start the cluster once; remember a failure instead of retrying."""
        if self.client is not None or self.error is not None:
            return
        started = time.perf_counter()
        try:
            from distributed import Client, LocalCluster

            self.cluster = LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self.client = Client(self.cluster)
            self._warm_up()
        except Exception as error:
            self.error = f"failed: cluster start: {short_reason(error)}"
        self.start_seconds = time.perf_counter() - started

    def _warm_up(self):
        """One untimed fit on a little data: worker imports, first tasks."""
        import dask.array as da
        from dask_ml.linear_model import LogisticRegression as DaskLogistic

        X, y = warm_up_data()
        chunks = len(y) // self.n_workers
        DaskLogistic(solver="lbfgs", max_iter=20).fit(
            da.from_array(X, chunks=(chunks, X.shape[1])),
            da.from_array(y, chunks=chunks),
        )

    def run(self, scenario, split, repeats):
        """Persist the training rows on the cluster, then time ``fit``."""
        import dask.array as da
        from dask_ml.linear_model import LogisticRegression as DaskLogistic
        from distributed import wait

        result = Result(self.name)
        if split.task != "binary":
            result.status = "skipped: dask-ml LogisticRegression is binary only"
            return result
        self.start()
        if self.error:
            result.status = self.error
            return result
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
        return result

    def stop(self):
        """Close the client and the cluster."""
        for closable in (self.client, self.cluster):
            if closable is not None:
                try:
                    closable.close()
                except Exception as error:
                    print(f"note: closing Dask: {short_reason(error)}")


class SparkPeer:
    """Spark MLlib's ``LogisticRegression`` on a ``local[N]`` session."""

    name = "spark"

    def __init__(self, n_workers):
        self.n_workers = n_workers
        self.session = None
        self.error = None
        self.start_seconds = None

    def unavailable(self):
        """Why this peer cannot run here, or None."""
        try:
            import pyspark  # noqa: F401
        except Exception as error:
            return f"skipped: pyspark does not import ({short_reason(error)})"
        if shutil.which("java") is None:
            return "skipped: java is not on PATH"
        return None

    def start(self):
        """Start the session once; remember a failure instead of retrying."""
        if self.session is not None or self.error is not None:
            return
        started = time.perf_counter()
        try:
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
            self._warm_up()
        except Exception as error:
            self.error = f"failed: session start: {short_reason(error)}"
        self.start_seconds = time.perf_counter() - started

    def _warm_up(self):
        """One untimed fit on a little data: class loading and JIT warm-up."""
        from pyspark.ml.classification import LogisticRegression as SparkLogistic

        X, y = warm_up_data()
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

    def run(self, scenario, split, repeats):
        """Cache the training rows in Spark, then time ``fit``."""
        from pyspark.ml.classification import LogisticRegression as SparkLogistic
        from pyspark.ml.functions import vector_to_array

        result = Result(self.name)
        self.start()
        if self.error:
            result.status = self.error
            return result
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
        return result

    def stop(self):
        """Stop the Spark session (and its JVM)."""
        if self.session is not None:
            try:
                self.session.stop()
            except Exception as error:
                print(f"note: stopping Spark: {short_reason(error)}")


# --------------------------------------------------------------------------
# Running a scenario
# --------------------------------------------------------------------------


def run_scenario(scenario, args):
    """The in-process methods of one scenario; returns the split and the rows."""
    split = prepare(scenario, args.quick)
    print(f"\n== {scenario.name}: {split.description}")
    print(
        f"   {len(split.y_train):,} training rows, {len(split.y_test):,} test rows; "
        f"score: {METRIC_LABELS[scenario.metric]}"
    )
    results, radon_height = [], "auto"
    for method in METHODS:
        if method in PEERS:
            continue
        print(f"   fitting {method} ...", end="", flush=True)
        try:
            height = radon_height if method == "mean" else "auto"
            result = run_sklearn_method(
                method, scenario, split, args.n_jobs, args.repeats, height
            )
            if method == "radon" and result.height is not None:
                radon_height = result.height
        except Exception as error:
            result = Result(method, status=f"failed: {short_reason(error)}")
        print(" " + (result.status or f"{format_seconds(result.seconds)} s"))
        results.append(result)
    return split, results


def run_peers(peers, reports, args):
    """Each peer on every classification scenario, one peer at a time.

    A peer's processes (the Dask cluster, Spark's JVM) keep working while
    idle (heartbeats, garbage collection) and are counted by the memory
    readings of child processes: so the peers start only after every
    in-process method of every scenario has been measured, and each peer is
    stopped before the next starts.
    """
    for method in PEERS:
        peer = peers[method]
        try:
            for scenario, split, results in reports:
                if not split.is_classification:
                    continue
                print(f"   fitting {method} on {scenario.name} ...", end="", flush=True)
                try:
                    result = run_peer(peers, method, scenario, split, args)
                except Exception as error:
                    result = Result(method, status=f"failed: {short_reason(error)}")
                print(" " + (result.status or f"{format_seconds(result.seconds)} s"))
                results.append(result)
        finally:
            peer.stop()


def run_peer(peers, method, scenario, split, args):
    """Run dask-ml or Spark, or a row that says why not."""
    if not args.with_peers:
        return Result(method, status="skipped: --quick (add --with-peers)")
    peer = peers[method]
    reason = peer.unavailable()
    if reason:
        return Result(method, status=reason)
    return peer.run(scenario, split, args.repeats)


def finish_rows(results, metric):
    """Set each row's speed-up over base and, for MAE, its ratio to base."""
    base = next((r for r in results if r.method == "base" and r.times), None)
    for result in results:
        result.speedup = (
            base.seconds / result.seconds
            if base is not None and result.seconds
            else None
        )
        if metric == "mae" and base is not None and result is not base:
            if result.score is not None and base.score:
                result.notes.insert(0, f"MAE x{result.score / base.score:.3f} base")


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------

COLUMNS = (
    "method",
    "height",
    "shards",
    "fit time s",
    "speed-up",
    "peak MB",
    "score",
    "notes",
)


def format_seconds(seconds):
    """Seconds to the millisecond (to a tenth from 100 s on); "-" for None."""
    if seconds is None:
        return "-"
    return f"{seconds:.3f}" if seconds < 100 else f"{seconds:.1f}"


def cells(result):
    """The text of one table row."""

    def maybe(value, fmt):
        return "-" if value is None else format(value, fmt)

    notes = result.status or ", ".join(result.notes)
    return [
        result.method,
        maybe(result.height, "d"),
        maybe(result.shards, ",d"),
        format_seconds(result.seconds),
        "-" if result.speedup is None else f"{result.speedup:.2f}x",
        maybe(result.peak_mb, ".0f"),
        maybe(result.score, ".4f"),
        notes,
    ]


def text_table(results):
    """An aligned plain-text table: text left, numbers right."""
    rows = [list(COLUMNS), *(cells(result) for result in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    left = {0, len(COLUMNS) - 1}
    lines = []
    for number, row in enumerate(rows):
        parts = [
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(header, rows, right=()):
    """A Markdown table; columns whose index is in ``right`` align right."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join(
        "| " + " | ".join(str(cell).replace("|", "\\|") for cell in line) + " |"
        for line in lines
    )


# --------------------------------------------------------------------------
# The machine and the report
# --------------------------------------------------------------------------


def cpu_model():
    """The CPU model named in /proc/cpuinfo (with family and model numbers)."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if not key:  # the first processor's block has ended
                    break
                fields.setdefault(key, value.strip())
    except OSError:
        pass
    name = fields.get("model name") or fields.get("hardware")
    if not name:
        return platform.processor() or "unknown"
    if "cpu family" in fields and "model" in fields:
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name


def total_memory_gib():
    """Total physical memory in GiB, or None."""
    if psutil is not None:
        return psutil.virtual_memory().total / 2**30
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError):
        pass
    return None


def version_of(distribution):
    """Installed version of a distribution, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def java_version():
    """First line of ``java -version``, or None."""
    if shutil.which("java") is None:
        return None
    try:
        done = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else None


def git_revision():
    """Short commit of the repository, marked when the tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "radonlearn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + (" with uncommitted changes to radonlearn/" if dirty else "")


def load_average():
    """The one-minute load average as text, or "n/a"."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "n/a"


def thread_pools_text():
    """BLAS and OpenMP libraries of this process and their thread counts."""
    pools = [
        f"{pool.get('internal_api', '?')} {pool.get('version') or ''} "
        f"({pool.get('num_threads')} threads)".replace("  ", " ")
        for pool in threadpool_info()
    ]
    return "; ".join(dict.fromkeys(pools)) or "none found"


def machine_rows(args, loads):
    """(what, value) pairs describing the machine, the software and the run."""
    memory = total_memory_gib()
    revision = git_revision()
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", "unknown" if memory is None else f"{memory:.1f} GiB"),
        ("OS", platform.platform()),
        ("load average (1 min) at start / end", loads),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", version_of("scipy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("joblib", version_of("joblib")),
        (
            "radonlearn",
            version_of("radonlearn") + (f" (git {revision})" if revision else ""),
        ),
        ("psutil", version_of("psutil")),
        ("thread pools (this process)", thread_pools_text()),
        (
            "BLAS threads during fits",
            args.blas_threads or "library default (no `--blas-threads`)",
        ),
    ]
    if args.with_peers:
        rows += [
            ("dask", version_of("dask")),
            ("distributed", version_of("distributed")),
            ("dask-ml", version_of("dask-ml")),
            ("pyspark", version_of("pyspark")),
            ("java", java_version() or "not on PATH"),
        ]
    return rows


def estimator_text(scenario):
    """The inner estimator as written in code, e.g. ``LinearSVC(dual=True)``."""
    text = repr(scenario.estimator())
    return f"StandardScaler, then {text}" if scenario.scale else text


def command_text():
    """The command line of this run, with the script path as typed."""
    return shlex.join(["python", *sys.argv])


METHOD_NOTES = """\
- **base**: the inner estimator fitted on all training rows in this process
  (plain scikit-learn; BLAS threads as the libraries set them unless
  `--blas-threads` caps them).
- **radon**: `RadonMachineClassifier/Regressor(inner, n_jobs=N,
  random_state=0)` with `height="auto"`; `height` and `shards` are its
  `height_` and `n_shards_`. When the fitted model has `fit_times_`, the
  notes give the time of the pilot fits that plan the height (`pilot`,
  `fit_times_["pilot"]`) and, at height 1 or more, the parallel efficiency
  (`eff`, `fit_times_["shard_fit_sum"] / (fit_times_["n_workers"] *
  fit_times_["shards"])`: the summed shard fit times over the workers' wall
  time in the shard phase) and the aggregation time (`agg`,
  `fit_times_["aggregation"]`); with `height_plan_`, the largest height the
  rows allow (`max h`) and the parallel backend it planned.
- **mean**: the same machine with `aggregation="mean"` and `height` set to
  the height `radon` chose, so that it averages the same shards (same
  `random_state`, same shard assignment); it skips the planning of
  `height="auto"`.
- **bagging**: `BaggingClassifier/Regressor(inner, n_estimators=N,
  max_samples=1/N, n_jobs=N, random_state=0)`: N bootstrap samples of 1/N
  of the rows, fitted in parallel; it predicts by averaging the N models'
  outputs rather than by one linear model. When the inner estimator takes
  `sample_weight`, scikit-learn draws the rows as integer sample weights
  (zero for rows not drawn) and hands every bag *all* rows ("rows drawn as
  sample_weight"), so a solver that does not drop zero-weight rows
  (lbfgs, liblinear, Ridge) still pays for all of them.
- **dask-ml**: `dask_ml.linear_model.LogisticRegression(solver="lbfgs",
  max_iter=200)` on dask arrays in chunks of at most ~100,000 rows (at least
  one chunk per worker), persisted on a
  `distributed.LocalCluster(n_workers=N, threads_per_worker=1,
  processes=True)` started once; cluster start, one warm-up fit on 2,000
  generated rows and the data transfer are not timed. Binary targets only.
- **spark**: Spark MLlib `LogisticRegression(maxIter=100)` (L-BFGS,
  `regParam=0`, Spark's default) on a `local[N]` session started once; the
  session start, one warm-up fit on 2,000 generated rows, and building,
  caching and counting the training DataFrame (a `VectorAssembler` column,
  N partitions) are not timed, so only `.fit()` is. Scores come from the
  test rows' `probability` column.
- Before the first scenario, joblib's N worker processes are started and
  import scipy, scikit-learn and radonlearn, so no timed fit pays for
  process start-up (as the Dask and Spark start-ups are not timed either).
- The peers run last: base, radon, mean and bagging are measured for every
  scenario first, then dask-ml on every classification scenario, then its
  cluster is closed and Spark runs. An idle cluster or JVM still takes CPU
  (heartbeats, garbage collection) and its memory moves, which would blur
  the other methods' times and peaks on a 2-core machine.
"""

READING_NOTES = """\
- *fit time s*: median wall time of `fit` over the repeats; *speed-up*: base
  fit time divided by the method's.
- *peak MB*: the largest increase of the resident set size of this process
  (read every 2 ms) plus the proportional set size (PSS, on Linux; resident
  set size elsewhere) of all its child processes (joblib/loky, Dask and
  Spark workers; read every 20 ms), by a background thread, over the value
  just before `fit`, in one extra fit after the timed repeats (reading PSS
  costs the kernel milliseconds per read, which would slow the timed fits).
  Memory freed by earlier fits is given back to the system first (glibc's
  `malloc_trim`), so each method starts from the same footing. PSS counts a
  page shared by k processes (an array that joblib memory-maps into its
  workers) 1/k in each, so once in all; memory that a process frees and
  reuses within the fit is not seen, so small numbers are near the
  resolution of the method.
- *score*: on the held-out 25% of the rows (stratified for classification);
  ROC AUC uses `decision_function` where the model has one. For MAE the
  notes give the ratio to base.
- *ConvergenceWarning* in the notes: a fit warned that it stopped at its
  iteration limit (base, or shard fits whose warnings the Radon machine
  passes on); such warnings are not printed. Warnings raised inside
  bagging's, Dask's or Spark's workers are not seen.
- dask-ml and Spark run only for classification; `--quick` leaves them out
  unless `--with-peers` is given.
- The load average in the machine table shows whether other jobs shared the
  cores during the run. With OpenBLAS, a fit in this process that uses two
  BLAS threads while another job holds a core can run many times slower
  than with one thread (see `--blas-threads 1`); joblib workers run with one
  BLAS thread each, so such runs favour the parallel methods.
"""


@dataclass
class RunInfo:
    """Facts about the whole run, for the report.

    Attributes
    ----------
    started : datetime
        Start of the run (UTC).
    elapsed : float
        Seconds the whole run took.
    loads : str
        One-minute load average at the start and at the end.
    startups : dict
        Seconds each started peer took to start (untimed in the tables).
    """

    started: datetime
    elapsed: float = 0.0
    loads: str = ""
    startups: dict = field(default_factory=dict)


def write_report(path, args, reports, skipped, run):
    """Write the Markdown report of this run to ``path``."""
    lines = [
        "# Benchmarks: the Radon machine and its peers",
        "",
        "Fit time, memory and test score of a linear scikit-learn estimator "
        "trained on all rows, by the Radon machine (`radon`), by the mean of "
        "the same shard models (`mean`), by scikit-learn's bagging, and, for "
        "classification, by dask-ml and Spark MLlib. Every method runs in one "
        f"process on the same rows and the same {args.n_jobs} worker(s). "
        "Generated by `benchmarks/compare_peers.py`; data sets come from "
        "`benchmarks/datasets.py`.",
        "",
        "```bash",
        command_text(),
        "```",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all; "
        f"profile "
        f"{'quick' if args.quick else 'full'}, N = {args.n_jobs} worker(s), "
        f"median of {args.repeats} fit(s) per method.",
        "",
        "## Machine",
        "",
        markdown_table(["what", "value"], machine_rows(args, run.loads)),
        "",
        "## Methods",
        "",
        METHOD_NOTES,
        "## Data sets",
        "",
    ]
    data_rows = [
        [
            f"`{scenario.name}`",
            split.description.summary,
            split.description.package,
            split.description.version,
            f"`{split.description.loader}`",
            f"`{estimator_text(scenario)}`",
            METRIC_LABELS[scenario.metric],
        ]
        for scenario, split, _ in reports
    ]
    lines += [
        markdown_table(
            [
                "scenario",
                "rows, target",
                "package",
                "version",
                "loader",
                "estimator",
                "score",
            ],
            data_rows,
        ),
        "",
    ]
    for name, reason in skipped:
        lines += [f"- `{name}` was skipped: {reason}", ""]
    lines += ["## Results", ""]
    for scenario, split, results in reports:
        lines += [
            f"### {scenario.name}",
            "",
            f"{split.description.summary}; {len(split.y_train):,} training and "
            f"{len(split.y_test):,} test rows; `{estimator_text(scenario)}`; "
            f"score: {METRIC_LABELS[scenario.metric]}.",
            "",
            markdown_table(
                list(COLUMNS),
                [cells(result) for result in results],
                right=range(1, 7),
            ),
            "",
        ]
    if run.startups:
        started = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in run.startups.items()
        )
        lines += [
            f"Start-up of the peers, with their warm-up fit (not in the fit "
            f"times above): {started}.",
            "",
        ]
    lines += ["## Reading the tables", "", READING_NOTES]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Compare the Radon machine with scikit-learn, bagging, "
        "dask-ml and Spark on the same data and cores."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller data, one repeat, no dask-ml/Spark (under 2 minutes)",
    )
    parser.add_argument(
        "--with-peers",
        action="store_true",
        help="run dask-ml and Spark in a --quick run too",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="workers N for every parallel method (default: all cores)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="fits per method; the median time is reported (default 3, quick 1)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="cap BLAS/OpenMP threads of this process during the fits "
        "(default: the libraries' own setting)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="Markdown report to write (default: docs/benchmarks.md)",
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of: {', '.join(SCENARIOS)}",
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown or not names:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(SCENARIOS)}"
        )
    if args.n_jobs < 1:
        parser.error("--n-jobs must be at least 1")
    if args.blas_threads is not None and args.blas_threads < 1:
        parser.error("--blas-threads must be at least 1")
    args.scenarios = names
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.with_peers = args.with_peers or not args.quick
    return args


def import_modules(names):
    """Import ``names`` (in a worker process); returns the process id."""
    for name in names:
        importlib.import_module(name)
    return os.getpid()


def warm_up_workers(n_jobs, attempts=5):
    """Start joblib's workers and import the learners there, before any timing.

    A fresh loky worker spends a second or more importing scipy and
    scikit-learn on its first task; that is start-up, not fitting, so it is
    paid here once (as the Dask cluster and the Spark session are started
    before their timings).
    """
    if n_jobs < 2:
        return
    seen = set()
    for _ in range(attempts):
        seen.update(
            Parallel(n_jobs=n_jobs)(
                delayed(import_modules)(WORKER_MODULES) for _ in range(2 * n_jobs)
            )
        )
        if len(seen) >= n_jobs:
            return


def run_all(args, peers):
    """Run the selected scenarios; returns their reports and the skipped ones.

    First the in-process methods of every scenario, then the peers (see
    ``run_peers``); then one table per scenario.
    """
    reports, skipped = [], []
    for name in args.scenarios:
        scenario = SCENARIOS[name]
        try:
            split, results = run_scenario(scenario, args)
        except datasets.MissingDataPackage as error:
            print(f"\n== {name}: skipped, {error}")
            skipped.append((name, str(error)))
            continue
        reports.append((scenario, split, results))
    if any(split.is_classification for _, split, _ in reports):
        print("\n== peers")
        run_peers(peers, reports, args)
    for scenario, _, results in reports:
        finish_rows(results, scenario.metric)
        print(f"\n== {scenario.name}")
        print(text_table(results))
    return reports, skipped


def main(argv=None):
    """Run the selected scenarios, print their tables and write the report."""
    args = parse_args(argv)
    run = RunInfo(started=datetime.now(timezone.utc))
    load_at_start = load_average()
    clock = time.perf_counter()
    if psutil is None:
        print("note: psutil is not installed; peak memory is reported as n/a")
    print(
        f"compare_peers: {'quick' if args.quick else 'full'} profile, "
        f"n_jobs={args.n_jobs}, repeats={args.repeats}, "
        f"peers {'on' if args.with_peers else 'off'}; "
        f"{os.cpu_count()} cores, {cpu_model()}, load {load_at_start}"
    )
    peers = {"dask-ml": DaskPeer(args.n_jobs), "spark": SparkPeer(args.n_jobs)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Sending large graph")
        warnings.filterwarnings("ignore", message="PySpark does not yet fully")
        warnings.filterwarnings("ignore", message="Dask configuration key")
        warm_up_workers(args.n_jobs)
        try:
            with (
                threadpool_limits(limits=args.blas_threads)
                if args.blas_threads
                else nullcontext()
            ):
                reports, skipped = run_all(args, peers)
        finally:
            for peer in peers.values():
                peer.stop()
    run.elapsed = time.perf_counter() - clock
    run.loads = f"{load_at_start} / {load_average()}"
    run.startups = {
        peer.name: peer.start_seconds
        for peer in peers.values()
        if peer.start_seconds is not None
    }
    for name, seconds in run.startups.items():
        print(f"{name} start-up with warm-up fit (untimed): {seconds:.1f} s")
    write_report(args.output, args, reports, skipped, run)
    print(f"\nwrote {args.output} ({run.elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
