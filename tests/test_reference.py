"""The fit pipeline reproduces its recorded fits on any CPU.

Exact where the answer is exact (the height, the shard count, which rows
and which seed each shard got, the tree's shape); within a tolerance chosen
per case where it is floating point (see ``_reference_cases``), because
OpenBLAS picks its kernels by CPU and rounds differently on each.
"""

import pathlib
import warnings

import numpy as np
import pytest
from _reference_cases import (
    FLAT,
    WELL_SPREAD,
    cases,
    layout_record,
    record,
    signature_case,
)
from sklearn.base import clone

_FOLDER = pathlib.Path(__file__).with_name("reference")
_COEFFICIENTS = np.load(_FOLDER / "coefficients.npz")
_LAYOUTS = np.load(_FOLDER / "layouts.npz")
_CASES = cases()
_FITTED = {}


def _stored(archive, name):
    return {
        key.split("/", 1)[1]: archive[key]
        for key in archive.files
        if key.split("/", 1)[0] == name
    }


def _fitted(name):
    """The case's machine, fitted once per test session."""
    if name not in _FITTED:
        case = _CASES[name]
        machine = clone(case.machine)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            machine.fit(case.X, case.y, **case.fit_params)
        _FITTED[name] = machine
    return _FITTED[name]


def _assert_rows_close(got, want, rtol, what):
    """Each row within ``rtol`` of its recorded row's largest magnitude."""
    got, want = np.atleast_2d(got), np.atleast_2d(want)
    assert got.shape == want.shape, what
    scale = np.abs(want).max(axis=1, keepdims=True)
    worst = (np.abs(got - want) / np.where(scale > 0, scale, 1.0)).max()
    assert worst <= rtol, f"{what}: relative difference {worst:.2e} > {rtol:.0e}"


def _spread(points, flat=0.0):
    """Smallest over largest singular value of the centred points, leaving
    out those below ``flat`` times the largest (directions not spanned)."""
    values = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    values = values[values > flat * values[0]]
    return values[-1] / values[0]


def _groups(level, size):
    return level.reshape(-1, size, level.shape[1])


@pytest.mark.parametrize("name", sorted(_CASES))
def test_layout_is_exact(name):
    # Height, shard count, Radon number, the tree's shape, and every shard's
    # rows and seed (named by the signature model's integer coefficients)
    # are the recorded ones, bit for bit.
    case = _CASES[name]
    machine, X = signature_case(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        machine.fit(X, case.y, **case.fit_params)
    got = layout_record(machine)
    stored = _stored(_LAYOUTS, name)
    assert sorted(got) == sorted(stored)
    for key, value in stored.items():
        np.testing.assert_array_equal(got[key], value, err_msg=f"{name}/{key}")
    # The learner itself gets the same plan as its signature stand-in.
    real = _fitted(name)
    assert (real.height_, real.n_shards_, real.radon_number_) == (
        machine.height_,
        machine.n_shards_,
        machine.radon_number_,
    )
    assert [len(level) for level in real.aggregation_levels_] == list(
        stored["level_rows"]
    )


@pytest.mark.parametrize("name", sorted(_CASES))
def test_shard_models_match_the_record(name):
    # Every shard model is the recorded one within its solver's tolerance.
    case = _CASES[name]
    got = _fitted(name).hypotheses_
    _assert_rows_close(
        got, _COEFFICIENTS[f"{name}/hypotheses"], case.shard_rtol, name
    )


@pytest.mark.parametrize("name", sorted(_CASES))
def test_aggregate_matches_the_record(name):
    # Every level of the tree and the published coefficients are the
    # recorded ones within the case's tolerance: the groups are well spread
    # in the directions they span, so their Radon points move with them.
    case = _CASES[name]
    machine = _fitted(name)
    levels = machine.aggregation_levels_
    if machine.n_shards_ > 1:
        assert (_spread(levels[0]) < FLAT) == case.flat, name
    if case.machine.aggregation == "radon" and case.machine.block_size is None:
        for level in levels[:-1]:
            for group in _groups(level, machine.radon_number_):
                assert _spread(group, FLAT) >= WELL_SPREAD, name
    got, stored = record(machine), _stored(_COEFFICIENTS, name)
    assert sorted(got) == sorted(stored)
    for key in sorted(stored):
        if key != "hypotheses":
            _assert_rows_close(
                got[key], stored[key], case.aggregate_rtol, f"{name}/{key}"
            )
