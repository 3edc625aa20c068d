"""The fit pipeline gives the coefficients it gave before the engine redesign."""

import pathlib
import warnings

import numpy as np
import pytest
from _reference_cases import cases, record

_STORED = np.load(pathlib.Path(__file__).with_name("reference") / "coefficients.npz")
_CASES = cases()


@pytest.mark.parametrize("name", sorted(_CASES))
def test_same_coefficients_bit_for_bit(name):
    # For a fixed random_state and an explicit height the in-memory engine
    # reproduces the recorded hypotheses, tree levels and aggregate exactly.
    machine, X, y, kwargs = _CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        machine.fit(X, y, **kwargs)
    got = record(machine)
    stored = {
        key.split("/", 1)[1]: _STORED[key]
        for key in _STORED.files
        if key.split("/", 1)[0] == name
    }
    assert sorted(got) == sorted(stored)
    for key, value in stored.items():
        np.testing.assert_array_equal(got[key], value, err_msg=f"{name}/{key}")
