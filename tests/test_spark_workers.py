"""Spark's Python workers must import the driver's radonlearn: checked first,
once per session, with a short error that says what to do."""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from radonlearn import RadonMachineClassifier, __version__
from radonlearn._engines import _spark_workers as sw
from radonlearn._engines._workers import (
    WorkerPython,
    WorkersLackPackage,
    last_line,
    problem,
)

if not os.environ.get("CI"):
    pytest.importorskip("pyspark")
pd = pytest.importorskip("pandas")

# What a worker without radonlearn answers.
_MISSING = WorkerPython(
    "/opt/cluster/bin/python3",
    "3.11.2",
    None,
    "`import radonlearn` fails with ModuleNotFoundError: No module named 'x'",
)


@pytest.fixture(scope="module")
def sdf(spark):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 3))
    frame = pd.DataFrame(X, columns=["x0", "x1", "x2"])
    frame["label"] = (X[:, 0] + 0.5 * rng.standard_normal(600) > 0).astype(int)
    return spark.createDataFrame(frame).repartition(2)


@pytest.fixture
def fresh(monkeypatch):
    """No session has passed the check yet (for this test only)."""
    monkeypatch.setattr(sw, "PASSED", set())


def test_the_workers_of_the_test_session_pass_once(spark, fresh, monkeypatch):
    # The real probe finds this radonlearn on the local workers; a second
    # check of the same session runs no job.
    sw.check_spark(spark)
    assert sw._spark_key(spark) in sw.PASSED
    assert spark.sparkContext.pythonExec == sys.executable

    def no_job(session):
        raise AssertionError("the check ran again")

    monkeypatch.setattr(sw, "_spark_probe", no_job)
    sw.check_spark(spark)


def test_the_probe_reports_the_interpreter_and_version(spark):
    # One row from one task: the workers' interpreter and radonlearn version.
    found = sw._spark_probe(spark)
    assert found == WorkerPython(
        sys.executable, ".".join(map(str, sys.version_info[:3])), __version__, ""
    )


@pytest.mark.parametrize(
    "found, said",
    [
        (_MISSING, "fails with ModuleNotFoundError: No module named 'x'"),
        (
            WorkerPython("/opt/cluster/bin/python3", "3.11.2", "0.0.1"),
            "which imports radonlearn 0.0.1",
        ),
    ],
)
def test_missing_or_other_version_fails_fast_and_says_what_to_do(
    spark, sdf, fresh, monkeypatch, found, said
):
    # Before any real job, a fit on workers without this radonlearn raises a
    # short ImportError naming their interpreter, both versions and the ways
    # out, with no worker traceback chained; a failed check is not cached.
    calls = []

    def probe(session):
        calls.append(session)
        return found

    monkeypatch.setattr(sw, "_spark_probe", probe)
    machine = RadonMachineClassifier(LogisticRegression(), height=1)
    with pytest.raises(ImportError) as raised:
        machine.fit(sdf, y="label")
    message = str(raised.value)
    assert isinstance(raised.value, WorkersLackPackage)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    for part in (
        f"run {sys.executable} (/opt/cluster/bin/python3, Python 3.11.2)",
        said,
        f"radonlearn {__version__} on {sys.executable}",
        "PYSPARK_PYTHON",
        "spark.archives=env.tar.gz#environment",
        "PYSPARK_PYTHON=./environment/bin/python",
        "venv-pack",
    ):
        assert part in message
    assert "Traceback" not in message
    with pytest.raises(WorkersLackPackage):
        machine.fit(sdf, y="label")
    assert len(calls) == 2
    assert not hasattr(machine, "estimator_")


@pytest.fixture(scope="module")
def fitted(spark, sdf):
    """A model fitted on ``sdf``, its predictions collected, and the warnings
    both raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        machine = RadonMachineClassifier(LogisticRegression(), height=1)
        machine.fit(sdf, y="label")
        machine.predict(sdf).toPandas()
    return machine, caught


def test_a_fit_prints_no_pandas_support_warning(fitted):
    # The spark extra keeps pandas below 3: pyspark says nothing about it.
    _, caught = fitted
    assert not [w for w in caught if "fully support pandas" in str(w.message)]


def test_predicting_a_frame_checks_the_workers_too(sdf, fitted, fresh, monkeypatch):
    # The prediction UDF runs radonlearn's code on the executors: on workers
    # without it, predict fails at once, not at the first action.
    monkeypatch.setattr(sw, "_spark_probe", lambda session: _MISSING)
    with pytest.raises(WorkersLackPackage, match="No module named 'x'"):
        fitted[0].predict(sdf)


class _Context:
    """Just what ``use_local_python`` reads of a SparkContext."""

    def __init__(self, master, python="python3", conf=None):
        self.master = master
        self.pythonExec = python
        self._conf = dict(conf or {})

    def getConf(self):
        return self._conf


class _Session:
    def __init__(self, *args, **kwargs):
        self.sparkContext = _Context(*args, **kwargs)


@pytest.mark.parametrize(
    "master", ["local", "local[2]", "local[2,4]", "local[*]", "local[*, 3]"]
)
def test_local_mode_workers_run_the_drivers_python(monkeypatch, master):
    # Local mode, nothing named: the workers run the driver's interpreter.
    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    session = _Session(master)
    assert sw.use_local_python(session) == sys.executable
    assert session.sparkContext.pythonExec == sys.executable


def test_local_mode_follows_what_the_user_named(monkeypatch):
    # PYSPARK_PYTHON set before the start wins; set later, or given as
    # spark.pyspark.python, it is used in place of the driver's interpreter.
    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    started = _Session("local[2]", python="/envs/a/bin/python")
    assert sw.use_local_python(started) is None
    assert started.sparkContext.pythonExec == "/envs/a/bin/python"
    conf = _Session("local[2]", conf={"spark.pyspark.python": "/envs/b/bin/python"})
    assert sw.use_local_python(conf) == "/envs/b/bin/python"
    monkeypatch.setenv("PYSPARK_PYTHON", "/envs/c/bin/python")
    assert sw.use_local_python(_Session("local[*]")) == "/envs/c/bin/python"


@pytest.mark.parametrize(
    "master",
    ["yarn", "spark://10.0.0.1:7077", "k8s://https://k:443", "local-cluster[2,1,1024]"],
)
def test_a_cluster_keeps_its_interpreter(monkeypatch, master):
    # Executors elsewhere may not have the driver's path: nothing changes.
    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    session = _Session(master)
    assert sw.use_local_python(session) is None
    assert session.sparkContext.pythonExec == "python3"


class _StoppedContext(_Context):
    def getConf(self):
        raise AttributeError("'NoneType' object has no attribute 'sc'")


def test_a_stopped_session_is_a_connection_error():
    # A DataFrame of a stopped session: a plain ConnectionError, not an
    # AttributeError from inside pyspark.
    session = _Session("local[2]")
    session.sparkContext = _StoppedContext("local[2]")
    with pytest.raises(ConnectionError, match="was stopped") as raised:
        sw.check_spark(session)
    assert raised.value.__cause__ is None


def test_the_last_line_of_worker_errors():
    # A Python traceback gives its last line, a Java trace its deepest cause.
    python = (
        "An exception was thrown from the Python worker:\nTraceback (most recent "
        'call last):\n  File "worker.py", line 1, in <module>\nModuleNotFoundError:'
        " No module named 'pyarrow'\n SQLSTATE: 38000"
    )
    assert last_line(python) == "ModuleNotFoundError: No module named 'pyarrow'"
    java = (
        "An error occurred while calling o1.collect.\n: org.apache.spark."
        "SparkException: Job aborted\n\tat org.apache.spark.X.y(X.scala:1)\n"
        "Caused by: java.io.IOException: error=2, No such file or directory\n"
        "\tat java.base/java.lang.ProcessImpl.forkAndExec(Native Method)\n"
    )
    assert last_line(java) == "java.io.IOException: error=2, No such file or directory"
    assert problem(WorkerPython(sys.executable, "3.11.2", __version__)) is None


# ---------------------------------------------------------------------------
# Real interpreters, in subprocesses: Spark Connect, and a venv not on PATH
# ---------------------------------------------------------------------------

# Fits a local[2] session, classic or Spark Connect, bound to loopback, and
# prints what happened as JSON on its last line.
_SCRIPT = textwrap.dedent(
    """
    import json, sys, time, warnings
    warnings.simplefilter("ignore")
    import numpy as np
    import pandas as pd
    from pyspark.sql import SparkSession
    from sklearn.linear_model import LogisticRegression
    from radonlearn import RadonMachineClassifier
    from radonlearn._engines import _spark_workers

    def session(connect):
        builder = SparkSession.builder
        builder = builder.remote("local[2]") if connect else builder.master("local[2]")
        for key, value in [
            ("spark.driver.host", "127.0.0.1"),
            ("spark.driver.bindAddress", "127.0.0.1"),
            ("spark.connect.grpc.binding.address", "127.0.0.1"),
            ("spark.ui.enabled", "false"),
            ("spark.ui.showConsoleProgress", "false"),
        ]:
            builder = builder.config(key, value)
        return builder.getOrCreate()

    def fit(spark):
        rng = np.random.default_rng(0)
        X = rng.standard_normal((600, 3))
        frame = pd.DataFrame(X, columns=["x0", "x1", "x2"])
        frame["label"] = (X[:, 0] > 0).astype(int)
        sdf = spark.createDataFrame(frame)
        start = time.perf_counter()
        try:
            machine = RadonMachineClassifier(LogisticRegression(), height=1)
            machine.fit(sdf, y="label")
            scored = machine.predict(sdf).toPandas()
        except ImportError as error:
            return {"error": str(error), "type": type(error).__name__,
                    "cause": error.__cause__ is not None,
                    "seconds": time.perf_counter() - start}
        return {"accuracy": float((scored.prediction == scored.label).mean()),
                "passed": len(_spark_workers.PASSED), "probes": len(probes),
                "seconds": time.perf_counter() - start}

    probes = []
    probe = _spark_workers._spark_probe

    def counted(session):
        probes.append(session)
        return probe(session)

    _spark_workers._spark_probe = counted
    results = []
    for connect, python in json.loads(sys.argv[1]):
        import os
        if python:
            os.environ["PYSPARK_PYTHON"] = python
        else:
            os.environ.pop("PYSPARK_PYTHON", None)
        spark = session(connect)
        results.append(fit(spark))
        probes.clear()
        spark.stop()
    print(json.dumps(results))
    """
)


def _run(runs, env, cwd, timeout=120):
    """Run ``_SCRIPT`` for ``runs`` ([connect, PYSPARK_PYTHON] pairs) in
    ``cwd`` (not the source tree: the workers would import from it)."""
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(runs)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK")}
    env.pop("SPARK_REMOTE", None)
    env.update(changes)
    return env


def _fake_radonlearn(tmp_path, version):
    """An interpreter whose radonlearn is ``version`` (None: one that fails
    to import), as PYSPARK_PYTHON: a wrapper of this Python."""
    package = tmp_path / "fake" / "radonlearn"
    package.mkdir(parents=True)
    package.joinpath("__init__.py").write_text(
        f"__version__ = {version!r}\n"
        if version
        else "raise ModuleNotFoundError(\"No module named 'radonlearn'\")\n"
    )
    wrapper = tmp_path / "python"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'PYTHONPATH="{package.parent}:$PYTHONPATH" exec "{sys.executable}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def _connect_available():
    """Whether pyspark's Spark Connect client can be imported here."""
    try:
        from pyspark.sql.connect.utils import check_dependencies

        check_dependencies()
    except Exception:
        return False
    return True


_needs_connect = pytest.mark.skipif(
    not os.environ.get("CI") and not _connect_available(),
    reason="Spark Connect needs pyspark[connect] (grpcio, grpcio-status, "
    "googleapis-common-protos, zstandard)",
)
# SPARK_TESTING: pyspark's own way to put a local Connect server on a free
# port (else 15002, which another process may hold).
_CONNECT_ENV = {"SPARK_TESTING": "1"}


@pytest.mark.slow
@_needs_connect
def test_spark_connect_fits_and_predicts(tmp_path):
    # On a local Spark Connect server (in a process of its own: a Connect
    # server and a classic session cannot share one), the check runs through
    # the DataFrame API, once for fit and predict, and both work.
    runs, _ = _run([[True, sys.executable]], _env(**_CONNECT_ENV), tmp_path)
    assert runs[0]["accuracy"] > 0.9
    assert runs[0]["passed"] == 1 and runs[0]["probes"] == 1


@pytest.mark.slow
@_needs_connect
def test_spark_connect_without_the_package_fails_fast(tmp_path):
    # A Connect server started from a venv not on PATH: its workers run
    # python3 from PATH, and the fit stops at the check with the short error.
    env = _env(PATH="/usr/bin:/bin", **_CONNECT_ENV)
    runs, _ = _run([[True, None]], env, tmp_path)
    assert runs[0]["type"] == "WorkersLackPackage" and not runs[0]["cause"]
    assert "On Spark Connect, PYSPARK_PYTHON is read from" in runs[0]["error"]
    assert runs[0]["seconds"] < 30


@pytest.mark.slow
def test_a_venv_not_on_path_fits_in_local_mode(tmp_path):
    # Run as `/venv/bin/python script.py` with PATH lacking the venv: the
    # local workers run the driver's interpreter and the fit succeeds; an
    # interpreter named by PYSPARK_PYTHON whose radonlearn is another
    # version, or missing, fails within seconds with the short error;
    # pyspark prints no pandas warning.
    other = _fake_radonlearn(tmp_path / "other", "0.0.1")
    missing = _fake_radonlearn(tmp_path / "missing", None)
    runs, stderr = _run(
        [[False, None], [False, other], [False, missing]],
        _env(PATH="/usr/bin:/bin"),
        tmp_path,
    )
    assert runs[0]["accuracy"] > 0.9
    for run, python in zip(runs[1:], [other, missing], strict=True):
        assert run["type"] == "WorkersLackPackage" and not run["cause"]
        assert f"workers run {python} ({sys.executable}, Python" in run["error"]
        assert run["seconds"] < 30
    assert "which imports radonlearn 0.0.1" in runs[1]["error"]
    assert "No module named 'radonlearn'" in runs[2]["error"]
    assert "fully support pandas" not in stderr
