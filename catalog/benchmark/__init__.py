"""Tools for benchmarking the catalog: synthetic organisations of any size (`generate`)."""
