"""The Dask path: shard plans of chunks, fits on a real local cluster."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    QuantileRegressor,
    Ridge,
)

import radonlearn._engines._dask as rdask
import radonlearn._engines._dask_data as rdask_data
import radonlearn._shards as rshards
from radonlearn import RadonMachineClassifier, RadonMachineRegressor

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes on loopback, shared by the tests of this module."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    ) as local:
        yield local


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster) as connected:
        connected.wait_for_workers(2, timeout=60)
        yield connected


def _classification(n=24_000, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (X @ rng.standard_normal(p) + rng.logistic(size=n) > 0).astype(int)
    return X, y


# ---------------------------------------------------------------------------
# The plan (pure numpy)
# ---------------------------------------------------------------------------


@given(
    sizes=st.lists(st.integers(0, 400), min_size=1, max_size=30).filter(
        lambda s: sum(s) >= 1
    ),
    n_shards=st.integers(1, 60),
    seed=st.integers(0, 2**31),
)
def test_plan_partitions_rows_with_linear_piece_count(sizes, n_shards, seed):
    n_rows = sum(sizes)
    n_shards = min(n_shards, n_rows)
    pieces, split = rdask.plan_chunk_shards(
        sizes, n_shards, np.random.default_rng(seed)
    )
    rows = rdask.plan_rows(pieces, split, np.asarray(sizes))
    # Every row in exactly one shard, shard sizes floor or ceil of n / S.
    assert np.array_equal(np.sort(np.concatenate(rows)), np.arange(n_rows))
    lengths = {len(r) for r in rows}
    assert lengths <= {n_rows // n_shards, -(-n_rows // n_shards)}
    # Slices grow with shards plus chunks, never with their product.
    assert sum(len(p) for p in pieces) <= n_shards + len(sizes) - 1
    # Only a chunk that feeds two or more shards is split.
    feeding = {}
    for number, shard in enumerate(pieces):
        for chunk, lo, hi in shard:
            assert 0 <= lo < hi <= sizes[chunk]
            feeding.setdefault(chunk, set()).add(number)
    assert set(split) == {c for c, shards in feeding.items() if len(shards) > 1}


def test_plan_depends_only_on_the_generator():
    sizes = [100, 250, 75, 300]
    first = rdask.plan_chunk_shards(sizes, 7, np.random.default_rng(3))
    again = rdask.plan_chunk_shards(sizes, 7, np.random.default_rng(3))
    other = rdask.plan_chunk_shards(sizes, 7, np.random.default_rng(4))
    assert first == again
    assert first != other


# ---------------------------------------------------------------------------
# Distributed fit against in-memory fit
# ---------------------------------------------------------------------------


def _same_plan_in_memory(monkeypatch, machine, X, y, dask_fit, **fit_kwargs):
    """Fit ``machine`` in memory on the shard plan the Dask fit used."""
    plans = []
    original = rdask.plan_chunk_shards

    def recording(sizes, n_shards, rng):
        plan = original(sizes, n_shards, rng)
        plans.append((np.asarray(sizes), n_shards, plan))
        return plan

    monkeypatch.setattr(rdask, "plan_chunk_shards", recording)
    dask_fit()
    sizes, _, (pieces, split) = next(
        item for item in reversed(plans) if item[1] == dask_fit.n_shards
    )
    rows = rdask.plan_rows(pieces, split, sizes)
    monkeypatch.setattr(rshards.ShardPlanner, "shards", lambda self, height: rows)
    return machine.fit(X, y, **fit_kwargs)


@pytest.mark.parametrize("height", [1, 2])
def test_distributed_fit_equals_in_memory_fit(client, monkeypatch, height):
    X, y = _classification(n=30_000, p=3)
    Xd = da.from_array(X, chunks=3_100)
    yd = da.from_array(y, chunks=3_100)
    distributed_machine = RadonMachineClassifier(
        LogisticRegression(), height=height, random_state=7
    )

    def dask_fit():
        distributed_machine.fit(Xd, yd)

    dask_fit.n_shards = 6**height
    local = _same_plan_in_memory(
        monkeypatch,
        RadonMachineClassifier(LogisticRegression(), height=height, random_state=7),
        X,
        y,
        dask_fit,
    )
    assert distributed_machine.n_shards_ == local.n_shards_ == 6**height
    np.testing.assert_allclose(
        distributed_machine.hypotheses_, local.hypotheses_, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        distributed_machine.coef_, local.coef_, rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(distributed_machine.intercept_, local.intercept_)
    assert distributed_machine.fit_times_["n_workers"] == 2
    assert len(distributed_machine.aggregation_levels_) == height + 1


@pytest.mark.parametrize("aggregation", ["mean", "geometric_median"])
def test_distributed_regression_with_weights_equals_in_memory(
    client, monkeypatch, aggregation
):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((9_000, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(9_000)
    weights = rng.uniform(0.5, 2.0, size=9_000)
    distributed_machine = RadonMachineRegressor(
        Ridge(), height=1, aggregation=aggregation, random_state=0
    )

    def dask_fit():
        distributed_machine.fit(
            da.from_array(X, chunks=2_000),
            da.from_array(y, chunks=2_000),
            sample_weight=da.from_array(weights, chunks=2_000),
        )

    dask_fit.n_shards = 6
    local = _same_plan_in_memory(
        monkeypatch,
        RadonMachineRegressor(
            Ridge(), height=1, aggregation=aggregation, random_state=0
        ),
        X,
        y,
        dask_fit,
        sample_weight=weights,
    )
    np.testing.assert_allclose(distributed_machine.hypotheses_, local.hypotheses_)
    np.testing.assert_allclose(distributed_machine.coef_, local.coef_, rtol=1e-9)


def test_dataframe_input_names_and_lazy_prediction(client):
    X, y = _classification(n=20_000, p=3, seed=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["label"] = np.where(y == 1, "yes", "no")
    ddf = dd.from_pandas(frame, npartitions=6)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    machine.fit(ddf[["a", "b", "c"]], ddf["label"])
    assert list(machine.feature_names_in_) == ["a", "b", "c"]
    assert list(machine.classes_) == ["no", "yes"]
    lazy = machine.predict_proba(ddf[["a", "b", "c"]])
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(
        lazy.compute(), machine.predict_proba(frame[["a", "b", "c"]])
    )
    labels = machine.predict(da.from_array(X, chunks=5_000))
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), machine.predict(X))
    with pytest.raises(ValueError, match="columns differ"):
        machine.predict(ddf[["c", "b", "a"]])


def test_local_scheduler_without_client_matches_cluster(cluster):
    X, y = _classification(n=12_000, p=2, seed=3)
    Xd, yd = da.from_array(X, chunks=2_500), da.from_array(y, chunks=2_500)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=1)
    with distributed.Client(cluster):
        on_cluster = machine.fit(Xd, yd).coef_.copy()
    assert rdask_data.client() is None
    np.testing.assert_allclose(machine.fit(Xd, yd).coef_, on_cluster, rtol=1e-12)


# ---------------------------------------------------------------------------
# Ordered data
# ---------------------------------------------------------------------------


def _sorted_by_label(n=12_000):
    X, y = _classification(n=n, p=3, seed=4)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


def test_label_ordered_chunks_are_refused_at_an_explicit_height(client):
    X, y = _sorted_by_label()
    Xd, yd = da.from_array(X, chunks=1_000), da.from_array(y, chunks=1_000)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    with pytest.raises(ValueError, match="dask_shuffle=True"):
        machine.fit(Xd, yd)
    assert not hasattr(machine, "coef_")


def test_label_ordered_chunks_warn_under_auto(client):
    X, y = _sorted_by_label()
    Xd, yd = da.from_array(X, chunks=1_000), da.from_array(y, chunks=1_000)
    machine = RadonMachineClassifier(LogisticRegression(), random_state=0)
    with pytest.warns(UserWarning, match="dask_shuffle=True") as record:
        machine.fit(Xd, yd)
    assert machine.height_ < 2
    # The warning names the line of the user's code that called fit.
    named = {item.filename for item in record if "dask_shuffle" in str(item.message)}
    assert named == {__file__}


def test_dask_shuffle_mixes_ordered_chunks(client):
    X, y = _sorted_by_label()
    Xd, yd = da.from_array(X, chunks=1_000), da.from_array(y, chunks=1_000)
    machine = RadonMachineClassifier(
        LogisticRegression(), height=1, dask_shuffle=True, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        machine.fit(Xd, yd)
    assert not [w for w in caught if "unevenly" in str(w.message)]
    full = LogisticRegression().fit(X, y)
    assert machine.n_shards_ == 6
    # Each shard saw both classes in roughly the overall proportion, so each
    # shard model is close to the full-data fit.
    distance = np.linalg.norm(machine.hypotheses_[:, :3] - full.coef_, axis=1)
    assert distance.max() < 0.5 * np.linalg.norm(full.coef_)
    assert abs(machine.score(X, y) - full.score(X, y)) < 0.01


# ---------------------------------------------------------------------------
# Joblib's Dask backend for in-memory data
# ---------------------------------------------------------------------------


def test_joblib_dask_backend_scatters_the_data_once(client, monkeypatch):
    from joblib import parallel_config

    X, y = _classification(n=20_000, p=4, seed=5)
    reference = RadonMachineClassifier(
        LogisticRegression(), height=2, random_state=3
    ).fit(X, y)
    scattered = []
    original = type(client).scatter

    def counting(self, data, *args, **kwargs):
        scattered.append(getattr(data, "nbytes", 0))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(type(client), "scatter", counting)
    with parallel_config(backend="dask"):
        machine = RadonMachineClassifier(
            LogisticRegression(), height=2, n_jobs=-1, random_state=3
        ).fit(X, y)
    np.testing.assert_allclose(machine.coef_, reference.coef_, rtol=1e-12)
    # X once (not once per task); nothing else of its size travels.
    assert scattered.count(X.nbytes) == 1
    assert machine.fit_times_["n_workers"] == 2


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------


def test_fit_survives_a_killed_worker(client):
    rng = np.random.default_rng(6)
    n = 15_000
    X = rng.standard_normal((n, 2))
    y = X @ np.array([1.0, -1.0]) + rng.standard_t(2, size=n)
    Xd = da.from_array(X, chunks=2_000)
    yd = da.from_array(y, chunks=2_000)

    def machine():
        return RadonMachineRegressor(
            QuantileRegressor(alpha=0, solver="highs"), height=1, random_state=0
        )

    reference = machine().fit(Xd, yd)
    target = machine()
    outcome = {}

    def run():
        try:
            target.fit(Xd, yd)
        except BaseException as error:  # reported by the assertion below
            outcome["error"] = error

    pids = client.run(os.getpid)
    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any("_fit_shard" in str(key) for key in keys):
                os.kill(pids[address], signal.SIGKILL)
                killed = address
                break
        time.sleep(0.01)
    thread.join(timeout=300)
    assert killed is not None, "no shard fit was seen running"
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    np.testing.assert_allclose(target.coef_, reference.coef_, rtol=1e-10)
    np.testing.assert_allclose(target.hypotheses_, reference.hypotheses_, rtol=1e-10)
    client.wait_for_workers(2, timeout=60)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_lost_scheduler_is_a_clear_error_not_a_hang():
    import dask

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            ":0",
            "--no-show",
        ],
        **quiet,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
        ],
        **quiet,
    )
    rng = np.random.default_rng(9)
    X = rng.standard_normal((40_000, 2))
    y = X @ np.array([1.0, 2.0]) + rng.standard_t(2, size=40_000)
    Xd, yd = da.from_array(X, chunks=5_000), da.from_array(y, chunks=5_000)
    outcome = {}
    try:
        with (
            dask.config.set({"distributed.comm.timeouts.connect": "3s"}),
            distributed.Client(address, timeout=60) as connected,
        ):
            connected.wait_for_workers(1, timeout=60)

            def run():
                try:
                    RadonMachineRegressor(
                        QuantileRegressor(alpha=0, solver="highs"), height=1
                    ).fit(Xd, yd)
                except BaseException as error:
                    outcome["error"] = error

            thread = threading.Thread(target=run)
            thread.start()
            deadline = time.monotonic() + 60
            while thread.is_alive() and time.monotonic() < deadline:
                busy = connected.processing()
                if any("_fit_shard" in str(k) for keys in busy.values() for k in keys):
                    break
                time.sleep(0.01)
            scheduler.kill()
            thread.join(timeout=120)
            assert not thread.is_alive(), "the fit hung on a lost scheduler"
    finally:
        scheduler.kill()
        worker.kill()
        scheduler.wait()
        worker.wait()
    error = outcome.get("error")
    assert isinstance(error, ConnectionError), repr(error)
    assert "Lost the Dask scheduler" in str(error)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_bad_dask_input_is_refused_cleanly(client):
    X, y = _classification(n=4_000, p=2, seed=8)
    machine = RadonMachineClassifier(height=1)
    with pytest.raises(ValueError, match="2-D"):
        machine.fit(da.from_array(X[:, 0], chunks=1_000), da.from_array(y))
    with pytest.raises(ValueError, match="same number of rows"):
        machine.fit(da.from_array(X, chunks=1_000), da.from_array(y[:-5]))
    with pytest.raises(ValueError, match="at least 2 classes"):
        machine.fit(da.from_array(X, chunks=1_000), da.zeros(4_000, chunks=1_000))
    with pytest.raises(ValueError, match="sample_weight"):
        machine.fit(
            da.from_array(X, chunks=1_000),
            da.from_array(y, chunks=1_000),
            sample_weight=np.ones(3),
        )
    assert not hasattr(machine, "coef_")
    # Regression on the same machinery: a linear-regression fit on all chunks.
    regressor = RadonMachineRegressor(LinearRegression(), height=0)
    target = X @ np.array([2.0, 3.0]) + 1.0
    regressor.fit(da.from_array(X, chunks=1_000), da.from_array(target, chunks=1_000))
    np.testing.assert_allclose(regressor.coef_, [2.0, 3.0])
    np.testing.assert_allclose(regressor.intercept_, 1.0)


def test_auto_height_on_dask_input_times_pilots_and_skips_height_zero(client):
    X, y = _classification(n=60_000, p=3, seed=10)
    machine = RadonMachineClassifier(LogisticRegression(), random_state=0)
    machine.fit(da.from_array(X, chunks=7_000), da.from_array(y, chunks=7_000))
    plan = machine.height_plan_
    assert plan["largest_height"] == 3
    # Pilots at two sizes at least (the growth is read between them; on
    # data this small the budget, a twentieth of one full fit, stops them there).
    assert len(plan["cost_model"]["sizes"]) >= 2
    assert set(plan["predicted_seconds"]) == {1, 2, 3}
    assert machine.height_ == plan["chosen"] >= 1
    assert machine.n_shards_ == 6**machine.height_


class _FakeClient:
    def __init__(self, limits):
        self.limits = limits

    def scheduler_info(self, n_workers=-1):
        return {
            "workers": {
                f"w{i}": {"memory_limit": limit} for i, limit in enumerate(self.limits)
            }
        }


@pytest.mark.parametrize(
    ("limits", "expected"),
    [([0, 0], 1), ([10**9, 10**9], 1), ([10**9, 10**7], 2), ([10**4], 3)],
)
def test_memory_limit_sets_the_lowest_auto_height(monkeypatch, limits, expected):
    # One million rows of 152 bytes in shards of 1e6 / 21**h rows, held
    # about four times over: 29 MB at h = 1, 1.4 MB at h = 2.
    monkeypatch.setattr(rdask, "client", lambda: _FakeClient(limits))
    assert rdask._memory_min_height(1_000_000, 152, 21, 3) == expected


def test_sparse_chunks_are_fitted_and_predicted():
    from scipy import sparse

    rng = np.random.default_rng(11)
    X = sparse.random(12_000, 5, density=0.5, format="csr", random_state=0)
    y = (X @ np.arange(1.0, 6.0) + rng.logistic(size=12_000) > 2).astype(int)
    Xd = da.from_array(X, chunks=(2_000, 5), asarray=False)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    machine.fit(Xd, da.from_array(y, chunks=2_000))
    full = LogisticRegression().fit(X, y)
    assert machine.n_shards_ == 8
    assert abs(machine.score(X, y) - full.score(X, y)) < 0.01
    np.testing.assert_allclose(
        machine.predict_proba(Xd).compute(), machine.predict_proba(X)
    )


def test_dask_frames_become_arrays_chunked_by_their_blocks(tmp_path):
    # A Dask DataFrame becomes an array whose row chunks are its blocks' true
    # lengths: from Parquet statistics when Dask has them (no row read),
    # else counted on the blocks. Dask fuses a Parquet projection's
    # partitions when it builds the array (its own lengths=True then fails:
    # 10 counts for 20 partitions here, 16 for 270 at scale).
    import pandas as pd

    columns = [f"c{i}" for i in range(19)]
    frame = pd.DataFrame(
        np.random.default_rng(0).normal(size=(2_000, 19)), columns=columns
    )
    dd.from_pandas(frame, npartitions=20).to_parquet(tmp_path)
    parquet = dd.read_parquet(tmp_path)
    assert rdask_data._partition_lengths(parquet) == (100,) * 20
    assert rdask_data.as_dask_array(parquet, "X").chunks[0] == (100,) * 20
    filtered = parquet[parquet["c0"] > 0]
    assert rdask_data._partition_lengths(filtered) is None
    cases = {
        "projection": (parquet[columns[:18]], frame[columns[:18]]),
        "optimized": (parquet[columns[:18]].optimize(), frame[columns[:18]]),
        "column": (parquet["c0"], frame["c0"]),
        "filtered": (filtered[columns[:18]], frame[frame["c0"] > 0][columns[:18]]),
    }
    for name, (value, expected) in cases.items():
        array = rdask_data.as_dask_array(value, "X")
        blocks = tuple(
            array.blocks[i].compute().shape[0] for i in range(array.numblocks[0])
        )
        assert array.chunks[0] == blocks, name
        np.testing.assert_array_equal(array.compute(), expected.to_numpy())


def test_a_machine_fits_parquet_features(tmp_path, client):
    # The larger-than-memory path end to end, small: features and label
    # read from Parquet, the features a projection of the files.
    import pandas as pd

    X, y = _classification(n=6_000, p=4)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)]).assign(label=y)
    dd.from_pandas(frame, npartitions=12).to_parquet(tmp_path)
    parquet = dd.read_parquet(tmp_path)
    machine = RadonMachineClassifier(LogisticRegression(), height=1, random_state=0)
    machine.fit(parquet[[f"x{i}" for i in range(4)]], parquet["label"])
    assert machine.n_shards_ == 7
    plain = LogisticRegression().fit(X, y).score(X, y)
    assert machine.score(X, y) > plain - 0.02


def _few_weighted_rows(n=30_000, weighted=300):
    """Regression rows of which only the first ``weighted`` have a weight."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5))
    y = X @ np.arange(5.0) + rng.normal(size=n)
    w = np.zeros(n)
    w[:weighted] = 1.0
    return X, y, w


def test_auto_counts_only_weighted_rows_like_memory(client):
    # 300 weighted rows among 30,000 fill no height above 0 by the quality
    # rule: auto fits once on Dask, as in memory (a shard fit used to fail
    # inside scikit-learn: "Sample weights must contain at least one
    # non-zero number").
    X, y, w = _few_weighted_rows()
    dask_fit = RadonMachineRegressor(Ridge(), random_state=0).fit(
        da.from_array(X, chunks=3000),
        da.from_array(y, chunks=3000),
        sample_weight=da.from_array(w, chunks=3000),
    )
    memory_fit = RadonMachineRegressor(Ridge(), random_state=0).fit(
        X, y, sample_weight=w
    )
    assert dask_fit.height_ == memory_fit.height_ == 0
    np.testing.assert_allclose(dask_fit.coef_, memory_fit.coef_, rtol=1e-8)


def test_explicit_height_whose_shards_lack_weighted_rows_is_refused_first(client):
    # The chunks' counts of weighted rows refuse the height before any shard
    # is fitted, with advice that helps; nothing is left fitted.
    X, y, w = _few_weighted_rows()
    machine = RadonMachineRegressor(Ridge(), height=1, random_state=0)
    with pytest.raises(ValueError, match="no rows with nonzero sample_weight"):
        machine.fit(
            da.from_array(X, chunks=3000),
            da.from_array(y, chunks=3000),
            sample_weight=da.from_array(w, chunks=3000),
        )
    assert not hasattr(machine, "coef_")
    shuffled = RadonMachineRegressor(
        Ridge(), height=1, dask_shuffle=True, random_state=0
    ).fit(
        da.from_array(X, chunks=3000),
        da.from_array(y, chunks=3000),
        sample_weight=da.from_array(w, chunks=3000),
    )
    assert shuffled.height_ == 1 and shuffled.n_shards_ == shuffled.radon_number_


def test_a_shard_with_only_zero_weights_says_so():
    # Should a shard still meet only zero weights on a worker, the error
    # says what happened and what to do, not scikit-learn's message.
    from radonlearn._hypotheses import layout_of

    model = Ridge().fit(np.eye(3), np.arange(3.0))
    shared = (layout_of(model), frozenset({0}), {}, None)
    piece = (np.ones((4, 3)), np.arange(4.0), np.zeros(4))
    with pytest.raises(ValueError, match="none with nonzero sample_weight"):
        rdask._fit_shard(Ridge(), shared, 0, {}, 3, piece)


@pytest.mark.parametrize(
    "machine_class", [RadonMachineClassifier, RadonMachineRegressor]
)
def test_dask_input_of_no_rows_is_refused_up_front(client, machine_class):
    # Zero rows (an over-eager filter) get a ValueError that says so, not a
    # ZeroDivisionError or IndexError from the planning; nothing is fitted.
    X, y = da.zeros((0, 3), chunks=(10, 3)), da.zeros((0,), chunks=10)
    machine = machine_class()
    with pytest.raises(ValueError, match="X has 0 rows"):
        machine.fit(X, y)
    assert not hasattr(machine, "coef_")
