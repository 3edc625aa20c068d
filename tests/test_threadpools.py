"""BLAS and OpenMP limits are restored whatever thread ends the fit, and however."""

import threading

import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from radonlearn import RadonMachineClassifier
from radonlearn._threadpools import one_thread


def _blas_threads():
    return [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]


class FailingShard(LogisticRegression):
    """Fails on shard-sized fits (they run in joblib's worker threads)."""

    def fit(self, X, y, sample_weight=None):
        if X.shape[0] < 1000:
            raise RuntimeError("a shard fit failed")
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture
def data():
    return make_classification(n_samples=6000, n_features=4, random_state=0)


def test_limit_entered_in_main_and_left_in_a_thread_is_restored():
    # The thread that set the count restores it, even when another thread
    # is still inside a limit: OpenBLAS ignored the restore when the last
    # thread to leave was another than the main thread that set it.
    if not _blas_threads():
        pytest.skip("no BLAS library found by threadpoolctl")
    before = _blas_threads()
    outer = one_thread().__enter__()
    inner = one_thread()
    entered, release = threading.Event(), threading.Event()

    def worker():
        with inner:
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    entered.wait(10)
    outer.__exit__(None, None, None)  # the main thread leaves first
    release.set()
    thread.join()
    assert _blas_threads() == before


def test_a_shard_fit_that_raises_leaves_blas_as_it_was(data):
    # A fit whose shard fits raise in joblib's worker threads restores the
    # process's BLAS thread count.
    X, y = data
    before = _blas_threads()
    machine = RadonMachineClassifier(FailingShard(), height=1, n_jobs=2, random_state=0)
    with pytest.raises(RuntimeError, match="a shard fit failed"):
        machine.fit(X, y)
    assert _blas_threads() == before


def test_concurrent_fits_in_user_threads_restore_blas(data):
    # Fits in three user threads at once, several times over, leave the
    # count as it was.
    X, y = data
    before = _blas_threads()
    for _ in range(3):
        threads = [
            threading.Thread(
                target=RadonMachineClassifier(height=1, n_jobs=2, random_state=0).fit,
                args=(X, y),
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _blas_threads() == before
