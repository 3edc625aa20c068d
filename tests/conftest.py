"""Shared test configuration: a derandomised Hypothesis profile by default,
and one local Spark session for the Spark tests."""

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

# Derandomised so every run, local or CI, checks the same examples; set
# HYPOTHESIS_PROFILE=explore to search with fresh randomness.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """Mark every Spark and Dask test, so ``-m "not spark and not dask"``
    leaves them out: the tests of test_spark*.py and test_dask*.py, and any
    test that uses the ``spark`` session. The ``slow`` mark is set by hand
    on tests that take more than about two seconds."""
    for item in items:
        module = item.path.name
        if module.startswith("test_spark") or "spark" in item.fixturenames:
            item.add_marker(pytest.mark.spark)
        if module.startswith("test_dask"):
            item.add_marker(pytest.mark.dask)


# Cores of the local Spark session (and its default parallelism).
SPARK_PARTITIONS = 4


@pytest.fixture(scope="session")
def spark():
    """Local Spark: two cores, up to 4 attempts per task, loopback only, no UI."""
    from pyspark.sql import SparkSession

    import radonlearn

    package_root = os.path.dirname(
        os.path.dirname(os.path.abspath(radonlearn.__file__))
    )
    builder = (
        SparkSession.builder.master("local[2,4]")
        .appName("radonlearn-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", str(SPARK_PARTITIONS))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # The Python workers run this interpreter and import this radonlearn.
        .config("spark.pyspark.python", sys.executable)
        .config("spark.executorEnv.PYTHONPATH", package_root)
    )
    try:
        session = builder.getOrCreate()
    except Exception as error:  # pragma: no cover - no Java on this machine
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Cannot start a local Spark session: {error}")
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()
