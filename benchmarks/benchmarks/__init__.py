"""asv benchmarks for radonlearn."""
