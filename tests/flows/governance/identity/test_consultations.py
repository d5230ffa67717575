"""Consulted is a request with a deadline, answered by the person or recorded unanswered (item 4).

Runs on SQLite and PostgreSQL; the release test freezes a real version through the gate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import select

from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow

ITEM = "training_set_version_release"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_consult_answer_and_unanswered_at_deadline(team: Workspace, cli: Any) -> None:
    with time_machine.travel(T0, tick=False):
        asked = cli("raci", "consult", ITEM, "--on", "dataset_version:V-X", "--due",
                    "2026-12-08T09:00+00:00", "--json", login="data-owner")
        assert asked.code == 0, asked.err
        rows = asked.json()
        # Table 24-7: C of training-set version release = DE, AE, QE, Legal
        assert [(r["id"], r["person_id"], r["state"]) for r in rows] == [
            ("CNS-0001", "annotation-engineer", "requested"), ("CNS-0002", "data-engineer", "requested"),
            ("CNS-0003", "legal-compliance", "requested"), ("CNS-0004", "quality-evaluator", "requested")]
        inbox = cli("inbox", "data-engineer", "--json").json()
        assert any(n["kind"] == "consult" and "CNS-0002" in n["body"] for n in inbox)
        other = cli("raci", "answer", "CNS-0002", "--response", "fine", login="quality-evaluator")
        assert other.code == 2 and "CNS-0002 asks data-engineer, not quality-evaluator" in other.err
        ok = cli("raci", "answer", "CNS-0002", "--response", "schema checked, OK", "--json",
                 login="data-engineer")
        assert ok.code == 0 and ok.json()[0]["outcome"] == "answered: schema checked, OK"
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        late = cli("raci", "answer", "CNS-0003", "--response", "late", login="legal-compliance")
        assert late.code == 2 and "CNS-0003 is unanswered" in late.err
        shown = cli("raci", "consultations", "--on", "dataset_version:V-X", "--json").json()
    assert [(r["person_id"], r["state"]) for r in shown] == [
        ("annotation-engineer", "unanswered"), ("data-engineer", "answered"),
        ("legal-compliance", "unanswered"), ("quality-evaluator", "unanswered")]
    assert shown[0]["outcome"] == "unanswered by the deadline 2026-12-08T09:00:00+00:00"


def test_bad_consult_requests_ask_nobody(team: Workspace, cli: Any) -> None:
    past = cli("raci", "consult", ITEM, "--on", "dataset_version:V-X", "--due", "2020-01-01",
               login="data-owner")
    assert past.code == 2 and "a consultation needs a deadline in the future" in past.err
    bad_on = cli("raci", "consult", ITEM, "--on", "V-X", "--due", "2099-01-01", login="data-owner")
    assert bad_on.code == 2 and "--on needs KIND:ID" in bad_on.err
    assert cli("raci", "consultations", "--json").json() == []


def test_the_release_records_the_consultations_not_a_typed_answer(
        team: Workspace, tmp_path: Path) -> None:
    from datapool_helpers import FULL_DATASHEET, deliver_clean, setup_pool

    from dataflywheel.flows.governance import consultations

    from dataflywheel.flows.data import versions
    from dataflywheel.flows.workspace import acting_as
    from dataflywheel.flows.data.version_release import freeze

    pool = setup_pool(team, sensitivity="public")
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    version = versions.create_version(team, pool.dataset, by="data-engineer", batch_ids=[batch.id])
    versions.set_datasheet(team, version.id, FULL_DATASHEET, by="data-engineer")
    now = datetime.now(UTC)
    owner = acting_as(team, "data-owner")
    consultations.request(owner, ITEM, record_kind="dataset_version", record_id=version.id,
                          project_id="P-TEST", due_at=now + timedelta(hours=1), now=now)
    consultations.answer(acting_as(team, "quality-evaluator"), "CNS-0004", response="report OK",
                         now=now)
    freeze(owner, version.id, by="data-owner", now=now + timedelta(hours=2),
           consultations={"quality-evaluator": "typed by the approver"})
    with team.db.session() as s:
        rows = s.execute(select(AuditEntryRow.actor, AuditEntryRow.reason).where(
            AuditEntryRow.action == "version.consulted").order_by(AuditEntryRow.seq)).all()
    due = (now + timedelta(hours=1)).isoformat()
    assert [tuple(r) for r in rows] == [
        ("data-owner", f"annotation-engineer: unanswered by the deadline {due}"),
        ("data-owner", f"data-engineer: unanswered by the deadline {due}"),
        ("data-owner", f"legal-compliance: unanswered by the deadline {due}"),
        ("data-owner", "quality-evaluator: answered: report OK")]
