"""The warm-up fits and the timed rounds of every method."""

import gc
import os
import statistics
import time
import warnings
from dataclasses import dataclass, field

__all__ = ["Outcome", "run_all"]


def _fit_once(method, frames, counter):
    """One fit of ``method``: the model, its wall time and its Spark jobs."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of shard fits
        with counter:
            start = time.perf_counter()
            model = method.fit(frames)
            seconds = time.perf_counter() - start
    return model, seconds, counter.jobs


def _record(outcome, model, jobs, timed, seconds, log, label):
    """Keep what one fit of ``outcome``'s method measured; log it."""
    outcome.model = model
    outcome.jobs.append(jobs)
    if timed:
        outcome.times.append(seconds)
    else:
        outcome.warm_up = seconds
    text = f"{label}  {outcome.method.name}: {seconds:.2f} s, {jobs} Spark jobs"
    if hasattr(model, "height_plan_"):
        fit = {"height": model.height_, "reason": model.height_plan_["reason"]}
        fit.update(model.fit_times_)
        outcome.fits.append((timed, fit))
        text += f", height {model.height_}"
        if outcome.method.height == "auto":
            text += f" ({fit['reason']})"
    log(text)


@dataclass
class Outcome:
    """What one method measured."""

    method: object  # a methods.Method
    times: list = field(default_factory=list)
    warm_up: float = 0.0
    jobs: list = field(default_factory=list)
    fits: list = field(default_factory=list)  # (timed, height and fit_times_)
    model: object = None
    score: float = float("nan")
    notes: list = field(default_factory=list)

    @property
    def heights(self):
        """The height of every fit, warm-up first (Radon machines)."""
        return [fit["height"] for _, fit in self.fits]

    def median_of(self, key):
        """Median of a ``fit_times_`` entry over the timed fits (else the warm-up)."""
        timed = [fit[key] for was_timed, fit in self.fits if was_timed]
        return statistics.median(timed or [fit[key] for _, fit in self.fits])

    @property
    def seconds(self):
        """Median of the timed fits (the warm-up fit if none was timed)."""
        return statistics.median(self.times) if self.times else self.warm_up


def run_all(methods, frames, counter, repeats, max_seconds, log):
    """Warm up every method, then time ``repeats`` rounds of all of them."""
    outcomes = [Outcome(method) for method in methods]
    loads = [os.getloadavg()[0]]
    for outcome in outcomes:
        model, seconds, jobs = _fit_once(outcome.method, frames, counter)
        _record(outcome, model, jobs, False, seconds, log, "warm-up")
    for round_number in range(repeats):
        for outcome in outcomes:
            if outcome.warm_up > max_seconds:
                continue
            model, seconds, jobs = _fit_once(outcome.method, frames, counter)
            _record(
                outcome, model, jobs, True, seconds, log, f"round {round_number + 1}"
            )
        loads.append(os.getloadavg()[0])
    for outcome in outcomes:
        if not outcome.times:
            outcome.notes.append(
                f"one fit only (warm-up {outcome.warm_up:.0f} s > {max_seconds:.0f} s)"
            )
    return outcomes, loads
