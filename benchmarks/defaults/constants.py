"""The ``constants`` section: ``SHARD_SECONDS`` and ``PLANNING_SECONDS``."""

import warnings
from functools import partial

from peers.report import markdown_table

from radonlearn._planning import (
    _LINEAR_COST,
    PLANNING_SECONDS,
    SHARD_SECONDS,
    THREAD_STARTUP,
)

from .common import (
    LEARNERS,
    N_FEATURES,
    SHARD_LEARNERS,
    SHARD_ROWS,
    fmt,
    generated,
    machine,
    median,
    side_by_side,
    time_fit,
)

# -- Constants: SHARD_SECONDS --------------------------------------------------


def _shard_methods(factory, task, n_jobs):
    """The machine at heights 1 and 2, and one fit of the same rows, by name."""
    radon_number = N_FEATURES + 3  # D = 18 coefficients and an intercept
    methods, n_shards = {}, {}
    for height in (1, 2):
        n_shards[height] = radon_number**height
        X, y = generated(task, n_shards[height] * SHARD_ROWS)
        methods[f"machine h{height}"] = partial(
            time_fit, partial(machine, factory(), task, n_jobs, height), X, y
        )
        methods[f"single h{height}"] = partial(time_fit, factory, X, y, one_thread=True)
    return methods, n_shards


def _shard_result(name, height, n_shards, fits):
    """The medians and per-shard overheads of one learner at one height."""
    machine_fits = fits[f"machine h{height}"]
    wall = median(fit.times["shards"] for fit in machine_fits)
    total = median(fit.seconds for fit in machine_fits)
    task_sum = median(fit.times["shard_fit_sum"] for fit in machine_fits)
    one = median(fit.seconds for fit in fits[f"single h{height}"])
    workers = machine_fits[0].times["n_workers"]
    return {
        "learner": name,
        "height": height,
        "shards": n_shards,
        "total": total,
        "wall": wall,
        "task_sum": task_sum,
        "single": one,
        "per_shard": (workers * wall - one) / n_shards,
        "outside": (workers * wall - task_sum) / n_shards,
        "beyond": workers * wall - task_sum,
        "whole": (workers * total - one) / n_shards,
        "workers": workers,
    }


def measure_shard_seconds(args):
    """Per-shard fixed work at heights 1 and 2 on shards of ``SHARD_ROWS`` rows.

    Returns one dict per learner and height: the shard phase's wall
    seconds, the shard tasks' summed seconds, one fit on the same rows
    (one BLAS thread) and the overheads per shard in worker-seconds.
    """
    results = []
    for name, (factory, task) in SHARD_LEARNERS.items():
        methods, n_shards = _shard_methods(factory, task, args.n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits = side_by_side(methods, args.repeats)
        for height, shards in n_shards.items():
            results.append(_shard_result(name, height, shards, fits))
            print(
                f"  {name} h{height}: {shards} shards, shard phase "
                f"{fmt(results[-1]['wall'])} s, one fit "
                f"{fmt(results[-1]['single'])} s -> "
                f"{1000 * results[-1]['per_shard']:.2f} ms per shard",
                flush=True,
            )
    return results


def shard_summary(results):
    """Medians of the per-shard figures by height, as one sentence."""
    parts = []
    for height in sorted({item["height"] for item in results}):
        items = [item for item in results if item["height"] == height]
        per_shard = median(item["per_shard"] for item in items)
        outside = median(item["outside"] for item in items)
        beyond = median(item["beyond"] for item in items)
        parts.append(
            f"at height {height} ({items[0]['shards']} shards) "
            f"{1000 * per_shard:.2f} ms per shard in all, "
            f"{1000 * outside:.2f} ms outside the fit tasks "
            f"({1000 * beyond:.0f} ms for all shards)"
        )
    return (
        f"Medians over the learners (worker-seconds): {'; '.join(parts)}. "
        + startup_text(results)
    )


def startup_text(results):
    """The shard phase's start-up and per-shard cost outside the fit tasks.

    The work outside the fit tasks at heights 1 and 2 (medians over the
    learners, worker-seconds) read as ``start-up + shards * per shard``:
    what ``THREAD_STARTUP`` (wall seconds, over the workers) and
    ``SHARD_SECONDS`` stand for.
    """
    beyond = {}
    for height in (1, 2):
        items = [item for item in results if item["height"] == height]
        if not items:
            return ""
        beyond[items[0]["shards"]] = median(item["beyond"] for item in items)
    (few, at_few), (many, at_many) = sorted(beyond.items())
    per_shard = (at_many - at_few) / (many - few)
    startup = at_few - few * per_shard
    workers = results[0].get("workers", 2)
    return (
        f"Read as start-up + shards x per shard: {1000 * per_shard:.2f} ms per "
        f"shard and a start-up of {1000 * startup:.0f} ms worker-seconds "
        f"({1000 * startup / workers:.0f} ms on {workers} workers; "
        f"`SHARD_SECONDS` = {1000 * SHARD_SECONDS:g} ms, `THREAD_STARTUP` = "
        f"{1000 * THREAD_STARTUP:g} ms)."
    )


def shard_table(results):
    """The SHARD_SECONDS table, Markdown."""
    header = [
        "learner",
        "height",
        "shards x rows",
        "machine fit s",
        "shard phase s",
        "shard tasks' sum s",
        "one fit, same rows s",
        "per shard ms",
        "of which outside the fit tasks ms",
        "outside the fit tasks, all shards ms",
        "whole fit, per shard ms",
    ]
    rows = [
        [
            item["learner"],
            item["height"],
            f"{item['shards']} x {SHARD_ROWS}",
            fmt(item["total"]),
            fmt(item["wall"]),
            fmt(item["task_sum"]),
            fmt(item["single"]),
            f"{1000 * item['per_shard']:.2f}",
            f"{1000 * item['outside']:.2f}",
            f"{1000 * item['beyond']:.0f}",
            f"{1000 * item['whole']:.2f}",
        ]
        for item in results
    ]
    return markdown_table(header, rows, right=range(1, 11))


# -- Constants: PLANNING_SECONDS, from the panel ------------------------------


def planning_rows(cases):
    """Per panel case whose "auto" fits planned: pilot phase, layout pilot."""
    rows = []
    for case in cases:
        planned = [fit for fit in case.fits["auto"] if "predicted_seconds" in fit.plan]
        layout = [
            fit.times["pilot"]
            for height in case.explicit()
            if height > 0
            for fit in case.fits[f"h{height}"]
        ]
        if not planned:
            continue
        pilot = median(fit.times["pilot"] for fit in planned)
        first = median(layout)
        rows.append(
            {
                "case": case.name,
                "learner": case.learner,
                "planned": len(planned),
                "pilot": pilot,
                "layout": first,
                "planning": None if first is None else pilot - first,
                "linear": _is_linear_cost(case.learner),
            }
        )
    return rows


def _is_linear_cost(learner):
    """Whether the panel learner's class is in ``_LINEAR_COST``."""
    factory, _ = LEARNERS[learner]
    return isinstance(factory(), _LINEAR_COST)


def planning_table(rows):
    """The PLANNING_SECONDS table, Markdown, and its summary line."""
    header = [
        "case",
        "auto fits that planned",
        "auto: pilot phase s",
        "explicit height: layout pilot s",
        "planning beyond the layout pilot s",
        "linear-cost learner",
    ]
    body = [
        [
            row["case"],
            row["planned"],
            fmt(row["pilot"]),
            fmt(row["layout"]),
            fmt(row["planning"]),
            "yes" if row["linear"] else "no",
        ]
        for row in rows
    ]
    cheap = [row for row in rows if row["linear"]]
    summary = (
        f"Medians over the cases of linear-cost learners ({len(cheap)}): pilot "
        f"phase {fmt(median(row['pilot'] for row in cheap))} s, planning beyond "
        f"the layout pilot {fmt(median(row['planning'] for row in cheap))} s; "
        f"over all {len(rows)} cases: "
        f"{fmt(median(row['pilot'] for row in rows))} s and "
        f"{fmt(median(row['planning'] for row in rows))} s "
        f"(`PLANNING_SECONDS` = {PLANNING_SECONDS:g} s)."
        if rows
        else "No panel case planned."
    )
    return markdown_table(header, body, right=range(1, 5)), summary
