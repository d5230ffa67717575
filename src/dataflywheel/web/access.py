"""Whether a person may take an action, asked of the API route's own rule.

A decision button (approve a release, an exception, a grant, a review) is enabled only for the
person the rule names — the same rule the API route and the page's POST answer to, so the page
never shows an action the server would refuse, and the server refuses it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from dataflywheel.api.policy import decide, rule_for, scope_value
from dataflywheel.errors import FlywheelError

if TYPE_CHECKING:
    from dataflywheel.flows.governance.tokens import Authenticated


@dataclass(frozen=True)
class Permission:
    """Whether the action is open to the person, and who alone may take it otherwise."""

    allowed: bool
    only: str

    def __bool__(self) -> bool:
        return self.allowed


def permission(request: Request, who: Authenticated, method: str, api_path: str,
               **params: str) -> Permission:
    """Whether `who` may call the API route (`method`, `api_path`) for the record `params`
    names (its path parameters, e.g. `version="ds-1@v2"`)."""
    rule = rule_for(request.app.state.policy, method, api_path)
    with request.app.state.workspace.db.session() as s:
        try:
            decide(s, rule, who, scope_value(rule, params, {}))
        except FlywheelError:
            return Permission(False, rule.describe())
    return Permission(True, rule.describe())


def can(request: Request, who: Authenticated, method: str, api_path: str, **params: str) -> bool:
    """`permission(...)` as a plain yes or no."""
    return permission(request, who, method, api_path, **params).allowed
