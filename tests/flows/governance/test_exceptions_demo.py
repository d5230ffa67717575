"""The exceptions demo step on the demo team: it runs, a failed batch is frozen under a time
exception, the exception expires at the explicit time, and the lineage is printed."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from dataflywheel.domain.states import ExceptionState
from dataflywheel.flows.workspace import Workspace


def test_demo_step_self_contained(ws: Workspace) -> None:
    from dataflywheel.demo.contracts import seed_contracts
    from dataflywheel.demo.exceptions import demo_step
    from dataflywheel.demo.team import seed_team

    seed_team(ws)
    seed_contracts(ws)
    out = io.StringIO()
    now = datetime.now(UTC)
    record = demo_step(ws, Console(file=out, width=200), now=now)
    text = out.getvalue()
    from dataflywheel.flows.governance.exceptions import show

    assert show(ws, record.id, now=now).exception.state is ExceptionState.EXPIRED
    assert "approved by lin.wei (Data Owner)" in text
    assert "Frozen k12-raw-pool@1 through the gate while EXC-0001 covers" in text
    assert "the sweep expired EXC-0001" in text and "is blocked again" in text
    assert "a new candidate with it is refused" in text
    assert "Lineage of k12-raw-pool@1 (frozen" in text
    assert "vendor:v-tagwise" in text and "EXC-0001 (expired)" in text
