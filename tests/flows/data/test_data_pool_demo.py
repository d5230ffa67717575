"""The Data Pool demo step on the demo team: one vendor passes, one fails with an issue, a version
is frozen through the gate and its manifest digest printed; `flywheel verify` stays clean."""

from __future__ import annotations

import io

from rich.console import Console

from dataflywheel.flows.workspace import Workspace


def test_data_pool_demo_step(ws: Workspace) -> None:
    from dataflywheel.demo.contracts import demo_step as contracts_step
    from dataflywheel.demo.data_pool import demo_step
    from dataflywheel.demo.scenario import step_team
    from dataflywheel.flows.integrity import check_objects
    from dataflywheel.flows.data.versions import get_version

    quiet = Console(file=io.StringIO())
    step_team(ws, quiet, {})
    contracts_step(ws, quiet)
    out = io.StringIO()
    result = demo_step(ws, Console(file=out, width=200))
    text = out.getvalue()
    version, batches = get_version(ws, result.version)
    assert version.state.value == "frozen" and batches == ["B-0001"]
    assert result.failed_batch == "B-0002" and result.issue == "ISS-0001"
    assert "v-tagwise delivered tagwise-001.jsonl, tagwise-002.jsonl → B-0002 failed" in text
    assert "filed P1 ISS-0001" in text
    assert f"manifest digest (the version's identity): {version.manifest_sha256}" in text
    assert check_objects(ws).ok
