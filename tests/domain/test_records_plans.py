"""Plan records: stages in order with sane dates, milestones that say when they were done."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.plan import Milestone, Stage
from dataflywheel.domain.records.project import Layer


def test_stage_dates_and_layer() -> None:
    stage = Stage(id="S-1", project_id="P", name="collect", position=0, layer="data_source",
                  starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 30))
    assert stage.layer is Layer.DATA_SOURCE
    with pytest.raises(ValidationError, match="ends_on 2026-11-01 is before starts_on 2026-11-02"):
        Stage(id="S-1", project_id="P", name="collect", position=0,
              starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 1))
    with pytest.raises(ValidationError) as info:
        Stage.model_validate({"id": "S-1", "project_id": "P", "name": "", "position": -1,
                              "layer": "kitchen"})
    text = str(info.value)
    assert "name\n  String should have at least 1 character" in text
    assert "position\n  Input should be greater than or equal to 0" in text
    assert "layer\n  Input should be 'data_source', 'processing', " in text


def test_milestone_done_needs_time_and_due_date_is_a_date() -> None:
    with pytest.raises(ValidationError, match="a done milestone needs done_at"):
        Milestone(id="M-1", project_id="P", title="v1 frozen", due_on=date(2026, 12, 1),
                  state="done")
    done = Milestone(id="M-1", project_id="P", title="v1 frozen", due_on=date(2026, 12, 1),
                     state="done", done_at=datetime(2026, 11, 30, tzinfo=UTC))
    assert done.done_at is not None
    with pytest.raises(ValidationError, match="due_on\n  Input should be a valid date"):
        Milestone(id="M-1", project_id="P", title="x", due_on="soon")  # type: ignore[arg-type]
    expected = "state\n  Input should be 'planned', 'in_progress', "
    with pytest.raises(ValidationError, match=expected):
        Milestone.model_validate({"id": "M-1", "project_id": "P", "title": "x",
                                  "due_on": date(2026, 12, 1), "state": "late"})
