"""scikit-learn's callback API: shard fits and aggregation levels as subtasks."""

import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from radonlearn import RadonMachineClassifier

callback = pytest.importorskip("sklearn.callback")


class Recorder:
    """A callback that records the task names it sees, propagated to children."""

    max_propagation_depth = None

    def __init__(self):
        self.begun, self.ended, self.torn_down = [], [], 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        self.torn_down += 1

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.begun.append(context.task_name)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(context.task_name)


@pytest.fixture(scope="module")
def data():
    """A small binary problem."""
    return make_classification(n_samples=4000, n_features=4, random_state=0)


def test_shards_and_levels_are_subtasks(data):
    # One "shard" subtask per shard fit and one "level" per tree level, each
    # begun and ended, inside "shard fits" and "aggregation"; teardown once.
    X, y = data
    recorder = Recorder()
    machine = RadonMachineClassifier(height=2, n_jobs=2, random_state=0)
    machine.set_callbacks(recorder).fit(X, y)
    assert recorder.begun.count("shard") == machine.n_shards_ == 49
    assert recorder.ended.count("shard") == 49
    assert recorder.begun.count("level") == 2
    assert {"fit", "shard fits", "aggregation"} <= set(recorder.ended)
    assert recorder.torn_down == 1


def test_callbacks_reach_the_machine_inside_a_pipeline(data):
    # Set on a Pipeline, an auto-propagated callback sees the shard fits.
    X, y = data
    recorder = Recorder()
    assert isinstance(recorder, callback.AutoPropagatedCallback)
    pipeline = make_pipeline(
        StandardScaler(), RadonMachineClassifier(LogisticRegression(), height=1)
    )
    pipeline.set_callbacks(recorder).fit(X, y)
    assert recorder.begun.count("shard") == pipeline[-1].n_shards_ == 7


def test_no_callbacks_no_trace(data):
    # Without callbacks a fit leaves no callback state behind.
    X, y = data
    machine = RadonMachineClassifier(height=1, random_state=0).fit(X, y)
    assert not hasattr(machine, "_callback_fit_ctx")


def test_progress_bar_runs(data):
    # scikit-learn's own ProgressBar (needs rich) drives a sharded fit.
    pytest.importorskip("rich")
    X, y = data
    machine = RadonMachineClassifier(height=1, random_state=0)
    machine.set_callbacks(callback.ProgressBar()).fit(X, y)
    assert machine.n_shards_ == 7


def test_callbacks_reach_the_machine_inside_a_grid_search(data):
    # Set on GridSearchCV, an auto-propagated callback sees every candidate's
    # shard fits.
    from sklearn.model_selection import GridSearchCV

    X, y = data
    recorder = Recorder()
    search = GridSearchCV(
        RadonMachineClassifier(LogisticRegression(), height=1, random_state=0),
        {"estimator__C": [0.1, 1.0]},
        cv=2,
    )
    search.set_callbacks(recorder).fit(X, y)
    # 2 candidates x 2 folds + the refit, 7 shards each.
    assert recorder.begun.count("shard") == 7 * (2 * 2 + 1)
