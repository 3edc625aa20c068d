"""The ``wins`` section: the three cases ``height="auto"`` exists for."""

import warnings
from functools import partial

from peers.report import markdown_table
from peers.scenarios import SCENARIOS, evaluate, prepare

from .common import (
    SLOW_PLAIN,
    SLOW_WARM_SHARE,
    fmt,
    machine,
    median,
    one_minute_load,
    side_by_side,
    time_fit,
)

# -- The wins -----------------------------------------------------------------


WINS = (
    ("quantile", "speed-up >= 30x", lambda ratio: ratio >= 30),
    ("linearsvc", "speed-up >= 10x", lambda ratio: ratio >= 10),
    ("logistic", "time <= 0.6 x plain", lambda ratio: 1 / ratio <= 0.6),
)
# Scores are "the same" within these: ROC AUC absolute, MAE relative.
SAME_AUC = 0.001
SAME_MAE = 0.005


def _win_methods(scenario, split, n_jobs):
    """The plain and auto fits of a win, scored; and their warm-up fits."""
    task = "regression" if split.task == "regression" else "classification"
    X, y = split.X_train, split.y_train
    score = partial(evaluate, scenario.metric, X=split.X_test, y=split.y_test)
    methods = {
        "plain": partial(time_fit, scenario.estimator, X, y, score=score),
        "auto": partial(
            time_fit,
            partial(machine, scenario.estimator(), task, n_jobs),
            X,
            y,
            score=score,
        ),
    }
    cut = len(y)
    if scenario.name in SLOW_PLAIN:
        cut = int(SLOW_WARM_SHARE * len(y))
    warm_up = {
        "plain": partial(time_fit, scenario.estimator, X[:cut], y[:cut]),
        "auto": methods["auto"],
    }
    return methods, warm_up


def run_wins(args):
    """The three wins: plain against auto, their times and test scores."""
    results = []
    for name, target, met in WINS:
        scenario = SCENARIOS[name]
        split = prepare(scenario, args.quick)
        methods, warm_up = _win_methods(scenario, split, args.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits = side_by_side(methods, args.repeats, warm_up)
        result = _win_result(scenario, split, fits, target, met)
        results.append(result)
        print(
            f"  {name}: plain {fmt(result['plain'])} s, auto {fmt(result['auto'])} s "
            f"(height {result['heights']}), {result['ratio']:.2f}x; scores "
            f"{result['plain_score']:.4f} / {result['auto_score']:.4f}",
            flush=True,
        )
    return results


def _win_result(scenario, split, fits, target, met):
    """The numbers of one win as a dict."""
    plain = median(fit.seconds for fit in fits["plain"])
    auto = median(fit.seconds for fit in fits["auto"])
    plain_score = median(fit.score for fit in fits["plain"])
    auto_score = median(fit.score for fit in fits["auto"])
    if scenario.metric == "mae":
        same = abs(auto_score / plain_score - 1) <= SAME_MAE
    else:
        same = abs(auto_score - plain_score) <= SAME_AUC
    heights = sorted({fit.height for fit in fits["auto"]})
    return {
        "name": scenario.name,
        "estimator": repr(scenario.estimator()),
        "shape": f"{len(split.y_train):,} x {split.X_train.shape[1]}",
        "plain": plain,
        "auto": auto,
        "ratio": plain / auto,
        "heights": ",".join(map(str, heights)),
        "pilot": median(fit.times["pilot"] for fit in fits["auto"]),
        "metric": "MAE" if scenario.metric == "mae" else "ROC AUC",
        "plain_score": plain_score,
        "auto_score": auto_score,
        "same": same,
        "target": target,
        "met": met(plain / auto),
        "load": one_minute_load(),
    }


def wins_table(results):
    """The wins table, Markdown."""
    header = [
        "estimator",
        "training rows",
        "plain s",
        "auto s",
        "auto height",
        "plain / auto",
        "target",
        "met",
        "score: plain, auto",
        "same score",
        "load",
    ]
    rows = [
        [
            f"`{item['estimator']}`",
            item["shape"],
            fmt(item["plain"]),
            fmt(item["auto"]),
            item["heights"],
            f"{item['ratio']:.2f}x",
            item["target"],
            "yes" if item["met"] else "**no**",
            f"{item['metric']} {item['plain_score']:.4f}, {item['auto_score']:.4f}",
            "yes" if item["same"] else "**no**",
            item["load"],
        ]
        for item in results
    ]
    return markdown_table(header, rows, right=(2, 3, 5, 10))
