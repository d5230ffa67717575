"""Knowledge preservation (Table 24-18, "DataOps Knowledge-Preservation Objects and Maintenance
Mechanisms"): each knowledge-base kind, who maintains it, how often it is updated, what it is for,
and the review cadence the product holds it to.

Only the kinds the table gives a calendar frequency are reviewed on a clock: best practices monthly
("Monthly supplementation"), onboarding guides quarterly ("Quarterly review"). The others update on
an event (an incident, a decision) or with each version cycle (templates, versioned with the
product: `flows/issues/kb_templates.py`), so they never go stale by age. A document is stale when
it was not updated within its cadence; the monthly review lists the stale ones.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from dataflywheel.domain.records.kb import DocKind


class KnowledgeObject(BaseModel):
    """One row of Table 24-18, cell for cell, with the knowledge-base kind it is kept as."""

    model_config = ConfigDict(frozen=True)

    document_type: str
    recorded_content: str
    maintenance_responsibility: str
    update_frequency: str
    primary_use: str


TABLE_24_18: tuple[KnowledgeObject, ...] = (
    KnowledgeObject(document_type="Incident post-mortem",
                    recorded_content="Incident timeline, impact scope, root cause, remediation, and "
                                     "preventive measures",
                    maintenance_responsibility="Incident owner, Quality Evaluator",
                    update_frequency="Event-triggered",
                    primary_use="Prevent recurrence of similar problems"),
    KnowledgeObject(document_type="Best practices",
                    recorded_content="Effective data strategies, annotation methods, quality rules",
                    maintenance_responsibility="Responsible team for the practice",
                    update_frequency="Monthly supplementation",
                    primary_use="Disseminate successful experience"),
    KnowledgeObject(document_type="Standard templates",
                    recorded_content="Dataset specification, annotation guide, quality report, "
                                     "release notes",
                    maintenance_responsibility="Data Owner, Platform Engineer",
                    update_frequency="Updated each version cycle",
                    primary_use="Reduce collaboration costs"),
    KnowledgeObject(document_type="Decision records",
                    recorded_content="Key trade-offs, approval conclusions, exception reasons, "
                                     "alternatives considered",
                    maintenance_responsibility="Decision initiator, Data Owner",
                    update_frequency="Decision-triggered",
                    primary_use="Preserve organizational memory"),
    KnowledgeObject(document_type="Onboarding guide",
                    recorded_content="Role descriptions, tool entry points, FAQs, example workflows",
                    maintenance_responsibility="Team lead, senior members",
                    update_frequency="Quarterly review",
                    primary_use="Shorten onboarding time"),
)

KIND_OF_ROW: dict[str, DocKind] = {
    "Incident post-mortem": DocKind.POST_MORTEM,
    "Best practices": DocKind.BEST_PRACTICE,
    "Standard templates": DocKind.TEMPLATE,
    "Decision records": DocKind.DECISION_RECORD,
    "Onboarding guide": DocKind.ONBOARDING,
}

CADENCE: dict[str, timedelta | None] = {
    "Event-triggered": None,
    "Monthly supplementation": timedelta(days=31),
    "Updated each version cycle": None,
    "Decision-triggered": None,
    "Quarterly review": timedelta(days=92),
}
"""Each update frequency of the table → how long a document may go unreviewed (None: no clock)."""


def row_of(kind: DocKind) -> KnowledgeObject:
    return next(r for r in TABLE_24_18 if KIND_OF_ROW[r.document_type] is kind)


def review_due(kind: DocKind, updated_at: datetime) -> datetime | None:
    """When a document of `kind` last updated at `updated_at` is due for review (None: never by
    age)."""
    cadence = CADENCE[row_of(kind).update_frequency]
    return None if cadence is None else updated_at + cadence


def is_stale(kind: DocKind, updated_at: datetime, now: datetime) -> bool:
    due = review_due(kind, updated_at)
    return due is not None and due <= now
