"""Sphinx configuration of the radonlearn documentation.

Build (offline, warnings are errors):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Folders written by the build (not to be committed): ``docs/_build``,
``docs/api`` (the API pages, generated from ``radonlearn.__all__``) and
``docs/auto_examples`` (the gallery, run from ``docs/examples``).
"""

import inspect
import os
import re
import sys
from pathlib import Path

import radonlearn

HERE = Path(__file__).resolve().parent
# docs/_ext: the study-table directive, tables of benchmarks/results/*.json.
sys.path.insert(0, str(HERE / "_ext"))

# -- Project -----------------------------------------------------------------

project = "radonlearn"
author = "radonlearn developers"
copyright = "radonlearn developers"
release = radonlearn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # Copies the MathJax 3 it ships into _static/mathjax of the built site, so
    # that maths renders without the network (the module name has hyphens).
    "sphinx-mathjax-offline",
    "sphinx.ext.graphviz",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "study_tables",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "examples",  # the gallery's sources; sphinx-gallery renders them
    "figures",  # scripts that draw figures at build time (plot directive)
    "Thumbs.db",
    ".DS_Store",
]

# No intersphinx: the build must not reach the network, so references to
# numpy or scikit-learn objects are left as plain text.
default_role = "literal"

# -- Maths, diagrams and figures, all made offline -----------------------------

# MathJax from the built site itself (sphinx-mathjax-offline copies it there),
# never from a CDN; docs/check_site.py fails the build check if a page loads
# any script from outside the site.
mathjax_path = "mathjax/tex-chtml.js"

# Diagrams (docs/architecture.rst) are drawn by Graphviz's dot at build time,
# as SVG in the page.
graphviz_output_format = "svg"
graphviz_dot_args = [
    "-Gfontname=DejaVu Sans",
    "-Nfontname=DejaVu Sans",
    "-Efontname=DejaVu Sans",
]

# Figures of benchmark results, drawn by docs/figures/*.py at build time.
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 150)]
plot_rcparams = {"font.family": "DejaVu Sans"}
plot_apply_rcparams = True

# -- API pages: generated from radonlearn.__all__ ----------------------------
#
# docs/api/index.rst is written here, at configuration time, before
# autosummary scans the sources for names to document: every name of
# radonlearn.__all__ gets a stub page, classes and functions in two tables.
# A name added to __all__ appears on the next build without edits here.

API_DIR = HERE / "api"


def _write_api_index():
    """Write docs/api/index.rst from the template and ``radonlearn.__all__``."""
    classes, functions = [], []
    for name in radonlearn.__all__:
        obj = getattr(radonlearn, name)
        (classes if inspect.isclass(obj) else functions).append(name)

    def table(names):
        if not names:
            return "(none)"
        lines = [
            ".. autosummary::",
            "   :toctree: .",
            "   :nosignatures:",
            "",
        ]
        lines += [f"   {name}" for name in names]
        return "\n".join(lines)

    template = (HERE / "_templates" / "api_index.rst.in").read_text(encoding="utf-8")
    text = template.replace("@CLASSES@", table(classes)).replace(
        "@FUNCTIONS@", table(functions)
    )
    API_DIR.mkdir(exist_ok=True)
    target = API_DIR / "index.rst"
    # Rewrite only on change, so an unchanged API does not trigger a rebuild.
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


_write_api_index()

autosummary_generate = True
autodoc_default_options = {"members": False}
autoclass_content = "class"
autodoc_typehints = "none"

# numpydoc renders the docstrings; autosummary's member tables are left out
# (they would need a stub page for every inherited method).
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- Gallery -----------------------------------------------------------------

os.environ.setdefault("MPLBACKEND", "Agg")

# The examples run inside this process. One BLAS/OpenMP thread per process is
# what the Radon machine gives its own workers; it also keeps the timings
# printed in the examples sane on a busy machine, where two BLAS threads
# competing with other jobs for two cores can make small fits many times
# slower.
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1)

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("radonlearn",),
    "backreferences_dir": "api/backreferences",
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "abort_on_example_error": True,
    "min_reported_time": 1,
    # No sg_execution_times.rst pages (one would be written into docs/).
    "write_computation_times": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"radonlearn {release}"
html_static_path = ["_static"]
html_css_files = ["radonlearn.css"]
html_show_sourcelink = False
# In the page's table of contents, a method is "fit()", not
# "RadonMachineClassifier.fit()", so the names fit the right-hand column.
toc_object_entries_show_parents = "hide"
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# Pages without sub-pages get no left sidebar (it would be an empty "Section
# Navigation"); the user guide and scaling-out sections list their pages.
html_sidebars = {
    "index": [],
    "getting_started": [],
    "install": [],
    "benchmarks": [],
    "architecture": [],
    "glossary": [],
    "release_notes": [],
}

# -- MyST (docs/benchmarks.md) -------------------------------------------------

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3


# -- Docstring rendering fixes -------------------------------------------------

# numpydoc copies a parameter's or attribute's type into the page as
# reStructuredText, where a name ending in an underscore, such as
# "ndarray of shape (n_shards_, D)", is a hyperlink reference to a target
# that does not exist (a docutils error). Escape such trailing underscores in
# the type part of numpydoc's parameter lines (after numpydoc has run).
_PARAM_LINE = re.compile(r"^(\s*\*\*[^*]+\*\* : )(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])_(?=[\s,;:.)\]]|$)")


def _escape_type_underscores(app, what, name, obj, options, lines):
    for number, line in enumerate(lines):
        match = _PARAM_LINE.match(line)
        if match and "`" not in match.group(2):
            kind = _TRAILING_UNDERSCORE.sub(r"\\_", match.group(2))
            lines[number] = match.group(1) + kind


# Methods inherited from scikit-learn (score, get_params, ...) keep their
# docstrings, which refer to labels and glossary terms of scikit-learn's own
# documentation. Without intersphinx (the build is offline) those cannot be
# resolved: show their text without a link instead of failing the build.
# References written in radonlearn's own docstrings and pages still warn.
def _unlink_sklearn_references(app, env, node, contnode):
    source = node.source or ""
    if "docstring of sklearn." in source and node.get("reftype") in {"ref", "term"}:
        return contnode
    return None


# scikit-learn adds set_<method>_request methods for metadata routing to every
# estimator; they are documented by scikit-learn, not repeated here.
_ROUTING_SETTER = re.compile(r"^set_\w+_request$")


def _skip_routing_setters(app, what, name, obj, skip, options):
    if what == "class" and _ROUTING_SETTER.match(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _escape_type_underscores, priority=900)
    app.connect("autodoc-skip-member", _skip_routing_setters)
    app.connect("missing-reference", _unlink_sklearn_references)
