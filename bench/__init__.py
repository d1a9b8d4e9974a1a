"""Benchmarks: `python -m bench` prints the performance table (not part of the test run)."""
