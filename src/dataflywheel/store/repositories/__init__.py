"""Repositories: map domain records to tables and back, one per record kind."""
