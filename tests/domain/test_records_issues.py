"""Issue records: tiers, deadlines in order, one target per link, post-mortem completeness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.issue import (
    Issue, IssueLink, IssueRelation, PostMortem, ProcessChangeKind, Severity,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _issue(**changes: object) -> Issue:
    fields: dict[str, object] = dict(id="ISS-0001", title="dups in batch", severity="P1",
                                     source="quality_check", opened_at=NOW)
    return Issue.model_validate(fields | changes)


def _complete_pm(**changes: object) -> PostMortem:
    fields: dict[str, object] = dict(
        id="PM-0001", issue_id="ISS-0001", event="dup batch reached training",
        impact="2 days of GPU", timeline=[{"at": NOW, "what": "detected"}],
        root_cause="no cross-batch dedup", remediation="removed dups",
        preventive_measures=["cross-batch dedup check"], process_change="contract v1.1 adds dedup",
        change_kind="contract_version", change_contract_version_id="sft@1.1.0",
    )
    return PostMortem.model_validate(fields | changes)


def test_severity_tiers_and_post_mortem_rule() -> None:
    assert [s.value for s in Severity] == ["P0", "P1", "P2", "P3"]
    assert Severity.P0.needs_post_mortem and Severity.P1.needs_post_mortem
    assert not Severity.P2.needs_post_mortem and not Severity.P3.needs_post_mortem


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"severity": "P4"}, "severity\n  Input should be 'P0', 'P1', 'P2' or 'P3'"),
        ({"source": "rumour"}, "source\n  Input should be 'quality_check', 'experiment', "),
        ({"respond_by": NOW - timedelta(hours=1)},
         "respond_by 2026-11-23T08:30:00+00:00 is before opened_at"),
        ({"respond_by": NOW + timedelta(hours=4), "remediate_by": NOW + timedelta(hours=1)},
         "remediate_by is before respond_by"),
        ({"state": "assigned"}, "an assigned issue needs owner_id"),
        ({"state": "closed"}, "a closed issue needs closed_at"),
        ({"escalation_level": -1},
         "escalation_level\n  Input should be greater than or equal to 0"),
        ({"id": "ISSUE-1"}, "id\n  String should match pattern"),
    ],
)
def test_bad_issues_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _issue(**changes)
    assert message in str(info.value)


def test_link_names_exactly_one_target() -> None:
    link = IssueLink.to("ISS-0001", IssueRelation.KNOWN_DEFECT, version_id="V-1")
    assert link.id == "ISS-0001:known_defect:version:V-1"
    assert link.target == ("version_id", "V-1")
    with pytest.raises(ValidationError, match="names exactly one of batch_id, .*; got 0"):
        IssueLink(id="x", issue_id="ISS-0001")
    with pytest.raises(ValidationError, match="got 2"):
        IssueLink(id="x", issue_id="ISS-0001", batch_id="B-1", version_id="V-1")


def test_post_mortem_missing_lists_empty_sections_and_change_link() -> None:
    assert PostMortem(id="PM-0001", issue_id="ISS-0001").missing() == [
        "event", "impact", "timeline", "root_cause", "remediation", "preventive_measures",
        "process_change", "change_link",
    ]
    assert _complete_pm().missing() == []


def test_published_post_mortem_must_be_complete() -> None:
    assert _complete_pm(state="published").state.value == "published"
    with pytest.raises(ValidationError, match="a published post-mortem lacks root_cause"):
        _complete_pm(state="published", root_cause="  ")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"change_kind": None}, "a process-change link needs change_kind"),
        ({"change_contract_version_id": None},
         "change_kind contract_version links change_contract_version_id only"),
        ({"change_kind": "raci_change"}, "change_kind raci_change links change_raci_item_id only"),
        ({"change_kind": "check", "change_contract_version_id": None},
         "change_kind check names its record in change_ref only"),
        ({"change_kind": "new_rule"},
         "change_kind\n  Input should be 'contract_version', 'raci_change', 'check' or "
         "'guide_version'"),
    ],
)
def test_process_change_link_must_match_its_kind(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _complete_pm(**changes)
    assert message in str(info.value)


def test_each_change_kind_accepts_its_own_link() -> None:
    raci = _complete_pm(change_kind=ProcessChangeKind.RACI_CHANGE, change_contract_version_id=None,
                        change_raci_item_id="annotation_quality_review")
    guide = _complete_pm(change_kind="guide_version", change_contract_version_id=None,
                         change_ref="guide 2.2")
    assert raci.missing() == [] and guide.missing() == []


def test_timeline_entries_need_text() -> None:
    with pytest.raises(ValidationError, match="timeline.0.what\n  String should have at least 1"):
        _complete_pm(timeline=[{"at": NOW, "what": ""}])
