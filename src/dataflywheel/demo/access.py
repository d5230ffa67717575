"""Demo step: a frozen version registered as **restricted** is refused to li.na without a grant,
then read by her through a grant resting on a compliance exception; both are in the audit log
(who, what, when, purpose), and `flywheel trace` shows the grant among expiring permissions.

`demo_step(ws, console, version_id=V)` needs the demo team (lin.wei is the Data Owner, the
Accountable for cross-team data sharing; eva.novak is Legal/Compliance, who also approves grants
on confidential or restricted data) and a frozen version from an earlier step. Exports go under
the workspace (`demo-exports/`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console

from dataflywheel.demo.exceptions import compliance_exception
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import AccessGrant
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance.access_reads import can_read, reads_of
from dataflywheel.flows.data.export import export_version
from dataflywheel.flows.trace import trace
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace

OWNER, LEGAL, READER, OTHER = "lin.wei", "eva.novak", "li.na", "tom.berg"
PURPOSE = "replicate the baseline run"


def demo_step(ws: Workspace, console: Console, *, version_id: str,
              now: datetime | None = None) -> AccessGrant:
    """Register `version_id` as restricted, show a refused and a granted read, both audited."""
    now = now or utcnow()
    asset = access.register(ws, by=OWNER, version=version_id, now=now, sensitivity="restricted",
                            description="frozen version; crawl licence under review")
    console.print(f"Registered asset {asset.id} ({asset.name}), sensitivity "
                  f"[bold]{asset.sensitivity.value}[/] (Table 24-20: prohibited by default; "
                  "approved by exception)", highlight=False)
    folder = ws.settings.workspace / "demo-exports"
    try:
        export_version(ws, version_id, format="hf", out=folder / "refused", reader=READER,
                       purpose=PURPOSE)
    except PolicyViolation as refused:
        console.print(f"{READER} exports it without a grant: [red]refused[/] — {refused.what}",
                      highlight=False)
    exc = compliance_exception(ws, console, version_id, reader=READER, now=now)
    grant = _grant(ws, console, asset.id, exc.id, now)
    result = export_version(ws, version_id, format="hf", out=folder / asset.name.replace("@", "-"),
                            reader=READER, purpose=PURPOSE)
    console.print(f"{READER} exports it with {grant.id}: {result.rows} rows to "
                  f"{result.out.name}/", highlight=False)
    for entry in reads_of(ws, version_id):
        console.print(f"  audit #{entry.seq} {entry.at:%Y-%m-%d %H:%M:%S} "
                      f"{'version.read' if entry.allowed else 'version.read_refused'}: "
                      f"{entry.reason}", highlight=False, markup=False)
    _who_may_read(ws, console, version_id, now)
    [answer] = [a for a in trace(ws, days=31, now=now) if a.key == "expiring"]
    console.print(f"flywheel trace --days 31 → {answer.question} {answer.answer}", highlight=False)
    for line in answer.evidence:
        console.print(f"  - {line}", highlight=False, markup=False)
    return grant


def _grant(ws: Workspace, console: Console, asset_id: str, exception_id: str,
           now: datetime) -> AccessGrant:
    grant = access.request(ws, asset_id, grantee=READER, purpose=PURPOSE,
                           expires_at=now + timedelta(days=30), requested_by=READER,
                           exception_id=exception_id, now=now)
    access.approve(ws, grant.id, approver=OWNER, now=now,
                   note="replication of the baseline is in the plan")
    grant = access.approve(ws, grant.id, approver=LEGAL, now=now, note="sandbox only")
    console.print(f"{READER} requested {grant.id} resting on {exception_id}: \"{grant.purpose}\", "
                  f"expires {grant.expires_at:%Y-%m-%d %H:%M} UTC (at most "
                  f"{access.MAX_GRANT_DAYS} days); [green]{grant.state.value}[/], approved by "
                  f"{grant.approved_by_id} (A of cross-team data sharing) + "
                  f"{grant.compliance_approved_by_id} (Legal/Compliance)", highlight=False)
    return grant


def _who_may_read(ws: Workspace, console: Console, version_id: str, now: datetime) -> None:
    with ws.db.session() as s:
        version = resolve_version(s, version_id)
        for person in (READER, OTHER):
            able = can_read(s, person, version, now)
            console.print(f"  {person} " + ("may read it until the grant or the exception ends"
                                            if able else "is refused: no grant"),
                          highlight=False)
