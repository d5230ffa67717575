"""`flywheel demo` runs end to end on a fresh workspace and leaves what it printed in the store."""

from __future__ import annotations

from pathlib import Path

from clirun import flywheel


def test_demo_seeds_the_team_and_passes_raci_check(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "demo"
    result = flywheel(capsys, tmp_path, "demo", "--dir", str(home))
    assert result.code == 0, result.err
    assert "RACI check: OK" in result.out
    assert "flywheel check: 412 records, 2 rejected" in result.out
    assert "chain intact" in result.out
    assert "Incremental verify from the head signed after the Data Pool scene" in result.out
    assert "entries re-hashed, intact" in result.out
    assert "manifest(s) recomputed from their rows, all match" in result.out
    out = " ".join(result.out.split())
    # issue 20: the fifteen deliverables exported beside the workspace, and the check green
    assert "PASS 14/14 (3 command-level, 11 artifact-level)" in out
    assert len([p for p in (home / "p10").rglob("*") if p.is_file()]) == 15
    assert "Proposed cleaned-raw-pool@2.0.0 (breaking)" in out
    assert "manifest digest (the version's identity)" in out
    assert "theme TH-0001 absorbed" in out
    assert "Feedback-loop rate" in out
    people = flywheel(capsys, home, "people", "list", "--json").json()
    roles = {r.split("@")[0] for p in people for r in p["roles"]}
    assert len(roles) == 7
    projects = flywheel(capsys, home, "projects", "list", "--json").json()
    assert {p["name"] for p in projects} >= {"K-12 tutor main model", "Oral assessment",
                                             "Essay scoring"}
    assert len(projects) == 3 + 15  # the team's three and the P01-P15 registry (issue 20)
    vendors = {v["id"]: v["active"] for v in
               flywheel(capsys, home, "vendors", "list", "--json").json()}
    # the team's two, and ClearMark, onboarded and offboarded by the annotation step (issue 23)
    assert vendors == {"v-brightlabel": True, "v-tagwise": True, "v-clearmark": False}


def test_demo_acts_as_each_person_through_their_binding_and_offboards_one(  # type: ignore[no-untyped-def]
        capsys, tmp_path: Path) -> None:
    from sqlalchemy import select

    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.settings import Settings
    from dataflywheel.store.tables.audit import AuditEntryRow

    home = tmp_path / "demo"
    result = flywheel(capsys, tmp_path, "demo", "--dir", str(home), login="runner")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "you: demo (login runner)" in out
    assert "acting as lin.wei (login lin.wei)" in out and "acting as li.na (login li.na)" in out
    assert ("lin.wei offboarded li.na (moves to another company; her work is handed to tom.berg): "
            "grants revoked GRT-0001, roles removed algorithm_engineer, logins unbound li.na; "
            "active: False") in out
    assert "login li.na now: login 'li.na' is not bound to a person of this workspace" in out
    # the team server scene: three people over HTTP, the one who is not Accountable refused
    assert "omar.haddad: GET /me → omar.haddad (quality_evaluator)" in out
    assert ("→ 403 chen.jie may not do this in project P-K12: only the Accountable person for "
            "training_set_version_release may") in out
    assert "lin.wei: POST /versions/" in out and "→ 200, frozen as number" in out
    assert "version.freeze by lin.wei" in out
    assert "RACI check after she left: OK" in out
    people = {p["id"]: p for p in flywheel(capsys, home, "people", "list", "--json").json()}
    assert (people["li.na"]["active"], people["li.na"]["roles"]) == (False, [])
    assert people["demo"]["logins"] == ["runner"] and people["lin.wei"]["logins"] == ["lin.wei"]
    with open_workspace(Settings(home=home, login="runner")) as ws, ws.db.session() as s:
        actors = set(s.scalars(select(AuditEntryRow.actor)))
    assert actors - set(people) <= {"flywheel:expiry"}  # every actor is a person (or the clock)
    assert {"demo", "lin.wei", "li.na"} <= actors
