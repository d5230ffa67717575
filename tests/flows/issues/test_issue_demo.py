"""The Issue Pool demo step runs on the demo team, alone or after the contracts step."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console


@pytest.mark.parametrize("with_contracts_step", [False, True])
def test_demo_step(tmp_path: Path, with_contracts_step: bool) -> None:
    from dataflywheel.demo.issues import demo_step
    from dataflywheel.demo.team import seed_team
    from dataflywheel.flows.issues.lifecycle import issue_detail
    from dataflywheel.flows.notifications import inbox
    from dataflywheel.flows.governance.bootstrap import init_workspace
    from dataflywheel.settings import Settings

    settings = Settings(home=tmp_path, login="demo", audit_key=tmp_path / "audit.key")
    console = Console(record=True, width=200)
    with init_workspace(settings) as ws:
        seed_team(ws)
        if with_contracts_step:
            from dataflywheel.demo.contracts import seed_contracts

            seed_contracts(ws)
        demo_step(ws, console)
        issue, _ = issue_detail(ws, "ISS-0001")
        assert issue.state.value == "closed" and issue.escalation_level == 2
        assert any(n.kind == "escalation" for n in inbox(ws, "lin.wei"))
    out = console.export_text()
    assert "formal training set → P1" in out
    assert "escalated ISS-0001: level 0 → 2, notified lin.wei" in out
    assert "close refused: P1 issue ISS-0001 closes only with a post-mortem" in out
    assert "contract change: sft-instructions@2.0.0 active" in out
    assert "ISS-0001 is closed" in out
    assert "1 of 1 P0/P1 issues have a published post-mortem" in out
