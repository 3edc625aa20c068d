"""Fit one Parquet table with the Radon machine on Spark and with Spark MLlib.

Side by side on one ``local[N]`` Spark session, every method reads the same
DataFrame, ``spark.read.parquet`` of files written here, uncached:

* classification, ``--rows`` training rows (1,000,000 by default) of
  ``make_classification`` with 18 features (12 informative), and
  ``--test-rows`` held-out rows (200,000) in Parquet files of their own:
  ``RadonMachineClassifier(LogisticRegression())`` against MLlib's
  ``LogisticRegression``, and ``RadonMachineClassifier(LinearSVC(dual=...))``
  for ``dual=False`` and ``dual=True`` against MLlib's ``LinearSVC``;
* regression, ``--regression-rows`` (200,000) of ``make_regression`` with 8
  features plus Student-t noise of two degrees of freedom, and a quarter as
  many test rows: ``RadonMachineRegressor(QuantileRegressor(alpha=0,
  solver="highs"))`` and ``RadonMachineRegressor(HuberRegressor())``, each
  against the plain scikit-learn estimator fitted in this process on
  ``--sample-rows`` random training rows (MLlib has no quantile regression),
  and the Huber fit against MLlib's ``LinearRegression(loss="huber")`` too.

Every Radon machine is fitted with ``height="auto"`` and with the explicit
heights of ``--heights`` (1 and 2). Each method is fitted once untimed
(warm-up: Python workers, imports, JIT), then ``--repeats`` times timed; the
timed fits run in rounds, every method once per round in a fixed order, so
that a colleague's job slowing the machine down slows all methods of a
round alike. A method whose warm-up fit takes longer than
``--max-fit-seconds`` is not repeated; its one fit is reported.

What a fit time covers: the Radon machine's ``fit(sdf, y="label")`` from the
call to its return (counting the rows and classes, drawing the pilot sample,
the pilot fits, the shuffle into shards, the shard fits on the executors
and the aggregation on the driver); MLlib's ``VectorAssembler(...).
transform(sdf)`` and ``.fit()`` (assembling is lazy, so it runs inside the
fit; MLlib caches the assembled rows itself when its input is not cached
and drops them at the end); the in-memory scikit-learn fit alone (the
sample is drawn beforehand). Scores are computed on the held-out Parquet
rows: ROC AUC of ``decision_function`` (the Radon machine's lazy Spark
column) or of MLlib's ``rawPrediction``, and the mean absolute error of the
predictions. The Radon machine's Spark column is checked against its
in-memory ``decision_function``/``predict`` on the same rows.

The number of Spark jobs each fit ran is counted with a job group and
``statusTracker``; for MLlib, each job after the first is one pass over the
cached rows (a ``treeAggregate`` of loss and gradient), so jobs are its
passes over the data, next to ``summary.totalIterations``.

Usage::

    python benchmarks/spark_mllib.py --quick
    python benchmarks/spark_mllib.py --output /tmp/spark_mllib.md

Needs pyspark (>= 4.0), Java 17 and pyarrow. Spark binds to 127.0.0.1 with
its UI off; the Python workers run this interpreter and import the radonlearn
that this process imports.
"""

import argparse
import gc
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from datasets import classification, heavy_tailed_regression
from peers.measure import (
    command_text,
    cpu_model,
    git_revision,
    java_version,
    total_memory_gib,
    version_of,
)
from sklearn.linear_model import HuberRegressor, LogisticRegression, QuantileRegressor
from sklearn.metrics import mean_absolute_error, roc_auc_score
from sklearn.svm import LinearSVC

import radonlearn
from radonlearn import RadonMachineClassifier, RadonMachineRegressor

# Seeds of the data, of the in-memory sample and of the Radon machines.
DATA_SEED, SAMPLE_SEED, MACHINE_SEED = 0, 1, 0
LABEL = "label"
FEATURES_COLUMN = "features"
# Targets of the issue: MLlib fit time over the Radon machine's, and the
# largest test AUC gap.
TARGETS = {"logistic": 2.0, "linearsvc": 1.5}
AUC_TOLERANCE = 0.002
# pyspark 4.3 warns on every DataFrame conversion that pandas 3 is not
# fully supported yet.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")


@dataclass(frozen=True)
class Table:
    """A training table in Parquet and its held-out rows."""

    name: str
    train_path: str
    test_path: str
    n_train: int
    n_test: int
    n_features: int
    summary: str
    sample: tuple  # (X, y) drawn from the training rows, for in-memory fits


@dataclass(frozen=True)
class Method:
    """One row of the results: how to fit, on which table, against what."""

    group: str
    name: str
    kind: str  # "radon", "mllib" or "memory"
    table: str
    fit: object  # callable(frames) -> model
    height: object = None


@dataclass
class Outcome:
    """What one method measured."""

    method: Method
    times: list = field(default_factory=list)
    warm_up: float = 0.0
    jobs: list = field(default_factory=list)
    fits: list = field(default_factory=list)  # (timed, height and fit_times_)
    model: object = None
    score: float = float("nan")
    notes: list = field(default_factory=list)

    @property
    def heights(self):
        """The height of every fit, warm-up first (Radon machines)."""
        return [fit["height"] for _, fit in self.fits]

    def median_of(self, key):
        """Median of a ``fit_times_`` entry over the timed fits (else the warm-up)."""
        timed = [fit[key] for was_timed, fit in self.fits if was_timed]
        return statistics.median(timed or [fit[key] for _, fit in self.fits])

    @property
    def seconds(self):
        """Median of the timed fits (the warm-up fit if none was timed)."""
        return statistics.median(self.times) if self.times else self.warm_up


def parse_args(argv=None):
    """Parse the command line; ``--quick`` sets small sizes."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=18)
    parser.add_argument("--regression-rows", type=int, default=200_000)
    parser.add_argument("--regression-features", type=int, default=8)
    parser.add_argument(
        "--sample-rows",
        type=int,
        default=20_000,
        help="rows of the in-memory scikit-learn fits (default 20,000)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2, help="Spark local[N]")
    parser.add_argument(
        "--files", type=int, default=4, help="Parquet files per table (default 4)"
    )
    parser.add_argument("--heights", default="1,2", help="explicit heights to try")
    parser.add_argument(
        "--only",
        default="logistic,linearsvc,quantile,huber",
        help="comma-separated groups to run",
    )
    parser.add_argument("--max-fit-seconds", type=float, default=400.0)
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument(
        "--data-dir", default=None, help="where to write Parquet (a temp dir)"
    )
    parser.add_argument(
        "--output",
        default=os.path.join(tempfile.gettempdir(), "spark_mllib.md"),
        help="Markdown file for the results",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="100k rows, 20k test rows, 20k regression rows, one repeat",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.test_rows = 100_000, 20_000
        args.regression_rows, args.sample_rows = 20_000, 5_000
        args.repeats = 1
    args.heights = [int(h) for h in args.heights.split(",") if h.strip()]
    args.only = [g.strip() for g in args.only.split(",") if g.strip()]
    return args


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def _write_parquet(X, y, path, n_files):
    """Write ``X`` (columns x0, x1, ...) and ``y`` (``label``) as ``n_files`` files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(path, exist_ok=True)
    names = [f"x{i}" for i in range(X.shape[1])]
    for number, rows in enumerate(np.array_split(np.arange(len(X)), n_files)):
        arrays = [pa.array(X[rows, i]) for i in range(X.shape[1])]
        arrays.append(pa.array(y[rows]))
        table = pa.Table.from_arrays(arrays, names=[*names, LABEL])
        pq.write_table(table, os.path.join(path, f"part-{number:03d}.parquet"))


def make_tables(args, directory):
    """Generate both tables, write them to Parquet; keep samples and test rows."""
    tables = {}
    n_class = args.rows + args.test_rows
    X, y, _, description = classification(
        n_class, args.features, random_state=DATA_SEED
    )
    y = y.astype(np.int32)
    n_reg_test = args.regression_rows // 4
    X_r, y_r, _, description_r = heavy_tailed_regression(
        args.regression_rows + n_reg_test,
        args.regression_features,
        random_state=DATA_SEED,
    )
    rng = np.random.default_rng(SAMPLE_SEED)
    for name, (X_all, y_all, n_train, summary) in {
        "classification": (X, y, args.rows, description.summary),
        "regression": (X_r, y_r, args.regression_rows, description_r.summary),
    }.items():
        train = os.path.join(directory, name, "train")
        test = os.path.join(directory, name, "test")
        _write_parquet(X_all[:n_train], y_all[:n_train], train, args.files)
        _write_parquet(X_all[n_train:], y_all[n_train:], test, 1)
        rows = np.sort(rng.choice(n_train, min(args.sample_rows, n_train), False))
        tables[name] = Table(
            name,
            train,
            test,
            n_train,
            len(X_all) - n_train,
            X_all.shape[1],
            summary,
            (X_all[rows], y_all[rows]),
        )
    return tables


# ---------------------------------------------------------------------------
# Spark
# ---------------------------------------------------------------------------


def start_spark(args):
    """A ``local[N]`` session on 127.0.0.1, UI off; workers import this radonlearn."""
    from pyspark.sql import SparkSession

    package_root = str(Path(radonlearn.__file__).resolve().parents[1])
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("radonlearn-spark-mllib")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.executorEnv.PYTHONPATH", package_root)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class JobCounter:
    """Count the Spark jobs run inside a block (a fresh job group per block)."""

    def __init__(self, session):
        self.context = session.sparkContext
        self.serial = 0
        self.jobs = 0

    def __enter__(self):
        self.serial += 1
        self.group = f"radonlearn-benchmark-{self.serial}"
        self.context.setJobGroup(self.group, "benchmark fit")
        return self

    def __exit__(self, *exc_info):
        self.context.setLocalProperty("spark.jobGroup.id", None)
        tracker = self.context.statusTracker()
        self.jobs = len(tracker.getJobIdsForGroup(self.group))
        return False


def _assembler(n_features):
    from pyspark.ml.feature import VectorAssembler

    names = [f"x{i}" for i in range(n_features)]
    return VectorAssembler(inputCols=names, outputCol=FEATURES_COLUMN)


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------


def _radon(group, label, estimator, height, regressor=False):
    """A Radon machine fitted on the training DataFrame."""
    machine_class = RadonMachineRegressor if regressor else RadonMachineClassifier
    table = "regression" if regressor else "classification"

    def fit(frames):
        machine = machine_class(estimator, height=height, random_state=MACHINE_SEED)
        return machine.fit(frames[table], y=LABEL)

    shown = "auto" if height == "auto" else str(height)
    name = f"radon {label}, height {shown}"
    return Method(group, name, "radon", table, fit, height)


def _mllib(group, label, make, table, n_features):
    """An MLlib estimator fitted on the assembled training DataFrame."""

    def fit(frames):
        return make().fit(_assembler(n_features).transform(frames[table]))

    return Method(group, f"MLlib {label}", "mllib", table, fit)


def _memory(group, label, estimator, table):
    """The plain scikit-learn estimator on the in-memory sample."""
    from sklearn.base import clone

    def fit(frames):
        X, y = frames["samples"][table]
        return clone(estimator).fit(X, y)

    return Method(group, f"scikit-learn {label}, in memory", "memory", table, fit)


def methods_for(args, tables):
    """Every method of the groups in ``args.only``, in the order they run."""
    from pyspark.ml.classification import LinearSVC as SparkLinearSVC
    from pyspark.ml.classification import LogisticRegression as SparkLogistic
    from pyspark.ml.regression import LinearRegression as SparkLinear

    heights = ["auto", *args.heights]
    d_class = tables["classification"].n_features
    d_reg = tables["regression"].n_features
    sample = f"{len(tables['regression'].sample[1]):,}-row sample"
    groups = {
        "logistic": [
            *(
                _radon("logistic", "LogisticRegression", LogisticRegression(), h)
                for h in heights
            ),
            _mllib(
                "logistic",
                "LogisticRegression",
                lambda: SparkLogistic(labelCol=LABEL, maxIter=100, regParam=0.0),
                "classification",
                d_class,
            ),
        ],
        "linearsvc": [
            *(
                _radon("linearsvc", f"LinearSVC(dual={dual})", LinearSVC(dual=dual), h)
                for dual in (False, True)
                for h in heights
            ),
            _mllib(
                "linearsvc",
                "LinearSVC",
                lambda: SparkLinearSVC(labelCol=LABEL, maxIter=100, regParam=0.0),
                "classification",
                d_class,
            ),
        ],
        "quantile": [
            *(
                _radon(
                    "quantile",
                    "QuantileRegressor",
                    QuantileRegressor(alpha=0.0, solver="highs"),
                    h,
                    regressor=True,
                )
                for h in heights
            ),
            _memory(
                "quantile",
                f"QuantileRegressor, {sample}",
                QuantileRegressor(alpha=0.0, solver="highs"),
                "regression",
            ),
        ],
        "huber": [
            *(
                _radon("huber", "HuberRegressor", HuberRegressor(), h, regressor=True)
                for h in heights
            ),
            _mllib(
                "huber",
                'LinearRegression(loss="huber")',
                lambda: SparkLinear(
                    labelCol=LABEL, loss="huber", maxIter=100, regParam=0.0
                ),
                "regression",
                d_reg,
            ),
            _memory(
                "huber", f"HuberRegressor, {sample}", HuberRegressor(), "regression"
            ),
        ],
    }
    return [method for group in args.only for method in groups[group]]


# ---------------------------------------------------------------------------
# Timing and scoring
# ---------------------------------------------------------------------------


def _fit_once(method, frames, counter):
    """One fit of ``method``: the model, its wall time and its Spark jobs."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of shard fits
        with counter:
            start = time.perf_counter()
            model = method.fit(frames)
            seconds = time.perf_counter() - start
    return model, seconds, counter.jobs


def _record(outcome, model, jobs, timed, seconds, log, label):
    """Keep what one fit of ``outcome``'s method measured; log it."""
    outcome.model = model
    outcome.jobs.append(jobs)
    if timed:
        outcome.times.append(seconds)
    else:
        outcome.warm_up = seconds
    text = f"{label}  {outcome.method.name}: {seconds:.2f} s, {jobs} Spark jobs"
    if hasattr(model, "height_plan_"):
        fit = {"height": model.height_, "reason": model.height_plan_["reason"]}
        fit.update(model.fit_times_)
        outcome.fits.append((timed, fit))
        text += f", height {model.height_}"
        if outcome.method.height == "auto":
            text += f" ({fit['reason']})"
    log(text)


def run_all(methods, frames, counter, repeats, max_seconds, log):
    """Warm up every method, then time ``repeats`` rounds of all of them."""
    outcomes = [Outcome(method) for method in methods]
    loads = [os.getloadavg()[0]]
    for outcome in outcomes:
        model, seconds, jobs = _fit_once(outcome.method, frames, counter)
        _record(outcome, model, jobs, False, seconds, log, "warm-up")
    for round_number in range(repeats):
        for outcome in outcomes:
            if outcome.warm_up > max_seconds:
                continue
            model, seconds, jobs = _fit_once(outcome.method, frames, counter)
            _record(
                outcome, model, jobs, True, seconds, log, f"round {round_number + 1}"
            )
        loads.append(os.getloadavg()[0])
    for outcome in outcomes:
        if not outcome.times:
            outcome.notes.append(
                f"one fit only (warm-up {outcome.warm_up:.0f} s > {max_seconds:.0f} s)"
            )
    return outcomes, loads


def _radon_scores(machine, test, regressor):
    """Scores from the Spark column; the column checked against in-memory output."""
    method = "predict" if regressor else "decision_function"
    column = "prediction" if regressor else "decision_function"
    scored = getattr(machine, method)(test).toPandas()
    features = scored[list(machine.feature_names_in_)]
    expected = getattr(machine, method)(features)
    if not np.allclose(scored[column].to_numpy(), expected, rtol=1e-9, atol=1e-9):
        raise AssertionError(
            f"The Spark {column} column differs from the in-memory {method}."
        )
    return scored[LABEL].to_numpy(), scored[column].to_numpy()


def _mllib_scores(model, test, n_features, regressor):
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    scored = model.transform(_assembler(n_features).transform(test))
    if regressor:
        output = F.col("prediction")
    else:
        output = vector_to_array("rawPrediction")[1]
    table = scored.select(F.col(LABEL), output.alias("output")).toPandas()
    return table[LABEL].to_numpy(), table["output"].to_numpy()


def score(outcome, frames, tables):
    """Test score and notes of ``outcome``'s last model."""
    method, model = outcome.method, outcome.model
    table = tables[method.table]
    regressor = method.table == "regression"
    if method.kind == "radon":
        y, output = _radon_scores(model, frames["test"][method.table], regressor)
        outcome.notes.append(
            f"{model.n_shards_} shards; medians: counts "
            f"{outcome.median_of('validation'):.2f} s, pilot "
            f"{outcome.median_of('pilot'):.2f} s, shards "
            f"{outcome.median_of('shards'):.2f} s (fits "
            f"{outcome.median_of('shard_fit_sum'):.2f} s summed)"
        )
        if method.height == "auto":
            # The reason of the first fit that chose each height.
            reasons = {}
            for _, fit in outcome.fits:
                reasons.setdefault(fit["height"], fit["reason"])
            outcome.notes += [f"height {h}: {r}" for h, r in reasons.items()]
    elif method.kind == "mllib":
        y, output = _mllib_scores(
            model, frames["test"][method.table], table.n_features, regressor
        )
        # LinearSVCModel.summary is a method in pyspark 4.3, a property elsewhere.
        summary = model.summary() if callable(model.summary) else model.summary
        outcome.notes.append(f"{summary.totalIterations} iterations")
    else:
        X_test = frames["test_arrays"][method.table]
        y = frames["test_labels"][method.table]
        output = model.predict(X_test) if regressor else model.decision_function(X_test)
    if regressor:
        outcome.score = mean_absolute_error(y, output)
    else:
        outcome.score = roc_auc_score(y, output)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _reference(group_outcomes):
    """The outcome the group's ratios are taken against: MLlib, else in memory."""
    for kind in ("mllib", "memory"):
        for outcome in group_outcomes:
            if outcome.method.kind == kind:
                return outcome
    return None


def _fastest_radon(group_outcomes):
    radon = [o for o in group_outcomes if o.method.kind == "radon"]
    return min(radon, key=lambda o: o.seconds) if radon else None


def results_table(outcomes):
    """One Markdown table of every method, grouped."""
    lines = [
        "| group | method | height | fit time s | fits | warm-up s | Spark jobs | "
        "ratio | score | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group in dict.fromkeys(o.method.group for o in outcomes):
        members = [o for o in outcomes if o.method.group == group]
        reference = _reference(members)
        metric = "MAE" if members[0].method.table == "regression" else "AUC"
        for outcome in members:
            model = outcome.model
            height = getattr(model, "height_", None)
            shown = "-" if height is None else str(height)
            if outcome.method.height == "auto" and height is not None:
                # Every fit's height, warm-up first, when the plans differed.
                chosen = dict.fromkeys(outcome.heights)
                shown = "auto: " + (
                    str(height)
                    if len(chosen) == 1
                    else ", ".join(map(str, outcome.heights))
                )
            ratio = reference.seconds / outcome.seconds if reference else float("nan")
            fits = len(outcome.times) or 1
            jobs = statistics.median(outcome.jobs)
            lines.append(
                f"| {group} | {outcome.method.name} | {shown} | "
                f"{outcome.seconds:.2f} | {fits} | {outcome.warm_up:.2f} | "
                f"{jobs:.0f} | {ratio:.2f}x | "
                f"{metric} {outcome.score:.4f} | {'; '.join(outcome.notes)} |"
            )
    return "\n".join(lines)


def targets_table(outcomes):
    """The issue's targets against the fastest Radon machine of each group."""
    lines = [
        "| group | fastest Radon machine | MLlib s | Radon s | MLlib / Radon | "
        "target | AUC Radon - MLlib | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group, target in TARGETS.items():
        members = [o for o in outcomes if o.method.group == group]
        reference, fastest = _reference(members), _fastest_radon(members)
        if reference is None or fastest is None:
            continue
        ratio = reference.seconds / fastest.seconds
        gap = fastest.score - reference.score
        met = ratio >= target and abs(gap) <= AUC_TOLERANCE
        lines.append(
            f"| {group} | {fastest.method.name} | {reference.seconds:.2f} | "
            f"{fastest.seconds:.2f} | {ratio:.2f}x | {target:.1f}x | {gap:+.4f} | "
            f"{'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def machine_table(args, loads, started, elapsed, data_dir):
    """Facts about the machine and the run."""
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", f"{total_memory_gib():.1f} GiB"),
        ("OS", platform.platform()),
        (
            "load average (1 min): start, after each round",
            ", ".join(f"{load:.2f}" for load in loads),
        ),
        (
            "Spark",
            f"`local[{args.cores}]`, driver memory {args.driver_memory}, "
            "UI off, Arrow on; other settings Spark's defaults",
        ),
        ("Parquet", f"{args.files} files per training table under {data_dir}"),
        ("Python", platform.python_version()),
        ("pyspark", version_of("pyspark")),
        ("java", java_version()),
        ("numpy", version_of("numpy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("pyarrow", version_of("pyarrow")),
        ("radonlearn", f"{radonlearn.__version__} (git {git_revision()})"),
        ("run", f"{started:%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s in all"),
    ]
    lines = ["| what | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def report(args, tables, outcomes, loads, started, elapsed, data_dir):
    """The whole Markdown report."""
    data = "\n".join(
        f"- `{t.name}`: {t.summary}; {t.n_train:,} training rows in Parquet, "
        f"{t.n_test:,} held-out rows"
        for t in tables.values()
    )
    return "\n\n".join(
        [
            "# Spark: the Radon machine and MLlib on one Parquet table",
            data,
            "## Targets",
            targets_table(outcomes),
            "## All methods",
            f"Fit time: median of {args.repeats} timed fit(s) after one warm-up "
            "fit. Ratio: the group's MLlib fit time (in-memory scikit-learn "
            "for quantile) over the method's. Spark jobs: median per fit.",
            results_table(outcomes),
            "## Command",
            f"```bash\n{command_text('benchmarks/spark_mllib.py')}\n```",
            "## Machine",
            machine_table(args, loads, started, elapsed, data_dir),
        ]
    )


def main(argv=None):
    args = parse_args(argv)
    started = datetime.now(timezone.utc)
    wall = time.perf_counter()

    def log(text):
        print(f"[{time.perf_counter() - wall:7.1f} s] {text}", flush=True)

    owned = args.data_dir is None
    data_dir = tempfile.mkdtemp(prefix="spark_mllib_") if owned else args.data_dir
    log(f"load average {os.getloadavg()[0]:.2f}; writing Parquet under {data_dir}")
    tables = make_tables(args, data_dir)
    session = start_spark(args)
    try:
        frames = {
            "classification": session.read.parquet(tables["classification"].train_path),
            "regression": session.read.parquet(tables["regression"].train_path),
            "test": {
                name: session.read.parquet(t.test_path) for name, t in tables.items()
            },
            "samples": {name: t.sample for name, t in tables.items()},
        }
        tests = {name: frames["test"][name].toPandas() for name in tables}
        frames["test_arrays"] = {
            name: table.drop(columns=LABEL).to_numpy() for name, table in tests.items()
        }
        frames["test_labels"] = {name: t[LABEL].to_numpy() for name, t in tests.items()}
        partitions = frames["classification"].rdd.getNumPartitions()
        log(f"classification table: {partitions} Spark partitions")
        methods = methods_for(args, tables)
        counter = JobCounter(session)
        outcomes, loads = run_all(
            methods, frames, counter, args.repeats, args.max_fit_seconds, log
        )
        for outcome in outcomes:
            score(outcome, frames, tables)
    finally:
        session.stop()
        if owned:
            shutil.rmtree(data_dir, ignore_errors=True)
    elapsed = time.perf_counter() - wall
    text = report(args, tables, outcomes, loads, started, elapsed, data_dir)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"written to {args.output}")


if __name__ == "__main__":
    main()
