"""The two Table 24-30 questions answered from trends rather than single records:

- "Were this month's quality fluctuations caused by process problems or data-structure changes?"
  — the month's anomaly rate and batch pass rate against the month before (the metrics engine's
  figures), and the change records that fall in the month: contract versions that took effect
  (data-structure and interface changes), and guide versions first used, vendors first
  delivering, post-mortem process changes published (process changes). The records can show
  what changed when; which change caused a fluctuation is the review's call, so the answer names
  both kinds and says which the records hold.
- "Can a new member understand the core processes within one week?" — the onboarding guides and
  templates in the knowledge base (Table 24-18), and how long the people who joined in the last
  quarter took to their first audited action (`onboarding_hours`), against one week.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dataflywheel.metrics.compute import one

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Found = tuple[str, str, list[str]]
"""(status — answered, gaps or no_records —, answer, evidence): `flows.trace` makes the Answer."""

MONTH = timedelta(days=30)
QUARTER = timedelta(days=90)
WEEK_HOURS = 168.0
STABLE_ANOMALY = 0.02  # an anomaly rate moving less than 2 points is not a fluctuation
STABLE_PASS = 0.05


def quality_fluctuation(s: Session, now: datetime) -> Found:
    from dataflywheel.flows.metrics import checked_batches

    month = checked_batches(s, now - MONTH, now)
    before = checked_batches(s, now - 2 * MONTH, now - MONTH)
    figures = {name: (one(before, name).value, one(month, name).value)
               for name in ("anomaly_rate", "batch_pass_rate")}
    if all(v is None for pair in figures.values() for v in pair):
        return "no_records", "no records yet: no batch was checked in the last two months", []
    shown = "; ".join(f"{name} {_pct(a)} → {_pct(b)}" for name, (a, b) in figures.items())
    structure, process = _changes(s, month.since, now)
    evidence = ([f"{name}: {_pct(a)} the month before, {_pct(b)} this month"
                 for name, (a, b) in figures.items()]
                + [f"data-structure change: {c}" for c in structure]
                + [f"process change: {c}" for c in process])
    if all(before is None for before, _ in figures.values()):
        return "answered", f"no month before this one to compare with ({shown})", evidence
    if not _fluctuated(figures):
        return "answered", f"no fluctuation to explain this month ({shown})", evidence
    if not structure and not process:
        return ("gaps", f"quality moved ({shown}) with no change recorded in the month: read "
                "the failed batches' samples", evidence)
    kinds = " and ".join(k for k, found in (("data-structure", structure),
                                            ("process", process)) if found)
    return ("answered", f"quality moved ({shown}); the month recorded {kinds} changes "
                        f"({len(structure)} data-structure, {len(process)} process)", evidence)


def _fluctuated(figures: dict[str, tuple[float | None, float | None]]) -> bool:
    """Whether either rate moved past its stable band between the two months."""
    def moved(pair: tuple[float | None, float | None], band: float) -> bool:
        before, now = pair
        return before is not None and now is not None and abs(now - before) >= band

    return (moved(figures["anomaly_rate"], STABLE_ANOMALY)
            or moved(figures["batch_pass_rate"], STABLE_PASS))


def _changes(s: Session, since: datetime, until: datetime) -> tuple[list[str], list[str]]:
    """(data-structure changes, process changes) recorded in [since, until)."""
    from dataflywheel.domain.states import PostMortemState
    from dataflywheel.store.repositories.contracts import ContractVersions
    from dataflywheel.store.repositories.data import Batches
    from dataflywheel.store.repositories.issues import PostMortems

    def inside(at: datetime | None) -> bool:
        return at is not None and since <= at < until

    structure = [f"contract {v.contract_id} {v.semver} ({v.change_class.value}) in effect "
                 f"{v.effective_from:%Y-%m-%d}"
                 for v in ContractVersions(s).list()
                 if v.previous_version_id is not None and inside(v.effective_from)]
    batches = sorted(Batches(s).list(), key=lambda b: (b.received_at, b.id))
    first_guide: dict[str, datetime] = {}
    first_vendor: dict[str, datetime] = {}
    for b in batches:
        if b.guide_version:
            first_guide.setdefault(b.guide_version, b.received_at)
        if b.delivered_by_vendor_id:
            first_vendor.setdefault(b.delivered_by_vendor_id, b.received_at)
    process = [f"guide {g} first used {at:%Y-%m-%d}" for g, at in first_guide.items()
               if inside(at)]
    process += [f"vendor {v} first delivered {at:%Y-%m-%d}" for v, at in first_vendor.items()
                if inside(at)]
    process += [f"post-mortem {p.id}: {p.process_change}"
                for p in PostMortems(s).list(state=PostMortemState.PUBLISHED.value)
                if inside(p.published_at) and p.process_change.strip()]
    return structure, process


def onboarding(s: Session, now: datetime) -> Found:
    from dataflywheel.domain.records.kb import DocKind
    from dataflywheel.flows.metrics import joined_people
    from dataflywheel.store.repositories.kb import KbDocuments

    guides = KbDocuments(s).list(kind=DocKind.ONBOARDING.value)
    templates = KbDocuments(s).list(kind=DocKind.TEMPLATE.value)
    joined = one(joined_people(s, now - QUARTER, now), "onboarding_hours")
    evidence = [f"onboarding guide {d.id}: {d.title} (updated {d.updated_at:%Y-%m-%d})"
                for d in guides]
    evidence += [f"template {d.id}: {d.title}" for d in templates]
    hours = [] if joined.distribution is None else [joined.distribution.median]
    if hours:
        evidence.append(f"{joined.samples} person(s) joined in the last 90 days; first action "
                        f"after a median of {hours[0]:.0f} h")
    within_week = bool(hours) and hours[0] <= WEEK_HOURS
    if not guides and not templates and not hours:
        return "no_records", "no records yet: no onboarding guide, template or new member", []
    if not guides:
        return ("gaps", "no onboarding guide in the knowledge base"
                + (f" ({len(templates)} template(s))" if templates else ""), evidence)
    answer = (f"{len(guides)} onboarding guide(s), {len(templates)} template(s); "
              + (f"new members acted within a week (median {hours[0]:.0f} h)" if within_week
                 else f"new members took a median {hours[0]:.0f} h to act" if hours
                 else "nobody joined in the last 90 days"))
    return "answered" if within_week or not hours else "gaps", answer, evidence


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
