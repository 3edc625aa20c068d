"""Stored results, the in-memory reference, test AUC, the Markdown report."""

import json
import time
from pathlib import Path

import numpy as np
from peers.measure import command_text

from .data import GIB, SAMPLE_SEED, TEST_SEED, draw, true_model

__all__ = ["load_results", "reference_fit", "report", "save_result", "score"]

_NAMES = {
    "dask": "Radon machine, Dask engine",
    "spark": "Radon machine, Spark engine",
    "mllib": "MLlib `LogisticRegression`",
}
_HEADER = (
    "| method | height / shards | fit s | process s | client peak MiB "
    "| JVM or Dask scheduler peak MiB (JVM heap limit) "
    "| largest worker peak MiB (limit) "
    "| all processes peak MiB | passes over the data | bytes read / Parquet bytes "
    "| test AUC | AUC - in-memory AUC | notes |"
)
_EXPLAINED = (
    "Peaks are of resident memory (RSS), read every 0.5 s. The client is the "
    "method's own Python process (the Dask client, or the Python side of "
    "Spark's driver). Spark's JVM is its driver with the executor (local "
    "mode): the driver memory limits its heap, its RSS counts off-heap memory "
    "too. Dask's scheduler runs in a process of its own. The largest worker "
    "is the largest other process: a Dask worker (under its memory limit) or "
    "a Spark Python worker. Passes: for Dask, the tasks that read a Parquet "
    "file divided by the files (the groups in the notes; the ones for the "
    "partition lengths and class counts read few columns); for Spark, the "
    "Spark jobs of the fit. Bytes read counts every read of the processes: "
    "Parquet files, Spark's cache spill and shuffle files, Dask's spill, and "
    "sockets (transfers between workers, rows sent to Python workers)."
)
_ALIGN = "| --- | --- |" + " ---: |" * 10 + " --- |"


def save_result(results_dir, method, attempts):
    """Store the attempts of ``method`` (the last one counts)."""
    path = Path(results_dir) / f"{method}.json"
    path.write_text(json.dumps(attempts, indent=1))


def load_results(results_dir, methods):
    """The stored attempts of every method in ``methods`` that has some."""
    found = []
    for method in methods:
        path = Path(results_dir) / f"{method}.json"
        if path.exists():
            found += json.loads(path.read_text())
    return found


def _reference_key(args):
    return {
        "sample_rows": args.sample_rows,
        "test_rows": args.test_rows,
        "features": args.features,
        "grid": args.grid,
    }


def reference_fit(args, log):
    """``LogisticRegression()`` on an in-memory sample (stored, reused)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    path = Path(args.results_dir) / "reference.json"
    if path.exists():
        stored = json.loads(path.read_text())
        if stored["key"] == _reference_key(args):
            log(f"reusing the in-memory reference in {path}")
            return stored
    X_test, y_test = draw(args.test_rows, args.features, args.grid, TEST_SEED)
    X_ref, y_ref = draw(args.sample_rows, args.features, args.grid, SAMPLE_SEED)
    started = time.perf_counter()
    model = LogisticRegression().fit(X_ref, y_ref)
    seconds = time.perf_counter() - started
    w, b = true_model(args.features)
    reference = {
        "key": _reference_key(args),
        "seconds": seconds,
        "coef": model.coef_.ravel().tolist(),
        "intercept": float(model.intercept_[0]),
        "auc": roc_auc_score(y_test, model.decision_function(X_test)),
        "auc_true": roc_auc_score(y_test, X_test @ w + b),
    }
    path.write_text(json.dumps(reference, indent=1))
    log(f"in-memory reference: {seconds:.1f} s, AUC {reference['auc']:.5f}")
    return reference


def score(args, results):
    """Set the test AUC of every result that holds a model."""
    from sklearn.metrics import roc_auc_score

    X_test, y_test = draw(args.test_rows, args.features, args.grid, TEST_SEED)
    for result in results:
        if "coef" in result:
            output = X_test @ np.asarray(result["coef"]) + result["intercept"]
            result["auc"] = roc_auc_score(y_test, output)


def _passes(result):
    """Passes over the data: file reads per file (Dask), Spark jobs (Spark)."""
    if result["method"] == "dask":
        reads = result.get("file_reads")
        if reads is None:
            return "-"
        return f"{sum(reads.values()) / result['partitions']:.2f} (file reads / files)"
    jobs = result.get("jobs")
    return "-" if jobs is None else f"{jobs} Spark jobs"


def _notes(result):
    """What else a reader needs: iterations, stops, failures, the plan."""
    notes = []
    if result["method"] == "mllib":
        if "iterations" in result:
            notes.append(
                f"{result['iterations']} iterations (maxIter {result['max_iter']})"
            )
        if "stopped" in result:
            notes.append(f"STOPPED: {result['stopped']}, no model")
    else:
        notes.append(f"height asked: {result['height_asked']}")
        if result.get("file_reads"):
            notes.append(f"Parquet read tasks: {result['file_reads']}")
        times = result.get("fit_times", {})
        if times:
            parts = ", ".join(
                f"{key} {value:.0f}" + ("" if key.startswith("n_") else " s")
                for key, value in times.items()
            )
            notes.append(f"fit_times_: {parts}")
    if result["aborted"]:
        notes.append(f"ABORTED: {result['aborted']}")
    elif result["code"] < 0:
        notes.append(
            f"KILLED by signal {-result['code']} from outside this script "
            f"(log {result['log']})"
        )
    elif result["code"] != 0:
        notes.append(f"FAILED (exit {result['code']}, log {result['log']})")
    if "radonlearn" in result:
        notes.append(f"radonlearn from {result['radonlearn']}")
    notes.append(f"run {result['started']}, load {result['load']}")
    return "; ".join(notes)


def _row(result, reference, limits):
    """One Markdown row of the results table."""
    peaks = result["peaks"]
    if "auc" in result:
        auc = f"{result['auc']:.6f}"
        difference = f"{result['auc'] - reference['auc']:+.6f}"
    else:
        auc, difference = "-", "-"
    seconds = f"{result['seconds']:.0f}" if "seconds" in result else "-"
    shape = f"{result.get('height', '-')} / {result.get('n_shards', '-')}"
    if result["method"] == "dask":
        java = f"{peaks.get('scheduler', 0) * 1024:.0f} (scheduler)"
    else:
        java = f"{peaks['java'] * 1024:.0f} ({limits['java']})"
    worker = limits["dask"] if result["method"] == "dask" else "no limit set"
    read = f"{result['read_bytes'] / result['data_bytes']:.1f} x"
    return (
        f"| {_NAMES[result['method']]} | {shape} | {seconds} | {result['wall']:.0f} "
        f"| {peaks['client'] * 1024:.0f} | {java} "
        f"| {result['peak_worker'] * 1024:.0f} ({worker}) "
        f"| {peaks['total'] * 1024:.0f} | {_passes(result)} | {read} | {auc} "
        f"| {difference} | {_notes(result)} |"
    )


def _commands(results):
    """The distinct commands of the results and of this run, in order."""
    commands = [result.get("command", "") for result in results]
    commands.append(command_text("benchmarks/larger_than_memory.py"))
    return list(dict.fromkeys(command for command in commands if command))


def report(args, results, reference, facts):
    """The Markdown report."""
    limits = {"java": args.driver_memory, "dask": args.dask_memory_limit}
    lines = [
        "# A Parquet data set larger than memory, fitted three ways",
        "",
        f"{args.rows:,} rows x {args.features} float64 features "
        f"({facts['in_memory_gib']:.1f} GiB in memory, "
        f"{facts['in_memory_gib'] / facts['memory_gib']:.2f} times the machine's "
        f"{facts['memory_gib']:.1f} GiB) and an int32 label, in "
        f"{facts['n_files']} Parquet files of {facts['disk_gb']:.1f} GB (zstd; "
        f"features on a grid of 1/{args.grid}) under {args.data_dir}.",
        "",
        _HEADER,
        _ALIGN,
    ]
    lines += [_row(result, reference, limits) for result in results]
    lines += ["", _EXPLAINED, ""]
    lines += [
        f"In-memory reference: `LogisticRegression()` on {args.sample_rows:,} "
        f"rows of the same distribution, {reference['seconds']:.1f} s, test AUC "
        f"{reference['auc']:.6f} (the true model: {reference['auc_true']:.6f}), on "
        f"{args.test_rows:,} test rows.",
        "",
        "## Commands",
        "",
        "The runs of the stored results, then the run that wrote this report:",
        "",
        "```bash",
        *_commands(results),
        "```",
        "",
        "## Machine",
        "",
        "| what | value |",
        "| --- | --- |",
    ]
    lines += [f"| {key} | {value} |" for key, value in facts["machine"]]
    return "\n".join(lines)


def in_memory_gib(args):
    """The features' size as float64 in memory."""
    return args.rows * args.features * 8 / GIB
