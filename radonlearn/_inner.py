"""The inner estimator: of the machine's kind in, an ordinary model of its class out.

``check_kind`` refuses a regressor inside a classifier machine and the
reverse, before any work; ``make_ordinary`` turns the model holding the
aggregate into what a plain fit of its class would be (feature names, the
user's parameters, no attributes of one shard's fit); ``unnamed`` is the
copy the machine predicts with on rows it has checked itself.
"""

import copy

from sklearn.base import clone, is_classifier, is_regressor

from ._hypotheses import user_model, without_shard_state

__all__ = []


def _kind(estimator):
    """"classifier", "regressor" or None, as scikit-learn's tags say."""
    if is_classifier(estimator):
        return "classifier"
    return "regressor" if is_regressor(estimator) else None


def check_kind(template, regressor, machine):
    """ValueError unless ``template`` is a regressor (``regressor``) or a classifier.

    A classifier machine around a regressor would "classify" with floats,
    a regressor machine around a classifier predict labels. The kind is
    scikit-learn's (``is_classifier`` / ``is_regressor``); a search that
    does not say its kind is judged by the estimator it searches over.
    ``machine`` is the machine's class name, for the message.
    """
    judged = template
    if _kind(judged) is None and hasattr(judged, "estimator"):
        judged = judged.estimator
    wanted, other, example = (
        ("regressor", "RadonMachineClassifier", "Ridge()")
        if regressor
        else ("classifier", "RadonMachineRegressor", "LogisticRegression()")
    )
    found = _kind(judged)
    if found == wanted:
        return
    if found is not None:
        what = f"a {found}: its predictions would be " + (
            "class labels, not numbers" if regressor else "numbers, not classes"
        )
        instead = f"Use {other}({template!r}) for a {found}"
    else:
        what = (
            "which scikit-learn calls neither a classifier nor a regressor "
            "(is_classifier and is_regressor are False)"
        )
        instead = (
            f"Derive {type(judged).__name__} from sklearn.base."
            f"{wanted.capitalize()}Mixin if it is a {wanted}"
        )
    raise ValueError(
        f"{machine} needs a {wanted} as its estimator, got {template!r}, "
        f"{what}. {instead}, or pass a {wanted} such as {machine}({example})."
    )


def make_ordinary(estimator, template, n_models, n_features, feature_names):
    """Make ``estimator``, holding the aggregate of ``n_models``, an ordinary model.

    It gets ``n_features`` and ``feature_names`` (None: no names), the
    parameters of the user's model in ``template`` (not the per-shard
    seeds; for a search, its estimator's), and, aggregating more than one
    model, loses one model's fitted attributes (``without_shard_state``).
    In place.
    """
    if n_models > 1:
        without_shard_state(estimator)
    user = user_model(template, type(estimator))
    if user is not None:
        estimator.set_params(
            **{
                name: clone(value, safe=False)
                for name, value in user.get_params(deep=False).items()
            }
        )
    estimator.n_features_in_ = n_features
    if feature_names is not None:
        estimator.feature_names_in_ = feature_names
    else:
        vars(estimator).pop("feature_names_in_", None)


def unnamed(model):
    """``model``, or a shallow copy without ``feature_names_in_``, to call on
    rows whose columns the machine has checked already (arrays, chunks)."""
    if "feature_names_in_" not in vars(model):
        return model
    twin = copy.copy(model)
    del twin.feature_names_in_
    return twin
