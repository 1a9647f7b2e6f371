"""Benchmarks: each module prints its figures and returns them from run(quick); `make bench` runs all."""
