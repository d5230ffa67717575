"""Every row a frozen version's manifest covers is frozen too (item 10), and `flywheel verify`
recomputes each frozen version's manifest from its rows, naming the version and the row that
differ, even with every trigger dropped. Both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datapool_helpers import CONTRACT, Pool, deliver_clean, frozen_version, raw_sql
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.data import versions as flows
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches


def _frozen_and_free(ws: Workspace, tmp_path: Path) -> tuple[str, str, str]:
    """(frozen version id, sha256 of its one file, sha256 of a file of a batch in no version)."""
    vid = frozen_version(ws, tmp_path)
    free = deliver_clean(Pool(ws, "REQ-0001", "raw-pool"), tmp_path / "b.jsonl", "b", seed=2).batch
    with ws.db.session() as s:
        return vid, Batches(s).files("B-0001")[0].sha256, Batches(s).files(free.id)[0].sha256


def _refused_statements(other_sha: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("UPDATE batch_files SET sha256 = :x WHERE batch_id = 'B-0001'", {"x": other_sha}),
        ("UPDATE batch_files SET row_count = 3 WHERE batch_id = 'B-0001'", {}),
        ("DELETE FROM batch_files WHERE batch_id = 'B-0001'", {}),
        ("INSERT INTO batch_files (batch_id, position, name, sha256, size_bytes, row_count, format)"
         " VALUES ('B-0001', 9, 'extra.jsonl', :x, 1, 1, 'jsonl')", {"x": other_sha}),
        ("UPDATE batches SET row_count = 99 WHERE id = 'B-0001'", {}),
        ("UPDATE batches SET report_sha256 = :x WHERE id = 'B-0001'", {"x": other_sha}),
        ("DELETE FROM batches WHERE id = 'B-0001'", {}),
        ("UPDATE datasets SET name = 'renamed' WHERE id = 'DS-0001'", {}),
        ("UPDATE datasets SET sensitivity = 'restricted' WHERE id = 'DS-0001'", {}),
        ("UPDATE contract_versions SET document = 'x' WHERE id = :c", {"c": CONTRACT}),
    ]


def test_raw_sql_on_rows_the_manifest_covers_is_refused(team: Workspace, tmp_path: Path) -> None:
    vid, sha, other = _frozen_and_free(team, tmp_path)
    for sql, params in _refused_statements(other):
        with pytest.raises(sa_exc.IntegrityError) as info:
            raw_sql(team, sql, **params)
        assert "dataset version is frozen" in str(info.value), sql
    with team.db.session() as s:
        assert Batches(s).files("B-0001")[0].sha256 == sha
        assert Batches(s).get("B-0001").row_count == 20
    version, batches = flows.get_version(team, vid)
    assert batches == ["B-0001"] and version.number == 1


def test_rows_outside_sealed_versions_and_allowed_moves_stay_free(
    team: Workspace, tmp_path: Path,
) -> None:
    _, _, other = _frozen_and_free(team, tmp_path)
    raw_sql(team, "UPDATE batch_files SET row_count = 21 WHERE batch_id = 'B-0002'")
    raw_sql(team, "UPDATE datasets SET description = 'still free' WHERE id = 'DS-0001'")
    raw_sql(team, "UPDATE contract_versions SET migration_note = 'n' WHERE id = :c", c=CONTRACT)
    candidate = flows.create_version(team, "raw-pool", by="data-engineer", batch_ids=["B-0001"])
    assert flows.get_version(team, candidate.id)[1] == ["B-0001"]  # a frozen batch may be reused


def test_a_flow_write_refused_by_a_trigger_is_a_policy_violation(
    team: Workspace, tmp_path: Path,
) -> None:
    _, sha, other = _frozen_and_free(team, tmp_path)
    with pytest.raises(PolicyViolation) as info:
        with team.db.unit_of_work() as s:
            s.execute(text("UPDATE batch_files SET sha256 = :x WHERE batch_id = 'B-0001'"),
                      {"x": other})
    message = str(info.value)
    assert "the database refused the change: dataset version is frozen" in message
    assert "UPDATE" not in message and other not in message
    with team.db.session() as s:
        assert Batches(s).files("B-0001")[0].sha256 == sha


def drop_every_trigger(ws: Workspace) -> None:
    """What someone with the database's password can do: take every guard away."""
    with ws.db.engine.begin() as conn:
        if ws.db.is_sqlite:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            for (name,) in names.all():
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            return
        rows = conn.execute(text(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()")).all()
        assert rows, "no trigger found to drop"
        for name, table in rows:
            conn.execute(text(f'DROP TRIGGER "{name}" ON "{table}"'))


def test_verify_names_a_swapped_file_hash_even_without_triggers(
    team: Workspace, tmp_path: Path, cli,  # type: ignore[no-untyped-def]
) -> None:
    vid, sha, other = _frozen_and_free(team, tmp_path)
    clean = cli("verify")
    assert clean.code == 0, clean.err
    assert "1 frozen version manifest(s) recomputed from their rows" in clean.out.replace("\n", " ")
    drop_every_trigger(team)
    raw_sql(team, "UPDATE batch_files SET sha256 = :x WHERE batch_id = 'B-0001'", x=other)
    result = cli("verify")
    assert result.code == 1
    out = " ".join((result.out + result.err).split())
    assert f"version {vid}" in out
    assert "batch_files row (B-0001, 0) field sha256" in out
    assert f"manifest has {sha}, the rows have {other}" in out
    as_json = cli("verify", "--json")
    assert as_json.code == 1
    problems = as_json.json()["versions"]["problems"]
    assert {(p["version"], p["row"], p["field"]) for p in problems} == {
        (vid, "batch_files (B-0001, 0)", "sha256")}


def test_verify_names_an_edited_version_row_without_triggers(
    team: Workspace, tmp_path: Path, cli,  # type: ignore[no-untyped-def]
) -> None:
    vid, _, _ = _frozen_and_free(team, tmp_path)
    drop_every_trigger(team)
    raw_sql(team, "UPDATE dataset_versions SET compliance = 'rejected' WHERE id = :v", v=vid)
    raw_sql(team, "UPDATE datasets SET name = 'renamed' WHERE id = 'DS-0001'")
    result = cli("verify", "--json")
    assert result.code == 1
    found = {(p["row"], p["field"]) for p in result.json()["versions"]["problems"]}
    assert found == {(f"dataset_versions {vid}", "compliance"), ("datasets DS-0001", "name")}
