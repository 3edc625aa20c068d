"""Print pip requirement lines pinning radonlearn's runtime dependencies (and
the ``cli`` extra's) at exactly the floors pyproject.toml declares.

The floors are written once, in pyproject.toml; CI installs this output into a
fresh environment and runs the test suite there (``name>=X`` becomes
``name==X``; an upper bound beside the floor is left out). A dependency
without a single ``>=`` floor is an error: the floors job would not know what
to test. With ``--test-tools`` it prints the test extra's requirements of the
test runners instead, unpinned (they are not runtime dependencies), and none
of that extra's engines (Dask, Spark).

Usage (Python >= 3.11, for ``tomllib``)::

    python .ci/floor_pins.py [--test-tools] [PATH_TO_PYPROJECT]
"""

import re
import sys
import tomllib
from pathlib import Path

# The extras whose dependencies are pinned besides the runtime ones.
EXTRAS = ("cli",)
# The test extra's runners, installed as that extra allows.
TEST_TOOLS = ("pytest", "hypothesis")

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?"
    r"\s*(?P<specifiers>[^;]*?)\s*(?P<marker>;.*)?$"
)


def _name(requirement):
    """The normalised project name a requirement line starts with."""
    return re.sub(r"[-_.]+", "-", _REQUIREMENT.match(requirement)["name"]).lower()


def floor_pin(requirement):
    """``name>=X`` (other bounds allowed beside it) -> ``name==X``, extras and
    marker kept."""
    match = _REQUIREMENT.match(requirement)
    floors = [
        specifier.strip()[2:].strip()
        for specifier in (match["specifiers"] or "").split(",")
        if specifier.strip().startswith(">=")
    ]
    if len(floors) != 1 or not floors[0]:
        raise SystemExit(
            f"floor_pins: cannot read a single '>=' floor in {requirement!r}; "
            "write the dependency as 'name>=X' in pyproject.toml"
        )
    pin = f"{match['name']}{match['extras'] or ''}=={floors[0]}"
    if match["marker"]:
        pin += f" {match['marker']}"
    return pin


def floor_pins(project):
    """The pins of the runtime dependencies and of ``EXTRAS``, one per project."""
    pins = {}
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"][extra]
    for requirement in requirements:
        pin = floor_pin(requirement)
        name = _name(requirement)
        if pins.setdefault(name, pin) != pin:
            raise SystemExit(f"floor_pins: two floors for {name}: {pins[name]}, {pin}")
    return list(pins.values())


def runner_requirements(project):
    """The test extra's requirements of ``TEST_TOOLS``, as written there."""
    found = [
        requirement
        for requirement in project["optional-dependencies"]["test"]
        if _name(requirement) in TEST_TOOLS
    ]
    if sorted(map(_name, found)) != sorted(TEST_TOOLS):
        raise SystemExit(
            f"floor_pins: the test extra should name {', '.join(TEST_TOOLS)}; "
            f"found {found}"
        )
    return found


def main(argv):
    tools = "--test-tools" in argv[1:]
    paths = [arg for arg in argv[1:] if arg != "--test-tools"]
    path = Path(paths[0]) if paths else Path(__file__).parents[1] / "pyproject.toml"
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    print("\n".join(runner_requirements(project) if tools else floor_pins(project)))


if __name__ == "__main__":
    main(sys.argv)
