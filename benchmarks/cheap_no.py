"""The cheap no of ``height="auto"``: its constants, and the panel of defaults.

``radonlearn/_planning.py`` fits once on all rows, after one pilot fit on
1,000 rows, when sharding cannot save more than planning costs
(``cannot_pay``). This script measures what that rule rests on, and whether
the default never hurts:

``constants``
    ``SHARD_SECONDS``, the fixed work of one shard fit: a Radon machine at
    heights 1 and 2 on shards of 50 rows, against one fit on the same rows;
    and ``PLANNING_SECONDS``, the pilot phase of the panel's ``"auto"`` fits
    that planned, against the layout pilot alone (explicit heights).
``growth``
    the growth exponent of plain fits in the rows (1k, 10k, 100k, 1M rows, 18
    features; smaller sizes for the slow solvers), for every learner class
    in ``_LINEAR_COST`` and for LinearSVC (primal and dual),
    QuantileRegressor and liblinear's LogisticRegression.
``split``
    the split work of the epoch learners (SGDClassifier, SGDRegressor,
    Perceptron): 21 fits on a 21st of the rows each against one fit on all
    of them (whether they belong in ``_LINEAR_COST``).
``panel``
    issue "Defaults that never hurt": Ridge, LogisticRegression,
    SGDClassifier, LinearSVC, HuberRegressor and QuantileRegressor on
    generated data of 1k to 1M rows and on scikit-learn's bundled tables,
    the plain fit against ``height="auto"`` and every explicit height the
    rows allow, side by side.
``wins``
    the three cases ``height="auto"`` exists for (QuantileRegressor 40k x 8,
    LinearSVC(dual=True) 200k x 18, lbfgs LogisticRegression 1M x 18), with
    their test scores.

Every comparison is made in one run: the methods of a case alternate (the
first method moves on by one every round), one untimed warm-up round comes
first, and the median of ``--repeats`` timed fits is reported. The tables are
printed and written to ``docs/benchmarks_defaults.md``.

The work is done by the modules of ``benchmarks/defaults/``; this script
reads the command line and runs them in order.

Usage::

    python benchmarks/cheap_no.py            # about 25 minutes on 2 cores
    python benchmarks/cheap_no.py --quick    # smaller data, one repeat
    python benchmarks/cheap_no.py --sections constants,growth
    python benchmarks/cheap_no.py --blas-threads 0   # the libraries' threads
"""

import argparse
import os
import time
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

from defaults.common import (
    DEFAULT_OUTPUT,
    PROFILES,
    SECTIONS,
    loads,
)
from defaults.constants import measure_shard_seconds
from defaults.growth import measure_growth
from defaults.panel import run_panel
from defaults.report import (
    Run,
    report_text,
)
from defaults.split import measure_split
from defaults.wins import run_wins
from threadpoolctl import threadpool_limits

# -- Command line -------------------------------------------------------------


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Measure the cheap no's constants and the panel of "
        "height='auto' against the plain fit and every explicit height."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller data and one repeat (a few minutes); prints, and "
        "writes only with --output",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="workers (default 2)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed fits per method, median reported (default 3, quick 1)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS and OpenMP threads of this process during all fits "
        "(default 1, as shard fits and pilots run; 0: the libraries' default)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="Markdown page to write (default: docs/benchmarks_defaults.md, "
        "not written by --quick)",
    )
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.sections.split(",") if name]
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown or not args.sections:
        parser.error(f"unknown section(s) {unknown}; choose from {SECTIONS}")
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.output is None and not args.quick:
        args.output = DEFAULT_OUTPUT
    return args


def run_sections(args, run):
    """Run the chosen sections in order; the load averages around each."""
    steps = {
        "constants": lambda: measure_shard_seconds(args),
        "growth": lambda: measure_growth(args, run.profile),
        "split": lambda: measure_split(args, run.profile),
        "panel": lambda: run_panel(args, run.profile),
        "wins": lambda: run_wins(args),
    }
    attributes = {
        "constants": "shards",
        "growth": "growth",
        "split": "split",
        "panel": "cases",
        "wins": "wins",
    }
    for section in SECTIONS:
        if section not in args.sections:
            continue
        start_load = loads()
        print(f"\n== {section} (load {start_load})", flush=True)
        clock = time.perf_counter()
        setattr(run, attributes[section], steps[section]())
        seconds = time.perf_counter() - clock
        run.loads[f"{section} ({seconds:.0f} s), start / end"] = (
            f"{start_load}; {loads()}"
        )


def main(argv=None):
    """Run the sections, print the tables and write the page."""
    args = parse_args(argv)
    profile = PROFILES["quick" if args.quick else "full"]
    run = Run(args, profile, datetime.now(timezone.utc))
    clock = time.perf_counter()
    print(
        f"cheap_no: {profile.name} profile, n_jobs={args.n_jobs}, "
        f"repeats={args.repeats}, sections {','.join(args.sections)}; "
        f"{os.cpu_count()} cores, load {loads()}",
        flush=True,
    )
    with (
        threadpool_limits(limits=args.blas_threads)
        if args.blas_threads > 0
        else nullcontext()
    ):
        run_sections(args, run)
    run.elapsed = time.perf_counter() - clock
    text = report_text(run)
    print("\n" + text)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({run.elapsed:.0f} s in all)")


if __name__ == "__main__":
    main()
