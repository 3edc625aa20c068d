"""The data: a logistic model, its rows drawn chunk by chunk, Parquet files."""

import json
import shutil
import time
from pathlib import Path

import numpy as np
from datasets import logistic_model

__all__ = [
    "GIB",
    "LABEL",
    "SAMPLE_SEED",
    "TEST_SEED",
    "check_data",
    "disk_bytes",
    "draw",
    "feature_names",
    "manifest",
    "parquet_dir",
    "true_model",
    "write_data",
]

GIB = 2**30
DATA_SEED, SAMPLE_SEED, TEST_SEED, MODEL_SEED = 0, 1, 2, 12345
LABEL = "label"
# Log progress every this many files.
_LOG_EVERY = 20


def feature_names(n_features):
    """The feature columns: ``x0``, ``x1``, ..."""
    return [f"x{i}" for i in range(n_features)]


def parquet_dir(data_dir):
    """Where the Parquet files are."""
    return Path(data_dir) / "parquet"


def true_model(n_features):
    """The weights and intercept of the logistic model behind the data."""
    return logistic_model(n_features, MODEL_SEED)


def draw(rows, n_features, grid, seed):
    """``rows`` rows of the distribution: features on the grid, labels."""
    w, b = true_model(n_features)
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((rows, n_features)) * grid) / grid
    y = (X @ w + b + rng.logistic(size=rows) > 0).astype(np.int32)
    return X, y


def manifest(args):
    """What the data directory must hold: sizes, grid, seed."""
    return {
        "rows": args.rows,
        "features": args.features,
        "file_rows": args.file_rows,
        "grid": args.grid,
        "seed": DATA_SEED,
    }


def check_data(args):
    """Why the stored files are not the data set asked for, or ``None``."""
    import pyarrow.parquet as pq

    path = Path(args.data_dir) / "manifest.json"
    if not path.exists():
        return "no manifest"
    if json.loads(path.read_text()) != manifest(args):
        return f"the manifest differs: {path.read_text()}"
    n_files = -(-args.rows // args.file_rows)
    files = sorted(parquet_dir(args.data_dir).glob("*.parquet"))
    if len(files) != n_files:
        return f"{len(files)} Parquet files, {n_files} expected"
    rows = sum(pq.read_metadata(file).num_rows for file in files)
    if rows != args.rows:
        return f"{rows} rows in the files, {args.rows} expected"
    names = pq.read_schema(files[0]).names
    if names != [*feature_names(args.features), LABEL]:
        return f"columns {names}"
    return None


def _write_file(args, directory, number):
    """Write file ``number``: its rows drawn from the seed and its number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = min(args.file_rows, args.rows - number * args.file_rows)
    X, y = draw(rows, args.features, args.grid, [DATA_SEED, number])
    arrays = [pa.array(X[:, i]) for i in range(args.features)] + [pa.array(y)]
    table = pa.Table.from_arrays(arrays, names=[*feature_names(args.features), LABEL])
    pq.write_table(table, directory / f"part-{number:05d}.parquet", compression="zstd")


def write_data(args, log):
    """Write the Parquet files unless they are there; ``(directory, seconds)``."""
    directory = parquet_dir(args.data_dir)
    problem = check_data(args)
    if problem is None:
        log(f"reusing the Parquet files in {directory} (checked)")
        return directory, 0.0
    log(f"writing the Parquet files in {directory}: {problem}")
    manifest_path = Path(args.data_dir) / "manifest.json"
    manifest_path.unlink(missing_ok=True)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    n_files = -(-args.rows // args.file_rows)
    started = time.perf_counter()
    for number in range(n_files):
        _write_file(args, directory, number)
        free = shutil.disk_usage(directory).free / 1e9
        if free < args.min_free_gb:
            raise RuntimeError(
                f"Only {free:.1f} GB free under {directory} after {number + 1} "
                f"files; stopped writing (--min-free-gb {args.min_free_gb})."
            )
        if number % _LOG_EVERY == 0:
            log(f"wrote {number + 1}/{n_files} files, {free:.1f} GB free")
    manifest_path.write_text(json.dumps(manifest(args)))
    return directory, time.perf_counter() - started


def disk_bytes(directory):
    """Bytes of the files under ``directory``."""
    return sum(
        path.stat().st_size for path in Path(directory).rglob("*") if path.is_file()
    )
