"""Fitted linear model <-> hypothesis vector, and the transplant check.

A hypothesis vector is ``coef_`` flattened, followed by ``intercept_``
flattened (left out when the model was fitted without an intercept, where it
is a structural zero rather than a learnt number).
"""

import copy
from dataclasses import dataclass

import numpy as np

__all__ = []

_PIPELINE_ADVICE = (
    "The Radon machine averages coefficients, so its inner estimator must be "
    "a linear model whose predictions depend only on coef_ and intercept_ "
    "(LogisticRegression, Ridge, SGDClassifier, ...). Put preprocessing "
    "(scalers, feature maps) outside it: "
    "make_pipeline(StandardScaler(), RadonMachineClassifier(LogisticRegression()))."
)


@dataclass(frozen=True)
class Layout:
    """Where ``coef_`` and ``intercept_`` sit in a hypothesis vector."""

    coef_shape: tuple
    intercept_shape: tuple | None  # None: a Python float intercept
    has_intercept: bool  # False: intercept_ is not part of the vector

    @property
    def n_parameters(self):
        """Length ``D`` of the hypothesis vector."""
        size = int(np.prod(self.coef_shape))
        if self.has_intercept:
            size += (
                1
                if self.intercept_shape is None
                else int(np.prod(self.intercept_shape))
            )
        return size


def linear_model(fitted):
    """The fitted model that carries the coefficients and predicts with them.

    A search contributes its best model; a Radon machine, which predicts
    through its ``estimator_`` (its ``coef_`` is a copy, changing it changes
    nothing), that model; both recursively (a search of Radon machines).
    """
    if getattr(fitted, "_predicts_with_estimator", False) and hasattr(
        fitted, "estimator_"
    ):
        return linear_model(fitted.estimator_)
    if not hasattr(fitted, "coef_") and hasattr(fitted, "best_estimator_"):
        return linear_model(fitted.best_estimator_)
    return fitted


def layout_of(fitted):
    """Layout of a fitted model's hypothesis; TypeError when it has none."""
    model = linear_model(fitted)
    name = type(fitted).__name__
    if not hasattr(model, "coef_"):
        raise TypeError(
            f"{name} has no coef_ after fitting, so it cannot be aggregated by "
            f"a Radon machine. {_PIPELINE_ADVICE}"
        )
    coef = np.asarray(model.coef_)
    if not np.issubdtype(coef.dtype, np.floating):
        raise TypeError(f"{name}.coef_ has dtype {coef.dtype}; expected floats.")
    intercept = getattr(model, "intercept_", 0.0)
    scalar = np.ndim(intercept) == 0
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    has_intercept = params.get("fit_intercept", True) is not False and hasattr(
        model, "intercept_"
    )
    layout = Layout(
        coef_shape=coef.shape,
        intercept_shape=None if scalar else np.shape(intercept),
        has_intercept=has_intercept,
    )
    # Decided by trying, not by name: the model must take its own
    # coefficients back (TypeError from load otherwise), before any shard
    # fit is spent on it.
    load(fitted, flatten(fitted, layout), layout)
    return layout


def flatten(fitted, layout):
    """Hypothesis vector of a fitted model: float64, ``layout.n_parameters`` long."""
    model = linear_model(fitted)
    coef = np.asarray(model.coef_, dtype=np.float64)
    if coef.shape != layout.coef_shape:
        raise ValueError(
            f"A shard model has coef_ of shape {coef.shape}, another "
            f"{layout.coef_shape}; every shard must see the same classes and "
            "outputs."
        )
    if not layout.has_intercept:
        return coef.ravel()
    intercept = np.asarray(model.intercept_, dtype=np.float64).ravel()
    return np.concatenate([coef.ravel(), intercept])


def load(template, vector, layout):
    """A deep copy of ``template``'s linear model holding ``vector``.

    TypeError when the model does not take coefficients (``coef_`` or
    ``intercept_`` computed from other fitted state, as in ``SVC``).
    """
    model = copy.deepcopy(linear_model(template))
    coef_size = int(np.prod(layout.coef_shape))
    coef_dtype = np.asarray(model.coef_).dtype
    try:
        model.coef_ = np.asarray(vector[:coef_size], dtype=coef_dtype).reshape(
            layout.coef_shape
        )
        if layout.has_intercept:
            rest = np.asarray(vector[coef_size:])
            if layout.intercept_shape is None:
                model.intercept_ = float(rest[0])
            else:
                dtype = np.asarray(model.intercept_).dtype
                model.intercept_ = rest.astype(dtype).reshape(layout.intercept_shape)
    except (AttributeError, TypeError) as error:
        raise TypeError(
            f"{type(model).__name__} does not take coefficients: setting its "
            f"coef_ or intercept_ failed ({error}), because they are computed "
            "from other fitted state, so the Radon machine cannot load an "
            f"aggregate into it. {_PIPELINE_ADVICE}"
        ) from None
    return model


def _responses(model, X):
    """Every prediction a model offers on ``X``, as float arrays by method name."""
    out = {}
    for method in ("decision_function", "predict_proba", "predict"):
        if hasattr(model, method):
            values = np.asarray(getattr(model, method)(X))
            if np.issubdtype(values.dtype, np.number):
                out[method] = values.astype(np.float64)
            else:
                out[method] = values
    return out


# Fitted attributes that hold, or describe, the aggregate itself (the
# feature names and count are set to the machine's where it publishes).
AGGREGATE_ATTRIBUTES = frozenset(
    {"coef_", "intercept_", "classes_", "n_features_in_", "feature_names_in_"}
)


def _same_responses(first, second):
    """Whether two ``_responses`` dicts hold the same methods and values."""
    if first.keys() != second.keys():
        return False
    return all(
        np.array_equal(first[method], second[method], equal_nan=True)
        if np.issubdtype(np.asarray(first[method]).dtype, np.number)
        else np.array_equal(first[method], second[method])
        for method in first
    )


def without_shard_state(model):
    """Remove from ``model``, which holds an aggregate, what describes one fit.

    ``model`` is a copy of one shard's (or site's) model with the aggregate
    loaded: its other public fitted attributes describe that one fit, not
    the aggregate (``n_iter_``, ``t_``, ``solver_``, HuberRegressor's
    ``scale_`` and ``outliers_``, a cross-validating learner's ``alpha_``,
    ``C_``, scores and paths, LinearRegression's ``rank_`` and
    ``singular_``, BayesianRidge's ``sigma_`` and ``X_offset_``), so each is
    removed, unless removing it changes what the model predicts on a few
    fixed random rows (then its methods need it, and the transplant check
    found it shared).
    ``AGGREGATE_ATTRIBUTES`` and private state stay. In place; returns the
    names removed.
    """
    names = [
        name
        for name in vars(model)
        if name.endswith("_")
        and not name.startswith("_")
        and name not in AGGREGATE_ATTRIBUTES
    ]
    if not names:
        return []
    n_features = np.shape(model.coef_)[-1]
    probe = np.random.default_rng(0).standard_normal((PROBE_ROWS, n_features))
    # Probed on unnamed rows: the feature names step aside meanwhile.
    feature_names = vars(model).pop("feature_names_in_", None)
    removed = []
    try:
        with np.errstate(all="ignore"):
            expected = _responses(model, probe)
            for name in names:
                value = vars(model).pop(name)
                try:
                    kept = not _same_responses(_responses(model, probe), expected)
                except Exception:  # any failure: a method needs it
                    kept = True
                if kept:
                    setattr(model, name, value)
                else:
                    removed.append(name)
    except Exception:  # a model that cannot predict on random rows keeps all
        pass
    finally:
        if feature_names is not None:
            model.feature_names_in_ = feature_names
    return removed


def user_model(template, kind):
    """The user's unfitted model inside ``template`` whose fits are of class ``kind``.

    ``template`` is what the user passed (a model, a search, a Radon
    machine); a search's fits are searched over its ``estimator``, a
    machine's over its inner estimator. None when no model of ``kind`` is
    found within a few levels.
    """
    for _ in range(8):
        if type(template) is kind:
            return template
        if getattr(template, "_predicts_with_estimator", False):
            template = template._template()
        elif hasattr(template, "get_params"):
            template = template.get_params(deep=False).get("estimator")
        else:
            return None
    return None


# Rows compared by the transplant check.
PROBE_ROWS = 20


def check_finite(hypotheses):
    """Raise ValueError when a shard's hypothesis has a non-finite coordinate."""
    finite = np.isfinite(hypotheses).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise ValueError(
            f"Shard {bad[0]} (of {len(hypotheses)}; {bad.size} in all) produced "
            "non-finite coefficients, so they cannot be aggregated. Check the "
            "inner estimator's settings (e.g. learning rate, regularisation) "
            "or scale the features."
        )


def check_transplant(donor, recipient, X_probe, layout):
    """TypeError unless predictions depend only on ``coef_``/``intercept_``.

    Loads ``donor``'s hypothesis into a copy of ``recipient`` and compares its
    predictions on ``X_probe`` with ``donor``'s own.
    """
    transplanted = load(recipient, flatten(donor, layout), layout)
    own = _responses(linear_model(donor), X_probe)
    moved = _responses(transplanted, X_probe)
    for method, expected in own.items():
        got = moved[method]
        if np.issubdtype(np.asarray(expected).dtype, np.number):
            scale = np.abs(expected).max() + 1.0
            same = np.allclose(got, expected, rtol=1e-6, atol=1e-9 * scale)
        else:
            same = np.array_equal(got, expected)
        if not same:
            name = type(linear_model(donor)).__name__
            raise TypeError(
                f"{name}'s predictions depend on fitted state besides coef_ "
                f"and intercept_ ({method} changed when only the coefficients "
                f"were moved between two shard models), so aggregating its "
                f"coefficients would be silently wrong. {_PIPELINE_ADVICE}"
            )
