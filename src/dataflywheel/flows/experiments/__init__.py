"""Experiment Pool flows: log, read, compare, import runs; per-item results."""
