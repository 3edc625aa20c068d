"""The thread test of the in-memory engine: one Ctrl-C ends it."""

import os
import signal
import threading
import time

import pytest
from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge

from radonlearn import RadonMachineRegressor

_RELEASE = threading.Event()


class HangsInThreads(Ridge):
    """Fits at once in the main thread, hangs in any other until released."""

    def fit(self, X, y, sample_weight=None):
        if threading.current_thread() is threading.main_thread():
            time.sleep(0.02)  # long enough for the engine to time threads
        else:
            _RELEASE.wait(60)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.slow
def test_one_interrupt_ends_a_fit_whose_thread_test_hangs():
    # Ctrl-C while the first shards hang in the two test threads ends the
    # fit at once: the pool is not joined (its exit waited for the hung
    # fits, and a second Ctrl-C was needed).
    X, y = make_regression(n_samples=3000, n_features=3, random_state=0)
    machine = RadonMachineRegressor(
        HangsInThreads(), height=1, n_jobs=2, random_state=0
    )
    _RELEASE.clear()
    # A real SIGINT, as Ctrl-C sends (interrupt_main wakes no blocked wait).
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            machine.fit(X, y)
        assert time.monotonic() - started < 20
    finally:
        timer.cancel()
        _RELEASE.set()  # let the hung fits finish
    assert not hasattr(machine, "coef_")
