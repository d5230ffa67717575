"""Shared fixtures: a fresh database per test, on SQLite and (when configured) on PostgreSQL.

PostgreSQL runs read FLYWHEEL_TEST_POSTGRES_URL; each test gets its own schema, dropped afterwards,
so tests never share state or depend on order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
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


def _postgres_database(url: str) -> Iterator["Database"]:
    from sqlalchemy import text

    from dataflywheel.store.session import Database, make_engine

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    db = Database(url, engine=engine)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator["Database"]:
    """An empty database with every table created, on each backend."""
    from dataflywheel.store.session import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'flywheel.db'}")
        create_all_tables(db.engine)
        yield db
        db.dispose()
    else:
        gen = _postgres_database(postgres_url_or_skip())
        db = next(gen)
        create_all_tables(db.engine)
        yield db
        gen.close()



@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the embedded SQLite default, or a PostgreSQL URL bound to a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    from sqlalchemy import text

    from dataflywheel.store.session import make_engine

    url = postgres_url_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, backend_url: str | None) -> "Settings":
    from dataflywheel.settings import Settings

    home = tmp_path / "home"
    home.mkdir()
    return Settings(home=home, db=backend_url, actor="tester", audit_key=tmp_path / "audit.key")


@pytest.fixture
def ws(settings: "Settings") -> Iterator["Workspace"]:
    """A fresh workspace (migrated, roles seeded, default RACI) on each backend."""
    from dataflywheel.flows.workspace import init_workspace

    workspace = init_workspace(settings)
    yield workspace
    workspace.close()


@pytest.fixture
def team(ws: "Workspace") -> "Workspace":
    """A workspace with one person in each of the seven roles and one project, built through flows."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.people import add_person
    from dataflywheel.flows.projects import add_project

    for role in Role:
        add_person(ws, Person(id=role.value.replace("_", "-"), name=role.value.title()), roles=[role])
    add_project(ws, Project(id="P-TEST", name="Test project", owner_id="data-owner"))
    return ws


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], settings: "Settings"):  # type: ignore[no-untyped-def]
    """Call the real CLI against this test's workspace settings (home and backend)."""
    from clirun import flywheel

    def call(*args: str):  # type: ignore[no-untyped-def]
        return flywheel(capsys, settings.home, *args, db=settings.db)

    return call
