"""Create a workspace: the folders, an empty database at head, and the governance it starts with.

A new workspace is useless without someone who may write, so creating it seeds the governance
pool: the initialiser becomes the first person, bound to this login, the seven roles are written,
and the default RACI matrix is loaded. That is why creation lives here and not in
`flows/workspace.py`, which every pool imports and which therefore imports no pool.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import inspect

from dataflywheel.errors import AlreadyExists, WorkspaceError
from dataflywheel.flows.governance.people import add_first_person, first_person, seed_roles
from dataflywheel.flows.governance.raci import load_default_matrix
from dataflywheel.flows.workspace import Workspace, os_login
from dataflywheel.settings import Settings
from dataflywheel.store import migrate
from dataflywheel.store.blobs import BlobStore
from dataflywheel.store.session import Database


def init_workspace(settings: Settings, *, default_raci: bool = True, person: str | None = None,
                   name: str | None = None) -> Workspace:
    """Make the folders, migrate an empty database to head, add the initialiser as the first
    person bound to this login (id `person`, default the login), seed roles and the default RACI.

    Bootstrap: nobody is bound before the first person exists, so the initialiser binds themself.
    """
    login = settings.login or os_login()
    initialiser = first_person(person or login, name or person or login, login)
    _make_dirs(settings)
    db = Database(settings.db_url)
    if migrate.current_revision(db.engine) is not None or _has_tables(db):
        db.dispose()
        raise AlreadyExists(
            f"a workspace already exists at {db.safe_url}",
            hint="use it as it is, or `flywheel db upgrade` to migrate it",
        )
    migrate.upgrade(db.engine)
    workspace = Workspace(settings=settings, db=db, blobs=BlobStore(settings.objects_root),
                          login=login)
    workspace.acting_person = add_first_person(workspace, initialiser).id
    seed_roles(workspace)
    if default_raci:
        load_default_matrix(workspace)
    return workspace


def _has_tables(db: Database) -> bool:
    return bool(inspect(db.engine).get_table_names())


def _make_dirs(settings: Settings) -> None:
    root = settings.workspace
    try:
        root.mkdir(parents=True, exist_ok=True)
        if settings.objects is None:
            Path(settings.objects_root).mkdir(parents=True, exist_ok=True)
        probe = root / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise WorkspaceError(
            f"cannot write the workspace: {exc.strerror}", path=str(root),
            expected="a writable directory", kept="nothing was created",
            hint="choose another --home or fix the permissions",
        ) from None
