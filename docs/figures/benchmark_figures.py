"""Figures of the benchmark results, drawn at build time from docs/benchmarks.md.

The numbers come from the result tables of ``docs/benchmarks.md`` (written by
``benchmarks/compare_peers.py``), so a new benchmark run redraws the figures
without edits here. Matplotlib's ``plot`` directive runs this file from its
own folder and then calls one of these functions:

- ``time_against_score``: the front page's figure, one panel per scenario in
  which the Radon machine split the rows (per scenario, if it split them in
  none), fit time against test score for the base learner on all rows,
  averaging and the Radon machine; ``time_against_score_narrow`` the same in
  one column, which the front page shows instead on a narrow screen;
- ``speed_up_by_scenario``: the benchmarks page's figure, the speed-up of
  every method in every scenario.

To look at a figure without building the site, from this folder:
``python -c "import benchmark_figures as b; b.time_against_score().savefig('a.png')"``.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

__all__ = [
    "read_results",
    "speed_up_by_scenario",
    "time_against_score",
    "time_against_score_narrow",
]

# sys.argv[0] is this file both when run directly and under the plot
# directive (which sets it to the script's path); __file__ is not set there.
BENCHMARKS_PAGE = Path(sys.argv[0]).resolve().parent.parent / "benchmarks.md"

# Colours and markers, one per method, the same in both figures.
STYLE = {
    "base": {"color": "#444444", "marker": "o", "label": "base learner, all rows"},
    "mean": {"color": "#e69f00", "marker": "s", "label": "averaging (same shards)"},
    "radon": {"color": "#0072b2", "marker": "D", "label": "Radon machine"},
    "bagging": {"color": "#009e73", "marker": "^", "label": "bagging"},
    "dask-ml": {"color": "#cc79a7", "marker": "v", "label": "dask-ml"},
    "spark": {"color": "#d55e00", "marker": "P", "label": "Spark MLlib"},
}


@dataclass(frozen=True)
class Row:
    """One method's line of a scenario's result table."""

    method: str
    height: int | None
    seconds: float
    speed_up: float
    score: float


@dataclass(frozen=True)
class Scenario:
    """One scenario of the benchmarks page: its description and result rows."""

    name: str
    description: str
    training_rows: str
    n_features: str
    estimator: str
    score_name: str
    lower_is_better: bool
    rows: dict


def _number(cell):
    """A table cell as a float (``"48.54x"``, ``"1,234"``), or None for ``-``."""
    cell = cell.strip().rstrip("x").replace(",", "")
    return None if cell in {"", "-"} else float(cell)


def _cells(line):
    """The cells of one Markdown table line."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_results(page=BENCHMARKS_PAGE):
    """Read every scenario's result table from the benchmarks page.

    Parameters
    ----------
    page : path-like, default=docs/benchmarks.md
        A Markdown page with a ``## Results`` section holding, per scenario,
        a ``### name`` heading, a line ending in ``score: NAME.`` and a table
        whose header starts with ``| method |`` and has the columns
        ``height``, ``fit time s``, ``speed-up`` and ``score``.

    Returns
    -------
    scenarios : list of Scenario
        In the order of the page. Methods that were skipped (``-`` in every
        number) are left out.

    Raises
    ------
    ValueError
        If the page holds no such table, so that a change of the page's
        layout fails the documentation build instead of drawing empty axes.
    """
    lines = Path(page).read_text(encoding="utf-8").splitlines()
    scenarios, in_results, current, header = [], False, None, None
    for line in lines:
        if line.startswith("## "):
            in_results = line.strip() == "## Results"
            current = None
            continue
        if not in_results:
            continue
        if line.startswith("### "):
            current = {"name": line[4:].strip(), "rows": {}}
            scenarios.append(current)
            header = None
            continue
        if current is None:
            continue
        if "score: " in line and not line.startswith("|"):
            description = line.split(";")[0].strip()
            shape = re.match(r"([\d,]+) x (\d+) (.*)", description)
            current["description"] = shape.group(3) if shape else description
            current["n_features"] = shape.group(2) if shape else "?"
            training = re.search(r"([\d,]+) training", line)
            current["training_rows"] = training.group(1) if training else "?"
            estimator = re.search(r"`([^`]+)`", line)
            current["estimator"] = estimator.group(1) if estimator else ""
            score = line.rsplit("score: ", 1)[1].strip().rstrip(".")
            current["lower_is_better"] = "lower is better" in score
            current["score_name"] = score.replace("(lower is better)", "").strip()
        elif line.startswith("| method |"):
            header = _cells(line)
        elif header and line.startswith("|") and not line.startswith("| ---"):
            cell = dict(zip(header, _cells(line), strict=False))
            seconds = _number(cell["fit time s"])
            if seconds is None:
                continue
            height = _number(cell["height"])
            current["rows"][cell["method"]] = Row(
                method=cell["method"],
                height=None if height is None else int(height),
                seconds=seconds,
                speed_up=_number(cell["speed-up"]),
                score=_number(cell["score"]),
            )
    scenarios = [Scenario(**s) for s in scenarios if s["rows"] and "score_name" in s]
    if not scenarios:
        raise ValueError(
            f"{page} has no result tables in the form this script reads "
            "(a '## Results' section with '### scenario' headings, a "
            "'score: NAME.' line and a '| method | ... |' table per scenario); "
            "update read_results in docs/figures/benchmark_figures.py to the "
            "page's new layout."
        )
    return scenarios


def _seconds_label(seconds, _position=None):
    """A tick label for a time axis in seconds."""
    return f"{seconds:g} s"


def _seconds(row):
    """A row's fit time; a time printed as 0.000 counts as half a millisecond."""
    return max(row.seconds, 5e-4)


def _time_score_panel(ax, scenario):
    """One scenario's panel: fit time against score of base, mean and radon."""
    base, radon = scenario.rows["base"], scenario.rows["radon"]
    for method in ("base", "mean", "radon"):
        row = scenario.rows.get(method)
        if row is None:
            continue
        style = STYLE[method]
        ax.scatter(
            _seconds(row),
            row.score,
            s=70 if method != "mean" else 55,
            marker=style["marker"],
            color=style["color"],
            label=style["label"],
            zorder=3 if method == "radon" else 2,
        )
    speed_up = _seconds(base) / _seconds(radon)
    faster = (
        f"{speed_up:.1f}x faster" if speed_up >= 1 else f"{1 / speed_up:.1f}x slower"
    )
    change = 100 * (radon.score - base.score) / base.score if base.score else 0.0
    ax.annotate(
        f"{faster}\n{scenario.score_name} {change:+.2f} %",
        (_seconds(radon), radon.score),
        xytext=(0, 14),
        textcoords="offset points",
        ha="center",
        fontsize=9,
        color=STYLE["radon"]["color"],
    )
    ax.annotate(
        "",
        (_seconds(radon), radon.score),
        xytext=(_seconds(base), base.score),
        arrowprops={"arrowstyle": "->", "color": "#999999", "shrinkA": 6, "shrinkB": 8},
    )
    times = (_seconds(radon), _seconds(base))
    ax.set_xscale("log")
    ax.set_xlim(min(times) / 2.5, max(times) * 2.5)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_seconds_label))
    ax.xaxis.set_minor_formatter(NullFormatter())
    margin = 0.01 * abs(base.score) or 0.01
    ax.set_ylim(base.score - margin, base.score + margin)
    better = "lower" if scenario.lower_is_better else "higher"
    ax.set_ylabel(f"test {scenario.score_name}\n({better} is better)", fontsize=9)
    ax.set_xlabel("fit time (log scale)", fontsize=9)
    data = re.split(r" \(|, ", scenario.description)[0]
    ax.set_title(
        f"{scenario.estimator}\n{data}, {scenario.training_rows} x "
        f"{scenario.n_features}",
        fontsize=9,
    )
    ax.tick_params(labelsize=8)
    ax.grid(True, which="major", color="#e5e5e5", zorder=0)


def time_against_score(page=BENCHMARKS_PAGE, max_columns=2):
    """Fit time against test score: base learner, averaging, Radon machine.

    One panel per scenario in which the Radon machine split the rows
    (height 1 or more), so the panels are those where it had a choice to
    make. If it split the rows in none (as in a ``--quick`` run on the small
    data sets), one panel per scenario with a ``base`` and a ``radon`` row,
    under a title that says so. The score axis spans 1 % of the base
    learner's score either side, so that equal scores look equal. Panels
    are laid out in up to ``max_columns`` columns.
    """
    paired = [s for s in read_results(page) if {"base", "radon"} <= s.rows.keys()]
    split = [s for s in paired if s.rows["radon"].height]
    scenarios = split or paired
    n_columns = max(1, min(max_columns, len(scenarios)))
    n_rows = max(1, -(-len(scenarios) // n_columns))
    fig, axes = plt.subplots(
        n_rows,
        n_columns,
        figsize=(8 if max_columns > 1 else 4.2, 3.2 * n_rows),
        squeeze=False,
        layout="constrained",
    )
    for ax, scenario in zip(axes.flat, scenarios, strict=False):
        _time_score_panel(ax, scenario)
    for ax in list(axes.flat)[len(scenarios) :]:
        ax.set_visible(False)
    if not scenarios:
        fig.suptitle("No scenario has both a base and a radon result.", fontsize=9)
        return fig
    if not split:
        fig.suptitle(
            "In these results the Radon machine split the rows in no scenario: "
            "it fitted once on all rows (height 0).",
            fontsize=9,
        )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=3 if max_columns > 1 else 1,
        frameon=False,
    )
    return fig


def time_against_score_narrow(page=BENCHMARKS_PAGE):
    """``time_against_score`` in one column: the front page's figure on a phone."""
    return time_against_score(page, max_columns=1)


def speed_up_by_scenario(page=BENCHMARKS_PAGE):
    """Speed-up over the base learner of every method, in every scenario."""
    scenarios = [s for s in read_results(page) if "base" in s.rows]
    methods = [m for m in STYLE if m != "base"]
    fig, ax = plt.subplots(
        figsize=(9, 0.55 * len(scenarios) + 1.6), layout="constrained"
    )
    offsets = {m: (k - (len(methods) - 1) / 2) * 0.13 for k, m in enumerate(methods)}
    # From the times, not the rounded speed-up column (which shows 0.00x).
    speed_ups = {
        (s.name, method): _seconds(s.rows["base"]) / _seconds(s.rows[method])
        for s in scenarios
        for method in methods
        if method in s.rows
    }
    for method in methods:
        points = [
            (speed_ups[s.name, method], k + offsets[method])
            for k, s in enumerate(scenarios)
            if (s.name, method) in speed_ups
        ]
        if not points:
            continue
        style = STYLE[method]
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            marker=style["marker"],
            color=style["color"],
            s=60 if method == "radon" else 36,
            label=style["label"],
            zorder=3,
        )
    ax.axvline(1.0, color="#444444", linewidth=1)
    ax.text(1.0, -0.75, " base learner", fontsize=8, color="#444444", va="center")
    ax.set_xscale("log")
    if speed_ups:
        ax.set_xlim(min(speed_ups.values()) / 2, max(speed_ups.values()) * 3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.set_yticks(range(len(scenarios)))
    ax.set_yticklabels([f"{s.name}\n{s.estimator}" for s in scenarios], fontsize=8)
    ax.set_ylim(len(scenarios) - 0.5, -1)
    ax.set_xlabel(
        "speed-up over the base learner on all rows (log scale; right is faster)"
    )
    ax.grid(True, axis="x", color="#e5e5e5", zorder=0)
    for k in range(len(scenarios) - 1):
        ax.axhline(k + 0.5, color="#f0f0f0", linewidth=0.8, zorder=0)
    if speed_ups:
        fig.legend(loc="outside lower center", ncols=5, frameon=False, fontsize=8)
    return fig
