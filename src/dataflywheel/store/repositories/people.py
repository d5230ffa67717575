"""Repositories: people, teams, vendors, role holdings, projects, RACI, requirements."""

from __future__ import annotations

from dataflywheel.domain.records.demand import Requirement, RequirementDelivery
from dataflywheel.domain.records.notification import Notification
from dataflywheel.domain.records.people import LoginBinding, Person, RoleHolding, Team, Vendor
from dataflywheel.domain.records.project import Project
from dataflywheel.domain.records.raci import Consultation, RaciAssignment, RaciItem
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.demand import RequirementDeliveryRow, RequirementRow
from dataflywheel.store.tables.notifications import NotificationRow
from dataflywheel.store.tables.people import (
    LoginBindingRow,
    PersonRow,
    RoleHoldingRow,
    TeamRow,
    VendorRow,
)
from dataflywheel.store.tables.projects import ProjectRow
from dataflywheel.store.tables.raci import ConsultationRow, RaciAssignmentRow, RaciItemRow


class People(Repository[Person, PersonRow]):
    record_type, row_type, kind, hint = Person, PersonRow, "person", "flywheel people list"


class Teams(Repository[Team, TeamRow]):
    record_type, row_type, kind, hint = Team, TeamRow, "team", "flywheel teams list"


class Vendors(Repository[Vendor, VendorRow]):
    record_type, row_type, kind, hint = Vendor, VendorRow, "vendor", "flywheel vendors list"


class RoleHoldings(Repository[RoleHolding, RoleHoldingRow]):
    record_type, row_type, kind = RoleHolding, RoleHoldingRow, "role holding"


class LoginBindings(Repository[LoginBinding, LoginBindingRow]):
    record_type, row_type, kind, hint = (
        LoginBinding, LoginBindingRow, "login binding", "flywheel people list")


class Projects(Repository[Project, ProjectRow]):
    record_type, row_type, kind, hint = Project, ProjectRow, "project", "flywheel projects list"


class RaciItems(Repository[RaciItem, RaciItemRow]):
    record_type, row_type, kind, hint = RaciItem, RaciItemRow, "RACI item", "flywheel raci show"


class RaciAssignments(Repository[RaciAssignment, RaciAssignmentRow]):
    record_type, row_type, kind = RaciAssignment, RaciAssignmentRow, "RACI assignment"


class Consultations(Repository[Consultation, ConsultationRow]):
    record_type, row_type, kind, hint = (
        Consultation, ConsultationRow, "consultation", "flywheel raci consultations")

    def next_id(self) -> str:
        """The next free CNS-NNNN, reserved for the writer's transaction."""
        return next_sequential_id(self.session, ConsultationRow, "CNS")


class Requirements(Repository[Requirement, RequirementRow]):
    record_type, row_type, kind, hint = (
        Requirement, RequirementRow, "requirement", "flywheel requirements list",
    )

    def next_id(self) -> str:
        """The next free REQ-NNNN, reserved for the writer's transaction."""
        return next_sequential_id(self.session, RequirementRow, "REQ")


class Notifications(Repository[Notification, NotificationRow]):
    record_type, row_type, kind = Notification, NotificationRow, "notification"


class RequirementDeliveries(Repository[RequirementDelivery, RequirementDeliveryRow]):
    record_type, row_type, kind = RequirementDelivery, RequirementDeliveryRow, "requirement delivery"
