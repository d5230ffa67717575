"""The dashboard on both backends: a person logs in, reads their project's dashboard, logs out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from web_helpers import csrf_of, web_login


def test_login_dashboard_and_logout_on_each_backend(ws: Any) -> None:
    from fastapi.testclient import TestClient

    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.governance.people import add_person
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.web.site import create_site

    add_person(ws, Person(id="ana", name="Ana"), roles=[Role.DATA_ENGINEER], login="ana")
    add_project(ws, Project(id="P-WEB", name="Web project", owner_id="ana"))
    token = create_token(ws, "ana", lifetime=timedelta(days=1))[1]
    with TestClient(create_site(ws.settings)) as client:
        web_login(client, token)
        page = client.get("/?project=P-WEB")
        assert page.status_code == 200
        assert "Flywheel dashboard: P-WEB" in page.text
        assert "has no flywheel plan" in page.text  # no plan yet: the rest still shows
        out = client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 303
