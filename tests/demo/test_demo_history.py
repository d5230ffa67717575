"""The demo's eight weeks of history on the calendar: each week's routine lands in its own week,
the bad weeks' issues close with published post-mortems, the weekly metrics read it back week by
week, and the self-assessment judges it (the demo's `flywheel assess` has something to judge)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from dataflywheel.flows.workspace import Workspace


def test_eight_weeks_land_on_the_calendar_and_the_metrics_read_them_back(ws: Workspace) -> None:
    from dataflywheel.demo.contracts import demo_step as contracts_step
    from dataflywheel.demo.history import SKIPS_DEDUP, WEEKS, demo_step, history_start
    from dataflywheel.demo.scenario import step_team
    from dataflywheel.domain.calendar import iso_week
    from dataflywheel.flows.assess import assess
    from dataflywheel.flows.metrics import measure
    from dataflywheel.store.repositories.issues import Issues, PostMortems

    quiet = Console(file=io.StringIO())
    step_team(ws, quiet, {})
    start = history_start()
    contracts_step(ws, quiet, registered=start)
    out = io.StringIO()
    lived = demo_step(ws, Console(file=out, width=300))

    assert [w.week for w in lived] == [iso_week(start + timedelta(weeks=n)) for n in range(WEEKS)]
    assert [bool(w.failed) for w in lived] == [n in SKIPS_DEDUP for n in range(WEEKS)]
    assert all(len(w.requirements) == 2 and len(w.versions) == 2 for w in lived)
    assert [w.experiment is not None for w in lived] == [n % 2 == 1 for n in range(WEEKS)]
    with ws.db.session() as s:
        issues = Issues(s).list()
        published = {pm.issue_id for pm in PostMortems(s).list() if pm.state.value == "published"}
    assert sorted(i for w in lived for i in w.issues) == sorted(i.id for i in issues)
    assert all(i.state.value == "closed" and i.id in published for i in issues)
    assert f"{lived[2].week}: 2 requirements committed and accepted, 4 batches (1 failed" in \
        out.getvalue()

    until = start + timedelta(weeks=WEEKS)
    answer = measure(ws, since=start, until=until, by="week")
    got = {f.metric: f for f in answer.figures}
    assert [(g.group, g.value) for g in got["throughput"].breakdown] == [
        (w.week, 2.0) for w in lived]
    assert got["batch_pass_rate"].samples == 3 * WEEKS + len(SKIPS_DEDUP)
    assert got["batch_pass_rate"].value == round(24 / 26, 4)  # 8 weeks x 3 passed, 2 failed

    found = assess(ws, as_of=until, window_days=WEEKS * 7)
    levels = {j.dimension: j.level_label for j in found.checklist}
    assert levels["Annotation governance"] == "continuously optimized"  # one guide, both sides
    assert levels["Incident post-mortems"] == "continuously optimized"
    assert levels["Version management"] == "continuously optimized"
    # filed on the Friday before their week: the first week's two fall before the window
    assert found.facts["window_requirements"] == 2 * WEEKS - 2
    assert found.as_of == until.astimezone(UTC) and found.as_of < datetime.now(UTC)
