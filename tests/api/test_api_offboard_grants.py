"""Offboarding a person who holds access grants: an administrator (who is not the sharing
Accountable) offboards them over HTTP and every grant is closed, audited under the administrator —
as `flywheel people offboard` does locally, whoever runs it. Both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def _grants(ws: Any, grantee: str) -> tuple[str, list[str]]:
    """An active grant of `grantee` on a registered internal dataset, and all their requested
    ones (the seeded one and a new one)."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.states import GrantState
    from dataflywheel.flows.data.versions import create_dataset
    from dataflywheel.flows.governance import access
    from dataflywheel.store.repositories.governance import AccessGrants

    create_dataset(ws, "leaver-corpus", project_id="P-TEST", owner_id="data-owner",
                   purpose="training", sensitivity="internal")
    now = utcnow()
    asset = access.register(ws, by="data-owner", dataset="leaver-corpus", now=now).id
    active = access.request(ws, asset, grantee=grantee, purpose="replicate", requested_by=grantee,
                            expires_at=now + timedelta(days=10))
    access.approve(ws, active.id, approver="data-owner")
    access.request(ws, asset, grantee=grantee, purpose="more", requested_by=grantee,
                   expires_at=now + timedelta(days=10))
    with ws.db.session() as s:
        pending = sorted(g.id for g in AccessGrants(s).list(grantee_id=grantee)
                         if g.state is GrantState.REQUESTED)
    return active.id, pending


def _closing(ws: Any, person: str) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    actions = ("access_grant.revoke", "access_grant.deny", "person.offboard")
    with ws.db.session() as s:
        rows = s.execute(select(AuditEntryRow.actor, AuditEntryRow.action, AuditEntryRow.record_id,
                                AuditEntryRow.reason).order_by(AuditEntryRow.seq))
        return [(a, act, rid) for a, act, rid, why in rows
                if act in actions and (rid == person or f"offboarding {person}" in (why or ""))]


def test_an_admin_offboards_a_person_with_grants_and_they_are_closed_audited(
        api: TestClient, team: Any, principals: dict[str, dict[str, str]]) -> None:
    active, pending = _grants(team, "algorithm-engineer")
    assert len(pending) == 2
    answer = api.post("/api/v1/people/algorithm-engineer/offboard",
                      json={"reason": "left the company"}, headers=principals["admin"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["active"], body["grants_revoked"], sorted(body["grants_denied"])) == (
        False, [active], pending)
    assert body["roles_removed"] == ["algorithm_engineer"] and body["tokens_revoked"]
    grants = api.get("/api/v1/grants", params={"grantee": "algorithm-engineer"},
                     headers=principals["data-owner"]).json()["items"]
    assert {g["id"]: g["state"] for g in grants} == {active: "revoked"} | {
        p: "denied" for p in pending}
    assert {g["end_reason"] for g in grants} == {
        "offboarding algorithm-engineer: left the company"}
    assert sorted(_closing(team, "algorithm-engineer")) == sorted(
        [("tester", "access_grant.revoke", active), ("tester", "person.offboard",
                                                     "algorithm-engineer")]
        + [("tester", "access_grant.deny", p) for p in pending])
    gone = api.get("/api/v1/me", headers=principals["algorithm-engineer"])
    assert_envelope(gone, 401, "")


def test_locally_a_team_member_who_is_not_the_sharing_accountable_offboards_them_too(
        cli: Any, team: Any) -> None:
    active, pending = _grants(team, "algorithm-engineer")
    done = cli("people", "offboard", "algorithm-engineer", "--reason", "left", "--json",
               login="data-engineer")
    assert done.code == 0, done.err
    assert done.json()["grants_revoked"] == [active]
    assert sorted(done.json()["grants_denied"]) == pending
    assert ("data-engineer", "access_grant.revoke", active) in _closing(team, "algorithm-engineer")
