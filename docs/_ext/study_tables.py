"""Sphinx directive ``study-table``: a table of a study's result, read at build time.

Usage in a page::

    .. study-table:: aggregation clean

reads ``benchmarks/results/aggregation.json`` (written by
``benchmarks/studies/aggregation.py``) and renders its table ``clean`` as a
list table. The tables of each study are the functions of ``TABLES``; each
returns a header row and body rows of reStructuredText cells. The page is
rebuilt when the JSON file changes. Nothing here writes into ``docs/``.
"""

import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"

NAMES = {
    "radon": "``radon``",
    "mean": "``mean``",
    "median": "``median``",
    "geometric_median": "``geometric_median``",
    "radon_gm5": "variant: geometric median of 5 Radon trees",
}


def _share(k, models):
    """``k`` models with their share of all, e.g. ``1,500 (16.2 %)``."""
    if k is None:
        return "none broke"
    return f"{k:,} ({100 * k / models:.1f} %)"


def _breakdown(result):
    """Per method: the k of the first broken trial and of half broken, per attack."""
    figures = result["figures"]
    models = figures["setup"]["models"]
    attacks = figures["collusion"]
    header = ["method"]
    for attack in attacks:
        header += [f"{attack}: first broken k", f"{attack}: half broken k"]
    rows = []
    for method in NAMES:
        row = [NAMES[method]]
        for attack in attacks.values():
            row += [
                _share(attack[method]["first_broken_k"], models),
                _share(attack[method]["half_broken_k"], models),
            ]
        rows.append(row)
    return header, rows


def _independent(result):
    """Per method: the failure probability at which half the trials broke."""
    kinds = result["figures"]["independent"]
    header = ["method"]
    for kind in kinds:
        header += [f"{kind}: first broken delta", f"{kind}: half broken delta"]
    rows = []
    for method in NAMES:
        row = [NAMES[method]]
        for kind in kinds.values():
            for key, missing in (
                ("first_broken_delta", "none broke"),
                ("half_broken_delta", "never half"),
            ):
                value = kind[method][key]
                row.append(missing if value is None else f"{value:g}")
        rows.append(row)
    return header, rows


def _clean(result):
    """Per method: clean test ROC AUC, accuracy and aggregation time."""
    header = ["method", "test ROC AUC", "test accuracy", "aggregation time"]
    rows = []
    for method, clean in result["figures"]["clean"].items():
        seconds = clean["seconds"]["median"]
        time = f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
        rows.append(
            [NAMES[method], f"{clean['auc']:.4f}", f"{clean['accuracy']:.4f}", time]
        )
    return header, rows


def _facts(result):
    """Where and when the result was measured, and the command that made it."""
    machine = result["machine"]
    blas = ", ".join(
        f"{library['internal_api']} {library['version']} "
        f"({library['num_threads']} threads)"
        for library in machine["blas"]
    )
    commit = result["commit"] or "unknown"
    if result.get("dirty"):
        commit += " (with uncommitted changes in the work tree)"
    rows = [
        ["command", f"``{result['command']}``"],
        ["commit", f"``{commit}``"],
        ["date", result["date"]],
        ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
        ["memory", f"{machine['memory_gib']} GiB"],
        [
            "software",
            f"Python {machine['python']}, NumPy {machine['numpy']}, "
            f"scikit-learn {machine['scikit_learn']}, "
            f"radonlearn {machine['radonlearn']}",
        ],
        ["BLAS", blas or "not found"],
    ]
    return ["fact", "value"], rows


TABLES = {
    "aggregation": {
        "breakdown": _breakdown,
        "independent": _independent,
        "clean": _clean,
        "facts": _facts,
    },
}


class StudyTable(SphinxDirective):
    """``.. study-table:: <study> <table>``: a list table from the study's JSON."""

    required_arguments = 2

    def run(self):
        """Parse the table's reStructuredText into nodes."""
        study, table = self.arguments
        path = RESULTS / f"{study}.json"
        self.env.note_dependency(str(path))
        result = json.loads(path.read_text(encoding="utf-8"))
        header, rows = TABLES[study][table](result)
        lines = [".. list-table::", "   :header-rows: 1", ""]
        for row in [header, *rows]:
            lines.append(f"   * - {row[0]}")
            lines += [f"     - {cell}" for cell in row[1:]]
        container = nodes.container()
        self.state.nested_parse(
            StringList(lines, source=str(path)), self.content_offset, container
        )
        return container.children


def setup(app):
    """Register the directive; the extension is safe for parallel reads."""
    app.add_directive("study-table", StudyTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
