"""The package keeps its shape: one direction of imports, small pieces."""

import ast
import pathlib
import subprocess
import sys

import pytest

import radonlearn

_PACKAGE = pathlib.Path(radonlearn.__file__).parent
# Limits of the engine redesign: lines of code (no docstrings, comments or
# blank lines) per module and per function.
_MODULE_LINES = 450
_FUNCTION_LINES = 80


def _module_name(path):
    parts = path.relative_to(_PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(path): path for path in _PACKAGE.rglob("*.py")}


def _imports(name, path):
    """Every package module ``name`` imports, at any depth of its code."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    modules = _modules()
    return {module for module in found if module in modules and module != name}


def _graph():
    return {name: _imports(name, path) for name, path in _modules().items()}


def _code_lines(node, source_lines):
    """Lines of ``node`` holding code: no docstrings, comments or blank lines."""
    docstrings = set()
    for child in ast.walk(node):
        if isinstance(
            child, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            body = child.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    start = getattr(node, "lineno", 1)
    end = getattr(node, "end_lineno", len(source_lines))
    return sum(
        1
        for number in range(start, end + 1)
        if number not in docstrings
        and source_lines[number - 1].strip()
        and not source_lines[number - 1].strip().startswith("#")
    )


def test_no_import_cycle():
    # The package's modules import one another in one direction only: a walk
    # of every import statement (lazy ones inside functions too) finds no cycle.
    graph = _graph()
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                pytest.fail("import cycle: " + " -> ".join([*path, target]))
            if target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_engines_never_import_the_estimators():
    # Engines receive data and a spec and return results; they never reach
    # back into the estimator module, directly or through another module.
    graph = _graph()
    engines = [name for name in graph if name.startswith("radonlearn._engines")]
    assert {"radonlearn._engines._local", "radonlearn._engines._dask"} <= set(engines)

    def reachable(name, seen):
        for target in graph[name]:
            if target not in seen:
                seen.add(target)
                reachable(target, seen)
        return seen

    for engine in engines:
        assert "radonlearn._machine" not in reachable(engine, set()), engine


def test_importing_radonlearn_imports_no_optional_engine():
    # import radonlearn loads neither Dask nor Spark: they come with their input.
    code = (
        "import sys, radonlearn; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'dask', 'distributed', 'pyspark'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("name", sorted(_modules()))
def test_modules_and_functions_stay_small(name):
    # No module over about 450 lines of code, no function over about 80.
    path = _modules()[name]
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    assert _code_lines(tree, lines) <= _MODULE_LINES
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = _code_lines(node, lines)
            assert size <= _FUNCTION_LINES, f"{name}.{node.name}: {size} lines"
