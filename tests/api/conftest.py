"""The team server under test: people with personal tokens, and a client for the real app.

`principals` gives every kind of caller the policy test asks about, by name:
anonymous (no header), expired, revoked (tokens that no longer authenticate), one person per RACI
role (team-wide, in project P-TEST), `admin` (the workspace's initialiser: administers the server,
holds no role) and `outsider` (a data owner of another project, P-OTHER).
`seeded` are the records routes name in their paths (`{project}`, `{person}`, …): each pool's
`seed_<pool>.py` adds its own through flows (`SEEDERS`). Two pools may seed the same name (a
submitted requirement for triage, a committed one for deliveries): the later seeder's value is under
the plain name, and each pool's own under `<pool>.<name>` (`data.requirement`), which its tests
and its routes' examples in the policy test use.

Seeding every pool for every test would cost seconds a test, so it happens once per backend and
run (`SeededTemplate`); here `ws` is a copy of that template (on PostgreSQL the reusable database
is a clone of it, put back to its rows after each test), and `team`, `seeded` and `principals`
read what it holds.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import PRINCIPALS, ROLE_PEOPLE, assert_envelope  # noqa: F401 - re-exported
from seed_access import seed_access
from seed_data import seed_data
from seed_demand import seed_demand
from seed_experiments import seed_experiments
from seed_governance import seed_governance
from seed_guides import seed_guides
from seed_issues import seed_issues
from seed_versions import seed_versions

if TYPE_CHECKING:
    from dataflywheel.api.background import BackgroundServer
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

PERSON_OF = {**{p: p for p in ROLE_PEOPLE}, "admin": "tester", "outsider": "outsider"}


def seed_people(ws: Workspace) -> dict[str, str]:
    """The outsider (data owner of P-OTHER only) and the project itself."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.governance.people import add_person

    add_project(ws, Project(id="P-OTHER", name="Another project", owner_id="data-owner"))
    add_person(ws, Person(id="outsider", name="Outsider"), roles=[Role.DATA_OWNER],
               project_id="P-OTHER", login="outsider")
    return {"project": "P-TEST", "person": "data-engineer"}


SEEDERS: list[Callable[[Workspace], dict[str, str]]] = [
    seed_people,
    seed_access,
    seed_governance,
    seed_data,
    seed_experiments,
    seed_demand,
    seed_issues,
    seed_guides,
    seed_versions,
]


def make_principals(ws: Workspace, seeded: dict[str, str]) -> dict[str, dict[str, str]]:
    """principal name → the headers it sends (none for anonymous); adds a spare token to `seeded`."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.governance.tokens import create_token, revoke_token

    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, person in PERSON_OF.items():
        _, plaintext = create_token(ws, person, lifetime=timedelta(days=2), label=name)
        headers[name] = {"Authorization": f"Bearer {plaintext}"}
    _, old = create_token(ws, "data-engineer", lifetime=timedelta(hours=1),
                          now=utcnow() - timedelta(hours=2), label="expired")
    headers["expired"] = {"Authorization": f"Bearer {old}"}
    gone, plaintext = create_token(ws, "data-engineer", lifetime=timedelta(days=2),
                                   label="revoked")
    revoke_token(ws, gone.id, reason="test")
    headers["revoked"] = {"Authorization": f"Bearer {plaintext}"}
    spare, _ = create_token(ws, "data-engineer", lifetime=timedelta(days=2), label="spare")
    seeded["token"] = spare.id
    return headers


@dataclass
class SeededTemplate:
    """A workspace built once per backend and run: the team, every pool's seeds, the principals.
    A test's copy costs a file copy on SQLite (`clone_into`) and, on PostgreSQL, the reset of
    the reusable clone that `backend_url` lends anyway (`_postgres_template` names this
    template); the object store folder is copied on both."""

    home: Path
    db_name: str | None
    seeded: dict[str, str]
    principals: dict[str, dict[str, str]]

    def clone_into(self, settings: Settings) -> None:
        source = self.home / ".flywheel"
        target = settings.workspace
        shutil.copytree(source / "objects", target / "objects", dirs_exist_ok=True)
        if settings.db is None:
            shutil.copyfile(source / "flywheel.db", target / "flywheel.db")


def _build_seeded(base: Any, factory: pytest.TempPathFactory) -> SeededTemplate:
    """Seed a copy of `base` (the initialised SQLite file, or the PostgreSQL (URL, database) pair
    of `_template_workspaces`)."""
    from team_helpers import make_team

    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.settings import Settings

    kind = "sqlite" if isinstance(base, Path) else "postgres"
    home = factory.mktemp(f"api-template-{kind}")
    (home / ".flywheel" / "objects").mkdir(parents=True)
    db_name = url = None
    if kind == "sqlite":
        shutil.copyfile(base, home / ".flywheel" / "flywheel.db")
    else:
        from sqlalchemy import make_url, text

        from team_helpers import admin_engine as _admin_engine

        db_name = f"api_tpl_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine(base[0])
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db_name}" TEMPLATE "{base[1]}"'))
        admin.dispose()
        url = make_url(base[0]).set(database=db_name).render_as_string(hide_password=False)
    template_settings = Settings(home=home, db=url, login="tester", audit_key=home / "audit.key")
    with open_workspace(template_settings) as ws:
        make_team(ws)
        seeded: dict[str, str] = {}
        for seed in SEEDERS:
            made = seed(ws)
            pool = seed.__name__.removeprefix("seed_")
            seeded.update(made)  # a name two pools seed: the later one wins...
            seeded.update({f"{pool}.{k}": v for k, v in made.items()})  # ...each keeps its own
        principals = make_principals(ws, seeded)
    return SeededTemplate(home=home, db_name=db_name, seeded=seeded, principals=principals)


@pytest.fixture(scope="session")
def _seeded_templates(_template_workspaces: dict[str, Any]) -> Iterator[dict[str, SeededTemplate]]:
    templates: dict[str, SeededTemplate] = {}
    yield templates
    pg = templates.get("postgres")
    if pg is not None and pg.db_name is not None and "postgres" in _template_workspaces:
        from sqlalchemy import text

        from team_helpers import admin_engine as _admin_engine

        admin = _admin_engine(_template_workspaces["postgres"][0])
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg.db_name}" WITH (FORCE)'))
        admin.dispose()


def _seeded(kind: str, templates: dict[str, SeededTemplate], base: dict[str, Any],
            factory: pytest.TempPathFactory) -> SeededTemplate:
    if kind not in templates:
        templates[kind] = _build_seeded(base[kind], factory)
    return templates[kind]


@pytest.fixture
def _postgres_template(_postgres_template: str, _template_workspaces: dict[str, Any],
                       _seeded_templates: dict[str, SeededTemplate],
                       tmp_path_factory: pytest.TempPathFactory) -> str:
    """Here a PostgreSQL test's database is a copy of the seeded template, not the initialised
    one (which `_postgres_template` of tests/conftest.py builds, and the seeded one starts from)."""
    made = _seeded("postgres", _seeded_templates, _template_workspaces, tmp_path_factory)
    assert made.db_name is not None
    return made.db_name


@pytest.fixture
def seeded_template(settings: Settings, _template_workspaces: dict[str, Any],
                    _seeded_templates: dict[str, SeededTemplate],
                    tmp_path_factory: pytest.TempPathFactory) -> SeededTemplate:
    """The seeded template of this test's backend, built on first use."""
    kind = "sqlite" if settings.db is None else "postgres"
    return _seeded(kind, _seeded_templates, _template_workspaces, tmp_path_factory)


@pytest.fixture
def ws(settings: Settings, seeded_template: SeededTemplate) -> Iterator[Workspace]:
    """Here: a clone of the seeded template (team, every pool's seeds, the principals' tokens)."""
    from dataflywheel.flows.workspace import open_workspace

    seeded_template.clone_into(settings)
    workspace = open_workspace(settings)
    yield workspace
    workspace.close()


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    """The seeded clone already holds the team."""
    return ws


@pytest.fixture
def seeded(ws: Workspace, seeded_template: SeededTemplate) -> dict[str, str]:
    """Path-parameter values: the records each pool's `seed_<pool>` made."""
    return dict(seeded_template.seeded)


@pytest.fixture
def principals(ws: Workspace, seeded_template: SeededTemplate) -> dict[str, dict[str, str]]:
    """principal name → the headers it sends (none for anonymous)."""
    return seeded_template.principals


@pytest.fixture
def api(settings: Settings, principals: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    """The real app over this test's workspace (its lifespan opens the workspace)."""
    from dataflywheel.api.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def _live_server() -> Iterator[BackgroundServer]:
    """One uvicorn server on loopback per test module; each test points it at its own workspace
    (`live_server`), so tests share the server, not their data. Per module, not per run: a
    server thread left running would make every later quality check in the run spawn its
    workers instead of forking them (`checks/engines/helpers.start_method`)."""
    from dataflywheel.api.app import create_app
    from dataflywheel.api.background import running
    from dataflywheel.settings import Settings

    with running(create_app(Settings(), open_on_start=False)) as server:
        yield server


@pytest.fixture
def live_server(_live_server: BackgroundServer, settings: Settings,
                principals: dict[str, dict[str, str]]) -> Iterator[BackgroundServer]:
    """The shared loopback server, serving this test's workspace (with its principals)."""
    from dataflywheel.flows.workspace import open_workspace

    ws = open_workspace(settings)
    _live_server.app.state.workspace = ws
    try:
        yield _live_server
    finally:
        _live_server.app.state.workspace = None
        ws.close()
