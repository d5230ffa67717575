"""Create, open and upgrade a workspace: the database and the blob store, at one schema version.

Opening a workspace whose schema is older than this code says to run `flywheel db upgrade`; one
written by a newer dataflywheel says to upgrade the program. Neither is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import inspect

from dataflywheel.errors import AlreadyExists, BadInput, NotBound, WorkspaceError
from dataflywheel.flows.governance.identity import acting_as, os_login
from dataflywheel.settings import Settings
from dataflywheel.store import migrate
from dataflywheel.store.blobs import BlobStore
from dataflywheel.store.session import Database


@dataclass
class Workspace:
    """An open workspace; flows take it as their first argument.

    `acting_person` is who writes: resolved from the login's binding when the workspace is opened
    (see flows/governance/identity.py), or set by the server from an authenticated token. Never a typed name.
    """

    settings: Settings
    db: Database
    blobs: BlobStore
    login: str = ""
    acting_person: str | None = None
    not_bound: NotBound | None = None

    @property
    def actor(self) -> str:
        """The person every write records; raises `NotBound` (how to bind) when there is none."""
        if self.acting_person is None:
            raise self.not_bound or NotBound("this workspace view acts as nobody",
                                             kept="nothing was changed")
        return self.acting_person

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def init_workspace(settings: Settings, *, default_raci: bool = True, person: str | None = None,
                   name: str | None = None) -> Workspace:
    """Make the folders, migrate an empty database to head, add the initialiser as the first
    person bound to this login (id `person`, default the login), seed roles and the default RACI.

    Bootstrap: nobody is bound before the first person exists, so the initialiser binds themself.
    """
    from dataflywheel.flows.governance.people import add_first_person, first_person, seed_roles
    from dataflywheel.flows.governance.raci import load_default_matrix

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


def require_workspace(settings: Settings) -> None:
    """A missing embedded workspace is a `WorkspaceError` saying what to run, raised before
    SQLite is asked to open (and fails on, or creates) a database file that is not there."""
    if settings.db is None and not (settings.workspace / "flywheel.db").exists():
        raise WorkspaceError(
            f"no workspace at {settings.workspace}", hint="flywheel init (or pass --home DIR)"
        )


def open_workspace(settings: Settings) -> Workspace:
    """Open an existing workspace at the schema version of this code, or say what to run."""
    require_workspace(settings)
    db = Database(settings.db_url)
    try:
        _check_revision(db)
    except WorkspaceError:
        db.dispose()
        raise
    ws = Workspace(settings=settings, db=db, blobs=BlobStore(settings.objects_root))
    try:
        login = settings.login or os_login()
    except BadInput as exc:  # no OS login (a bare container): it may read, not write
        return replace(ws, not_bound=NotBound(exc.what, expected=exc.expected, hint=exc.hint))
    return acting_as(ws, login)


def upgrade_workspace(settings: Settings) -> tuple[str | None, str]:
    """Migrate to head; returns (from revision, to revision)."""
    require_workspace(settings)
    db = Database(settings.db_url)
    try:
        before = migrate.current_revision(db.engine)
        if before is not None and before not in migrate.known_revisions():
            raise _newer(db, before)
        migrate.upgrade(db.engine)
        return before, migrate.head_revision()
    finally:
        db.dispose()


def _check_revision(db: Database) -> None:
    current = migrate.current_revision(db.engine)
    head = migrate.head_revision()
    if current == head:
        return
    if current is None:
        raise WorkspaceError(f"{db.safe_url} is not a dataflywheel workspace (no schema version)",
                             hint="flywheel init")
    if current not in migrate.known_revisions():
        raise _newer(db, current)
    raise WorkspaceError(
        f"workspace schema {current} is older than this dataflywheel ({head})",
        path=db.safe_url, kept="the workspace is unchanged", hint="flywheel db upgrade",
    )


def _newer(db: Database, revision: str) -> WorkspaceError:
    return WorkspaceError(
        f"workspace schema {revision} was written by a newer dataflywheel",
        path=db.safe_url, expected=f"schema {migrate.head_revision()} or older",
        kept="the workspace is unchanged", hint="pip install -U dataflywheel",
    )


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
