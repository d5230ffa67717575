"""Migration 0011 gives datasets registered before it the Table 24-29 scenario their purpose and
sensitivity give, and projects the registry's new fields at their defaults, on both backends; the
0003 triggers on `datasets` survive the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from dataflywheel.flows.data.versions import create_dataset, get_dataset
from dataflywheel.flows.demand.projects import get_project
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store import migrate

KINDS = [("train", "training", "internal", "formal_training_corpus"),
         ("eval", "evaluation", "public", "critical_evaluation_set"),
         ("explore", "exploration", "internal", "exploratory_data"),
         ("secret", "exploration", "restricted", "highly_sensitive_user_feedback")]


def test_scenarios_are_backfilled_and_project_fields_defaulted(team: Workspace) -> None:
    for name, purpose, sensitivity, _ in KINDS:
        create_dataset(team, name, project_id="P-TEST", owner_id="data-owner", purpose=purpose,
                       sensitivity=sensitivity, scenario="temporary_analysis_sample")
    migrate.downgrade(team.db.engine, "0010")
    migrate.upgrade(team.db.engine)
    assert [get_dataset(team, name).scenario.value for name, *_ in KINDS] == [k[3] for k in KINDS]
    p = get_project(team, "P-TEST")
    assert (p.deliverables, p.registry_role, p.needs_human_review, p.needs_governance_control,
            p.imported_checks_passed, p.imported_checks_total) == ([], None, False, False,
                                                                   None, None)


def test_the_sealed_dataset_trigger_survives_down_and_up(team: Workspace, tmp_path: Path) -> None:
    from datapool_helpers import frozen_version, raw_sql

    frozen_version(team, tmp_path)
    migrate.downgrade(team.db.engine, "0010")
    migrate.upgrade(team.db.engine)
    with pytest.raises(DBAPIError) as info:
        raw_sql(team, "UPDATE datasets SET name = 'renamed'")
    assert "dataset version is frozen: its manifest covers this datasets row" in str(info.value)
