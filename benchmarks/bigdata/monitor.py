"""A method in a child process under watch: memory, disk, a time budget.

A thread reads every ``SAMPLE_INTERVAL`` seconds the resident memory (RSS)
of the child (the Dask client with its scheduler, or the Spark driver's
Python process), of the Java process (Spark's driver and, in local mode,
its executor), of Dask's scheduler and of every other descendant (Dask's
workers and nannies,
Spark's Python workers), each alone and summed, the bytes each process has
read (``read_chars``: files, page cache or not, and sockets), and the free
disk under the
data directory and the machine's available memory. When the free disk or
the available memory falls below its floor, or the budget is spent, the
child's process group (it and everything it started) is stopped.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from .data import GIB
from .methods import spark_local_dir

__all__ = ["SAMPLE_INTERVAL", "Watch", "run_child"]

SAMPLE_INTERVAL = 0.5
# The parent stops a child this long after its budget (the child's own
# timer, for MLlib, stops its Spark jobs at the budget).
_GRACE_SECONDS = 120
# The parts of a method's processes whose memory is reported.
_PARTS = ("client", "java", "scheduler", "workers")
# Seconds a stopped child gets between SIGTERM and SIGKILL.
_TERM_SECONDS = 20


def _kind(process):
    """``"java"`` (a JVM), ``"scheduler"`` (Dask's) or ``"workers"`` (the rest)."""
    if process.name() == "java":
        return "java"
    command = process.cmdline()
    return "scheduler" if command[1:4] == ["-m", "dask", "scheduler"] else "workers"


class Watch:
    """Peak memory of a child process tree, free disk; stops it at the limits."""

    def __init__(self, child, args, budget):
        self.child = child
        self.process = psutil.Process(child.pid)
        self.directory = args.data_dir
        self.min_free = args.min_free_gb * 1e9
        self.min_available = args.min_available_gb * GIB
        self.deadline = time.monotonic() + budget + _GRACE_SECONDS
        self.peaks = dict.fromkeys((*_PARTS, "total"), 0)
        self.peak_worker = 0
        self.read_chars = {}
        self.min_free_seen = float("inf")
        self.min_available_seen = float("inf")
        self.aborted = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _note_reads(self, process):
        """Remember the bytes ``process`` has read so far."""
        self.read_chars[process.pid] = process.io_counters().read_chars

    def _memory(self):
        """RSS of the parts now, and of the largest worker; ``None`` if gone."""
        parts = dict.fromkeys(_PARTS, 0)
        largest = 0
        try:
            parts["client"] = self.process.memory_info().rss
            self._note_reads(self.process)
            descendants = self.process.children(recursive=True)
        except psutil.Error:
            return None, 0
        for descendant in descendants:
            try:
                kind, rss = _kind(descendant), descendant.memory_info().rss
                self._note_reads(descendant)
            except psutil.Error:
                continue
            parts[kind] += rss
            if kind == "workers":
                largest = max(largest, rss)
        parts["total"] = sum(parts.values())
        return parts, largest

    def _read(self):
        parts, largest = self._memory()
        if parts is None:
            return
        for key, value in parts.items():
            self.peaks[key] = max(self.peaks[key], value)
        self.peak_worker = max(self.peak_worker, largest)
        free = shutil.disk_usage(self.directory).free
        available = psutil.virtual_memory().available
        self.min_free_seen = min(self.min_free_seen, free)
        self.min_available_seen = min(self.min_available_seen, available)
        if free < self.min_free:
            self._abort(f"free disk fell to {free / 1e9:.1f} GB")
        elif available < self.min_available:
            self._abort(f"available memory fell to {available / GIB:.1f} GiB")
        elif time.monotonic() > self.deadline:
            self._abort("the time budget (and its grace) was spent")

    def _abort(self, why):
        """Stop the child's process group (it and everything it started)."""
        if self.aborted:
            return
        self.aborted = why
        try:
            os.killpg(self.child.pid, signal.SIGTERM)
            self.child.wait(_TERM_SECONDS)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _run(self):
        while not self._stop.wait(SAMPLE_INTERVAL):
            self._read()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False

    def summary(self):
        """The peaks (GiB), the least free disk (GB) and available memory."""
        return {
            "peaks": {key: value / GIB for key, value in self.peaks.items()},
            "peak_worker": self.peak_worker / GIB,
            "read_bytes": sum(self.read_chars.values()),
            "min_free_gb": self.min_free_seen / 1e9,
            "min_available_gib": self.min_available_seen / GIB,
            "aborted": self.aborted,
        }


def _child_command(args, script, method, height, budget, result_path):
    """The command line of the child that runs ``method``."""
    options = {
        "--data-dir": args.data_dir,
        "--features": args.features,
        "--dask-memory-limit": args.dask_memory_limit,
        "--driver-memory": args.driver_memory,
        "--mllib-max-iter": args.mllib_max_iter,
        "--budget": budget,
        "--run-method": method,
        "--result": result_path,
        "--height": height,
    }
    command = [sys.executable, os.path.abspath(script)]
    for key, value in options.items():
        command += [key, str(value)]
    return command


def run_child(args, script, method, height, log):
    """Run ``method`` in a child process under a ``Watch``; its result dict."""
    budget = args.mllib_max_seconds if method == "mllib" else args.max_seconds
    result_path = Path(tempfile.mkstemp(suffix=".json")[1])
    command = _child_command(args, script, method, height, budget, result_path)
    log_path = Path(args.results_dir) / f"{method}_{height}.log"
    log(f"{method} (height {height}, budget {budget:.0f} s) starting; log {log_path}")
    started = time.perf_counter()
    with open(log_path, "w") as output:
        # The child runs in the results folder: Spark's Python workers inherit
        # its working directory and put it first on sys.path, so started in a
        # checkout they would import that checkout's radonlearn.
        child = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=args.results_dir,
        )
        with Watch(child, args, budget) as watch:
            code = child.wait()
    wall = time.perf_counter() - started
    result = {"method": method, "height_asked": height, "wall": wall, "code": code}
    result.update(watch.summary(), budget=budget, log=str(log_path))
    if code == 0 and result_path.stat().st_size:
        result.update(json.loads(result_path.read_text()))
    result_path.unlink(missing_ok=True)
    shutil.rmtree(spark_local_dir(args), ignore_errors=True)
    log(
        f"{method} (height {height}): exit {code}, {wall:.0f} s"
        + (f", aborted: {watch.aborted}" if watch.aborted else "")
    )
    return result
