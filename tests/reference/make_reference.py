"""Record the reference coefficients (run once, on the code to compare against).

python tests/reference/make_reference.py
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from _reference_cases import cases, record


def main():
    arrays = {}
    for name, (machine, X, y, kwargs) in cases().items():
        machine.fit(X, y, **kwargs)
        for key, value in record(machine).items():
            arrays[f"{name}/{key}"] = value
    path = pathlib.Path(__file__).with_name("coefficients.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays to {path}")


if __name__ == "__main__":
    main()
