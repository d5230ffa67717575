"""Shared fixtures: a fresh database per test, on SQLite and (when configured) on PostgreSQL.

PostgreSQL runs read FLYWHEEL_TEST_POSTGRES_URL; each test gets a database of its own for its
length (`database`: its own schema, dropped afterwards; `backend_url`: a reusable database put back
to the template's rows after each test, see tests/pg_reuse.py), so tests never share state or
depend on order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from team_helpers import admin_engine as _admin_engine
from team_helpers import make_team

if TYPE_CHECKING:
    from pg_reuse import DatabasePool

    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings
    from dataflywheel.store.session import Database

REPO_ROOT = Path(__file__).resolve().parents[1]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
POSTGRES_ENV = "FLYWHEEL_TEST_POSTGRES_URL"


def postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_ENV} to a postgresql+psycopg:// URL")
    try:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        psycopg.connect(plain, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means: unreachable
        pytest.skip(f"PostgreSQL run skipped: {POSTGRES_ENV} is unreachable ({exc})")
    return url


def realdata_or_skip(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared realdata is not part of the repository)")
    return path


def create_all_tables(engine: object) -> None:
    """Create every table on a fresh copy of the metadata.

    SQLAlchemy's PostgreSQL `create_all` adds cyclic foreign keys by ALTER and marks them on the
    metadata it was given, so a later SQLite `create_all` from the same metadata would silently
    leave them out; a copy per database keeps every backend complete.
    """
    from sqlalchemy import MetaData

    from dataflywheel.store.tables import Base

    meta = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(meta)
    meta.create_all(engine)  # type: ignore[arg-type]


def _create_all_at(url: str) -> None:
    from dataflywheel.store.session import make_engine

    engine = make_engine(url)
    try:
        create_all_tables(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator["Database"]:
    """An empty database with every table created, on each backend (on PostgreSQL, this
    process's reusable one of that kind, emptied after each test: tests/pg_reuse.py)."""
    from dataflywheel.store.session import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'flywheel.db'}")
        create_all_tables(db.engine)
        yield db
        db.dispose()
    else:
        url = postgres_url_or_skip()
        reusable = request.getfixturevalue("_postgres_databases").get(
            url, None, _create_all_at, kind="create_all")
        db = Database(reusable.test_url)
        yield db
        db.dispose()
        reusable.reset()


@pytest.fixture(scope="session")
def _template_workspaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One initialised workspace per backend, built once; `ws` clones it (a file copy on SQLite;
    on PostgreSQL a reusable clone put back after each test, tests/pg_reuse.py) instead of
    migrating and seeding every time."""
    templates: dict[str, Any] = {}
    yield templates
    if "postgres" in templates:
        url, name = templates["postgres"]
        from sqlalchemy import text

        admin = _admin_engine(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _build_template(kind: str, templates: dict[str, Any], factory: pytest.TempPathFactory) -> Any:
    from dataflywheel.flows.governance.bootstrap import init_workspace
    from dataflywheel.settings import Settings

    home = factory.mktemp(f"template-{kind}")
    if kind == "sqlite":
        init_workspace(Settings(home=home, login="tester", audit_key=home / "k")).close()
        templates[kind] = home / ".flywheel" / "flywheel.db"
        return templates[kind]
    from sqlalchemy import make_url, text

    url = postgres_url_or_skip()
    name = f"flywheel_tpl_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    templates[kind] = (url, name)
    db = make_url(url).set(database=name).render_as_string(hide_password=False)
    init_workspace(Settings(home=home, db=db, login="tester", audit_key=home / "k")).close()
    return templates[kind]


@pytest.fixture
def _postgres_template(_template_workspaces: dict[str, Any],
                       tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database a PostgreSQL test that asks for `ws` is created from (`backend_url`): the
    initialised workspace, built on first use. `tests/api` overrides it with its seeded template,
    so its tests' reusable database is a clone of that one, not of this one."""
    template = _template_workspaces.get("postgres") or _build_template(
        "postgres", _template_workspaces, tmp_path_factory)
    return str(template[1])


@pytest.fixture(scope="session")
def _postgres_databases() -> Iterator["DatabasePool"]:
    """This process's reusable PostgreSQL databases (`tests/pg_reuse.py`), dropped at the end."""
    from pg_reuse import DatabasePool

    pool = DatabasePool()
    yield pool
    pool.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                _template_workspaces: dict[str, Any]) -> Iterator[str | None]:
    """None for the embedded SQLite default, or the URL of a PostgreSQL database of this test
    alone: empty, or — when the test asks for `ws` — holding what the initialised template holds.
    It is this process's reusable database of that template, put back after each test."""
    if request.param == "sqlite":
        if "ws" in request.fixturenames and "sqlite" not in _template_workspaces:
            _build_template("sqlite", _template_workspaces, tmp_path_factory)
        yield None
        return
    url = postgres_url_or_skip()
    template = request.getfixturevalue("_postgres_template") if "ws" in request.fixturenames \
        else None
    database = request.getfixturevalue("_postgres_databases").get(url, template)
    yield database.test_url
    database.reset()


@pytest.fixture
def settings(tmp_path: Path, backend_url: str | None) -> "Settings":
    from dataflywheel.settings import Settings

    home = tmp_path / "home"
    home.mkdir()
    return Settings(home=home, db=backend_url, login="tester", audit_key=tmp_path / "audit.key")


@pytest.fixture
def ws(settings: "Settings", _template_workspaces: dict[str, Any]) -> Iterator["Workspace"]:
    """A fresh workspace (migrated, roles seeded, default RACI) on each backend."""
    import shutil

    from dataflywheel.flows.workspace import open_workspace

    (settings.workspace / "objects").mkdir(parents=True)  # as `init` leaves it, on either backend
    if settings.db is None:
        shutil.copyfile(_template_workspaces["sqlite"], settings.workspace / "flywheel.db")
    workspace = open_workspace(settings)
    yield workspace
    workspace.close()


@pytest.fixture
def team(ws: "Workspace") -> "Workspace":
    """A workspace with one person in each of the seven roles (each bound to a login equal to their
    id) and one project, built through flows; the workspace acts as "tester", who initialised it."""
    return make_team(ws)




@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], settings: "Settings"):  # type: ignore[no-untyped-def]
    """Call the real CLI against this test's workspace settings (home and backend)."""
    from clirun import flywheel

    def call(*args: str, login: str | None = None):  # type: ignore[no-untyped-def]
        return flywheel(capsys, settings.home, *args, db=settings.db, login=login)

    return call
