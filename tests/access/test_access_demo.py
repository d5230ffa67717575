"""The access demo step on the demo team, after the exceptions step froze k12-raw-pool@1."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from dataflywheel.flows.workspace import Workspace


@pytest.mark.slow
def test_access_demo_step(ws: Workspace) -> None:
    from dataflywheel.demo.access import demo_step
    from dataflywheel.demo.contracts import seed_contracts
    from dataflywheel.demo.exceptions import demo_step as exceptions_step
    from dataflywheel.demo.team import seed_team
    from dataflywheel.flows.lineage import resolve_version

    seed_team(ws)
    seed_contracts(ws)
    now = datetime.now(UTC)
    exceptions_step(ws, Console(file=io.StringIO()), now=now)
    with ws.db.session() as s:
        version = resolve_version(s, "k12-raw-pool@1")
    out = io.StringIO()
    grant = demo_step(ws, Console(file=out, width=200), version_id=version.id, now=now)
    text = " ".join(out.getvalue().split())
    assert grant.state.value == "active" and grant.grantee_id == "li.na"
    assert f"Registered asset {version.id} (k12-raw-pool@1)" in text
    assert f"{grant.id} is active, approved by lin.wei" in text
    assert "once k12-raw-pool@1 is archived, li.na may read it" in text
    assert "tom.berg is refused until a grant is approved" in text
    assert "1 grant(s) and 0 exception(s) expire within 31 days" in text
    assert f"grant {grant.id}: li.na on {version.id} expires" in text
    assert version.state.value == "frozen"
