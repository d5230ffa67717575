"""The org operating model of the assembly layer (P10 §18): its responsibility surfaces, each named
from records — the people holding the surface's roles, and the RACI items those roles are
Accountable or Responsible for — so a surface nobody holds shows as a gap (§18.2: "nobody owns
the assembly layer").
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.records.raci import Letter
from dataflywheel.domain.roles import Role
from dataflywheel.store.repositories.people import People, Projects, RaciAssignments, RoleHoldings

SURFACES: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("data_and_training_engineers", "understand interfaces and keep processed assets reusable",
     (Role.DATA_ENGINEER, Role.ANNOTATION_ENGINEER, Role.ALGORITHM_ENGINEER)),
    ("platform", "own dashboards, versions, rollback and runtime governance",
     (Role.PLATFORM_ENGINEER,)),
    ("privacy_and_governance", "keep sensitive data, audit and boundary controls explicit",
     (Role.LEGAL_COMPLIANCE, Role.DATA_OWNER)),
    ("reviewers_and_project_managers", "use milestones and stage plans for cross-team review",
     (Role.QUALITY_EVALUATOR, Role.DATA_OWNER)),
)


class Surface(BaseModel):
    name: str
    duty: str
    roles: list[str]
    people: list[str]
    raci_items: list[str]  # items whose A or R is one of the roles (team-wide matrix)

    @property
    def gap(self) -> bool:
        return not self.people


class OrgModel(BaseModel):
    project_owners: dict[str, str]  # the upstream project owners surface: project → owner
    surfaces: list[Surface]
    gaps: list[str]


def query(session: Session) -> OrgModel:
    """Every responsibility surface and who holds it now (active people only)."""
    active = {p.id for p in People(session).list() if p.active}
    holdings = [h for h in RoleHoldings(session).list() if h.person_id in active]
    owning = [a for a in RaciAssignments(session).list()
              if a.project_id is None and a.letter in (Letter.ACCOUNTABLE, Letter.RESPONSIBLE)]
    surfaces = [Surface(name=name, duty=duty, roles=[r.value for r in roles],
                        people=sorted({h.person_id for h in holdings if h.role in roles}),
                        raci_items=sorted({a.item_id for a in owning if a.role in roles}))
                for name, duty, roles in SURFACES]
    owners = {p.id: p.owner_id for p in sorted(Projects(session).list(), key=lambda p: p.id)}
    gaps = [s.name for s in surfaces if s.gap]
    gaps += [f"owner of {pid} ({owner}) is not active" for pid, owner in owners.items()
             if owner not in active]
    return OrgModel(project_owners=owners, surfaces=surfaces, gaps=gaps)
