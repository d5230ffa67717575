"""The access demo step on the demo team, after the exceptions step froze k12-raw-pool@1: a
restricted version refused without a grant and read with one, both audited."""

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
    from dataflywheel.flows.governance.access_reads import reads_of
    from dataflywheel.store.repositories.data import resolve_version

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
    assert grant.exception_id is not None
    assert f"Registered asset {version.id} (k12-raw-pool@1), sensitivity restricted" in text
    assert "li.na exports it without a grant: refused — version" in text
    assert f"Compliance exception {grant.exception_id} on {version.id}: risk high" in text
    assert f"li.na exports it with {grant.id}: 60 rows" in text
    refused, read = reads_of(ws, version.id)
    assert (refused.allowed, read.allowed) == (False, True)
    assert refused.reason.startswith("refused by li.na via export hf; purpose: replicate")
    assert read.reason.startswith("read by li.na via export hf; purpose: replicate")
    assert f"grants {grant.id}" in read.reason
    assert "li.na may read it until the grant or the exception ends" in text
    assert "tom.berg is refused: no grant" in text
    assert f"grant {grant.id}: li.na on {version.id} expires" in text
    assert version.state.value == "frozen"
