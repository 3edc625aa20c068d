"""``radonlearn aggregate``: one model from models fitted at several sites.

Each site sends its fitted model as a file; the files are read, combined by
``radonlearn.aggregate`` (Radon points by default) and the aggregate is
written with ``-o``. A report says how far each site's model lies from the
aggregate, so a site whose model stands out can be looked at.

Reading a model file can run code: a joblib or pickle file is a program for
Python's unpickler, which may import and call anything, so such files are
refused unless ``--trust`` says that every site that wrote one is trusted.
A skops file (``.skops``, written by ``skops.io.dump``) is read by skops'
safe loader, which builds only types it trusts (scikit-learn's estimators,
NumPy arrays, radonlearn's Radon machines); another type in it is refused
by name unless ``--trust``.
"""

import sys
from pathlib import Path

import numpy as np

from ._cli_compare import aligned, print_wrapped
from ._cli_inputs import UserError, check_save_path

__all__ = []

# A model this many times farther from the aggregate than the median model
# is pointed out in the report.
FAR_FACTOR = 3.0
_METHODS = ("radon", "geometric_median", "median", "mean")


def _own_types():
    """The types of radonlearn that the skops loader may build, by name."""
    from ._machine import RadonMachineClassifier, RadonMachineRegressor

    return [
        f"{kind.__module__}.{kind.__qualname__}"
        for kind in (RadonMachineClassifier, RadonMachineRegressor)
    ]


def _load_skops(path, trust):
    """A model from a skops file, through skops' safe loader."""
    try:
        import skops.io as sio
    except ImportError:
        raise UserError(
            f"reading {path} needs skops: pip install skops (its loader builds "
            "only trusted types, without running code from the file)"
        ) from None
    try:
        found = sio.get_untrusted_types(file=path)
        untrusted = [name for name in found if name not in _own_types()]
        if untrusted and not trust:
            raise UserError(
                f"{path} holds types that skops does not trust: "
                f"{', '.join(untrusted)}. Building them may run their code; "
                "pass --trust if you trust the site that wrote the file"
            )
        return sio.load(path, trusted=found)
    except UserError:
        raise
    except Exception as error:
        raise UserError(
            f"cannot read {path} with skops: {type(error).__name__}: {error}"
        ) from None


def load_model(path, trust):
    """The fitted model in the file ``path``: skops safely, joblib only if ``trust``."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a directory; give the model files in it")
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    if path.suffix.lower() == ".skops":
        model = _load_skops(path, trust)
    elif not trust:
        raise UserError(
            f"{path} is read with joblib (pickle), and unpickling runs whatever "
            "code the file holds, so a file from someone else could do anything "
            "on this machine. Pass --trust if you trust every site that wrote "
            "these files, or have the sites save their models with skops "
            "(skops.io.dump(model, 'site.skops')), which is read without "
            "running code"
        )
    else:
        import joblib

        try:
            model = joblib.load(path)
        except Exception as error:
            raise UserError(
                f"cannot read {path} with joblib: {type(error).__name__}: {error}"
            ) from None
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        raise UserError(
            f"{path} holds a Pipeline. Its preprocessing was fitted at its "
            "site, so its coefficients are in that site's units and cannot be "
            "combined with another site's. Have every site apply one "
            "preprocessing fixed in advance and save only the fitted model "
            "(pipeline[-1])"
        )
    return model


def _save(model, path):
    """Write ``model`` to ``path``: skops for ``.skops``, else joblib."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".skops":
            try:
                import skops.io as sio
            except ImportError:
                raise UserError(
                    f"writing {path} needs skops: pip install skops, or give a "
                    ".joblib file"
                ) from None
            sio.dump(model, path)
        else:
            import joblib

            joblib.dump(model, path)
    except OSError as error:
        raise UserError(f"cannot save to {path}: {error}") from None


def distances_to(models, combined):
    """Each model's distance to the aggregate ``combined``, coefficient vectors.

    The vectors are the hypotheses ``aggregate`` combined (``coef_`` then
    ``intercept_`` of the model each predicts with). Returns
    ``(distances, norm)``: one distance per model, and the length of the
    aggregate's vector.
    """
    from ._hypotheses import flatten, layout_of

    layout = layout_of(combined)
    point = flatten(combined, layout)
    vectors = np.vstack([flatten(model, layout) for model in models])
    return np.linalg.norm(vectors - point, axis=1), float(np.linalg.norm(point))


def spread_lines(paths, distances, norm):
    """The report: a row per model (distance, times the median), then a summary."""
    median = float(np.median(distances))
    times = distances / median if median > 0 else np.zeros_like(distances)
    lines = [["model", "distance to the aggregate", "x median"]]
    lines += [
        [str(path), f"{distance:.4g}", f"{factor:.1f}"]
        for path, distance, factor in zip(paths, distances, times, strict=True)
    ]
    text = aligned(lines)
    for number, factor in enumerate(times, start=2):
        if factor > FAR_FACTOR:
            text[number] += "  far from the others"
    relative = f" ({100 * median / norm:.1f} % of its length {norm:.4g})"
    far = int(np.sum(distances > FAR_FACTOR * median)) if median > 0 else 0
    summary = (
        f"Spread: the median model lies {median:.4g} from the aggregate"
        f"{relative if norm > 0 else ''}; "
        + (
            f"{far} model(s) more than {FAR_FACTOR:g} times as far: look at "
            "their sites' data before trusting them"
            if far
            else f"none more than {FAR_FACTOR:g} times as far"
        )
        + "."
    )
    return text, summary


def run(args):
    """Read the models, aggregate them, report their spread, save the result."""
    from ._aggregate import aggregate

    if args.output:
        check_save_path(args.output, "-o")
    models = [load_model(path, args.trust) for path in args.models]
    combined = aggregate(models, method=args.method, random_state=args.random_state)
    distances, norm = distances_to(models, combined)
    kind = type(combined).__name__
    print(
        f"{len(models)} fitted {kind} models combined by method={args.method!r} "
        f"(random_state={args.random_state}) into one {kind}."
    )
    table, summary = spread_lines(args.models, distances, norm)
    for line in table:
        print(line)
    print_wrapped(summary, sys.stdout, "", "")
    if args.output:
        _save(combined, args.output)
        print(f"saved the aggregate ({kind}) to {args.output}")


def add_aggregate(commands):
    """The ``aggregate`` subcommand."""
    command = commands.add_parser(
        "aggregate",
        help="combine models fitted at several sites into one",
        description="Combine fitted linear models of one class (one file per "
        "site) into one model of that class, by radonlearn.aggregate, and "
        "report how far each lies from the aggregate. Files ending in .skops "
        "are read with skops' safe loader (pip install skops); other files are "
        "read with joblib, which unpickles them, and unpickling runs code from "
        "the file: they are refused unless --trust.",
    )
    command.add_argument("models", nargs="+", help="model files (.joblib, .skops)")
    command.add_argument(
        "-o",
        "--output",
        help="write the aggregate here (.skops with skops, else joblib); "
        "without it only the report is printed",
    )
    command.add_argument(
        "--method",
        choices=_METHODS,
        default="radon",
        help="how the models' coefficients are combined (radon)",
    )
    command.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the order the models are grouped in (0)",
    )
    command.add_argument(
        "--trust",
        action="store_true",
        help="read joblib/pickle files and untrusted types in skops files: only "
        "for files from sites you trust, as reading them can run their code",
    )
    command.set_defaults(run=run)
