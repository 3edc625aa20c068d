"""BLAS/OpenMP thread limits for shard fits, and freed memory given back."""

import ctypes
import os
import sys
import threading
from contextlib import nullcontext

from threadpoolctl import ThreadpoolController

__all__ = []

# One thread-pool controller per process: finding the BLAS and OpenMP
# libraries costs milliseconds (threadpoolctl reads /proc/self/maps: 3 ms in
# a process with pandas and Spark loaded), limiting them with a known
# controller microseconds, so shard fits in threads can each limit their
# own. With the number of imported modules when it was made.
_CONTROLLERS = {}
_MODULES_SEEN = {}


def find_thread_pools():
    """Look for the BLAS and OpenMP libraries of this process again, if new
    modules were imported since the last look.

    Libraries loaded since then (a learner's first import, which brings its
    compiled extensions) are then limited too. Only looks: limits nothing.
    """
    pid, n_modules = os.getpid(), len(sys.modules)
    if pid in _CONTROLLERS and _MODULES_SEEN.get(pid) == n_modules:
        return
    _CONTROLLERS[pid] = ThreadpoolController()
    _MODULES_SEEN[pid] = n_modules


# BLAS libraries (OpenBLAS, MKL, BLIS) keep one thread count for the whole
# process, while OpenMP's is per thread. Fits in several threads at once
# share one BLAS limit: the first to start sets it, the last to end restores
# what was there before, however their starts and ends interleave, except
# that a limit the main thread set is restored by the main thread, when it
# leaves: OpenBLAS (0.3.31, pthreads) ignores a count set from another
# thread once the main thread has set one, so a limit set in the main thread
# and restored by the last joblib worker to leave (after a shard fit raised,
# or Ctrl-C) stayed at one thread for the rest of the process. Workers still
# running then (after an error) end their shard with the libraries' threads:
# slower, never wrong.
_BLAS_LOCK = threading.Lock()
_BLAS = {"depth": 0, "limiter": None}


class _OneThread:
    """Context limiting BLAS and OpenMP to one thread for the calling thread.

    OpenMP's thread count is a per-thread setting: a limit set in the main
    thread does not reach the worker threads, whose shard fits would then
    each start a full OpenMP team and oversubscribe the cores. So every
    thread that fits a shard enters this itself, and its OpenMP limit is
    restored on exit. The BLAS limit is process-wide, so it is counted:
    set on the first entry and restored on the last exit, or on the main
    thread's exit when it set it (threadpoolctl's limiter sets its limits as
    soon as it is made, so it is made only on entry).
    """

    def __enter__(self):
        pid = os.getpid()
        if pid not in _CONTROLLERS:
            find_thread_pools()
        controller = _CONTROLLERS[pid]
        with _BLAS_LOCK:
            self._sets = _BLAS["depth"] == 0
            if self._sets:
                _BLAS["limiter"] = controller.select(user_api="blas").limit(limits=1)
            _BLAS["depth"] += 1
        self._openmp = controller.select(user_api="openmp").limit(limits=1)
        return self

    def __exit__(self, *exc_info):
        self._openmp.restore_original_limits()
        main = threading.current_thread() is threading.main_thread()
        with _BLAS_LOCK:
            _BLAS["depth"] -= 1
            last = _BLAS["depth"] == 0
            if _BLAS["limiter"] is not None and (last or (self._sets and main)):
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None
        return False


def one_thread():
    """A context limiting BLAS and OpenMP to one thread (see ``_OneThread``)."""
    return _OneThread()


def shard_limits(n_workers):
    """BLAS and OpenMP as parallel shard fits have them.

    Parallel shard fits run with one BLAS/OpenMP thread each; timing a pilot
    with the libraries' own thread pools would measure a different (on a
    busy machine, often several times slower) fit. One worker keeps the
    libraries' own threads.
    """
    return one_thread() if n_workers > 1 else nullcontext()


def _find_malloc_trim():
    """glibc's ``malloc_trim``, or None (another C library, another system)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_MALLOC_TRIM = _find_malloc_trim() if sys.platform.startswith("linux") else None


def release_freed_memory():
    """Return memory freed in this process to the system, where glibc allows.

    glibc keeps freed blocks for reuse, and once a large block has been
    freed it serves even multi-megabyte arrays from its heap, where they stay
    resident after they are freed. The planning of a fit (the random order,
    the shard assignment) frees tens of megabytes of temporaries at 10**6
    rows; kept, they add to the shard phase's peak, which the fit would then
    hold above the full-data fit's (measured here on a 1,000,000 x 18
    logistic fit, before the planning's own temporaries were trimmed down:
    53 to 56 MB resident at peak, 25 to 35 MB when given back, against 33 MB
    for the full-data fit). ``malloc_trim(0)`` gives them back, in about a
    millisecond. Elsewhere nothing is done.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
