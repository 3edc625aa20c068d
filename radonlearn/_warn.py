"""Warnings that name the user's line, wherever in the package they start."""

import os
import sys
import warnings

import joblib
import sklearn

__all__ = []

# Frames in these folders are the package's, scikit-learn's (whose
# decorators wrap fit) or joblib's (which runs scikit-learn's searches and
# cross-validation, even on one job); a warning points at the first frame
# outside them.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn, joblib)
)


def user_stacklevel(frame=None):
    """The ``stacklevel`` that makes ``warnings.warn``, called from the frame
    of this function's caller, name the first frame outside radonlearn,
    scikit-learn and joblib (the outermost frame when all are inside: a
    worker thread)."""
    frame = sys._getframe(2) if frame is None else frame
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _INTERNAL
    ):
        frame = frame.f_back
        level += 1
    return level


def warn(message, category=UserWarning):
    """``warnings.warn`` attributed to the user's line (``user_stacklevel``).

    Python 3.12's ``skip_file_prefixes`` does the same, but 3.10 and 3.11
    are supported too.
    """
    warnings.warn(message, category, stacklevel=user_stacklevel(sys._getframe(1)))
