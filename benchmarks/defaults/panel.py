"""The ``panel`` section: plain fit, ``height="auto"`` and explicit heights."""

import warnings

import datasets
from peers.report import markdown_table

from .common import (
    BUNDLED,
    LEARNERS,
    LOW_REGRET,
    N_FEATURES,
    NO_LOSS,
    REAL_TABLES,
    Case,
    bundled,
    fmt,
    generated,
    machine,
    median,
    one_minute_load,
    rows_text,
    side_by_side,
    time_fit,
)

# -- The panel ----------------------------------------------------------------


def panel_data(profile):
    """``(name, X, y, task, generated rows or None)`` of every panel data set."""
    for n_rows in profile.sizes:
        for task in ("classification", "regression"):
            X, y = generated(task, n_rows)
            yield f"{rows_text(n_rows)} x {N_FEATURES}", X, y, task, n_rows
    for loader in BUNDLED:
        X, y, task, name = bundled(loader)
        yield name, X, y, task, None
    for loader in REAL_TABLES if profile.real_tables else ():
        try:
            X, y, task, name = bundled(loader)
        except datasets.MissingDataPackage as error:
            print(f"  {loader.__name__} left out: {error}", flush=True)
            continue
        # Counted as rows of their own: QuantileRegressor is left out.
        yield f"{name} ({rows_text(len(y))} x {X.shape[1]})", X, y, task, len(y)


def run_case(name, learner, X, y, task, args):
    """One panel case: plain, auto and every explicit height, side by side.

    The warm-up round fits the plain estimator and auto first; auto's
    ``largest_height`` says which explicit heights the rows allow, and each
    of them is warmed up in turn.
    """
    factory, _ = LEARNERS[learner]

    def method(height):
        if height is None:
            return lambda: time_fit(factory, X, y)
        return lambda: time_fit(
            lambda: machine(factory(), task, args.n_jobs, height), X, y
        )

    methods = {"plain": method(None), "auto": method("auto")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        methods["plain"]()
        largest = methods["auto"]().plan.get("largest_height", 0)
        explicit = {f"h{height}": method(height) for height in range(largest + 1)}
        methods.update(explicit)
        fits = side_by_side(methods, args.repeats, warm_up=explicit)
    return Case(f"{learner}, {name}", learner, fits, one_minute_load())


def run_panel(args, profile):
    """Every panel case, printed as it finishes."""
    cases = []
    for name, X, y, task, n_rows in panel_data(profile):
        for learner, (_, learner_task) in LEARNERS.items():
            slow = learner == "QuantileRegressor" and n_rows is not None
            if learner_task != task or (slow and n_rows not in profile.quantile_sizes):
                continue
            case = run_case(name, learner, X, y, task, args)
            cases.append(case)
            print("  " + panel_line(case), flush=True)
    return cases


def verdicts(case):
    """auto/plain, no loss, the fastest explicit height, auto/fastest, low regret."""
    plain, auto = case.median("plain"), case.median("auto")
    explicit = {height: case.median(f"h{height}") for height in case.explicit()}
    fastest = min(explicit, key=explicit.get)
    no_loss = auto <= NO_LOSS[0] * plain + NO_LOSS[1]
    low_regret = auto <= LOW_REGRET[0] * explicit[fastest] + LOW_REGRET[1]
    return plain, auto, explicit, fastest, no_loss, low_regret


def chosen_text(case):
    """The heights the timed auto fits chose, and why, in short."""
    heights = [fit.height for fit in case.fits["auto"]]
    text = str(heights[0]) if len(set(heights)) == 1 else ",".join(map(str, heights))
    kinds = sorted({_plan_kind(fit.plan) for fit in case.fits["auto"]})
    return f"{text} ({', '.join(kinds)})"


def _plan_kind(plan):
    """How an auto fit decided: too few rows, the cheap no, or planned."""
    if "predicted_seconds" in plan:
        backend = plan.get("backend")
        return "planned" + (", processes" if backend == "processes" else "")
    if plan.get("largest_height", 0) > 0:
        return "cheap no"
    return "too few rows"


def panel_line(case):
    """One printed line per case, as it finishes."""
    plain, auto, explicit, _, no_loss, low_regret = verdicts(case)
    heights = ", ".join(f"h{h} {fmt(s)}" for h, s in explicit.items())
    return (
        f"{case.name}: plain {fmt(plain)}, auto {fmt(auto)} -> {chosen_text(case)}; "
        f"{heights}; no loss {'yes' if no_loss else 'NO'}, "
        f"low regret {'yes' if low_regret else 'NO'}"
    )


def panel_table(cases):
    """The panel table, Markdown."""
    header = [
        "learner",
        "data",
        "plain s",
        "auto s",
        "auto chose",
        "explicit heights s",
        "auto / plain",
        "no loss",
        "auto / fastest explicit",
        "low regret",
        "load",
    ]
    rows = []
    for case in cases:
        plain, auto, explicit, fastest, no_loss, low_regret = verdicts(case)
        rows.append(
            [
                case.learner,
                case.name.split(", ", 1)[1],
                fmt(plain),
                fmt(auto),
                chosen_text(case),
                ", ".join(
                    f"**{h}: {fmt(s)}**" if h == fastest else f"{h}: {fmt(s)}"
                    for h, s in explicit.items()
                ),
                f"{auto / plain:.2f}",
                "yes" if no_loss else "**no**",
                f"{auto / explicit[fastest]:.2f}",
                "yes" if low_regret else "**no**",
                case.load,
            ]
        )
    return markdown_table(header, rows, right=(2, 3, 6, 8, 10))


def misses(cases):
    """One line per case that misses a target, with its numbers."""
    lines = []
    for case in cases:
        plain, auto, explicit, fastest, no_loss, low_regret = verdicts(case)
        if not no_loss:
            lines.append(
                f"- {case.name}: **no loss missed**: auto {fmt(auto)} s > "
                f"{NO_LOSS[0]} x plain {fmt(plain)} s + "
                f"{1000 * NO_LOSS[1]:.0f} ms = "
                f"{fmt(NO_LOSS[0] * plain + NO_LOSS[1])} s; auto chose "
                f"{chosen_text(case)}."
            )
        if not low_regret:
            lines.append(
                f"- {case.name}: **low regret missed**: auto {fmt(auto)} s > "
                f"{LOW_REGRET[0]} x height {fastest} {fmt(explicit[fastest])} s + "
                f"{1000 * LOW_REGRET[1]:.0f} ms = "
                f"{fmt(LOW_REGRET[0] * explicit[fastest] + LOW_REGRET[1])} s; "
                f"auto chose {chosen_text(case)}."
            )
    return lines or ["- none: every case meets both targets."]


def prediction_table(cases):
    """Predicted seconds per height against the explicit heights' times."""
    header = [
        "case",
        "height",
        "predicted s",
        "explicit fit s",
        "its shard phase s",
        "shard phase / predicted",
    ]
    rows = []
    for case in cases:
        predicted = [
            fit.plan["predicted_seconds"]
            for fit in case.fits["auto"]
            if "predicted_seconds" in fit.plan
        ]
        if not predicted:
            continue
        for height in case.explicit():
            guess = median(seconds.get(height) for seconds in predicted)
            fits = case.fits[f"h{height}"]
            phase = median(fit.times["shards"] for fit in fits)
            rows.append(
                [
                    case.name,
                    height,
                    fmt(guess),
                    fmt(case.median(f"h{height}")),
                    fmt(phase),
                    "-" if not guess else f"{phase / guess:.2f}",
                ]
            )
    return markdown_table(header, rows, right=range(1, 6))
