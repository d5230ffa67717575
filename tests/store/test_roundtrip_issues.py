"""Issue Pool records through the store on both backends: issues, links to every kind of record,
post-mortems with their process-change link; and the database refusing dangling links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pools_seed import CONTRACT_VERSION_2, NOW, refused, seed_data
from sqlalchemy import insert, update

from dataflywheel.domain.records.experiment import ErrorSample, Experiment
from dataflywheel.domain.records.feedback import FeedbackEvent
from dataflywheel.domain.records.issue import (
    DiscoverySource, Issue, IssueLink, IssueRelation, PostMortem, ProcessChangeKind, Severity,
)
from dataflywheel.domain.states import IssueState, PostMortemState
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.store.repositories.experiments import ErrorSamples, Experiments
from dataflywheel.store.repositories.feedback import FeedbackEvents
from dataflywheel.store.repositories.issues import IssueLinks, Issues, PostMortems
from dataflywheel.store.session import Database
from dataflywheel.store.tables.issues import IssueLinkRow, IssueRow, PostMortemRow


def _issue(issue_id: str = "ISS-0001", **changes: Any) -> Issue:
    fields: dict[str, Any] = dict(
        id=issue_id, title="duplicates in B-0002", severity=Severity.P1,
        source=DiscoverySource.QUALITY_CHECK, project_id="P-K12", reporter_id="bob", opened_at=NOW,
        respond_by=NOW + timedelta(hours=4), remediate_by=NOW + timedelta(hours=48),
    )
    return Issue.model_validate(fields | changes)


def _post_mortem(**changes: Any) -> PostMortem:
    fields: dict[str, Any] = dict(
        id="PM-0001", issue_id="ISS-0001", author_id="ann", event="dups reached training",
        impact="one wasted run", timeline=[{"at": NOW, "what": "check failed"},
                                           {"at": NOW + timedelta(hours=1), "what": "batch held"}],
        root_cause="no cross-batch dedup in contract", remediation="dedup and re-run",
        preventive_measures=["cross-batch dedup", "vendor briefing"],
        process_change="contract 1.1.0 adds cross-batch dedup",
        change_kind=ProcessChangeKind.CONTRACT_VERSION,
        change_contract_version_id=CONTRACT_VERSION_2, created_at=NOW,
    )
    return PostMortem.model_validate(fields | changes)


def _seed_targets(db: Database) -> None:
    seed_data(db)
    with db.unit_of_work() as s:
        Experiments(s).add(Experiment(id="EXP-0001", title="sft", kind="formal",
                                      model_version="m1", started_at=NOW))
        ErrorSamples(s).add(ErrorSample(id="ES-1", experiment_id="EXP-0001", record_id="r1",
                                        category="geometry"))
        FeedbackEvents(s).add(FeedbackEvent(
            id="FB-1", occurred_at=NOW, source="evaluation", failure_type="data_gap",
            impact_scope="sample", payload={"sample": "q"}))


def test_issue_links_and_post_mortem_round_trip(database: Database) -> None:
    _seed_targets(database)
    targets = [dict(batch_id="B-0002"), dict(version_id="V-1"), dict(experiment_id="EXP-0001"),
               dict(requirement_id="REQ-0001"), dict(error_sample_id="ES-1"),
               dict(feedback_event_id="FB-1")]
    records: list[tuple[Any, Any]] = [
        (Issues, _issue(state=IssueState.ASSIGNED, owner_id="ann", escalation_level=1,
                        escalated_at=NOW, root_cause="vendor tooling")),
        *[(IssueLinks, IssueLink.to("ISS-0001", IssueRelation.EVIDENCE, **t)) for t in targets],
        (PostMortems, _post_mortem()),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record
    with database.session() as s:
        assert len(Issues(s).links("ISS-0001")) == 6
        pm = PostMortems(s).for_issue("ISS-0001")
        assert pm.missing() == [] and pm.timeline[1].what == "batch held"


def test_every_issue_and_post_mortem_state_is_kept(database: Database) -> None:
    seed_data(database)
    issue_ids = [f"ISS-{n + 1:04d}" for n in range(len(IssueState))]
    with database.unit_of_work() as s:
        for issue_id, state in zip(issue_ids, IssueState, strict=True):
            Issues(s).add(_issue(issue_id, state=state, owner_id="ann", closed_at=NOW))
        for n, pm_state in enumerate(PostMortemState):
            PostMortems(s).add(_post_mortem(id=f"PM-{n + 1:04d}", issue_id=issue_ids[n],
                                            state=pm_state, published_at=NOW))
    with database.session() as s:
        assert [Issues(s).get(i).state for i in issue_ids] == list(IssueState)
        kept = [PostMortems(s).get(f"PM-{n + 1:04d}").state for n in range(len(PostMortemState))]
        assert kept == list(PostMortemState)


def test_traceability_queries(database: Database) -> None:
    _seed_targets(database)
    with database.unit_of_work() as s:
        issues = Issues(s)
        assert issues.next_id() == "ISS-0001"
        issues.add(_issue("ISS-0001"))
        issues.add(_issue("ISS-0002", severity="P3", source="experiment"))
        assert issues.next_id() == "ISS-0003"
        links = IssueLinks(s)
        links.add(IssueLink.to("ISS-0001", batch_id="B-0002"))
        links.add(IssueLink.to("ISS-0001", IssueRelation.KNOWN_DEFECT, version_id="V-1"))
        links.add(IssueLink.to("ISS-0002", IssueRelation.KNOWN_DEFECT, version_id="V-1"))
        links.add(IssueLink.to("ISS-0002", error_sample_id="ES-1"))
    with database.session() as s:
        issues = Issues(s)
        assert [i.id for i in issues.linked_to(version_id="V-1")] == ["ISS-0001", "ISS-0002"]
        assert [i.id for i in issues.linked_to(batch_id="B-0002")] == ["ISS-0001"]
        assert [i.id for i in issues.linked_to(error_sample_id="ES-1")] == ["ISS-0002"]
        assert issues.linked_to(experiment_id="EXP-0001") == []
        defects = IssueLinks(s).list(version_id="V-1", relation="known_defect")
        assert [link.issue_id for link in defects] == ["ISS-0001", "ISS-0002"]
        with pytest.raises(BadInput) as info:
            issues.linked_to(batch_id="B-0002", version_id="V-1")
        assert str(info.value) == (
            "name exactly one link target; expected one of batch_id, error_sample_id, "
            "experiment_id, feedback_event_id, requirement_id, version_id; "
            "got 'batch_id, version_id'"
        )
        with pytest.raises(NotFound) as missing:
            PostMortems(s).for_issue("ISS-0002")
        assert str(missing.value) == (
            "issue ISS-0002 has no post-mortem. Next: flywheel issues show ISSUE")


def test_a_link_to_a_missing_record_is_refused(database: Database) -> None:
    _seed_targets(database)
    with database.unit_of_work() as s:
        Issues(s).add(_issue())
    for target in (dict(batch_id="B-0404"), dict(version_id="V-404"),
                   dict(experiment_id="EXP-0404"), dict(requirement_id="REQ-0404"),
                   dict(error_sample_id="ES-404"), dict(feedback_event_id="FB-404")):
        refused(database, lambda s, t=target: IssueLinks(s).add(IssueLink.to("ISS-0001", **t)))
    with database.session() as s:
        assert IssueLinks(s).list() == []


def test_the_database_refuses_bad_links_tiers_and_change_links(database: Database) -> None:
    _seed_targets(database)
    with database.unit_of_work() as s:
        Issues(s).add(_issue())
    refused(database, lambda s: s.execute(insert(IssueLinkRow).values(
        id="x", issue_id="ISS-0001", relation="affects")))
    refused(database, lambda s: s.execute(insert(IssueLinkRow).values(
        id="x", issue_id="ISS-0001", relation="affects", batch_id="B-0001", version_id="V-1")))
    refused(database, lambda s: s.execute(insert(IssueLinkRow).values(
        id="x", issue_id="ISS-0001", relation="blames", batch_id="B-0001")))
    refused(database, lambda s: s.execute(update(IssueRow).values(severity="P4")))
    refused(database, lambda s: s.execute(update(IssueRow).values(source="rumour")))
    refused(database, lambda s: IssueLinks(s).add(IssueLink.to("ISS-0404", batch_id="B-0001")))
    refused(database, lambda s: PostMortems(s).add(
        _post_mortem(change_contract_version_id="sft-pairs@9.9.9")))
    refused(database, lambda s: PostMortems(s).add(_post_mortem(
        change_kind="raci_change", change_contract_version_id=None, change_raci_item_id="nope")))
    refused(database, lambda s: PostMortems(s).add(_post_mortem(issue_id="ISS-0404")))
    with database.unit_of_work() as s:
        PostMortems(s).add(_post_mortem())
    refused(database, lambda s: s.execute(update(PostMortemRow).values(change_kind="vibes")))
    refused(database, lambda s: PostMortems(s).add(_post_mortem(id="PM-0002")))  # one per issue
    with database.session() as s:
        assert Issues(s).get("ISS-0001").severity is Severity.P1
        assert [p.id for p in PostMortems(s).list()] == ["PM-0001"]
        assert IssueLinks(s).list() == []


def test_raci_change_links_a_real_raci_item(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Issues(s).add(_issue())
        PostMortems(s).add(_post_mortem(
            change_kind="raci_change", change_contract_version_id=None,
            change_raci_item_id="annotation_quality_review"))
    with database.session() as s:
        pm = PostMortems(s).get("PM-0001")
        assert pm.change_raci_item_id == "annotation_quality_review" and pm.missing() == []
