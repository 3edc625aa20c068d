"""The public names: complete, sorted, and all in the API reference."""

import inspect
from pathlib import Path

import radonlearn

CONTRACT = {
    "RadonMachineClassifier",
    "RadonMachineRegressor",
    "radon_point",
    "iterated_radon_point",
    "geometric_median",
    "aggregate",
}


def test_every_public_name_is_in_all():
    # A public class or function of the package missing from __all__ (and so
    # from the API reference, which is generated from __all__) fails here.
    public = {
        name
        for name, value in vars(radonlearn).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__.startswith("radonlearn")
    }
    assert public <= set(radonlearn.__all__)
    assert CONTRACT <= set(radonlearn.__all__)
    assert radonlearn.__all__ == sorted(radonlearn.__all__)
    for name in radonlearn.__all__:
        assert getattr(radonlearn, name).__doc__


def test_api_reference_is_generated_from_all():
    # The Sphinx configuration builds the API page from radonlearn.__all__.
    conf = Path(__file__).parents[1] / "docs" / "conf.py"
    if conf.exists():
        assert "__all__" in conf.read_text()
