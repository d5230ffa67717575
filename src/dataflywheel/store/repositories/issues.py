"""Repositories of the Issue Pool: issues, links, post-mortems (ids from `store.allocator`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from dataflywheel.domain.records.issue import Issue, IssueLink, PostMortem
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.issues import IssueLinkRow, IssueRow, PostMortemRow

_LINK_TARGETS = frozenset({"batch_id", "version_id", "experiment_id", "requirement_id",
                           "error_sample_id", "feedback_event_id"})


class Issues(Repository[Issue, IssueRow]):
    record_type, row_type, kind, hint = Issue, IssueRow, "issue", "flywheel issues list"

    def next_id(self) -> str:
        return next_sequential_id(self.session, IssueRow, "ISS")

    def _select(self, **equals: Any) -> Select[Any]:
        """The base listing's WHERE clauses, plus the opening-date range `opened_from` (inclusive)
        and `opened_to` (exclusive), so a listing pages issues opened in a window in SQL."""
        since, until = equals.pop("opened_from", None), equals.pop("opened_to", None)
        stmt = super()._select(**equals)
        if since is not None:
            stmt = stmt.where(IssueRow.__table__.c.opened_at >= since)
        if until is not None:
            stmt = stmt.where(IssueRow.__table__.c.opened_at < until)
        return stmt

    def linked_to(self, **target: str) -> list[Issue]:
        """Issues linked to one record, e.g. `linked_to(batch_id="B-1")`, by issue id."""
        if len(target) != 1 or not set(target) <= _LINK_TARGETS:
            raise BadInput("name exactly one link target",
                           expected="one of " + ", ".join(sorted(_LINK_TARGETS)),
                           got=", ".join(sorted(target)) or "none")
        (name, value), = target.items()
        column: Any = getattr(IssueLinkRow, name)
        rows = self.session.scalars(
            select(IssueRow).join(IssueLinkRow, IssueLinkRow.issue_id == IssueRow.id)
            .where(column == value).distinct().order_by(IssueRow.id)
        ).all()
        return [self.to_record(r) for r in rows]

    def links(self, issue_id: str) -> list[IssueLink]:
        """Every link of the issue, by link id."""
        return IssueLinks(self.session).list(issue_id=issue_id)


class IssueLinks(Repository[IssueLink, IssueLinkRow]):
    record_type, row_type, kind = IssueLink, IssueLinkRow, "issue link"


class PostMortems(Repository[PostMortem, PostMortemRow]):
    record_type, row_type, kind, hint = (
        PostMortem, PostMortemRow, "post-mortem", "flywheel issues show ISSUE",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, PostMortemRow, "PM")

    def for_issue(self, issue_id: str) -> PostMortem:
        row = self.session.scalar(select(PostMortemRow).where(PostMortemRow.issue_id == issue_id))
        if row is None:
            raise NotFound(f"issue {issue_id} has no post-mortem", hint=self.hint)
        return self.to_record(row)
