"""Fit timing, peak memory sampling and facts about the machine.

Shared by ``compare_peers.py`` and ``dask_scale.py``. psutil is optional
here: without it :class:`PeakMemory` measures nothing and its ``peak_mb`` is
None (``dask_scale.py`` requires psutil itself).
"""

import gc
import os
import platform
import shlex
import shutil
import subprocess
import sys
import threading
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info

try:
    from radonlearn._threadpools import release_freed_memory
except ImportError:  # radonlearn before the engine redesign
    from radonlearn._machine import release_freed_memory

try:
    import psutil
except ImportError:  # peak memory is then reported as n/a
    psutil = None

__all__ = [
    "MEMORY_SAMPLING",
    "MIB",
    "PSS_AVAILABLE",
    "REPO_ROOT",
    "Fits",
    "PeakMemory",
    "command_text",
    "cpu_model",
    "git_revision",
    "java_version",
    "load_average",
    "local_cluster",
    "release_free_memory",
    "thread_pools_text",
    "time_fits",
    "total_memory_gib",
    "version_of",
]

MIB = 2**20
REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_INTERVAL = 0.002


def _pss_available():
    """Whether psutil reports the proportional set size here (Linux)."""
    try:
        return hasattr(psutil.Process().memory_full_info(), "pss")
    except (AttributeError, psutil.Error):
        return False


# Whether PeakMemory can read anything: psutil is installed.
MEMORY_SAMPLING = psutil is not None
PSS_AVAILABLE = MEMORY_SAMPLING and _pss_available()


def _process_memory(process, pss):
    """PSS of ``process`` if ``pss``, else its RSS, in bytes."""
    if pss:
        return process.memory_full_info().pss
    return process.memory_info().rss


def _descendants_memory(process, pss):
    """Summed memory of all descendants of ``process``, in bytes."""
    try:
        descendants = process.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for descendant in descendants:
        try:
            total += _process_memory(descendant, pss)
        except psutil.Error:  # ended between listing and reading
            pass
    return total


def _git(*arguments):
    """Output of a git command run in the repository, stripped."""
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *arguments],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout.strip()


def release_free_memory():
    """Collect garbage and give freed memory back to the system (glibc only).

    glibc keeps freed blocks, and after the first large free it serves even
    large arrays from its heap, where they stay resident when freed. A fit
    measured after another would then reuse that memory and seem to need
    none; radonlearn's ``release_freed_memory`` (``malloc_trim(0)``) returns
    it, so every fit starts from the same footing.
    """
    gc.collect()
    release_freed_memory()


class PeakMemory:
    """Peak memory of this process and its descendants during a block.

    A background thread reads the resident set size (RSS) of this process
    every ``interval`` seconds (a cheap read, so short peaks are seen) and
    the memory of all its descendants (joblib, Dask and Spark workers) every
    ``child_every`` readings: their proportional set size (PSS) with
    ``children_pss``, which counts a page shared by k processes (a
    memory-mapped array that joblib hands to its workers) 1/k in each, else
    their RSS. With ``release_memory`` freed memory is given back to the
    system first (:func:`release_free_memory`). Without psutil nothing is
    read.

    Attributes
    ----------
    baseline, peak : int
        This process's RSS plus its descendants' last reading, just before
        the block and the largest seen during it, in bytes.
    own_baseline, own_peak : int
        The same for this process alone.
    children_baseline, children_peak : int
        The same for the descendants alone.
    readings : int
        Readings taken by the thread.
    """

    def __init__(
        self,
        interval=SAMPLE_INTERVAL,
        *,
        child_every=10,
        children_pss=PSS_AVAILABLE,
        release_memory=True,
    ):
        self.interval = interval
        self.child_every = child_every
        self.children_pss = children_pss
        self.release_memory = release_memory
        self.baseline = self.peak = 0
        self.own_baseline = self.own_peak = 0
        self.children_baseline = self.children_peak = 0
        self.readings = 0
        self._children = 0
        self._stop = threading.Event()
        self._thread = None
        self._me = psutil.Process() if psutil is not None else None

    def _read(self, children):
        """One reading of this process (and of the descendants if asked)."""
        if children:
            self._children = _descendants_memory(self._me, self.children_pss)
            self.children_peak = max(self.children_peak, self._children)
        own = self._me.memory_info().rss
        self.own_peak = max(self.own_peak, own)
        self.peak = max(self.peak, own + self._children)

    def _sample(self):
        """Thread body: keep the largest readings until told to stop."""
        while not self._stop.wait(self.interval):
            self._read(self.readings % self.child_every == 0)
            self.readings += 1

    def __enter__(self):
        if self._me is None:
            return self
        if self.release_memory:
            release_free_memory()
        self._children = _descendants_memory(self._me, self.children_pss)
        own = self._me.memory_info().rss
        self.own_baseline = self.own_peak = own
        self.children_baseline = self.children_peak = self._children
        self.baseline = self.peak = own + self._children
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._read(children=True)
        return False

    @property
    def peak_mb(self):
        """Peak increase over the baseline in MiB (None without psutil)."""
        if self._me is None:
            return None
        return (self.peak - self.baseline) / MIB


@dataclass(frozen=True)
class Fits:
    """What :func:`time_fits` measured."""

    model: object
    times: list
    peaks: list
    unconverged: bool


def time_fits(fit, repeats, note_convergence=True):
    """Call ``fit()`` ``repeats`` times timed, then once more for memory.

    The timed fits run without the memory sampler: reading a process's
    proportional set size makes the kernel walk its page tables (about 6 ms
    for a process holding a 1,000,000 x 18 array), which every 20 ms would
    take a third of one core from the fit being timed, and more from a fit
    that needs both cores. The extra fit measures the peak memory alone.
    Each fit runs in its own ``warnings.catch_warnings(record=True)``: a fit
    that leaves the warning filters changed cannot change them for the next
    one, and with ``note_convergence`` a ``ConvergenceWarning`` raised in
    this process is noted rather than printed. Other warnings are shown as
    usual. Leave ``note_convergence`` off for fits in joblib workers, which
    inherit this process's filters but not its recording, so would print
    them.

    Returns
    -------
    Fits
        The last model, the wall times, the peak memory of the memory fit
        and whether any fit warned that it did not converge.
    """
    times, peaks, model, unconverged = [], [], None, False
    for attempt in range(repeats + 1):
        timed = attempt < repeats
        model = None  # release the previous model before measuring again
        with (
            warnings.catch_warnings(record=True) as caught,
            nullcontext() if timed else PeakMemory() as memory,
        ):
            if note_convergence:
                warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            model = fit()
            seconds = time.perf_counter() - start
        if timed:
            times.append(seconds)
        else:
            peaks.append(memory.peak_mb)
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                unconverged = True
            else:
                warnings.showwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
    return Fits(model, times, peaks, unconverged)


def cpu_model():
    """The CPU model named in /proc/cpuinfo (with family and model numbers)."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if not key:  # the first processor's block has ended
                    break
                fields.setdefault(key, value.strip())
    except OSError:
        pass
    name = fields.get("model name") or fields.get("hardware")
    if not name:
        return platform.processor() or "unknown"
    if "cpu family" in fields and "model" in fields:
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name


def total_memory_gib():
    """Total physical memory in GiB, or None."""
    if psutil is not None:
        return psutil.virtual_memory().total / 2**30
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError):
        pass
    return None


def version_of(distribution, missing="not installed"):
    """Installed version of a distribution, or ``missing``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return missing


def java_version():
    """First line of ``java -version``, or None."""
    if shutil.which("java") is None:
        return None
    try:
        done = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else None


def git_revision():
    """Short commit of the repository, marked when the tree has changes."""
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "radonlearn")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + (" with uncommitted changes to radonlearn/" if dirty else "")


def load_average():
    """The one-minute load average as text, or "n/a"."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "n/a"


def thread_pools_text():
    """BLAS and OpenMP libraries of this process and their thread counts."""
    pools = [
        f"{pool.get('internal_api', '?')} {pool.get('version') or ''} "
        f"({pool.get('num_threads')} threads)".replace("  ", " ")
        for pool in threadpool_info()
    ]
    return "; ".join(dict.fromkeys(pools)) or "none found"


def local_cluster(n_workers, **options):
    """A ``distributed.LocalCluster`` of ``n_workers`` one-thread processes.

    Both benchmarks start their Dask workers alike: one process per worker
    with one thread (no GIL shared between fits), on 127.0.0.1, without the
    dashboard. ``options`` go to ``LocalCluster`` (``memory_limit``).
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        **options,
    )


def command_text(script=None):
    """The command line of this run; ``script`` replaces the path as typed."""
    arguments = sys.argv if script is None else [script, *sys.argv[1:]]
    return shlex.join(["python", *arguments])
