"""A scratch workspace for a benchmark's child process: SQLite in a temporary folder, or a fresh
PostgreSQL database dropped afterwards; seeded with one person (`owner`) holding the given roles
and one project (`P-BENCH`). The child imports `dataflywheel` from the side under test
(PYTHONPATH), so every import of it happens inside the function."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def scratch_workspace(backend: str, pg_url: str | None, *, prefix: str,
                      roles: Sequence[str] = ("data_owner",)) -> Iterator[Any]:
    from sqlalchemy import create_engine, make_url, text

    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.governance.bootstrap import init_workspace
    from dataflywheel.flows.governance.people import add_person
    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.settings import Settings

    home = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    db = admin = name = None
    if backend == "postgres":
        assert pg_url
        name = f"flywheel_{prefix.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(pg_url).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    settings = Settings(home=home, db=db, login="bench", audit_key=home / "k")
    init_workspace(settings).close()
    ws = open_workspace(settings)
    try:
        add_person(ws, Person(id="owner", name="Owner"), roles=[Role(r) for r in roles],
                   login="owner")
        add_project(ws, Project(id="P-BENCH", name="Bench", owner_id="owner"))
        yield ws
    finally:
        ws.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
