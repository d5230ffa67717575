"""The assembly layer (issue 20): the whole flywheel read as one system, across every pool."""
