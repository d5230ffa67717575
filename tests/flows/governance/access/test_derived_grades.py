"""Derived data (Table 24-20, fifth row): a dataset built from a more sensitive source inherits
its level until Legal/Compliance re-grades it (who, why, audited); bad input writes nothing.
Compliance exceptions state their Table 24-9 records; offboarding revokes all of a person's grants."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from access_helpers import audits, make_dataset, stored
from sensitive_helpers import READER, restricted_frozen

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance import exceptions
from dataflywheel.flows.governance.access_reads import check
from dataflywheel.flows.governance.sensitivity import derive, grade_of, regrade
from dataflywheel.flows.data.versions import create_dataset, create_version
from dataflywheel.flows.workspace import Workspace


@pytest.mark.slow
def test_derived_data_inherits_the_source_level_until_re_graded(team: Workspace,
                                                                 tmp_path: Path,
                                                                 cli: Any) -> None:
    source = restricted_frozen(team, tmp_path)
    create_dataset(team, "cleaned-logs", project_id="P-TEST", owner_id="data-owner",
                   purpose="training", sensitivity="public")
    version = create_version(team, "cleaned-logs", by="data-engineer").id
    assert check(team, READER, version).allowed  # public, not derived yet: open

    before = stored(team)
    with pytest.raises(PolicyViolation, match="only derived data is re-graded"):
        regrade(team, "cleaned-logs", level="public", by="legal-compliance", reason="clean")
    with pytest.raises(PolicyViolation, match="algorithm-engineer may not record"):
        derive(team, "cleaned-logs", source=source, method="cleaning", by=READER)
    with pytest.raises(BadInput, match="needs its processing method"):
        derive(team, "cleaned-logs", source=source, method=" ", by="data-owner")
    assert stored(team) == before

    made = cli("access", "derive", "cleaned-logs", "--from", source, "--method", "cleaning",
               "--by", "data-owner", "--json").json()
    assert (made["source_version_id"], made["method"]) == (source, "cleaning")
    _, graded = grade_of(team, version)
    assert graded.explain() == f"restricted (declared public; inherits restricted from {source})"
    refused = check(team, READER, version)
    assert not refused.allowed and "resting on an active compliance exception" in str(
        refused.refusal)

    before = stored(team)
    with pytest.raises(PolicyViolation, match="data-owner may not re-grade dataset DS-0002"):
        regrade(team, "cleaned-logs", level="public", by="data-owner", reason="ids removed")
    with pytest.raises(BadInput, match="unknown sensitivity 'secret'"):
        regrade(team, "cleaned-logs", level="secret", by="legal-compliance", reason="x")
    assert stored(team) == before
    done = cli("access", "regrade", "cleaned-logs", "--level", "public", "--by",
               "legal-compliance", "--reason", "user ids removed, k-anonymity 20 checked",
               "--json").json()
    assert (done["inherited"], done["level"], done["approved_by_id"]) == (
        "restricted", "public", "legal-compliance")
    assert audits(team, "regrade.add") == 1 and audits(team, "derivation.add") == 1
    assert grade_of(team, "cleaned-logs")[1].explain() == (
        f"public (declared public; inherits restricted from {source}; re-graded to public)")
    assert check(team, READER, version).allowed


def test_a_compliance_exception_states_its_risk_level_and_access_list(team: Workspace) -> None:
    asset = make_dataset(team, "contracts", sensitivity="restricted")
    now = utcnow()
    req = exceptions.ExceptionRequest(
        type="compliance", scope="contract scans", reason="licence unclear",
        usage_restriction="analysis only", isolation_label="sandbox-2",
        outstanding_checks=["licence review"], expires_at=now + timedelta(days=3),
        dataset_ids=[asset], source_description="scanned vendor contracts",
        risk_level=None, access_list=[READER])
    before = stored(team)
    with pytest.raises(BadInput) as missing:
        exceptions.request(team, req, requested_by="data-engineer", now=now)
    assert str(missing.value) == (
        "a compliance exception needs its risk level; field 'risk_level'; expected one of low, "
        "medium, high; got 'nothing'. Kept: nothing was stored. Next: --risk-level LEVEL")
    from dataclasses import replace

    with pytest.raises(BadInput, match="needs its access list"):
        exceptions.request(team, replace(req, risk_level="high", access_list=[]),
                           requested_by="data-engineer", now=now)
    with pytest.raises(NotFound, match="person ghost on the access list does not exist"):
        exceptions.request(team, replace(req, risk_level="high", access_list=["ghost"]),
                           requested_by="data-engineer", now=now)
    assert stored(team) == before
    made = exceptions.request(team, replace(req, risk_level="medium"),
                              requested_by="data-engineer", now=now)
    shown = exceptions.show(team, made.id, now=now).exception
    assert (shown.source_description, shown.risk_level and shown.risk_level.value,
            shown.access_list) == ("scanned vendor contracts", "medium", [READER])


def test_offboarding_revokes_every_active_grant_of_a_person(team: Workspace,
                                                            internal: str) -> None:
    now = utcnow()
    other = make_dataset(team, "notes", sensitivity="internal")
    ids = []
    for asset in (internal, other):
        g = access.request(team, asset, grantee=READER, purpose="study", requested_by=READER,
                           expires_at=now + timedelta(days=5), now=now)
        ids.append(access.approve(team, g.id, approver="data-owner", now=now).id)
    before = stored(team)
    with pytest.raises(PolicyViolation, match="quality-evaluator may not revoke"):
        access.revoke_person(team, READER, by="quality-evaluator", reason="left", now=now)
    assert stored(team) == before
    ended = access.revoke_person(team, READER, by="data-owner", reason="left the team", now=now)
    assert [(g.id, g.state.value, g.end_reason) for g in ended] == [
        (i, "revoked", "left the team") for i in ids]
    assert audits(team, "access_grant.revoke") == 2
    assert access.revoke_person(team, READER, by="data-owner", reason="again", now=now) == []
