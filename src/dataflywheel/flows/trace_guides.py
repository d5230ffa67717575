"""Table 24-30's "Which batches were affected by the most recent annotation standard change?",
answered from the guide's change record and the lineage that exists.

A change to a guide (`flywheel guides change`) affects the work made under the versions it
supersedes: the batches delivered under an earlier version of the same guide (their labels follow
the old standard), the dataset versions that include those batches, and the experiments that used
those dataset versions. The answer names each with its evidence (the change record — who, why,
class, examples changed, notices — then batch → dataset version → experiment), and the batches
already delivered under the new version. Read-only.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dataflywheel.domain.records.contract import parse_semver
from dataflywheel.domain.records.guide import GuideVersion
from dataflywheel.errors import BadInput


def guide_change_found(s: Session, guide: str | None) -> tuple[str, str, list[str]] | None:
    """(status, answer, evidence) for the guide change `guide` (`GUIDE@VERSION` made by a change;
    None: the most recent change); None when no guide change is on record to answer from (the
    caller then answers from the guide names batches carry)."""
    from dataflywheel.store.repositories.guides import GuideVersions

    repo = GuideVersions(s)
    if guide is None:
        changes = [v for v in repo.list() if v.previous_version_id is not None]
        if not changes:
            return None
        change = max(changes, key=lambda v: (v.created_at, v.id))
    else:
        found = repo.find(guide) if "@" in guide else None
        if found is None:
            return None
        if found.previous_version_id is None:
            raise BadInput(f"{guide} is the first version of its guide: it changed nothing",
                           field="guide", expected="a version made by flywheel guides change",
                           hint=f"flywheel guides list --guide {found.guide_id}")
        change = found
    return _affected(s, change, repo.of_guide(change.guide_id))


def _affected(s: Session, change: GuideVersion,
              versions: list[GuideVersion]) -> tuple[str, str, list[str]]:
    from dataflywheel.store.repositories.data import Batches, DatasetVersions
    from dataflywheel.store.repositories.experiments import Experiments
    from dataflywheel.store.repositories.people import Notifications

    at = parse_semver(change.version)
    earlier = {v.id for v in versions if parse_semver(v.version) < at}
    batches = sorted((b for b in Batches(s).list() if b.guide_version), key=lambda b: b.id)
    old = [b for b in batches if b.guide_version in earlier]
    new = [b for b in batches if b.guide_version == change.id]
    told = Notifications(s).list(kind="guide_change", record_kind="guide_version",
                                 record_id=change.id)
    evidence = [
        f"change record {change.id} ({change.change_class.value}) by {change.author_id} at "
        f"{change.created_at.isoformat()}, effective {change.effective_from.isoformat()}; why: "
        f"{change.reason}; examples changed: {', '.join(change.examples_changed) or 'none'}; "
        "changes: " + ("; ".join(f"{c['kind']} {c['path']}" for c in change.changes) or "none"),
        f"notices: {len(told)} sent ({', '.join(sorted(n.to_person_id for n in told)) or 'none'})",
    ]
    dataset_versions: dict[str, None] = {}
    experiments: dict[str, None] = {}
    for b in old:
        contained = DatasetVersions(s).containing(b.id)
        from_ = b.delivered_by_vendor_id or b.delivered_by_person_id
        evidence.append(f"batch {b.id} under {b.guide_version} ({b.state.value}, from {from_}, "
                        f"received {b.received_at:%Y-%m-%d}) in versions "
                        + (", ".join(v.id for v in contained) or "none"))
        for v in contained:
            dataset_versions.setdefault(v.id)
    for vid in dataset_versions:
        used = Experiments(s).using(vid)
        if used:
            evidence.append(f"version {vid} used by experiments {', '.join(e.id for e in used)}")
        for e in used:
            experiments.setdefault(e.id)
    if new:
        evidence.append(f"under {change.id} already: {', '.join(b.id for b in new)}")
    answer = (f"guide change {change.id} ({change.change_class.value}) affects {len(old)} "
              f"batch(es) made under {', '.join(sorted(earlier)) or 'no earlier version'}"
              + (f": {', '.join(b.id for b in old)}" if old else "")
              + f"; dataset versions: {', '.join(dataset_versions) or 'none'}"
              + f"; experiments: {', '.join(experiments) or 'none'}")
    return "answered", answer, evidence
