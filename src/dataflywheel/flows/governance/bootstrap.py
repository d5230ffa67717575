"""Create a workspace: the folders, an empty database at head, and the governance it starts with.

A new workspace is useless without someone who may write, so creating it seeds the governance
pool: the initialiser becomes the first person, bound to this login, the seven roles are written,
and the default RACI matrix is loaded. That is why creation lives here and not in
`flows/workspace.py`, which every pool imports and which therefore imports no pool.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import inspect

from dataflywheel.domain.records.people import Person
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

    The object store is probed (written to) before the database is made, and an init that fails
    removes the folders and the SQLite file it created, so the retry starts clean; an existing
    workspace is never touched.

    Bootstrap: nobody is bound before the first person exists, so the initialiser binds themself.
    """
    login = settings.login or os_login()
    initialiser = first_person(person or login, name or person or login, login)
    sqlite_file = settings.workspace / "flywheel.db" if settings.db is None else None
    made = _make_dirs(settings)
    made_db = sqlite_file is not None and not sqlite_file.exists()
    try:
        blobs = BlobStore(settings.objects_root)
        blobs.probe()
        return _create(settings, blobs, login, initialiser, default_raci)
    except BaseException:
        if made_db and sqlite_file is not None:
            for leftover in (sqlite_file, *(sqlite_file.with_name(sqlite_file.name + s)
                                            for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _create(settings: Settings, blobs: BlobStore, login: str, initialiser: Person,
            default_raci: bool) -> Workspace:
    db = Database(settings.db_url)
    if migrate.current_revision(db.engine) is not None or _has_tables(db):
        db.dispose()
        raise AlreadyExists(
            f"a workspace already exists at {db.safe_url}",
            hint="use it as it is, or `flywheel db upgrade` to migrate it",
        )
    try:
        migrate.upgrade(db.engine)
        workspace = Workspace(settings=settings, db=db, blobs=blobs, login=login)
        workspace.acting_person = add_first_person(workspace, initialiser).id
        seed_roles(workspace)
        if default_raci:
            load_default_matrix(workspace)
    except BaseException:
        db.dispose()
        raise
    return workspace


def _has_tables(db: Database) -> bool:
    return bool(inspect(db.engine).get_table_names())


def _make_dirs(settings: Settings) -> list[Path]:
    """Create the workspace folder (and the local object store); returns the outermost folders
    this call created, for a failed init to remove."""
    root = settings.workspace
    wanted = [root] + ([Path(settings.objects_root)] if settings.objects is None else [])
    made = list(dict.fromkeys(m for m in map(_outermost_missing, wanted) if m is not None))
    try:
        for folder in wanted:
            folder.mkdir(parents=True, exist_ok=True)
        probe = root / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        for made_folder in made:
            shutil.rmtree(made_folder, ignore_errors=True)
        raise WorkspaceError(
            f"cannot write the workspace: {exc.strerror}", path=str(root),
            expected="a writable directory", kept="nothing was created",
            hint="choose another --home or fix the permissions",
        ) from None
    return made


def _outermost_missing(path: Path) -> Path | None:
    """The outermost folder of `path` that does not exist yet (None: it exists)."""
    path = path.absolute()
    if path.exists():
        return None
    while not path.parent.exists():
        path = path.parent
    return path
