"""Feedback reflux: ingest events, route them, cluster themes, promote next-version work."""
