"""Flows: one module per use case, and the only writers.

Every mutation checks its policy, writes its records and appends an audit entry in one
transaction (`Workspace.db.unit_of_work()`).

One package per pool; the plumbing at the top that every pool imports (`workspace`, `_audit`,
`notifications`) imports no pool, so a pool never reaches itself through it (an import-linter
contract in pyproject.toml).
"""
