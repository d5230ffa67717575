"""Flows: one module per use case, and the only writers.

Every mutation checks its policy, writes its records and appends an audit entry in one
transaction (`Workspace.db.unit_of_work()`).
"""
