"""Contract flows on a real workspace: register, propose, notices, activation, delivery gate, metric."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import EXAMPLE_IDS, custom, example_doc, example_path
from sqlalchemy import func, select

from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.states import ContractVersionState as S
from dataflywheel.errors import AlreadyExists, BadInput, Conflict, NotFound, PolicyViolation
from dataflywheel.flows.contracts import lifecycle as flows
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
Writer = Callable[..., Path]


def _audits(ws: Workspace, kind: str) -> int:
    with ws.db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntryRow)
                        .where(AuditEntryRow.record_kind == kind)) or 0


def _register(ws: Workspace, contract_id: str = "cleaned-raw-pool") -> None:
    flows.import_contract(ws, example_path(contract_id), by="data-owner", project_id="P-TEST", now=T0)


def _breaking_doc(**change: Any) -> dict[str, Any]:
    """cleaned-raw-pool 2.0.0 without `source` (a removed field), a breaking change."""
    doc = example_doc("cleaned-raw-pool")
    doc["version"] = "2.0.0"
    doc["schema"][0]["properties"] = [p for p in doc["schema"][0]["properties"] if p["name"] != "source"]
    custom(doc["customProperties"], "flywheelChange").update(
        {"changeClass": "breaking", "reason": "source moves to the batch manifest",
         "compatibilityPeriodDays": 30, "migrationNote": "read the source from the manifest"} | change)
    return doc


def _compatible_doc() -> dict[str, Any]:
    doc = example_doc("cleaned-raw-pool")
    doc["version"] = "1.1.0"
    doc["schema"][0]["quality"][0]["mustBeLessThan"] = 2  # duplicate_rate looser: 1 % → 2 %
    custom(doc["customProperties"], "flywheelChange").update({"changeClass": "compatible"})
    return doc


def test_register_the_four_examples_with_audit(cws: Workspace) -> None:
    for contract_id in EXAMPLE_IDS:
        _register(cws, contract_id)
    listed = flows.list_contracts(cws)
    assert [c.id for c, _ in listed] == sorted(EXAMPLE_IDS)
    for record, versions in listed:
        assert [(v.id, v.state) for v in versions] == [(f"{record.id}@1.0.0", S.ACTIVE)]
        assert versions[0].document == example_path(record.id).read_text(encoding="utf-8")
    version, contract, notices = flows.get_version(cws, "sft-instructions")
    assert version.id == "sft-instructions@1.0.0" and contract.id == "sft-instructions"
    assert notices == [] and len(version.document_sha256) == 64
    assert _audits(cws, "contract") == 4 and _audits(cws, "contract_version") == 4
    record = listed[0][0]
    assert record.raci_item_id == "data_collection_and_cleaning" and record.project_id == "P-TEST"


def test_register_twice_is_refused(cws: Workspace) -> None:
    _register(cws)
    with pytest.raises(AlreadyExists) as info:
        _register(cws)
    assert str(info.value) == (
        "contract cleaned-raw-pool already exists. Next: flywheel contracts propose FILE (a version "
        "after 1.0.0)"
    )
    assert _audits(cws, "contract") == 1


def test_a_contract_naming_a_role_nobody_holds_stores_nothing(ws: Workspace) -> None:
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import add_person
    for role in (Role.DATA_OWNER, Role.DATA_ENGINEER, Role.ANNOTATION_ENGINEER):
        add_person(ws, Person(id=role.value, name=role.value), roles=[role])
    with pytest.raises(PolicyViolation) as info:
        flows.import_contract(ws, example_path("eval-set"), by="data_owner", now=T0)
    assert str(info.value) == (
        "nobody holds role 'quality_evaluator' (contract eval-set names it); expected at least one "
        "person holding it. Kept: nothing was stored. Next: flywheel people grant-role PERSON "
        "quality_evaluator"
    )
    assert flows.list_contracts(ws) == [] and _audits(ws, "contract") == 0


def test_unknown_person_and_unknown_project(cws: Workspace) -> None:
    with pytest.raises(NotFound, match=r"^person nobody does not exist; expected the id of a person"):
        flows.import_contract(cws, example_path("eval-set"), by="nobody", now=T0)
    with pytest.raises(NotFound, match=r"^project P-NONE does not exist"):
        flows.import_contract(cws, example_path("eval-set"), by="data-owner", project_id="P-NONE")
    assert flows.list_contracts(cws) == []


def test_compatible_change_minor_no_notices_old_version_still_accepted(
    cws: Workspace, write_doc: Writer
) -> None:
    _register(cws)
    proposal = flows.propose_version(cws, write_doc(_compatible_doc()), by="data-owner", now=T0)
    assert proposal.diff.change_class is ChangeClass.COMPATIBLE and proposal.notices == []
    assert proposal.version.state is S.PROPOSED and proposal.version.effective_from == T0
    flows.activate_version(cws, "cleaned-raw-pool@1.1.0", by="data-owner", now=T0)
    with cws.db.session() as s:
        old = flows.check_delivery_allowed(s, "cleaned-raw-pool@1.0.0", T0 + timedelta(days=400))
        assert old.state is S.DEPRECATED and old.superseded_by_id == "cleaned-raw-pool@1.1.0"
        assert flows.check_delivery_allowed(s, "cleaned-raw-pool@1.1.0", T0).state is S.ACTIVE


def test_breaking_change_notices_period_then_refusal_naming_the_new_version(
    cws: Workspace, write_doc: Writer
) -> None:
    _register(cws)
    proposal = flows.propose_version(cws, write_doc(_breaking_doc()), by="data-engineer", now=T0)
    version = proposal.version
    assert proposal.diff.change_class is ChangeClass.BREAKING
    assert version.effective_from == T0 + timedelta(days=14)
    assert version.compatibility_until == T0 + timedelta(days=44)
    assert version.migration_note == "read the source from the manifest"
    # data_collection_and_cleaning (Table 24-7): C = annotation_engineer, platform_engineer,
    # legal_compliance; I = data_owner, quality_evaluator, algorithm_engineer
    assert [(n.person_id, n.letter, n.sent_at, n.days_ahead) for n in proposal.notices] == [
        ("algorithm-engineer", "I", T0, 14.0), ("annotation-engineer", "C", T0, 14.0),
        ("data-owner", "I", T0, 14.0), ("legal-compliance", "C", T0, 14.0),
        ("platform-engineer", "C", T0, 14.0), ("quality-evaluator", "I", T0, 14.0)]
    assert _audits(cws, "contract_notice") == 6
    with pytest.raises(PolicyViolation, match=r"takes effect at 2026-11-16T09:00:00\+00:00"):
        flows.activate_version(cws, version.id, by="data-owner", now=T0 + timedelta(days=13))
    flows.activate_version(cws, version.id, by="data-owner", now=T0 + timedelta(days=14))
    with cws.db.session() as s:
        during = flows.check_delivery_allowed(s, "cleaned-raw-pool@1.0.0", T0 + timedelta(days=43))
        assert during.id == "cleaned-raw-pool@1.0.0"
        with pytest.raises(PolicyViolation) as info:
            flows.check_delivery_allowed(s, "cleaned-raw-pool@1.0.0", T0 + timedelta(days=44))
    assert str(info.value) == (
        "contract version cleaned-raw-pool@1.0.0 is no longer accepted: the compatibility period "
        "of cleaned-raw-pool@2.0.0 ended 2026-12-16T09:00:00+00:00; expected a delivery under cleaned-raw-pool@2.0.0; got "
        "'cleaned-raw-pool@1.0.0'. Next: see the migration note: flywheel contracts show "
        "cleaned-raw-pool@2.0.0"
    )
    rate = flows.advance_notice_rate(cws)
    assert (rate.breaking, rate.on_time, rate.rate) == (1, 1, 1.0)
    assert flows.retire_expired(cws, by="data-owner", now=T0 + timedelta(days=43)) == []
    assert flows.retire_expired(cws, by="data-owner", now=T0 + timedelta(days=44)) == [
        "cleaned-raw-pool@1.0.0"]
    with cws.db.session() as s, pytest.raises(PolicyViolation, match=r"cleaned-raw-pool@1\.0\.0 is "
                                                                    r"retired; deliver under "
                                                                    r"cleaned-raw-pool@2\.0\.0"):
        flows.check_delivery_allowed(s, "cleaned-raw-pool@1.0.0", T0)


def test_short_notice_needs_a_reason_and_counts_as_late(cws: Workspace, write_doc: Writer) -> None:
    _register(cws)
    soon = T0 + timedelta(days=3)
    path = write_doc(_breaking_doc())
    with pytest.raises(PolicyViolation) as info:
        flows.propose_version(cws, path, by="data-engineer", now=T0, effective_from=soon)
    assert str(info.value) == (
        f"{path}: a breaking change takes effect at least 14 days after its notices; "
        "expected effective from 2026-11-16T09:00:00+00:00 or later; got '2026-11-05T09:00:00+00:00'. "
        "Next: choose a later --effective, or give --short-notice REASON")
    assert _audits(cws, "contract_notice") == 0
    proposal = flows.propose_version(cws, write_doc(_breaking_doc()), by="data-engineer", now=T0,
                                     effective_from=soon, short_notice_reason="legal takedown")
    assert proposal.version.short_notice_reason == "legal takedown"
    rate = flows.advance_notice_rate(cws)
    assert (rate.breaking, rate.on_time, rate.late, rate.rate) == (1, 0, ["cleaned-raw-pool@2.0.0"], 0.0)


def test_only_the_layer_owner_may_change_it(cws: Workspace, write_doc: Writer) -> None:
    _register(cws)
    with pytest.raises(PolicyViolation) as info:
        flows.propose_version(cws, write_doc(_breaking_doc()), by="annotation-engineer", now=T0)
    assert str(info.value) == (
        "annotation-engineer may not change the structural layer; expected a person holding "
        "'data_engineer'; got 'annotation-engineer'. Kept: nothing was stored"
    )
    with pytest.raises(PolicyViolation, match="data-engineer may not change the operational layer"):
        flows.propose_version(cws, write_doc(_compatible_doc()), by="data-engineer", now=T0)
    assert [v.id for _, vs in flows.list_contracts(cws) for v in vs] == ["cleaned-raw-pool@1.0.0"]


def test_breaking_change_without_migration_note_or_with_a_wrong_class(
    cws: Workspace, write_doc: Writer
) -> None:
    _register(cws)
    path = write_doc(_breaking_doc(migrationNote=""))
    with pytest.raises(BadInput) as info:
        flows.propose_version(cws, path, by="data-engineer")
    assert str(info.value) == (
        f"{path}: a breaking change needs a compatibility period and a migration note; "
        "field 'customProperties.flywheelChange.migrationNote'; expected a value")
    path = write_doc(_breaking_doc(changeClass="compatible"))
    with pytest.raises(BadInput) as info:
        flows.propose_version(cws, path, by="data-engineer")
    assert str(info.value) == (
        f"{path}: the document declares a compatible change but the diff is breaking "
        "([structural] field removed fields.source (breaking)); field 'customProperties.flywheelChange.changeClass'; "
        "expected 'breaking'; got 'compatible'")
    assert _audits(cws, "contract_version") == 1


def test_version_going_backwards_and_pending_proposal(cws: Workspace, write_doc: Writer) -> None:
    _register(cws)
    doc = _compatible_doc() | {"version": "0.9.0"}
    with pytest.raises(BadInput, match=r"contract version goes backwards; field 'version'; "
                                       r"expected a version after 1\.0\.0; got '0\.9\.0'"):
        flows.propose_version(cws, write_doc(doc), by="data-owner", now=T0)
    flows.propose_version(cws, write_doc(_compatible_doc()), by="data-owner", now=T0)
    with pytest.raises(Conflict, match=r"version cleaned-raw-pool@1\.1\.0 is still proposed"):
        flows.propose_version(cws, write_doc(_breaking_doc()), by="data-engineer", now=T0)
    with cws.db.session() as s, pytest.raises(PolicyViolation, match=r"is only proposed; deliver under "
                                                                    r"cleaned-raw-pool@1\.0\.0"):
        flows.check_delivery_allowed(s, "cleaned-raw-pool@1.1.0", T0)
    with pytest.raises(PolicyViolation, match=r"data-engineer may not reject"):
        flows.reject_version(cws, "cleaned-raw-pool@1.1.0", reason="no", by="data-engineer")
    rejected = flows.reject_version(cws, "cleaned-raw-pool@1.1.0", reason="not needed", by="data-owner")
    assert rejected.state is S.REJECTED
    with cws.db.session() as s, pytest.raises(PolicyViolation, match="is rejected; deliver under"):
        flows.check_delivery_allowed(s, "cleaned-raw-pool@1.1.0", T0)


def test_delivery_gate_bad_ids(cws: Workspace) -> None:
    with cws.db.session() as s:
        with pytest.raises(BadInput, match=r"invalid contract version; expected 'sft' is not CONTRACT@VERSION"):
            flows.check_delivery_allowed(s, "sft", T0)
        with pytest.raises(NotFound, match=r"contract version sft@9\.9\.9 does not exist"):
            flows.check_delivery_allowed(s, "sft@9.9.9", T0)


def test_propose_for_an_unknown_contract(cws: Workspace, write_doc: Writer) -> None:
    path = write_doc(_compatible_doc())
    with pytest.raises(NotFound) as info:
        flows.propose_version(cws, path, by="data-owner")
    assert str(info.value) == (f"{path}: contract cleaned-raw-pool does not exist. "
                               f"Next: flywheel contracts import {path}")


def test_a_compatible_step_does_not_hide_a_later_breaking_one(cws: Workspace, write_doc: Writer) -> None:
    _register(cws)
    flows.propose_version(cws, write_doc(_compatible_doc()), by="data-owner", now=T0)
    flows.activate_version(cws, "cleaned-raw-pool@1.1.0", by="data-owner", now=T0)
    doc = _breaking_doc()
    doc["schema"][0]["quality"][0]["mustBeLessThan"] = 2  # keep 1.1.0's looser gate
    flows.propose_version(cws, write_doc(doc), by="data-engineer", now=T0)
    flows.activate_version(cws, "cleaned-raw-pool@2.0.0", by="data-owner", now=T0 + timedelta(days=14))
    with cws.db.session() as s:
        for old in ("cleaned-raw-pool@1.0.0", "cleaned-raw-pool@1.1.0"):
            assert flows.check_delivery_allowed(s, old, T0 + timedelta(days=43)).id == old
            with pytest.raises(PolicyViolation, match=r"the compatibility period of cleaned-raw-pool"
                                                      r"@2\.0\.0 ended .*a delivery under "
                                                      r"cleaned-raw-pool@2\.0\.0"):
                flows.check_delivery_allowed(s, old, T0 + timedelta(days=44))


def test_concurrent_proposals_one_wins_the_rest_conflict(cws: Workspace, write_doc: Writer) -> None:
    import threading

    _register(cws)
    paths = []
    for minor in range(1, 9):
        doc = _compatible_doc() | {"version": f"1.{minor}.0"}
        paths.append(write_doc(doc, name=f"p{minor}.odcs.yaml"))
    barrier = threading.Barrier(len(paths))
    outcomes: list[str] = []

    def run(path: Path) -> None:
        barrier.wait()
        try:
            flows.propose_version(cws, path, by="data-owner", now=T0)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append("conflict" if "is still proposed" in str(exc) else str(exc))

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    versions = [v for _, vs in flows.list_contracts(cws) for v in vs]
    assert [v.state for v in versions].count(S.PROPOSED) == 1
    assert _audits(cws, "contract_version") == 2


def test_a_rejected_proposal_does_not_count_in_the_notice_rate(
    cws: Workspace, write_doc: Writer
) -> None:
    """A turned-down breaking proposal never took effect: it is neither on time nor late."""
    _register(cws)
    proposal = flows.propose_version(cws, write_doc(_breaking_doc()), by="data-engineer", now=T0,
                                     effective_from=T0 + timedelta(days=3),
                                     short_notice_reason="legal takedown")
    assert flows.advance_notice_rate(cws).late == ["cleaned-raw-pool@2.0.0"]
    flows.reject_version(cws, proposal.version.id, reason="not needed after all", by="data-owner")
    rate = flows.advance_notice_rate(cws)
    assert (rate.breaking, rate.on_time, rate.late, rate.rate) == (0, 0, [], None)
