"""Data Pool flows: deliveries and their checks, reviews, dataset versions and their release, export, lineage."""
