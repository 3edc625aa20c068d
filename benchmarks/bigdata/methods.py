"""The three fits, each run in a child process started by ``monitor``.

Every runner takes the parsed command line and returns a JSON-ready dict
with at least ``seconds``; a model that was fitted adds ``coef`` and
``intercept`` (scored by ``report``), one that was stopped says so.
"""

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .data import LABEL, feature_names, parquet_dir

__all__ = ["METHODS", "run_method", "spark_local_dir"]

METHODS = ("dask", "spark", "mllib")
# MLlib's jobs are tagged with this group, to count them and to cancel them.
_MLLIB_GROUP = "mllib-fit"
# The Dask command line, and how long its scheduler and workers may take to
# start or stop.
_DASK = [sys.executable, "-m", "dask"]
_DASK_START_SECONDS = 60


def spark_local_dir(args):
    """Spark's scratch space (shuffle, cache spill): on the data's disk."""
    return Path(args.data_dir) / "spark-local"


def _spark_session(args, name):
    """A ``local[2]`` session for a big table: zstd shuffle and spill, Kryo."""
    from pyspark.sql import SparkSession

    import radonlearn

    package_root = str(Path(radonlearn.__file__).resolve().parents[1])
    local_dir = spark_local_dir(args)
    local_dir.mkdir(parents=True, exist_ok=True)
    options = {
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": args.driver_memory,
        "spark.local.dir": str(local_dir),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.io.compression.codec": "zstd",
        "spark.rdd.compress": "true",
        "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.pyspark.python": sys.executable,
        "spark.executorEnv.PYTHONPATH": package_root,
    }
    builder = SparkSession.builder.master("local[2]").appName(name)
    for key, value in options.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _check_worker_package(session, package_root)
    return session


def _check_worker_package(session, package_root):
    """Refuse to go on when Spark's Python workers import another radonlearn."""

    def worker_package(_):
        # Nested, so that it is pickled by value: the workers cannot import
        # this module.
        import pathlib

        import radonlearn

        yield str(pathlib.Path(radonlearn.__file__).resolve().parents[1])

    context = session.sparkContext
    found = set(context.parallelize([0], 1).mapPartitions(worker_package).collect())
    if found != {package_root}:
        session.stop()
        raise RuntimeError(
            f"Spark's Python workers import radonlearn from {sorted(found)}, the "
            f"driver from {package_root!r}. Put the driver's folder first on "
            "PYTHONPATH and start the script from a folder without a radonlearn "
            "package in it."
        )


def _machine_result(machine, seconds):
    """What a fitted Radon machine reports."""
    import radonlearn

    return {
        "seconds": seconds,
        "coef": machine.coef_.ravel().tolist(),
        "intercept": float(machine.intercept_[0]),
        "height": int(machine.height_),
        "n_shards": int(machine.n_shards_),
        "reason": str(machine.height_plan_["reason"]),
        "fit_times": {k: float(v) for k, v in machine.fit_times_.items()},
        "radonlearn": str(Path(radonlearn.__file__).resolve().parent),
    }


def _file_reads(tasks):
    """Tasks of the stream that read a Parquet file, by task group.

    Each group (a graph layer: a name and its token, shortened) reads every
    file once or some of them; the groups show how many passes were made.
    """
    reads = {}
    for task in tasks:
        key = task["key"]
        name = str(key[0] if isinstance(key, tuple) else key)
        if "parquet" in name.lower():
            stem, _, token = name.rpartition("-")
            group = f"{stem}-{token[:6]}" if stem else name
            reads[group] = reads.get(group, 0) + 1
    return reads


@contextmanager
def _dask_cluster(args):
    """A scheduler and two one-thread workers, each in a process of its own.

    The scheduler does not share the client's process (as it would in a
    ``LocalCluster``), so that the client's memory is measured alone. Their
    output goes to this process's (the method's log).
    """
    from distributed import Client

    folder = Path(tempfile.mkdtemp(prefix="ltm-dask-"))
    scheduler_file = str(folder / "scheduler.json")
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    commands = [
        [*_DASK, "scheduler", "--port", "0", "--scheduler-file", scheduler_file],
        [
            *_DASK,
            "worker",
            *("--scheduler-file", scheduler_file, "--nworkers", "2"),
            *("--nthreads", "1", "--memory-limit", args.dask_memory_limit),
            *("--local-directory", str(folder)),
        ],
    ]
    processes = [subprocess.Popen(command + common) for command in commands]
    client = None
    try:
        client = Client(scheduler_file=scheduler_file, timeout=_DASK_START_SECONDS)
        client.wait_for_workers(2, timeout=_DASK_START_SECONDS)
        yield client
    finally:
        if client is not None:
            client.close()
        for process in reversed(processes):
            process.terminate()
            process.wait(_DASK_START_SECONDS)
        shutil.rmtree(folder, ignore_errors=True)


def run_dask(args):
    """The Dask engine on ``dask.dataframe.read_parquet`` of the files."""
    import dask.dataframe as dd
    from distributed import get_task_stream
    from sklearn.linear_model import LogisticRegression

    from radonlearn import RadonMachineClassifier

    with _dask_cluster(args) as client:
        frame = dd.read_parquet(str(parquet_dir(args.data_dir)))
        features = feature_names(args.features)
        started = time.perf_counter()
        machine = RadonMachineClassifier(LogisticRegression(), random_state=0)
        with get_task_stream(client) as stream:
            # optimize() first: dask 2026.8 fuses the partitions of a narrow
            # column selection of read_parquet when it computes, so
            # frame[LABEL].to_dask_array(lengths=True), which the Dask engine
            # calls, finds fewer lengths than partitions and raises.
            machine.fit(frame[features].optimize(), frame[LABEL].optimize())
        result = _machine_result(machine, time.perf_counter() - started)
        result["partitions"] = frame.npartitions
        result["file_reads"] = _file_reads(stream.data)
        return result


def run_spark(args):
    """The Spark engine on ``spark.read.parquet`` of the files."""
    from sklearn.linear_model import LogisticRegression

    from radonlearn import RadonMachineClassifier

    session = _spark_session(args, "radonlearn-larger-than-memory")
    try:
        sdf = session.read.parquet(str(parquet_dir(args.data_dir)))
        height = args.height if args.height == "auto" else int(args.height)
        context = session.sparkContext
        context.setJobGroup("radon-fit", "Radon machine fit")
        started = time.perf_counter()
        machine = RadonMachineClassifier(
            LogisticRegression(), height=height, random_state=0
        )
        machine.fit(sdf, y=LABEL)
        result = _machine_result(machine, time.perf_counter() - started)
        result["jobs"] = len(context.statusTracker().getJobIdsForGroup("radon-fit"))
        result["partitions"] = sdf.rdd.getNumPartitions()
        return result
    finally:
        session.stop()


def _mllib_fit(session, args, budget):
    """Fit MLlib's model; cancel its jobs when ``budget`` seconds have passed."""
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    context = session.sparkContext
    sdf = session.read.parquet(str(parquet_dir(args.data_dir)))
    assembler = VectorAssembler(
        inputCols=feature_names(args.features), outputCol="features"
    )
    learner = LogisticRegression(labelCol=LABEL, maxIter=args.mllib_max_iter)
    stopped = threading.Event()

    def stop():
        stopped.set()
        context.cancelJobGroup(_MLLIB_GROUP)

    timer = threading.Timer(budget, stop)
    context.setJobGroup(_MLLIB_GROUP, "MLlib fit")
    started = time.perf_counter()
    timer.start()
    try:
        model = learner.fit(assembler.transform(sdf))
    except Exception as error:  # the cancelled jobs raise a Py4JJavaError
        if not stopped.is_set():
            raise
        model, _ = None, error
    finally:
        timer.cancel()
    seconds = time.perf_counter() - started
    jobs = len(context.statusTracker().getJobIdsForGroup(_MLLIB_GROUP))
    return model, seconds, jobs, sdf.rdd.getNumPartitions()


def run_mllib(args):
    """MLlib's ``LogisticRegression`` on the same files; its jobs counted."""
    session = _spark_session(args, "mllib-larger-than-memory")
    try:
        model, seconds, jobs, partitions = _mllib_fit(session, args, args.budget)
        result = {
            "seconds": seconds,
            "jobs": jobs,
            "partitions": partitions,
            "max_iter": args.mllib_max_iter,
        }
        if model is None:
            result["stopped"] = f"budget of {args.budget:.0f} s reached"
            return result
        result.update(
            coef=model.coefficients.toArray().tolist(),
            intercept=float(model.intercept),
            iterations=int(model.summary.totalIterations),
        )
        return result
    finally:
        session.stop()


def run_method(args):
    """Child process: run ``args.run_method``, write its result as JSON."""
    import json

    runner = {"dask": run_dask, "spark": run_spark, "mllib": run_mllib}
    result = runner[args.run_method](args)
    Path(args.result).write_text(json.dumps(result))
