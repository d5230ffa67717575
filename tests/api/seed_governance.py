"""Records the governance routes name in their paths, built through flows as the tester.

`item`: a RACI item; `consultation`: one asking data-engineer (a Consulted role of the release
item) for input, so the addressee's answer can succeed; `admin`: a second server administrator,
so revoking them can succeed (the last one cannot be removed).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

RELEASE = "training_set_version_release"


def seed_governance(ws: Workspace) -> dict[str, str]:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.people import Person
    from dataflywheel.flows.governance.consultations import request
    from dataflywheel.flows.governance.people import add_person
    from dataflywheel.flows.governance.tokens import grant_admin

    add_person(ws, Person(id="gov-admin", name="Second administrator"))
    grant_admin(ws, "gov-admin")
    made = request(ws, RELEASE, record_kind="dataset_version", record_id="V-0001",
                   due_at=utcnow() + timedelta(days=7), project_id="P-TEST")
    asked = next(c for c in made if c.person_id == "data-engineer")
    return {"item": RELEASE, "consultation": asked.id, "admin": "gov-admin"}
