"""Who acts: an OS login bound to a person, never a name typed on a command line.

A command's login (the OS login from `getpass.getuser()`, or `FLYWHEEL_LOGIN` in tests and CI) is
looked up in the workspace's `login_bindings` when the workspace is opened (`flows/workspace.py`,
`acting_as`); the person it is bound to is the actor every write records. An unbound login, or one
bound to an offboarded person, may still read: the first write raises `NotBound`, which says
exactly how to bind. Here: binding logins, and the rule that a named approver (`--by`) must be
the acting person.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dataflywheel.domain.records.people import LoginBinding
from dataflywheel.errors import AlreadyExists, BadInput, NotBound, from_validation
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.workspace import Workspace, os_login
from dataflywheel.store.repositories.people import LoginBindings, People


def require_named(ws: Workspace, named: str | None, option: str = "--by") -> str:
    """The acting person; refuse when `named` (an approver given on the command line) is not them."""
    actor = ws.actor
    if named is not None and named != actor:
        raise BadInput(
            f"{option} {named} names someone other than the acting person: login "
            f"{ws.login!r} acts as {actor}", expected=f"{option} {actor} (or leave it out)",
            got=named, kept="nothing was changed",
            hint=f"{named} runs the command under their own login")
    return actor


def bind_in(s: Session, actor: str, person_id: str, login: str) -> LoginBinding:
    """Bind `login` to `person_id` in the caller's transaction; a login acts as one person only."""
    if not People(s).get(person_id).active:
        raise NotBound(f"{person_id} was offboarded; no login may act as them",
                       expected="an active person", kept="nothing was changed",
                       hint=f"flywheel people show {person_id}")
    try:
        binding = LoginBinding(login=login, person_id=person_id)
    except ValidationError as exc:
        raise from_validation(exc, what=f"cannot bind login {login!r}") from None
    existing = LoginBindings(s).find(login)
    if existing is not None:
        raise AlreadyExists(f"login {login!r} is already bound to {existing.person_id}",
                            expected="a login bound to nobody yet", kept="the binding is unchanged",
                            hint=f"flywheel people offboard {existing.person_id} (when they leave)")
    return add_audited(LoginBindings(s), binding, actor=actor)


def bind(ws: Workspace, person_id: str, *, login: str | None = None) -> LoginBinding:
    """Bind `login` (default: this process's OS login) to a person, audited by the acting person.

    A workspace with no binding at all (one upgraded from before bindings existed) lets the first
    `bind` claim a person without an acting person; from then on only a bound person binds."""
    with ws.db.unit_of_work() as s:
        actor = ws.acting_person
        if actor is None and not LoginBindings(s).list():
            actor = person_id  # bootstrap of a workspace upgraded from before bindings: a self-claim
        return bind_in(s, actor or ws.actor, person_id, login or os_login())


def bindings(ws: Workspace) -> list[LoginBinding]:
    with ws.db.session() as s:
        return LoginBindings(s).list()
