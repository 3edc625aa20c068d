"""Fit a Parquet data set larger than the machine's memory three ways.

The data: ``--rows`` rows (270 million by default) of 18 float64 features
and a binary label from a logistic model (``X`` standard normal, ``P(y = 1
| x)`` the sigmoid of ``x @ w + b``), written chunk by chunk (each chunk
seeded from the run's seed and its number) as Parquet files of
``--file-rows`` rows. 270 million rows of 18 float64 features are 36.2 GiB
in memory, 1.5 times this machine's 24 GiB. The features are rounded to
multiples of 1/256 (``--grid``) so that the files and Spark's shuffle and
spill files, compressed with zstd, fit on this machine's disk next to each
other; in memory they are float64 all the same. Files already in
``--data-dir`` are checked (manifest, file count, rows, columns) and reused.

Then, each in a process of its own (started in a session of its own, so
that it and everything it starts can be stopped together), one after the
other:

* ``dask``: ``dask.dataframe.read_parquet`` on a ``distributed.LocalCluster``
  of two one-thread worker processes with ``--dask-memory-limit`` each, and
  ``RadonMachineClassifier(LogisticRegression(), random_state=0)
  .fit(ddf[features], ddf["label"])`` with ``height="auto"``; the tasks that
  read a Parquet file are counted (passes over the data);
* ``spark``: ``spark.read.parquet`` on a ``local[2]`` session and
  ``RadonMachineClassifier(LogisticRegression(), random_state=0)
  .fit(sdf, y="label")``, trying the heights of ``--spark-heights`` in turn
  until one completes (auto first); its Spark jobs are counted;
* ``mllib``: MLlib's ``LogisticRegression(maxIter=--mllib-max-iter)`` on the
  same session settings, on ``VectorAssembler(...).transform(sdf)``; its
  Spark jobs are counted (one pass over the data, or over MLlib's cache of
  it, each) next to ``summary.totalIterations``.

Every method has a wall-clock budget (``--max-seconds``, for MLlib
``--mllib-max-seconds``): MLlib's jobs are cancelled when it is spent (the
method is then reported as stopped), any child still running two minutes
later is stopped. The module ``bigdata.monitor`` samples the memory of the
client, the JVM and the workers, the free disk and the available memory,
and stops a method at ``--min-free-gb`` or ``--min-available-gb``. Spark's
scratch space (shuffle, MLlib's cache spill) is ``DATA_DIR/spark-local``,
removed after every method.

Every method's result is stored in ``--results-dir`` (``DATA_DIR/results``)
and the report is made of all stored results, so one method can be run
again alone (``--methods spark``). Last, a plain ``LogisticRegression`` is
fitted in memory on a separate draw of ``--sample-rows`` rows (1 million;
stored too) and every model is scored (ROC AUC) on ``--test-rows`` further
rows.

Usage::

    python benchmarks/larger_than_memory.py --data-dir /work/bigdata
    python benchmarks/larger_than_memory.py --data-dir /work/bigdata --methods spark
    python benchmarks/larger_than_memory.py --data-dir /work/bigdata --methods none
    python benchmarks/larger_than_memory.py --quick --data-dir /tmp/ltm

Needs radonlearn[dask,spark], psutil and Java 17. The work is done by the
modules of ``benchmarks/bigdata/``; this script reads the command line and
runs them in order.
"""

import argparse
import os
import platform
import shutil
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

from bigdata.data import disk_bytes, write_data
from bigdata.methods import METHODS, run_method
from bigdata.monitor import run_child
from bigdata.report import (
    in_memory_gib,
    load_results,
    reference_fit,
    report,
    save_result,
    score,
)
from peers.measure import (
    command_text,
    cpu_model,
    git_revision,
    java_version,
    total_memory_gib,
    version_of,
)

warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")


def _add_sizes(parser):
    """The data set's sizes and the budgets."""
    parser.add_argument("--rows", type=int, default=270_000_000)
    parser.add_argument("--features", type=int, default=18)
    parser.add_argument("--file-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--grid", type=int, default=256, help="features * grid are whole"
    )
    parser.add_argument("--sample-rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=3600,
        help="wall-clock budget of the dask and spark methods",
    )
    parser.add_argument(
        "--mllib-max-seconds",
        type=float,
        default=2700,
        help="wall-clock budget of MLlib (its jobs are cancelled then)",
    )
    parser.add_argument("--mllib-max-iter", type=int, default=100)


def parse_args(argv=None):
    """Parse the command line; ``--quick`` sets small sizes."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", required=True)
    _add_sizes(parser)
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated; 'none' only writes the report of stored results",
    )
    parser.add_argument("--spark-heights", default="auto,2")
    parser.add_argument("--dask-memory-limit", default="8GiB")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--min-free-gb", type=float, default=10.0)
    parser.add_argument("--min-available-gb", type=float, default=1.5)
    parser.add_argument("--results-dir", help="default: DATA_DIR/results")
    parser.add_argument("--delete-data", action="store_true")
    parser.add_argument(
        "--output", default=os.path.join(tempfile.gettempdir(), "larger_than_memory.md")
    )
    parser.add_argument("--quick", action="store_true", help="4M rows, 250k sample")
    parser.add_argument("--run-method", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--height", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.file_rows = 4_000_000, 500_000
        args.sample_rows, args.test_rows = 250_000, 100_000
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(args.methods) - set(METHODS) - {"none"}
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}; choose from {METHODS}")
    args.methods = [m for m in args.methods if m != "none"]
    args.spark_heights = [h.strip() for h in args.spark_heights.split(",")]
    args.data_dir = str(Path(args.data_dir).resolve())
    results_dir = args.results_dir or Path(args.data_dir) / "results"
    args.results_dir = str(Path(results_dir).resolve())
    return args


def run_methods(args, data_bytes, log):
    """Run and store every method asked for (Spark: heights until one works)."""
    for method in args.methods:
        heights = args.spark_heights if method == "spark" else ["auto"]
        attempts = []
        for height in heights:
            load = os.getloadavg()[0]
            started = datetime.now(timezone.utc)
            result = run_child(args, __file__, method, height, log)
            result.update(
                started=f"{started:%Y-%m-%d %H:%M} UTC",
                load=f"{load:.1f} -> {os.getloadavg()[0]:.1f}",
                git=git_revision(),
                command=command_text("benchmarks/larger_than_memory.py"),
                data_bytes=data_bytes,
            )
            attempts.append(result)
            save_result(args.results_dir, method, attempts)
            if result["code"] == 0:
                break


def machine_facts(args, write_seconds):
    """The machine, the versions and the settings, as ``(what, value)`` rows."""
    return [
        ("cores", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", f"{total_memory_gib():.1f} GiB"),
        ("OS", platform.platform()),
        ("disk free now", f"{shutil.disk_usage(args.data_dir).free / 1e9:.0f} GB"),
        (
            "writing the data",
            f"{write_seconds:.0f} s" if write_seconds else "reused (checked)",
        ),
        (
            "Spark",
            f"`local[2]`, driver memory {args.driver_memory}, zstd "
            f"shuffle and spill, Kryo, UI off, scratch under {args.data_dir}",
        ),
        (
            "Dask",
            "`dask scheduler` and `dask worker --nworkers 2 --nthreads 1`, "
            f"each worker a process of its own, memory limit "
            f"{args.dask_memory_limit} each",
        ),
        ("Python", platform.python_version()),
        ("pyspark", version_of("pyspark")),
        ("java", java_version()),
        ("dask / distributed", f"{version_of('dask')} / {version_of('distributed')}"),
        ("scikit-learn", version_of("scikit-learn")),
        ("radonlearn", f"{version_of('radonlearn')} (git {git_revision()})"),
    ]


def main(argv=None):
    args = parse_args(argv)
    if args.run_method:
        run_method(args)
        return
    wall = time.perf_counter()

    def log(text):
        print(f"[{time.perf_counter() - wall:7.0f} s] {text}", flush=True)

    Path(args.results_dir).mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.data_dir).free / 1e9
    log(f"{free:.0f} GB free under {args.data_dir}; load {os.getloadavg()[0]:.2f}")
    directory, write_seconds = write_data(args, log)
    data_bytes = disk_bytes(directory)
    run_methods(args, data_bytes, log)
    results = load_results(args.results_dir, METHODS)
    reference = reference_fit(args, log)
    score(args, results)
    facts = {
        "in_memory_gib": in_memory_gib(args),
        "memory_gib": total_memory_gib(),
        "n_files": len(list(directory.glob("*.parquet"))),
        "disk_gb": data_bytes / 1e9,
        "machine": machine_facts(args, write_seconds),
    }
    text = report(args, results, reference, facts)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)
    if args.delete_data:
        shutil.rmtree(args.data_dir, ignore_errors=True)
    log(f"written to {args.output}")


if __name__ == "__main__":
    main()
