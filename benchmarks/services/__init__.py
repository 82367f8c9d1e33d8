"""The benchmarks' own writes: a benchmark user, and emptying the scratch benchmark database."""
