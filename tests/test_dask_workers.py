"""Dask workers must import the client's radonlearn: each worker is asked
once, before the first graph of a fit, and a mismatch is a short error."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from radonlearn import RadonMachineClassifier, __version__
from radonlearn._engines import _workers

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """Two worker processes on loopback."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        connected.wait_for_workers(2, timeout=60)
        yield connected


@pytest.fixture
def fresh(monkeypatch):
    """No worker has passed the check yet (for this test only)."""
    monkeypatch.setattr(_workers, "PASSED", set())


def _data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = (X[:, 0] > 0).astype(int)
    return da.from_array(X, chunks=500), da.from_array(y, chunks=500)


def test_every_worker_passes_once(client, fresh, monkeypatch):
    # The real probe finds this radonlearn on both workers; asking again
    # runs nothing on them.
    _workers.check_dask(client)
    address = client.scheduler.address
    assert {(address, w) for w in client.nthreads()} == _workers.PASSED

    def no_run(*args, **kwargs):
        raise AssertionError("the workers were asked again")

    monkeypatch.setattr(client, "run", no_run)
    _workers.check_dask(client)


def test_the_probe_answers_on_a_worker(client):
    # On a worker: its interpreter, its Python and this radonlearn.
    answers = client.run(_workers.probe_function())
    assert len(answers) == 2
    for python, version_of_python, version, error in answers.values():
        assert python and version_of_python and version == __version__
        assert error == ""


def test_another_version_on_the_workers_stops_the_fit(client, fresh, monkeypatch):
    # A fit on workers with another radonlearn stops before any graph runs,
    # naming the workers, both versions and the ways out; nothing is cached.
    def other_version():
        def probe():
            return "/opt/worker/bin/python", "3.11.2", "0.0.1", ""

        return probe

    monkeypatch.setattr(_workers, "probe_function", other_version)
    X, y = _data()
    with pytest.raises(ImportError) as raised:
        RadonMachineClassifier(LogisticRegression(), height=1).fit(X, y)
    message = str(raised.value)
    assert isinstance(raised.value, _workers.WorkersLackPackage)
    assert raised.value.__cause__ is None
    for part in (
        "2 of 2 Dask worker(s)",
        *client.nthreads(),
        "/opt/worker/bin/python (Python 3.11.2), which imports radonlearn 0.0.1",
        f"the client has radonlearn {__version__}",
        f"PipInstall(packages=['radonlearn=={__version__}'])",
        "client.get_versions(check=True)",
    ):
        assert part in message
    assert _workers.PASSED == set()


def test_a_probe_that_cannot_run_is_one_line(client, fresh, monkeypatch):
    # An error raised on a worker is reported in one line, no traceback.
    def broken():
        def probe():
            raise RuntimeError("no radonlearn here")

        return probe

    monkeypatch.setattr(_workers, "probe_function", broken)
    said = "could not run: RuntimeError: no radonlearn here"
    with pytest.raises(_workers.WorkersLackPackage, match=said):
        _workers.check_dask(client)


def test_a_fit_after_the_check_works(client, fresh):
    # The check passes on the real workers and the fit goes on.
    X, y = _data()
    machine = RadonMachineClassifier(LogisticRegression(), height=1).fit(X, y)
    assert machine.n_shards_ == 6
    assert len(_workers.PASSED) == 2
