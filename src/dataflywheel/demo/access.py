"""Demo step: a frozen version becomes a registered asset, li.na gets a 30-day grant on it, and
`flywheel trace` shows it among the permissions that expire soon.

`demo_step(ws, console, version_id=V)` needs the demo team (lin.wei is the Data Owner, the
Accountable for cross-team data sharing; eva.novak is Legal/Compliance, who also approves when the
asset is confidential or restricted) and a frozen version from an earlier step. It archives
nothing: it shows who could read the version once it is archived.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import AccessGrant
from dataflywheel.flows import access
from dataflywheel.flows.access_reads import can_read
from dataflywheel.flows.versions import resolve_version
from dataflywheel.flows.trace import trace
from dataflywheel.flows.workspace import Workspace

OWNER, LEGAL, READER, OTHER = "lin.wei", "eva.novak", "li.na", "tom.berg"


def demo_step(ws: Workspace, console: Console, *, version_id: str,
              now: datetime | None = None) -> AccessGrant:
    """Register `version_id` as an asset, grant li.na 30 days on it, show the expiring grants."""
    now = now or utcnow()
    asset = access.register(ws, by=OWNER, version=version_id, now=now,
                            description="frozen training version, shared for replication")
    console.print(f"Registered asset {asset.id} ({asset.name}), sensitivity "
                  f"[bold]{asset.sensitivity.value}[/], owner {asset.owner_id}", highlight=False)
    grant = access.request(ws, asset.id, grantee=READER, purpose="replicate the baseline run",
                           expires_at=now + timedelta(days=30), requested_by=READER, now=now)
    console.print(f"{READER} requested {grant.id}: \"{grant.purpose}\", expires "
                  f"{grant.expires_at:%Y-%m-%d %H:%M} UTC (at most "
                  f"{access.MAX_GRANT_DAYS} days)", highlight=False)
    grant = access.approve(ws, grant.id, approver=OWNER, now=now,
                           note="replication of the baseline is in the plan")
    if grant.state.value == "requested":
        grant = access.approve(ws, grant.id, approver=LEGAL, now=now,
                               note=f"{asset.sensitivity.value} data, purpose checked")
    approvers = ", ".join(p for p in (grant.approved_by_id, grant.compliance_approved_by_id) if p)
    console.print(f"{grant.id} is [green]{grant.state.value}[/], approved by {approvers} "
                  "(A of cross-team data sharing" + (" + Legal/Compliance)" if
                                                     grant.compliance_approved_by_id else ")"),
                  highlight=False)
    with ws.db.session() as s:
        version = resolve_version(s, version_id)
        for person in (READER, OTHER):
            able = can_read(s, person, version, now)
            console.print(f"  once {asset.name} is archived, {person} "
                          + ("may read it" if able else "is refused until a grant is approved"),
                          highlight=False)
    [answer] = [a for a in trace(ws, days=31, now=now) if a.key == "expiring"]
    console.print(f"flywheel trace --days 31 → {answer.question} {answer.answer}", highlight=False)
    for line in answer.evidence:
        console.print(f"  - {line}", highlight=False, markup=False)
    return grant
