"""Repositories: personal API tokens and the team server's administrators."""

from __future__ import annotations

from dataflywheel.domain.records.tokens import ApiToken, ServerAdmin
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.tokens import ApiTokenRow, ServerAdminRow


class ApiTokens(Repository[ApiToken, ApiTokenRow]):
    record_type, row_type, kind, hint = ApiToken, ApiTokenRow, "api token", "flywheel tokens list"


class ServerAdmins(Repository[ServerAdmin, ServerAdminRow]):
    record_type, row_type, kind, hint = (
        ServerAdmin, ServerAdminRow, "server admin", "flywheel admins list")
