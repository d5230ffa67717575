"""The version page's reads on a candidate with a passed and a failed batch: the lineage graph
(requirement → batches → version → experiments → issues → fixes) and what is in force on it
(grants on its dataset, exceptions covering its batches), each appearing and lapsing with time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from gov_helpers import T0, Pool

from dataflywheel.flows.data.version_graph import version_graph
from dataflywheel.flows.data.version_in_force import in_force
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance import exceptions as ex

DAY = timedelta(days=1)


def _exception(pool: Pool) -> str:
    req = ex.ExceptionRequest(
        type="time", scope="batch B-bad", reason="vendor fix lands next week",
        usage_restriction="exploration only", isolation_label="quarantine/B-bad",
        outstanding_checks=["duplicates"], expires_at=T0 + 3 * DAY, batch_ids=[pool.failed],
        project_id="P-TEST")
    record = ex.request(pool.ws, replace(req), requested_by="data-engineer", now=T0)
    ex.approve(pool.ws, record.id, approver="data-owner", now=T0 + timedelta(hours=1))
    return record.id


def test_in_force_lists_the_covering_exception_and_the_dataset_grant_until_they_lapse(
        pool: Pool) -> None:
    ws = pool.ws
    assert in_force(ws, pool.candidate, now=T0).model_dump(include={"grants", "exceptions"}) \
        == {"grants": [], "exceptions": []}
    exception = _exception(pool)
    asset = access.register(ws, by="data-owner", dataset=pool.dataset, now=T0).id
    grant = access.request(ws, asset, grantee="algorithm-engineer", purpose="fine-tune",
                           expires_at=T0 + 2 * DAY, requested_by="algorithm-engineer", now=T0)
    access.approve(ws, grant.id, approver="data-owner", now=T0 + timedelta(hours=2))
    during = in_force(ws, pool.candidate, now=T0 + DAY)
    assert [e.id for e in during.exceptions] == [exception]
    assert [g.id for g in during.grants] == [grant.id] and [a.id for a in during.assets] == [asset]
    between = in_force(ws, pool.candidate, now=T0 + 2 * DAY)  # the grant's expiry is exclusive
    assert ([g.id for g in between.grants], [e.id for e in between.exceptions]) == ([], [exception])
    after = in_force(ws, pool.candidate, now=T0 + 4 * DAY)
    assert (after.grants, after.exceptions) == ([], [])


def test_graph_walks_requirement_batches_version_experiment_issue_and_fix(pool: Pool) -> None:
    from dataflywheel.domain.records.issue import IssueRelation
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.issues.lifecycle import open_issue
    from dataflywheel.flows.issues.postmortems import write

    ws = pool.ws
    bare = version_graph(ws, pool.candidate)
    assert [(n.kind, n.id) for n in bare.nodes] == [
        ("requirement", pool.requirement), ("batch", pool.failed), ("batch", pool.passed),
        ("version", pool.candidate)]
    assert {(e.source, e.target) for e in bare.edges} == {
        (pool.requirement, pool.failed), (pool.requirement, pool.passed),
        (pool.failed, pool.candidate), (pool.passed, pool.candidate)}
    run = log_experiment(ws, parse_create({
        "title": "probe", "kind": "exploratory", "model_version": "m1", "project_id": "P-TEST",
        "versions": [{"version_id": pool.candidate, "role": "train"}]})).experiment
    issue = open_issue(ws, title="probe regressed", severity="P1", source="experiment",
                       project_id="P-TEST", links=[("experiment", run.id,
                                                    IssueRelation.AFFECTS.value)])
    pm = write(ws, issue.id, event="probe regressed")
    graph = version_graph(ws, pool.candidate)
    assert [(n.kind, n.id) for n in graph.nodes][-3:] == [
        ("experiment", run.id), ("issue", issue.id), ("fix", pm.id)]
    assert {(e.source, e.target) for e in graph.edges} - {(e.source, e.target)
                                                           for e in bare.edges} == {
        (pool.candidate, run.id), (run.id, issue.id), (issue.id, pm.id)}
    assert graph.column("fix")[0].label == "no process change linked yet"
