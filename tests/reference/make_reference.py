"""Record the golden masters of ``tests/test_reference.py``.

python tests/reference/make_reference.py            # layouts.npz only
python tests/reference/make_reference.py --coefficients   # both

``layouts.npz`` holds what is exact on every CPU (heights, shard counts,
each shard's rows and seed), so re-recording it changes nothing unless the
shard plan changed. ``coefficients.npz`` holds floating point recorded on
the code before the engine redesign (with the Haswell OpenBLAS kernel);
re-record it only on purpose, and say why in the commit.
"""

import pathlib
import sys
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from _reference_cases import cases, layout_record, record, signature_case


def _save(name, arrays):
    path = pathlib.Path(__file__).with_name(name)
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays to {path}")


def main(coefficients=False):
    layouts, numbers = {}, {}
    for name, case in cases().items():
        machine, X = signature_case(case)
        machine.fit(X, case.y, **case.fit_params)
        for key, value in layout_record(machine).items():
            layouts[f"{name}/{key}"] = value
        if coefficients:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                case.machine.fit(case.X, case.y, **case.fit_params)
            for key, value in record(case.machine).items():
                numbers[f"{name}/{key}"] = value
    _save("layouts.npz", layouts)
    if coefficients:
        _save("coefficients.npz", numbers)


if __name__ == "__main__":
    main(coefficients="--coefficients" in sys.argv[1:])
