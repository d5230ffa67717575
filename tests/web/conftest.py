"""The dashboard under test: the demo workspace, built once per run, with a token per person.

`demo_site` runs the demo (the product's own showcase, every pool populated through its flows)
into a temporary home once per test run, then creates a one-day personal token for every active
person. `site_client` serves that workspace read-only (tests that only look share it);
`fresh_site` serves a private copy of it (a file copy of the SQLite workspace) for tests that act.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from dataflywheel.settings import Settings


@dataclass(frozen=True)
class DemoSite:
    home: Path
    settings: Settings
    token: dict[str, str]  # person id → personal token (plain text)
    output: str = ""  # what the demo printed


def _settings(home: Path) -> Settings:
    from dataflywheel.settings import Settings

    return Settings(home=home, audit_key=home / "audit.key")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    from rich.console import Console

    from dataflywheel.demo.scenario import run_demo
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.store.repositories.people import People

    printed = io.StringIO()
    home = run_demo(tmp_path_factory.mktemp("web-demo"), Console(file=printed, width=120))
    settings = _settings(home)
    tokens: dict[str, str] = {}
    with open_workspace(settings) as ws:
        with ws.db.session() as s:
            ids = [p.id for p in People(s).list() if p.active]
        for person in ids:
            tokens[person] = create_token(ws, person, lifetime=timedelta(days=1),
                                          label="web tests")[1]
    return DemoSite(home=home, settings=settings, token=tokens, output=printed.getvalue())


@pytest.fixture
def site_client(demo_site: DemoSite) -> Iterator[TestClient]:
    """A client of the site on the shared demo workspace: look, never act."""
    from fastapi.testclient import TestClient

    from dataflywheel.web.site import create_site

    with TestClient(create_site(demo_site.settings)) as client:
        yield client


@pytest.fixture
def fresh_site(demo_site: DemoSite, tmp_path: Path) -> Iterator[tuple[TestClient, DemoSite]]:
    """A client of the site on a private copy of the demo workspace, and that copy."""
    from fastapi.testclient import TestClient

    from dataflywheel.web.site import create_site

    home = tmp_path / "home"
    shutil.copytree(demo_site.home, home)
    copy = DemoSite(home=home, settings=_settings(home), token=demo_site.token)
    with TestClient(create_site(copy.settings)) as client:
        yield client, copy
