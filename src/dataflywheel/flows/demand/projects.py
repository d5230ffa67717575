"""The project registry."""

from __future__ import annotations

from dataflywheel.domain.records.project import Project
from dataflywheel.domain.states import ProjectStatus, move
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import People, Projects


def add_project(ws: Workspace, project: Project) -> Project:
    with ws.db.unit_of_work() as s:
        People(s).get(project.owner_id)
        return add_audited(Projects(s), project, actor=ws.actor)


def set_project_status(ws: Workspace, project_id: str, status: ProjectStatus, *,
                       reason: str | None = None) -> Project:
    with ws.db.unit_of_work() as s:
        repo = Projects(s)
        before = repo.get(project_id)
        move(f"project {project_id}", before.status, status)
        after = before.model_copy(update={"status": status})
        return update_audited(repo, before, after, actor=ws.actor, action="project.status",
                              reason=reason)


def list_projects(ws: Workspace) -> list[Project]:
    with ws.db.session() as s:
        return Projects(s).list()


def projects(ws: Workspace, *, status: ProjectStatus | None = None) -> Listing[Project]:
    """Every project (in one status), a page at a time or streamed (`flywheel projects list`)."""
    return Listing(ws, Projects, status=status.value if status else None)


def get_project(ws: Workspace, project_id: str) -> Project:
    with ws.db.session() as s:
        return Projects(s).get(project_id)


def project_checks(ws: Workspace, project_id: str) -> dict[str, object]:
    """The project's checks passed with their source (`flywheel projects checks --json`)."""
    from dataflywheel.flows.demand.project_checks import checks_of

    with ws.db.session() as s:
        c = checks_of(s, Projects(s).get(project_id))
        return {"project_id": project_id, "passed": c.passed, "total": c.total,
                "source": c.source, "all_passed": c.all_passed}
