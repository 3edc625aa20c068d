"""The demo's second part: a few bad sites, Radon points against averaging.

The training rows are split into contiguous blocks, one per "site" (the rows
are in random order, so every site is a random shard; as many sites as the
Radon machine has shards), one model is fitted per site, and the site models are
combined by ``radonlearn.aggregate`` with Radon points and with their mean:
first as they are, then after a few sites recorded the target in the wrong
unit, as a site of multi-site data may. Only the public API is used.
"""

import sys
from dataclasses import dataclass

import numpy as np

from ._cli_compare import aligned, print_wrapped, scores_of, seeded_clone
from ._cli_progress import FitProgress, progress_mode

__all__ = []

# Share of the sites whose labels are corrupted (at least one site).
_BAD_SHARE = 0.025
# The corruption: the target in the wrong unit (grams for kilograms).
_WRONG_UNIT = 1000.0


@dataclass(frozen=True)
class SitesRow:
    """The test scores of Radon points and of averaging over one set of sites."""

    sites: str
    radon: list
    mean: list


def site_blocks(n_rows, n_sites):
    """Row numbers of each site: ``n_sites`` contiguous blocks of near-equal size."""
    return np.array_split(np.arange(n_rows), n_sites)


def bad_sites(n_sites, random_state):
    """The sites to corrupt: a few (``_BAD_SHARE``, at least one), at random."""
    n_bad = max(1, round(n_sites * _BAD_SHARE))
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_sites, size=n_bad, replace=False))


def _fit_sites(estimator, X, y, blocks, numbers, args):
    """One model per site ``numbers`` (rows ``blocks``), fitted in threads."""
    from joblib import Parallel, delayed

    def fit(number):
        rows = blocks[number]
        seed = (args.random_state + int(number)) % 2**32
        return seeded_clone(estimator, seed).fit(X[rows], y[rows])

    return Parallel(n_jobs=args.n_jobs, prefer="threads")(
        delayed(fit)(number) for number in numbers
    )


def run_sites(estimator, X_train, y_train, X_test, y_test, n_sites, args):
    """Scores of Radon points and averaging, clean and with a few bad sites.

    The clean site models are fitted once; the bad sites are refitted on
    their corrupted labels and replace theirs. Returns two ``SitesRow``.
    """
    from ._aggregate import aggregate

    blocks = site_blocks(len(y_train), n_sites)
    bad = bad_sites(n_sites, args.random_state)
    corrupted_y = np.array(y_train, dtype=np.float64)
    for number in bad:
        corrupted_y[blocks[number]] *= _WRONG_UNIT
    name = type(estimator).__name__
    stream = sys.stderr
    with FitProgress(progress_mode(args.quiet, stream), 2, stream) as progress:
        with progress.step("sites", f"{name} on each of {n_sites:,} sites"):
            clean = _fit_sites(
                estimator, X_train, y_train, blocks, range(n_sites), args
            )
        what = f"{name} on {len(bad)} site{'s' * (len(bad) > 1)} with corrupted labels"
        with progress.step("bad sites", what):
            refitted = _fit_sites(estimator, X_train, corrupted_y, blocks, bad, args)
    corrupted = list(clean)
    for number, model in zip(bad, refitted, strict=True):
        corrupted[number] = model

    def scores(models):
        combined = [
            aggregate(models, method="radon", random_state=args.random_state),
            aggregate(models, method="mean"),
        ]
        return [scores_of("regression", model, X_test, y_test) for model in combined]

    return [
        SitesRow(f"{n_sites:,} clean", *scores(clean)),
        SitesRow(f"{len(bad)} of {n_sites:,} corrupted", *scores(corrupted)),
    ]


def describe_sites(n_train, n_sites, name, plan, args, out=None):
    """What the second part does, in a few sentences; ``plan`` names the sites' plan."""
    out = sys.stdout if out is None else out
    n_bad = len(bad_sites(n_sites, args.random_state))
    bad = "one site records" if n_bad == 1 else f"{n_bad} sites record"
    print_wrapped(
        f"A few bad sites: the {n_train:,} training rows as {n_sites:,} sites of "
        f"about {n_train // n_sites:,} rows ({plan}), one {name} per site, "
        "combined by radonlearn.aggregate with Radon points and by averaging; "
        f"then {bad} the target in the wrong unit (x{_WRONG_UNIT:g}; sites "
        "drawn at random), as a site of multi-site data may.",
        out,
        "",
        "",
    )


def print_sites(rows, out=None):
    """The scores of Radon points and averaging side by side, per set of sites."""
    out = sys.stdout if out is None else out
    names = [name for name, _ in rows[0].radon]
    header = ["sites"]
    for name in names:
        header += [f"Radon {name}", f"averaging {name}"]
    lines = [header]
    for row in rows:
        line = [row.sites]
        for (_, radon), (_, mean) in zip(row.radon, row.mean, strict=True):
            line += [f"{radon:.4f}", f"{mean:.4f}"]
        lines.append(line)
    for text in aligned(lines):
        print(text, file=out)
