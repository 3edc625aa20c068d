"""The harness every study in ``benchmarks/studies/`` shares.

A study is a short script that measures something and hands its figures to
:func:`write_result`, which writes ``benchmarks/results/<name>.json`` with the
facts a reader needs to trust or redo them: the commit (and whether the work
tree had uncommitted changes), the machine (CPU model, cores, Python, NumPy,
scikit-learn, radonlearn and BLAS as threadpoolctl sees it), the date and the
command line. The docs render their tables and figures from those files at
build time; no study writes into ``docs/``.

Timing is :func:`median_seconds`: the median wall time of repeated calls
after warm-up calls, with every repeat kept in the result.

Run a study from the repository root, e.g.
``python benchmarks/studies/aggregation.py``; the script's folder is then on
``sys.path``, so ``import harness`` needs no path changes.
"""

import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import sklearn
import threadpoolctl

import radonlearn

__all__ = ["Timing", "machine_facts", "median_seconds", "run_facts", "write_result"]

REPOSITORY = Path(__file__).resolve().parents[2]
RESULTS = REPOSITORY / "benchmarks" / "results"


def _cpu_model():
    """The CPU's model name from /proc/cpuinfo (the processor's name elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib():
    """Total memory in GiB from /proc/meminfo, or None where there is none."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            kib = int(meminfo.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(kib / 2**20, 1)


def _git(*arguments):
    """The stripped output of one git command in the repository, or None."""
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


def machine_facts():
    """CPU, cores, memory, library versions and BLAS of this machine."""
    blas = [
        {
            key: library.get(key)
            for key in ("internal_api", "version", "num_threads", "threading_layer")
        }
        for library in threadpoolctl.threadpool_info()
        if library.get("user_api") == "blas"
    ]
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit_learn": sklearn.__version__,
        "radonlearn": radonlearn.__version__,
        "blas": blas,
    }


def run_facts():
    """Commit, dirty flag, UTC date and command line of this run."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(REPOSITORY)
    except ValueError:
        pass
    return {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": None if status is None else bool(status),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": shlex.join(["python", str(script), *sys.argv[1:]]),
    }


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated calls: their median and every repeat, in seconds."""

    median: float
    repeats: tuple[float, ...]


def median_seconds(function: Callable[[], object], *, repeats=5, warmup=1):
    """Median wall time of ``repeats`` calls of ``function`` after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return Timing(median=float(np.median(seconds)), repeats=tuple(seconds))


def _plain(value):
    """``value`` with dataclasses and NumPy scalars and arrays as JSON types."""
    if isinstance(value, Timing):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray | np.generic):
        return _plain(value.tolist())
    return value


# The run's facts as they were when the study started (importing this module):
# the commit measured, not the one checked out when the result is written.
_STARTED = run_facts()


def write_result(name, figures):
    """Write ``benchmarks/results/<name>.json``: run and machine facts, figures.

    The commit, dirty flag and date are those of the start of the run.
    Returns the path written.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {"study": name, **_STARTED, "machine": machine_facts()}
    record["figures"] = _plain(figures)
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path
