"""`flywheel access …` and `flywheel export --as` end to end through the real CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.flows.workspace import Workspace


def test_register_request_approve_check_revoke(team: Workspace, internal: str, cli: Any) -> None:
    assert [a["id"] for a in cli("access", "list", "--assets", "--json").json()] == [internal]
    made = cli("access", "request", internal, "--grantee", "algorithm-engineer", "--purpose",
               "ablation", "--days", "10", "--by", "algorithm-engineer", "--json")
    assert made.code == 0, made.err
    grant = made.json()["id"]
    wrong = cli("access", "approve", grant, "--by", "quality-evaluator")
    assert wrong.code == 2 and "quality-evaluator may not approve grant GRT-0001" in wrong.err
    done = cli("access", "approve", grant, "--by", "data-owner")
    assert done.code == 0 and "GRT-0001 is active" in done.out
    listed = cli("access", "list", "--state", "active", "--grantee", "algorithm-engineer", "--json")
    assert [g["id"] for g in listed.json()] == [grant]
    assert "access grants" in cli("access", "list").out
    revoked = cli("access", "revoke", grant, "--by", "data-owner", "--reason", "done", "--json")
    assert revoked.json()["state"] == "revoked"
    denied = cli("access", "deny", cli("access", "request", internal, "--grantee", "data-engineer",
                                       "--purpose", "x", "--days", "1", "--by", "data-engineer",
                                       "--json").json()["id"],
                 "--by", "data-owner", "--reason", "no need")
    assert denied.code == 0 and "GRT-0002 denied" in denied.out


def test_request_bad_input_is_one_line_and_stores_nothing(team: Workspace, internal: str,
                                                          cli: Any) -> None:
    base = ["access", "request", internal, "--grantee", "algorithm-engineer", "--purpose", "p",
            "--by", "algorithm-engineer"]
    past = cli(*base, "--expires", "2020-01-01T00:00:00")
    assert past.code == 2 and "the expiry is not in the future" in past.err
    assert "Kept: nothing was stored" in past.err
    both = cli(*base, "--expires", "2030-01-01T00:00:00", "--days", "3")
    assert both.code == 2 and "give exactly one of --expires and --days" in both.err
    too_long = cli(*base, "--days", "120")
    assert too_long.code == 2 and "a grant lasts at most 90 days" in too_long.err
    assert cli("access", "list", "--json").json() == []


def test_sweep_and_check_through_the_cli(team: Workspace, internal: str, cli: Any) -> None:
    grant = cli("access", "request", internal, "--grantee", "algorithm-engineer", "--purpose",
                "p", "--days", "2", "--by", "data-engineer", "--json").json()["id"]
    cli("access", "approve", grant, "--by", "data-owner")
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert cli("access", "sweep", "--now", later, "--json").json() == {"expired": [grant]}
    assert cli("access", "sweep", "--now", later).out.strip() == "expired 0 grant(s)"


@pytest.mark.slow
def test_export_as_reader_of_an_archived_version(team: Workspace, archived: str, cli: Any,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "hf"
    refused = cli("export", archived, "--format", "hf", "--out", str(out), "--as",
                  "algorithm-engineer")
    assert refused.code == 2 and not out.exists()
    assert (f"version {archived} is archived; algorithm-engineer has no active access grant "
            "for it") in refused.err
    no = cli("access", "check", "--person", "algorithm-engineer", "--version", archived, "--json")
    assert no.code == 1 and no.json()["allowed"] is False and no.json()["grant_needed"] is True
    assert cli("access", "register", "--version", archived, "--by", "data-owner").code == 0
    grant = cli("access", "request", archived, "--grantee", "algorithm-engineer", "--purpose",
                "replicate", "--days", "30", "--by", "algorithm-engineer", "--json").json()["id"]
    assert cli("access", "approve", grant, "--by", "data-owner").code == 0
    yes = cli("access", "check", "--person", "algorithm-engineer", "--version", archived)
    assert yes.code == 0
    assert " ".join(yes.out.split()) == (
        f"algorithm-engineer may read {archived} (archived, public (declared public)): by {grant}")
    exported = cli("export", archived, "--format", "hf", "--out", str(out), "--as",
                   "algorithm-engineer", "--json")
    assert exported.code == 0, exported.err
    assert exported.json()["rows"] == 30
