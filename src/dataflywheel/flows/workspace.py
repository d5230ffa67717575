"""Open and upgrade a workspace: the database and the blob store, at one schema version, and who acts.

Opening a workspace whose schema is older than this code says to run `flywheel db upgrade`; one
written by a newer dataflywheel says to upgrade the program. Neither is touched.

This is plumbing every pool imports, so it imports no pool: creating a workspace seeds the
governance pool (first person, roles, default RACI) and lives there
(`flows/governance/bootstrap.py`); binding logins to people is `flows/governance/identity.py`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from dataflywheel.errors import BadInput, NotBound, WorkspaceError
from dataflywheel.settings import Settings
from dataflywheel.store import migrate
from dataflywheel.store.blobs import BlobStore
from dataflywheel.store.repositories.people import LoginBindings, People
from dataflywheel.store.session import Database


@dataclass
class Workspace:
    """An open workspace; flows take it as their first argument.

    `acting_person` is who writes: resolved from the login's binding when the workspace is opened
    (`acting_as`), or set by the server from an authenticated token. Never a typed name.
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


def os_login() -> str:
    """The login of the process, or BadInput when the OS names none."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise BadInput("the operating system names no login for this process",
                       expected="a login name", hint="set FLYWHEEL_LOGIN=NAME") from None


def _bound_person(s: Session, login: str) -> tuple[str | None, NotBound | None]:
    """(person id, None) when `login` acts as an active person, else (None, why it may not write)."""
    binding = LoginBindings(s).find(login)
    if binding is None:
        return None, NotBound(
            f"login {login!r} is not bound to a person of this workspace, so it may read but not "
            "write", expected="a login bound to a person", kept="nothing was changed",
            hint=f"a bound person runs: flywheel people bind PERSON --login {login}")
    person = People(s).get(binding.person_id)
    if not person.active:
        return None, NotBound(
            f"login {login!r} is bound to {person.id}, who was offboarded and may no longer act",
            expected="an active person", kept="nothing was changed",
            hint=f"flywheel people show {person.id}")
    return person.id, None


def acting_as(ws: Workspace, login: str) -> Workspace:
    """A view of `ws` acting as whoever `login` is bound to (same database and blob store)."""
    with ws.db.session() as s:
        person, problem = _bound_person(s, login)
    return replace(ws, login=login, acting_person=person, not_bound=problem)


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
