"""The scenario `flywheel demo` runs: a realistic team, end to end, on a fresh workspace."""
