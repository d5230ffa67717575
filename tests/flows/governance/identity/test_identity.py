"""Who acts is the person bound to the login, never a typed name (items 4 and 5 of "Trust").

Each test runs on SQLite and PostgreSQL through the real CLI (`cli` runs under the login it is
given; the `team` fixture binds each role's person to a login equal to their id).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contract_fixtures import contract_path
from sqlalchemy import select

from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow

RAW = contract_path("cleaned-raw-pool")


def _audit(ws: Workspace) -> list[tuple[str, str, str]]:
    """(actor, action, record id) of every audit entry, in order."""
    with ws.db.session() as s:
        rows = s.execute(select(AuditEntryRow.actor, AuditEntryRow.action, AuditEntryRow.record_id)
                         .order_by(AuditEntryRow.seq)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _people(cli: Any) -> list[tuple[str, bool, list[str], list[str]]]:
    rows = cli("people", "list", "--json").json()
    return [(p["id"], p["active"], p["roles"], p["logins"]) for p in rows]


def test_the_audit_actor_is_the_person_bound_to_the_login(team: Workspace, cli: Any) -> None:
    assert cli("people", "add", "ann", "Ann", login="data-owner").code == 0
    assert cli("people", "bind", "ann", "--login", "ann.os", login="data-owner").code == 0
    assert cli("people", "add", "bo", "Bo", login="ann.os").code == 0
    assert _audit(team)[-3:] == [("data-owner", "person.add", "ann"),
                                 ("data-owner", "login_binding.add", "ann.os"),
                                 ("ann", "person.add", "bo")]
    assert cli("people", "whoami", "--json", login="ann.os").json() == {"login": "ann.os",
                                                                        "person": "ann"}


def test_an_unbound_login_reads_but_every_write_says_how_to_bind(team: Workspace, cli: Any) -> None:
    before = (_audit(team), _people(cli))
    result = cli("people", "add", "eve", "Eve", login="eve.os")
    assert result.code == 2 and "Traceback" not in result.err
    assert " ".join(result.err.split()) == (
        "error: login 'eve.os' is not bound to a person of this workspace, so it may read but not "
        "write; expected a login bound to a person. Kept: nothing was changed. Next: a bound person "
        "runs: flywheel people bind PERSON --login eve.os")
    assert cli("people", "list", "--json", login="eve.os").code == 0  # reading is fine
    assert (_audit(team), _people(cli)) == before


def test_by_naming_someone_else_is_refused_and_changes_nothing(team: Workspace, cli: Any) -> None:
    before = _audit(team)
    result = cli("contracts", "import", str(RAW), "--by", "data-owner", login="algorithm-engineer")
    assert result.code == 2, result.err
    assert " ".join(result.err.split()) == (
        "error: --by data-owner names someone other than the acting person: login "
        "'algorithm-engineer' acts as algorithm-engineer; expected --by algorithm-engineer (or leave "
        "it out); got 'data-owner'. Kept: nothing was changed. Next: data-owner runs the command "
        "under their own login")
    assert _audit(team) == before and cli("contracts", "list", "--json").json() == []
    approver = cli("requirements", "triage", "REQ-0001", "--approver", "data-owner", login="tester")
    assert approver.code == 2 and "--approver data-owner names someone other" in approver.err
    ok = cli("contracts", "import", str(RAW), "--by", "data-owner", login="data-owner")
    assert ok.code == 0, ok.err
    assert _audit(team)[-1][0] == "data-owner"


def test_init_makes_the_initialiser_the_first_bound_person(cli: Any, settings: Any) -> None:
    result = cli("init", "--person", "ana", "--name", "Ana Ruiz", "--json", login="ana.os")
    assert result.code == 0, result.err
    assert (result.json()["person"], result.json()["login"]) == ("ana", "ana.os")
    assert _people(cli) == [("ana", True, [], ["ana.os"])]
    from dataflywheel.flows.workspace import open_workspace

    with open_workspace(settings.model_copy(update={"login": "ana.os"})) as ws:
        actors = {actor for actor, _, _ in _audit(ws)}
    assert actors == {"ana"}  # the roles and the default RACI were seeded by her, not by "cli"


def test_init_refuses_a_login_that_cannot_be_a_person_id_and_creates_nothing(
        cli: Any, settings: Any) -> None:
    result = cli("init", login="Jane Doe")
    assert result.code == 2 and "Traceback" not in result.err
    assert "the initialiser 'Jane Doe' cannot be a person id" in result.err
    assert "Next: flywheel init --person ID --name NAME" in " ".join(result.err.split())
    if settings.db is None:
        assert not (settings.workspace / "flywheel.db").exists()
    assert cli("init", "--person", "jane", login="Jane Doe").code == 2  # the binding is checked too
    assert cli("init", "--person", "jane", login="jane").code == 0


def test_a_second_data_owner_is_fixed_by_removing_the_role(team: Workspace, cli: Any) -> None:
    assert cli("people", "add", "do2", "Second DO", "--role", "data_owner").code == 0
    red = cli("raci", "check")
    assert red.code == 1 and "got ['data-owner', 'do2']" in red.err
    assert cli("people", "revoke-role", "do2", "data_owner", "--reason", "one A only").code == 0
    assert cli("raci", "check").code == 0
    assert _audit(team)[-1] == ("tester", "role_holding.remove", "do2:data_owner:*")
    missing = cli("people", "revoke-role", "do2", "data_owner", "--reason", "again")
    assert missing.code == 2 and "do2 does not hold data_owner team-wide" in missing.err


def _grant(ws: Workspace, grantee: str) -> tuple[str, str]:
    """An active grant and a requested one for `grantee` on a registered internal dataset."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.governance import access
    from dataflywheel.flows.data.versions import create_dataset

    create_dataset(ws, "corpus", project_id="P-TEST", owner_id="data-owner", purpose="training",
                   sensitivity="internal")
    now = utcnow()
    asset = access.register(ws, by="data-owner", dataset="corpus", now=now).id
    active = access.request(ws, asset, grantee=grantee, purpose="replicate", requested_by=grantee,
                            expires_at=now + timedelta(days=10))
    access.approve(ws, active.id, approver="data-owner")
    pending = access.request(ws, asset, grantee=grantee, purpose="more", requested_by=grantee,
                             expires_at=now + timedelta(days=10))
    return active.id, pending.id


def test_offboarding_revokes_grants_removes_roles_unbinds_and_deactivates(
        team: Workspace, cli: Any) -> None:
    active, pending = _grant(team, "algorithm-engineer")
    result = cli("people", "offboard", "algorithm-engineer", "--reason", "left the company",
                 "--json", login="data-owner")
    assert result.code == 0, result.err
    assert result.json() == {"person": "algorithm-engineer", "active": False,
                             "roles_removed": ["algorithm_engineer"],
                             "logins_unbound": ["algorithm-engineer"], "grants_revoked": [active],
                             "grants_denied": [pending], "tokens_revoked": []}
    grants = {g["id"]: g["state"] for g in cli("access", "list", "--json").json()}
    assert (grants[active], grants[pending]) == ("revoked", "denied")
    assert ("algorithm-engineer", False, [], []) in _people(cli)
    closing = {"access_grant.revoke", "access_grant.deny", "role_holding.remove",
               "login_binding.remove", "person.offboard"}
    assert [a for a in _audit(team) if a[1] in closing] == [
        ("data-owner", "access_grant.revoke", active), ("data-owner", "access_grant.deny", pending),
        ("data-owner", "role_holding.remove", "algorithm-engineer:algorithm_engineer:*"),
        ("data-owner", "login_binding.remove", "algorithm-engineer"),
        ("data-owner", "person.offboard", "algorithm-engineer")]
    # they can no longer act: their login acts as nobody, and no login can be bound to them again
    assert cli("people", "add", "x", "X", login="algorithm-engineer").code == 2
    again = cli("people", "bind", "algorithm-engineer", "--login", "alg2", login="data-owner")
    assert again.code == 2 and "algorithm-engineer was offboarded" in again.err


def test_a_deactivated_data_owner_can_no_longer_approve(team: Workspace, cli: Any) -> None:
    assert cli("people", "add", "do2", "Next DO", "--role", "data_owner", "--login", "do2").code == 0
    assert cli("people", "offboard", "data-owner", "--reason", "handed over", login="do2").code == 0
    who = cli("raci", "who", "training_set_version_release", "--json").json()
    assert who["accountable"] == "do2"
    self_off = cli("people", "offboard", "do2", "--reason", "x", login="do2")
    assert self_off.code == 2 and "do2 cannot offboard themself" in self_off.err
    twice = cli("people", "offboard", "data-owner", "--reason", "x", login="do2")
    assert twice.code == 2 and "data-owner is already offboarded" in twice.err


def test_a_workspace_without_bindings_lets_the_first_bind_claim_a_person_once(
        team: Workspace, cli: Any) -> None:
    """A workspace upgraded from before bindings has none: nobody could write, so the first
    `people bind` may claim a person (audited as them); from then on only a bound person binds."""
    from sqlalchemy import delete

    from dataflywheel.store.tables.people import LoginBindingRow

    with team.db.unit_of_work() as s:
        s.execute(delete(LoginBindingRow))
    assert cli("people", "add", "x", "X", login="lw").code == 2
    claimed = cli("people", "bind", "data-owner", "--login", "lw", login="lw")
    assert claimed.code == 0, claimed.err
    assert _audit(team)[-1] == ("data-owner", "login_binding.add", "lw")
    second = cli("people", "bind", "legal-compliance", "--login", "eve", login="eve")
    assert second.code == 2 and "login 'eve' is not bound" in second.err
    assert cli("people", "add", "x", "X", login="lw").code == 0
