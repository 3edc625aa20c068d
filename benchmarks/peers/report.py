"""The rows of a scenario's table, the printed tables and the Markdown report.

The report is the page ``docs/benchmarks.md``, in this order: the title and
what is compared; ``## Summary`` (a table derived from the results and what
it shows, then the speed-up figure, which ``docs/figures/benchmark_figures.py``
draws from this page at build time); ``## Results`` (one table per
scenario); any other ``##`` section of the page being replaced (hand-written,
or ``## Spark and MLlib`` of ``spark_mllib.py --docs``), verbatim;
``## Methods``; ``## Data sets``; ``## Reading the tables``;
``## How this page was made``; ``## Machine``.
"""

import functools
import os
import re
import statistics
import textwrap
from dataclasses import dataclass, field
from datetime import datetime

from .measure import command_text
from .scenarios import METRIC_LABELS, estimator_text

__all__ = [
    "COLUMNS",
    "Result",
    "RunInfo",
    "cells",
    "finish_rows",
    "format_seconds",
    "markdown_table",
    "page_sections",
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

# The methods whose speed-ups the figure's alt text gives, in its order.
SPEED_UP_METHODS = ("radon", "mean", "bagging", "dask-ml", "spark")
SPEED_UP_LABELS = {"radon": "the Radon machine", "mean": "averaging", "spark": "Spark"}

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


def _intro_lines(args):
    """The title and what the page compares, on how many workers and cores."""
    peers = (
        ", and, for classification, by dask-ml and Spark MLlib"
        if args.with_peers
        else " (dask-ml and Spark MLlib are left out of this quick run)"
    )
    return [
        "# Benchmarks: the Radon machine and its peers",
        "",
        "Fit time, memory and test score of a linear scikit-learn estimator "
        "trained on all rows (`base`), by the Radon machine (`radon`), by the "
        "mean of the same shard models (`mean`), by scikit-learn's "
        f"bagging{peers}. Every method runs in one process on the same rows "
        f"and the same {args.n_jobs} worker(s), on a {os.cpu_count()}-core "
        "machine (details at the end of this page). Median of "
        f"{args.repeats} fit(s) per method.",
        "",
        *(
            line
            for text, script, _ in _SUBPAGES
            for line in (f"{text}, made by `benchmarks/{script}`.", "")
        ),
    ]


# The pages that hang below this one: what they answer, made by which
# script, and their document name (the page's hidden table of contents).
_SUBPAGES = (
    (
        'Whether the default `height="auto"` ever costs more than one fit on '
        "all rows, how far it is from the best explicit height, and what the "
        "constants of its *cheap no* rest on, learner by learner from 1,000 "
        "to 1,000,000 rows and on real tables: [Defaults that never hurt]"
        "(benchmarks_defaults.md)",
        "cheap_no.py",
        "benchmarks_defaults",
    ),
    (
        "A data set larger than the machine's memory (270 million rows from "
        "Parquet, 36 GiB of features on a 23.5 GiB machine), fitted by the "
        "Radon machine on Dask and on Spark and by MLlib's "
        "`LogisticRegression`: [Larger than memory]"
        "(benchmarks_larger_than_memory.md)",
        "larger_than_memory.py",
        "benchmarks_larger_than_memory",
    ),
)


def _toctree_lines():
    """The hidden table of contents of the pages below this one."""
    return [
        "",
        "```{toctree}",
        ":hidden:",
        "",
        *(name for *_, name in _SUBPAGES),
        "```",
    ]


def _by_height(reports):
    """Names and rows of the scenarios the Radon machine split, and of height 0."""
    groups = {True: [], False: []}
    for scenario, _, results in reports:
        rows = {result.method: result for result in results}
        height = getattr(rows.get("radon"), "height", None)
        if height is not None:
            groups[height > 0].append((scenario.name, rows))
    return groups[True], groups[False]


def _and(words, quote=""):
    """``a``, ``a and b``, ``a, b and c``; each word between ``quote``."""
    words = [f"{quote}{word}{quote}" for word in words]
    return (
        ", ".join(words[:-1]) + " and " + words[-1]
        if len(words) > 1
        else "".join(words)
    )


def _speed_up_words(group):
    """Each method's range of speed-ups over the scenarios of ``group``, in words."""
    parts = []
    for method in SPEED_UP_METHODS:
        values = [rows[method].speedup for _, rows in group if method in rows]
        values = [value for value in values if value is not None]
        if values:
            low, high = (
                f"{v:.1f}" if v >= 1 else f"{v:.2g}" for v in (min(values), max(values))
            )
            label = SPEED_UP_LABELS.get(method, method)
            parts.append(f"{label} {low if low == high else f'{low} to {high}'} times")
    return _and(parts)


def _summary_row(scenario, split, results):
    """One scenario's line of the summary table."""
    rows = {result.method: result for result in results}
    base, radon = rows.get("base", Result("base")), rows.get("radon", Result("radon"))
    speed_up = "-" if radon.speedup is None else f"{radon.speedup:.2f}x"
    if radon.height and (radon.speedup or 0) > 1:
        speed_up = f"**{speed_up}**"
    scores = [getattr(rows.get(m), "score", None) for m in ("base", "radon", "mean")]
    decimals = ".3f" if scenario.metric == "mae" else ".4f"
    estimator = scenario.estimator()
    flags = re.findall(r"(\w+)=True", repr(estimator))
    name = type(estimator).__name__ + (f" ({', '.join(flags)})" if flags else "")
    return [
        scenario.name,
        f"scaler, {name}" if scenario.scale else name,
        f"{len(split.y_train):,} x {split.X_train.shape[1]}",
        format_seconds(base.seconds),
        format_seconds(radon.seconds),
        speed_up,
        f"{METRIC_LABELS[scenario.metric].split(' (')[0]} "
        + ", ".join(
            "-" if score is None else format(score, decimals) for score in scores
        ),
    ]


def _summary_lines(reports):
    """The summary table, one line per scenario, and what it shows."""
    header = ["scenario", "estimator", "training rows", "base s", "radon s"]
    header += ["speed-up", "test score: base, radon, mean"]
    mae = any(scenario.metric == "mae" for scenario, _, _ in reports)
    _, whole = _by_height(reports)
    text = (
        "Fit time in seconds of the estimator on all training rows (`base`) "
        'and of the Radon machine with `height="auto"` (`radon`), and the '
        "test score of `base`, `radon` and `mean` (the average of the same "
        f"shard models as `radon`){'; MAE is lower-is-better' if mae else ''}. "
        "The speed-up is in bold where the Radon machine split the rows and "
        "was faster."
    )
    if whole:
        text += (
            f" On {_and((name for name, _ in whole), '`')} the Radon machine "
            "chose height 0, one fit on all rows."
        )
    text += (
        " The scenarios, estimators and every method's numbers are in "
        "[Results](#results) below."
    )
    rows = [_summary_row(*report) for report in reports]
    return ["## Summary", "", markdown_table(header, rows, range(2, 6)), "", text, ""]


def _figure_lines(reports):
    """The speed-up figure, drawn at build time, with its alt text and caption."""
    split, whole = _by_height(reports)
    alt = (
        "Speed-up over the base learner on a log scale, one row per scenario, "
        "one marker per method."
    )
    caption = (
        "Speed-up over the base learner fitted on all rows (fit time of base "
        "divided by the method's), from the tables below."
    )
    if split:
        names = _and(name for name, _ in split)
        alt += f" Where the Radon machine split the rows ({names}), the speed-ups "
        alt += f"are: {_speed_up_words(split)}."
    if whole:
        alt += f" On {_and(name for name, _ in whole)}, where it fits once on all "
        alt += f"rows: {_speed_up_words(whole)}."
        caption += (
            f' On {_and((name for name, _ in whole), "`")} `height="auto"` '
            "fits once on all rows (height 0): the Radon machine then costs its "
            "planning on top of one fit."
        )
    fill = functools.partial(textwrap.fill, width=79, break_on_hyphens=False)
    return [
        "```{eval-rst}",
        ".. plot:: figures/benchmark_figures.py speed_up_by_scenario",
        fill(alt, initial_indent="   :alt: ", subsequent_indent=" " * 9),
        "",
        fill(caption, initial_indent="   ", subsequent_indent="   "),
        "```",
        "",
    ]


def _made_lines(args, run):
    """How the page was made: the command, the run and the machine."""
    return [
        "## How this page was made",
        "",
        "Generated by `benchmarks/compare_peers.py`; data sets come from "
        "`benchmarks/datasets.py`.",
        "",
        "```bash",
        command_text(),
        "```",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all; "
        f"profile {'quick' if args.quick else 'full'}, N = {args.n_jobs} "
        f"worker(s), median of {args.repeats} fit(s) per method.",
        "",
        "## Machine",
        "",
        markdown_table(["what", "value"], run.machine),
        "",
    ]


def _kept_sections(path, written):
    """The ``## `` sections of the page at ``path`` not among ``written``, verbatim.

    These are hand-written or written by another script (such as
    ``## Spark and MLlib``, by ``spark_mllib.py --docs``) and carried over
    from the page being replaced.
    """
    if not path.exists():
        return []
    sections = page_sections(path.read_text(encoding="utf-8"))
    return [
        "\n".join(lines).rstrip() + "\n"
        for heading, lines in sections[1:]
        if heading not in written
    ]


def _data_set_lines(reports, skipped):
    """The table of data sets, and a line for each skipped scenario."""
    header = ["scenario", "rows, target", "package", "version", "loader"]
    header += ["estimator", "score"]
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
    machine : list of (str, object)
        What the run ran on, as ``(what, value)`` rows of the machine table.
    """

    started: datetime
    elapsed: float = 0.0
    loads: str = ""
    startups: dict = field(default_factory=dict)
    machine: list = field(default_factory=list)


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


def page_sections(text):
    """The Markdown page ``text`` cut before each ``## `` heading.

    Returns a list of ``(heading, lines)``: first ``(None, lines)`` for the
    lines before the first heading (the title), then one pair per ``## ``
    heading, its stripped heading line and its lines from that heading to
    the next. Lines in code fences are not headings. Joining every pair's
    lines with newlines gives ``text`` back, up to a final newline.
    """
    sections, fenced = [(None, [])], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif line.startswith("## ") and not fenced:
            sections.append((line.strip(), []))
        sections[-1][1].append(line)
    return sections


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
    run's :class:`RunInfo`. Hand-written ``##`` sections of the page at
    ``path`` are read before it is overwritten and kept, before ``## Methods``.
    """
    head = [
        *_intro_lines(args),
        *_summary_lines(reports),
        *_figure_lines(reports),
        *_result_lines(reports, run.startups),
    ]
    tail = [
        *("## Methods", "", METHOD_NOTES),
        *_data_set_lines(reports, skipped),
        *("## Reading the tables", "", READING_NOTES),
        *_made_lines(args, run),
        *_toctree_lines(),
    ]
    written = {line for line in head + tail if line.startswith("## ")}
    lines = [*head, *_kept_sections(path, written), *tail]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
