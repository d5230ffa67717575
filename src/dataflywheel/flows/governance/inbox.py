"""A person's inbox a page at a time: the notices the flows sent them (`GET /api/v1/inbox`)."""

from __future__ import annotations

from dataflywheel.domain.records.notification import Notification
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Notifications


def inbox_listing(ws: Workspace, person_id: str, *, kind: str | None = None) -> Listing[Notification]:
    """`person_id`'s notifications (of one kind), oldest first — the order `flows.notifications.inbox`
    sorts in, done by the database."""
    return Listing.ordered(ws, Notifications, ("created_at", "id"), to_person_id=person_id,
                           kind=kind)
