"""Benchmark tooling: synthetic customer files and load drivers."""
