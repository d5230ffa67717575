"""Table 24-18 cell for cell, and the review cadence it gives each knowledge-base kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.policies.knowledge import TABLE_24_18, is_stale, review_due, row_of
from dataflywheel.domain.records.kb import DocKind

# Transcribed from the chapter (ch24, "Table 24-18: DataOps Knowledge-Preservation Objects and
# Maintenance Mechanisms"): Document Type, Recorded Content, Maintenance Responsibility, Update
# Frequency, Primary Use.
TRANSCRIPTION = [
    ("Incident post-mortem", "Incident timeline, impact scope, root cause, remediation, and preventive measures", "Incident owner, Quality Evaluator", "Event-triggered", "Prevent recurrence of similar problems"),
    ("Best practices", "Effective data strategies, annotation methods, quality rules", "Responsible team for the practice", "Monthly supplementation", "Disseminate successful experience"),
    ("Standard templates", "Dataset specification, annotation guide, quality report, release notes", "Data Owner, Platform Engineer", "Updated each version cycle", "Reduce collaboration costs"),
    ("Decision records", "Key trade-offs, approval conclusions, exception reasons, alternatives considered", "Decision initiator, Data Owner", "Decision-triggered", "Preserve organizational memory"),
    ("Onboarding guide", "Role descriptions, tool entry points, FAQs, example workflows", "Team lead, senior members", "Quarterly review", "Shorten onboarding time"),
]
T0 = datetime(2026, 9, 1, tzinfo=UTC)


def test_table_24_18_cell_for_cell() -> None:
    assert [tuple(r.model_dump().values()) for r in TABLE_24_18] == TRANSCRIPTION


def test_every_kb_kind_has_its_row() -> None:
    assert {row_of(k).document_type for k in DocKind} == {r[0] for r in TRANSCRIPTION}


def test_onboarding_guides_go_stale_after_a_quarter_best_practices_after_a_month() -> None:
    assert review_due(DocKind.ONBOARDING, T0) == T0 + timedelta(days=92)
    assert not is_stale(DocKind.ONBOARDING, T0, T0 + timedelta(days=91))
    assert is_stale(DocKind.ONBOARDING, T0, T0 + timedelta(days=92))
    assert is_stale(DocKind.BEST_PRACTICE, T0, T0 + timedelta(days=31))


def test_event_and_decision_triggered_kinds_never_go_stale_by_age() -> None:
    for kind in (DocKind.POST_MORTEM, DocKind.DECISION_RECORD, DocKind.TEMPLATE):
        assert review_due(kind, T0) is None
        assert not is_stale(kind, T0, T0 + timedelta(days=3650))
