"""The ``local[N]`` Spark session and the count of Spark jobs per fit."""

import os
import sys
from pathlib import Path

import radonlearn

__all__ = ["JobCounter", "start_spark"]


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
