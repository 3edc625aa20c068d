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
default) in the layout that ``docs/figures/benchmark_figures.py`` reads: a
summary table and the speed-up figure, the result tables, then how the
numbers were measured and on what machine. Hand-written ``##`` sections of
the file it replaces (such as ``## Spark and MLlib``) are kept. dask-ml and
Spark are optional: a missing package or a failure is reported in its row and
the run goes on. They are left out of ``--quick`` runs unless ``--with-peers``
is given.

Usage::

    python benchmarks/compare_peers.py --quick
    python benchmarks/compare_peers.py --n-jobs 2 --repeats 3
    python benchmarks/compare_peers.py --quick --with-peers --scenarios logistic

Optional requirements are listed in ``benchmarks/requirements.txt``. The
work is done by the modules of ``benchmarks/peers/``; this script reads the
command line and runs them in order.
"""

import argparse
import os
import platform
import time
import warnings
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

import datasets
import numpy as np
from peers.measure import (
    MEMORY_SAMPLING,
    REPO_ROOT,
    cpu_model,
    git_revision,
    java_version,
    load_average,
    thread_pools_text,
    total_memory_gib,
    version_of,
)
from peers.methods import run_scenario, warm_up_workers
from peers.peers import DaskPeer, SparkPeer, run_peers
from peers.report import RunInfo, finish_rows, text_table, write_report
from peers.scenarios import SCENARIOS
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"


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
    if not MEMORY_SAMPLING:
        print("note: psutil is not installed; peak memory is reported as n/a")
    print(
        f"compare_peers: {'quick' if args.quick else 'full'} profile, "
        f"n_jobs={args.n_jobs}, repeats={args.repeats}, "
        f"peers {'on' if args.with_peers else 'off'}; "
        f"{os.cpu_count()} cores, {cpu_model()}, load {load_at_start}"
    )
    peers = [DaskPeer(args.n_jobs), SparkPeer(args.n_jobs)]
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
            for peer in peers:
                peer.stop()
    run.elapsed = time.perf_counter() - clock
    run.loads = f"{load_at_start} / {load_average()}"
    run.machine = machine_rows(args, run.loads)
    run.startups = {
        peer.name: peer.start_seconds
        for peer in peers
        if peer.start_seconds is not None
    }
    for name, seconds in run.startups.items():
        print(f"{name} start-up with warm-up fit (untimed): {seconds:.1f} s")
    write_report(args.output, args, reports, skipped, run)
    print(f"\nwrote {args.output} ({run.elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
