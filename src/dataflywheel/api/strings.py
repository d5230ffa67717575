"""Bounded text for request bodies and query parameters, without NUL characters.

Why: PostgreSQL refuses a NUL inside text (SQLite stores it), so a string with one would become a
500 on one backend and a stored record on the other. Refusing it at the edge makes it a 400 on
both, and the pattern in the OpenAPI document tells clients (and Schemathesis) before they send.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

NO_NUL = r"^[^\x00]*$"

Id = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
"""A record or person id, a project, a role name."""
Word = Annotated[str, StringConstraints(max_length=40, pattern=NO_NUL)]
"""A kind, severity, source or state name."""
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
"""`KIND:ID` of a linked record, or a change's id or name."""
Prose = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
"""A note, reason, resolution or post-mortem section."""
Document = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000, pattern=NO_NUL)]
"""A Markdown document body."""
