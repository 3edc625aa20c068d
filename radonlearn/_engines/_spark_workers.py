"""Spark's Python workers and this radonlearn: one tiny job per session.

``check_spark`` runs ``_workers.probe_function`` in one task of a single-row
``mapInArrow`` job (the DataFrame API: classic sessions and Spark Connect
alike) before the first real job of a fit or a prediction, and raises
``WorkersLackPackage`` when the workers cannot import the driver's
radonlearn. A session that passed is not asked again.

In local mode (``local``, ``local[N]``, ``local[N,M]``, ``local[*]``) the
Python workers run on this machine: unless ``PYSPARK_PYTHON`` was set when
the SparkContext started, they are pointed at the interpreter named by
``PYSPARK_PYTHON`` now or by ``spark.pyspark.python`` (which pyspark reads
only through ``spark-submit``), else at the driver's own ``sys.executable``
(``use_local_python``). Spark Connect has no such handle: its server reads
``PYSPARK_PYTHON`` from its own environment.
"""

import os
import re
import sys

from ._spark_data import _collect, _is_connect, _session_lost
from ._workers import (
    PASSED,
    WorkerPython,
    WorkersLackPackage,
    driver,
    driver_version,
    failed,
    probe_function,
    problem,
)

__all__ = []

# Spark masters whose executors are threads of the driver's JVM.
_LOCAL_MASTER = re.compile(r"local(\[[0-9*]+(,[0-9]+)?\])?")
# pyspark's worker interpreter when PYSPARK_PYTHON is unset at start.
_PYSPARK_DEFAULT_PYTHON = "python3"


def use_local_python(session):
    """Local mode, with no interpreter set when the SparkContext started: the
    Python workers run the one named now, else the driver's; returns it, or
    None when the workers' interpreter is left as it is.

    pyspark reads ``PYSPARK_PYTHON`` once, when the SparkContext starts, and
    gives ``SparkContext.pythonExec`` to every function it sends later; a
    ``spark.pyspark.python`` set on a builder is not read in local mode.
    """
    if _is_connect(session):
        return None
    context = session.sparkContext
    if context.pythonExec != _PYSPARK_DEFAULT_PYTHON:
        return None
    if not _LOCAL_MASTER.fullmatch(str(context.master).replace(" ", "")):
        return None
    named = os.environ.get("PYSPARK_PYTHON") or context.getConf().get(
        "spark.pyspark.python", None
    )
    context.pythonExec = named or sys.executable
    return context.pythonExec


def _spark_key(session):
    if _is_connect(session):
        return ("spark-connect", session.session_id)
    context = session.sparkContext
    return ("spark", context.applicationId, context.pythonExec)


def _spark_python(session):
    """The interpreter Spark's Python workers are told to run."""
    if _is_connect(session):
        return "the Spark Connect server's PYSPARK_PYTHON (python3 when unset)"
    return session.sparkContext.pythonExec


def _arrow_probe():
    """``probe_function`` as a ``mapInArrow`` function: one row out."""
    probe = probe_function()

    def batches(_):
        import pyarrow as pa

        python, python_version, version, error = probe()
        yield pa.RecordBatch.from_pydict(
            {
                "python": [python],
                "python_version": [python_version],
                "version": [version],
                "error": [error],
            }
        )

    return batches


def _rows(frame):
    """The rows of ``frame`` as dictionaries."""
    return [row.asDict() for row in frame.collect()]


def _spark_probe(session):
    """Run the probe in one Spark task; a ``WorkerPython``."""
    schema = "python string, python_version string, version string, error string"
    frame = session.range(1, numPartitions=1).mapInArrow(_arrow_probe(), schema)
    try:
        # Rows, not toPandas: a failed Arrow collect warns with the whole
        # worker traceback.
        row = _collect(frame, "checking the executors' radonlearn", action=_rows)[0]
    except (ConnectionError, TimeoutError):
        raise
    except Exception as error:
        # The probe could not run: no interpreter at that path, another
        # Python version than the driver's, no pyarrow there.
        return WorkerPython(_spark_python(session), "", None, failed(error))
    return WorkerPython(
        row["python"], row["python_version"], row["version"] or None, row["error"]
    )


def _spark_advice(session):
    """The ways to give Spark's workers this radonlearn."""
    text = (
        f"Make the executors run a Python with radonlearn {driver_version()} (and "
        "its dependencies, pandas and pyarrow): set PYSPARK_PYTHON to it before "
        f"the Spark session starts (PYSPARK_PYTHON={sys.executable} when the "
        "executors are on this machine), or ship a packed environment: "
        "`venv-pack -o env.tar.gz` (or conda-pack), then spark.archives="
        "env.tar.gz#environment and PYSPARK_PYTHON=./environment/bin/python."
    )
    if _is_connect(session):
        text += (
            " On Spark Connect, PYSPARK_PYTHON is read from the server's "
            "environment; for remote('local[...]'), set os.environ"
            "['PYSPARK_PYTHON'] before the session is created."
        )
    return text


def check_spark(session):
    """Raise ``WorkersLackPackage`` unless Spark's Python workers import this
    radonlearn; in local mode, point them at the driver's interpreter first
    (``use_local_python``). Once per session and interpreter."""
    try:
        use_local_python(session)
        key = _spark_key(session)
    except Exception as error:
        if not _session_lost(session, error):
            raise
        raise ConnectionError(
            "The SparkSession of this DataFrame was stopped, or its driver JVM "
            "is gone. Start a SparkSession and run the fit again."
        ) from None
    if key in PASSED:
        return
    found = _spark_probe(session)
    wrong = problem(found, None if _is_connect(session) else _spark_python(session))
    if wrong is not None:
        raise WorkersLackPackage(
            f"The Spark executors cannot fit with this radonlearn: their Python "
            f"workers {wrong}, while the driver has {driver()}. "
            f"{_spark_advice(session)}",
            name="radonlearn",
        ) from None
    PASSED.add(key)
