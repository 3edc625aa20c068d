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
    python benchmarks/spark_mllib.py --docs docs/benchmarks.md

The report goes to ``--output``; with ``--docs``, the results, the targets,
the command and the machine also replace the section ``## Spark and MLlib``
of that page (or are put before its ``## Methods``), and nothing else of the
page changes; ``compare_peers.py`` keeps that section when it rewrites the
page.

Needs pyspark (>= 4.0), Java 17 and pyarrow. Spark binds to 127.0.0.1 with
its UI off; the Python workers run this interpreter and import the radonlearn
that this process imports. The work is done by the modules of
``benchmarks/sparkpeers/``; this script reads the command line and runs them
in order.
"""

import argparse
import os
import shutil
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

from sparkpeers.data import make_tables, read_frames
from sparkpeers.methods import methods_for
from sparkpeers.report import Run, report, update_docs
from sparkpeers.scoring import score
from sparkpeers.session import JobCounter, start_spark
from sparkpeers.timing import run_all

# pyspark 4.3 warns on every DataFrame conversion that pandas 3 is not
# fully supported yet.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")


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
        "--linearsvc-dual",
        choices=["both", "primal", "dual"],
        default="both",
        help="scikit-learn LinearSVC formulations to run (both)",
    )
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
        "--docs",
        default=None,
        help="also write the section '## Spark and MLlib' of this page "
        "(such as docs/benchmarks.md), leaving the rest of it as it is",
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
    args.linearsvc_dual = {"both": (False, True), "primal": (False,), "dual": (True,)}[
        args.linearsvc_dual
    ]
    args.only = [g.strip() for g in args.only.split(",") if g.strip()]
    return args


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
        frames = read_frames(session, tables)
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
    run = Run(args, tables, outcomes, loads, started, elapsed, data_dir)
    text = report(run)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"written to {args.output}")
    if args.docs:
        update_docs(Path(args.docs), run)
        log(f"section '## Spark and MLlib' written to {args.docs}")


if __name__ == "__main__":
    main()
