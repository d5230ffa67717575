"""The demo team: three projects, two annotation vendors, people in all seven roles.

Each demo person is bound to a login of the same name, so that the scenario acts as each of them
through the real mechanism (`acting_as(ws, login)` resolves the login's binding), and the audit
log names the person. The offboarding step (Table 24-21) shows a person leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

from dataflywheel.domain.records.people import Person, Team, Vendor
from dataflywheel.domain.records.project import Layer, Project
from dataflywheel.domain.records.vendor import VendorEvidence
from dataflywheel.domain.roles import Role
from dataflywheel.flows.governance.people import add_person, add_team, add_vendor, grant_role
from dataflywheel.flows.governance.offboarding import Offboarded
from dataflywheel.flows.demand.projects import add_project
from dataflywheel.flows.vendors import record
from dataflywheel.flows.workspace import Workspace, acting_as

PEOPLE: list[tuple[str, str, list[Role]]] = [
    ("lin.wei", "Lin Wei", [Role.DATA_OWNER]),
    ("chen.jie", "Chen Jie", [Role.DATA_ENGINEER]),
    ("maya.ortiz", "Maya Ortiz", []),  # data engineer of P-ORAL only: see PROJECT_ROLES
    ("sara.kim", "Sara Kim", [Role.ANNOTATION_ENGINEER]),
    ("omar.haddad", "Omar Haddad", [Role.QUALITY_EVALUATOR]),
    ("li.na", "Li Na", [Role.ALGORITHM_ENGINEER]),
    ("tom.berg", "Tom Berg", [Role.ALGORITHM_ENGINEER]),
    ("ravi.shah", "Ravi Shah", [Role.PLATFORM_ENGINEER]),
    ("eva.novak", "Eva Novak", [Role.LEGAL_COMPLIANCE]),
]

ANNOTATION_ENGINEER = "sara.kim"
ONBOARDING = (("confidentiality", "NDA signed"), ("compliance", "data-handling audit"),
              ("tool_training", "labelling-tool training, 2 h"))
"""The onboarding evidence a vendor needs before it receives work, besides its test task."""

# Roles held in one project: there they replace the team-wide holders, so that each RACI item has
# exactly one Accountable person (Table 24-7 makes the data engineer A of collection and cleaning).
PROJECT_ROLES: list[tuple[str, Role, str]] = [("maya.ortiz", Role.DATA_ENGINEER, "P-ORAL")]

VENDORS = [
    ("v-brightlabel", "BrightLabel Annotation", "annotation", "ops@brightlabel.example"),
    ("v-tagwise", "TagWise Data Services", "annotation", "pm@tagwise.example"),
]

PROJECTS = [
    dict(id="P-K12", name="K-12 tutor main model", phase="build", owner_id="lin.wei",
         layers=[Layer.DATA_SOURCE, Layer.PROCESSING, Layer.MODELING, Layer.APPLICATION],
         interfaces_out=["raw-pool@1", "k12-sft@1", "k12-eval@1"], interfaces_in=[],
         review_hours_estimate=120, cost_estimate=48000,
         description="Step-by-step math and science tutoring for grades 1-12."),
    dict(id="P-ORAL", name="Oral assessment", phase="pilot", owner_id="lin.wei",
         layers=[Layer.DATA_SOURCE, Layer.MODELING, Layer.APPLICATION],
         interfaces_out=["oral-scores@1"], interfaces_in=["k12-sft@1"],
         review_hours_estimate=60, cost_estimate=21000,
         description="Scores spoken answers for fluency and correctness."),
    dict(id="P-ESSAY", name="Essay scoring", phase="build", owner_id="lin.wei",
         layers=[Layer.PROCESSING, Layer.MODELING, Layer.GOVERNANCE],
         interfaces_out=["essay-prefs@1"], interfaces_in=["raw-pool@1"],
         review_hours_estimate=90, cost_estimate=35000,
         description="Rubric-based essay feedback trained on preference pairs."),
]


@dataclass
class SeededTeam:
    people: list[Person] = field(default_factory=list)
    vendors: list[Vendor] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def seed_team(ws: Workspace) -> SeededTeam:
    """Write the team through the flows, as a user would."""
    seeded = SeededTeam()
    for vendor_id, name, service, contact in VENDORS:
        seeded.vendors.append(add_vendor(ws, Vendor(id=vendor_id, name=name, service=service,
                                                    contact=contact)))
    lead_id, lead_name, lead_roles = PEOPLE[0]
    seeded.people.append(add_person(ws, Person(id=lead_id, name=lead_name,
                                               email=f"{lead_id}@flywheel.example"), roles=lead_roles,
                                    login=lead_id))
    add_team(ws, Team(id="data-platform", name="Data platform team", lead_id=lead_id))
    for person_id, name, roles in PEOPLE[1:]:
        person = Person(id=person_id, name=name, email=f"{person_id}@flywheel.example",
                        team_id="data-platform")
        seeded.people.append(add_person(ws, person, roles=roles, login=person_id))
    for vendor_id, _, _, _ in VENDORS:
        lead = Person(id=f"{vendor_id}-lead", name=f"{vendor_id} lead", vendor_id=vendor_id)
        seeded.people.append(add_person(ws, lead, login=lead.id))
    for spec in PROJECTS:
        seeded.projects.append(add_project(ws, Project.model_validate(spec)))
    for person_id, role, project_id in PROJECT_ROLES:
        grant_role(ws, person_id, role, project_id=project_id)
    engineer = acting_as(ws, ANNOTATION_ENGINEER)
    for vendor_id, _, _, _ in VENDORS:  # a vendor delivers only once onboarded (Table 24-21)
        onboard(engineer, vendor_id, score=0.97)
    return seeded


def onboard(engineer: Workspace, vendor_id: str, *, score: float) -> VendorEvidence:
    """Record a vendor's onboarding as the Annotation Engineer `engineer` acts: confidentiality
    and compliance confirmed, tool training, and a test task with its quality result (returned)."""
    for kind, note in ONBOARDING:
        record(engineer, vendor_id, kind, note=note)
    return record(engineer, vendor_id, "test_task", score=score, note="50-item test task")


LEAVER, LEAVER_REASON = "li.na", "moves to another company; her work is handed to tom.berg"


def offboarding_step(ws: Workspace, console: Console) -> Offboarded:
    """Offboard li.na as the Data Owner (Table 24-21): her grant is revoked, her role removed,
    her login unbound; her login then acts as nobody, and the RACI still resolves."""
    from dataflywheel.errors import NotBound
    from dataflywheel.flows.workspace import acting_as
    from dataflywheel.flows.governance.offboarding import offboard
    from dataflywheel.flows.governance.raci import check

    done = offboard(ws, LEAVER, reason=LEAVER_REASON)
    console.print(f"{ws.actor} offboarded {LEAVER} ({LEAVER_REASON}): grants revoked "
                  f"{', '.join(done.grants_revoked) or 'none'}, roles removed "
                  f"{', '.join(h.role.value for h in done.roles_removed) or 'none'}, logins unbound "
                  f"{', '.join(done.logins_unbound) or 'none'}; active: {done.person.active}",
                  highlight=False)
    try:
        _ = acting_as(ws, LEAVER).actor
    except NotBound as refused:
        console.print(f"  login {LEAVER} now: {refused.what}", highlight=False)
    problems = check(ws)
    console.print(f"  RACI check after she left: {'OK' if not problems else problems}",
                  highlight=False)
    return done
