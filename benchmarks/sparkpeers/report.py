"""The Markdown report, and its section of ``docs/benchmarks.md``.

The report (``--output``) holds the data, ``## Targets``, ``## All methods``,
``## Command`` and ``## Machine``. The section of the documentation page
(``--docs``) holds the same under ``### `` headings, below one heading,
``## Spark and MLlib``, and replaces only that section of the page.
``compare_peers.py`` rewrites the rest of that page and keeps ``## `` sections
it does not write, such as this one, before its ``## Methods``; so a section
written here survives its runs, and this one is put in the same place.
"""

import os
import platform
import statistics
from dataclasses import dataclass
from datetime import datetime

from peers.measure import (
    command_text,
    cpu_model,
    git_revision,
    java_version,
    total_memory_gib,
    version_of,
)
from peers.report import page_sections

import radonlearn

__all__ = [
    "AUC_TOLERANCE",
    "DOCS_HEADING",
    "TARGETS",
    "Run",
    "machine_table",
    "report",
    "results_table",
    "targets_table",
    "update_docs",
]

# Targets of the issue: MLlib fit time over the Radon machine's, and the
# largest test AUC gap.
TARGETS = {"logistic": 2.0, "linearsvc": 1.5}
AUC_TOLERANCE = 0.002
# The MLlib estimator each target is measured against.
TARGET_PEERS = {"logistic": "LogisticRegression", "linearsvc": "LinearSVC"}
SCRIPT = "benchmarks/spark_mllib.py"
DOCS_HEADING = "## Spark and MLlib"
# compare_peers.py puts the sections it keeps just before this heading.
DOCS_BEFORE = "## Methods"


def _reference(group_outcomes):
    """The outcome the group's ratios are taken against: MLlib, else in memory."""
    for kind in ("mllib", "memory"):
        for outcome in group_outcomes:
            if outcome.method.kind == kind:
                return outcome
    return None


def _fastest_radon(group_outcomes):
    """The Radon machine of the group with the shortest fit time, if any."""
    radon = [o for o in group_outcomes if o.method.kind == "radon"]
    return min(radon, key=lambda o: o.seconds) if radon else None


def _height_text(outcome):
    """The fitted height; for ``"auto"``, every fit's when the plans differed."""
    height = getattr(outcome.model, "height_", None)
    if height is None:
        return "-"
    if outcome.method.height != "auto":
        return str(height)
    chosen = dict.fromkeys(outcome.heights)
    return "auto: " + (
        str(height) if len(chosen) == 1 else ", ".join(map(str, outcome.heights))
    )


def _data_text(tables):
    """One line per table: what it holds, its training and held-out rows."""
    return "\n".join(
        f"- `{t.name}`: {t.summary}; {t.n_train:,} training rows in Parquet, "
        f"{t.n_test:,} held-out rows"
        for t in tables.values()
    )


def _targets_text():
    """The targets in words."""
    peers = " and ".join(
        f"{TARGETS[group]:.1f} times as fast as MLlib's `{name}`"
        for group, name in TARGET_PEERS.items()
    )
    return (
        "Targets: the fastest Radon machine on Spark of each group fits at "
        f"least {peers}, at a test ROC AUC within {AUC_TOLERANCE} of MLlib's."
    )


def _sections(run):
    """The report's sections after the data, as ``(title, text)`` pairs."""
    return [
        ("Targets", targets_table(run.outcomes)),
        (
            "All methods",
            f"Fit time: median of {run.args.repeats} timed fit(s) after one "
            "warm-up fit. Ratio: the group's MLlib fit time (in-memory "
            "scikit-learn for quantile) over the method's. Spark jobs: median "
            "per fit.\n\n" + results_table(run.outcomes),
        ),
        ("Command", f"```bash\n{command_text(SCRIPT)}\n```"),
        ("Machine", machine_table(run)),
    ]


@dataclass(frozen=True)
class Run:
    """What the report is made of.

    Attributes
    ----------
    args : argparse.Namespace
        The command line.
    tables : dict of str to data.Table
        The two tables, by name.
    outcomes : list of timing.Outcome
        Every method's measurements, scored.
    loads : list of float
        One-minute load average at the start and after each round.
    started : datetime
        Start of the run (UTC).
    elapsed : float
        Seconds the whole run took.
    data_dir : str
        Where the Parquet files were written.
    """

    args: object
    tables: dict
    outcomes: list
    loads: list
    started: datetime
    elapsed: float
    data_dir: str


def results_table(outcomes):
    """One Markdown table of every method, grouped."""
    lines = [
        "| group | method | height | fit time s | fits | warm-up s | Spark jobs | "
        "ratio | score | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group in dict.fromkeys(o.method.group for o in outcomes):
        members = [o for o in outcomes if o.method.group == group]
        reference = _reference(members)
        metric = "MAE" if members[0].method.table == "regression" else "AUC"
        for outcome in members:
            ratio = reference.seconds / outcome.seconds if reference else float("nan")
            fits = len(outcome.times) or 1
            jobs = statistics.median(outcome.jobs)
            lines.append(
                f"| {group} | {outcome.method.name} | {_height_text(outcome)} | "
                f"{outcome.seconds:.2f} | {fits} | {outcome.warm_up:.2f} | "
                f"{jobs:.0f} | {ratio:.2f}x | "
                f"{metric} {outcome.score:.4f} | {'; '.join(outcome.notes)} |"
            )
    return "\n".join(lines)


def targets_table(outcomes):
    """The issue's targets against the fastest Radon machine of each group."""
    lines = [
        "| group | fastest Radon machine | MLlib s | Radon s | MLlib / Radon | "
        "target | AUC Radon - MLlib | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group, target in TARGETS.items():
        members = [o for o in outcomes if o.method.group == group]
        reference, fastest = _reference(members), _fastest_radon(members)
        if reference is None or fastest is None:
            continue
        ratio = reference.seconds / fastest.seconds
        gap = fastest.score - reference.score
        met = ratio >= target and abs(gap) <= AUC_TOLERANCE
        lines.append(
            f"| {group} | {fastest.method.name} | {reference.seconds:.2f} | "
            f"{fastest.seconds:.2f} | {ratio:.2f}x | {target:.1f}x | {gap:+.4f} | "
            f"{'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def machine_table(run):
    """Facts about the machine and the run."""
    args = run.args
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", f"{total_memory_gib():.1f} GiB"),
        ("OS", platform.platform()),
        (
            "load average (1 min): start, after each round",
            ", ".join(f"{load:.2f}" for load in run.loads),
        ),
        (
            "Spark",
            f"`local[{args.cores}]`, driver memory {args.driver_memory}, "
            "UI off, Arrow on; other settings Spark's defaults",
        ),
        ("Parquet", f"{args.files} files per training table under {run.data_dir}"),
        ("Python", platform.python_version()),
        ("pyspark", version_of("pyspark")),
        ("java", java_version()),
        ("numpy", version_of("numpy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("pyarrow", version_of("pyarrow")),
        ("radonlearn", f"{radonlearn.__version__} (git {git_revision()})"),
        ("run", f"{run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all"),
    ]
    lines = ["| what | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def report(run):
    """The whole Markdown report."""
    blocks = [
        "# Spark: the Radon machine and MLlib on one Parquet table",
        _data_text(run.tables),
    ]
    for title, text in _sections(run):
        blocks += [f"## {title}", text]
    return "\n\n".join(blocks)


def docs_section(run):
    """The ``## Spark and MLlib`` section of ``docs/benchmarks.md``."""
    blocks = [
        DOCS_HEADING,
        f"Written by `{SCRIPT} --docs`: the Radon machine on Spark "
        '(`RadonMachineClassifier/Regressor.fit(sdf, y="label")`) and Spark '
        f"MLlib, side by side on one `local[{run.args.cores}]` Spark session, "
        "every method reading the same Parquet files, uncached. Each method "
        "is fitted once untimed, then in rounds of every method once; the "
        "script's docstring gives what a fit time covers. "
        "`benchmarks/compare_peers.py` keeps this section when it rewrites "
        "the rest of the page.",
        _data_text(run.tables),
        _targets_text(),
    ]
    for title, text in _sections(run):
        blocks += [f"### Spark: {title.lower()}", text]
    return "\n\n".join(blocks)


def update_docs(path, run):
    """Write this run's section into the page at ``path``, the rest untouched.

    An existing ``## Spark and MLlib`` section is replaced; otherwise the
    section goes before ``## Methods`` (where ``compare_peers.py`` keeps it),
    or at the end of the page, or makes a new page.
    """
    sections = page_sections(path.read_text(encoding="utf-8")) if path.exists() else []
    body = docs_section(run).splitlines()
    headings = [heading for heading, _ in sections]
    if DOCS_HEADING in headings:
        index = headings.index(DOCS_HEADING)
        sections[index] = (DOCS_HEADING, body)
    else:
        index = headings.index(DOCS_BEFORE) if DOCS_BEFORE in headings else None
        if index is None:
            index = len(sections)
            if sections and sections[-1][1] and sections[-1][1][-1].strip():
                sections[-1][1].append("")  # a blank line before the heading
        sections.insert(index, (DOCS_HEADING, body))
    if index < len(sections) - 1:
        body.append("")  # a blank line before the next heading
    lines = [line for _, section_lines in sections for line in section_lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
