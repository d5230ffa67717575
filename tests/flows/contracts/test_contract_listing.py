"""`flywheel contracts list` a page of contracts at a time (`flows.contracts.lifecycle.contracts`):
the pages and the stream are the contracts by id, each with exactly its versions in SemVer order,
as reading them one contract at a time gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from contract_helpers import EXAMPLE_IDS, example_path

from dataflywheel.flows.contracts import lifecycle as flows
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.contracts import Contracts, ContractVersions

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _one_at_a_time(ws: Workspace) -> list[tuple[str, list[str]]]:
    with ws.db.session() as s:
        return [(c.id, [v.id for v in ContractVersions(s).of_contract(c.id)])
                for c in Contracts(s).list()]


def _ids(items: Any) -> list[tuple[str, list[str]]]:
    return [(c.id, [v.id for v in vs]) for c, vs in items]


def test_contract_pages_hold_each_contract_with_its_versions(
        cws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataflywheel.store.paging as paging

    for contract_id in EXAMPLE_IDS:
        flows.import_contract(cws, example_path(contract_id), by="data-owner",
                              project_id="P-TEST", now=T0)
    expected = _one_at_a_time(cws)
    assert len(expected) == len(EXAMPLE_IDS) and all(vs for _, vs in expected)
    seen, cursor = [], None
    while True:
        page = flows.contracts(cws).page(1, cursor)
        seen += _ids(page.items)
        assert page.remaining == len(expected) - len(seen)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
    monkeypatch.setattr(paging, "STREAM_BATCH", 3)  # a stream of several joined batches
    assert _ids(flows.contracts(cws).stream()) == expected == _ids(flows.list_contracts(cws))
