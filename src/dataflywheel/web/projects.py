"""Which project a page shows: the one asked for (`?project=`), else the person's first.

A person who holds a team-wide role sees every project; otherwise the projects they hold a role
in. The choice is only a default and a switcher: the route's rule still decides whether the
person may read the project asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataflywheel.errors import NotFound, PolicyViolation
from dataflywheel.flows.demand.projects import list_projects

if TYPE_CHECKING:
    from dataflywheel.flows.governance.tokens import Authenticated
    from dataflywheel.flows.workspace import Workspace


@dataclass(frozen=True)
class ProjectChoice:
    """The project shown (None: the workspace has none the person sees) and the others."""

    current: str | None
    options: tuple[tuple[str, str], ...]  # (id, name)


def project_choice(ws: Workspace, who: Authenticated, asked: str | None) -> ProjectChoice:
    """The project of a page: `asked` (it must exist), else the first the person sees."""
    projects = list_projects(ws)
    known = {p.id for p in projects}
    if asked is not None and asked not in known:
        raise NotFound(f"project {asked} does not exist", hint="pick one from the list")
    team_wide = who.admin or any(h.project_id is None for h in who.holdings)
    mine = {h.project_id for h in who.holdings}
    seen = tuple((p.id, p.name) for p in projects if team_wide or p.id in mine)
    if asked is not None and asked not in {id_ for id_, _ in seen}:
        raise PolicyViolation(f"{who.person_id} may not see project {asked}: only a member of "
                              "the project may", kept="nothing was changed",
                              hint="flywheel raci show")
    current = asked or (seen[0][0] if seen else None)
    return ProjectChoice(current=current, options=seen)
