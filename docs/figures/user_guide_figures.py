"""Figures of the user guide, drawn at build time.

Matplotlib's ``plot`` directive runs this file from its own folder and then
calls one of these functions:

- ``shard_tree``: the rows split into ``r**h`` shards, one model per shard,
  groups of ``r`` models replaced by their Radon point, level by level, until
  one model is left (drawn for ``r = 3``, ``h = 2``);
- ``shard_cost``: the work of all ``r**h`` shard fits against one fit on all
  ``n`` rows, ``r**h * (n / r**h) ** e / n ** e = r ** (-h * (e - 1))``, for
  a few growth exponents ``e``;
- ``height_trade_off``: measured seconds per explicit height of a learner
  whose cost is superlinear in the rows and of two linear-cost ones, read
  from the growth-and-heights table of ``docs/benchmarks_defaults.md``
  (written by ``benchmarks/cheap_no.py``), so a new benchmark run redraws it.

The figures are narrow, with large type, so that they stay readable when a
phone shrinks them to its width.

To look at a figure without building the site, from this folder:
``python -c "import user_guide_figures as f; f.shard_tree().savefig('a.png')"``.
"""

import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch
from matplotlib.ticker import FuncFormatter

__all__ = ["height_trade_off", "shard_cost", "shard_tree"]

# sys.argv[0] is this file both when run directly and under the plot
# directive (which sets it to the script's path); __file__ is not set there.
DEFAULTS_PAGE = Path(sys.argv[0]).resolve().parent.parent / "benchmarks_defaults.md"

# The radon colour of docs/figures/benchmark_figures.py, and two more of the
# same colour-blind-safe palette.
RADON = "#0072b2"
SHARD = "#e69f00"
GREY = "#444444"
LINE_STYLES = {
    "LinearSVC": {"color": RADON, "marker": "D"},
    "LogisticRegression": {"color": "#009e73", "marker": "o"},
    "Ridge": {"color": "#d55e00", "marker": "s"},
}
# How each learner's cost grows with the rows (docs/user_guide/learners.rst).
COST_KIND = {
    "LinearSVC": "superlinear",
    "LogisticRegression": "linear",
    "Ridge": "linear, cheap",
}

FONT = 14
# The case of the benchmarks page drawn by height_trade_off.
TRADE_OFF_DATA = "1M x 18"


def _box(ax, x, y, width, height, text, colour, text_colour="white"):
    """A rounded box centred on (x, y) with its text inside."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=colour,
            edgecolor="none",
        )
    )
    ax.text(x, y, text, ha="center", va="center", color=text_colour, fontsize=FONT)


def _link(ax, start, end):
    """A thin arrow from ``start`` to ``end``."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": GREY, "lw": 1.0},
    )


def shard_tree():
    """The aggregation tree for r = 3 and h = 2: 9 shards, 3 Radon points, 1 model."""
    radon_number, n_shards = 3, 9
    fig, ax = plt.subplots(figsize=(5.0, 5.2))
    ax.set_xlim(-0.6, n_shards - 0.4)
    ax.set_ylim(-1.25, 4.65)
    ax.axis("off")
    centre = (n_shards - 1) / 2

    _box(ax, centre, 4.3, n_shards - 0.2, 0.6, "training rows, shuffled", GREY)
    for shard in range(n_shards):
        _link(ax, (shard, 3.98), (shard, 3.45))
        _box(ax, shard, 3.1, 0.8, 0.6, str(shard + 1), SHARD, "black")
    groups = range(0, n_shards, radon_number)
    for group, first in enumerate(groups):
        x = first + 1
        for shard in range(first, first + radon_number):
            _link(ax, (shard, 2.78), (x, 2.15))
        _box(ax, x, 1.85, 2.75, 0.55, f"Radon point {group + 1}", RADON)
    for first in groups:
        _link(ax, (first + 1, 1.55), (centre, 0.92))
    _box(ax, centre, 0.6, 4.4, 0.6, "one model: estimator_", RADON)
    ax.text(
        -0.5,
        -0.15,
        "r**h = 9 shards (orange), one fit each;\n"
        "level 1: a Radon point per r = 3 models;\n"
        "level 2 = height h: one model left",
        va="top",
        fontsize=FONT - 1,
        linespacing=1.4,
    )
    fig.tight_layout(pad=0.2)
    return fig


def shard_cost():
    """Work of the r**h shard fits relative to one fit on all rows, per height."""
    radon_number = 21  # D + 2 for a binary classifier on 18 features
    heights = [0, 1, 2, 3]
    exponents = [
        (1.0, "e = 1 (lbfgs, Ridge)", LINE_STYLES["Ridge"]),
        (1.25, "e = 1.25 (liblinear, least)", LINE_STYLES["LogisticRegression"]),
        (1.65, "e = 1.65 (QuantileRegressor)", LINE_STYLES["LinearSVC"]),
    ]
    fig, ax = plt.subplots(figsize=(5.0, 4.4))
    for exponent, label, style in exponents:
        work = [radon_number ** (-height * (exponent - 1)) for height in heights]
        ax.plot(heights, work, label=label, lw=2, markersize=7, **style)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set_xticks(heights)
    ax.set_xticklabels([f"{h}\n({radon_number**h:,})" for h in heights])
    ax.set_xlabel("height h (shards r**h), r = 21", fontsize=FONT)
    ax.set_ylabel("work of all shard fits\n/ one fit on all rows", fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(True, which="major", color="#dddddd")
    ax.legend(fontsize=FONT - 2, loc="lower left", frameon=False)
    ax.set_title("r**h * (n / r**h)**e  /  n**e", fontsize=FONT)
    fig.tight_layout(pad=0.3)
    return fig


def read_heights(page=DEFAULTS_PAGE, data=TRADE_OFF_DATA):
    """Measured seconds per explicit height of every learner on ``data``.

    Read from the "explicit heights s" column of the first table of
    ``docs/benchmarks_defaults.md`` (cells such as ``0: 4.25, 1: 1.01,
    **2: 0.743**``); returns ``{learner: {height: seconds}}``.
    """
    heights = {}
    for line in page.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 6 or cells[1] != data:
            continue
        pairs = re.findall(r"(\d+): ([0-9.]+)", cells[5].replace("*", ""))
        heights.setdefault(cells[0], {int(h): float(s) for h, s in pairs})
    return heights


def height_trade_off():
    """Measured seconds per explicit height, a superlinear against linear learners."""
    measured = read_heights()
    fig, ax = plt.subplots(figsize=(5.0, 4.4))
    for learner, style in LINE_STYLES.items():
        seconds = measured.get(learner)
        if not seconds:
            continue
        heights = sorted(seconds)
        ax.plot(
            heights,
            [seconds[h] for h in heights],
            label=f"{learner} ({COST_KIND[learner]})",
            lw=2,
            markersize=7,
            **style,
        )
        best = min(heights, key=seconds.get)
        ax.plot(best, seconds[best], marker="*", color="black", markersize=15, lw=0)
    if not measured:
        ax.text(0.5, 0.5, f"No {TRADE_OFF_DATA} rows found.", transform=ax.transAxes)
    ax.set_yscale("log")
    ax.set_xticks([0, 1, 2])
    # r = D + 2 = 21 for all three: 18 coefficients and one intercept.
    ax.set_xticklabels(["0\n(1 fit)", "1\n(21)", "2\n(441)"])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set_xlabel("explicit height (shards)", fontsize=FONT)
    ax.set_ylabel("fit time, seconds", fontsize=FONT)
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(True, which="major", color="#dddddd")
    ax.legend(fontsize=FONT - 2, frameon=False, loc="upper right")
    rows, features = TRADE_OFF_DATA.split(" x ")
    ax.set_title(
        f"{rows} rows x {features} features, 2 cores (star: fastest)", fontsize=FONT
    )
    fig.tight_layout(pad=0.3)
    return fig
