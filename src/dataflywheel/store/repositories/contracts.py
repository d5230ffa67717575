"""Repositories: contracts, contract versions, change notices."""

from __future__ import annotations

from collections.abc import Sequence

from dataflywheel.domain.records.contract import (
    ContractNotice,
    ContractRecord,
    ContractVersionRecord,
    parse_semver,
)
from dataflywheel.domain.states import ContractVersionState
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.contracts import ContractNoticeRow, ContractRow, ContractVersionRow


class Contracts(Repository[ContractRecord, ContractRow]):
    record_type, row_type, kind, hint = ContractRecord, ContractRow, "contract", "flywheel contracts list"

    def find_locked(self, contract_id: str) -> ContractRecord | None:
        """The contract, its row locked until the transaction ends (PostgreSQL `FOR UPDATE`;
        SQLite's single writer already serialises), so version changes of one contract queue."""
        row = self.session.get(ContractRow, contract_id, with_for_update=True)
        return None if row is None else self.to_record(row)


class ContractVersions(Repository[ContractVersionRecord, ContractVersionRow]):
    record_type, row_type, kind, hint = (
        ContractVersionRecord, ContractVersionRow, "contract version", "flywheel contracts list",
    )

    def of_contract(self, contract_id: str) -> list[ContractVersionRecord]:
        """Every version of a contract, oldest SemVer first."""
        return self.of_contracts([contract_id]).get(contract_id, [])

    def of_contracts(self, contract_ids: Sequence[str]) -> dict[str, list[ContractVersionRecord]]:
        """The versions of each of `contract_ids` (a page of contracts), oldest SemVer first."""
        found: dict[str, list[ContractVersionRecord]] = {}
        for version in self.where_in("contract_id", contract_ids):
            found.setdefault(version.contract_id, []).append(version)
        return {c: sorted(vs, key=lambda v: parse_semver(v.semver)) for c, vs in found.items()}

    def active(self, contract_id: str) -> ContractVersionRecord | None:
        found = [v for v in self.of_contract(contract_id) if v.state is ContractVersionState.ACTIVE]
        return found[-1] if found else None

    def latest(self, contract_id: str) -> ContractVersionRecord | None:
        versions = self.of_contract(contract_id)
        return versions[-1] if versions else None


class ContractNotices(Repository[ContractNotice, ContractNoticeRow]):
    record_type, row_type, kind = ContractNotice, ContractNoticeRow, "contract notice"
