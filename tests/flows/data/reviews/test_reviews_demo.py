"""The review demo step: a spot check completed through review (sheet written, reviews taken,
batch accepted) and a baseline freeze that follows the notice and the final spot check."""

from __future__ import annotations

import io

from rich.console import Console

from dataflywheel.flows.workspace import Workspace


def test_reviews_demo_step(ws: Workspace) -> None:
    from dataflywheel.demo.contracts import demo_step as contracts_step
    from dataflywheel.demo.reviews import demo_step
    from dataflywheel.demo.scenario import step_team
    from dataflywheel.flows.integrity import check_objects
    from dataflywheel.flows.data.versions import get_version

    quiet = Console(file=io.StringIO())
    step_team(ws, quiet, {})
    contracts_step(ws, quiet)
    out = io.StringIO()
    vid = demo_step(ws, Console(file=out, width=200))
    text = " ".join(out.getvalue().split())
    assert ("v-brightlabel delivered 60 SFT pairs → B-0001 awaiting_review (awaiting review: "
            "spot_check_pass_rate (needs > 0.95); no issue filed)") in text
    assert "Review sheet: 50 records (stratified sample)" in text
    assert "omar.haddad reviewed 50 records: pass rate 98% (needs > 95 %) → B-0001 passed" in text
    assert "Freeze notice for V-0001 sent 3 days ago to the producers: v-brightlabel-lead" in text
    assert "Final spot check by omar.haddad: 50 records, 0 pending" in text
    version, batches = get_version(ws, vid)
    assert version.state.value == "frozen" and version.baseline and batches == ["B-0001"]
    assert check_objects(ws).ok
