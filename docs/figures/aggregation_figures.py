"""Figure of the study "Choosing an aggregation", drawn at build time.

The numbers come from ``benchmarks/results/aggregation.json`` (written by
``benchmarks/studies/aggregation.py``), so a new run of the study redraws the
figure without edits here. Matplotlib's ``plot`` directive runs this file
from its own folder and then calls ``breakdown_curves``: the share of broken
trials against the number of colluding models (one panel per attack) and
against the probability that a model is bad independently of the others.

To look at the figure without building the site, from this folder:
``python -c "import aggregation_figures as a; a.breakdown_curves().savefig('a.png')"``.
"""

import json
import sys
from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["breakdown_curves", "read_result"]

# sys.argv[0] is this file both when run directly and under the plot
# directive (which sets it to the script's path); __file__ is not set there.
RESULT = (
    Path(sys.argv[0]).resolve().parents[2]
    / "benchmarks"
    / "results"
    / "aggregation.json"
)

# Colours and markers, one per method.
STYLE = {
    "radon": {"color": "#0072b2", "marker": "D", "label": "radon"},
    "mean": {"color": "#e69f00", "marker": "s", "label": "mean"},
    "median": {"color": "#009e73", "marker": "^", "label": "median"},
    "geometric_median": {
        "color": "#cc79a7",
        "marker": "v",
        "label": "geometric_median",
    },
    "radon_gm5": {
        "color": "#56b4e9",
        "marker": "o",
        "label": "geometric median of 5 Radon trees",
        "linestyle": "--",
    },
}


def read_result(path=RESULT):
    """The study's JSON record."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _curve(axes, rows, key, method):
    """One method's share of broken trials against ``key`` (k or delta)."""
    points = [(row[key], row["broken"] / row["trials"]) for row in rows if row[key]]
    axes.plot(*zip(*points, strict=True), markersize=4, **STYLE[method])


def breakdown_curves(path=RESULT):
    """Share of broken trials: two collusion panels, one of independent failures."""
    result = read_result(path)
    figures = result["figures"]
    models = figures["setup"]["models"]
    figure, panels = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    titles = {
        "flip": "k copies of $-w_0$",
        "big_flip": "k copies of $-10\\,w_0$",
    }
    for axes, (attack, methods) in zip(
        panels[:2], figures["collusion"].items(), strict=True
    ):
        for method, record in methods.items():
            _curve(axes, record["rows"], "k", method)
        axes.set_xscale("log")
        axes.set_xlabel(f"colluding models k (of {models:,})")
        axes.set_title(titles.get(attack, attack))
    paper = figures["paper"]
    panels[0].plot(
        paper["k"],
        [broken / paper["trials"] for broken in paper["broken"]],
        "kx",
        markersize=8,
        label="paper: radon on SUSY",
    )
    axes = panels[2]
    for method, record in figures["independent"]["flip"].items():
        _curve(axes, record["rows"], "delta", method)
    axes.set_xscale("log")
    axes.set_xlabel("probability $\\delta$ that a model is $-10\\,w_i$")
    axes.set_title("independent failures")
    panels[0].set_ylabel("share of trials broken (test ROC AUC < 0.5)")
    for axes in panels:
        axes.grid(True, alpha=0.3)
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=6, frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure
