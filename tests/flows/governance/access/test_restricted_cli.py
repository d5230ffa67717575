"""Through the CLI: a frozen restricted version is not open (`access check` refuses, `export`
refuses and the refusal is audited); with a compliance exception and a grant resting on it the
export runs and is audited; the exception's expiry revokes the grant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from access_helpers import audits
from sensitive_helpers import READER, restricted_frozen

from dataflywheel.flows.workspace import Workspace


@pytest.mark.slow
def test_restricted_frozen_version_through_the_cli(team: Workspace, tmp_path: Path,
                                                   cli: Any) -> None:
    version = restricted_frozen(team, tmp_path)
    no = cli("access", "check", "--person", READER, "--version", version, "--json")
    assert no.code == 1, no.out
    assert (no.json()["allowed"], no.json()["level"]) == (False, "restricted")
    graded = cli("access", "grade", version, "--json").json()
    assert (graded["level"], graded["policy"]) == (
        "restricted", "Prohibited by default; approved by exception")
    out = tmp_path / "out"
    refused = cli("export", version, "--format", "hf", "--out", str(out), "--as", READER,
                  "--purpose", "refusal study")
    assert refused.code == 2 and not out.exists()
    assert audits(team, "version.read_refused") == 1

    exc = cli("exceptions", "request", "--type", "compliance", "--scope", "user logs",
              "--reason", "licence unclear", "--usage-restriction", "analysis only",
              "--isolation-label", "sandbox-7", "--outstanding", "licence review",
              "--expires", "2099-01-01T00:00:00+00:00", "--version", version,
              "--project", "P-TEST", "--source-description", "app logs, consent under review",
              "--risk-level", "high", "--access", READER, "--by", "data-engineer", "--json")
    assert exc.code == 0, exc.err
    eid = exc.json()["id"]
    assert (exc.json()["risk_level"], exc.json()["access_list"]) == ("high", [READER])
    for approver in ("legal-compliance", "data-owner"):
        assert cli("exceptions", "approve", eid, "--by", approver).code == 0
    assert cli("access", "register", "--version", version, "--by", "data-owner").code == 0
    grant = cli("access", "request", version, "--grantee", READER, "--purpose", "refusal study",
                "--days", "5", "--exception", eid, "--by", READER, "--json")
    assert grant.code == 0, grant.err
    gid = grant.json()["id"]
    for approver in ("data-owner", "legal-compliance"):
        assert cli("access", "approve", gid, "--by", approver).code == 0
    ok = cli("export", version, "--format", "hf", "--out", str(out), "--as", READER,
             "--purpose", "refusal study", "--json")
    assert ok.code == 0, ok.err
    reads = cli("access", "reads", version, "--json").json()
    assert [r["allowed"] for r in reads] == [False, True]
    assert reads[1]["reason"].startswith(f"read by {READER} via export hf; purpose: refusal study")

    assert cli("exceptions", "sweep", "--now", "2099-01-01T00:00:00+00:00").code == 0
    after = cli("access", "list", "--grantee", READER, "--json").json()
    assert [(g["id"], g["state"]) for g in after] == [(gid, "revoked")]
    assert cli("access", "check", "--person", READER, "--version", version).code == 1
