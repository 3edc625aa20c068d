"""The rows of a scenario's table, the printed tables and the Markdown report."""

import os
import platform
import statistics
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .measure import (
    command_text,
    cpu_model,
    git_revision,
    java_version,
    thread_pools_text,
    total_memory_gib,
    version_of,
)
from .scenarios import METRIC_LABELS, estimator_text

__all__ = [
    "COLUMNS",
    "Result",
    "RunInfo",
    "cells",
    "finish_rows",
    "format_seconds",
    "markdown_table",
    "record",
    "short_reason",
    "status_text",
    "text_table",
    "write_report",
]

COLUMNS = (
    "method",
    "height",
    "shards",
    "fit time s",
    "speed-up",
    "peak MB",
    "score",
    "notes",
)

METHOD_NOTES = """\
- **base**: the inner estimator fitted on all training rows in this process
  (plain scikit-learn; BLAS threads as the libraries set them unless
  `--blas-threads` caps them).
- **radon**: `RadonMachineClassifier/Regressor(inner, n_jobs=N,
  random_state=0)` with `height="auto"`; `height` and `shards` are its
  `height_` and `n_shards_`. When the fitted model has `fit_times_`, the
  notes give the time of the pilot fits that plan the height (`pilot`,
  `fit_times_["pilot"]`) and, at height 1 or more, the parallel efficiency
  (`eff`, `fit_times_["shard_fit_sum"] / (fit_times_["n_workers"] *
  fit_times_["shards"])`: the summed shard fit times over the workers' wall
  time in the shard phase) and the aggregation time (`agg`,
  `fit_times_["aggregation"]`); with `height_plan_`, the largest height the
  rows allow (`max h`) and the parallel backend it planned.
- **mean**: the same machine with `aggregation="mean"` and `height` set to
  the height `radon` chose, so that it averages the same shards (same
  `random_state`, same shard assignment); it skips the planning of
  `height="auto"`.
- **bagging**: `BaggingClassifier/Regressor(inner, n_estimators=N,
  max_samples=1/N, n_jobs=N, random_state=0)`: N bootstrap samples of 1/N
  of the rows, fitted in parallel; it predicts by averaging the N models'
  outputs rather than by one linear model. When the inner estimator takes
  `sample_weight`, scikit-learn draws the rows as integer sample weights
  (zero for rows not drawn) and hands every bag *all* rows ("rows drawn as
  sample_weight"), so a solver that does not drop zero-weight rows
  (lbfgs, liblinear, Ridge) still pays for all of them.
- **dask-ml**: `dask_ml.linear_model.LogisticRegression(solver="lbfgs",
  max_iter=200)` on dask arrays in chunks of at most ~100,000 rows (at least
  one chunk per worker), persisted on a
  `distributed.LocalCluster(n_workers=N, threads_per_worker=1,
  processes=True)` started once; cluster start, one warm-up fit on 2,000
  generated rows and the data transfer are not timed. Binary targets only.
- **spark**: Spark MLlib `LogisticRegression(maxIter=100)` (L-BFGS,
  `regParam=0`, Spark's default) on a `local[N]` session started once; the
  session start, one warm-up fit on 2,000 generated rows, and building,
  caching and counting the training DataFrame (a `VectorAssembler` column,
  N partitions) are not timed, so only `.fit()` is. Scores come from the
  test rows' `probability` column.
- Before the first scenario, joblib's N worker processes are started and
  import scipy, scikit-learn and radonlearn, so no timed fit pays for
  process start-up (as the Dask and Spark start-ups are not timed either).
- The peers run last: base, radon, mean and bagging are measured for every
  scenario first, then dask-ml on every classification scenario, then its
  cluster is closed and Spark runs. An idle cluster or JVM still takes CPU
  (heartbeats, garbage collection) and its memory moves, which would blur
  the other methods' times and peaks on a 2-core machine.
"""

READING_NOTES = """\
- *fit time s*: median wall time of `fit` over the repeats; *speed-up*: base
  fit time divided by the method's.
- *peak MB*: the largest increase of the resident set size of this process
  (read every 2 ms) plus the proportional set size (PSS, on Linux; resident
  set size elsewhere) of all its child processes (joblib/loky, Dask and
  Spark workers; read every 20 ms), by a background thread, over the value
  just before `fit`, in one extra fit after the timed repeats (reading PSS
  costs the kernel milliseconds per read, which would slow the timed fits).
  Memory freed by earlier fits is given back to the system first (glibc's
  `malloc_trim`), so each method starts from the same footing. PSS counts a
  page shared by k processes (an array that joblib memory-maps into its
  workers) 1/k in each, so once in all; memory that a process frees and
  reuses within the fit is not seen, so small numbers are near the
  resolution of the method.
- *score*: on the held-out 25% of the rows (stratified for classification);
  ROC AUC uses `decision_function` where the model has one. For MAE the
  notes give the ratio to base.
- *ConvergenceWarning* in the notes: a fit warned that it stopped at its
  iteration limit (base, or shard fits whose warnings the Radon machine
  passes on); such warnings are not printed. Warnings raised inside
  bagging's, Dask's or Spark's workers are not seen.
- dask-ml and Spark run only for classification; `--quick` leaves them out
  unless `--with-peers` is given.
- The load average in the machine table shows whether other jobs shared the
  cores during the run. With OpenBLAS, a fit in this process that uses two
  BLAS threads while another job holds a core can run many times slower
  than with one thread (see `--blas-threads 1`); joblib workers run with one
  BLAS thread each, so such runs favour the parallel methods.
"""


def _machine_rows(args, loads):
    """(what, value) pairs describing the machine, the software and the run."""
    memory = total_memory_gib()
    revision = git_revision()
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", "unknown" if memory is None else f"{memory:.1f} GiB"),
        ("OS", platform.platform()),
        ("load average (1 min) at start / end", loads),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", version_of("scipy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("joblib", version_of("joblib")),
        (
            "radonlearn",
            version_of("radonlearn") + (f" (git {revision})" if revision else ""),
        ),
        ("psutil", version_of("psutil")),
        ("thread pools (this process)", thread_pools_text()),
        (
            "BLAS threads during fits",
            args.blas_threads or "library default (no `--blas-threads`)",
        ),
    ]
    if args.with_peers:
        rows += [
            ("dask", version_of("dask")),
            ("distributed", version_of("distributed")),
            ("dask-ml", version_of("dask-ml")),
            ("pyspark", version_of("pyspark")),
            ("java", java_version() or "not on PATH"),
        ]
    return rows


def _head_lines(args, run):
    """The title, the command, the machine and the methods."""
    return [
        "# Benchmarks: the Radon machine and its peers",
        "",
        "Fit time, memory and test score of a linear scikit-learn estimator "
        "trained on all rows, by the Radon machine (`radon`), by the mean of "
        "the same shard models (`mean`), by scikit-learn's bagging, and, for "
        "classification, by dask-ml and Spark MLlib. Every method runs in one "
        f"process on the same rows and the same {args.n_jobs} worker(s). "
        "Generated by `benchmarks/compare_peers.py`; data sets come from "
        "`benchmarks/datasets.py`.",
        "",
        "```bash",
        command_text(),
        "```",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all; "
        f"profile "
        f"{'quick' if args.quick else 'full'}, N = {args.n_jobs} worker(s), "
        f"median of {args.repeats} fit(s) per method.",
        "",
        "## Machine",
        "",
        markdown_table(["what", "value"], _machine_rows(args, run.loads)),
        "",
        "## Methods",
        "",
        METHOD_NOTES,
    ]


def _data_set_lines(reports, skipped):
    """The table of data sets, and a line for each skipped scenario."""
    header = [
        "scenario",
        "rows, target",
        "package",
        "version",
        "loader",
        "estimator",
        "score",
    ]
    rows = [
        [
            f"`{scenario.name}`",
            split.description.summary,
            split.description.package,
            split.description.version,
            f"`{split.description.loader}`",
            f"`{estimator_text(scenario)}`",
            METRIC_LABELS[scenario.metric],
        ]
        for scenario, split, _ in reports
    ]
    lines = ["## Data sets", "", markdown_table(header, rows), ""]
    for name, reason in skipped:
        lines += [f"- `{name}` was skipped: {reason}", ""]
    return lines


def _result_lines(reports, startups):
    """One table per scenario, then the start-up times of the peers."""
    lines = ["## Results", ""]
    for scenario, split, results in reports:
        lines += [
            f"### {scenario.name}",
            "",
            f"{split.description.summary}; {len(split.y_train):,} training and "
            f"{len(split.y_test):,} test rows; `{estimator_text(scenario)}`; "
            f"score: {METRIC_LABELS[scenario.metric]}.",
            "",
            markdown_table(
                list(COLUMNS),
                [cells(result) for result in results],
                right=range(1, 7),
            ),
            "",
        ]
    if startups:
        started = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in startups.items()
        )
        lines += [
            f"Start-up of the peers, with their warm-up fit (not in the fit "
            f"times above): {started}.",
            "",
        ]
    return lines


@dataclass
class Result:
    """One row of a scenario's table."""

    method: str
    times: list = field(default_factory=list)
    peak_mb: float | None = None
    score: float | None = None
    height: int | None = None
    shards: int | None = None
    notes: list = field(default_factory=list)
    status: str | None = None
    speedup: float | None = None

    @property
    def seconds(self):
        """Median fit time, or None when the method did not run."""
        return statistics.median(self.times) if self.times else None


@dataclass
class RunInfo:
    """Facts about the whole run, for the report.

    Attributes
    ----------
    started : datetime
        Start of the run (UTC).
    elapsed : float
        Seconds the whole run took.
    loads : str
        One-minute load average at the start and at the end.
    startups : dict
        Seconds each started peer took to start (untimed in the tables).
    """

    started: datetime
    elapsed: float = 0.0
    loads: str = ""
    startups: dict = field(default_factory=dict)


def record(result, fits):
    """Store the times, the largest peak and a convergence note in ``result``."""
    result.times = fits.times
    known = [peak for peak in fits.peaks if peak is not None]
    result.peak_mb = max(known) if known else None
    if fits.unconverged:
        result.notes.append("ConvergenceWarning")
    return fits.model


def short_reason(error, limit=90):
    """First line of an exception, prefixed with its type, at most ``limit``."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_seconds(seconds):
    """Seconds to the millisecond (to a tenth from 100 s on); "-" for None."""
    if seconds is None:
        return "-"
    return f"{seconds:.3f}" if seconds < 100 else f"{seconds:.1f}"


def status_text(result):
    """A row's status, or its median fit time in seconds, for progress lines."""
    return result.status or f"{format_seconds(result.seconds)} s"


def finish_rows(results, metric):
    """Set each row's speed-up over base and, for MAE, its ratio to base."""
    base = next((r for r in results if r.method == "base" and r.times), None)
    for result in results:
        result.speedup = (
            base.seconds / result.seconds
            if base is not None and result.seconds
            else None
        )
        if metric == "mae" and base is not None and result is not base:
            if result.score is not None and base.score:
                result.notes.insert(0, f"MAE x{result.score / base.score:.3f} base")


def cells(result):
    """The text of one table row."""

    def maybe(value, fmt):
        return "-" if value is None else format(value, fmt)

    notes = result.status or ", ".join(result.notes)
    return [
        result.method,
        maybe(result.height, "d"),
        maybe(result.shards, ",d"),
        format_seconds(result.seconds),
        "-" if result.speedup is None else f"{result.speedup:.2f}x",
        maybe(result.peak_mb, ".0f"),
        maybe(result.score, ".4f"),
        notes,
    ]


def text_table(results):
    """An aligned plain-text table: text left, numbers right."""
    rows = [list(COLUMNS), *(cells(result) for result in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    left = {0, len(COLUMNS) - 1}
    lines = []
    for number, row in enumerate(rows):
        parts = [
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(header, rows, right=()):
    """A Markdown table; columns whose index is in ``right`` align right."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join(
        "| " + " | ".join(str(cell).replace("|", "\\|") for cell in line) + " |"
        for line in lines
    )


def write_report(path, args, reports, skipped, run):
    """Write the Markdown report of this run to ``path``.

    ``reports`` holds ``(scenario, split, results)`` per scenario run,
    ``skipped`` ``(name, reason)`` per scenario left out, and ``run`` is the
    run's :class:`RunInfo`.
    """
    lines = [
        *_head_lines(args, run),
        *_data_set_lines(reports, skipped),
        *_result_lines(reports, run.startups),
        "## Reading the tables",
        "",
        READING_NOTES,
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
