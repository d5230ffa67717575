"""Post-mortems: blameless, complete, and linked to an implemented process change before a P0/P1
issue may close; publishing files the post-mortem in the knowledge base."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataflywheel.domain.records.issue import Issue
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows.issues import lifecycle as flow
from dataflywheel.flows.issues import postmortems as pm
from dataflywheel.flows.workspace import Workspace

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SECTIONS = {
    "event": "12 % of batch B-7 were near-duplicates", "impact": "SFT v3 frozen with duplicates",
    "timeline": [{"at": NOW.isoformat(), "what": "gate flagged"}],
    "root_cause": "the near-duplicate gate was not part of the contract, so the delivery passed",
    "remediation": "deduplicated and re-froze", "preventive_measures": ["near-dup gate on every batch"],
    "process_change": "contract gates near-duplicate rate",
}


def _resolved_p1(ws: Workspace, *, now: datetime = NOW) -> Issue:
    issue = flow.open_issue(ws, title="near-duplicate spike", severity="P1", source="quality_check",
                            project_id="P-TEST", owner_id="data-engineer", now=now)
    flow.assign(ws, issue.id, owner_id="data-engineer", now=now)
    return flow.resolve(ws, issue.id, resolution="deduplicated", now=now)


def _register_raw_pool(ws: Workspace) -> None:
    from contract_fixtures import contract_text

    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text("cleaned-raw-pool")
    register_contract(ws, parse_odcs(text, source="x"), text, by="data-owner",
                      now=NOW - timedelta(days=1))


def _propose_raw_pool_2(ws: Workspace) -> str:
    from contract_fixtures import contract_text

    from dataflywheel.flows.contracts.lifecycle import propose
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text("cleaned-raw-pool-2.0.0")  # a new required field, changed on NOW
    proposal = propose(ws, parse_odcs(text, source="x"), text, source="test",
                       by="data-engineer", now=NOW + timedelta(hours=1))
    return proposal.version.id


def test_p1_closes_with_a_published_post_mortem_and_a_contract_change(team: Workspace) -> None:
    from dataflywheel.flows.contracts.lifecycle import activate_version, get_version
    from dataflywheel.flows.issues.kb import search

    _register_raw_pool(team)
    issue = _resolved_p1(team)
    version_id = _propose_raw_pool_2(team)
    pm.write(team, issue.id, author_id="quality-evaluator", **SECTIONS)
    with pytest.raises(PolicyViolation) as err:
        pm.link_change(team, issue.id, kind="contract_version", ref=version_id)
    assert str(err.value) == (f"contract version {version_id} is proposed, not implemented; field "
                              f"'change'; expected an active contract version. Next: flywheel "
                              f"contracts activate {version_id}")
    version = get_version(team, version_id)[0]
    activate_version(team, version_id, by="data-owner", now=version.effective_from)
    linked = pm.link_change(team, issue.id, kind="contract_version", ref=version_id)
    assert linked.change_contract_version_id == version_id
    pm.submit(team, issue.id)
    published = pm.publish(team, issue.id)
    closed = flow.close(team, issue.id)
    assert closed.state.value == "closed" and published.state.value == "published"
    hits = search(team, "near duplicate gate")
    assert [h.kind.value for h in hits] == ["post_mortem"]
    assert version_id in team_doc_body(team, hits[0].id)


def team_doc_body(ws: Workspace, doc_id: str) -> str:
    from dataflywheel.flows.issues.kb import show

    return show(ws, doc_id).document.body


def test_a_contract_version_older_than_the_issue_is_not_its_change(team: Workspace) -> None:
    _register_raw_pool(team)
    issue = _resolved_p1(team)
    pm.write(team, issue.id, **SECTIONS)
    with pytest.raises(PolicyViolation) as err:
        pm.link_change(team, issue.id, kind="contract_version", ref="cleaned-raw-pool@1.0.0")
    assert "predates the issue; it cannot be its change" in str(err.value)


def test_post_mortem_without_a_linked_change_is_refused(team: Workspace) -> None:
    issue = _resolved_p1(team)
    pm.write(team, issue.id, **SECTIONS)
    pm.submit(team, issue.id)
    with pytest.raises(PolicyViolation) as err:
        pm.publish(team, issue.id)
    assert str(err.value) == (
        "post-mortem PM-0001 of ISS-0001 has no linked process change; expected every section and "
        "an implemented change. Kept: PM-0001 is still review. Next: flywheel issues "
        "postmortem-link ISS-0001 --kind KIND --ref ID")
    with pytest.raises(PolicyViolation, match="closes only with a published post-mortem; PM-0001 "
                                              "is review"):
        flow.close(team, issue.id)
    assert pm.post_mortem_of(team, issue.id).state.value == "review"


def test_incomplete_post_mortem_is_refused_with_its_gaps(team: Workspace) -> None:
    from dataflywheel.flows.governance.raci import export_matrix, import_matrix

    issue = _resolved_p1(team)
    pm.write(team, issue.id, event="e", root_cause="no review step for vendor batches")
    import_matrix(team, export_matrix(team), reason="vendor batches get a review step")
    pm.link_change(team, issue.id, kind="raci_change", ref="training_set_version_release")
    pm.submit(team, issue.id)
    with pytest.raises(PolicyViolation) as err:
        pm.publish(team, issue.id)
    assert "lacks impact, timeline, remediation, preventive_measures, process_change" in str(err.value)


def test_raci_change_must_follow_the_issue(team: Workspace) -> None:
    issue = _resolved_p1(team)
    pm.write(team, issue.id, **SECTIONS)
    with pytest.raises(PolicyViolation) as err:
        pm.link_change(team, issue.id, kind="raci_change", ref="training_set_version_release")
    assert str(err.value) == (
        "no RACI change was imported since the issue was opened; field 'change'; expected a "
        "raci.import audit entry after the issue. Next: flywheel raci import FILE")


def test_check_and_guide_changes(team: Workspace) -> None:
    issue = _resolved_p1(team)
    pm.write(team, issue.id, **SECTIONS)
    assert pm.link_change(team, issue.id, kind="check", ref="near_duplicates").change_ref == \
        "near_duplicates"
    with pytest.raises(NotFound, match="check 'vibes' is not registered"):
        pm.link_change(team, issue.id, kind="check", ref="vibes")
    with pytest.raises(NotFound) as err:
        pm.link_change(team, issue.id, kind="guide_version", ref="guide-9")
    assert str(err.value) == ("guide version 'guide-9' is used by no delivered batch; field "
                              "'change'; expected a guide version already in use")
    with pytest.raises(BadInput, match="unknown process-change kind 'memo'"):
        pm.link_change(team, issue.id, kind="memo", ref="x")
    # the earlier good link is kept
    assert pm.post_mortem_of(team, issue.id).change_ref == "near_duplicates"


def test_blameless_root_cause(team: Workspace) -> None:
    issue = _resolved_p1(team)
    with pytest.raises(PolicyViolation) as err:
        pm.write(team, issue.id, root_cause="data-engineer forgot to run the dedup")
    assert str(err.value) == ("the root cause names 'data-engineer'; a blameless post-mortem asks "
                              "why the process let it through, not who; field 'root_cause'; "
                              "expected a process, check, contract clause or review step")
    with pytest.raises(NotFound):
        pm.post_mortem_of(team, issue.id)


def test_published_post_mortem_is_not_edited(team: Workspace) -> None:
    issue = _resolved_p1(team)
    pm.write(team, issue.id, **SECTIONS)
    pm.link_change(team, issue.id, kind="check", ref="near_duplicates")
    pm.submit(team, issue.id)
    pm.publish(team, issue.id)
    with pytest.raises(PolicyViolation, match="PM-0001 is published; only a draft is edited. Kept: PM-0001 is unchanged"):
        pm.write(team, issue.id, impact="rewritten")
    assert "Blameless" in pm.template(team, issue.id)
