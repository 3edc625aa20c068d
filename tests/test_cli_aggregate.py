"""``radonlearn aggregate``: model files of several sites in, one model out."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from radonlearn import RadonMachineRegressor, aggregate
from radonlearn._cli import main
from radonlearn._cli_aggregate import FAR_FACTOR, load_model
from radonlearn._cli_inputs import UserError


class SiteRidge(Ridge):
    """A Ridge subclass: a type that skops does not trust."""


def site_models(n_sites=9, bad=(), kind=Ridge):
    """Models fitted on ``n_sites`` disjoint sites; the ``bad`` ones on y x 1000."""
    X, y = make_regression(n_samples=1800, n_features=3, noise=5.0, random_state=0)
    models = []
    for site in range(n_sites):
        target = y[site::n_sites] * (1000.0 if site in bad else 1.0)
        models.append(kind().fit(X[site::n_sites], target))
    return models


def written(models, folder, suffix=".joblib"):
    """The models written to ``folder/site<i><suffix>``; their paths as text."""
    paths = []
    for number, model in enumerate(models):
        path = folder / f"site{number}{suffix}"
        if suffix == ".skops":
            import skops.io as sio

            sio.dump(model, path)
        else:
            joblib.dump(model, path)
        paths.append(str(path))
    return paths


def run_main(capsys, *args):
    """``radonlearn ARGS`` in this process: exit code, stdout, stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_joblib_files_are_refused_without_trust(tmp_path, capsys, monkeypatch):
    # A joblib file is not unpickled unless --trust: exit 2 with why (it
    # runs code) and what to do instead, and joblib.load is never called.
    paths = written(site_models(), tmp_path)

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickled without --trust")

    monkeypatch.setattr(joblib, "load", forbidden)
    code, out, err = run_main(capsys, "aggregate", *paths, "-o", str(tmp_path / "o"))
    assert code == 2 and not out
    assert "unpickling runs whatever code the file holds" in err
    assert "--trust" in err and "skops" in err
    assert not (tmp_path / "o").exists()


def test_trusted_joblib_files_give_the_aggregate_and_its_spread(tmp_path, capsys):
    # With --trust the written model is aggregate() of the sites' models
    # (same method and seed), and the report lists every file with its
    # distance to the aggregate, pointing out the site whose target was in
    # the wrong unit.
    models = site_models(bad=(4,))
    paths = written(models, tmp_path)
    output = tmp_path / "model.joblib"
    code, out, err = run_main(capsys, "aggregate", *paths, "-o", str(output), "--trust")
    assert code == 0, err
    combined = joblib.load(output)
    expected = aggregate(models, random_state=0)
    assert type(combined) is Ridge
    np.testing.assert_allclose(combined.coef_, expected.coef_)
    assert "9 fitted Ridge models combined by method='radon'" in out
    lines = out.splitlines()
    for path in paths:
        assert sum(line.startswith(path + " ") for line in lines) == 1
    far = [line for line in lines if line.endswith("far from the others")]
    assert len(far) == 1 and far[0].startswith(paths[4] + " ")
    assert (
        "1 model(s) more than" in out
        and f"saved the aggregate (Ridge) to {output}" in out
    )


def test_method_and_report_without_output(tmp_path, capsys):
    # --method chooses the combination; without -o only the report is
    # printed and nothing is written.
    models = site_models(n_sites=4)
    paths = written(models, tmp_path)
    code, out, err = run_main(
        capsys, "aggregate", *paths, "--method", "geometric_median", "--trust"
    )
    assert code == 0, err
    assert "method='geometric_median'" in out and "saved" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"site{i}.joblib" for i in range(4)
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: site_models(n_sites=3), "needs at least r = D + 2 = 6 models"),
        (
            lambda: [*site_models(n_sites=8), LogisticRegression().fit(*_classes())],
            "models of one class",
        ),
    ],
)
def test_aggregates_own_errors_are_one_line(make, message, tmp_path, capsys):
    # What aggregate() refuses is one line on stderr and exit 2.
    paths = written(make(), tmp_path)
    code, _, err = run_main(capsys, "aggregate", *paths, "--trust")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def _classes():
    """A small classification problem with 3 features."""
    return make_classification(
        n_samples=200, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )


def test_pipelines_are_refused_with_why(tmp_path):
    # A site's Pipeline carries preprocessing fitted on that site's data;
    # its coefficients are in that site's units and are refused.
    X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    path = tmp_path / "site.joblib"
    joblib.dump(make_pipeline(StandardScaler(), Ridge()).fit(X, y), path)
    with pytest.raises(UserError, match=r"holds a Pipeline.*pipeline\[-1\]"):
        load_model(path, trust=True)


def test_skops_files_are_read_safely(tmp_path, capsys):
    # skops files are read by skops' safe loader without --trust, Radon
    # machines included, and the aggregate is written as skops for a .skops
    # output; a type skops does not trust is refused by name unless --trust.
    sio = pytest.importorskip("skops.io")
    X, y = make_regression(n_samples=3000, n_features=2, noise=5.0, random_state=0)
    machines = [
        RadonMachineRegressor(Ridge(), height=1, random_state=site).fit(
            X[site::6], y[site::6]
        )
        for site in range(6)
    ]
    paths = written(machines, tmp_path, ".skops")
    output = tmp_path / "model.skops"
    code, _, err = run_main(capsys, "aggregate", *paths, "-o", str(output))
    assert code == 0, err
    combined = sio.load(output, trusted=sio.get_untrusted_types(file=output))
    assert isinstance(combined, RadonMachineRegressor)
    np.testing.assert_allclose(
        combined.coef_, aggregate(machines, random_state=0).coef_
    )
    folder = tmp_path / "odd"
    folder.mkdir()
    odd = written(site_models(kind=SiteRidge), folder, ".skops")
    code, _, err = run_main(capsys, "aggregate", *odd)
    assert code == 2 and "SiteRidge" in err and "--trust" in err
    code, _, err = run_main(capsys, "aggregate", *odd, "--trust")
    assert code == 0, err


def test_far_factor_is_what_the_report_says(tmp_path, capsys):
    # The threshold the report names is the one it applies.
    paths = written(site_models(bad=(0, 1)), tmp_path)
    code, out, _ = run_main(capsys, "aggregate", *paths, "--trust")
    assert code == 0
    assert f"more than {FAR_FACTOR:g} times as far" in out
    far = [line for line in out.splitlines() if line.endswith("far from the others")]
    assert {line.split()[0] for line in far} == set(paths[:2])
